package service_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestCasework holds the casework use cases to the one-door contract on
// both engines: the policy first, the work and its audit events in one
// transaction, a refusal that looks like a missing record and is itself
// audited, and a failure that leaves no trace.
func TestCasework(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			t.Run("referral", func(t *testing.T) { testReferral(t, w) })
			t.Run("referral failing part-way", func(t *testing.T) { testReferralRollback(t, w) })
			t.Run("another site", func(t *testing.T) { testOtherSite(t, w) })
			t.Run("plan written and read back", func(t *testing.T) { testPlanRoundTrip(t, w) })
			t.Run("invalid input", func(t *testing.T) { testInvalidPlan(t, w) })
		})
	}
}

// referral is a valid referral to site A of a new person; different
// names and dates of birth are different people.
func referral(w *world, given, family, born string) service.ReferralInput {
	return service.ReferralInput{SiteID: w.siteA.ID, Programme: "drive",
		Person: &people.Person{GivenName: given, FamilyName: family, DateOfBirth: drive.MustDate(born)},
		Case: casework.Case{Source: casework.FromMARAC, ReferredAt: drive.DateOf(now).AddDays(-2), Summary: "Repeat MARAC",
			Evidence: programme.Evidence{DASHScore: 16, Victims: 1}}}
}

// testReferral: a team leader's referral stores the person, the case and
// its first history entry, and audits both records as theirs.
func testReferral(t *testing.T, w *world) {
	ctx := context.Background()
	lead := w.actor(t, "lead")
	seq := w.head(t)
	res, err := w.svc.Refer(ctx, lead, referral(w, "Aaron", "Ashworth", "1984-02-11"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CaseID == 0 || res.PersonID == 0 || len(res.Duplicates) != 0 {
		t.Fatalf("referral = %+v; want a new case and person", res)
	}
	err = w.db.View(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, res.CaseID)
		if err != nil {
			return err
		}
		if c.State != casework.Referred || c.SiteID != w.siteA.ID || c.PersonID != res.PersonID || c.ReferredBy != lead.UserID || c.Programme != "drive" {
			t.Errorf("stored case = %+v", c)
		}
		p, err := tx.Person(ctx, res.PersonID)
		if err != nil {
			return err
		}
		if p.GivenName != "Aaron" || p.SiteID != w.siteA.ID {
			t.Errorf("stored person = %+v", p)
		}
		h, err := tx.History(ctx, res.CaseID)
		if err != nil {
			return err
		}
		if len(h) != 1 || h[0].Event != "referred" || h[0].ToState != casework.Referred || h[0].UserID != lead.UserID {
			t.Errorf("history = %+v; want one referred entry by the team leader", h)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	es := w.events(t, seq)
	if got, want := summary(es), "record.write team_leader person allowed\nrecord.write team_leader case allowed"; got != want {
		t.Fatalf("audit after referral:\n%s\nwant:\n%s", got, want)
	}
	for i, id := range []int64{res.PersonID, res.CaseID} {
		if e := es[i]; e.ActorID != lead.UserID || e.RecordID != strconv.FormatInt(id, 10) || e.SiteID != w.siteA.ID || e.Remote != lead.Remote {
			t.Errorf("audit event %d = %+v; want actor %d, record %d at site %d from %s", i, e, lead.UserID, id, w.siteA.ID, lead.Remote)
		}
	}

	// The same man again: the duplicate is shown and nothing is stored.
	before := w.state(t)
	aaron := res.PersonID
	res, err = w.svc.Refer(ctx, lead, referral(w, "Aaron", "Ashworth", "1984-02-11"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CaseID != 0 || len(res.Duplicates) != 1 || res.Duplicates[0].Person.ID != aaron {
		t.Fatalf("second referral = %+v; want person %d as the one duplicate and no case", res, aaron)
	}
	if after := w.state(t); after != before {
		t.Fatalf("a referral answered with duplicates wrote:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// testReferralRollback: a referral that fails after the person and the
// case are written (its entry score names no police record) leaves
// neither, nor their audit events; bad input and a site where the actor
// takes no referrals change nothing either.
func testReferralRollback(t *testing.T, w *world) {
	ctx := context.Background()
	lead := w.actor(t, "lead")
	before := w.state(t)

	in := referral(w, "Barry", "Brennan", "1979-07-30")
	in.Entry = &store.CaseScore{Kind: "entry", PolicePerson: 987654, ScoredOn: drive.DateOf(now), StrategyCode: "test",
		StrategyVersion: "1", Total: 10, Components: "{}", Incidents: 1}
	if _, err := w.svc.Refer(ctx, lead, in); err == nil {
		t.Fatal("referral with an entry score for no police record succeeded")
	}
	if after := w.state(t); after != before {
		t.Fatalf("a referral failing part-way wrote:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	in = referral(w, "Barry", "Brennan", "1979-07-30")
	in.Case.ReferredAt = drive.DateOf(now).AddDays(3)
	_, err := w.svc.Refer(ctx, lead, in)
	wantCode(t, err, drive.EINVALID)
	if after := w.state(t); after != before {
		t.Fatalf("an invalid referral wrote:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Referring is a team leader's: a case manager has no site to refer
	// to, and another site's case manager may not refer to this one.
	for _, name := range []string{"cm", "otherCM"} {
		_, err := w.svc.Refer(ctx, w.actor(t, name), referral(w, "Barry", "Brennan", "1979-07-30"))
		wantCode(t, err, drive.EINVALID)
		if e := err.(*drive.Error); e.Fields["site"] == "" {
			t.Errorf("%s referring: fields %v; want the site named", name, e.Fields)
		}
	}
	if after := w.state(t); after != before {
		t.Fatalf("refused referrals wrote:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// withoutAudit drops the audit line from a state, for refusals, which
// write their own audit event and nothing else.
func withoutAudit(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}

// testOtherSite: another site's case manager cannot read or write the
// case; each attempt answers exactly as for a case that does not exist,
// writes nothing, and is recorded as a refusal.
func testOtherSite(t *testing.T, w *world) {
	ctx := context.Background()
	other := w.actor(t, "otherCM")
	id := w.caseID
	before := w.state(t)
	seq := w.head(t)

	_, hidden := w.svc.Case(ctx, other, id)
	wantCode(t, hidden, drive.ENOTFOUND)
	_, missing := w.svc.Case(ctx, other, 987654)
	if drive.ErrorCode(missing) != drive.ENOTFOUND || drive.ErrorMessage(missing) != drive.ErrorMessage(hidden) {
		t.Errorf("hidden case: %v; missing case: %v; want the same answer", hidden, missing)
	}
	writes := map[string]error{
		"note":    w.svc.AddNote(ctx, other, id, &casework.Note{Text: "Called him"}),
		"contact": w.svc.AddContact(ctx, other, id, &casework.Contact{Kind: casework.ContactMade, On: drive.DateOf(now), Summary: "Called him"}),
		"action":  w.svc.AddAction(ctx, other, id, &casework.Action{Type: programme.Drive().Actions[0].Code, Owner: "PC Ellis", DueOn: drive.DateOf(now).AddDays(7)}),
		"move":    w.svc.Move(ctx, other, id, casework.Change{Event: casework.BeginClosure, ClosureReason: programme.Drive().Closure[0].Code, Reasons: "Done"}),
	}
	for what, err := range writes {
		if drive.ErrorCode(err) != drive.ENOTFOUND || drive.ErrorMessage(err) != drive.ErrorMessage(hidden) {
			t.Errorf("%s on another site's case: %v; want the same not found as a read", what, err)
		}
	}
	if after := w.state(t); withoutAudit(after) != withoutAudit(before) {
		t.Fatalf("refused writes changed records:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	es := w.events(t, seq)
	if len(es) != 2+len(writes) {
		t.Fatalf("audit after %d refusals:\n%s\nwant one access.denied each", 2+len(writes), summary(es))
	}
	for i, e := range es {
		want := strconv.FormatInt(id, 10)
		if i == 1 {
			want = "987654"
		}
		if e.Action != audit.ActionAccessDenied || e.Outcome != audit.OutcomeDenied || e.ActorID != other.UserID ||
			e.RecordType != "case" || e.RecordID != want {
			t.Errorf("audit event %d = %+v; want access.denied by %d on case %s", i, e, other.UserID, want)
		}
	}
	// Nor does the case appear in their lists.
	rows, total, err := w.svc.ListCases(ctx, other, service.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Case.SiteID != w.siteB.ID {
			t.Errorf("another site's case manager lists case %d at site %d (total %d)", r.Case.ID, r.Case.SiteID, total)
		}
	}
}

// testPlanRoundTrip: notes, contacts and actions written by the case
// manager are stored with their audit events and shown to them on the case.
func testPlanRoundTrip(t *testing.T, w *world) {
	ctx := context.Background()
	cm := w.actor(t, "cm")
	id := w.newCase(t)
	seq := w.head(t)
	note := &casework.Note{Text: "  First session went ahead.  "}
	if err := w.svc.AddNote(ctx, cm, id, note); err != nil {
		t.Fatal(err)
	}
	contact := &casework.Contact{Kind: casework.ContactMade, On: drive.DateOf(now), Method: "phone", Summary: "Agreed the next session"}
	if err := w.svc.AddContact(ctx, cm, id, contact); err != nil {
		t.Fatal(err)
	}
	action := &casework.Action{Type: programme.Drive().Actions[0].Code, Owner: "PC Ellis", DueOn: drive.DateOf(now).AddDays(14)}
	if err := w.svc.AddAction(ctx, cm, id, action); err != nil {
		t.Fatal(err)
	}
	if note.ID == 0 || contact.ID == 0 || action.ID == 0 {
		t.Fatalf("ids not set: note %d contact %d action %d", note.ID, contact.ID, action.ID)
	}
	// Each write: the screen's event (the case has no linked
	// victim-survivor, so nothing is held), then the case manager's write.
	want := "barrier.screen system note ok\nrecord.write case_manager case allowed\n" +
		"barrier.screen system contact ok\nrecord.write case_manager case allowed\n" +
		"barrier.screen system action ok\nrecord.write case_manager case allowed"
	if got := summary(w.events(t, seq)); got != want {
		t.Fatalf("audit after three writes:\n%s\nwant:\n%s", got, want)
	}

	seq = w.head(t)
	v, err := w.svc.Case(ctx, cm, id)
	if err != nil {
		t.Fatal(err)
	}
	if !v.CanReadNotes || !v.CanWrite || !v.CanNote {
		t.Errorf("case manager on their own case: read notes %v, write %v, note %v", v.CanReadNotes, v.CanWrite, v.CanNote)
	}
	if len(v.Notes) != 1 || v.Notes[0].Text != "First session went ahead." || v.Notes[0].CreatedBy != cm.UserID {
		t.Errorf("notes = %+v", v.Notes)
	}
	if len(v.Contacts) != 1 || v.Contacts[0].Summary != "Agreed the next session" || v.Contacts[0].ID != contact.ID {
		t.Errorf("contacts = %+v", v.Contacts)
	}
	if len(v.Actions) != 1 || v.Actions[0].Owner != "PC Ellis" || v.Actions[0].Status != casework.ActionOpen || v.Actions[0].ID != action.ID {
		t.Errorf("actions = %+v", v.Actions)
	}
	es := w.events(t, seq)
	if got := summary(es); got != "record.read case_manager case allowed" {
		t.Errorf("audit after reading the case:\n%s", got)
	} else if es[0].RecordID != strconv.FormatInt(id, 10) || es[0].ActorID != cm.UserID {
		t.Errorf("read recorded as %+v", es[0])
	}

	// The action moves on, and the change is read back.
	if err := w.svc.UpdateAction(ctx, cm, id, action.ID, func(a *casework.Action) {
		a.Status, a.Outcome = casework.ActionDone, "Bail conditions confirmed"
	}); err != nil {
		t.Fatal(err)
	}
	v, err = w.svc.Case(ctx, cm, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Actions) != 1 || v.Actions[0].Status != casework.ActionDone || v.Actions[0].Outcome != "Bail conditions confirmed" {
		t.Errorf("action after update = %+v", v.Actions)
	}
}

// testInvalidPlan: a write the domain refuses stores nothing, audits
// nothing and does not count against the writer's text limit.
func testInvalidPlan(t *testing.T, w *world) {
	ctx := context.Background()
	cm := w.actor(t, "cm")
	id := w.newCase(t)
	before := w.state(t)
	for _, c := range []struct {
		what  string
		field string
		err   error
	}{
		{"blank note", "text", w.svc.AddNote(ctx, cm, id, &casework.Note{Text: "   "})},
		{"contact in the future", "on", w.svc.AddContact(ctx, cm, id, &casework.Contact{Kind: casework.ContactMade, On: drive.DateOf(now).AddDays(1), Summary: "x"})},
		{"action of no type", "type", w.svc.AddAction(ctx, cm, id, &casework.Action{Type: "no-such-action", Owner: "PC Ellis", DueOn: drive.DateOf(now)})},
		{"action done without outcome", "outcome", w.svc.AddAction(ctx, cm, id, &casework.Action{Type: programme.Drive().Actions[0].Code, Owner: "PC Ellis",
			DueOn: drive.DateOf(now), Status: casework.ActionDone})},
	} {
		var de *drive.Error
		if drive.ErrorCode(c.err) != drive.EINVALID {
			t.Errorf("%s: %v; want invalid", c.what, c.err)
		} else if de = c.err.(*drive.Error); de.Fields[c.field] == "" {
			t.Errorf("%s: fields %v; want %q named", c.what, de.Fields, c.field)
		}
	}
	if after := w.state(t); after != before {
		t.Fatalf("invalid writes changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
