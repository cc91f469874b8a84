package demo_test

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// sealedDemo is a demo built with a keyring the test holds, in a SQLite
// file the test can also read directly.
type sealedDemo struct {
	db   *store.DB
	path string
	keys *sealed.Keyring
}

// generateSealed returns the shared demo built from seed at the clock:
// tests that write take privateDemo instead.
func generateSealed(t *testing.T, seed uint64, now time.Time) *sealedDemo {
	t.Helper()
	return sharedDemo(t, seed, now)
}

// victimRecord is everything held about one victim-survivor, with every
// sealed value opened.
type victimRecord struct {
	Case        victim.Case
	Links       []victim.Link
	Compartment victim.Compartment
	Children    []victim.Child
	DASH        []openedDASH
	Behaviours  []risk.BehaviourAssessment
	Notes       []openedEntry
	Contacts    []openedEntry
	SafetyPlan  string
}

type openedDASH struct {
	Assessment risk.Assessment
	Result     risk.Result
	Comments   map[string]string
}

type openedEntry struct {
	Entry store.SealedEntry
	Text  string
}

func (d *sealedDemo) open(t *testing.T, v store.SealedValue, aad []byte) []byte {
	t.Helper()
	s, err := v.Parse()
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.keys.Open(s, aad)
	if err != nil {
		t.Fatalf("open %s: %v", aad, err)
	}
	return b
}

// victims reads every victim-survivor of the demo, opening what is sealed
// with the associated data the service uses.
func (d *sealedDemo) victims(t *testing.T) []victimRecord {
	t.Helper()
	ctx := context.Background()
	var out []victimRecord
	err := d.db.View(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		var ids []int64
		for _, s := range sites {
			ids = append(ids, s.ID)
		}
		var cases []victim.Case
		var after int64
		for {
			page, total, err := tx.VictimCases(ctx, store.VictimFilter{SiteIDs: ids, Limit: 1000, AfterID: after})
			if err != nil {
				return err
			}
			cases = append(cases, page...)
			if len(cases) >= total || len(page) == 0 {
				break
			}
			after = page[len(page)-1].ID
		}
		sort.Slice(cases, func(i, j int) bool { return cases[i].ID < cases[j].ID })
		for _, c := range cases {
			r := victimRecord{Case: c}
			if r.Links, err = tx.VictimLinks(ctx, c.ID); err != nil {
				return err
			}
			comp, err := tx.Compartment(ctx, c.ID)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(d.open(t, comp, victimAAD(c.ID, "compartment")), &r.Compartment); err != nil {
				return err
			}
			if r.Children, err = tx.Children(ctx, c.ID); err != nil {
				return err
			}
			dash, err := tx.DASHAssessments(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, s := range dash {
				o := openedDASH{Assessment: s.Assessment, Result: s.Result}
				if !s.Comments.IsZero() {
					if err := json.Unmarshal(d.open(t, s.Comments, victimAAD(c.ID, "dash")), &o.Comments); err != nil {
						return err
					}
				}
				r.DASH = append(r.DASH, o)
			}
			if r.Behaviours, err = tx.Behaviours(ctx, c.ID); err != nil {
				return err
			}
			notes, err := tx.VictimNotes(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, n := range notes {
				r.Notes = append(r.Notes, openedEntry{n, string(d.open(t, n.Body, victimAAD(c.ID, "note")))})
				r.Notes[len(r.Notes)-1].Entry.Body = store.SealedValue{}
			}
			contacts, err := tx.IDVAContacts(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, n := range contacts {
				r.Contacts = append(r.Contacts, openedEntry{n, string(d.open(t, n.Body, victimAAD(c.ID, "contact")))})
				r.Contacts[len(r.Contacts)-1].Entry.Body = store.SealedValue{}
			}
			plan, err := tx.SafetyPlan(ctx, c.ID)
			switch {
			case err == nil:
				r.SafetyPlan = string(d.open(t, plan, victimAAD(c.ID, "safety_plan")))
			case drive.ErrorCode(err) != drive.ENOTFOUND:
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$`)
	dramaPhone = regexp.MustCompile(`^07700 900[0-9]{3}$`)
)

// TestVictimsCoverage checks every perpetrator case has linked
// victim-survivors in the proportions the programme has seen, and that
// each has what an IDVA records: an IDVA, children, a compartment of
// invented details, DASH and behaviour assessments, contacts, notes and a
// safety plan, all opening with the service's associated data.
func TestVictimsCoverage(t *testing.T) {
	d := generateSealed(t, 42, built)
	ctx := context.Background()
	ref := demo.ReferenceDate()
	rows := allCases(t, d.db)
	vs := d.victims(t)
	cases := map[int64]casework.Case{}
	for _, r := range rows {
		cases[r.Case.ID] = r.Case
	}
	idvas := map[int64]int64{} // IDVA -> site
	err := d.db.View(ctx, func(tx *store.Tx) error {
		users, err := tx.Users(ctx)
		for _, u := range users {
			for _, r := range u.Roles {
				if r.Role == access.IDVA {
					idvas[u.ID] = r.SiteID
				}
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	linksPerCase := map[int64]int{}
	var children, women, open, refuges, schools, gps, amended, plans, multiPerp, highDASH, exitDASH, closedPrimary int
	statuses := map[string]bool{}
	idvaLoad := map[int64]int{}
	dashQ := risk.DASH2009()
	var behaviours []risk.BehaviourAssessment
	for _, v := range vs {
		c := v.Case
		if site, ok := idvas[c.IDVAID]; !ok || site != c.SiteID {
			t.Errorf("victim-survivor %d: IDVA %d is not an IDVA of site %d", c.ID, c.IDVAID, c.SiteID)
		}
		if c.Open {
			open++
			idvaLoad[c.IDVAID]++
		} else if c.ClosedOn.Before(c.OpenedOn) || c.ClosedOn.After(ref) {
			t.Errorf("victim-survivor %d closed on %s, opened %s", c.ID, c.ClosedOn, c.OpenedOn)
		}
		if c.Gender == "female" {
			women++
		}
		if len(v.Links) == 0 {
			t.Errorf("victim-survivor %d is linked to no case", c.ID)
		}
		persons := map[int64]bool{}
		for _, l := range v.Links {
			pc, ok := cases[l.PerpetratorCase]
			if !ok || pc.SiteID != c.SiteID {
				t.Errorf("victim-survivor %d linked to case %d at another site", c.ID, l.PerpetratorCase)
			}
			persons[pc.PersonID] = true
			linksPerCase[l.PerpetratorCase]++
		}
		if len(persons) > 1 {
			multiPerp++
		}
		for _, ch := range v.Children {
			children++
			statuses[ch.SocialCare] = true
			if age := ch.DateOfBirth.AgeOn(ref); age < 0 || age > 17 {
				t.Errorf("child %d is %d", ch.ID, age)
			}
		}

		comp := v.Compartment
		if err := comp.Validate(); err != nil {
			t.Errorf("victim-survivor %d: compartment does not validate: %v", c.ID, err)
		}
		for _, a := range comp.Addresses {
			if !postcodeRE.MatchString(a.Postcode) {
				t.Errorf("victim-survivor %d: postcode %q is not a UK postcode", c.ID, a.Postcode)
			}
		}
		if len(comp.Phones) == 0 {
			t.Errorf("victim-survivor %d has no phone", c.ID)
		}
		for _, p := range comp.Phones {
			if !dramaPhone.MatchString(p) {
				t.Errorf("victim-survivor %d: phone %q is outside the Ofcom drama range", c.ID, p)
			}
		}
		for _, e := range comp.Emails {
			if !strings.HasSuffix(e, "@example.org") {
				t.Errorf("victim-survivor %d: email %q is not at example.org", c.ID, e)
			}
		}
		if comp.SafeContact == "" {
			t.Errorf("victim-survivor %d has no safe contact arrangements", c.ID)
		}
		if comp.Refuge != "" {
			refuges++
		}
		if len(comp.Schools) > 0 {
			schools++
		}
		if comp.GP != "" {
			gps++
		}

		if len(v.DASH) == 0 {
			t.Errorf("victim-survivor %d has no DASH assessment", c.ID)
			continue
		}
		for _, a := range v.DASH {
			if got := dashQ.Score(a.Assessment); !reflect.DeepEqual(got, a.Result) {
				t.Errorf("victim-survivor %d: stored DASH result %+v; the answers score %+v", c.ID, a.Result, got)
			}
			for q := range a.Comments {
				if a.Assessment.Answers[q] != risk.Yes {
					t.Errorf("victim-survivor %d: comment on %s, answered %s", c.ID, q, a.Assessment.Answers[q])
				}
			}
		}
		if v.DASH[0].Result.Score >= 14 {
			highDASH++
		}
		if pc := cases[v.Links[0].PerpetratorCase]; pc.State == casework.Closed {
			closedPrimary++
			if len(v.DASH) >= 2 {
				exitDASH++
			}
		}
		behaviours = append(behaviours, v.Behaviours...)
		if len(v.Contacts) < 3 {
			t.Errorf("victim-survivor %d has %d IDVA contacts", c.ID, len(v.Contacts))
		}
		for _, e := range v.Contacts {
			if e.Entry.On.Before(c.OpenedOn) || e.Text == "" {
				t.Errorf("victim-survivor %d: contact %+v", c.ID, e)
			}
		}
		if len(v.Notes) == 0 {
			t.Errorf("victim-survivor %d has no notes", c.ID)
		}
		for _, n := range v.Notes {
			if n.Entry.Amends != 0 {
				amended++
			}
		}
		if v.SafetyPlan != "" {
			plans++
		}
	}

	// Reach: about 1.1 adult victim-survivors and 2 children per case.
	var serial int
	for _, r := range rows {
		n := linksPerCase[r.Case.ID]
		if n == 0 {
			t.Errorf("case %d (%s) has no linked victim-survivor", r.Case.ID, r.Case.State)
		}
		if n >= 2 {
			serial++
		}
	}
	perCase := float64(len(vs)) / float64(len(rows))
	kidsPerCase := float64(children) / float64(len(rows))
	t.Logf("%d cases, %d victim-survivors (%.2f a case), %d cases with two or more, %d linked to two perpetrators, %d children (%.2f a case)",
		len(rows), len(vs), perCase, serial, multiPerp, children, kidsPerCase)
	if perCase < 1.0 || perCase > 1.25 {
		t.Errorf("%.2f victim-survivors a case; want about 1.1", perCase)
	}
	if kidsPerCase < 1.6 || kidsPerCase > 2.4 {
		t.Errorf("%.2f children a case; want about 2", kidsPerCase)
	}
	if serial < 10 || multiPerp < 4 {
		t.Errorf("%d cases with several victim-survivors, %d victim-survivors of two perpetrators; want some of each", serial, multiPerp)
	}
	for _, s := range victim.SocialCareStatuses() {
		if !statuses[s] {
			t.Errorf("no child with social care status %s", s)
		}
	}
	if share := float64(women) / float64(len(vs)); share < 0.8 || share == 1 {
		t.Errorf("%.0f%% of victim-survivors are women; want most, not all", 100*share)
	}
	if open == 0 || open == len(vs) {
		t.Errorf("%d of %d victim-survivors' cases open; want some open and some closed", open, len(vs))
	}
	for id, n := range idvaLoad {
		t.Logf("IDVA %d holds %d open cases", id, n)
	}
	if len(idvaLoad) != len(idvas) {
		t.Errorf("open cases held by %d IDVAs; want all %d", len(idvaLoad), len(idvas))
	}
	if refuges == 0 || schools == 0 || gps == 0 {
		t.Errorf("%d in refuge, %d with schools, %d with a GP; want some of each", refuges, schools, gps)
	}
	if share := float64(highDASH) / float64(len(vs)); share < 0.4 || share > 0.7 {
		t.Errorf("%.0f%% of referral DASH scores are 14 or more; want roughly half", 100*share)
	} else {
		t.Logf("%.0f%% of referral DASH scores are 14 or more", 100*share)
	}
	if exitDASH < closedPrimary*8/10 {
		t.Errorf("%d of %d victim-survivors of closed cases have an exit DASH", exitDASH, closedPrimary)
	}
	if amended == 0 || plans < len(vs)*8/10 {
		t.Errorf("%d amended notes, %d safety plans of %d", amended, plans, len(vs))
	}

	// Behaviour: T1 for every case worked, T3 as well once closed, and
	// falls like the programme's.
	have := map[[2]int64]map[string]bool{}
	for _, b := range behaviours {
		k := [2]int64{b.VictimID, b.CaseID}
		if have[k] == nil {
			have[k] = map[string]bool{}
		}
		have[k][b.TimePoint] = true
	}
	missingT3, closedPairs := 0, 0
	for _, v := range vs {
		for _, l := range v.Links {
			pc := cases[l.PerpetratorCase]
			got := have[[2]int64{v.Case.ID, pc.ID}]
			if pc.StartedAt != nil && !got["T1"] {
				t.Errorf("victim-survivor %d, case %d (%s): no T1", v.Case.ID, pc.ID, pc.State)
			}
			if pc.StartedAt == nil && len(got) > 0 {
				t.Errorf("victim-survivor %d, case %d (%s): assessed though work never started", v.Case.ID, pc.ID, pc.State)
			}
			if pc.State == casework.Closed && pc.StartedAt != nil {
				closedPairs++
				if !got["T3"] {
					missingT3++
				}
			} else if got["T3"] {
				t.Errorf("victim-survivor %d, case %d (%s): T3 before closure", v.Case.ID, pc.ID, pc.State)
			}
		}
	}
	if missingT3 > closedPairs/20 {
		t.Errorf("%d of %d closed pairs have no T3", missingT3, closedPairs)
	}
	for _, o := range risk.BehaviourChange(behaviours, "T1", "T3") {
		red, _ := o.Reduction()
		t.Logf("%s: N=%d, n1=%d, n3=%d, reduction %.0f%%, p=%.2g", o.Category.Code, o.Cases, o.N1, o.N3, 100*red, o.PValue)
		if o.Cases < 100 || red < 0.6 || red > 0.97 {
			t.Errorf("%s: %d cases, reduction %.0f%%; want a fall like the programme's (73-88%%)", o.Category.Code, o.Cases, 100*red)
		}
	}
	t1, physical := 0, 0
	for _, b := range behaviours {
		if b.TimePoint == "T1" {
			t1++
			if b.Physical == risk.Used {
				physical++
			}
		}
	}
	if share := float64(physical) / float64(t1); share < 0.6 || share > 0.82 {
		t.Errorf("physical abuse at T1 in %.0f%% of assessments; want about 70%%", 100*share)
	}

	// CaseCompartments gives exactly the linked victim-survivors'.
	err = d.db.View(ctx, func(tx *store.Tx) error {
		for _, r := range rows {
			got, err := tx.CaseCompartments(ctx, r.Case.ID)
			if err != nil {
				return err
			}
			links, err := tx.CaseVictimLinks(ctx, r.Case.ID)
			if err != nil {
				return err
			}
			if len(got) != len(links) {
				t.Errorf("case %d: %d compartments for %d linked victim-survivors", r.Case.ID, len(got), len(links))
			}
			for _, l := range links {
				if _, ok := got[l.VictimCaseID]; !ok {
					t.Errorf("case %d: no compartment for linked victim-survivor %d", r.Case.ID, l.VictimCaseID)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// normalise folds text the way victim.Reveals compares values: lower case,
// letters, digits, @ and dots only.
func normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '@' || r == '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestVictimsNothingOnThePerpetratorSide reads every table outside the
// victim-survivors' own, straight from the database file, and checks that
// no value of any compartment (address, postcode with or without its
// space, phone digits, email, school, refuge, workplace, GP) appears in
// any of it: case summaries, notes, contacts, reviews, actions, history,
// people and their addresses, aliases and references, users, audit.
func TestVictimsNothingOnThePerpetratorSide(t *testing.T) {
	d := generateSealed(t, 42, built)
	vs := d.victims(t)
	raw, err := sql.Open("sqlite", "file:"+d.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tables, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	type haystack struct{ text, digits strings.Builder }
	hay := map[string]*haystack{}
	scanned := 0
	for _, name := range names {
		if strings.HasPrefix(name, "victim_") || name == "idva_contacts" || strings.HasPrefix(name, "sqlite_") {
			continue
		}
		rows, err := raw.Query(`SELECT * FROM "` + name + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		h := &haystack{}
		hay[name] = h
		for rows.Next() {
			cells := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range cells {
				ptrs[i] = &cells[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				var s string
				switch v := c.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				default:
					continue
				}
				scanned++
				h.text.WriteString(normalise(s))
				h.text.WriteByte('|')
				h.digits.WriteString(onlyDigits(s))
				h.digits.WriteByte('|')
			}
		}
		rows.Close()
	}
	if hay["cases"] == nil || hay["case_notes"] == nil || hay["people"] == nil || hay["person_addresses"] == nil {
		t.Fatalf("perpetrator tables not found among %v", names)
	}
	values := map[string]bool{}
	for _, v := range vs {
		for _, x := range v.Compartment.Values() {
			values[x] = true
		}
	}
	t.Logf("%d compartment values checked against %d text cells in %d tables", len(values), scanned, len(hay))
	for x := range values {
		nx := normalise(x)
		isDigits := onlyDigits(x) == x && len(x) >= 7
		for name, h := range hay {
			if strings.Contains(h.text.String(), nx) || (isDigits && strings.Contains(h.digits.String(), x)) {
				t.Errorf("compartment value %q appears in table %s", x, name)
			}
		}
	}
}

// TestVictimsDeterministic checks the same seed gives the same
// victim-survivors, with the same protected details once opened, whatever
// the keyring and the clock; and another seed gives others.
func TestVictimsDeterministic(t *testing.T) {
	a := generateSealed(t, 42, built).victims(t)
	b := generateSealed(t, 42, built.Add(90*24*time.Hour)).victims(t)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		for i := range min(len(a), len(b)) {
			if !reflect.DeepEqual(a[i], b[i]) {
				t.Fatalf("the same seed gave different victim-survivors: first difference\n%+v\n%+v", a[i], b[i])
			}
		}
		t.Fatalf("the same seed gave %d and %d victim-survivors", len(a), len(b))
	}
	c := generateSealed(t, 43, built).victims(t)
	if reflect.DeepEqual(a, c) {
		t.Fatal("a different seed gave the same victim-survivors")
	}
}

// TestVictimsOnPostgres builds the demo on PostgreSQL, when a server is
// configured, and reads every victim-survivor back, so the generator is
// known to work on both engines (the other tests use SQLite).
func TestVictimsOnPostgres(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		if e.Name != "postgres" {
			continue
		}
		db := e.Open(t, storetest.FixedClock(built))
		keys, err := sealed.NewKeyring(crand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := demo.Generate(context.Background(), &service.Service{DB: db, Keys: keys}, demo.Options{Seed: 42, Params: auth.TestParams()}); err != nil {
			t.Fatal(err)
		}
		t.Logf("demo generated on PostgreSQL in %v", time.Since(start))
		pg := (&sealedDemo{db: db, keys: keys}).victims(t)
		lite := generateSealed(t, 42, built).victims(t)
		if len(pg) == 0 || len(pg) != len(lite) {
			t.Fatalf("%d victim-survivors on PostgreSQL, %d on SQLite", len(pg), len(lite))
		}
		for i := range pg {
			if a, b := pg[i], lite[i]; !reflect.DeepEqual(a, b) {
				t.Fatalf("victim-survivor %d differs between the engines\n%+v\n%+v", i, a, b)
			}
		}
	}
}

// victimAAD is where the service binds a victim-survivor's sealed value
// of the given kind ("compartment", or "note", "contact", "safety_plan",
// "dash" on her case): the test opens what the demo sealed through it.
func victimAAD(id int64, kind string) []byte {
	if kind == "compartment" {
		return fmt.Appendf(nil, "victim_compartment:%d", id)
	}
	return fmt.Appendf(nil, "victim_case:%d:%s", id, kind)
}
