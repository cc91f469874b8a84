package storetest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

// RunDataProtection is the conformance suite for legal holds, the
// retention run's storage, and subject access requests.
func RunDataProtection(t *testing.T, e Engine) {
	ctx := context.Background()
	db := e.Open(t, FixedClock(Epoch))
	var caseIDs []int64
	var personID, dpo, dpo2, siteID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		site := account.Site{Code: "DPR", Name: "Site", Region: "R"}
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		siteID = site.ID
		if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
			return err
		}
		org := account.Organisation{Name: "National", Kind: account.NationalTeam}
		if err := tx.CreateOrganisation(ctx, &org); err != nil {
			return err
		}
		for name, id := range map[string]*int64{"dpo.one": &dpo, "dpo.two": &dpo2} {
			u := &account.User{Username: name, DisplayName: "DPO", OrganisationID: org.ID, PasswordHash: "x",
				Roles: []account.RoleAssignment{{Role: access.DPO}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			*id = u.ID
		}
		p := &people.Person{SiteID: site.ID, GivenName: "Synthetic", FamilyName: "Person"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		personID = p.ID
		for i, closed := range []string{"2019-05-01", "2020-05-01", ""} {
			c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.MustDate("2018-01-01"),
				Summary: "Case summary " + string(rune('A'+i)), Evidence: programme.Evidence{DASHScore: 15}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			if closed != "" {
				at := drive.MustDate(closed).Time()
				c.State, c.ClosedAt, c.ClosureReason, c.DecisionReasons = casework.Closed, &at, "completed", "Agreed"
				if err := tx.UpdateCase(ctx, c); err != nil {
					return err
				}
			}
			caseIDs = append(caseIDs, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("RetentionDays", func(t *testing.T) {
		// A day is claimed once; a claim rolled back leaves it free; the
		// next day is a new claim.
		claim := func(day, by string, rollback bool) bool {
			t.Helper()
			var got bool
			err := db.Transact(ctx, func(tx *store.Tx) error {
				var err error
				if got, err = tx.ClaimRetentionDay(ctx, drive.MustDate(day), by); err != nil {
					return err
				}
				if rollback {
					return drive.Errorf(drive.ECONFLICT, "rolled back")
				}
				return nil
			})
			if err != nil && !rollback {
				t.Fatal(err)
			}
			return got
		}
		if !claim("2024-03-01", "a", true) {
			t.Fatal("the first claim of a day was refused")
		}
		if !claim("2024-03-01", "b", false) {
			t.Error("a day whose claim was rolled back cannot be claimed")
		}
		if claim("2024-03-01", "c", false) {
			t.Error("a day was claimed twice")
		}
		if !claim("2024-03-02", "c", false) {
			t.Error("the next day cannot be claimed")
		}
	})

	t.Run("Holds", func(t *testing.T) {
		h := &retention.Hold{Class: retention.PerpetratorCase, RecordID: caseIDs[0], Reason: "Claim", Owner: "DPO"}
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.PlaceHold(ctx, h); err != nil {
				return err
			}
			if err := tx.PlaceHold(ctx, &retention.Hold{Class: retention.PerpetratorCase, RecordID: 999999, Reason: "x", Owner: "y"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a hold on no record: %v, want EINVALID", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			hs, err := tx.Holds(ctx, true)
			if err != nil {
				return err
			}
			if len(hs) != 1 || hs[0].ID != h.ID || !hs[0].PlacedAt.Equal(Epoch) || !hs[0].InForce() || hs[0].Reason != "Claim" {
				t.Errorf("holds in force: %+v", hs)
			}
			if err := tx.ReleaseHold(ctx, h.ID, "Settled"); err != nil {
				return err
			}
			if err := tx.ReleaseHold(ctx, h.ID, "Again"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("releasing a released hold: %v, want ENOTFOUND", err)
			}
			if hs, _ := tx.Holds(ctx, true); len(hs) != 0 {
				t.Errorf("holds in force after release: %+v", hs)
			}
			all, err := tx.Holds(ctx, false)
			if len(all) != 1 || all[0].InForce() || all[0].ReleaseReason != "Settled" {
				t.Errorf("all holds: %+v", all)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("IncidentHolds", func(t *testing.T) {
		// A hold on one incident, named by its site and reference: its
		// number found, the site and reference read back with it.
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.InsertIncidents(ctx, siteID, []incident.Record{{Ref: "DPR-7", On: drive.MustDate("2019-01-01"), Type: "Assault",
				Suspect: incident.Person{GivenName: "Synthetic", FamilyName: "Suspect"}}}, []int64{0}, []int64{0}, nil); err != nil {
				return err
			}
			id, err := tx.IncidentByRef(ctx, siteID, "DPR-7")
			if err != nil {
				return err
			}
			if _, err := tx.IncidentByRef(ctx, siteID, "DPR-8"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("an incident no one imported: %v, want ENOTFOUND", err)
			}
			h := &retention.Hold{Class: retention.Incident, SiteID: siteID, Ref: "DPR-7", Reason: "Claim", Owner: "DPO"}
			if err := tx.PlaceHold(ctx, h); err != nil {
				return err
			}
			if h.RecordID != id {
				t.Errorf("the hold names record %d, want incident %d", h.RecordID, id)
			}
			if err := tx.PlaceHold(ctx, &retention.Hold{Class: retention.Incident, SiteID: siteID, Ref: "DPR-8", Reason: "x", Owner: "y"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a hold on an incident no one imported: %v, want EINVALID", err)
			}
			if err := tx.PlaceHold(ctx, &retention.Hold{Class: retention.Incident, RecordID: id + 1000, Reason: "x", Owner: "y"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a hold on incident number %d: %v, want EINVALID", id+1000, err)
			}
			hs, err := tx.Holds(ctx, true)
			if err != nil {
				return err
			}
			if len(hs) != 1 || hs[0].Class != retention.Incident || hs[0].RecordID != id || hs[0].Ref != "DPR-7" || hs[0].SiteID != siteID {
				t.Errorf("holds in force: %+v", hs)
			}
			if site, err := tx.HoldRecordSite(ctx, retention.Incident, id); err != nil || site != siteID {
				t.Errorf("the held incident's site: %d %v", site, err)
			}
			return tx.ReleaseHold(ctx, h.ID, "Settled")
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Candidates", func(t *testing.T) {
		err := db.Transact(ctx, func(tx *store.Tx) error {
			// The cutoff is inclusive of its day: a case closed on it is a candidate.
			got, err := tx.RetentionCandidates(ctx, retention.PerpetratorCase, drive.MustDate("2020-05-01"))
			if err != nil {
				return err
			}
			if len(got) != 2 || got[0].RecordID != caseIDs[0] || got[1].RecordID != caseIDs[1] || got[0].End != drive.MustDate("2019-05-01") {
				t.Errorf("candidates to 2020-05-01: %+v", got)
			}
			got, err = tx.RetentionCandidates(ctx, retention.PerpetratorCase, drive.MustDate("2020-04-30"))
			if err != nil {
				return err
			}
			if len(got) != 1 {
				t.Errorf("candidates to 2020-04-30: %+v", got)
			}
			// Free text on the plan: an action's outcome, a contact's and
			// a review's summary.
			on := drive.MustDate("2019-04-01")
			if err := tx.CreateAction(ctx, &casework.Action{CaseID: caseIDs[0], Prong: "disrupt", Type: "other", Owner: "Police",
				DueOn: on, Status: casework.ActionDone, Outcome: "Outcome text"}); err != nil {
				return err
			}
			if err := tx.CreateContact(ctx, &casework.Contact{CaseID: caseIDs[0], Kind: casework.ContactMade, On: on, Summary: "Contact text"}); err != nil {
				return err
			}
			if err := tx.CreateReview(ctx, &casework.Review{CaseID: caseIDs[0], On: on, RiskLevel: "high", RiskChange: "unchanged",
				Summary: "Review text", NextDue: on.AddMonths(3)}); err != nil {
				return err
			}
			if err := tx.AnonymiseCase(ctx, caseIDs[0]); err != nil {
				return err
			}
			acts, err := tx.Actions(ctx, caseIDs[0])
			if err != nil {
				return err
			}
			contacts, err := tx.Contacts(ctx, caseIDs[0])
			if err != nil {
				return err
			}
			reviews, err := tx.Reviews(ctx, caseIDs[0])
			if err != nil {
				return err
			}
			if len(acts) != 1 || len(contacts) != 1 || len(reviews) != 1 ||
				strings.Contains(acts[0].Outcome+contacts[0].Summary+reviews[0].Summary, "text") ||
				acts[0].Status != casework.ActionDone || reviews[0].RiskLevel != "high" {
				t.Errorf("anonymised plan: actions %+v, contacts %+v, reviews %+v", acts, contacts, reviews)
			}
			if err := tx.AnonymiseCase(ctx, caseIDs[0]); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("anonymising twice: %v, want ENOTFOUND", err)
			}
			if err := tx.AnonymiseCase(ctx, caseIDs[2]); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("anonymising an open case: %v, want ENOTFOUND", err)
			}
			// Text written to an anonymised case (as by a version that did
			// not yet remove it) is found, removed once, and then not found.
			left, err := tx.AnonymisedWithText(ctx, retention.PerpetratorCase)
			if err != nil {
				return err
			}
			if len(left) != 0 {
				t.Errorf("an anonymised case holds text to remove: %+v", left)
			}
			if err := tx.CreateAction(ctx, &casework.Action{CaseID: caseIDs[0], Prong: "support", Type: "other", Owner: "Housing",
				DueOn: on, Status: casework.ActionDone, Outcome: "Left behind"}); err != nil {
				return err
			}
			left, err = tx.AnonymisedWithText(ctx, retention.PerpetratorCase)
			if err != nil {
				return err
			}
			if len(left) != 1 || left[0].RecordID != caseIDs[0] || left[0].SiteID != siteID || left[0].End != drive.DateOf(Epoch) {
				t.Errorf("anonymised cases with text left: %+v", left)
			}
			if err := tx.RemoveAnonymisedText(ctx, retention.PerpetratorCase, caseIDs[0]); err != nil {
				return err
			}
			if left, err = tx.AnonymisedWithText(ctx, retention.PerpetratorCase); err != nil || len(left) != 0 {
				t.Errorf("after removing it: %+v %v", left, err)
			}
			if err := tx.RemoveAnonymisedText(ctx, retention.PerpetratorCase, caseIDs[1]); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("removing text from a case not anonymised: %v, want ENOTFOUND", err)
			}
			if _, err := tx.AnonymisedWithText(ctx, retention.Notification); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("anonymised notifications: %v, want EINVALID", err)
			}
			acts, err = tx.Actions(ctx, caseIDs[0])
			if err != nil {
				return err
			}
			for _, a := range acts {
				if strings.Contains(a.Outcome, "Left") {
					t.Errorf("an action's outcome is left: %q", a.Outcome)
				}
			}
			got, err = tx.RetentionCandidates(ctx, retention.PerpetratorCase, drive.MustDate("2030-01-01"))
			if err != nil {
				return err
			}
			if len(got) != 1 || got[0].RecordID != caseIDs[1] {
				t.Errorf("candidates after one was anonymised: %+v", got)
			}
			c, err := tx.Case(ctx, caseIDs[0])
			if err != nil {
				return err
			}
			if c.Summary == "Case summary A" || c.DecisionReasons == "Agreed" || c.ClosureReason != "completed" {
				t.Errorf("anonymised case: summary %q, reasons %q, closure %q", c.Summary, c.DecisionReasons, c.ClosureReason)
			}
			// The person keeps his name: he has cases not yet reached.
			p, err := tx.Person(ctx, personID)
			if err == nil && p.GivenName != "Synthetic" {
				t.Errorf("person anonymised while other cases are live: %q", p.GivenName)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("SubjectAccess", func(t *testing.T) {
		r := &subjectaccess.Request{Kind: subjectaccess.Person, SubjectID: personID, Requester: "The person", IdentityCheck: "Passport", ReceivedOn: drive.MustDate("2025-01-31")}
		if err := r.Validate(drive.DateOf(Epoch)); err != nil {
			t.Fatal(err)
		}
		r.RecordedBy = dpo
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSubjectAccessRequest(ctx, r); err != nil {
				return err
			}
			x := &subjectaccess.Redaction{RequestID: r.ID, Item: "note:1", Reason: "Exemption", RedactedBy: dpo}
			if err := tx.AddRedaction(ctx, x); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			return tx.AddRedaction(ctx, &subjectaccess.Redaction{RequestID: r.ID, Item: "note:1", Reason: "Again", RedactedBy: dpo})
		})
		if drive.ErrorCode(err) != drive.ECONFLICT {
			t.Errorf("the same item withheld twice: %v, want ECONFLICT", err)
		}
		// The database refuses approval by whoever recorded the request.
		err = db.Transact(ctx, func(tx *store.Tx) error { return tx.ApproveSubjectAccessRequest(ctx, r.ID, dpo) })
		if err == nil {
			t.Error("the recorder approved the request")
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.ApproveSubjectAccessRequest(ctx, r.ID, dpo2); err != nil {
				return err
			}
			if err := tx.ApproveSubjectAccessRequest(ctx, r.ID, dpo2); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("approving twice: %v, want ENOTFOUND", err)
			}
			got, err := tx.SubjectAccessRequest(ctx, r.ID)
			if err != nil {
				return err
			}
			if got.State != subjectaccess.Approved || got.ApprovedBy != dpo2 || got.ApprovedAt == nil || got.DueOn != drive.MustDate("2025-02-28") ||
				got.ReceivedOn != r.ReceivedOn || got.Requester != "The person" {
				t.Errorf("read back %+v", got)
			}
			xs, err := tx.Redactions(ctx, r.ID)
			if len(xs) != 1 || xs[0].Reason != "Exemption" || !xs[0].CreatedAt.Equal(Epoch) {
				t.Errorf("redactions %+v", xs)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("SubjectAccessKinds", func(t *testing.T) {
		// A request about a member of staff, read back with its kind and
		// subject, and a release decision read back as a release.
		r := &subjectaccess.Request{Kind: subjectaccess.Staff, SubjectID: dpo2, Requester: "The staff member", IdentityCheck: "Staff card", ReceivedOn: drive.MustDate("2025-03-03")}
		if err := r.Validate(drive.DateOf(Epoch)); err != nil {
			t.Fatal(err)
		}
		r.RecordedBy = dpo
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSubjectAccessRequest(ctx, r); err != nil {
				return err
			}
			if err := tx.AddRedaction(ctx, &subjectaccess.Redaction{RequestID: r.ID, Item: "risk_note:3", Release: true, Reason: "Known to her", RedactedBy: dpo}); err != nil {
				return err
			}
			if err := tx.AddRedaction(ctx, &subjectaccess.Redaction{RequestID: r.ID, Item: "access:9", Reason: "Third party", RedactedBy: dpo}); err != nil {
				return err
			}
			got, err := tx.SubjectAccessRequest(ctx, r.ID)
			if err != nil {
				return err
			}
			if got.Kind != subjectaccess.Staff || got.SubjectID != dpo2 || got.State != subjectaccess.Open {
				t.Errorf("read back %+v", got)
			}
			xs, err := tx.Redactions(ctx, r.ID)
			if err != nil {
				return err
			}
			if len(xs) != 2 || !xs[0].Release || xs[0].Item != "risk_note:3" || xs[1].Release {
				t.Errorf("decisions read back %+v", xs)
			}
			all, err := tx.SubjectAccessRequests(ctx)
			if err != nil {
				return err
			}
			kinds := map[subjectaccess.Kind]bool{}
			for _, x := range all {
				kinds[x.Kind] = true
			}
			if !kinds[subjectaccess.Staff] || !kinds[subjectaccess.Person] {
				t.Errorf("the list holds kinds %v, want person and staff", kinds)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// What a staff member's pack reads: every event the user is the
		// actor of, oldest first, and no one else's; and one child.
		err = db.Transact(ctx, func(tx *store.Tx) error {
			for i, actor := range []int64{dpo2, dpo, dpo2} {
				if err := tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: actor, ActorRole: "dpo", RecordType: "user", RecordID: strconv.Itoa(i), Outcome: audit.OutcomeOK}); err != nil {
					return err
				}
			}
			es, err := tx.AuditEventsBy(ctx, dpo2)
			if err != nil {
				return err
			}
			if len(es) != 2 || es[0].RecordID != "0" || es[1].RecordID != "2" || es[0].Seq >= es[1].Seq {
				t.Errorf("events by the user: %+v", es)
			}
			v := &victim.Case{SiteID: siteID, GivenName: "Synthetic", FamilyName: "Survivor"}
			if err := tx.CreateVictimCase(ctx, v); err != nil {
				return err
			}
			ch := &victim.Child{VictimCaseID: v.ID, GivenName: "Kit", DateOfBirth: drive.MustDate("2020-02-02"), Relationship: "victim", SocialCare: "none"}
			if err := tx.CreateChild(ctx, ch); err != nil {
				return err
			}
			got, err := tx.Child(ctx, ch.ID)
			if err != nil {
				return err
			}
			if got.GivenName != "Kit" || got.VictimCaseID != v.ID || got.DateOfBirth != ch.DateOfBirth {
				t.Errorf("child read back %+v", got)
			}
			if _, err := tx.Child(ctx, ch.ID+1000); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a child who does not exist: %v, want ENOTFOUND", err)
			}
			// Finding each kind by name: every word must start a word of
			// the name, in any case; each kind searches its own records.
			for _, c := range []struct {
				kind  subjectaccess.Kind
				words []string
				want  int64
			}{
				{subjectaccess.Person, []string{"synth", "per"}, personID},
				{subjectaccess.Victim, []string{"survivor"}, v.ID},
				{subjectaccess.Child, []string{"kit"}, ch.ID},
				{subjectaccess.Staff, []string{"dpo.two"}, dpo2},
				{subjectaccess.Person, []string{"survivor"}, 0},
				{subjectaccess.Victim, []string{"urvivor"}, 0},
				{subjectaccess.Staff, []string{"dpo%"}, 0},
			} {
				found, err := tx.SubjectsNamed(ctx, c.kind, c.words, 10)
				if err != nil {
					return err
				}
				switch {
				case c.want == 0 && len(found) != 0:
					t.Errorf("%s %v found %+v, want none", c.kind, c.words, found)
				case c.want != 0 && (len(found) != 1 || found[0].ID != c.want || found[0].Kind != c.kind):
					t.Errorf("%s %v found %+v, want %d", c.kind, c.words, found, c.want)
				}
			}
			if found, err := tx.SubjectsNamed(ctx, subjectaccess.Child, []string{"kit"}, 10); err == nil && len(found) == 1 &&
				(found[0].SiteID != siteID || found[0].DateOfBirth != ch.DateOfBirth || found[0].Name != "Kit") {
				t.Errorf("the child found: %+v", found[0])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A subject that does not exist, and a kind the store does not
		// know, are refused and nothing is stored.
		for _, bad := range []subjectaccess.Request{
			{Kind: subjectaccess.Victim, SubjectID: 987654},
			{Kind: "neighbour", SubjectID: personID},
		} {
			bad.Requester, bad.IdentityCheck, bad.ReceivedOn, bad.DueOn, bad.State, bad.RecordedBy = "x", "y", drive.MustDate("2025-03-03"), drive.MustDate("2025-04-03"), subjectaccess.Open, dpo
			err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSubjectAccessRequest(ctx, &bad) })
			if err == nil {
				t.Errorf("a request about %s %d was stored", bad.Kind, bad.SubjectID)
			}
		}
	})
}
