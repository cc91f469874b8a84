package service_test

import (
	"context"
	"fmt"
	"github.com/drive-platform/drive/appointment"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestRetentionVictimCasesAndPoliceRecords runs the default schedule on a
// fake today, 1 June 2032, over victim-survivors' cases closed either side
// of six years (one of them held, one with a young child) and police
// incidents and MARAC hearings either side of six years at two sites (one
// site held whole): exactly the expired records lose what identifies or
// locates anyone, the held and recent ones keep everything, the audit
// events give class and counts only, and a re-resolution of the site's
// people leaves the anonymised records with the people they had.
func TestRetentionVictimCasesAndPoliceRecords(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			idva := w.actor(t, "idva")
			cli := service.CommandLine()

			// A victim-survivor's case opened and closed on day, with her
			// compartment, safety plan, a note and a contact, and a child
			// born on childBorn if given.
			closedVictim := func(day, given, childBorn string) int64 {
				t.Helper()
				at := drive.MustDate(day).Time().Add(9 * time.Hour)
				svc := &service.Service{DB: w.db.WithClock(storetest.FixedClock(at)), Keys: w.svc.Keys}
				id, err := svc.OpenVictimCase(ctx, idva, service.VictimInput{
					Case: victim.Case{SiteID: w.siteA.ID, GivenName: given, FamilyName: "Synthetic", DateOfBirth: drive.MustDate("1990-04-05")},
					Link: victim.Link{PerpetratorCase: w.caseID, Relationship: victim.ExPartner}})
				if err != nil {
					t.Fatal(err)
				}
				if err := svc.SetCompartment(ctx, idva, id, victim.Compartment{
					Addresses: []victim.Address{{Line1: "3 Example Row", Town: "Northmoor", Postcode: "NM1 1AA", Current: true}}}); err != nil {
					t.Fatal(err)
				}
				if err := svc.SetSafetyPlan(ctx, idva, id, "Go to her sister's"); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.AttachVictimDocument(ctx, idva, id, "Letter from the refuge", "letter.pdf", []byte("%PDF-1.7 Refuge letter")); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.PlanVictimAppointment(ctx, idva, id, appointment.Appointment{
					StartsAt: at.Add(48 * time.Hour), Minutes: 30, Place: appointment.Phone, With: "her sister"}, nil); err != nil {
					t.Fatal(err)
				}
				if err := svc.AddVictimEntry(ctx, idva, id, "note", &service.VictimEntry{}, "Moved to a new flat"); err != nil {
					t.Fatal(err)
				}
				if err := svc.AddVictimEntry(ctx, idva, id, "contact", &service.VictimEntry{Kind: "call", On: drive.MustDate(day)}, "Spoke safely"); err != nil {
					t.Fatal(err)
				}
				err = svc.DB.Transact(ctx, func(tx *store.Tx) error {
					if childBorn != "" {
						if err := tx.CreateChild(ctx, &victim.Child{VictimCaseID: id, GivenName: "Kid" + given,
							DateOfBirth: drive.MustDate(childBorn), Relationship: "victim", SocialCare: "none"}); err != nil {
							return err
						}
					}
					v, err := tx.VictimCase(ctx, id)
					if err != nil {
						return err
					}
					v.Open, v.ClosedOn = false, drive.MustDate(day)
					return tx.UpdateVictimCase(ctx, v)
				})
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			expired := closedVictim("2026-01-05", "Olderone", "")
			held := closedVictim("2026-01-06", "Heldone", "")
			recent := closedVictim("2026-11-23", "Recentone", "")
			withChild := closedVictim("2026-01-07", "Mother", "2019-03-01")

			// Police records at both sites: one expired and one recent
			// incident and hearing at each.
			for _, site := range []string{w.siteA.Code, w.siteB.Code} {
				var recs []incident.Record
				var hs []incident.Hearing
				for i, on := range []string{"2026-02-01", "2027-02-01"} {
					suspect := incident.Person{GivenName: "Gareth", FamilyName: "Suspectson", DOB: drive.MustDate("1980-01-0" + fmt.Sprint(i+1)), Postcode: "NM2 2BB"}
					vic := incident.Person{GivenName: "Vera", FamilyName: "Victimson", DOB: drive.MustDate("1985-01-01")}
					recs = append(recs, incident.Record{Ref: site + "-I" + fmt.Sprint(i), On: drive.MustDate(on), Type: "Assault", Crime: true, Suspect: suspect, Victim: vic})
					hs = append(hs, incident.Hearing{Ref: site + "-M" + fmt.Sprint(i), HeardOn: drive.MustDate(on), Perpetrator: suspect, Victim: vic})
				}
				if _, _, err := w.svc.ImportIncidents(ctx, cli, site, recs, nil); err != nil {
					t.Fatal(err)
				}
				if _, _, err := w.svc.ImportMARAC(ctx, cli, site, hs, nil); err != nil {
					t.Fatal(err)
				}
			}

			if err := w.svc.PlaceHold(ctx, cli, &retention.Hold{Class: retention.VictimCase, RecordID: held, Reason: "Complaint under review", Owner: "Data protection officer"}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.PlaceHold(ctx, cli, &retention.Hold{Class: retention.Site, RecordID: w.siteB.ID, Reason: "Inquiry into the site", Owner: "National team"}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.PlaceHold(ctx, cli, &retention.Hold{Class: retention.PoliceExtract, RecordID: 1, Reason: "x", Owner: "y"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a hold on one police record: %v, want EINVALID (hold the site)", err)
			}

			later := &service.Service{DB: w.db.WithClock(storetest.FixedClock(time.Date(2032, 6, 1, 12, 0, 0, 0, time.UTC))), Keys: w.svc.Keys}
			run, err := later.RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			byClass := map[retention.Class]service.RetentionClass{}
			for _, c := range run.Classes {
				byClass[c.Rule.Class] = c
			}
			ids := func(cs []retention.Candidate) []string {
				var out []string
				for _, c := range cs {
					out = append(out, fmt.Sprintf("%s%d", c.Kind, c.RecordID))
				}
				return out
			}
			if got, want := ids(byClass[retention.VictimCase].Due), []string{fmt.Sprint(expired)}; !slices.Equal(got, want) {
				t.Errorf("victim cases anonymised: %v, want %v", got, want)
			}
			if got, want := ids(byClass[retention.VictimCase].Held), []string{fmt.Sprint(held)}; !slices.Equal(got, want) {
				t.Errorf("victim cases held: %v, want %v", got, want)
			}
			if d, h := byClass[retention.PoliceExtract].Due, byClass[retention.PoliceExtract].Held; len(d) != 2 || len(h) != 2 {
				t.Errorf("police records: %v anonymised, %v held; want one incident and one hearing of each", ids(d), ids(h))
			}

			// Her case: what locates or names her is gone only where expired.
			type victimState struct {
				name              string
				compartment, plan bool
				notes, contacts   int
				documents         int
				childName, with   string
			}
			look := func(id int64) victimState {
				var s victimState
				err := w.db.View(ctx, func(tx *store.Tx) error {
					v, err := tx.VictimCase(ctx, id)
					if err != nil {
						return err
					}
					s.name = v.GivenName + " " + v.FamilyName + " " + v.DateOfBirth.String()
					c, err := tx.Compartment(ctx, id)
					if err != nil && drive.ErrorCode(err) != drive.ENOTFOUND {
						return err
					}
					s.compartment = len(c.Data) > 0
					p, err := tx.SafetyPlan(ctx, id)
					if err != nil && drive.ErrorCode(err) != drive.ENOTFOUND {
						return err
					}
					s.plan = len(p.Data) > 0
					notes, err := tx.VictimNotes(ctx, id)
					if err != nil {
						return err
					}
					contacts, err := tx.IDVAContacts(ctx, id)
					if err != nil {
						return err
					}
					s.notes, s.contacts = len(notes), len(contacts)
					docs, err := tx.VictimDocuments(ctx, id)
					if err != nil {
						return err
					}
					s.documents = len(docs)
					aps, err := tx.VictimAppointments(ctx, id)
					if err != nil {
						return err
					}
					for _, ap := range aps {
						s.with += ap.With
					}
					ch, err := tx.Children(ctx, id)
					for _, c := range ch {
						s.childName = c.GivenName
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			if s := look(expired); s.name != "Removed Removed " || s.compartment || s.plan || s.notes != 0 || s.contacts != 0 || s.documents != 0 || s.with != "" {
				t.Errorf("the expired victim-survivor's case after the run: %+v", s)
			}
			for _, id := range []int64{held, recent, withChild, w.victimID} {
				s := look(id)
				if strings.Contains(s.name, "Removed") || !s.compartment {
					t.Errorf("victim case %d, not expired or held, was anonymised: %+v", id, s)
				}
				if id != w.victimID && (!s.plan || s.notes != 1 || s.contacts != 1 || s.documents != 1 || s.with != "her sister") {
					t.Errorf("victim case %d lost its plan, notes or contacts: %+v", id, s)
				}
			}
			if s := look(withChild); s.childName != "KidMother" {
				t.Errorf("a child under 25 lost her name: %+v", s)
			}

			// Police records: names gone from the expired ones at site A only.
			type policeRow struct {
				site          int64
				ref, names    string
				anonymised    bool
				suspectPerson int64
			}
			police := func() map[string]policeRow {
				out := map[string]policeRow{}
				err := w.db.View(ctx, func(tx *store.Tx) error {
					for _, site := range []int64{w.siteA.ID, w.siteB.ID} {
						incs, err := tx.SitePoliceIncidents(ctx, site, drive.Date{})
						if err != nil {
							return err
						}
						for _, r := range incs {
							out[r.Ref] = policeRow{site: site, ref: r.Ref, names: r.Suspect.GivenName + r.Suspect.FamilyName + r.Suspect.Postcode + r.Suspect.DOB.String() + r.Victim.GivenName + r.Victim.FamilyName + r.Victim.DOB.String(),
								anonymised: r.Anonymised, suspectPerson: r.SuspectPerson}
						}
						hs, err := tx.SiteMARAC(ctx, site, drive.Date{})
						if err != nil {
							return err
						}
						for _, h := range hs {
							out[h.Ref] = policeRow{site: site, ref: h.Ref, names: h.Perpetrator.GivenName + h.Perpetrator.FamilyName + h.Perpetrator.Postcode + h.Perpetrator.DOB.String() + h.Victim.GivenName + h.Victim.FamilyName + h.Victim.DOB.String(),
								anonymised: h.Anonymised, suspectPerson: h.PerpetratorPerson}
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			rows := police()
			for ref, r := range rows {
				gone := r.site == w.siteA.ID && strings.HasSuffix(ref, "0")
				switch {
				case gone && (!r.anonymised || strings.Contains(r.names, "son") || strings.Contains(r.names, "19")):
					t.Errorf("%s expired but keeps %q (anonymised %v)", ref, r.names, r.anonymised)
				case !gone && (r.anonymised || !strings.Contains(r.names, "Suspectson")):
					t.Errorf("%s is recent or held but was anonymised: %q", ref, r.names)
				}
				if r.suspectPerson == 0 {
					t.Errorf("%s lost its suspect", ref)
				}
			}
			if len(rows) != 8 {
				t.Errorf("%d police records, want 8", len(rows))
			}

			// A new import resolves the site's people again: the anonymised
			// records keep the people they had.
			if _, _, err := w.svc.ImportIncidents(ctx, cli, w.siteA.Code, []incident.Record{{Ref: "NMR-I9", On: drive.MustDate("2026-11-01"), Type: "Assault",
				Suspect: incident.Person{GivenName: "Gareth", FamilyName: "Suspectson", DOB: drive.MustDate("1980-01-02"), Postcode: "NM2 2BB"}}}, nil); err != nil {
				t.Fatal(err)
			}
			for ref, r := range police() {
				if r.anonymised && r.suspectPerson != rows[ref].suspectPerson {
					t.Errorf("%s, anonymised, moved from person %d to %d on a new resolution", ref, rows[ref].suspectPerson, r.suspectPerson)
				}
			}

			var reasons []string
			for _, ev := range w.events(t, 0) {
				if ev.Action == "retention.run" {
					reasons = append(reasons, ev.RecordType+": "+ev.Reason+" "+ev.RecordID)
				}
			}
			want := "perpetrator_case: 0 anonymised, 0 held ; notification: 0 deleted, 0 held ; victim_case: 1 anonymised, 1 held ; police_extract: 2 anonymised, 2 held "
			if got := strings.Join(reasons, "; "); got != want {
				t.Errorf("audit events of the run:\n%s\nwant\n%s", got, want)
			}

			// A second run finds nothing more.
			again, err := later.RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range again.Classes {
				if len(c.Due) != 0 {
					t.Errorf("a second run anonymised %s again: %v", c.Rule.Class, ids(c.Due))
				}
			}
		})
	}
}
