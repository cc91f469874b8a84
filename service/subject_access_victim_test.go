package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

// The other victim-survivor of the fixture's perpetrator: a third party
// in Sam's pack.
const (
	otherStreet = "7 Wrenfield Terrace"
	otherPhone  = "07700 900444"
)

// TestSubjectAccessVictimPack is the victim-survivor's pack: her own
// case, compartment, safety plan, assessments, IDVA notes and contacts
// and who read them; the perpetrator side's notes about her withheld
// under the crime-prevention exemption until the officer releases one
// with a recorded reason; and nothing of another victim-survivor of the
// same perpetrator, whoever wrote it.
func TestSubjectAccessVictimPack(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			addDPOs(t, w)
			w.svc.TextLimit = 1 << 20
			idva, cm := w.actor(t, "idva"), w.actor(t, "cm")
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			// Jo, another victim-survivor of his, with her own address.
			jo, err := w.svc.OpenVictimCase(ctx, idva, service.VictimInput{
				Case: victim.Case{SiteID: w.siteA.ID, GivenName: "Jo", FamilyName: "Quillby"},
				Link: victim.Link{PerpetratorCase: w.caseID, Relationship: victim.ExPartner}})
			must(err)
			must(w.svc.SetCompartment(ctx, idva, jo, victim.Compartment{
				Addresses: []victim.Address{{Line1: otherStreet, Town: "Northmoor", Postcode: "CN4 4WX", Current: true}}, Phones: []string{otherPhone}}))

			must(w.svc.SetSafetyPlan(ctx, idva, w.victimID, "Keep the phone charged; the neighbour holds a spare key."))
			must(w.svc.AddVictimEntry(ctx, idva, w.victimID, "note", &service.VictimEntry{On: drive.DateOf(now)}, "Sam feels safer since the locks were changed."))
			must(w.svc.AddVictimEntry(ctx, idva, w.victimID, "note", &service.VictimEntry{On: drive.DateOf(now)}, "Jo Quillby called the office about Sam."))
			must(w.svc.AddVictimEntry(ctx, idva, w.victimID, "contact", &service.VictimEntry{Kind: "call", On: drive.DateOf(now)}, "Spoke safely about court dates."))
			answers := map[string]risk.Answer{}
			for i, q := range risk.DASH2009().Questions {
				answers[q.ID] = risk.No
				if i < 15 {
					answers[q.ID] = risk.Yes
				}
			}
			must(w.svc.AddDASH(ctx, idva, w.victimID, &risk.Assessment{Answers: answers, Comments: map[string]string{"q1": "Injuries to her arm last month"}, AssessedOn: drive.DateOf(now)}))
			must(w.svc.AddBehaviour(ctx, idva, w.victimID, &risk.BehaviourAssessment{CaseID: w.caseID, TimePoint: "T1", Physical: risk.Used, Sexual: risk.NotUsed,
				Stalking: risk.Used, Controlling: risk.Used, AssessedOn: drive.DateOf(now)}))
			// His case manager's notes: one about him alone, one naming
			// her (risk management), one placing her, one naming both.
			for _, text := range []string{
				"Session held: discussed his week and the course.",
				"Plan agreed with police: he is not to contact Sam; disruption if he does.",
				"He was seen on " + herStreet + " again; police informed.",
				"He spoke of Sam and Jo together; both IDVAs told.",
			} {
				must(w.svc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: text}))
			}
			// Her appointments and documents, one naming Jo; and his case's,
			// which are never hers to see.
			soon := now.Add(72 * time.Hour)
			_, err = w.svc.PlanVictimAppointment(ctx, idva, w.victimID, appointment.Appointment{StartsAt: soon, Minutes: 60, Place: appointment.Office, With: "her solicitor"}, nil)
			must(err)
			_, err = w.svc.PlanVictimAppointment(ctx, idva, w.victimID, appointment.Appointment{StartsAt: soon.Add(time.Hour), Minutes: 30, Place: appointment.Phone, With: "Jo Quillby too"}, nil)
			must(err)
			_, err = w.svc.AttachVictimDocument(ctx, idva, w.victimID, "Her statement to the court", "statement.pdf", []byte("%PDF-1.7 hers"))
			must(err)
			_, err = w.svc.PlanCaseAppointment(ctx, cm, w.caseID, appointment.Appointment{StartsAt: soon, Minutes: 60, Place: appointment.Office, With: "his Zephyrgate course"}, nil)
			must(err)
			_, err = w.svc.AttachCaseDocument(ctx, cm, w.caseID, "His Zephyrgate certificate", "certificate.pdf", []byte("%PDF-1.7 his"))
			must(err)
			if _, err := w.svc.Victim(ctx, idva, w.victimID); err != nil { // a read for the access section
				t.Fatal(err)
			}

			dpo, dpo2 := w.actor(t, "dpo"), w.actor(t, "dpo2")
			req := &subjectaccess.Request{Kind: subjectaccess.Victim, SubjectID: w.victimID, Requester: "Herself, in person", IdentityCheck: "Known to her IDVA; passport seen",
				ReceivedOn: drive.DateOf(now)}
			if err := w.svc.RecordSubjectAccessRequest(ctx, cm, req); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a case manager recording a request: %v, want ENOTFOUND", err)
			}
			must(w.svc.RecordSubjectAccessRequest(ctx, dpo, req))
			if _, err := w.svc.ReviewSubjectAccess(ctx, w.actor(t, "dpoB"), req.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("site B's officer reviewing her request: %v, want ENOTFOUND", err)
			}
			rv, err := w.svc.ReviewSubjectAccess(ctx, dpo, req.ID)
			must(err)
			body, _ := json.Marshal(rv.Pack)
			for _, want := range []string{"Sam Example", herStreet, herPostcode, herPhone, "neighbour holds a spare key", "safer since the locks",
				"court dates", "Injuries to her arm", "Score 15 of", "Ex-partner", "compartment.read", "her solicitor", "Her statement to the court", "Attached by: IDVA"} {
				if !strings.Contains(string(body), want) {
					t.Errorf("her pack lacks %q, which is hers", want)
				}
			}
			for _, never := range []string{"Jo", "Quillby", otherStreet, "CN4 4WX", otherPhone, "900444", "Hollis", "discussed his week", "not to contact", "police informed", "Zephyrgate"} {
				if strings.Contains(string(body), never) {
					t.Errorf("her pack holds %q before review:\n%s", never, body)
				}
			}
			kinds := map[string]int{}
			for _, sec := range rv.Pack.Sections {
				for _, it := range sec.Items {
					kinds[it.Kind]++
				}
			}
			if kinds["appointment"] != 2 || kinds["document"] != 1 {
				t.Errorf("her pack lists %d appointments and %d documents, want her 2 and 1", kinds["appointment"], kinds["document"])
			}
			var risky subjectaccess.Section
			for _, sec := range rv.Pack.Sections {
				if strings.HasPrefix(sec.Title, "Notes about you by those managing") {
					risky = sec
				}
			}
			if len(risky.Items) != 3 {
				t.Fatalf("%d risk-management notes, want the 3 that name or place her: %+v", len(risky.Items), risky.Items)
			}
			var exempt, third []string
			for _, it := range risky.Items {
				switch {
				case it.Withheld == subjectaccess.WithheldExemption && it.Releasable():
					exempt = append(exempt, it.Key)
				case it.Withheld == subjectaccess.WithheldThirdParty && !it.Releasable():
					third = append(third, it.Key)
				default:
					t.Errorf("risk-management note %s shown or withheld for %q", it.Key, it.Withheld)
				}
			}
			if len(exempt) != 2 || len(third) != 1 {
				t.Fatalf("exempt %v, third party %v; want 2 and 1", exempt, third)
			}

			// Review: releasing needs a reason; the note that names Jo is
			// never released; the officer releases one exempt note.
			release := func(a service.Actor, item, reason string) error {
				return w.svc.RedactSubjectAccess(ctx, a, &subjectaccess.Redaction{RequestID: req.ID, Item: item, Release: true, Reason: reason})
			}
			if err := release(dpo, exempt[0], ""); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a release without a reason: %v, want EINVALID", err)
			}
			if err := release(dpo, third[0], "She knows of it"); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("releasing a note that reveals another person: %v, want EINVALID", err)
			}
			if err := release(dpo, "victim:"+itoa(w.victimID), "Not exempt"); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("releasing an item that is not withheld: %v, want EINVALID", err)
			}
			reason := "The plan is known to her and its disclosure would not prejudice it"
			must(release(dpo, exempt[0], reason))
			if err := w.svc.ApproveSubjectAccess(ctx, dpo, req.ID); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("approval by who released an item: %v, want EINVALID", err)
			}
			must(w.svc.ApproveSubjectAccess(ctx, dpo2, req.ID))
			files, err := w.svc.ReleaseSubjectAccess(ctx, dpo2, req.ID)
			must(err)
			var released subjectaccess.Pack
			must(json.Unmarshal(files.JSON, &released))
			if released.Kind != subjectaccess.Victim || !released.Approved {
				t.Errorf("released pack kind %q approved %v", released.Kind, released.Approved)
			}
			js := string(files.JSON)
			if len(released.Released) != 1 || !strings.Contains(released.Released[0], reason) {
				t.Errorf("the pack's notes do not record the release and its reason: %v", released.Released)
			}
			shown := 0
			for _, text := range []string{"not to contact Sam", "police informed"} {
				if strings.Contains(js, text) {
					shown++
				}
			}
			if shown != 1 {
				t.Errorf("%d of the two exempt notes shown after one release, want 1", shown)
			}
			for _, never := range []string{"Jo", "Quillby", otherStreet, otherPhone, "discussed his week"} {
				if strings.Contains(js, never) {
					t.Errorf("the released pack holds %q", never)
				}
			}
			if !strings.HasPrefix(string(files.PDF), "%PDF-") {
				t.Error("the released PDF is not a PDF")
			}
		})
	}
}
