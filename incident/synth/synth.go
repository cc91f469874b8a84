// Package synth generates synthetic police-recorded domestic abuse
// incidents with known truth, for testing, demonstrating and benchmarking
// import, person resolution and identification scoring.
//
// The people come from the record linker's synthetic population
// (linkage/synth), so each mention of a suspect or victim carries the same
// realistic noise as the linker is measured against: typos, nicknames,
// initials, missing values, given and family names swapped, mistyped or
// swapped date parts, a move of postcode. Around them this package draws
// what makes an extract look like a force's: a few prolific perpetrators
// among many with one or two incidents, serial perpetrators who harm two
// to four different victims, repeat victims, and incident types weighted
// as forces see them (non-crime incidents and common assault most often,
// the gravest offences rarely). Everything is invented; no record
// describes a real person or incident.
//
// Generation is deterministic for a given Config.
package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	people "github.com/drive-platform/drive/linkage/synth"
)

// Config says what to generate.
type Config struct {
	// Incidents is how many incident records to make.
	Incidents int
	// Seed: the same seed (with the same other fields) gives the same
	// records.
	Seed uint64
	// End is the last day of the window; every incident falls on or before
	// it, so it can be read as "today". Required: the caller's clock says
	// what today is, so the same inputs always give the same records.
	End drive.Date
	// Years is the length of the window; 0 means 3, the identification
	// window forces use.
	Years int
	// RefPrefix starts every incident reference; "" means "INC".
	RefPrefix string
}

// Truth says who really is behind each record, so that resolution and
// scoring can be measured. Perpetrators and victims are numbered from 0.
type Truth struct {
	// Suspect is the true perpetrator of each record, by record index.
	Suspect []int
	// Victim is the true victim of each record, also where the record
	// names none.
	Victim []int
	// Serial says, for each perpetrator, whether he harmed two or more
	// different victims (all victims are adults, so this is the serial
	// flag the default strategy should raise).
	Serial []bool
	// Victims is each perpetrator's number of different victims.
	Victims []int
	// Female says, for each perpetrator, whether she is a woman.
	Female []bool
}

// The sex of the people the records cast follows the profile of those
// Drive works with: perpetrators of high-harm and serial domestic abuse
// are overwhelmingly men, and the victims of men are mostly women.
// Perpetrators are drawn from the linker's population of men and women
// alike (given names follow sex), so without these the list a force
// ranks would be half women, which is not the work.
const (
	// perpetratorWomen is the share of perpetrators who are women.
	perpetratorWomen = 0.07
	// sameSexVictims is the share of victims of the perpetrator's own
	// sex: same-sex partners, and family members such as a son abusing
	// his father.
	sameSexVictims = 0.08
)

// Perpetrators is the number of different true perpetrators.
func (t Truth) Perpetrators() int { return len(t.Serial) }

// typeWeights are relative frequencies of incident types by the default
// gravity table's codes: most police-recorded domestic abuse is a
// non-crime incident or a common assault; grave offences are rare. A code
// a strategy adds that is not listed here gets otherWeight.
var typeWeights = map[string]float64{
	"non_crime":        38,
	"common_assault":   18,
	"criminal_damage":  8,
	"harassment":       7,
	"breach":           7,
	"abh":              6,
	"coercive_control": 5,
	"stalking":         3,
	"threats_to_kill":  2,
	"strangulation":    2,
	"sexual_offence":   1.5,
	"gbh":              1,
	"rape":             1,
	"attempted_murder": 0.1,
	"homicide":         0.03,
}

const otherWeight = 0.5

// identity is one invented person: the noisy ways records write him or
// her, and the date of birth most of them agree on (zero when none can
// be read).
type identity struct {
	variants []incident.Person
	dob      drive.Date
	female   bool
}

// pool hands out people from the linker's synthetic population, drawing
// further batches when it runs out.
type pool struct {
	seed    uint64
	batch   int
	round   uint64
	people  []identity
	next    int
	adultBy drive.Date // born on or before this date: 16 or over throughout the window
	// waiting holds adults passed over while looking for someone of the
	// other sex, men at 0 and women at 1, so nobody drawn is wasted.
	waiting [2][]identity
}

// take returns the next adult of the given sex.
func (p *pool) take(female bool) identity {
	want := 0
	if female {
		want = 1
	}
	if q := p.waiting[want]; len(q) > 0 {
		p.waiting[want] = q[1:]
		return q[0]
	}
	for {
		for p.next < len(p.people) {
			id := p.people[p.next]
			p.next++
			if len(id.variants) == 0 || !(id.dob.IsZero() || !id.dob.After(p.adultBy)) {
				continue
			}
			if id.female == female {
				return id
			}
			other := 1 - want
			p.waiting[other] = append(p.waiting[other], id)
		}
		p.fill()
	}
}

// fill draws another batch; each batch has its own seed so people never
// repeat.
func (p *pool) fill() {
	recs := people.Generate(people.Config{Records: p.batch, Seed: p.seed + p.round*0x9E3779B97F4A7C15})
	p.round++
	index := map[string]int{}
	var groups [][]people.Record
	for _, r := range recs {
		i, ok := index[r.PersonID]
		if !ok {
			i = len(groups)
			index[r.PersonID] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	p.people, p.next = p.people[:0], 0
	for _, g := range groups {
		id := identity{female: g[0].Female}
		votes := map[drive.Date]int{}
		for _, r := range g {
			if strings.TrimSpace(r.Given) == "" && strings.TrimSpace(r.Surname) == "" {
				continue // a mention with no name would not pass validation
			}
			v := incident.Person{GivenName: r.Given, FamilyName: r.Surname, Postcode: strings.ToUpper(r.Postcode)}
			if d, err := drive.ParseDate(r.DOB); err == nil {
				if d.Year >= 1900 { // a mistyped century is noise, not the true date
					votes[d]++
					if best := votes[d]; best > votes[id.dob] || id.dob.IsZero() {
						id.dob = d // first to the most votes, so ties break the same way every run
					}
				}
				if !d.After(p.adultBy) && d.Year >= 1900 {
					// A typo that makes an adult a child, or a mistyped
					// century, is dropped, as validation would refuse it.
					v.DOB = d
				}
			}
			id.variants = append(id.variants, v)
		}
		p.people = append(p.people, id)
	}
}

// Generate returns cfg.Incidents records, oldest first, and the truth
// behind them.
func Generate(cfg Config) ([]incident.Record, Truth) {
	n := max(cfg.Incidents, 0)
	end := cfg.End
	if end.IsZero() {
		panic("synth: Config.End is required")
	}
	years := cfg.Years
	if years <= 0 {
		years = 3
	}
	prefix := cfg.RefPrefix
	if prefix == "" {
		prefix = "INC"
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1dc1de47))
	start := end.AddMonths(-12 * years)
	windowDays := start.DaysUntil(end) + 1

	types, cum := typeTable()
	pl := &pool{seed: cfg.Seed ^ 0x5eed1dc1, batch: max(n*5/2, 200), adultBy: start.AddMonths(-12 * 16)}

	type draft struct {
		rec     incident.Record
		suspect int
		victim  int
	}
	drafts := make([]draft, 0, n)
	var truth Truth
	var victims []identity // every victim so far, so a later partner can harm the same woman
	newVictim := func(perpFemale bool) int {
		if len(victims) > 0 && rng.Float64() < 0.02 {
			return rng.IntN(len(victims)) // a repeat victim, harmed by a new partner
		}
		female := !perpFemale
		if rng.Float64() < sameSexVictims {
			female = perpFemale
		}
		victims = append(victims, pl.take(female))
		return len(victims) - 1
	}
	for len(drafts) < n {
		perp := len(truth.Serial)
		female := rng.Float64() < perpetratorWomen
		who := pl.take(female)
		k := min(incidentCount(rng), n-len(drafts))
		nv := 1
		if k >= 2 && rng.Float64() < serialChance(k) {
			nv = 2 + rng.IntN(min(3, k-1))
		}
		days := make([]int, k)
		for i := range days {
			days[i] = rng.IntN(windowDays)
		}
		slices.Sort(days)
		// Split the incidents, in date order, into nv relationships of at
		// least one incident each.
		cuts := rng.Perm(k - 1)[:nv-1]
		for i := range cuts {
			cuts[i]++
		}
		slices.Sort(cuts)
		victim := newVictim(female)
		rel := 0
		for i, d := range days {
			if rel < len(cuts) && i == cuts[rel] {
				victim = newVictim(female)
				rel++
			}
			on := start.AddDays(d)
			t := types[pick(rng, cum)]
			rec := incident.Record{On: on, Type: t, Crime: t != "non_crime", Suspect: mention(rng, who)}
			if rng.Float64() >= 0.03 { // a few records name no victim
				v := victims[victim]
				rec.Victim = mention(rng, v)
				rec.Victim.Postcode = "" // a victim's address is never kept
				switch {
				case !rec.Victim.DOB.IsZero():
					rec.Victim.Age = rec.Victim.DOB.AgeOn(on)
				case !v.dob.IsZero() && rng.Float64() < 0.5:
					rec.Victim.Age = v.dob.AgeOn(on) // an age recorded without a date of birth
				}
			}
			drafts = append(drafts, draft{rec, perp, victim})
		}
		truth.Serial = append(truth.Serial, nv >= 2)
		truth.Victims = append(truth.Victims, nv)
		truth.Female = append(truth.Female, female)
	}
	slices.SortStableFunc(drafts, func(a, b draft) int { return a.rec.On.Time().Compare(b.rec.On.Time()) })
	recs := make([]incident.Record, len(drafts))
	truth.Suspect = make([]int, len(drafts))
	truth.Victim = make([]int, len(drafts))
	for i, d := range drafts {
		d.rec.Ref = fmt.Sprintf("%s-%04d-%07d", prefix, d.rec.On.Year, i+1)
		recs[i], truth.Suspect[i], truth.Victim[i] = d.rec, d.suspect, d.victim
	}
	return recs, truth
}

// mention is one record's way of writing a person: one of the noisy
// variants the population holds for them.
func mention(rng *rand.Rand, id identity) incident.Person {
	return id.variants[rng.IntN(len(id.variants))]
}

// incidentCount draws how many incidents a perpetrator has in the window:
// most have one or two, a tail has many.
func incidentCount(rng *rand.Rand) int {
	x := rng.Float64()
	switch {
	case x < 0.56:
		return 1
	case x < 0.76:
		return 2
	case x < 0.86:
		return 3
	case x < 0.91:
		return 4
	case x < 0.95:
		return 5 + rng.IntN(3)
	case x < 0.985:
		return 8 + rng.IntN(8)
	}
	return 16 + rng.IntN(30)
}

// serialChance is the chance a perpetrator with k incidents harmed more
// than one victim: the more incidents, the likelier.
func serialChance(k int) float64 {
	if k >= 5 {
		return 0.3
	}
	return 0.12
}

// typeTable lists the default strategy's type codes with cumulative
// weights, so the types stay those the scoring knows.
func typeTable() ([]string, []float64) {
	var types []string
	var cum []float64
	total := 0.0
	for _, g := range identify.Default().Gravity {
		w, ok := typeWeights[g.Type]
		if !ok {
			w = otherWeight
		}
		total += w
		types = append(types, g.Type)
		cum = append(cum, total)
	}
	for i := range cum {
		cum[i] /= total
	}
	return types, cum
}

func pick(rng *rand.Rand, cum []float64) int {
	i, _ := slices.BinarySearch(cum, rng.Float64())
	return min(i, len(cum)-1)
}

// WriteCSV writes records as an extract in incident.DefaultMapping's
// header, so incident.Read reads it without a mapping file.
func WriteCSV(w io.Writer, recs []incident.Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(incident.Fields()); err != nil {
		return err
	}
	row := make([]string, len(incident.Fields()))
	for _, r := range recs {
		crime := "no"
		if r.Crime {
			crime = "yes"
		}
		age := ""
		if r.Victim.Age > 0 && r.Victim.Age <= 120 { // an age from a mistyped date of birth is left to the date
			age = strconv.Itoa(r.Victim.Age)
		}
		row = append(row[:0], r.Ref, r.On.String(), r.Type, crime,
			r.Suspect.GivenName, r.Suspect.FamilyName, r.Suspect.DOB.String(), r.Suspect.Postcode,
			r.Victim.GivenName, r.Victim.FamilyName, r.Victim.DOB.String(), age)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
