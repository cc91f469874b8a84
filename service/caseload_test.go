package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestReadModels holds the lists, caseloads, dashboard and form choices
// the pages and the API show to what is stored, on both engines: the
// service's own read models carry the same answers the store's rows did,
// and each list is audited with it.
func TestReadModels(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			referred := w.referredCase(t)
			t.Run("engine", func(t *testing.T) {
				if got := w.svc.Engine(); got != e.Name {
					t.Errorf("Engine() = %q; want %q", got, e.Name)
				}
			})
			t.Run("case list", func(t *testing.T) { testCaseList(t, w, referred) })
			t.Run("my caseload", func(t *testing.T) { testMyCaseload(t, w, referred) })
			t.Run("team dashboard", func(t *testing.T) { testDashboard(t, w, referred) })
			t.Run("a person's cases", func(t *testing.T) { testPersonCases(t, w, referred) })
			t.Run("case search kept with the session", func(t *testing.T) { testCaseSearch(t, w) })
			t.Run("victim-survivors list", func(t *testing.T) { testVictimList(t, w) })
			t.Run("new victim-survivor form choices", func(t *testing.T) { testVictimChoices(t, w) })
			t.Run("IDVA notes and contacts", func(t *testing.T) { testVictimEntries(t, w) })
		})
	}
}

// referredCase adds a referral at site A for the fixture's person, not
// yet allocated, so the dashboard has something unallocated to show.
func (w *world) referredCase(t *testing.T) int64 {
	t.Helper()
	c := &casework.Case{SiteID: w.siteA.ID, PersonID: w.personID, Programme: "drive", Source: casework.FromMARAC,
		ReferredAt: drive.DateOf(now).AddDays(-1), Summary: "New referral"}
	err := w.db.Transact(context.Background(), func(tx *store.Tx) error { return tx.CreateCase(context.Background(), c) })
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func rowIDs(rows []service.CaseRow) []int64 {
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.Case.ID)
	}
	return ids
}

// wantListed checks that the only events after seq are one record.list
// of recordType by the actor, with reason.
func wantListed(t *testing.T, w *world, seq int64, a service.Actor, recordType, reason string) {
	t.Helper()
	es := w.events(t, seq)
	if len(es) != 1 || es[0].Action != "record.list" || es[0].ActorID != a.UserID || es[0].RecordType != recordType ||
		es[0].Reason != reason || es[0].Outcome != audit.OutcomeOK {
		t.Fatalf("audit after the list:\n%s\n%+v\nwant one record.list of %s, %q", summary(es), es, recordType, reason)
	}
}

// testCaseList: the case manager's list carries each case's person and
// case manager; a search is audited as one without its words; narrowing
// to a site they may not read lists nothing and records nothing.
func testCaseList(t *testing.T, w *world, referred int64) {
	ctx := context.Background()
	cm := w.actor(t, "cm")
	seq := w.head(t)
	rows, total, err := w.svc.ListCases(ctx, cm, service.CaseFilter{Sort: "referred"})
	if err != nil {
		t.Fatal(err)
	}
	// The referral came in a day before the allocated case's.
	if got, want := rowIDs(rows), []int64{referred, w.caseID}; !slices.Equal(got, want) || total != 2 {
		t.Fatalf("cases %v (total %d); want %v (total 2)", got, total, want)
	}
	if r := rows[1]; r.PersonName != "Darren Hollis" || r.CaseManagerName != "User cm" || r.Case.State != casework.Active || r.Case.SiteID != w.siteA.ID {
		t.Errorf("allocated case row = %+v; want Darren Hollis, active, with User cm", r)
	}
	if r := rows[0]; r.CaseManagerName != "" || r.Case.State != casework.Referred {
		t.Errorf("referral row = %+v; want referred, with no case manager", r)
	}
	wantListed(t, w, seq, cm, "case", "list: 2 rows")

	seq = w.head(t)
	rows, total, err = w.svc.ListCases(ctx, cm, service.CaseFilter{Query: "hollis", States: []casework.State{casework.Referred}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := rowIDs(rows); !slices.Equal(got, []int64{referred}) || total != 1 {
		t.Fatalf("search for referred Hollis: %v (total %d); want [%d]", got, total, referred)
	}
	wantListed(t, w, seq, cm, "case", "search: 1 rows")

	seq = w.head(t)
	rows, total, err = w.svc.ListCases(ctx, cm, service.CaseFilter{SiteIDs: []int64{w.siteB.ID}})
	if err != nil || rows != nil || total != 0 {
		t.Fatalf("site B for site A's case manager: %v, %d, %v; want nothing", rowIDs(rows), total, err)
	}
	if es := w.events(t, seq); len(es) != 0 {
		t.Errorf("an empty list was audited:\n%s", summary(es))
	}
}

// testMyCaseload: the case manager's caseload is their allocated case,
// against their site's limit.
func testMyCaseload(t *testing.T, w *world, referred int64) {
	cl, err := w.svc.MyCaseload(context.Background(), w.actor(t, "cm"))
	if err != nil {
		t.Fatal(err)
	}
	if got := rowIDs(cl.Rows); !slices.Equal(got, []int64{w.caseID}) {
		t.Errorf("caseload %v; want [%d] (not the referral %d)", got, w.caseID, referred)
	}
	if cl.Limit <= 0 || cl.Over {
		t.Errorf("limit %d, over %v; want the site's limit, not over", cl.Limit, cl.Over)
	}
}

// testDashboard: the team leader sees the site's referral unallocated and
// the case manager's load; a case manager may not see the dashboard.
func testDashboard(t *testing.T, w *world, referred int64) {
	ctx := context.Background()
	lead := w.actor(t, "lead")
	seq := w.head(t)
	d, err := w.svc.Dashboard(ctx, lead, w.siteA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowIDs(d.Unallocated); !slices.Equal(got, []int64{referred}) || d.Unallocated[0].PersonName != "Darren Hollis" {
		t.Errorf("unallocated %v; want [%d] for Darren Hollis", got, referred)
	}
	// A referral not yet accepted is not an open case.
	if d.OpenCases != 1 {
		t.Errorf("open cases %d; want 1", d.OpenCases)
	}
	i := slices.IndexFunc(d.Caseloads, func(l service.ManagerLoad) bool { return l.UserID == w.users["cm"].ID })
	if i < 0 || d.Caseloads[i].Name != "User cm" || d.Caseloads[i].Open != 1 || d.Caseloads[i].Limit <= 0 {
		t.Errorf("caseloads %+v; want User cm with 1 open case against a limit", d.Caseloads)
	}
	wantListed(t, w, seq, lead, "case", "team dashboard: 1 rows")

	_, err = w.svc.Dashboard(ctx, w.actor(t, "cm"), w.siteA.ID)
	wantCode(t, err, drive.ENOTFOUND)
	_, err = w.svc.Dashboard(ctx, lead, w.siteB.ID)
	wantCode(t, err, drive.ENOTFOUND)
}

// testPersonCases: a person's page lists only that person's cases.
func testPersonCases(t *testing.T, w *world, referred int64) {
	ctx := context.Background()
	other := w.referralFor(t, "Lee", "Marsh")
	p, rows, err := w.svc.Person(ctx, w.actor(t, "cm"), w.personID)
	if err != nil {
		t.Fatal(err)
	}
	got := rowIDs(rows)
	slices.Sort(got)
	if want := []int64{w.caseID, referred}; p.ID != w.personID || !slices.Equal(got, want) || slices.Contains(got, other) {
		t.Errorf("person %d's cases %v; want %v", p.ID, got, want)
	}
	for _, r := range rows {
		if r.Case.PersonID != w.personID || r.PersonName != "Darren Hollis" {
			t.Errorf("row %+v is not Darren Hollis's", r)
		}
	}
	_, _, err = w.svc.Person(ctx, w.actor(t, "otherCM"), w.personID)
	wantCode(t, err, drive.ENOTFOUND)
}

// referralFor adds another person at site A with a referral, returning
// the case.
func (w *world) referralFor(t *testing.T, given, family string) int64 {
	t.Helper()
	res, err := w.svc.Refer(context.Background(), w.actor(t, "lead"), referral(w, given, family, "1980-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	return res.CaseID
}

// testCaseSearch: the words are trimmed, cut to 200 bytes and stored with
// the actor's own session; nobody else's session can be changed.
func testCaseSearch(t *testing.T, w *world) {
	ctx := context.Background()
	cm := w.actor(t, "cm")
	newSession := func(user int64, token string) *account.Session {
		s := &account.Session{TokenHash: []byte(token), UserID: user, Stage: "full", CSRF: "c", CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.AddDate(0, 0, 1), ReauthAt: now}
		if err := w.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSession(ctx, s) }); err != nil {
			t.Fatal(err)
		}
		return s
	}
	stored := func(token string) string {
		var s *account.Session
		err := w.db.View(ctx, func(tx *store.Tx) (err error) { s, err = tx.SessionByTokenHash(ctx, []byte(token)); return err })
		if err != nil {
			t.Fatal(err)
		}
		return s.Search
	}
	mine, theirs := newSession(cm.UserID, "mine"), newSession(w.users["lead"].ID, "theirs")
	seq := w.head(t)
	if err := w.svc.SetCaseSearch(ctx, cm, mine, "  Hollis  "); err != nil {
		t.Fatal(err)
	}
	if mine.Search != "Hollis" || stored("mine") != "Hollis" {
		t.Errorf("search %q, stored %q; want Hollis", mine.Search, stored("mine"))
	}
	if err := w.svc.SetCaseSearch(ctx, cm, mine, strings.Repeat("a", 250)); err != nil {
		t.Fatal(err)
	}
	if got := stored("mine"); len(got) != 200 {
		t.Errorf("stored %d bytes of a 250-byte search; want 200", len(got))
	}
	wantCode(t, w.svc.SetCaseSearch(ctx, cm, theirs, "Hollis"), drive.ENOTFOUND)
	wantCode(t, w.svc.SetCaseSearch(ctx, cm, nil, "Hollis"), drive.ENOTFOUND)
	if got := stored("theirs"); got != "" {
		t.Errorf("another user's session search = %q; want it untouched", got)
	}
	for _, e := range w.events(t, seq) {
		if strings.Contains(strings.ToLower(e.Reason), "hollis") {
			t.Errorf("search words recorded in %+v", e)
		}
	}
}

// testVictimList: her IDVA lists her with her link, audited in the same
// transaction; the perpetrator's case manager lists nobody.
func testVictimList(t *testing.T, w *world) {
	ctx := context.Background()
	idva := w.actor(t, "idva")
	seq := w.head(t)
	rows, err := w.svc.Victims(ctx, idva, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Case.ID != w.victimID || rows[0].IDVA != "User idva" || rows[0].Links != 1 {
		t.Fatalf("IDVA's victim-survivors %+v; want hers, linked once", rows)
	}
	wantListed(t, w, seq, idva, "victim", "list: 1 rows")
	rows, err = w.svc.Victims(ctx, w.actor(t, "cm"), false)
	if err != nil || len(rows) != 0 {
		t.Errorf("case manager's victim-survivors %+v, %v; want none", rows, err)
	}
}

// testVictimChoices: IDVAs and the IDVA service's team leader are offered
// their site and its IDVAs; a case manager is not offered the form.
func testVictimChoices(t *testing.T, w *world) {
	ctx := context.Background()
	for _, name := range []string{"idva", "idvalead"} {
		ch, err := w.svc.VictimChoices(ctx, w.actor(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Sites) != 1 || ch.Sites[0].ID != w.siteA.ID || ch.Sites[0].Name != "Northmoor" {
			t.Errorf("%s's sites %+v; want Northmoor", name, ch.Sites)
		}
		want := []service.IDVAChoice{{ID: w.users["idva"].ID, Name: "User idva (Northmoor)"}}
		if !slices.Equal(ch.IDVAs, want) {
			t.Errorf("%s's IDVAs %+v; want %+v", name, ch.IDVAs, want)
		}
	}
	for _, name := range []string{"cm", "otherCM"} {
		_, err := w.svc.VictimChoices(ctx, w.actor(t, name))
		wantCode(t, err, drive.ENOTFOUND)
	}
}

// testVictimEntries: a note and a contact are stored sealed and read back
// on her record; a note's kind and date default; the case manager cannot
// write them.
func testVictimEntries(t *testing.T, w *world) {
	ctx := context.Background()
	idva := w.actor(t, "idva")
	note := &service.VictimEntry{}
	if err := w.svc.AddVictimEntry(ctx, idva, w.victimID, "note", note, "Wants support with housing"); err != nil {
		t.Fatal(err)
	}
	if note.ID == 0 || note.Kind != "note" || note.On != drive.DateOf(now) {
		t.Errorf("note after storing = %+v; want an id, kind note, today", note)
	}
	fix := &service.VictimEntry{Kind: "note", On: drive.DateOf(now), Amends: note.ID}
	if err := w.svc.AddVictimEntry(ctx, idva, w.victimID, "note", fix, "Correction: wants support with benefits"); err != nil {
		t.Fatal(err)
	}
	call := &service.VictimEntry{Kind: "call", On: drive.DateOf(now).AddDays(-1)}
	if err := w.svc.AddVictimEntry(ctx, idva, w.victimID, "contact", call, "Spoke safely"); err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Victim(ctx, idva, w.victimID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Protected == nil {
		t.Fatal("her IDVA cannot open the compartment")
	}
	notes, contacts := v.Protected.Notes, v.Protected.Contacts
	if len(notes) != 2 || notes[0].ID != note.ID || notes[0].Text != "Wants support with housing" || notes[0].CreatedBy != "User idva" ||
		notes[1].Amends != note.ID {
		t.Errorf("notes %+v; want the note and its correction", notes)
	}
	if len(contacts) != 1 || contacts[0].ID != call.ID || contacts[0].Kind != "call" || contacts[0].On != call.On || contacts[0].Text != "Spoke safely" {
		t.Errorf("contacts %+v; want the call", contacts)
	}
	err = w.svc.AddVictimEntry(ctx, w.actor(t, "cm"), w.victimID, "note", &service.VictimEntry{}, "Probing")
	wantCode(t, err, drive.ENOTFOUND)
	wantCode(t, w.svc.AddVictimEntry(ctx, idva, w.victimID, "note", &service.VictimEntry{}, ""), drive.EINVALID)
}
