package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestPoliceHistoryPage checks the police history page and its JSON over
// HTTP for every role on the wall fixture: the case page links to it for
// exactly those the page answers, everyone else is told it does not
// exist, and both name the victims of his incidents only by letter, with
// none of the victim-survivor's protected details, even where police
// recorded his postcode as hers.
func TestPoliceHistoryPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			seedPoliceHistory(t, w)
			cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
			link := `href="` + cpath + `/police"`
			for name, want := range map[string]bool{
				"cal.manager": true, "tom.providerlead": true, "tia.idvalead": true, "ida.idva": true, "pam.coordinator": true, "ana.analyst": true,
				"cat.othermanager": false, "ivy.otheridva": false, "pat.partner": false, "com.commissioner": false, "nat.national": false,
				"eve.evaluator": false, "adm.admin": false, "dee.dpo": false, "sam.otherlead": false,
			} {
				apiStatus, apiBody := w.get(t, name, "/api/v1"+cpath+"/police-history")
				switch {
				case !want && (apiStatus != 404 || strings.Contains(apiBody, "Hollis")):
					t.Errorf("%s on the police history API: %d; want 404 naming nothing", name, apiStatus)
				case want && (apiStatus != 200 || !strings.Contains(apiBody, `"ref":"PH-2"`) || !strings.Contains(apiBody, `"victim":"A"`)):
					t.Errorf("%s on the police history API: %d %s", name, apiStatus, apiBody)
				case len(leaked(apiBody)) > 0 || strings.Contains(apiBody, "Example"):
					t.Errorf("%s: the police history API leaks %v", name, leaked(apiBody))
				}
				status, body := w.get(t, name, cpath+"/police")
				if !want {
					if status != 404 || strings.Contains(body, "Hollis") {
						t.Errorf("%s on the police history: %d; want 404 naming nothing", name, status)
					}
					if _, body := w.get(t, name, cpath); strings.Contains(body, link) {
						t.Errorf("%s is shown a link to the police history", name)
					}
					continue
				}
				if status != 200 {
					t.Fatalf("%s on the police history: %d", name, status)
				}
				for _, s := range []string{"Police history: Darren Hollis", "PH-1", "Non-fatal strangulation or suffocation", "Victim A", "<svg", "Since allocation",
					"Jan to Mar 2026"} {
					if !strings.Contains(body, s) {
						t.Errorf("%s: the page lacks %q", name, s)
					}
				}
				if l := leaked(body); len(l) > 0 || strings.Contains(body, "Example") {
					t.Errorf("%s: the police history leaks %v", name, l)
				}
				if _, body := w.get(t, name, cpath); !strings.Contains(body, link) {
					t.Errorf("%s is not shown the link to the police history", name)
				}
			}
		})
	}
}

// seedPoliceHistory imports two incidents and a MARAC hearing naming the
// wall's perpetrator, with the victim-survivor as their victim and her
// postcode as his, and links his police record to him.
func seedPoliceHistory(t testing.TB, w *wall) {
	t.Helper()
	ctx := context.Background()
	his := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1985-05-05"), Postcode: "CN9 9QZ"}
	sam := incident.Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1990-02-02"), Age: 36}
	importFor(t, w.db, "NMR", []incident.Record{
		{Ref: "PH-1", On: drive.MustDate("2026-02-10"), Type: "abh", Crime: true, Suspect: his, Victim: sam},
		{Ref: "PH-2", On: drive.MustDate("2026-10-01"), Type: "strangulation", Crime: true, Suspect: his, Victim: sam},
	})
	if _, _, err := w.srv.svc.ImportMARAC(ctx, service.System("test"), "NMR", []incident.Hearing{
		{Ref: "M-1", HeardOn: drive.MustDate("2026-03-01"), Victim: sam, Perpetrator: his}}, nil); err != nil {
		t.Fatal(err)
	}
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, w.caseID)
		if err != nil {
			return err
		}
		rows, err := tx.SitePoliceIncidents(ctx, c.SiteID, drive.Date{})
		if err != nil {
			return err
		}
		return tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: c.SiteID, Subject: w.personID, PolicePerson: rows[0].SuspectPerson, Status: "linked", Score: 0.99})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHistoryChart holds the chart's scale to round steps, with the bars
// drawn to it and the allocation marked where its quarter starts.
func TestHistoryChart(t *testing.T) {
	for _, tc := range []struct {
		counts    []int
		top, step int
	}{{[]int{0, 0}, 1, 1}, {[]int{3, 1}, 3, 1}, {[]int{5}, 5, 1}, {[]int{6, 2}, 10, 5}, {[]int{23}, 30, 10}, {[]int{90}, 100, 25}} {
		var qs []service.HistoryQuarter
		for i, n := range tc.counts {
			qs = append(qs, service.HistoryQuarter{Short: "Q" + strconv.Itoa(i+1), Incidents: n, Hearings: n / 2, Allocated: i == 1})
		}
		c := chart(qs)
		last := c.Ticks[len(c.Ticks)-1]
		if last.Label != tc.top || last.Y != c.Top || len(c.Ticks) < 2 || c.Ticks[1].Label != tc.step {
			t.Errorf("%v: ticks %+v; want up to %d in steps of %d", tc.counts, c.Ticks, tc.top, tc.step)
		}
		for i, b := range c.Bars {
			if b.IncidentY+b.IncidentHeight != c.Bottom || b.IncidentHeight != tc.counts[i]*(c.Bottom-c.Top)/tc.top {
				t.Errorf("%v: bar %d %+v", tc.counts, i, b)
			}
		}
		if len(qs) > 1 && c.Allocation != c.Left+(c.Width-c.Left)/len(qs) {
			t.Errorf("%v: allocation at %d", tc.counts, c.Allocation)
		}
	}
	if c := chart(nil); len(c.Bars) != 0 || len(c.Ticks) != 0 {
		t.Errorf("no quarters: %+v", c)
	}
}
