package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// RunVictims runs the victim-survivors' part of the storage contract (IDVA
// cases, links and MARAC hearings, children, DASH and behaviour
// assessments, and the sealed compartment, safety plan, notes and
// contacts) against one engine, at the frozen time Epoch.
func RunVictims(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *vFixture)
	}{
		{"VictimCaseRoundTrip", testVictimCaseRoundTrip},
		{"InvalidVictimCaseChangesNothing", testInvalidVictimCase},
		{"VictimCasesFilterAndPage", testVictimCasesFilter},
		{"LinksAndMARACDates", testVictimLinks},
		{"LinkAcrossSitesRefused", testLinkAcrossSites},
		{"CompartmentStoredByteIdentical", testCompartment},
		{"CaseCompartmentsAreExactlyTheLinked", testCaseCompartments},
		{"SafetyPlanRoundTrip", testSafetyPlan},
		{"ChildrenRoundTrip", testChildren},
		{"DASHRoundTrip", testDASH},
		{"BehaviourOnePerTimePoint", testBehaviour},
		{"VictimNotesAppendOnly", testVictimNotes},
		{"IDVAContacts", testIDVAContacts},
		{"RewrapAllVisitsEveryValueOnce", testRewrapAll},
		{"NothingHalfWritten", testVictimRollback},
		{"HeldTextsReviewAndReopen", testHeldTexts},
		{"TextWritesCounted", testTextWrites},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := e.Open(t, FixedClock(Epoch))
			tc.fn(t, newVictimFixture(t, db))
		})
	}
}

// vFixture is the casework fixture with an IDVA service: two IDVAs at the
// first site and one at the second, a perpetrator case at each site and a
// second at the first, and a keyring to seal with.
type vFixture struct {
	*cwFixture
	idva1, idva2, idvaB *account.User
	caseA, caseA2       *casework.Case
	caseB               *casework.Case
	serial              int
}

func newVictimFixture(t *testing.T, db *store.DB) *vFixture {
	t.Helper()
	f := &vFixture{cwFixture: newCaseworkFixture(t, db)}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		o := &account.Organisation{Name: "IDVA Service", Kind: account.IDVAService, SiteIDs: []int64{f.a.ID, f.b.ID}}
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		mk := func(name, display string, site int64) (*account.User, error) {
			u := &account.User{Username: name, DisplayName: display, OrganisationID: o.ID, PasswordHash: "hash",
				Roles: []account.RoleAssignment{{Role: access.IDVA, SiteID: site}}}
			return u, tx.CreateUser(ctx, u)
		}
		var err error
		if f.idva1, err = mk("idva1", "Ida One", f.a.ID); err != nil {
			return err
		}
		if f.idva2, err = mk("idva2", "Ivy Two", f.a.ID); err != nil {
			return err
		}
		f.idvaB, err = mk("idvab", "Iris Bee", f.b.ID)
		return err
	})
	f.caseA = f.referral(t, f.a, f.person(t, f.a, "Perry", "Able", nil), nil)
	f.caseA2 = f.referral(t, f.a, f.person(t, f.a, "Percy", "Baker", nil), nil)
	f.caseB = f.referral(t, f.b, f.person(t, f.b, "Peter", "Cole", nil), nil)
	return f
}

// victim creates a victim-survivor's case at site, open with IDVA idva.
func (f *vFixture) victim(t *testing.T, site *account.Site, given, family string, idva *account.User, mod func(v *victim.Case)) *victim.Case {
	t.Helper()
	f.serial++
	v := &victim.Case{SiteID: site.ID, GivenName: given, FamilyName: family, DateOfBirth: drive.MustDate("1990-01-01").AddDays(f.serial),
		Gender: "female", OpenedOn: cwToday.AddDays(-20)}
	if idva != nil {
		v.IDVAID = idva.ID
	}
	if mod != nil {
		mod(v)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateVictimCase(ctx, v) })
	return v
}

func (f *vFixture) link(t *testing.T, v *victim.Case, c *casework.Case, dates ...drive.Date) {
	t.Helper()
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.LinkVictim(ctx, victim.Link{VictimCaseID: v.ID, PerpetratorCase: c.ID, Relationship: victim.ExPartner, MARACDates: dates})
	})
}

func (f *vFixture) seal(t *testing.T, plaintext string, aad []byte) store.SealedValue {
	t.Helper()
	s, err := f.keys.Seal(rand.Reader, []byte(plaintext), aad)
	if err != nil {
		t.Fatal(err)
	}
	return store.SealedValueOf(s)
}

func (f *vFixture) open(t *testing.T, v store.SealedValue, aad []byte) string {
	t.Helper()
	s, err := v.Parse()
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.keys.Open(s, aad)
	if err != nil {
		t.Fatalf("open %s: %v", aad, err)
	}
	return string(b)
}

// sameBytes fails unless the stored value is exactly what was given.
func sameBytes(t *testing.T, got, want store.SealedValue) {
	t.Helper()
	if !bytes.Equal(got.Data, want.Data) || got.KeyID != want.KeyID {
		t.Fatalf("stored value changed: got %d bytes under %q, want %d bytes under %q", len(got.Data), got.KeyID, len(want.Data), want.KeyID)
	}
}

func normVictim(v victim.Case) victim.Case {
	v.CreatedAt, v.UpdatedAt = normTime(v.CreatedAt), normTime(v.UpdatedAt)
	return v
}

func (f *vFixture) getVictim(t *testing.T, id int64) *victim.Case {
	t.Helper()
	var v *victim.Case
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		v, err = tx.VictimCase(ctx, id)
		return err
	})
	return v
}

func testVictimCaseRoundTrip(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "  Amy ", "Walsh", f.idva1, func(v *victim.Case) {
		v.Ethnicity, v.SexualOrientation, v.Disability = "white", "bisexual", "yes"
	})
	if v.ID == 0 || !v.Open || !v.CreatedAt.Equal(Epoch.Truncate(time.Microsecond)) || !v.UpdatedAt.Equal(v.CreatedAt) {
		t.Fatalf("created = %+v", v)
	}
	if v.GivenName != "Amy" {
		t.Fatalf("name not tidied: %q", v.GivenName)
	}
	if got := f.getVictim(t, v.ID); !reflect.DeepEqual(normVictim(*got), normVictim(*v)) {
		t.Fatalf("read back\n got %+v\nwant %+v", normVictim(*got), normVictim(*v))
	}
	// A case with nothing said about equality answers "not known"; an
	// unallocated case has IDVA 0.
	w := f.victim(t, f.a, "Bea", "Stone", nil, func(v *victim.Case) { v.Gender, v.DateOfBirth = "", drive.Date{} })
	got := f.getVictim(t, w.ID)
	if got.Gender != "not_known" || got.IDVAID != 0 || !got.DateOfBirth.IsZero() || got.OpenedOn != cwToday.AddDays(-20) {
		t.Fatalf("defaults read back = %+v", got)
	}
	// Reallocate and close.
	v.IDVAID, v.Open, v.ClosedOn, v.FamilyName = f.idva2.ID, false, cwToday.AddDays(-1), "Walsh-Reid"
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateVictimCase(ctx, v) })
	if got := f.getVictim(t, v.ID); !reflect.DeepEqual(normVictim(*got), normVictim(*v)) || got.Open {
		t.Fatalf("updated read back\n got %+v\nwant %+v", normVictim(*got), normVictim(*v))
	}
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.VictimCase(ctx, 99999)
		return err
	})
	wantCode(t, err, drive.ENOTFOUND)
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateVictimCase(ctx, &victim.Case{ID: 99999, SiteID: f.a.ID, GivenName: "No", FamilyName: "One"})
	})
	wantCode(t, err, drive.ENOTFOUND)
	moved := *v
	moved.SiteID = f.b.ID
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UpdateVictimCase(ctx, &moved) })
	wantField(t, err, "site")
}

func (f *vFixture) countVictims(t *testing.T) int {
	t.Helper()
	var n int
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		_, n, err = tx.VictimCases(ctx, store.VictimFilter{SiteIDs: []int64{f.a.ID, f.b.ID}})
		return err
	})
	return n
}

func testInvalidVictimCase(t *testing.T, f *vFixture) {
	base := victim.Case{SiteID: f.a.ID, GivenName: "Ann", FamilyName: "Lee"}
	for name, tc := range map[string]struct {
		mod   func(v *victim.Case)
		field string
	}{
		"no name":           {func(v *victim.Case) { v.GivenName = " " }, "given_name"},
		"no family name":    {func(v *victim.Case) { v.FamilyName = "" }, "family_name"},
		"born tomorrow":     {func(v *victim.Case) { v.DateOfBirth = cwToday.AddDays(1) }, "date_of_birth"},
		"opens tomorrow":    {func(v *victim.Case) { v.OpenedOn = cwToday.AddDays(1) }, "opened_on"},
		"bad gender":        {func(v *victim.Case) { v.Gender = "martian" }, "gender"},
		"bad ethnicity":     {func(v *victim.Case) { v.Ethnicity = "x" }, "ethnicity"},
		"open and closed":   {func(v *victim.Case) { v.Open, v.ClosedOn = true, cwToday }, "closed_on"},
		"closes tomorrow":   {func(v *victim.Case) { v.ClosedOn = cwToday.AddDays(1) }, "closed_on"},
		"closes before":     {func(v *victim.Case) { v.OpenedOn, v.ClosedOn = cwToday.AddDays(-3), cwToday.AddDays(-5) }, "closed_on"},
		"unknown site":      {func(v *victim.Case) { v.SiteID = 99999 }, ""},
		"unknown IDVA user": {func(v *victim.Case) { v.IDVAID = 99999 }, ""},
	} {
		v := base
		tc.mod(&v)
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateVictimCase(ctx, &v) })
		if tc.field == "" {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("%s: err = %v; want invalid", name, err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("%s: created", name)
		}
		wantField(t, err, tc.field)
	}
	if n := f.countVictims(t); n != 0 {
		t.Fatalf("victim-survivors after refused creates = %d; want 0", n)
	}
	v := f.victim(t, f.a, "Kept", "Intact", f.idva1, nil)
	bad := *v
	bad.GivenName, bad.Open = "", false
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UpdateVictimCase(ctx, &bad) })
	wantCode(t, err, drive.EINVALID)
	if got := f.getVictim(t, v.ID); got.GivenName != "Kept" || !got.Open {
		t.Fatalf("a refused update changed the case: %+v", got)
	}
}

func testVictimCasesFilter(t *testing.T, f *vFixture) {
	zoe := f.victim(t, f.a, "Zoe", "Adams", f.idva1, nil)
	amy := f.victim(t, f.a, "Amy", "baker", f.idva2, nil)
	cat := f.victim(t, f.a, "Cat", "Baker", f.idva1, func(v *victim.Case) { v.ClosedOn = cwToday })
	dee := f.victim(t, f.a, "Dee", "Young", nil, nil)
	eve := f.victim(t, f.b, "Eve", "Able", f.idvaB, nil)
	ids := func(vs []victim.Case) []int64 {
		out := []int64{}
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	A := []int64{f.a.ID}
	for _, tc := range []struct {
		name  string
		f     store.VictimFilter
		want  []int64
		total int
	}{
		{"site by name", store.VictimFilter{SiteIDs: A}, []int64{zoe.ID, amy.ID, cat.ID, dee.ID}, 4},
		{"both sites", store.VictimFilter{SiteIDs: []int64{f.a.ID, f.b.ID}}, []int64{eve.ID, zoe.ID, amy.ID, cat.ID, dee.ID}, 5},
		{"no sites", store.VictimFilter{}, []int64{}, 0},
		{"IDVA", store.VictimFilter{SiteIDs: A, IDVAID: f.idva1.ID}, []int64{zoe.ID, cat.ID}, 2},
		{"IDVA open", store.VictimFilter{SiteIDs: A, IDVAID: f.idva1.ID, OpenOnly: true}, []int64{zoe.ID}, 1},
		{"open", store.VictimFilter{SiteIDs: A, OpenOnly: true}, []int64{zoe.ID, amy.ID, dee.ID}, 3},
		{"IDVA elsewhere", store.VictimFilter{SiteIDs: A, IDVAID: f.idvaB.ID}, []int64{}, 0},
		{"page 1", store.VictimFilter{SiteIDs: A, Limit: 3}, []int64{zoe.ID, amy.ID, cat.ID}, 4},
		{"page 2", store.VictimFilter{SiteIDs: A, Limit: 3, AfterID: cat.ID}, []int64{dee.ID}, 4},
		{"past the end", store.VictimFilter{SiteIDs: A, Limit: 3, AfterID: dee.ID}, []int64{}, 4},
		{"after one name", store.VictimFilter{SiteIDs: A, AfterID: zoe.ID}, []int64{amy.ID, cat.ID, dee.ID}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.read(t, func(ctx context.Context, tx *store.Tx) error {
				got, total, err := tx.VictimCases(ctx, tc.f)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(ids(got), tc.want) || total != tc.total {
					t.Errorf("got %v total %d; want %v total %d", ids(got), total, tc.want, tc.total)
				}
				return nil
			})
		})
	}
}

func testVictimLinks(t *testing.T, f *vFixture) {
	v1 := f.victim(t, f.a, "Amy", "One", f.idva1, nil)
	v2 := f.victim(t, f.a, "Bea", "Two", f.idva2, nil)
	d1, d2 := cwToday.AddDays(-200), cwToday.AddDays(-30)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.LinkVictim(ctx, victim.Link{VictimCaseID: v1.ID, PerpetratorCase: f.caseA.ID, Relationship: victim.CurrentPartner,
			LivingTogether: true, MARACDates: []drive.Date{d2, d1, d2}})
	})
	f.link(t, v1, f.caseA2)
	f.link(t, v2, f.caseA)
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.LinkVictim(ctx, victim.Link{VictimCaseID: v1.ID, PerpetratorCase: f.caseA.ID, Relationship: victim.ExPartner})
	})
	wantCode(t, err, drive.ECONFLICT)
	for name, tc := range map[string]struct {
		l     victim.Link
		field string
	}{
		"relationship":  {victim.Link{VictimCaseID: v2.ID, PerpetratorCase: f.caseA2.ID, Relationship: "lodger"}, "relationship"},
		"no victim":     {victim.Link{VictimCaseID: 99999, PerpetratorCase: f.caseA2.ID, Relationship: victim.ExPartner}, "victim"},
		"no case":       {victim.Link{VictimCaseID: v2.ID, PerpetratorCase: 99999, Relationship: victim.ExPartner}, "case"},
		"future MARAC":  {victim.Link{VictimCaseID: v2.ID, PerpetratorCase: f.caseA2.ID, Relationship: victim.ExPartner, MARACDates: []drive.Date{cwToday.AddDays(1)}}, "marac_dates"},
		"missing MARAC": {victim.Link{VictimCaseID: v2.ID, PerpetratorCase: f.caseA2.ID, Relationship: victim.ExPartner, MARACDates: []drive.Date{{}}}, "marac_dates"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.LinkVictim(ctx, tc.l) })
		if err == nil {
			t.Fatalf("%s: linked", name)
		}
		wantField(t, err, tc.field)
	}
	d3 := cwToday
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.AddMARACDate(ctx, v2.ID, f.caseA.ID, d3) })
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.AddMARACDate(ctx, v2.ID, f.caseA.ID, d3) })
	wantCode(t, err, drive.ECONFLICT)
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.AddMARACDate(ctx, v2.ID, f.caseA2.ID, d3) })
	wantCode(t, err, drive.ENOTFOUND)
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.AddMARACDate(ctx, v2.ID, f.caseA.ID, cwToday.AddDays(1))
	})
	wantCode(t, err, drive.EINVALID)

	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.VictimLinks(ctx, v1.ID)
		if err != nil {
			return err
		}
		want := []victim.Link{
			{VictimCaseID: v1.ID, PerpetratorCase: f.caseA.ID, Relationship: victim.CurrentPartner, LivingTogether: true, MARACDates: []drive.Date{d1, d2}},
			{VictimCaseID: v1.ID, PerpetratorCase: f.caseA2.ID, Relationship: victim.ExPartner},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("victim links\n got %+v\nwant %+v", got, want)
		}
		got, err = tx.CaseVictimLinks(ctx, f.caseA.ID)
		if err != nil {
			return err
		}
		want = []victim.Link{
			{VictimCaseID: v1.ID, PerpetratorCase: f.caseA.ID, Relationship: victim.CurrentPartner, LivingTogether: true, MARACDates: []drive.Date{d1, d2}},
			{VictimCaseID: v2.ID, PerpetratorCase: f.caseA.ID, Relationship: victim.ExPartner, MARACDates: []drive.Date{d3}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case links\n got %+v\nwant %+v", got, want)
		}
		if got, err := tx.CaseVictimLinks(ctx, f.caseB.ID); err != nil || len(got) != 0 {
			t.Errorf("links of an unlinked case = %+v, %v", got, err)
		}
		return nil
	})
	// The IDVAs the policy counts as allocated to his case: those of the
	// victim-survivors linked to it, in the order of their cases, and
	// none for one who has no IDVA.
	v3 := f.victim(t, f.a, "Cat", "Three", nil, nil)
	f.link(t, v3, f.caseA2)
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		for _, tc := range []struct {
			name string
			c    int64
			want []int64
		}{
			{"two victim-survivors", f.caseA.ID, []int64{f.idva1.ID, f.idva2.ID}},
			{"one with an IDVA, one without", f.caseA2.ID, []int64{f.idva1.ID}},
			{"none linked", f.caseB.ID, nil},
		} {
			got, err := tx.CaseVictimIDVAs(ctx, tc.c)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("IDVAs of a case with %s = %v; want %v", tc.name, got, tc.want)
			}
		}
		return nil
	})
}

func testLinkAcrossSites(t *testing.T, f *vFixture) {
	va := f.victim(t, f.a, "Amy", "Here", f.idva1, nil)
	vb := f.victim(t, f.b, "Bea", "There", f.idvaB, nil)
	for _, l := range []victim.Link{
		{VictimCaseID: va.ID, PerpetratorCase: f.caseB.ID, Relationship: victim.ExPartner},
		{VictimCaseID: vb.ID, PerpetratorCase: f.caseA.ID, Relationship: victim.ExPartner},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.LinkVictim(ctx, l) })
		wantField(t, err, "case")
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		for _, id := range []int64{va.ID, vb.ID} {
			if ls, err := tx.VictimLinks(ctx, id); err != nil || len(ls) != 0 {
				t.Errorf("victim-survivor %d links after refusals = %+v, %v", id, ls, err)
			}
		}
		return nil
	})
}

func testCompartment(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	get := func() (store.SealedValue, error) {
		var got store.SealedValue
		err := f.try(func(ctx context.Context, tx *store.Tx) error {
			var err error
			got, err = tx.Compartment(ctx, v.ID)
			return err
		})
		return got, err
	}
	_, err := get()
	wantCode(t, err, drive.ENOTFOUND)
	comp := victim.Compartment{Addresses: []victim.Address{{Line1: "14 Larkspur Close", Postcode: "NM14 3QT", Current: true}}, Phones: []string{"07700 900123"}}
	body, _ := json.Marshal(comp)
	sv := f.seal(t, string(body), placeAAD("compartment", v.ID))
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.SetCompartment(ctx, v.ID, sv, f.idva1.ID) })
	got, err := get()
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, got, sv)
	var back victim.Compartment
	if err := json.Unmarshal([]byte(f.open(t, got, placeAAD("compartment", v.ID))), &back); err != nil || !reflect.DeepEqual(back, comp) {
		t.Fatalf("opened compartment = %+v, %v", back, err)
	}
	// Replacing it keeps only the new one.
	sv2 := f.seal(t, `{"phones":["07700 900999"]}`, placeAAD("compartment", v.ID))
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.SetCompartment(ctx, v.ID, sv2, f.idva2.ID) })
	got, _ = get()
	sameBytes(t, got, sv2)
	// Plaintext, a wrong key id, and an unknown case are refused.
	for name, bad := range map[string]store.SealedValue{
		"plaintext":    {Data: body, KeyID: sv.KeyID},
		"empty":        {},
		"wrong key id": {Data: sv.Data, KeyID: "0123456789abcdef"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.SetCompartment(ctx, v.ID, bad, f.idva1.ID) })
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err = %v; want invalid", name, err)
		}
	}
	err = f.try(func(ctx context.Context, tx *store.Tx) error { return tx.SetCompartment(ctx, 99999, sv, f.idva1.ID) })
	wantCode(t, err, drive.ENOTFOUND)
	got, _ = get()
	sameBytes(t, got, sv2)
}

func testCaseCompartments(t *testing.T, f *vFixture) {
	v1 := f.victim(t, f.a, "Amy", "One", f.idva1, nil)
	v2 := f.victim(t, f.a, "Bea", "Two", f.idva1, nil)
	v3 := f.victim(t, f.a, "Cat", "Three", f.idva1, nil) // linked to the other case
	v4 := f.victim(t, f.a, "Dee", "Four", f.idva1, nil)  // linked to nothing
	v5 := f.victim(t, f.a, "Eve", "Five", f.idva1, nil)  // linked, no compartment
	f.link(t, v1, f.caseA)
	f.link(t, v2, f.caseA)
	f.link(t, v3, f.caseA2)
	f.link(t, v5, f.caseA)
	want := map[int64]store.SealedValue{}
	for _, v := range []*victim.Case{v1, v2, v3, v4} {
		sv := f.seal(t, fmt.Sprintf(`{"phones":["07700 900%03d"]}`, v.ID), placeAAD("compartment", v.ID))
		f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.SetCompartment(ctx, v.ID, sv, f.idva1.ID) })
		if v == v1 || v == v2 {
			want[v.ID] = sv
		}
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.CaseCompartments(ctx, f.caseA.ID)
		if err != nil {
			return err
		}
		if len(got) != len(want) {
			t.Fatalf("case compartments for %d victim-survivors; want %d", len(got), len(want))
		}
		for id, sv := range want {
			sameBytes(t, got[id], sv)
		}
		if got, err := tx.CaseCompartments(ctx, f.caseB.ID); err != nil || len(got) != 0 {
			t.Errorf("compartments of an unlinked case = %d, %v", len(got), err)
		}
		return nil
	})
}

func testSafetyPlan(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	get := func() (store.SealedValue, error) {
		var got store.SealedValue
		err := f.try(func(ctx context.Context, tx *store.Tx) error {
			var err error
			got, err = tx.SafetyPlan(ctx, v.ID)
			return err
		})
		return got, err
	}
	_, err := get()
	wantCode(t, err, drive.ENOTFOUND)
	for _, text := range []string{"Code word: blue umbrella.", "Code word: pancakes. Police marker on 14 Larkspur Close."} {
		sv := f.seal(t, text, placeAAD("safety_plan", v.ID))
		f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.SetSafetyPlan(ctx, v.ID, sv, f.idva1.ID) })
		got, err := get()
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, got, sv)
		if f.open(t, got, placeAAD("safety_plan", v.ID)) != text {
			t.Fatal("safety plan does not open to what was sealed")
		}
	}
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.SetSafetyPlan(ctx, v.ID, store.SealedValue{Data: []byte("plain text"), KeyID: f.keys.Current().ID()}, f.idva1.ID)
	})
	wantCode(t, err, drive.EINVALID)
}

func testChildren(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	other := f.victim(t, f.a, "Bea", "Stone", f.idva1, nil)
	f.link(t, v, f.caseA)
	f.link(t, other, f.caseA2)
	kids := []*victim.Child{
		{VictimCaseID: v.ID, PerpetratorCase: f.caseA.ID, GivenName: " Lily ", DateOfBirth: cwToday.AddDays(-3 * 365), Relationship: "both", SocialCare: "child_protection"},
		{VictimCaseID: v.ID, GivenName: "Noah", DateOfBirth: cwToday.AddDays(-12 * 365), Relationship: "victim", SocialCare: "none"},
		{VictimCaseID: other.ID, PerpetratorCase: f.caseA2.ID, GivenName: "Ruby", DateOfBirth: cwToday.AddDays(-5 * 365), Relationship: "both", SocialCare: "early_help"},
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for _, k := range kids {
			if err := tx.CreateChild(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	for name, tc := range map[string]struct {
		ch    victim.Child
		field string
	}{
		"no name":        {victim.Child{VictimCaseID: v.ID, DateOfBirth: cwToday, Relationship: "both", SocialCare: "none"}, "child_name"},
		"unborn":         {victim.Child{VictimCaseID: v.ID, GivenName: "X", DateOfBirth: cwToday.AddDays(1), Relationship: "both", SocialCare: "none"}, "child_dob"},
		"bad status":     {victim.Child{VictimCaseID: v.ID, GivenName: "X", DateOfBirth: cwToday, Relationship: "both", SocialCare: "maybe"}, "child_social_care"},
		"unlinked case":  {victim.Child{VictimCaseID: v.ID, PerpetratorCase: f.caseA2.ID, GivenName: "X", DateOfBirth: cwToday, Relationship: "both", SocialCare: "none"}, "child_case"},
		"no such victim": {victim.Child{VictimCaseID: 99999, GivenName: "X", DateOfBirth: cwToday, Relationship: "both", SocialCare: "none"}, "victim"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateChild(ctx, &tc.ch) })
		if err == nil {
			t.Fatalf("%s: created", name)
		}
		wantField(t, err, tc.field)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Children(ctx, v.ID)
		if err != nil {
			return err
		}
		want := []victim.Child{*kids[1], *kids[0]} // eldest first
		if !reflect.DeepEqual(got, want) || got[1].GivenName != "Lily" {
			t.Errorf("children\n got %+v\nwant %+v", got, want)
		}
		got, err = tx.CaseChildren(ctx, f.caseA.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, []victim.Child{*kids[0]}) {
			t.Errorf("case children = %+v; want only the child linked to the case", got)
		}
		return nil
	})
}

// dashAnswers answers every DASH question: yes to the first yes of them,
// no to the rest.
func dashAnswers(q *risk.Questionnaire, yes int) map[string]risk.Answer {
	out := map[string]risk.Answer{}
	for i, x := range q.Questions {
		out[x.ID] = risk.No
		if i < yes {
			out[x.ID] = risk.Yes
		}
	}
	return out
}

func testDASH(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	q := risk.DASH2009()
	later := &risk.Assessment{VictimID: v.ID, Questionnaire: q.Code, Version: q.Version, Answers: dashAnswers(q, 9),
		AssessedOn: cwToday, AssessedBy: f.idva1.ID}
	first := &risk.Assessment{VictimID: v.ID, Questionnaire: q.Code, Version: q.Version, Answers: dashAnswers(q, 12),
		AssessedOn: cwToday.AddDays(-90), AssessedBy: f.idva1.ID, ProfessionalJudgement: "high", JudgementReason: "Strangulation last month",
		Comments: map[string]string{"q8": "He waits outside 14 Larkspur Close"}}
	first.Answers["q8"], first.Answers["s4"] = risk.Yes, risk.Yes
	first.Answers["q24"] = risk.DontKnow
	comments, _ := json.Marshal(first.Comments)
	sv := f.seal(t, string(comments), placeAAD("dash", v.ID))
	resLater, resFirst := q.Score(*later), q.Score(*first)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.SaveDASH(ctx, later, resLater, store.SealedValue{}); err != nil {
			return err
		}
		return tx.SaveDASH(ctx, first, resFirst, sv)
	})
	if first.ID == 0 || later.ID == 0 {
		t.Fatal("ids not set")
	}
	// Refused: a result that does not match, plaintext comments, answers
	// missing, a future date.
	bad := *later
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		r := resLater
		r.Score++
		return tx.SaveDASH(ctx, &bad, r, store.SealedValue{})
	})
	wantField(t, err, "result")
	bad = *later
	bad.Comments = map[string]string{"q1": "bruises"}
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveDASH(ctx, &bad, resLater, store.SealedValue{})
	})
	wantCode(t, err, drive.EINVALID)
	bad = *later
	bad.Answers = map[string]risk.Answer{"q1": risk.Yes}
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveDASH(ctx, &bad, q.Score(bad), store.SealedValue{})
	})
	wantField(t, err, "answers.q2")
	bad = *later
	bad.AssessedOn = cwToday.AddDays(1)
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveDASH(ctx, &bad, resLater, store.SealedValue{})
	})
	wantField(t, err, "assessed_on")

	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.DASHAssessments(ctx, v.ID)
		if err != nil {
			return err
		}
		if len(got) != 2 {
			t.Fatalf("%d assessments; want 2", len(got))
		}
		wantFirst := *first
		wantFirst.Comments = nil
		if !reflect.DeepEqual(got[0].Assessment, wantFirst) || !reflect.DeepEqual(got[0].Result, resFirst) {
			t.Errorf("first (oldest) assessment\n got %+v %+v\nwant %+v %+v", got[0].Assessment, got[0].Result, wantFirst, resFirst)
		}
		if !resFirst.ProfessionalJudgementRaised || got[0].Result.EffectiveLevel.Code != "high" {
			t.Errorf("judgement not kept: %+v", got[0].Result)
		}
		sameBytes(t, got[0].Comments, sv)
		if f.open(t, got[0].Comments, placeAAD("dash", v.ID)) != string(comments) {
			t.Error("comments do not open to what was sealed")
		}
		if !reflect.DeepEqual(got[1].Assessment, *later) || !reflect.DeepEqual(got[1].Result, resLater) || !got[1].Comments.IsZero() {
			t.Errorf("later assessment = %+v", got[1])
		}
		if got, err := tx.DASHAssessments(ctx, 99999); err != nil || len(got) != 0 {
			t.Errorf("assessments of no one = %+v, %v", got, err)
		}
		return nil
	})
}

func testBehaviour(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	w := f.victim(t, f.a, "Bea", "Stone", f.idva2, nil)
	f.link(t, v, f.caseA)
	f.link(t, v, f.caseA2)
	f.link(t, w, f.caseA)
	mk := func(victimID int64, c *casework.Case, tp string, on drive.Date) *risk.BehaviourAssessment {
		return &risk.BehaviourAssessment{VictimID: victimID, CaseID: c.ID, TimePoint: tp, Physical: risk.Used, Sexual: risk.NotUsed,
			Stalking: risk.NotKnown, Controlling: risk.Used, AssessedOn: on, AssessedBy: f.idva1.ID}
	}
	t1 := mk(v.ID, f.caseA, "T1", cwToday.AddDays(-100))
	t3 := mk(v.ID, f.caseA, "T3", cwToday.AddDays(-1))
	t3.Physical, t3.RiskChange = risk.NotUsed, risk.RiskReducedSignificantly
	other := mk(v.ID, f.caseA2, "T1", cwToday.AddDays(-50))
	wT1 := mk(w.ID, f.caseA, "T1", cwToday.AddDays(-60))
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for _, b := range []*risk.BehaviourAssessment{t1, t3, other, wT1} {
			if err := tx.SaveBehaviour(ctx, b); err != nil {
				return err
			}
		}
		return nil
	})
	again := mk(v.ID, f.caseA, "T1", cwToday)
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.SaveBehaviour(ctx, again) })
	wantCode(t, err, drive.ECONFLICT)
	for name, tc := range map[string]struct {
		b     *risk.BehaviourAssessment
		field string
	}{
		"not linked":         {mk(w.ID, f.caseA2, "T1", cwToday), "victim"},
		"unknown time point": {mk(v.ID, f.caseA, "T9", cwToday), "time_point"},
		"no such case":       {&risk.BehaviourAssessment{VictimID: v.ID, CaseID: 99999, TimePoint: "T1", Physical: risk.Used, Sexual: risk.Used, Stalking: risk.Used, Controlling: risk.Used, AssessedOn: cwToday, AssessedBy: f.idva1.ID}, "case"},
		"risk change at T1": {func() *risk.BehaviourAssessment {
			b := mk(w.ID, f.caseA, "T2", cwToday)
			b.RiskChange = risk.RiskNoChange
			return b
		}(), "risk_change"},
		"unanswered": {func() *risk.BehaviourAssessment { b := mk(w.ID, f.caseA, "T2", cwToday); b.Sexual = ""; return b }(), "sexual"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.SaveBehaviour(ctx, tc.b) })
		if err == nil {
			t.Fatalf("%s: saved", name)
		}
		wantField(t, err, tc.field)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Behaviours(ctx, v.ID)
		if err != nil {
			return err
		}
		if want := []risk.BehaviourAssessment{*t1, *other, *t3}; !reflect.DeepEqual(got, want) {
			t.Errorf("victim's behaviours\n got %+v\nwant %+v", got, want)
		}
		got, err = tx.CaseBehaviours(ctx, f.caseA.ID)
		if err != nil {
			return err
		}
		if want := []risk.BehaviourAssessment{*t1, *wT1, *t3}; !reflect.DeepEqual(got, want) {
			t.Errorf("case behaviours\n got %+v\nwant %+v", got, want)
		}
		return nil
	})
}

func testVictimNotes(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	w := f.victim(t, f.a, "Bea", "Stone", f.idva1, nil)
	n1 := &store.SealedEntry{VictimCaseID: v.ID, Body: f.seal(t, "Moved to 14 Larkspur Close", placeAAD("victim_note", v.ID)), CreatedBy: f.idva1.ID}
	n2 := &store.SealedEntry{VictimCaseID: v.ID, Kind: "safeguarding", On: cwToday.AddDays(-3), Body: f.seal(t, "School informed", placeAAD("victim_note", v.ID)), CreatedBy: f.idva1.ID}
	wn := &store.SealedEntry{VictimCaseID: w.ID, Body: f.seal(t, "First call", placeAAD("victim_note", w.ID)), CreatedBy: f.idva1.ID}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for _, n := range []*store.SealedEntry{n1, n2, wn} {
			if err := tx.AddVictimNote(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if n1.Kind != "note" || n1.On != cwToday || n1.ID == 0 {
		t.Fatalf("defaults not set: %+v", n1)
	}
	fix := &store.SealedEntry{VictimCaseID: v.ID, Amends: n1.ID, Body: f.seal(t, "Correction: 41 Larkspur Close", placeAAD("victim_note", v.ID)), CreatedBy: f.idva2.ID}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.AddVictimNote(ctx, fix) })
	for name, tc := range map[string]struct {
		e     store.SealedEntry
		field string
	}{
		"amends another victim's note": {store.SealedEntry{VictimCaseID: w.ID, Amends: n1.ID, Body: wn.Body}, "amends"},
		"amends no note":               {store.SealedEntry{VictimCaseID: v.ID, Amends: 99999, Body: n1.Body}, "amends"},
		"future":                       {store.SealedEntry{VictimCaseID: v.ID, On: cwToday.AddDays(1), Body: n1.Body}, "on"},
		"bad kind":                     {store.SealedEntry{VictimCaseID: v.ID, Kind: "Not A Kind", Body: n1.Body}, "kind"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.AddVictimNote(ctx, &tc.e) })
		if err == nil {
			t.Fatalf("%s: added", name)
		}
		wantField(t, err, tc.field)
	}
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.AddVictimNote(ctx, &store.SealedEntry{VictimCaseID: v.ID, Body: store.SealedValue{Data: []byte("plain"), KeyID: n1.Body.KeyID}})
	})
	wantCode(t, err, drive.EINVALID)
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.VictimNotes(ctx, v.ID)
		if err != nil {
			return err
		}
		if len(got) != 3 {
			t.Fatalf("%d notes; want 3", len(got))
		}
		for i, want := range []*store.SealedEntry{n1, n2, fix} {
			g := got[i]
			sameBytes(t, g.Body, want.Body)
			if g.ID != want.ID || g.VictimCaseID != v.ID || g.Amends != want.Amends || g.CreatedBy != want.CreatedBy || g.On != want.On ||
				g.Kind != want.Kind || !g.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("note %d\n got %+v\nwant %+v", i, g, *want)
			}
		}
		if f.open(t, got[2].Body, placeAAD("victim_note", v.ID)) != "Correction: 41 Larkspur Close" {
			t.Error("correction does not open")
		}
		if got, _ := tx.VictimNotes(ctx, w.ID); len(got) != 1 {
			t.Errorf("the other victim-survivor has %d notes; want 1", len(got))
		}
		return nil
	})
}

func testIDVAContacts(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	var added []*store.SealedEntry
	for i, kind := range store.IDVAContactKinds() {
		e := &store.SealedEntry{VictimCaseID: v.ID, Kind: kind, On: cwToday.AddDays(-10 + i), CreatedBy: f.idva1.ID,
			Body: f.seal(t, "Contact by "+kind, placeAAD("idva_contact", v.ID))}
		added = append(added, e)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for i := len(added) - 1; i >= 0; i-- { // written newest first, read oldest first
			if err := tx.AddIDVAContact(ctx, added[i]); err != nil {
				return err
			}
		}
		return nil
	})
	body := added[0].Body
	for name, tc := range map[string]struct {
		e     store.SealedEntry
		field string
	}{
		"kind":    {store.SealedEntry{VictimCaseID: v.ID, Kind: "letter", On: cwToday, Body: body}, "kind"},
		"no date": {store.SealedEntry{VictimCaseID: v.ID, Kind: "call", Body: body}, "on"},
		"future":  {store.SealedEntry{VictimCaseID: v.ID, Kind: "call", On: cwToday.AddDays(1), Body: body}, "on"},
		"amends":  {store.SealedEntry{VictimCaseID: v.ID, Kind: "call", On: cwToday, Amends: added[0].ID, Body: body}, "amends"},
	} {
		err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.AddIDVAContact(ctx, &tc.e) })
		if err == nil {
			t.Fatalf("%s: added", name)
		}
		wantField(t, err, tc.field)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.IDVAContacts(ctx, v.ID)
		if err != nil {
			return err
		}
		if len(got) != len(added) {
			t.Fatalf("%d contacts; want %d", len(got), len(added))
		}
		for i, want := range added {
			g := got[i]
			sameBytes(t, g.Body, want.Body)
			if g.ID != want.ID || g.Kind != want.Kind || g.On != want.On || g.CreatedBy != f.idva1.ID || g.Amends != 0 {
				t.Errorf("contact %d = %+v; want %+v", i, g, *want)
			}
		}
		return nil
	})
}

func testRewrapAll(t *testing.T, f *vFixture) {
	// One of every kind of sealed value, for two victim-survivors.
	aads := map[string][]byte{} // stored bytes -> the place they open at
	add := func(sv store.SealedValue, aad []byte) store.SealedValue { aads[string(sv.Data)] = aad; return sv }
	for _, name := range []string{"One", "Two"} {
		v := f.victim(t, f.a, "Amy", name, f.idva1, nil)
		q := risk.DASH2009()
		a := &risk.Assessment{VictimID: v.ID, Questionnaire: q.Code, Version: q.Version, Answers: dashAnswers(q, 15),
			Comments: map[string]string{"q1": "x"}, AssessedOn: cwToday, AssessedBy: f.idva1.ID}
		f.write(t, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.SetCompartment(ctx, v.ID, add(f.seal(t, "{}", placeAAD("compartment", v.ID)), placeAAD("compartment", v.ID)), 0); err != nil {
				return err
			}
			if err := tx.SetSafetyPlan(ctx, v.ID, add(f.seal(t, "plan", placeAAD("safety_plan", v.ID)), placeAAD("safety_plan", v.ID)), 0); err != nil {
				return err
			}
			if err := tx.SaveDASH(ctx, a, q.Score(*a), add(f.seal(t, `{"q1":"x"}`, placeAAD("dash", v.ID)), placeAAD("dash", v.ID))); err != nil {
				return err
			}
			for i := 0; i < 3; i++ {
				n := &store.SealedEntry{VictimCaseID: v.ID, Body: add(f.seal(t, fmt.Sprint("note ", i), placeAAD("victim_note", v.ID)), placeAAD("victim_note", v.ID))}
				if err := tx.AddVictimNote(ctx, n); err != nil {
					return err
				}
				c := &store.SealedEntry{VictimCaseID: v.ID, Kind: "call", On: cwToday, Body: add(f.seal(t, fmt.Sprint("call ", i), placeAAD("idva_contact", v.ID)), placeAAD("idva_contact", v.ID))}
				if err := tx.AddIDVAContact(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
	}
	old := f.keys.Current().ID()
	if err := f.keys.Rotate(rand.Reader); err != nil {
		t.Fatal(err)
	}
	visits := map[string]int{}
	rewrap := func(v store.SealedValue) (store.SealedValue, bool, error) {
		visits[string(v.Data)]++
		s, err := v.Parse()
		if err != nil {
			return v, false, err
		}
		if !s.NeedsRewrap(f.keys) {
			return v, false, nil
		}
		n, err := f.keys.Rewrap(s)
		if err != nil {
			return v, false, err
		}
		return store.SealedValueOf(n), true, nil
	}
	var replaced int
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		replaced, err = tx.RewrapAll(ctx, rewrap)
		return err
	})
	if replaced != len(aads) || len(visits) != len(aads) {
		t.Fatalf("replaced %d, visited %d distinct values; want all %d", replaced, len(visits), len(aads))
	}
	for data, n := range visits {
		if n != 1 {
			t.Errorf("a value was visited %d times", n)
		}
		if _, ok := aads[data]; !ok {
			t.Error("visited a value that was never stored")
		}
	}
	// Every value is now under the new key and still opens where it is;
	// a second pass visits each once more and changes nothing.
	if err := f.keys.Remove(old); err != nil {
		t.Fatal(err)
	}
	visits = map[string]int{}
	opened := 0
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.RewrapAll(ctx, func(v store.SealedValue) (store.SealedValue, bool, error) {
			visits[string(v.Data)]++
			if v.KeyID != f.keys.Current().ID() {
				t.Errorf("a value is still under key %s", v.KeyID)
			}
			s, err := v.Parse()
			if err != nil {
				return v, false, err
			}
			// The wrapped key changed, not the ciphertext: find the place by it.
			for data, aad := range aads {
				if bytes.HasSuffix([]byte(data), s.Ciphertext) {
					if _, err := f.keys.Open(s, aad); err != nil {
						t.Errorf("rewrapped value does not open at %s: %v", aad, err)
					}
					opened++
				}
			}
			return v, false, nil
		})
		if n != 0 {
			t.Errorf("second pass replaced %d", n)
		}
		return err
	})
	if len(visits) != len(aads) || opened != len(aads) {
		t.Fatalf("second pass visited %d values and opened %d; want %d", len(visits), opened, len(aads))
	}
	// An error from fn stops the pass and rolls back.
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.RewrapAll(ctx, func(v store.SealedValue) (store.SealedValue, bool, error) {
			return v, false, drive.Errorf(drive.EINTERNAL, "key file missing")
		})
		return err
	})
	wantCode(t, err, drive.EINTERNAL)
	// A replacement that is not a sealed value is refused.
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.RewrapAll(ctx, func(v store.SealedValue) (store.SealedValue, bool, error) {
			return store.SealedValue{Data: []byte("plain"), KeyID: v.KeyID}, true, nil
		})
		return err
	})
	wantCode(t, err, drive.EINVALID)
}

func testVictimRollback(t *testing.T, f *vFixture) {
	v := f.victim(t, f.a, "Amy", "Walsh", f.idva1, nil)
	// A link refused part way through (its second hearing is in the
	// future) leaves no link and no hearing.
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		if err := tx.LinkVictim(ctx, victim.Link{VictimCaseID: v.ID, PerpetratorCase: f.caseA.ID, Relationship: victim.ExPartner,
			MARACDates: []drive.Date{cwToday}}); err != nil {
			return err
		}
		return tx.AddMARACDate(ctx, v.ID, f.caseA.ID, cwToday.AddDays(2))
	})
	wantCode(t, err, drive.EINVALID)
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		if ls, err := tx.VictimLinks(ctx, v.ID); err != nil || len(ls) != 0 {
			t.Errorf("links after a rolled-back transaction = %+v, %v", ls, err)
		}
		return nil
	})
	// A new victim-survivor and her compartment written together go
	// together when the transaction fails.
	err = f.try(func(ctx context.Context, tx *store.Tx) error {
		w := &victim.Case{SiteID: f.a.ID, GivenName: "Bea", FamilyName: "Gone"}
		if err := tx.CreateVictimCase(ctx, w); err != nil {
			return err
		}
		if err := tx.SetCompartment(ctx, w.ID, f.seal(t, "{}", placeAAD("compartment", w.ID)), 0); err != nil {
			return err
		}
		return tx.SetSafetyPlan(ctx, w.ID, store.SealedValue{Data: []byte("plain")}, 0)
	})
	wantCode(t, err, drive.EINVALID)
	if n := f.countVictims(t); n != 1 {
		t.Fatalf("%d victim-survivors after a failed transaction; want 1", n)
	}
}

// testHeldTexts: a hold is stored per record and victim-survivor, found
// from both sides, reviewed, and reopened when the record is held again.
func testHeldTexts(t *testing.T, f *vFixture) {
	v1 := f.victim(t, f.a, "Amy", "One", f.idva1, nil)
	v2 := f.victim(t, f.a, "Bea", "Two", f.idva1, nil)
	f.link(t, v1, f.caseA)
	f.link(t, v2, f.caseA)
	var first, second victim.HeldText
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		first = victim.HeldText{CaseID: f.caseA.ID, SiteID: f.a.ID, RecordType: victim.HeldNote, RecordID: 41, VictimCaseID: v1.ID, AuthorID: f.cm1.ID}
		if err := tx.HoldText(ctx, &first); err != nil {
			return err
		}
		second = victim.HeldText{CaseID: f.caseA.ID, SiteID: f.a.ID, RecordType: victim.HeldAction, RecordID: 7, VictimCaseID: v2.ID, AuthorID: f.cm1.ID}
		return tx.HoldText(ctx, &second)
	})
	if first.ID == 0 || first.Status != victim.Withheld || !first.HeldAt.Equal(Epoch) {
		t.Fatalf("hold = %+v", first)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		all, err := tx.CaseHeldTexts(ctx, f.caseA.ID)
		if err != nil || len(all) != 2 || all[0] != first || all[1] != second {
			t.Fatalf("case holds = %+v, %v", all, err)
		}
		mine, err := tx.VictimHeldTexts(ctx, v1.ID)
		if err != nil || len(mine) != 1 || mine[0] != first {
			t.Fatalf("her holds = %+v, %v", mine, err)
		}
		if _, err := tx.HeldText(ctx, second.ID+100); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("missing hold: %v", err)
		}
		return nil
	})
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.DecideHeldText(ctx, first.ID, victim.Withheld, f.idva1.ID); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("a review back to withheld: %v", err)
		}
		if err := tx.DecideHeldText(ctx, first.ID+100, victim.Released, f.idva1.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("review of a missing hold: %v", err)
		}
		return tx.DecideHeldText(ctx, first.ID, victim.Released, f.idva1.ID)
	})
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		h, err := tx.HeldText(ctx, first.ID)
		if err != nil || h.Status != victim.Released || h.DecidedBy != f.idva1.ID || h.DecidedAt == nil || !h.DecidedAt.Equal(Epoch) {
			t.Fatalf("released hold = %+v, %v", h, err)
		}
		return nil
	})
	// The same record held again (new text) is reviewed again.
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		again := victim.HeldText{CaseID: f.caseA.ID, SiteID: f.a.ID, RecordType: victim.HeldNote, RecordID: 41, VictimCaseID: v1.ID, AuthorID: f.cm2.ID}
		if err := tx.HoldText(ctx, &again); err != nil {
			return err
		}
		if again.ID != first.ID {
			t.Errorf("held again as %d; want the same hold %d", again.ID, first.ID)
		}
		return nil
	})
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		h, err := tx.HeldText(ctx, first.ID)
		if err != nil || h.Status != victim.Withheld || h.DecidedBy != 0 || h.DecidedAt != nil || h.AuthorID != f.cm2.ID {
			t.Fatalf("reopened hold = %+v, %v", h, err)
		}
		return nil
	})
}

// testTextWrites: writes are counted per user since a time, held ones
// apart.
func testTextWrites(t *testing.T, f *vFixture) {
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for _, held := range []bool{false, true, true} {
			if err := tx.RecordTextWrite(ctx, f.cm1.ID, f.a.ID, held); err != nil {
				return err
			}
		}
		return tx.RecordTextWrite(ctx, f.cm2.ID, f.a.ID, true)
	})
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		total, held, err := tx.TextWrites(ctx, f.cm1.ID, Epoch.Add(-time.Minute))
		if err != nil || total != 3 || held != 2 {
			t.Errorf("writes = %d, %d held, %v; want 3, 2 held", total, held, err)
		}
		if total, _, _ := tx.TextWrites(ctx, f.cm1.ID, Epoch.Add(time.Second)); total != 0 {
			t.Errorf("writes after now = %d", total)
		}
		return nil
	})
}

// placeAAD is the associated data the suite seals a value of kind for
// record id with. The store keeps sealed bytes without knowing where they
// are bound (the service defines that), so any place that differs by kind
// and record serves the suite.
func placeAAD(kind string, id int64) []byte {
	return fmt.Appendf(nil, "storetest:%s:%d", kind, id)
}
