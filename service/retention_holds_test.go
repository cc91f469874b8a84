package service_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestLegalHoldsByTheOfficer has data protection officers hold records:
// one held nationally holds a victim-survivor's case and site A, audited
// with the class and record and never the reason; one held at site B is
// told a site A case does not exist, exactly as for a case that does not,
// sees none of site A's holds and cannot lift them; a case manager may do
// nothing with holds.
func TestLegalHoldsByTheOfficer(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				org := &account.Organisation{Name: "National team", Kind: account.NationalTeam}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				for name, site := range map[string]int64{"dpo": 0, "dpoB": w.siteB.ID} {
					u := &account.User{Username: "user." + strings.ToLower(name), DisplayName: "User " + name, OrganisationID: org.ID,
						PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: access.DPO, SiteID: site}}}
					if err := tx.CreateUser(ctx, u); err != nil {
						return err
					}
					w.users[name] = u
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			dpo, dpoB, cm := w.actor(t, "dpo"), w.actor(t, "dpoB"), w.actor(t, "cm")
			start := w.head(t)

			held := &retention.Hold{Class: retention.VictimCase, RecordID: w.victimID, Reason: "Complaint ref. C-77", Owner: "Data protection officer"}
			if err := w.svc.PlaceHold(ctx, dpo, held); err != nil {
				t.Fatal(err)
			}
			site := &retention.Hold{Class: retention.Site, RecordID: w.siteA.ID, Reason: "Inquiry ref. I-5", Owner: "National team"}
			if err := w.svc.PlaceHold(ctx, dpo, site); err != nil {
				t.Fatal(err)
			}
			errOther := w.svc.PlaceHold(ctx, dpoB, &retention.Hold{Class: retention.PerpetratorCase, RecordID: w.caseID, Reason: "Claim", Owner: "DPO"})
			errNone := w.svc.PlaceHold(ctx, dpoB, &retention.Hold{Class: retention.PerpetratorCase, RecordID: 987654, Reason: "Claim", Owner: "DPO"})
			if drive.ErrorCode(errOther) != drive.EINVALID || drive.ErrorCode(errNone) != drive.EINVALID ||
				strings.ReplaceAll(drive.ErrorMessage(errOther)+describeFields(errOther), strconv.FormatInt(w.caseID, 10), "N") !=
					strings.ReplaceAll(drive.ErrorMessage(errNone)+describeFields(errNone), "987654", "N") {
				t.Errorf("a site B officer holding a site A case: %v %v; want the answer for a case that does not exist", errOther, errNone)
			}
			if err := w.svc.PlaceHold(ctx, cm, &retention.Hold{Class: retention.PerpetratorCase, RecordID: w.caseID, Reason: "x", Owner: "y"}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager placing a hold: %v, want ENOTFOUND", err)
			}
			if _, err := w.svc.Holds(ctx, cm, false); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager listing holds: %v, want ENOTFOUND", err)
			}
			all, err := w.svc.Holds(ctx, dpo, true)
			if err != nil || len(all) != 2 || all[0].SiteID != w.siteA.ID || all[1].SiteID != w.siteA.ID {
				t.Errorf("the national officer's holds: %+v %v", all, err)
			}
			if mine, err := w.svc.Holds(ctx, dpoB, false); err != nil || len(mine) != 0 {
				t.Errorf("the site B officer sees %+v %v, want none of site A's", mine, err)
			}
			if err := w.svc.ReleaseHold(ctx, dpoB, held.ID, "Settled"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("the site B officer lifting a site A hold: %v, want ENOTFOUND", err)
			}
			if err := w.svc.ReleaseHold(ctx, dpo, held.ID, ""); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("lifting without a reason: %v, want EINVALID", err)
			}
			if err := w.svc.ReleaseHold(ctx, dpo, held.ID, "Complaint closed"); err != nil {
				t.Fatal(err)
			}
			if left, _ := w.svc.Holds(ctx, dpo, true); len(left) != 1 || left[0].ID != site.ID {
				t.Errorf("holds in force after the release: %+v", left)
			}

			var got []string
			for _, ev := range w.events(t, start) {
				if strings.HasPrefix(ev.Action, "retention.") {
					got = append(got, ev.Action+" "+ev.RecordType+" "+ev.RecordID+" by "+string(ev.ActorRole))
					if strings.Contains(ev.Reason, "ref.") || strings.Contains(ev.Reason, "Complaint") {
						t.Errorf("an audit event holds the hold's reason: %+v", ev)
					}
					if ev.ActorID != w.users["dpo"].ID {
						t.Errorf("an audit event of a hold names actor %d", ev.ActorID)
					}
				}
			}
			want := []string{
				"retention.hold victim_case " + strconv.FormatInt(w.victimID, 10) + " by dpo",
				"retention.hold site " + strconv.FormatInt(w.siteA.ID, 10) + " by dpo",
				"retention.release legal_hold " + strconv.FormatInt(held.ID, 10) + " by dpo",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("audit events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// describeFields joins an EINVALID error's field messages in order.
func describeFields(err error) string {
	var de *drive.Error
	if !errors.As(err, &de) {
		return ""
	}
	var out []string
	for k, v := range de.Fields {
		out = append(out, k+": "+v)
	}
	return strings.Join(out, "; ")
}

// TestRecordsOfProcessingShowTheScheduleInForce: with a schedule file
// keeping closed cases seven years, the data protection officer's records
// of processing say seven years, not the default six.
func TestRecordsOfProcessingShowTheScheduleInForce(t *testing.T) {
	e := storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}
	w := newWorld(t, e)
	ctx := context.Background()
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		u := &account.User{Username: "user.dpo", DisplayName: "User dpo", OrganisationID: w.users["cm"].OrganisationID,
			PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: access.DPO, SiteID: w.siteA.ID}}}
		w.users["dpo"] = u
		return tx.CreateUser(ctx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
	seven, err := retention.ParseSchedule([]byte(`{"rules": [{"class": "perpetrator_case", "years": 7, "action": "anonymise"}, {"class": "victim_case", "years": 8, "action": "anonymise"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	before, err := w.svc.RecordsOfProcessing(ctx, w.actor(t, "dpo"))
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Schedule = &seven
	after, err := w.svc.RecordsOfProcessing(ctx, w.actor(t, "dpo"))
	if err != nil {
		t.Fatal(err)
	}
	if md := before.Markdown(); !strings.Contains(md, "anonymised 6 years after the case closes") || strings.Contains(md, "7 years") {
		t.Error("without a schedule file the record does not show the default schedule")
	}
	md := after.Markdown()
	if !strings.Contains(md, "anonymised 7 years after the case closes") || !strings.Contains(md, "anonymised 8 years after her case closes") ||
		strings.Contains(md, "6 years after the case closes") {
		t.Errorf("the record does not show the schedule in force:\n%s", md)
	}
}
