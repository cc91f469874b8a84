package demo_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// BenchmarkPoliceLinks measures linking Drive's people to police people
// (service.LinkCases) against the demo's truth, in two parts.
//
// The demo as built: its cases' people and victim-survivors are invented
// apart from the police extracts it imports (demo/casework.go,
// demo/victims.go; the extracts come from incident/synth), so by the
// generator's intent none of them is in the extracts and every link or
// suggestion is a false one.
//
// The demo's police population with its truth: a site's extract made as
// the demo makes it (synth.Generate, demo.IncidentsPerSite incidents to
// demo.ReferenceDate, and its MARAC list), with every true perpetrator
// referred as a case and every named true victim opened as an IDVA case,
// each written as the extract most often writes them (name, date of birth
// and latest postcode). A pair is true when the police person's incidents
// are mostly that perpetrator's (or victim's), by the generator's truth.
//
// Run: go test ./demo -run '^$' -bench BenchmarkPoliceLinks -benchtime 1x
func BenchmarkPoliceLinks(b *testing.B) {
	for range b.N {
		ctx := context.Background()
		db := storetest.OpenSQLite(b, storetest.FixedClock(built))
		svc := &service.Service{DB: db}
		if _, err := demo.Generate(ctx, svc, demo.Options{Seed: 42, Params: auth.TestParams()}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		run, err := svc.LinkCases(ctx, service.CommandLine(), "")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "demo-ms")
		b.ReportMetric(float64(run.People), "demo-people")
		b.ReportMetric(float64(run.Victims), "demo-victims")
		b.ReportMetric(float64(run.Count(service.PersonLinks, linkage.Linked)), "demo-false-links")
		b.ReportMetric(float64(run.Count(service.PersonLinks, linkage.Suggested)), "demo-false-suggestions")
		b.ReportMetric(float64(run.Count(service.VictimLinks, linkage.Linked)), "demo-victim-false-links")
		b.ReportMetric(float64(run.Count(service.VictimLinks, linkage.Suggested)), "demo-victim-false-suggestions")

		m := measureWithTruth(b, 42)
		for k, v := range m {
			b.ReportMetric(v, k)
		}
	}
}

// measureWithTruth links every true perpetrator and victim of a demo-made
// extract and scores the answer against the generator's truth.
func measureWithTruth(b *testing.B, seed uint64) map[string]float64 {
	ctx := context.Background()
	db := storetest.OpenSQLite(b, storetest.FixedClock(built))
	svc := &service.Service{DB: db}
	site := account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		return tx.SeedProgrammes(ctx, site.ID)
	}); err != nil {
		b.Fatal(err)
	}
	recs, truth := synth.Generate(synth.Config{Incidents: demo.IncidentsPerSite, Seed: seed, End: demo.ReferenceDate(), RefPrefix: site.Code})
	hearings, _ := synth.MARAC(recs, truth, seed^0x3a7ac)
	cli := service.CommandLine()
	if _, _, err := svc.ImportIncidents(ctx, cli, site.Code, recs, nil); err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.ImportMARAC(ctx, cli, site.Code, hearings, nil); err != nil {
		b.Fatal(err)
	}

	// Each true person as the extract most often writes them.
	sus := map[int][]incident.Person{}
	vic := map[int][]incident.Person{}
	for i, r := range recs {
		sus[truth.Suspect[i]] = append(sus[truth.Suspect[i]], r.Suspect)
		if r.Victim.GivenName != "" || r.Victim.FamilyName != "" {
			vic[truth.Victim[i]] = append(vic[truth.Victim[i]], r.Victim)
		}
	}
	personOf := map[int64]int{} // Drive person id to true perpetrator
	victimOf := map[int64]int{} // victim case id to true victim
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for _, k := range sortedKeys(sus) {
			w := usual(sus[k])
			if w.FamilyName == "" {
				continue
			}
			p := &people.Person{SiteID: site.ID, GivenName: w.GivenName, FamilyName: w.FamilyName, DateOfBirth: w.DOB}
			if w.Postcode != "" {
				p.Addresses = []people.Address{{Line1: "1 Main Street", Town: "Northmoor", Postcode: w.Postcode, From: demo.ReferenceDate().AddDays(-400)}}
			}
			err := tx.CreatePerson(ctx, p)
			if drive.ErrorCode(err) == drive.EINVALID {
				p.Addresses = nil // a postcode the form would refuse: referred without it
				err = tx.CreatePerson(ctx, p)
			}
			if err != nil {
				return fmt.Errorf("person %+v: %w", p, err)
			}
			c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: demo.ReferenceDate(),
				Summary: "Measured", Evidence: programme.Evidence{DASHScore: 16}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			personOf[p.ID] = k
		}
		for _, j := range sortedKeys(vic) {
			w := usual(vic[j])
			if w.FamilyName == "" {
				continue
			}
			v := &victim.Case{SiteID: site.ID, GivenName: w.GivenName, FamilyName: w.FamilyName, DateOfBirth: w.DOB, Gender: "female", OpenedOn: demo.ReferenceDate()}
			if err := tx.CreateVictimCase(ctx, v); err != nil {
				return fmt.Errorf("victim %+v: %w", v, err)
			}
			victimOf[v.ID] = j
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}

	start := time.Now()
	run, err := svc.LinkCases(ctx, cli, site.Code)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)

	// Each police person is the true person most of his incidents are.
	var rows []store.PoliceIncident
	if err := db.View(ctx, func(tx *store.Tx) error {
		rows, err = tx.SitePoliceIncidents(ctx, site.ID, drive.Date{})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	index := map[string]int{}
	for i, r := range recs {
		index[r.Ref] = i
	}
	susVotes, vicVotes := map[int64]map[int]int{}, map[int64]map[int]int{}
	vote := func(m map[int64]map[int]int, p int64, k int) {
		if m[p] == nil {
			m[p] = map[int]int{}
		}
		m[p][k]++
	}
	for _, r := range rows {
		i := index[r.Ref]
		vote(susVotes, r.SuspectPerson, truth.Suspect[i])
		if r.VictimPerson != 0 {
			vote(vicVotes, r.VictimPerson, truth.Victim[i])
		}
	}
	trueOf := func(m map[int64]map[int]int) (map[int64]int, map[int]int) {
		who, pairs := map[int64]int{}, map[int]int{}
		for p, votes := range m {
			best, n := -1, 0
			for k, c := range votes {
				if c > n || c == n && k < best {
					best, n = k, c
				}
			}
			who[p] = best
			pairs[best]++
		}
		return who, pairs
	}
	susTrue, susPairs := trueOf(susVotes)
	vicTrue, vicPairs := trueOf(vicVotes)

	out := map[string]float64{"truth-ms": float64(took.Milliseconds()), "truth-people": float64(len(personOf)), "truth-victims": float64(len(victimOf))}
	score := func(prefix string, side interface{ String() string }, subjects map[int64]int, truthOf map[int64]int, pairs map[int]int) {
		truePairs := 0
		for _, k := range subjects {
			truePairs += pairs[k]
		}
		var linked, linkedRight, any, anyRight int
		for _, p := range run.Pairs {
			if string(p.Side) != side.String() {
				continue
			}
			right := truthOf[p.PolicePerson] == subjects[p.Subject]
			any++
			if right {
				anyRight++
			}
			if p.Status == linkage.Linked {
				linked++
				if right {
					linkedRight++
				}
			}
		}
		out[prefix+"-linked-precision"] = ratio(linkedRight, linked)
		out[prefix+"-linked-recall"] = ratio(linkedRight, truePairs)
		out[prefix+"-with-suggested-precision"] = ratio(anyRight, any)
		out[prefix+"-with-suggested-recall"] = ratio(anyRight, truePairs)
	}
	score("perp", sideName(service.PersonLinks), personOf, susTrue, susPairs)
	score("victim", sideName(service.VictimLinks), victimOf, vicTrue, vicPairs)
	return out
}

type sideName string

func (s sideName) String() string { return string(s) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func sortedKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// usual is how mentions most often write a person: the commonest name,
// the commonest date of birth, and the last postcode.
func usual(ms []incident.Person) incident.Person {
	names, dobs := map[[2]string]int{}, map[drive.Date]int{}
	var out incident.Person
	for _, m := range ms {
		if strings.TrimSpace(m.GivenName) != "" && strings.TrimSpace(m.FamilyName) != "" {
			names[[2]string{m.GivenName, m.FamilyName}]++ // a referrer knows both names
		}
		if !m.DOB.IsZero() && m.DOB.AgeOn(demo.ReferenceDate()) <= 110 { // a mistyped century is noise
			dobs[m.DOB]++
		}
		if m.Postcode != "" {
			out.Postcode = m.Postcode
		}
	}
	type kv[K comparable] struct {
		k K
		n int
	}
	var ns []kv[[2]string]
	for k, n := range names {
		ns = append(ns, kv[[2]string]{k, n})
	}
	slices.SortFunc(ns, func(x, y kv[[2]string]) int {
		return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.k[0]+" "+x.k[1], y.k[0]+" "+y.k[1]))
	})
	if len(ns) == 0 {
		return out // no whole name: not referred
	}
	out.GivenName, out.FamilyName = ns[0].k[0], ns[0].k[1]
	best := 0
	for d, n := range dobs {
		if n > best || n == best && d.Before(out.DOB) {
			out.DOB, best = d, n
		}
	}
	return out
}
