package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

// sarPack records a request of kind about id by "dpo" and returns its
// pack as reviewed, marshalled, and the request.
func sarPack(t *testing.T, w *world, kind subjectaccess.Kind, id int64) (*service.SubjectAccessReview, string) {
	t.Helper()
	ctx := context.Background()
	dpo := w.actor(t, "dpo")
	req := &subjectaccess.Request{Kind: kind, SubjectID: id, Requester: "The subject, by e-mail", IdentityCheck: "Identity document seen", ReceivedOn: drive.DateOf(now)}
	if err := w.svc.RecordSubjectAccessRequest(ctx, dpo, req); err != nil {
		t.Fatal(err)
	}
	rv, err := w.svc.ReviewSubjectAccess(ctx, dpo, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(rv.Pack)
	if err != nil {
		t.Fatal(err)
	}
	return rv, string(body)
}

// TestSubjectAccessStaffPack is a staff member's pack, and its leak test:
// the case manager's account, sign-ins and what the audit log records of
// him, with no record number but his own and no reason typed, so that
// nothing of the victim-survivor he works around reaches it, even where
// her address was typed as a reason.
func TestSubjectAccessStaffPack(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			addDPOs(t, w)
			w.svc.TextLimit = 1 << 20
			cm := w.actor(t, "cm")
			cmID := w.users["cm"].ID
			if err := w.svc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: "He was seen on " + herStreet + "; she is at " + herPostcode + "."}); err != nil {
				t.Fatal(err)
			}
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				for _, ev := range []audit.Event{
					{Action: audit.ActionSigninSuccess, ActorID: cmID, ActorRole: "case_manager", RecordType: "user", RecordID: itoa(cmID), Remote: "198.51.100.7", Outcome: audit.OutcomeOK},
					{Action: audit.ActionRecordRead, ActorID: cmID, ActorRole: "case_manager", RecordType: "victim", RecordID: itoa(w.victimID), Remote: "198.51.100.7",
						Outcome: audit.OutcomeDenied, Reason: "checking " + herStreet + " " + herPhone + " for Sam"},
				} {
					if err := tx.Audit(ctx, ev); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			rv, body := sarPack(t, w, subjectaccess.Staff, cmID)
			if rv.Pack.Kind != subjectaccess.Staff {
				t.Errorf("pack kind %q", rv.Pack.Kind)
			}
			for _, want := range []string{"User cm", "user.cm", "Drive provider", "Case manager (Northmoor)", "You signed in", "198.51.100.7",
				"You changed perpetrator case", "You read IDVA case, and was refused"} {
				if !strings.Contains(body, want) {
					t.Errorf("his pack lacks %q:\n%s", want, body)
				}
			}
			for _, never := range []string{herStreet, "Canaryline", herPostcode, herPhone, "900917", "Sam", "Example", "IDVA case " + itoa(w.victimID),
				"perpetrator case " + itoa(w.caseID), "checking"} {
				if strings.Contains(body, never) {
					t.Errorf("his pack holds %q:\n%s", never, body)
				}
			}
			var signins, did int
			for _, sec := range rv.Pack.Sections {
				switch sec.Title {
				case "Your sign-ins":
					signins = len(sec.Items)
				case "What you did, as the audit log records it":
					did = len(sec.Items)
				}
			}
			var all int
			err = w.db.View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEventsBy(ctx, cmID)
				all = len(es)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if signins != 1 || did != all-1 || did < 2 {
				t.Errorf("%d sign-ins and %d other events in his pack; the log holds %d of his", signins, did, all)
			}
			// A site's officer handles a member of staff of that site
			// only; the national officer's request about the site's
			// officer is refused to site B's officer.
			dpoB := w.actor(t, "dpoB")
			err = w.svc.RecordSubjectAccessRequest(ctx, dpoB, &subjectaccess.Request{Kind: subjectaccess.Staff, SubjectID: cmID, Requester: "x", IdentityCheck: "y", ReceivedOn: drive.DateOf(now)})
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("site B's officer recording a request about site A's case manager: %v, want EINVALID", err)
			}
			if reqs, err := w.svc.SubjectAccessRequests(ctx, dpoB); err != nil || len(reqs) != 0 {
				t.Errorf("site B's officer lists %v, %v", reqs, err)
			}
		})
	}
}

// TestSubjectAccessChildPack is a child's pack, and its leak test: the
// child's record and the notes and contacts that name the child, with
// every text that names or places the victim-survivor, the perpetrator or
// another child withheld whole, since a parent who asks may be the
// perpetrator.
func TestSubjectAccessChildPack(t *testing.T) {
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
			rowan := &victim.Child{PerpetratorCase: w.caseID, GivenName: "Rowan", DateOfBirth: drive.MustDate("2019-04-02"), Relationship: "both", SocialCare: "child_in_need"}
			must(w.svc.AddChild(ctx, idva, w.victimID, rowan))
			must(w.svc.AddChild(ctx, idva, w.victimID, &victim.Child{GivenName: "Alex", DateOfBirth: drive.MustDate("2021-06-01"), Relationship: "victim", SocialCare: "none"}))
			must(w.svc.SetCompartment(ctx, idva, w.victimID, victim.Compartment{
				Addresses: []victim.Address{{Line1: herStreet, Town: "Northmoor", Postcode: herPostcode, Current: true}},
				Phones:    []string{herPhone}, Schools: []string{"Quarrybrook Primary"}}))
			for _, text := range []string{
				"Rowan started nursery and is settled.",
				"Rowan stayed with Sam's sister for the weekend.",
				"Rowan and Alex were at the contact centre.",
				"Rowan is doing well at Quarrybrook Primary.",
				"Sam is well.",
			} {
				must(w.svc.AddVictimEntry(ctx, idva, w.victimID, "note", &service.VictimEntry{On: drive.DateOf(now)}, text))
			}
			for _, text := range []string{
				"He asked about Rowan's birthday; told him contact goes through the court.",
				"He wants Rowan brought to " + herStreet + ".",
				"Session held: discussed his week.",
			} {
				must(w.svc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: text}))
			}

			rv, body := sarPack(t, w, subjectaccess.Child, rowan.ID)
			for _, want := range []string{"Rowan", "2019-04-02", "child in need", "started nursery"} {
				if !strings.Contains(body, want) {
					t.Errorf("the child's pack lacks %q:\n%s", want, body)
				}
			}
			for _, never := range []string{"Sam", "Example", herStreet, "Canaryline", herPostcode, herPhone, "Quarrybrook", "Darren", "Hollis", "Alex",
				"sister", "contact centre", "discussed his week", "court"} {
				if strings.Contains(body, never) {
					t.Errorf("the child's pack holds %q:\n%s", never, body)
				}
			}
			count := map[string]int{}
			for _, sec := range rv.Pack.Sections {
				for _, it := range sec.Items {
					switch {
					case it.Withheld == subjectaccess.WithheldThirdParty:
						count["third"]++
					case it.Withheld == subjectaccess.WithheldExemption:
						count["exempt"]++
					case it.Kind == "victim_note":
						count["shown"]++
					}
				}
			}
			// Of the four IDVA notes naming Rowan, one is shown and three
			// withheld; of the two case manager's notes naming Rowan, one
			// is exempt and one reveals her street.
			if count["shown"] != 1 || count["third"] != 4 || count["exempt"] != 1 {
				t.Errorf("items shown, withheld and exempt: %v", count)
			}
		})
	}
}
