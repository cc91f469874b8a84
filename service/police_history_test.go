package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestPoliceHistory holds a case's police history to its door on both
// engines: those the policy gives police intelligence on the case read it,
// anyone else is told "not found" and the refusal is audited; the history
// is drawn from his confirmed links and the case's scored police person
// only, letters stand in for victims, and the periods before and since
// allocation are equal.
func TestPoliceHistory(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			sys := service.System("test")
			dob := drive.MustDate("1985-05-05")
			his := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: dob, Postcode: herPostcode}
			sam := incident.Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1990-02-02"), Age: 36}
			jo := incident.Person{GivenName: "Joanne", FamilyName: "Otherwoman", DOB: drive.MustDate("1992-03-03"), Age: 34}
			other := incident.Person{GivenName: "Kevin", FamilyName: "Unrelated", DOB: drive.MustDate("1970-07-07")}
			recs := []incident.Record{
				{Ref: "PH-1", On: drive.MustDate("2026-01-10"), Type: "abh", Crime: true, Suspect: his, Victim: sam},
				{Ref: "PH-2", On: drive.MustDate("2026-02-15"), Type: "common_assault", Crime: true, Suspect: his, Victim: sam},
				{Ref: "PH-3", On: drive.MustDate("2026-03-20"), Type: "non_crime", Suspect: his, Victim: jo},
				{Ref: "PH-4", On: drive.MustDate("2026-09-01"), Type: "harassment", Crime: true, Suspect: his, Victim: sam},
				{Ref: "OT-1", On: drive.MustDate("2026-04-01"), Type: "rape", Crime: true, Suspect: other, Victim: jo},
			}
			if _, _, err := w.svc.ImportIncidents(ctx, sys, "NMR", recs, nil); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.svc.ImportMARAC(ctx, sys, "NMR", []incident.Hearing{
				{Ref: "M-1", HeardOn: drive.MustDate("2026-03-01"), Victim: sam, Perpetrator: his}}, nil); err != nil {
				t.Fatal(err)
			}
			suspects := map[string]int64{}
			var otherCase int64
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				rows, err := tx.SitePoliceIncidents(ctx, w.siteA.ID, drive.Date{})
				if err != nil {
					return err
				}
				for _, r := range rows {
					suspects[r.Ref[:2]] = r.SuspectPerson
				}
				// His case was allocated on 1 June: 176 days to today.
				c, err := tx.Case(ctx, w.caseID)
				if err != nil {
					return err
				}
				at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
				c.AllocatedAt = &at
				if err := tx.UpdateCase(ctx, c); err != nil {
					return err
				}
				// He is linked to his police record; the other man is only
				// a suggestion, which must not count.
				if err := tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: w.siteA.ID, Subject: w.personID, PolicePerson: suspects["PH"], Status: "linked", Score: 0.99}); err != nil {
					return err
				}
				if err := tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: w.siteA.ID, Subject: w.personID, PolicePerson: suspects["OT"], Status: "suggested", Score: 0.6}); err != nil {
					return err
				}
				if err := tx.SetCaseScore(ctx, store.CaseScore{CaseID: w.caseID, Kind: "entry", PolicePerson: suspects["PH"], ScoredOn: drive.MustDate("2026-05-01"),
					StrategyCode: "drive-rfgv", StrategyVersion: "1", Total: 40, Components: "{}", Incidents: 3}); err != nil {
					return err
				}
				// The other man's case came from the list: its score is
				// its only tie to his police record.
				p := &people.Person{SiteID: w.siteA.ID, GivenName: "Kevin", FamilyName: "Unrelated"}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				oc := &casework.Case{SiteID: w.siteA.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromPoliceList, ReferredAt: drive.DateOf(tx.Now),
					Summary: "From the list", Evidence: programme.Evidence{DASHScore: -1}}
				if err := tx.CreateCase(ctx, oc); err != nil {
					return err
				}
				otherCase = oc.ID
				if err := tx.SetCaseScore(ctx, store.CaseScore{CaseID: oc.ID, Kind: "entry", PolicePerson: suspects["OT"], ScoredOn: drive.DateOf(tx.Now),
					StrategyCode: "drive-rfgv", StrategyVersion: "1", Total: 20, Components: "{}", Incidents: 1}); err != nil {
					return err
				}
				// A case manager at the site to whom the case is not allocated.
				u := &account.User{Username: "user.cm2", DisplayName: "User cm2", OrganisationID: w.users["cm"].OrganisationID,
					PasswordHash: "x", Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: w.siteA.ID}}}
				w.users["cm2"] = u
				return tx.CreateUser(ctx, u)
			})
			if err != nil {
				t.Fatal(err)
			}

			// Who may read it: the policy's police_intel cells.
			for name, want := range map[string]bool{"cm": true, "lead": true, "idva": true, "idvalead": true, "cm2": false, "otherCM": false} {
				before := w.head(t)
				h, err := w.svc.PoliceHistory(ctx, w.actor(t, name), w.caseID)
				if !want {
					wantCode(t, err, drive.ENOTFOUND)
					if h != nil {
						t.Errorf("%s: refused but given a history", name)
					}
					if got := summary(w.events(t, before)); got != "access.denied  case denied" {
						t.Errorf("%s refused: audit\n%s", name, got)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				es := w.events(t, before)
				if len(es) != 1 || es[0].Action != "record.read" || es[0].RecordType != "case" || es[0].Reason != "police history" || es[0].SiteID != w.siteA.ID {
					t.Errorf("%s: audit %+v", name, es)
				}
			}
			if _, err := w.svc.PoliceHistory(ctx, w.actor(t, "cm"), 999999); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a missing case: %v", err)
			}

			h, err := w.svc.PoliceHistory(ctx, w.actor(t, "cm"), w.caseID)
			if err != nil {
				t.Fatal(err)
			}
			if h.PersonName != "Darren Hollis" || h.PoliceRecords != 1 {
				t.Errorf("name %q, %d police records", h.PersonName, h.PoliceRecords)
			}
			var refs, victims []string
			for _, in := range h.Incidents {
				refs = append(refs, in.Ref)
				victims = append(victims, in.Victim)
			}
			if strings.Join(refs, " ") != "PH-1 PH-2 PH-3 PH-4" {
				t.Errorf("incidents %v; want his four, oldest first, and not the other man's", refs)
			}
			if strings.Join(victims, " ") != "A A B A" {
				t.Errorf("victims %v; want A A B A", victims)
			}
			if h.Incidents[0].TypeLabel != "Assault occasioning actual bodily harm" || h.Incidents[0].Gravity != 5 || h.Incidents[3].SinceAllocation != true || h.Incidents[2].SinceAllocation {
				t.Errorf("incidents %+v", h.Incidents)
			}
			if len(h.Hearings) != 1 || h.Hearings[0].Victim != "A" {
				t.Errorf("hearings %+v", h.Hearings)
			}
			if len(h.Scores) != 1 || h.Scores[0].Total != 40 || h.ScoreChange != nil {
				t.Errorf("scores %+v", h.Scores)
			}
			// Quarters from January (his first incident) to today's, October.
			var qs []string
			for _, q := range h.Quarters {
				qs = append(qs, q.Short+":"+strings.Repeat("i", q.Incidents)+strings.Repeat("m", q.Hearings))
			}
			if got := strings.Join(qs, " "); got != "Q1 2026:iiim Q2 2026: Q3 2026:i Q4 2026:" {
				t.Errorf("quarters %s", got)
			}
			if !h.Quarters[1].Allocated || h.Quarters[0].Allocated {
				t.Errorf("the allocation is not marked in its quarter: %+v", h.Quarters)
			}
			e := h.Escalation
			if e == nil || e.Days != 176 || e.After.From != drive.MustDate("2026-06-01") || e.After.To != drive.MustDate("2026-11-23") ||
				e.Before.From != drive.MustDate("2025-12-07") || e.Before.To != drive.MustDate("2026-05-31") {
				t.Fatalf("escalation periods %+v", e)
			}
			if e.Before.Incidents != 3 || e.Before.Crimes != 2 || e.Before.Gravity != 9 || e.Before.MostSerious != 5 || e.Before.Hearings != 1 ||
				e.After.Incidents != 1 || e.After.Crimes != 1 || e.After.Gravity != 3 || e.After.MostSerious != 3 || e.After.Hearings != 0 {
				t.Errorf("escalation %+v", e)
			}
			// Nothing names a victim or places her.
			out, _ := json.Marshal(h)
			for _, s := range []string{"Sam", "Example", "Joanne", "Otherwoman", herPostcode, "1990", "Kevin"} {
				if strings.Contains(string(out), s) {
					t.Errorf("the history holds %q: %s", s, out)
				}
			}

			// A team leader of a site the case is being transferred to
			// decides on the transfer view alone: no police history yet.
			err = w.db.Transact(ctx, func(tx *store.Tx) error {
				u := &account.User{Username: "user.leadb", DisplayName: "User leadB", OrganisationID: w.users["cm"].OrganisationID,
					PasswordHash: "x", Roles: []account.RoleAssignment{{Role: access.TeamLeader, SiteID: w.siteB.ID}}}
				w.users["leadB"] = u
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				c, err := tx.Case(ctx, w.caseID)
				if err != nil {
					return err
				}
				c.State, c.TransferToSiteID = casework.Transferred, w.siteB.ID
				return tx.UpdateCase(ctx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
			if v, err := w.svc.CasePage(ctx, w.actor(t, "leadB"), w.caseID); err != nil || v.Transfer == nil || v.PoliceHistory {
				t.Fatalf("the receiving team leader's case view: %v, %+v", err, v)
			}
			if _, err := w.svc.PoliceHistory(ctx, w.actor(t, "leadB"), w.caseID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("the receiving team leader reads the police history: %v", err)
			}

			// The list case reaches its police record through its score;
			// unallocated, it has no escalation.
			oh, err := w.svc.PoliceHistory(ctx, w.actor(t, "lead"), otherCase)
			if err != nil {
				t.Fatal(err)
			}
			if len(oh.Incidents) != 1 || oh.Incidents[0].Ref != "OT-1" || oh.Escalation != nil || oh.PoliceRecords != 1 {
				t.Errorf("list case history %+v", oh)
			}
		})
	}
}
