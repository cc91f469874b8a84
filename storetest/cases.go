package storetest

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/drive-platform/drive/sealed"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// RunCasework runs the casework part of the storage contract (people,
// programmes, cases, plans, contacts, reviews, notes, lists and the team
// dashboard) against one engine, at the frozen time Epoch.
func RunCasework(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *cwFixture)
	}{
		{"PersonRoundTrip", testPersonRoundTrip},
		{"InvalidPersonChangesNothing", testInvalidPerson},
		{"MergeThenUnmergeRestores", testMergeUnmerge},
		{"MergeRules", testMergeRules},
		{"ProgrammesSeededAndSet", testProgrammes},
		{"ReferralValidated", testReferralValidated},
		{"ReferralToEveryState", testEveryState},
		{"CasesFilterSortPage", testCasesFilter},
		{"CasePagesWalkEveryRowOnce", testCasePagesWalk},
		{"OverdueIsDerivedFromToday", testOverdue},
		{"TeamDashboard", testDashboard},
		{"ActionsRoundTrip", testActions},
		{"ContactsMoveLastContact", testContacts},
		{"ReviewSetsNextDue", testReviews},
		{"NotesAreAppendOnly", testNotes},
		{"HistoryOldestFirst", testHistory},
		{"NothingHalfWritten", testCaseworkRollback},
		{"TouchMovesLastUpdated", testTouchCase},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := e.Open(t, FixedClock(Epoch))
			tc.fn(t, newCaseworkFixture(t, db))
		})
	}
}

// cwToday is the date the casework suite runs on.
var cwToday = drive.DateOf(Epoch)

// cwFixture is two sites running the default programmes, a team leader
// and two case managers at the first, and one case manager at the second.
type cwFixture struct {
	db           *store.DB
	a, b         *account.Site
	lead         *account.User
	cm1, cm2     *account.User
	cmB          *account.User
	drive        *programme.Programme
	personSerial int
	keys         *sealed.Keyring // seals notes, as the service does
}

func newCaseworkFixture(t *testing.T, db *store.DB) *cwFixture {
	t.Helper()
	f := &cwFixture{db: db, a: mustSite(t, db, "AAA"), b: mustSite(t, db, "BBB"), drive: programme.Drive()}
	var err error
	if f.keys, err = sealed.NewKeyring(rand.Reader); err != nil {
		t.Fatal(err)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		o := &account.Organisation{Name: "Provider", Kind: account.Provider, SiteIDs: []int64{f.a.ID, f.b.ID}}
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		mk := func(name, display string, role access.Role, site int64) (*account.User, error) {
			u := &account.User{Username: name, DisplayName: display, OrganisationID: o.ID, PasswordHash: "hash",
				Roles: []account.RoleAssignment{{Role: role, SiteID: site}}}
			return u, tx.CreateUser(ctx, u)
		}
		var err error
		if f.lead, err = mk("lead", "Lena Lead", access.TeamLeader, f.a.ID); err != nil {
			return err
		}
		if f.cm1, err = mk("cm1", "Alice Able", access.CaseManager, f.a.ID); err != nil {
			return err
		}
		if f.cm2, err = mk("cm2", "Bob Baker", access.CaseManager, f.a.ID); err != nil {
			return err
		}
		if f.cmB, err = mk("cmb", "Cara Cole", access.CaseManager, f.b.ID); err != nil {
			return err
		}
		for _, s := range []int64{f.a.ID, f.b.ID} {
			if err := tx.SeedProgrammes(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

// write runs fn in a transaction and fails the test on error.
func (f *cwFixture) write(t *testing.T, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := f.db.Transact(ctx, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// read runs fn in a read-only transaction and fails the test on error.
func (f *cwFixture) read(t *testing.T, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := f.db.View(ctx, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// try runs fn in a transaction and returns its error.
func (f *cwFixture) try(fn func(ctx context.Context, tx *store.Tx) error) error {
	ctx := context.Background()
	return f.db.Transact(ctx, func(tx *store.Tx) error { return fn(ctx, tx) })
}

func (f *cwFixture) person(t *testing.T, site *account.Site, given, family string, mod func(p *people.Person)) *people.Person {
	t.Helper()
	f.personSerial++
	p := &people.Person{SiteID: site.ID, GivenName: given, FamilyName: family,
		DateOfBirth: drive.MustDate("1985-01-01").AddDays(f.personSerial), Gender: "male"}
	if mod != nil {
		mod(p)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreatePerson(ctx, p) })
	return p
}

func (f *cwFixture) referral(t *testing.T, site *account.Site, p *people.Person, mod func(c *casework.Case)) *casework.Case {
	t.Helper()
	c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC,
		ReferredAt: cwToday.AddDays(-30), ReferredBy: f.lead.ID, Summary: "Heard at MARAC; two previous partners.",
		Evidence: programme.Evidence{DASHScore: 16, Victims: 2, LastMARAC: cwToday.AddDays(-40)}}
	if mod != nil {
		mod(c)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateCase(ctx, c) })
	return c
}

// move applies an event to c at the given time, saves it and records it
// in the history, the way the service does.
func (f *cwFixture) move(t *testing.T, c *casework.Case, ev casework.Event, ch casework.Change, at time.Time) {
	t.Helper()
	tr, ok := casework.Find(c.State, ev)
	if !ok {
		t.Fatalf("no transition %s from %s", ev, c.State)
	}
	ch.Event = ev
	from := c.State
	if err := c.Apply(tr, ch, f.drive, f.lead.ID, at); err != nil {
		t.Fatalf("%s: %v", ev, err)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		return tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: at, UserID: f.lead.ID, Event: string(ev), FromState: from, ToState: c.State, SiteID: c.SiteID})
	})
}

// active takes a fresh referral to active with case manager cm.
func (f *cwFixture) active(t *testing.T, c *casework.Case, cm *account.User, at time.Time) {
	t.Helper()
	f.move(t, c, casework.Accept, casework.Change{Reasons: "Meets the MARAC criterion"}, at)
	f.move(t, c, casework.Allocate, casework.Change{CaseManagerID: cm.ID}, at)
	f.move(t, c, casework.Start, casework.Change{}, at)
}

func (f *cwFixture) getCase(t *testing.T, id int64) *casework.Case {
	t.Helper()
	var c *casework.Case
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		c, err = tx.Case(ctx, id)
		return err
	})
	return c
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := drive.ErrorCode(err); got != code {
		t.Fatalf("err = %v (code %q); want %q", err, got, code)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var de *drive.Error
	if !errors.As(err, &de) || de.Code != drive.EINVALID || de.Fields[field] == "" {
		t.Fatalf("err = %#v; want invalid with a %q field", err, field)
	}
}

// cwAt is a day's offset from Epoch.
func cwAt(days int) time.Time { return Epoch.AddDate(0, 0, days).Truncate(time.Microsecond) }

// normTime makes times comparable with reflect.DeepEqual: UTC, whole
// microseconds, no monotonic reading.
func normTime(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

func normCase(c casework.Case) casework.Case {
	for _, p := range []**time.Time{&c.DecidedAt, &c.AllocatedAt, &c.StartedAt, &c.ClosedAt, &c.LastContactAt} {
		if *p != nil {
			n := normTime(**p)
			*p = &n
		}
	}
	c.CreatedAt, c.UpdatedAt = normTime(c.CreatedAt), normTime(c.UpdatedAt)
	return c
}

func sameCase(t *testing.T, got, want *casework.Case) {
	t.Helper()
	if g, w := normCase(*got), normCase(*want); !reflect.DeepEqual(g, w) {
		t.Fatalf("case read back\n got %+v\nwant %+v", g, w)
	}
}

func testPersonRoundTrip(t *testing.T, f *cwFixture) {
	p := f.person(t, f.a, "  John ", "Smith", func(p *people.Person) {
		p.Aliases = []string{"Johnny  Smith", " ", "Jon Smyth"}
		p.Ethnicity, p.SexualOrientation, p.Disability = "white", people.PreferNotToSay, "no"
		p.PoliceRef, p.SocialCareRef, p.ProbationRef = " ab/123/24 ", "CSC-9", "PR77"
		p.Addresses = []people.Address{
			{Line1: "1 Mill Lane", Town: "Northmoor", Postcode: "nm1 4ab", From: drive.MustDate("2020-01-01"), To: drive.MustDate("2023-06-30")},
			{Line1: "22 Canal Street", Town: "Northmoor", Postcode: "NM2 7QD", From: drive.MustDate("2023-07-01")},
		}
	})
	if p.ID == 0 || !p.CreatedAt.Equal(Epoch.Truncate(time.Microsecond)) || !p.UpdatedAt.Equal(p.CreatedAt) {
		t.Fatalf("created person = %+v", p)
	}
	get := func() *people.Person {
		var got *people.Person
		f.read(t, func(ctx context.Context, tx *store.Tx) error {
			var err error
			got, err = tx.Person(ctx, p.ID)
			return err
		})
		got.CreatedAt, got.UpdatedAt = normTime(got.CreatedAt), normTime(got.UpdatedAt)
		return got
	}
	want := *p
	want.CreatedAt, want.UpdatedAt = normTime(p.CreatedAt), normTime(p.UpdatedAt)
	if got := get(); !reflect.DeepEqual(*got, want) {
		t.Fatalf("person read back\n got %+v\nwant %+v", *got, want)
	}
	if want.GivenName != "John" || len(want.Aliases) != 2 || want.PoliceRef != "AB/123/24" || want.Addresses[0].Postcode != "NM1 4AB" || want.Gender != "male" {
		t.Fatalf("person not tidied by validation: %+v", want)
	}
	// Update replaces the aliases and addresses.
	p.FamilyName, p.Aliases, p.Addresses = "Smithe", []string{"J. Smithe"}, nil
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdatePerson(ctx, p) })
	got := get()
	if got.FamilyName != "Smithe" || !reflect.DeepEqual(got.Aliases, []string{"J. Smithe"}) || len(got.Addresses) != 0 {
		t.Fatalf("updated person = %+v", got)
	}
	// PeopleAtSites returns the site's people with their details.
	f.person(t, f.b, "Other", "Site", nil)
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		ps, err := tx.PeopleAtSites(ctx, []int64{f.a.ID})
		if err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].ID != p.ID || len(ps[0].Aliases) != 1 {
			t.Errorf("people at site A = %+v", ps)
		}
		if ps, _ := tx.PeopleAtSites(ctx, nil); len(ps) != 0 {
			t.Errorf("people at no sites = %d", len(ps))
		}
		_, err = tx.Person(ctx, 99999)
		wantCode(t, err, drive.ENOTFOUND)
		return nil
	})
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdatePerson(ctx, &people.Person{ID: 99999, SiteID: f.a.ID, GivenName: "No", FamilyName: "One"})
	})
	wantCode(t, err, drive.ENOTFOUND)
}

func testInvalidPerson(t *testing.T, f *cwFixture) {
	count := func() int {
		var n int
		f.read(t, func(ctx context.Context, tx *store.Tx) error {
			ps, err := tx.PeopleAtSites(ctx, []int64{f.a.ID, f.b.ID})
			n = len(ps)
			return err
		})
		return n
	}
	for name, tc := range map[string]struct {
		p     people.Person
		field string
	}{
		"no name":        {people.Person{SiteID: f.a.ID, FamilyName: "Smith"}, "given_name"},
		"born tomorrow":  {people.Person{SiteID: f.a.ID, GivenName: "A", FamilyName: "B", DateOfBirth: cwToday.AddDays(1)}, "date_of_birth"},
		"bad ethnicity":  {people.Person{SiteID: f.a.ID, GivenName: "A", FamilyName: "B", Ethnicity: "martian"}, "ethnicity"},
		"bad postcode":   {people.Person{SiteID: f.a.ID, GivenName: "A", FamilyName: "B", Addresses: []people.Address{{Line1: "1 Road", Postcode: "NOPE"}}}, "addresses"},
		"no site":        {people.Person{GivenName: "A", FamilyName: "B"}, "site"},
		"address future": {people.Person{SiteID: f.a.ID, GivenName: "A", FamilyName: "B", Addresses: []people.Address{{Line1: "1 Road", From: cwToday.AddDays(3)}}}, "addresses"},
	} {
		p := tc.p
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreatePerson(ctx, &p) })
		if err == nil {
			t.Fatalf("%s: created", name)
		}
		wantField(t, err, tc.field)
	}
	if n := count(); n != 0 {
		t.Fatalf("people after refused creates = %d; want 0", n)
	}
	p := f.person(t, f.a, "Kept", "Intact", func(p *people.Person) { p.Aliases = []string{"Old Alias"} })
	bad := *p
	bad.GivenName, bad.Aliases = "", []string{"New Alias"}
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UpdatePerson(ctx, &bad) })
	wantField(t, err, "given_name")
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Person(ctx, p.ID)
		if err != nil {
			return err
		}
		if got.GivenName != "Kept" || !reflect.DeepEqual(got.Aliases, []string{"Old Alias"}) {
			t.Errorf("a refused update changed the person: %+v", got)
		}
		return nil
	})
}

func testMergeUnmerge(t *testing.T, f *cwFixture) {
	keep := f.person(t, f.a, "John", "Smith", nil)
	dup := f.person(t, f.a, "Jon", "Smyth", nil)
	k1 := f.referral(t, f.a, keep, nil)
	d1 := f.referral(t, f.a, dup, nil)
	d2 := f.referral(t, f.a, dup, func(c *casework.Case) { c.Source = casework.FromProbation })
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.MergePeople(ctx, keep.ID, dup.ID) })
	personOf := func(id int64) int64 { return f.getCase(t, id).PersonID }
	for _, id := range []int64{k1.ID, d1.ID, d2.ID} {
		if got := personOf(id); got != keep.ID {
			t.Fatalf("after merge case %d belongs to %d; want %d", id, got, keep.ID)
		}
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Person(ctx, dup.ID)
		if err != nil {
			return err
		}
		if got.MergedInto != keep.ID {
			t.Errorf("merged_into = %d; want %d", got.MergedInto, keep.ID)
		}
		ps, err := tx.PeopleAtSites(ctx, []int64{f.a.ID})
		if len(ps) != 1 || ps[0].ID != keep.ID {
			t.Errorf("people at site after merge = %d; want only the kept record", len(ps))
		}
		return err
	})
	// A merged record cannot be referred; the kept one can, and its new
	// case stays with it when the merge is undone.
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.CreateCase(ctx, &casework.Case{SiteID: f.a.ID, PersonID: dup.ID, Programme: "drive", Source: casework.FromMARAC,
			ReferredAt: cwToday, Summary: "x", Evidence: programme.Evidence{DASHScore: -1}})
	})
	wantField(t, err, "person")
	k2 := f.referral(t, f.a, keep, nil)
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UnmergePerson(ctx, dup.ID) })
	for id, want := range map[int64]int64{k1.ID: keep.ID, k2.ID: keep.ID, d1.ID: dup.ID, d2.ID: dup.ID} {
		if got := personOf(id); got != want {
			t.Errorf("after unmerge case %d belongs to %d; want %d", id, got, want)
		}
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Person(ctx, dup.ID)
		if err != nil {
			return err
		}
		if got.MergedInto != 0 || got.GivenName != "Jon" {
			t.Errorf("unmerged person = %+v", got)
		}
		ps, err := tx.PeopleAtSites(ctx, []int64{f.a.ID})
		if len(ps) != 2 {
			t.Errorf("people at site after unmerge = %d; want 2", len(ps))
		}
		return err
	})
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UnmergePerson(ctx, dup.ID) })
	wantCode(t, err, drive.ENOTFOUND)
	// Merging again after an unmerge works, and is undone on its own.
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.MergePeople(ctx, dup.ID, keep.ID) })
	if personOf(k1.ID) != dup.ID || personOf(d1.ID) != dup.ID {
		t.Fatal("second merge (the other way) did not move the cases")
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UnmergePerson(ctx, keep.ID) })
	if personOf(k1.ID) != keep.ID || personOf(k2.ID) != keep.ID || personOf(d1.ID) != dup.ID {
		t.Fatal("second unmerge did not restore the cases exactly")
	}
}

func testMergeRules(t *testing.T, f *cwFixture) {
	a1 := f.person(t, f.a, "Adam", "One", nil)
	a2 := f.person(t, f.a, "Adam", "Two", nil)
	a3 := f.person(t, f.a, "Adam", "Three", nil)
	b1 := f.person(t, f.b, "Adam", "Bee", nil)
	merge := func(keep, m int64) error {
		return f.try(func(ctx context.Context, tx *store.Tx) error { return tx.MergePeople(ctx, keep, m) })
	}
	wantCode(t, merge(a1.ID, a1.ID), drive.EINVALID)
	wantCode(t, merge(a1.ID, b1.ID), drive.EINVALID)
	wantCode(t, merge(a1.ID, 99999), drive.ENOTFOUND)
	if err := merge(a1.ID, a2.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, merge(a3.ID, a2.ID), drive.EINVALID) // already merged
	wantCode(t, merge(a2.ID, a3.ID), drive.EINVALID) // keep is merged
	wantCode(t, merge(a3.ID, a1.ID), drive.EINVALID) // others merged into it
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UnmergePerson(ctx, a3.ID) })
	wantCode(t, err, drive.ENOTFOUND)
}

func testProgrammes(t *testing.T, f *cwFixture) {
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		ps, err := tx.SiteProgrammes(ctx, f.a.ID)
		if err != nil {
			return err
		}
		if len(ps) != 2 || !reflect.DeepEqual(ps[0], programme.Drive()) || !reflect.DeepEqual(ps[1], programme.Restart()) {
			t.Errorf("seeded programmes = %+v", ps)
		}
		p, err := tx.SiteProgramme(ctx, f.a.ID, "restart")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(p, programme.Restart()) {
			t.Errorf("restart read back = %+v", p)
		}
		_, err = tx.SiteProgramme(ctx, f.a.ID, "nonesuch")
		wantCode(t, err, drive.ENOTFOUND)
		return nil
	})
	// Seeding again adds nothing; changing a programme replaces it in place.
	changed := programme.Drive()
	changed.CaseloadLimit, changed.NoContactDays = 10, 21
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.SeedProgrammes(ctx, f.a.ID); err != nil {
			return err
		}
		return tx.SetSiteProgramme(ctx, f.a.ID, changed)
	})
	custom := programme.Restart()
	custom.Code, custom.Name = "pathway", "Pathway"
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.SetSiteProgramme(ctx, f.a.ID, custom) })
	bad := programme.Drive()
	bad.CaseloadLimit, bad.Match = 0, "some"
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.SetSiteProgramme(ctx, f.a.ID, bad) })
	wantField(t, err, "settings")
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		ps, err := tx.SiteProgrammes(ctx, f.a.ID)
		if err != nil {
			return err
		}
		if len(ps) != 3 || !reflect.DeepEqual(ps[0], changed) || ps[1].Code != "restart" || !reflect.DeepEqual(ps[2], custom) {
			t.Errorf("programmes after changes = %+v", ps)
		}
		other, err := tx.SiteProgrammes(ctx, f.b.ID)
		if len(other) != 2 || other[0].CaseloadLimit != 12 {
			t.Errorf("another site's programmes changed: %+v", other)
		}
		return err
	})
}

func testReferralValidated(t *testing.T, f *cwFixture) {
	p := f.person(t, f.a, "Ref", "Erral", nil)
	pb := f.person(t, f.b, "Other", "Site", nil)
	base := casework.Case{SiteID: f.a.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromPoliceList,
		ReferredAt: cwToday, Summary: "Top of the list", Evidence: programme.Evidence{DASHScore: -1, IdentificationRank: 3}}
	for name, tc := range map[string]struct {
		mod   func(c *casework.Case)
		field string
	}{
		"unknown programme": {func(c *casework.Case) { c.Programme = "nonesuch" }, "programme"},
		"future referral":   {func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(1) }, "referred_at"},
		"no summary":        {func(c *casework.Case) { c.Summary = "  " }, "summary"},
		"no person":         {func(c *casework.Case) { c.PersonID = 99999 }, "person"},
		"person elsewhere":  {func(c *casework.Case) { c.PersonID = pb.ID }, "person"},
	} {
		c := base
		tc.mod(&c)
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateCase(ctx, &c) })
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		wantField(t, err, tc.field)
	}
	c := base
	c.State = casework.Active // ignored: a new case is a referral
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateCase(ctx, &c) })
	got := f.getCase(t, c.ID)
	if got.State != casework.Referred || got.Engagement != casework.NotYetContacted {
		t.Fatalf("new case state %s, engagement %s", got.State, got.Engagement)
	}
	sameCase(t, got, &c)
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Case(ctx, 99999)
		return err
	})
	wantCode(t, err, drive.ENOTFOUND)
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateCase(ctx, &casework.Case{ID: 99999, State: casework.Referred, Engagement: casework.Engaged})
	})
	wantCode(t, err, drive.ENOTFOUND)
	// The database refuses what the state machine never makes.
	bad := *got
	bad.State = casework.Active
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UpdateCase(ctx, &bad) })
	wantCode(t, err, drive.EINVALID)
	bad = *got
	bad.State = "lost"
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UpdateCase(ctx, &bad) })
	wantField(t, err, "state")
	bad = *got
	bad.Engagement = "sulking"
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UpdateCase(ctx, &bad) })
	wantField(t, err, "engagement")
	sameCase(t, f.getCase(t, c.ID), &c)
}

func testEveryState(t *testing.T, f *cwFixture) {
	p := f.person(t, f.a, "State", "Walker", nil)
	type step struct {
		ev casework.Event
		ch casework.Change
	}
	accept := step{casework.Accept, casework.Change{Reasons: "Meets the DASH criterion"}}
	allocate := step{casework.Allocate, casework.Change{CaseManagerID: f.cm1.ID}}
	start := step{casework.Start, casework.Change{}}
	paths := map[string][]step{
		"declined": {{casework.Decline, casework.Change{Reasons: "Not eligible: no criterion met"}}},
		"closed": {accept, allocate, {casework.Reallocate, casework.Change{CaseManagerID: f.cm2.ID}}, start,
			{casework.BeginClosure, casework.Change{ClosureReason: "completed"}}, {casework.Resume, casework.Change{}},
			{casework.BeginClosure, casework.Change{ClosureReason: "risk-reduced"}}, {casework.Close, casework.Change{ClosureReason: "risk-reduced"}},
			{casework.Reopen, casework.Change{Reasons: "New incident"}}, {casework.BeginClosure, casework.Change{ClosureReason: "custody"}},
			{casework.Close, casework.Change{ClosureReason: "custody"}}},
		"transfer rejected": {accept, allocate, start, {casework.Transfer, casework.Change{SiteID: f.b.ID}},
			{casework.RejectTransfer, casework.Change{Reasons: "Not in our area"}}},
		"transfer accepted": {accept, allocate, {casework.Transfer, casework.Change{SiteID: f.b.ID}},
			{casework.AcceptTransfer, casework.Change{}}, {casework.Allocate, casework.Change{CaseManagerID: f.cmB.ID}}, start},
	}
	seen := map[casework.State]bool{}
	for name, steps := range paths {
		c := f.referral(t, f.a, p, nil)
		seen[c.State] = true
		for i, s := range steps {
			// Engagement moves on its own, apart from the state.
			c.Engagement = casework.Engagements()[i%len(casework.Engagements())]
			f.move(t, c, s.ev, s.ch, cwAt(-len(steps)+i))
			seen[c.State] = true
			got := f.getCase(t, c.ID)
			if !got.UpdatedAt.Equal(Epoch.Truncate(time.Microsecond)) {
				t.Fatalf("%s step %d: updated_at = %v", name, i, got.UpdatedAt)
			}
			sameCase(t, got, c)
		}
	}
	for _, s := range casework.States() {
		if !seen[s] {
			t.Errorf("no path reached state %s", s)
		}
	}
}

func testCasesFilter(t *testing.T, f *cwFixture) {
	smith := f.person(t, f.a, "John", "Smith", func(p *people.Person) { p.Aliases = []string{"Johnny Blaze"}; p.PoliceRef = "AB12/345" })
	obrien := f.person(t, f.a, "Sean", "O'Brien", func(p *people.Person) { p.ProbationRef = "PRB-77" })
	jones := f.person(t, f.a, "Carl", "Smith-Jones", nil)
	adams := f.person(t, f.a, "Zed", "Adams", nil)
	other := f.person(t, f.b, "John", "Smithers", nil)
	c1 := f.referral(t, f.a, smith, func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(-50) })
	c2 := f.referral(t, f.a, obrien, func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(-40) })
	c3 := f.referral(t, f.a, jones, func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(-30); c.Programme = "restart" })
	c4 := f.referral(t, f.a, adams, func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(-20) })
	c5 := f.referral(t, f.b, other, func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(-10) })
	f.active(t, c1, f.cm1, cwAt(-5))
	f.active(t, c2, f.cm2, cwAt(-5))
	c2.Engagement = casework.Refused
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateCase(ctx, c2) })
	ids := func(rows []store.CaseRow) []int64 {
		out := []int64{}
		for _, r := range rows {
			out = append(out, r.Case.ID)
		}
		return out
	}
	A := []int64{f.a.ID}
	at := func(order string, c *casework.Case) *store.CaseCursor {
		cur := store.CaseCursorAt(order, store.CaseRow{Case: *f.getCase(t, c.ID)})
		return &cur
	}
	for _, tc := range []struct {
		name  string
		f     store.CaseFilter
		want  []int64
		total int
	}{
		{"site, by referral", store.CaseFilter{SiteIDs: A, Sort: "referred"}, []int64{c1.ID, c2.ID, c3.ID, c4.ID}, 4},
		{"newest referral first", store.CaseFilter{SiteIDs: A, Sort: "-referred"}, []int64{c4.ID, c3.ID, c2.ID, c1.ID}, 4},
		{"both sites", store.CaseFilter{SiteIDs: []int64{f.a.ID, f.b.ID}, Sort: "referred"}, []int64{c1.ID, c2.ID, c3.ID, c4.ID, c5.ID}, 5},
		{"all sites", store.CaseFilter{AllSites: true, Sort: "referred"}, []int64{c1.ID, c2.ID, c3.ID, c4.ID, c5.ID}, 5},
		{"no sites", store.CaseFilter{Sort: "referred"}, []int64{}, 0},
		{"state", store.CaseFilter{SiteIDs: A, States: []casework.State{casework.Active}, Sort: "referred"}, []int64{c1.ID, c2.ID}, 2},
		{"states", store.CaseFilter{SiteIDs: A, States: []casework.State{casework.Referred, casework.Closed}, Sort: "referred"}, []int64{c3.ID, c4.ID}, 2},
		{"case manager", store.CaseFilter{SiteIDs: A, CaseManagerID: f.cm2.ID}, []int64{c2.ID}, 1},
		{"programme", store.CaseFilter{SiteIDs: A, Programme: "restart"}, []int64{c3.ID}, 1},
		{"engagement", store.CaseFilter{SiteIDs: A, Engagement: casework.Refused}, []int64{c2.ID}, 1},
		{"name prefix", store.CaseFilter{SiteIDs: A, Query: "SMI", Sort: "referred"}, []int64{c1.ID, c3.ID}, 2},
		{"name prefix, other site too", store.CaseFilter{AllSites: true, Query: "smith", Sort: "referred"}, []int64{c1.ID, c3.ID, c5.ID}, 3},
		{"two words", store.CaseFilter{SiteIDs: A, Query: "john smi"}, []int64{c1.ID}, 1},
		{"alias", store.CaseFilter{SiteIDs: A, Query: "blaze"}, []int64{c1.ID}, 1},
		{"hyphenated part", store.CaseFilter{SiteIDs: A, Query: "jones"}, []int64{c3.ID}, 1},
		{"apostrophe left out", store.CaseFilter{SiteIDs: A, Query: "obrien"}, []int64{c2.ID}, 1},
		{"apostrophe given", store.CaseFilter{SiteIDs: A, Query: "O'Bri"}, []int64{c2.ID}, 1},
		{"police reference", store.CaseFilter{SiteIDs: A, Query: "ab12/3"}, []int64{c1.ID}, 1},
		{"probation reference", store.CaseFilter{SiteIDs: A, Query: "prb-77"}, []int64{c2.ID}, 1},
		{"not a word start", store.CaseFilter{SiteIDs: A, Query: "mith"}, []int64{}, 0},
		{"wildcards are literal", store.CaseFilter{SiteIDs: A, Query: "%"}, []int64{}, 0},
		{"underscore is literal", store.CaseFilter{SiteIDs: A, Query: "_ohn"}, []int64{}, 0},
		{"case number", store.CaseFilter{SiteIDs: A, Query: fmt.Sprint(c3.ID)}, []int64{c3.ID}, 1},
		{"case number with #", store.CaseFilter{SiteIDs: A, Query: fmt.Sprintf("#%d", c4.ID)}, []int64{c4.ID}, 1},
		{"case number at another site", store.CaseFilter{SiteIDs: A, Query: fmt.Sprint(c5.ID)}, []int64{}, 0},
		{"name sort", store.CaseFilter{SiteIDs: A, Sort: "name"}, []int64{c4.ID, c2.ID, c1.ID, c3.ID}, 4},
		{"name sort descending", store.CaseFilter{SiteIDs: A, Sort: "-name"}, []int64{c3.ID, c1.ID, c2.ID, c4.ID}, 4},
		{"state sort", store.CaseFilter{SiteIDs: A, Sort: "state"}, []int64{c4.ID, c3.ID, c2.ID, c1.ID}, 4},
		{"default sort is newest update", store.CaseFilter{SiteIDs: A}, []int64{c4.ID, c3.ID, c2.ID, c1.ID}, 4},
		{"unknown sort falls back", store.CaseFilter{SiteIDs: A, Sort: "nonsense"}, []int64{c4.ID, c3.ID, c2.ID, c1.ID}, 4},
		{"page 2 of 2", store.CaseFilter{SiteIDs: A, Sort: "referred", Limit: 3, After: at("referred", c3)}, []int64{c4.ID}, 4},
		{"page 1 of 2", store.CaseFilter{SiteIDs: A, Sort: "referred", Limit: 3}, []int64{c1.ID, c2.ID, c3.ID}, 4},
		{"past the end", store.CaseFilter{SiteIDs: A, Sort: "referred", Limit: 3, After: at("referred", c4)}, []int64{}, 4},
		{"the page before", store.CaseFilter{SiteIDs: A, Sort: "referred", Limit: 2, After: at("referred", c4), Back: true}, []int64{c2.ID, c3.ID}, 4},
		{"a cursor of another order is the first page", store.CaseFilter{SiteIDs: A, Sort: "referred", Limit: 2, After: at("name", c4)}, []int64{c1.ID, c2.ID}, 4},
		{"after a name, by the case's own row", store.CaseFilter{SiteIDs: A, Sort: "name", After: at("name", c2)}, []int64{c1.ID, c3.ID}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.read(t, func(ctx context.Context, tx *store.Tx) error {
				rows, total, err := tx.Cases(ctx, tc.f, cwToday)
				if err != nil {
					return err
				}
				if got := ids(rows); !reflect.DeepEqual(got, tc.want) || total != tc.total {
					t.Errorf("got %v total %d; want %v total %d", got, total, tc.want, tc.total)
				}
				return nil
			})
		})
	}
	// What a row carries beside the case.
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		rows, _, err := tx.Cases(ctx, store.CaseFilter{SiteIDs: A, Query: "blaze"}, cwToday)
		if err != nil {
			return err
		}
		r := rows[0]
		if r.PersonName != "John Smith" || r.PersonDOB != smith.DateOfBirth || r.CaseManagerName != "Alice Able" {
			t.Errorf("row = %+v", r)
		}
		sameCase(t, &r.Case, f.getCase(t, c1.ID))
		return nil
	})
}

func testOverdue(t *testing.T, f *cwFixture) {
	p := f.person(t, f.a, "Over", "Due", nil)
	c := f.referral(t, f.a, p, nil)
	f.active(t, c, f.cm1, cwAt(-30))
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for _, a := range []casework.Action{
			{Type: "dapo", Prong: "disrupt", Owner: "DS Hall", DueOn: cwToday.AddDays(-1), Status: casework.ActionOpen},
			{Type: "one-to-one", Prong: "change", Owner: "Alice Able", DueOn: cwToday.AddDays(-2), Status: casework.ActionInProgress},
			{Type: "housing-referral", Prong: "support", Owner: "Housing officer", DueOn: cwToday.AddDays(-3), Status: casework.ActionDone, Outcome: "Placed"},
			{Type: "mental-health", Prong: "support", Owner: "GP", DueOn: cwToday.AddDays(-3), Status: casework.ActionCancelled},
			{Type: "clares-law", Prong: "disrupt", Owner: "DC Price", DueOn: cwToday, Status: casework.ActionOpen},
			{Type: "employment", Prong: "support", Owner: "Job centre", DueOn: cwToday.AddDays(5), Status: casework.ActionOpen},
		} {
			a.CaseID = c.ID
			if err := tx.CreateAction(ctx, &a); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		day           drive.Date
		open, overdue int
	}{
		{cwToday.AddDays(-10), 4, 0},
		{cwToday.AddDays(-1), 4, 1},
		{cwToday, 4, 2},
		{cwToday.AddDays(1), 4, 3},
		{cwToday.AddDays(30), 4, 4},
	} {
		f.read(t, func(ctx context.Context, tx *store.Tx) error {
			rows, _, err := tx.Cases(ctx, store.CaseFilter{SiteIDs: []int64{f.a.ID}}, tc.day)
			if err != nil {
				return err
			}
			if len(rows) != 1 || rows[0].OpenActions != tc.open || rows[0].OverdueActions != tc.overdue {
				t.Errorf("on %s: rows %+v; want %d open, %d overdue", tc.day, rows, tc.open, tc.overdue)
			}
			// The database and the domain agree.
			as, err := tx.Actions(ctx, c.ID)
			n := 0
			for _, a := range as {
				if a.Overdue(tc.day) {
					n++
				}
			}
			if n != tc.overdue {
				t.Errorf("on %s: Action.Overdue counts %d; the list says %d", tc.day, n, tc.overdue)
			}
			return err
		})
	}
}

func rowIDs(rows []store.CaseRow) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.Case.ID)
	}
	return out
}

func testDashboard(t *testing.T, f *cwFixture) {
	mk := func(given string, site *account.Site, referred int) *casework.Case {
		return f.referral(t, site, f.person(t, site, given, "Dash", nil), func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(referred) })
	}
	contact := func(c *casework.Case, days int, kind casework.ContactKind) {
		f.write(t, func(ctx context.Context, tx *store.Tx) error {
			return tx.CreateContact(ctx, &casework.Contact{CaseID: c.ID, Kind: kind, On: cwToday.AddDays(days), Method: "phone", Summary: "Spoke about the plan"})
		})
	}
	referred := mk("Referred", f.a, -3)
	accepted := mk("Accepted", f.a, -9)
	f.move(t, accepted, casework.Accept, casework.Change{Reasons: "Serial"}, cwAt(-2))
	declined := mk("Declined", f.a, -20)
	f.move(t, declined, casework.Decline, casework.Change{Reasons: "No criterion met"}, cwAt(-2))
	// Allocated 20 days ago, never contacted (an attempt does not count).
	allocated := mk("Allocated", f.a, -40)
	f.move(t, allocated, casework.Accept, casework.Change{Reasons: "MARAC"}, cwAt(-21))
	f.move(t, allocated, casework.Allocate, casework.Change{CaseManagerID: f.cm1.ID}, cwAt(-20))
	contact(allocated, -2, casework.ContactAttempt)
	// Active since 50 days ago: review due, an overdue action, contact 13
	// days ago (not yet 14).
	busy := mk("Busy", f.a, -60)
	f.active(t, busy, f.cm1, cwAt(-50))
	contact(busy, -13, casework.OneToOne)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.CreateAction(ctx, &casework.Action{CaseID: busy.ID, Type: "bail-review", Prong: "disrupt", Owner: "PC Young", DueOn: cwToday.AddDays(-4)})
	})
	// Active, contact exactly 14 days ago, review not yet due.
	quiet := mk("Quiet", f.a, -70)
	f.active(t, quiet, f.cm2, cwAt(-30))
	contact(quiet, -14, casework.ContactMade)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.CreateReview(ctx, &casework.Review{CaseID: quiet.ID, On: cwToday.AddDays(-1), RiskLevel: "high", RiskChange: "unchanged",
			Summary: "Little progress", NextDue: cwToday.AddDays(41)})
	})
	// Closed: on no list, even with an overdue action.
	closed := mk("Closed", f.a, -200)
	f.active(t, closed, f.cm1, cwAt(-150))
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.CreateAction(ctx, &casework.Action{CaseID: closed.ID, Type: "dapo", Prong: "disrupt", Owner: "DS Hall", DueOn: cwToday.AddDays(-60)})
	})
	f.move(t, closed, casework.BeginClosure, casework.Change{ClosureReason: "completed"}, cwAt(-10))
	f.move(t, closed, casework.Close, casework.Change{ClosureReason: "completed"}, cwAt(-9))
	// A transfer from site B to A, and one from A to B.
	incoming := mk("Incoming", f.b, -100)
	f.active(t, incoming, f.cmB, cwAt(-90))
	f.move(t, incoming, casework.Transfer, casework.Change{SiteID: f.a.ID}, cwAt(-1))
	outgoing := mk("Outgoing", f.a, -100)
	f.active(t, outgoing, f.cm2, cwAt(-8))
	contact(outgoing, -1, casework.ContactMade)
	f.move(t, outgoing, casework.Transfer, casework.Change{SiteID: f.b.ID}, cwAt(-1))

	var d *store.Dashboard
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		d, err = tx.TeamDashboard(ctx, f.a.ID, cwToday, 14, 2)
		return err
	})
	for _, tc := range []struct {
		name string
		got  []store.CaseRow
		want []int64
	}{
		{"unallocated, oldest referral first", d.Unallocated, []int64{accepted.ID, referred.ID}},
		{"overdue", d.Overdue, []int64{busy.ID}},
		{"no contact, longest first", d.NoContact, []int64{allocated.ID, quiet.ID}},
		{"reviews due", d.ReviewsDue, []int64{busy.ID}},
		{"transfers in", d.TransfersIn, []int64{incoming.ID}},
	} {
		if got := rowIDs(tc.got); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s = %v; want %v", tc.name, got, tc.want)
		}
	}
	if d.OpenCases != 5 { // accepted, allocated, busy, quiet, outgoing
		t.Errorf("open cases = %d; want 5", d.OpenCases)
	}
	if len(d.Overdue) == 1 && (d.Overdue[0].OverdueActions != 1 || d.Overdue[0].PersonName != "Busy Dash" || d.Overdue[0].CaseManagerName != "Alice Able") {
		t.Errorf("overdue row = %+v", d.Overdue[0])
	}
	want := []store.Caseload{
		{UserID: f.cm1.ID, Name: "Alice Able", Open: 2, Limit: 2},
		{UserID: f.cm2.ID, Name: "Bob Baker", Open: 2, Limit: 2},
	}
	if !reflect.DeepEqual(d.Caseloads, want) {
		t.Errorf("caseloads = %+v; want %+v", d.Caseloads, want)
	}
	// One more case takes Alice over the limit.
	extra := mk("Extra", f.a, -5)
	f.active(t, extra, f.cm1, cwAt(-1))
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		d, err := tx.TeamDashboard(ctx, f.a.ID, cwToday, 14, 2)
		if err != nil {
			return err
		}
		if len(d.Caseloads) != 2 || d.Caseloads[0].Open != 3 || !d.Caseloads[0].OverLimit() || d.Caseloads[1].OverLimit() {
			t.Errorf("caseloads = %+v; want Alice over the limit of 2", d.Caseloads)
		}
		// A fortnight on, everything active has gone quiet and reviews
		// fall due.
		later, err := tx.TeamDashboard(ctx, f.a.ID, cwToday.AddDays(45), 14, 2)
		if err != nil {
			return err
		}
		if got := rowIDs(later.NoContact); len(got) != 4 {
			t.Errorf("no contact after 45 days = %v; want 4 cases", got)
		}
		if got := rowIDs(later.ReviewsDue); !reflect.DeepEqual(got, []int64{busy.ID, quiet.ID, extra.ID}) {
			t.Errorf("reviews due after 45 days = %v", got)
		}
		// Site B sees its outgoing transfer as a transfer in.
		db, err := tx.TeamDashboard(ctx, f.b.ID, cwToday, 14, 12)
		if err != nil {
			return err
		}
		if got := rowIDs(db.TransfersIn); !reflect.DeepEqual(got, []int64{outgoing.ID}) {
			t.Errorf("site B transfers in = %v", got)
		}
		if db.OpenCases != 1 || len(db.Caseloads) != 1 || db.Caseloads[0].Open != 1 {
			t.Errorf("site B dashboard = %+v", db)
		}
		return nil
	})
}

func testActions(t *testing.T, f *cwFixture) {
	c := f.referral(t, f.a, f.person(t, f.a, "Plan", "Holder", nil), nil)
	f.active(t, c, f.cm1, cwAt(-10))
	prog := programme.Drive()
	var acts []*casework.Action
	for i, code := range []string{"one-to-one", "dvpn-dvpo", "housing-referral"} {
		a := &casework.Action{CaseID: c.ID, Type: code, Owner: "Alice Able", DueOn: cwToday.AddDays(10 - 3*i), CreatedBy: f.cm1.ID}
		if err := a.Validate(prog, cwToday, true); err != nil {
			t.Fatal(err)
		}
		f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateAction(ctx, a) })
		acts = append(acts, a)
	}
	acts[1].Status, acts[1].Outcome = casework.ActionDone, "Order granted for 28 days"
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAction(ctx, acts[1]) })
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Actions(ctx, c.ID)
		if err != nil {
			return err
		}
		if len(got) != 3 || got[0].ID != acts[2].ID || got[1].ID != acts[1].ID || got[2].ID != acts[0].ID {
			t.Errorf("actions not by due date: %+v", got)
		}
		one, err := tx.Action(ctx, acts[1].ID)
		if err != nil {
			return err
		}
		w := *acts[1]
		one.CreatedAt, one.UpdatedAt, w.CreatedAt, w.UpdatedAt = normTime(one.CreatedAt), normTime(one.UpdatedAt), normTime(w.CreatedAt), normTime(w.UpdatedAt)
		if !reflect.DeepEqual(*one, w) || one.Prong != "disrupt" || one.Agency != "Police" {
			t.Errorf("action read back\n got %+v\nwant %+v", *one, w)
		}
		_, err = tx.Action(ctx, 99999)
		wantCode(t, err, drive.ENOTFOUND)
		return nil
	})
	// The database enforces what the caller's validation should have.
	for name, a := range map[string]casework.Action{
		"bad prong":          {CaseID: c.ID, Type: "x", Prong: "punish", Owner: "A", DueOn: cwToday, Status: casework.ActionOpen},
		"no owner":           {CaseID: c.ID, Type: "x", Prong: "change", Owner: "", DueOn: cwToday, Status: casework.ActionOpen},
		"no due date":        {CaseID: c.ID, Type: "x", Prong: "change", Owner: "A", Status: casework.ActionOpen},
		"bad status":         {CaseID: c.ID, Type: "x", Prong: "change", Owner: "A", DueOn: cwToday, Status: "overdue"},
		"done, no outcome":   {CaseID: c.ID, Type: "x", Prong: "change", Owner: "A", DueOn: cwToday, Status: casework.ActionDone},
		"no such case":       {CaseID: 99999, Type: "x", Prong: "change", Owner: "A", DueOn: cwToday, Status: casework.ActionOpen},
		"no type":            {CaseID: c.ID, Type: "", Prong: "change", Owner: "A", DueOn: cwToday, Status: casework.ActionOpen},
		"update, no outcome": {ID: acts[0].ID, CaseID: c.ID, Type: "x", Prong: "change", Owner: "A", DueOn: cwToday, Status: casework.ActionDone},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error {
			if a.ID != 0 {
				return tx.UpdateAction(ctx, &a)
			}
			return tx.CreateAction(ctx, &a)
		})
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err = %v; want invalid", name, err)
		}
	}
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateAction(ctx, &casework.Action{ID: 99999, Type: "x", Prong: "change", Owner: "A", DueOn: cwToday, Status: casework.ActionOpen})
	})
	wantCode(t, err, drive.ENOTFOUND)
}

func testContacts(t *testing.T, f *cwFixture) {
	c := f.referral(t, f.a, f.person(t, f.a, "Con", "Tact", nil), nil)
	f.active(t, c, f.cm1, cwAt(-30))
	last := func() *time.Time { return f.getCase(t, c.ID).LastContactAt }
	add := func(kind casework.ContactKind, days int) {
		f.write(t, func(ctx context.Context, tx *store.Tx) error {
			return tx.CreateContact(ctx, &casework.Contact{CaseID: c.ID, Kind: kind, On: cwToday.AddDays(days), Method: "in person", Summary: " Session on jealousy "})
		})
	}
	add(casework.ContactAttempt, -3)
	if last() != nil {
		t.Fatal("an attempt set the last contact")
	}
	add(casework.OneToOne, -10)
	if l := last(); l == nil || !l.Equal(cwToday.AddDays(-10).Time()) {
		t.Fatalf("last contact = %v; want %s", l, cwToday.AddDays(-10))
	}
	add(casework.PartnerContact, -1)
	add(casework.ContactMade, -5)
	if l := last(); !l.Equal(cwToday.AddDays(-5).Time()) {
		t.Fatalf("last contact = %v; want %s", l, cwToday.AddDays(-5))
	}
	add(casework.OneToOne, -20) // recorded late: does not move it back
	if l := last(); !l.Equal(cwToday.AddDays(-5).Time()) {
		t.Fatalf("a late entry moved last contact back to %v", l)
	}
	for name, ct := range map[string]casework.Contact{
		"future":     {CaseID: c.ID, Kind: casework.ContactMade, On: cwToday.AddDays(1), Summary: "x"},
		"no summary": {CaseID: c.ID, Kind: casework.ContactMade, On: cwToday},
		"bad kind":   {CaseID: c.ID, Kind: "telepathy", On: cwToday, Summary: "x"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateContact(ctx, &ct) })
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err = %v; want invalid", name, err)
		}
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		cs, err := tx.Contacts(ctx, c.ID)
		if err != nil {
			return err
		}
		var days []drive.Date
		for _, x := range cs {
			days = append(days, x.On)
		}
		want := []drive.Date{cwToday.AddDays(-1), cwToday.AddDays(-3), cwToday.AddDays(-5), cwToday.AddDays(-10), cwToday.AddDays(-20)}
		if !reflect.DeepEqual(days, want) {
			t.Errorf("contacts not newest first: %v", days)
		}
		if cs[0].Summary != "Session on jealousy" || cs[0].Method != "in person" || cs[0].Kind != casework.PartnerContact {
			t.Errorf("contact = %+v", cs[0])
		}
		return nil
	})
}

func testReviews(t *testing.T, f *cwFixture) {
	c := f.referral(t, f.a, f.person(t, f.a, "Re", "View", nil), nil)
	f.active(t, c, f.cm1, cwAt(-60))
	prog := programme.Drive()
	r1 := &casework.Review{CaseID: c.ID, On: cwToday.AddDays(-20), RiskLevel: "very_high", RiskChange: "increased", Summary: "Breach of bail",
		Needs: map[string]string{"housing": "high", "substance_use": "medium"}, CreatedBy: f.cm1.ID}
	r2 := &casework.Review{CaseID: c.ID, On: cwToday, RiskLevel: "high", RiskChange: "reduced", Summary: "Engaging with sessions", CreatedBy: f.cm1.ID}
	for _, r := range []*casework.Review{r1, r2} {
		if err := r.Validate(prog, cwToday); err != nil {
			t.Fatal(err)
		}
		f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateReview(ctx, r) })
		if got := f.getCase(t, c.ID).NextReviewDue; got != r.NextDue {
			t.Fatalf("next review due = %s; want %s", got, r.NextDue)
		}
	}
	if r2.NextDue != cwToday.AddDays(42) {
		t.Fatalf("next due = %s", r2.NextDue)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		rs, err := tx.Reviews(ctx, c.ID)
		if err != nil {
			return err
		}
		if len(rs) != 2 || rs[0].ID != r2.ID || rs[1].ID != r1.ID {
			t.Fatalf("reviews not newest first: %+v", rs)
		}
		w := *r1
		got := rs[1]
		got.CreatedAt, w.CreatedAt = normTime(got.CreatedAt), normTime(w.CreatedAt)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("review read back\n got %+v\nwant %+v", got, w)
		}
		if len(rs[0].Needs) != 0 {
			t.Errorf("needs of a review with none = %v", rs[0].Needs)
		}
		return nil
	})
	for name, r := range map[string]casework.Review{
		"bad risk":    {CaseID: c.ID, On: cwToday, RiskLevel: "extreme", RiskChange: "reduced", Summary: "x", NextDue: cwToday},
		"no summary":  {CaseID: c.ID, On: cwToday, RiskLevel: "high", RiskChange: "reduced", NextDue: cwToday},
		"no next due": {CaseID: c.ID, On: cwToday, RiskLevel: "high", RiskChange: "reduced", Summary: "x"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateReview(ctx, &r) })
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err = %v; want invalid", name, err)
		}
	}
	if got := f.getCase(t, c.ID).NextReviewDue; got != r2.NextDue {
		t.Fatalf("a refused review moved next due to %s", got)
	}
}

func testNotes(t *testing.T, f *cwFixture) {
	c1 := f.referral(t, f.a, f.person(t, f.a, "Note", "One", nil), nil)
	c2 := f.referral(t, f.a, f.person(t, f.a, "Note", "Two", nil), nil)
	first := &casework.Note{CaseID: c1.ID, Text: "  Met at the probation office; agreed weekly sessions.  ", CreatedBy: f.cm1.ID}
	other := &casework.Note{CaseID: c2.ID, Text: "Referral discussed at panel.", CreatedBy: f.lead.ID}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateNote(ctx, first, f.sealNote(first)); err != nil {
			return err
		}
		return tx.CreateNote(ctx, other, f.sealNote(other))
	})
	fix := &casework.Note{CaseID: c1.ID, Text: "Correction: fortnightly sessions, not weekly.", Amends: first.ID, CreatedBy: f.cm1.ID}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateNote(ctx, fix, f.sealNote(fix)) })
	for name, n := range map[string]casework.Note{
		"amends another case's note": {CaseID: c1.ID, Text: "x", Amends: other.ID},
		"amends no note":             {CaseID: c1.ID, Text: "x", Amends: 99999},
		"empty":                      {CaseID: c1.ID, Text: "   "},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateNote(ctx, &n, f.sealNote(&n)) })
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err = %v; want invalid", name, err)
		}
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		ns, err := tx.Notes(ctx, c1.ID)
		if err != nil {
			return err
		}
		if len(ns) != 2 || ns[0].ID != first.ID || ns[1].ID != fix.ID {
			t.Fatalf("notes = %+v; want the note and its correction, oldest first", ns)
		}
		if ns[0].Text != "" || f.openNote(t, ns[0]) != "Met at the probation office; agreed weekly sessions." || ns[0].Amends != 0 || ns[1].Amends != first.ID || ns[1].CreatedBy != f.cm1.ID {
			t.Errorf("notes = %+v", ns)
		}
		// Each sealed text opens only as its own note.
		if s, err := ns[1].Body.Parse(); err != nil {
			t.Error(err)
		} else if _, err := f.keys.Open(s, placeAAD("case_note", ns[0].ID)); err == nil {
			t.Error("a note's sealed text opens as another note")
		}
		if !ns[0].CreatedAt.Equal(Epoch.Truncate(time.Microsecond)) {
			t.Errorf("note created at %v", ns[0].CreatedAt)
		}
		return nil
	})
}

func testHistory(t *testing.T, f *cwFixture) {
	c := f.referral(t, f.a, f.person(t, f.a, "His", "Tory", nil), nil)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, Event: "referred", ToState: casework.Referred, UserID: f.lead.ID, SiteID: f.a.ID, Detail: "From MARAC"})
	})
	f.move(t, c, casework.Accept, casework.Change{Reasons: "High DASH"}, cwAt(-3))
	f.move(t, c, casework.Allocate, casework.Change{CaseManagerID: f.cm1.ID}, cwAt(-2))
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: cwAt(-1), Event: "engagement", Detail: "Engaged"})
	})
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, Event: " "})
	})
	wantCode(t, err, drive.EINVALID)
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, Event: "x", ToState: "limbo"})
	})
	wantCode(t, err, drive.EINVALID)
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		hs, err := tx.History(ctx, c.ID)
		if err != nil {
			return err
		}
		var evs []string
		for _, h := range hs {
			evs = append(evs, h.Event)
		}
		if !reflect.DeepEqual(evs, []string{"accept", "allocate", "engagement", "referred"}) {
			t.Fatalf("history events = %v; want oldest first", evs)
		}
		h := hs[3]
		if !h.At.Equal(Epoch.Truncate(time.Microsecond)) || h.FromState != "" || h.ToState != casework.Referred || h.UserID != f.lead.ID || h.SiteID != f.a.ID || h.Detail != "From MARAC" {
			t.Errorf("history entry = %+v", h)
		}
		if hs[0].FromState != casework.Referred || hs[0].ToState != casework.Accepted || hs[2].UserID != 0 {
			t.Errorf("history = %+v", hs)
		}
		return nil
	})
}

func testCaseworkRollback(t *testing.T, f *cwFixture) {
	boom := errors.New("boom")
	var caseID int64
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		p := &people.Person{SiteID: f.a.ID, GivenName: "Half", FamilyName: "Written", Aliases: []string{"Halfy"}}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		c := &casework.Case{SiteID: f.a.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromIDVA, ReferredAt: cwToday,
			Summary: "Referred by the IDVA service", Evidence: programme.Evidence{DASHScore: 15}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		caseID = c.ID
		if err := tx.CreateAction(ctx, &casework.Action{CaseID: c.ID, Type: "dapo", Prong: "disrupt", Owner: "DS Hall", DueOn: cwToday}); err != nil {
			return err
		}
		n := &casework.Note{CaseID: c.ID, Text: "First note"}
		if err := tx.CreateNote(ctx, n, f.sealNote(n)); err != nil {
			return err
		}
		if err := tx.SetSiteProgramme(ctx, f.a.ID, &programme.Programme{Code: "broken"}); err == nil {
			t.Error("an invalid programme was accepted")
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v; want boom", err)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		rows, total, err := tx.Cases(ctx, store.CaseFilter{AllSites: true}, cwToday)
		if err != nil {
			return err
		}
		ps, err := tx.PeopleAtSites(ctx, []int64{f.a.ID})
		if err != nil {
			return err
		}
		notes, err := tx.Notes(ctx, caseID)
		if err != nil {
			return err
		}
		acts, err := tx.Actions(ctx, caseID)
		if len(rows) != 0 || total != 0 || len(ps) != 0 || len(notes) != 0 || len(acts) != 0 {
			t.Errorf("after rollback: %d cases, %d people, %d notes, %d actions; want none", total, len(ps), len(notes), len(acts))
		}
		return err
	})
}

// sealNote seals a note's text for its new id, as the service does.
func (f *cwFixture) sealNote(n *casework.Note) func(int64) (store.SealedValue, error) {
	return func(id int64) (store.SealedValue, error) {
		s, err := f.keys.Seal(rand.Reader, []byte(n.Text), placeAAD("case_note", id))
		return store.SealedValueOf(s), err
	}
}

func (f *cwFixture) openNote(t *testing.T, n store.StoredNote) string {
	t.Helper()
	s, err := n.Body.Parse()
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.keys.Open(s, placeAAD("case_note", n.ID))
	if err != nil {
		t.Fatalf("open note %d: %v", n.ID, err)
	}
	return string(b)
}

// testCasePagesWalk walks every order of the case list a page at a time,
// forwards to the end and back to the start, over cases that tie on
// every value of each order (the same names in other cases, the same
// referral dates, the same times of change): every case comes once, in
// the order's sequence, with ties broken by the case id.
func testCasePagesWalk(t *testing.T, f *cwFixture) {
	names := [][2]string{{"Adam", "Hale"}, {"adam", "hale"}, {"Bob", "Hale"}, {"Carl", "Ames"}, {"Dev", "Zeller"}}
	var cases []*casework.Case
	for i := 0; i < 23; i++ {
		n := names[i%len(names)]
		p := f.person(t, f.a, n[0], n[1], nil)
		c := f.referral(t, f.a, p, func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(-(i % 4)) })
		if i%3 == 0 {
			f.active(t, c, f.cm1, cwAt(-(i % 2)))
		}
		cases = append(cases, c)
		if i%7 == 0 {
			// A second case of the same person: the same name twice.
			cases = append(cases, f.referral(t, f.a, p, func(c *casework.Case) { c.ReferredAt = cwToday.AddDays(-(i % 4)) }))
		}
	}
	// Another site's case is never walked into.
	f.referral(t, f.b, f.person(t, f.b, "Adam", "Hale", nil), nil)
	var all []store.CaseRow
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		all, _, err = tx.Cases(ctx, store.CaseFilter{SiteIDs: []int64{f.a.ID}, Limit: 1000}, cwToday)
		return err
	})
	if len(all) != len(cases) {
		t.Fatalf("%d cases listed; want %d", len(all), len(cases))
	}
	rank := map[casework.State]int{casework.Referred: 1, casework.Accepted: 2, casework.Allocated: 3, casework.Active: 4,
		casework.Closing: 5, casework.Transferred: 6, casework.Closed: 7}
	// want is the order's sequence worked out here, apart from the SQL.
	want := func(order string, rows []store.CaseRow) []int64 {
		rows = slices.Clone(rows)
		desc := strings.HasPrefix(order, "-")
		slices.SortFunc(rows, func(x, y store.CaseRow) int {
			a, b := x.Case, y.Case
			byID := cmp.Compare(a.ID, b.ID)
			var c int
			switch strings.TrimPrefix(order, "-") {
			case "referred":
				c = cmp.Compare(a.ReferredAt.String(), b.ReferredAt.String())
			case "name":
				fa, fb := strings.Fields(strings.ToLower(x.PersonName)), strings.Fields(strings.ToLower(y.PersonName))
				if c = cmp.Compare(fa[1], fb[1]); c == 0 {
					c = cmp.Compare(fa[0], fb[0])
				}
			case "updated":
				c = a.UpdatedAt.Compare(b.UpdatedAt)
			case "state":
				// The state's place, then the newest change, then the
				// highest id, whichever way the states run.
				c = cmp.Compare(rank[a.State], rank[b.State])
				if desc {
					c = -c
				}
				if c == 0 {
					c = b.UpdatedAt.Compare(a.UpdatedAt)
				}
				if c == 0 {
					c = -byID
				}
				return c
			}
			if c == 0 {
				c = byID
			}
			if desc {
				c = -c
			}
			return c
		})
		out := []int64{}
		for _, r := range rows {
			out = append(out, r.Case.ID)
		}
		return out
	}
	walk := func(t *testing.T, sf store.CaseFilter, wantIDs []int64) {
		t.Helper()
		var pages [][]int64
		for {
			var p store.CasePage
			f.read(t, func(ctx context.Context, tx *store.Tx) (err error) {
				p, err = tx.CasesPage(ctx, sf, cwToday)
				return err
			})
			if p.Total != len(wantIDs) {
				t.Fatalf("total %d; want %d", p.Total, len(wantIDs))
			}
			ids := []int64{}
			for _, r := range p.Rows {
				ids = append(ids, r.Case.ID)
			}
			pages = append(pages, ids)
			if !p.More {
				break
			}
			if len(pages) > len(wantIDs) {
				t.Fatal("the walk does not end")
			}
			cur := store.CaseCursorAt(sf.Sort, p.Rows[len(p.Rows)-1])
			sf.After = &cur
		}
		if got := slices.Concat(pages...); !slices.Equal(got, wantIDs) {
			t.Fatalf("forwards, pages %v; want %v", pages, wantIDs)
		}
		// And back from the last page's first case to the start.
		var back []int64
		first := pages[len(pages)-1]
		if len(first) == 0 {
			return
		}
		var edge store.CaseRow
		for _, r := range all {
			if r.Case.ID == first[0] {
				edge = r
			}
		}
		sf.Back = true
		for {
			cur := store.CaseCursorAt(sf.Sort, edge)
			sf.After = &cur
			var p store.CasePage
			f.read(t, func(ctx context.Context, tx *store.Tx) (err error) {
				p, err = tx.CasesPage(ctx, sf, cwToday)
				return err
			})
			ids := []int64{}
			for _, r := range p.Rows {
				ids = append(ids, r.Case.ID)
			}
			back = append(ids, back...)
			if !p.More {
				break
			}
			if len(back) > len(wantIDs) {
				t.Fatal("the walk back does not end")
			}
			edge = p.Rows[0]
		}
		if got := append(back, first...); !slices.Equal(got, wantIDs) {
			t.Fatalf("backwards, %v; want %v", got, wantIDs)
		}
	}
	for _, order := range []string{"referred", "-referred", "name", "-name", "state", "-state", "updated", "-updated"} {
		for _, limit := range []int{1, 4, 7} {
			t.Run(fmt.Sprintf("%s by %d", order, limit), func(t *testing.T) {
				walk(t, store.CaseFilter{SiteIDs: []int64{f.a.ID}, Sort: order, Limit: limit}, want(order, all))
			})
		}
	}
	var active []store.CaseRow
	for _, r := range all {
		if r.Case.State == casework.Active {
			active = append(active, r)
		}
	}
	for _, order := range []string{"state", "-state"} {
		t.Run(order+" of one state", func(t *testing.T) {
			walk(t, store.CaseFilter{SiteIDs: []int64{f.a.ID}, States: []casework.State{casework.Active}, Sort: order, Limit: 3}, want(order, active))
		})
	}
}
