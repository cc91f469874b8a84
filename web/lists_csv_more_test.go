package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestMoreListsAsCSV downloads the IDVA list, the identification list and
// the team dashboard: each is a CSV of what its page shows the user, with
// typed text defused, served no-store as an attachment and audited as a
// list that was downloaded; the IDVA list reaches only the victim side and
// holds nothing of her compartment; users who may not see a list get no
// rows of it.
func TestMoreListsAsCSV(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ctx := context.Background()
			var siteID int64
			for _, g := range w.actor("ana.analyst").Subject.Grants {
				siteID = g.SiteID
			}
			site := strconv.FormatInt(siteID, 10)
			var recs []incident.Record
			for i, on := range []string{"2026-10-01", "2026-11-01", "2026-11-20"} {
				recs = append(recs, incident.Record{Ref: "CSV-" + strconv.Itoa(i), On: drive.MustDate(on), Type: "harassment",
					Suspect: incident.Person{GivenName: "@SUM(A1)", FamilyName: "Vance", DOB: drive.MustDate("1979-05-05")},
					Victim:  incident.Person{GivenName: "Alex", FamilyName: "Example" + strconv.Itoa(i)}})
			}
			if _, _, err := w.srv.svc.ImportIncidents(ctx, service.CommandLine(), "NMR", recs, nil); err != nil {
				t.Fatal(err)
			}
			// A new referral, waiting for allocation, under a name that
			// would be a formula.
			var referral int64
			if err := w.db.Transact(ctx, func(tx *store.Tx) error {
				p := &people.Person{SiteID: siteID, GivenName: "+Kyle", FamilyName: "Marsh", DateOfBirth: drive.MustDate("1990-03-03")}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				c := &casework.Case{SiteID: siteID, PersonID: p.ID, Programme: "drive", Source: casework.FromProbation, ReferredAt: drive.MustDate("2026-11-20"), Summary: "Referred"}
				err := tx.CreateCase(ctx, c)
				referral = c.ID
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				who, page, path, recordType, reason string
				header                              []string
				check                               func(rows [][]string) bool
			}{
				{"ida.idva", "/victims", "/victims.csv", "victim", "list downloaded: 1 rows", victimsHeader, func(rows [][]string) bool {
					return len(rows) == 2 && rows[1][0] == strconv.FormatInt(w.victimID, 10) && rows[1][1] == "Sam Example" && rows[1][6] == "15"
				}},
				{"ana.analyst", "/identify", "/identify.csv?site=" + site, "identification", "list downloaded: 1 rows", identifyHeader, func(rows [][]string) bool {
					return len(rows) == 2 && rows[1][0] == "1" && rows[1][2] == "'@SUM(A1)" && rows[1][3] == "Vance" && rows[1][10] == "3"
				}},
				{"tom.providerlead", "/team", "/team.csv?site=" + site, "case", "team dashboard downloaded: 1 rows", teamHeader, func(rows [][]string) bool {
					return len(rows) == 2 && rows[1][0] == "Unallocated" && rows[1][1] == strconv.FormatInt(referral, 10) && rows[1][2] == "'+Kyle Marsh"
				}},
			} {
				if _, body := w.get(t, c.who, c.page); !strings.Contains(body, `href="`+strings.ReplaceAll(c.path, "&", "&amp;")+`"`) {
					t.Errorf("%s does not link to %s", c.page, c.path)
				}
				status, body, h := w.send(t, c.who, "GET", c.path, nil)
				if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || h.Get("Cache-Control") != "no-store" ||
					!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
					t.Fatalf("%s: %d %v\n%s", c.path, status, h, body)
				}
				rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) == 0 || strings.Join(rows[0], "|") != strings.Join(c.header, "|") || !c.check(rows) {
					t.Errorf("%s: %q", c.path, rows)
				}
				if l := leaked(body); len(l) > 0 {
					t.Errorf("%s: %s shows %v", c.who, c.path, l)
				}
				found := false
				for _, ev := range w.events(t, c.who) {
					found = found || (ev.Action == "record.list" && ev.RecordType == c.recordType && ev.Reason == c.reason)
				}
				if !found {
					t.Errorf("%s: no audit event %q", c.path, c.reason)
				}
			}
			// Nobody outside the victim side gets a row of the IDVA list;
			// a file answers exactly those its page answers.
			for name := range w.users {
				for _, path := range []string{"/victims.csv", "/victims.csv?all=1", "/identify.csv?site=" + site, "/team.csv?site=" + site} {
					status, body, _ := w.send(t, name, "GET", path, nil)
					if l := leaked(body); len(l) > 0 {
						t.Errorf("%s: %s shows %v", name, path, l)
					}
					page := strings.Replace(path, ".csv", "", 1)
					pageStatus, pageBody, _ := w.send(t, name, "GET", page, nil)
					if pageStatus != status {
						t.Errorf("%s: %s answered %d, its page %d", name, path, status, pageStatus)
					}
					if strings.HasPrefix(path, "/victims") && strings.Contains(body, "Sam Example") != strings.Contains(pageBody, "Sam Example") {
						t.Errorf("%s: %s and its page disagree on naming her", name, path)
					}
					if strings.HasPrefix(path, "/victims") && !slicesHas([]string{"ida.idva", "ivy.otheridva", "tia.idvalead"}, name) && strings.Contains(body, "Sam Example") {
						t.Errorf("%s: %s names her", name, path)
					}
				}
			}
			if status, _, _ := w.send(t, "sam.otherlead", "GET", "/team.csv?site="+site, nil); status != http.StatusNotFound {
				t.Errorf("another site's team leader: %d", status)
			}
			if status, _, _ := w.send(t, "nat.national", "GET", "/identify.csv", nil); status != http.StatusNotFound {
				t.Errorf("the national team's identification list: %d", status)
			}
		})
	}
}

func slicesHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
