package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestPerpetratorWritesNameTheirPart holds, on both engines, that each
// write on the perpetrator's side is audited with the part of the case it
// changed, in the words the audit log shows, and never with what was
// written: each write carries a unique text, and no field of any event it
// records holds it.
func TestPerpetratorWritesNameTheirPart(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cm, lead := w.actor(t, "cm"), w.actor(t, "lead")
			today := drive.DateOf(now)
			actionType := programme.Drive().Actions[0].Code
			closure := programme.Drive().Closure[0].Code

			// Each row writes once; the case it writes on is its own, so
			// rows do not depend on each other's order.
			for _, tc := range []struct {
				name   string
				record string // record type written; "case" when ""
				part   []string
				// write makes the change with text planted where a user
				// types, and returns the id of the record it changed.
				write func(t *testing.T, id int64, text string) (int64, error)
			}{
				{"a logged session", "", []string{audit.PartSession}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.AddContact(ctx, cm, id, &casework.Contact{Kind: casework.OneToOne, On: today, Method: "in person", Summary: text})
				}},
				{"a contact attempt", "", []string{audit.PartContactAttempt}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.AddContact(ctx, cm, id, &casework.Contact{Kind: casework.ContactAttempt, On: today, Summary: text})
				}},
				{"a contact with another agency", "", []string{audit.PartAgencyContact}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.AddContact(ctx, cm, id, &casework.Contact{Kind: casework.PartnerContact, On: today, Summary: text})
				}},
				{"a logged contact", "", []string{audit.PartContact}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.AddContact(ctx, cm, id, &casework.Contact{Kind: casework.ContactMade, On: today, Summary: text})
				}},
				{"a note", "", []string{audit.PartNote}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.AddNote(ctx, cm, id, &casework.Note{Text: text})
				}},
				{"a correction to a note", "", []string{audit.PartNoteCorrection}, func(t *testing.T, id int64, text string) (int64, error) {
					n := &casework.Note{Text: "First thoughts"}
					if err := w.svc.AddNote(ctx, cm, id, n); err != nil {
						t.Fatal(err)
					}
					return id, w.svc.AddNote(ctx, cm, id, &casework.Note{Text: text, Amends: n.ID})
				}},
				{"an action added to the plan", "", []string{audit.PartPlan}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.AddAction(ctx, cm, id, &casework.Action{Type: actionType, Owner: text, DueOn: today.AddDays(7)})
				}},
				{"an action changed", "", []string{audit.PartAction}, func(t *testing.T, id int64, text string) (int64, error) {
					act := &casework.Action{Type: actionType, Owner: "PC Ellis", DueOn: today.AddDays(7)}
					if err := w.svc.AddAction(ctx, cm, id, act); err != nil {
						t.Fatal(err)
					}
					return id, w.svc.UpdateAction(ctx, cm, id, act.ID, func(a *casework.Action) { a.Owner = text })
				}},
				{"a review", "", []string{audit.PartReview}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.AddReview(ctx, cm, id, &casework.Review{On: today, RiskLevel: "high", RiskChange: "unchanged", Summary: text,
						NextDue: today.AddDays(28)})
				}},
				{"the engagement", "", []string{audit.PartEngagement}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.SetEngagement(ctx, cm, id, casework.Refused)
				}},
				{"the allocation", "", []string{audit.PartAllocation}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.Move(ctx, lead, id, casework.Change{Event: casework.Reallocate, CaseManagerID: w.users["cm"].ID, Reasons: text})
				}},
				{"the closure", "", []string{audit.PartClosure}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.Move(ctx, cm, id, casework.Change{Event: casework.BeginClosure, ClosureReason: closure, Reasons: text})
				}},
				{"the transfer", "", []string{audit.PartTransfer}, func(t *testing.T, id int64, text string) (int64, error) {
					return id, w.svc.Move(ctx, lead, id, casework.Change{Event: casework.Transfer, SiteID: w.siteB.ID, Reasons: text})
				}},
				{"an appointment planned", "", []string{audit.PartAppointment}, func(t *testing.T, id int64, text string) (int64, error) {
					_, err := w.svc.PlanCaseAppointment(ctx, cm, id, appointment.Appointment{StartsAt: now.Add(48 * time.Hour), Minutes: 45,
						Place: appointment.Office, With: text}, nil)
					return id, err
				}},
				{"an appointment cancelled", "", []string{audit.PartAppointment}, func(t *testing.T, id int64, text string) (int64, error) {
					ap, err := w.svc.PlanCaseAppointment(ctx, cm, id, appointment.Appointment{StartsAt: now.Add(48 * time.Hour), Minutes: 45,
						Place: appointment.Office, With: text}, nil)
					if err != nil {
						t.Fatal(err)
					}
					return id, w.svc.CancelAppointment(ctx, cm, id, 0, ap)
				}},
				{"a document", "", []string{audit.PartDocument}, func(t *testing.T, id int64, text string) (int64, error) {
					_, err := w.svc.AttachCaseDocument(ctx, cm, id, text, text+".pdf", []byte("%PDF-1.7 "+text))
					return id, err
				}},
				{"a referral", "", []string{audit.PartReferral}, func(t *testing.T, _ int64, text string) (int64, error) {
					in := referral(w, "Reece", "Marlow", "1981-05-17")
					in.Case.Summary = text
					r, err := w.svc.Refer(ctx, lead, in)
					if err != nil {
						return 0, err
					}
					return r.CaseID, nil
				}},
				{"a person's agency references", "person", []string{audit.PartAgencyReferences}, func(t *testing.T, _ int64, text string) (int64, error) {
					_, err := w.svc.UpdatePerson(ctx, lead, w.personID, func(p *people.Person) { p.ProbationRef = text })
					return w.personID, err
				}},
				{"a person's name and addresses", "person", []string{audit.PartName, audit.PartAddresses}, func(t *testing.T, _ int64, text string) (int64, error) {
					_, err := w.svc.UpdatePerson(ctx, lead, w.personID, func(p *people.Person) {
						p.FamilyName = text
						p.Addresses = append(p.Addresses, people.Address{Line1: text, Town: "Northmoor", From: today})
					})
					return w.personID, err
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					id := w.newCase(t)
					text := "CANARY-" + strings.ToUpper(strings.ReplaceAll(tc.name, " ", "-"))
					seq := w.head(t)
					got, err := tc.write(t, id, text)
					if err != nil {
						t.Fatal(err)
					}
					recordType := tc.record
					if recordType == "" {
						recordType = "case"
					}
					es := w.events(t, seq)
					var named *audit.Event
					for i, e := range es {
						if fields := fmt.Sprintf("%+v", e); strings.Contains(fields, text) {
							t.Errorf("an event holds the text written: %s", fields)
						}
						if e.Action == audit.ActionRecordWrite && e.RecordType == recordType && e.RecordID == itoa(got) &&
							slices.Equal(audit.PartsOf(e.Reason), tc.part) {
							named = &es[i]
						}
					}
					if named == nil {
						t.Fatalf("no write of %s %d names %q:\n%s", recordType, got, tc.part, eventLines(es))
					}
					// The audit log's sentence says it in words.
					if got, want := audit.Sentence(*named, "Sam"), " ("+strings.Join(tc.part, ", ")+")"; !strings.HasSuffix(got, want) {
						t.Errorf("sentence %q does not end %q", got, want)
					}
				})
			}

			// A write refused, or invalid, records no part: nothing changed.
			id := w.newCase(t)
			seq := w.head(t)
			err := w.svc.AddContact(ctx, cm, id, &casework.Contact{Kind: casework.OneToOne, On: today.AddDays(1), Summary: "tomorrow"})
			wantCode(t, err, drive.EINVALID)
			for _, e := range w.events(t, seq) {
				if len(audit.PartsOf(e.Reason)) > 0 {
					t.Errorf("an invalid write recorded %+v", e)
				}
			}
		})
	}
}

// eventLines lists events with their reasons, for a failure's message.
func eventLines(es []audit.Event) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s %s %s %q\n", e.Action, e.RecordType, e.RecordID, e.Reason)
	}
	return b.String()
}

// TestVictimSummaryOpensNothingSealed holds, on both engines, that her
// summary reads (and audits reading) her record alone, never her
// protected details, and that the protected details are opened, and
// audited as a read of the compartment, only through Victim.
func TestVictimSummaryOpensNothingSealed(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			idva := w.actor(t, "idva")
			answers := map[string]risk.Answer{}
			for i, q := range risk.DASH2009().Questions {
				answers[q.ID] = risk.No
				if i < 12 {
					answers[q.ID] = risk.Yes
				}
			}
			if err := w.svc.AddDASH(ctx, idva, w.victimID, &risk.Assessment{Answers: answers, AssessedOn: drive.DateOf(now),
				ProfessionalJudgement: "high", JudgementReason: "Threats since " + herStreet}); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"idva", "idvalead"} {
				role := map[string]string{"idva": "idva", "idvalead": "team_leader"}[name]
				seq := w.head(t)
				v, err := w.svc.VictimSummary(ctx, w.actor(t, name), w.victimID)
				if err != nil {
					t.Fatal(err)
				}
				if v.Protected != nil || !v.MayOpenProtected || len(v.DASH) != 1 || v.DASH[0].Assessment.JudgementReason != "" {
					t.Errorf("%s: summary has protected %v, may open %v, DASH %+v; want nothing sealed, and may open", name, v.Protected, v.MayOpenProtected, v.DASH)
				}
				if got, want := summary(w.events(t, seq)), "record.read "+role+" victim allowed"; got != want {
					t.Errorf("%s: audit after reading her summary:\n%s\nwant:\n%s", name, got, want)
				}
				seq = w.head(t)
				if v, err = w.svc.Victim(ctx, w.actor(t, name), w.victimID); err != nil {
					t.Fatal(err)
				}
				if v.Protected == nil || !strings.Contains(v.DASH[0].Assessment.JudgementReason, herStreet) {
					t.Errorf("%s: protected details %+v, DASH %+v; want them open", name, v.Protected, v.DASH)
				}
				if got, want := summary(w.events(t, seq)), "record.read "+role+" victim allowed\ncompartment.read "+role+" victim allowed"; got != want {
					t.Errorf("%s: audit after reading her protected details:\n%s\nwant:\n%s", name, got, want)
				}
			}
			// The perpetrator's side gets "not found" for both.
			for _, read := range []func(context.Context, service.Actor, int64) (*service.VictimView, error){w.svc.VictimSummary, w.svc.Victim} {
				if _, err := read(ctx, w.actor(t, "cm"), w.victimID); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("the case manager reading her record: %v; want not found", err)
				}
			}
		})
	}
}
