package synth

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
)

// Chances that an incident between a perpetrator and a victim takes her
// case to MARAC, by what the incident says about risk. A further incident
// within 12 months of her case's last hearing sends it back (a repeat
// MARAC) when an agency flags it, which most are not; otherwise the
// gravest abuse is referred most often (visible high risk), then
// escalation (three or more incidents against her in 12 months), and a
// few cases on professional judgement alone. Together they give about one
// hearing for every nine incidents, and about three repeats in ten
// hearings (MARACs report 31% nationally).
const (
	chanceRepeat     = 0.18
	chanceGravest    = 0.5  // gravity 6 or more: threats to kill, strangulation and worse
	chanceGrave      = 0.15 // gravity 5: ABH, stalking, coercive control
	chanceEscalating = 0.3
	chanceJudgement  = 0.01
)

// MARAC draws the list of cases a site's MARAC heard, given an extract
// made by Generate and its truth. A case is one victim and one
// perpetrator; it is heard one to six weeks after the incident that
// referred it, and heard again under the same reference after a further
// incident within 12 months of its last hearing (a repeat MARAC); after
// 12 months a referral is a new case. Nothing is heard after the
// extract's last incident, so the list is valid "as of" that date. Names
// and dates of birth are drawn from the ways the extract writes the same
// people, with the same noise; a victim's address is never on the list.
// It returns the hearings, oldest first, and the true perpetrator (as
// numbered in truth) of each. The same records, truth and seed give the
// same list.
func MARAC(recs []incident.Record, truth Truth, seed uint64) ([]incident.Hearing, []int) {
	if len(recs) == 0 || len(truth.Suspect) != len(recs) || len(truth.Victim) != len(recs) {
		return nil, nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x3a7ac11))
	end := recs[0].On
	for _, r := range recs {
		if r.On.After(end) {
			end = r.On
		}
	}
	gravity := map[string]float64{}
	for _, g := range identify.Default().Gravity {
		gravity[g.Type] = g.Points
	}

	// The ways the extract writes each person, and each relationship's
	// incidents in date order.
	perpMentions := map[int][]incident.Person{}
	victimMentions := map[int][]incident.Person{}
	type pair struct{ perp, victim int }
	var pairs []pair
	incidentsOf := map[pair][]int{}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return recs[a].On.Time().Compare(recs[b].On.Time()) })
	for _, i := range order {
		r := recs[i]
		p := pair{truth.Suspect[i], truth.Victim[i]}
		if r.Suspect.FamilyName != "" { // a list must give his family name
			perpMentions[p.perp] = append(perpMentions[p.perp], r.Suspect)
		}
		if r.Victim.GivenName != "" || r.Victim.FamilyName != "" {
			victimMentions[p.victim] = append(victimMentions[p.victim], r.Victim)
		}
		if _, ok := incidentsOf[p]; !ok {
			pairs = append(pairs, p)
		}
		incidentsOf[p] = append(incidentsOf[p], i)
	}

	type draft struct {
		h         incident.Hearing
		perp      int
		caseIndex int
	}
	var drafts []draft
	cases := 0
	for _, p := range pairs {
		if len(victimMentions[p.victim]) == 0 || len(perpMentions[p.perp]) == 0 {
			continue // a MARAC hears a named victim's case against a named man
		}
		idx := incidentsOf[p]
		var lastHeard drive.Date
		caseIndex := -1
		for k, i := range idx {
			on := recs[i].On
			if !lastHeard.IsZero() && !on.After(lastHeard) {
				continue // already part of the case as heard
			}
			repeat := !lastHeard.IsZero() && !on.After(lastHeard.AddMonths(12))
			chance := chanceJudgement
			switch g := gravity[recs[i].Type]; {
			case repeat:
				chance = chanceRepeat
			case g >= 6:
				chance = chanceGravest
			case g >= 5:
				chance = chanceGrave
			case escalating(recs, idx[:k+1]):
				chance = chanceEscalating
			}
			if rng.Float64() >= chance {
				continue
			}
			heard := on.AddDays(7 + rng.IntN(36))
			if heard.After(end) {
				continue // not heard yet
			}
			if !repeat {
				caseIndex = cases
				cases++
			}
			v := pickMention(rng, victimMentions[p.victim])
			v.Postcode, v.Age = "", 0 // a victim's address is never on the list
			s := pickMention(rng, perpMentions[p.perp])
			s.Age = 0
			drafts = append(drafts, draft{incident.Hearing{HeardOn: heard, Victim: v, Perpetrator: s}, p.perp, caseIndex})
			lastHeard = heard
		}
	}
	slices.SortStableFunc(drafts, func(a, b draft) int {
		return cmp.Or(a.h.HeardOn.Time().Compare(b.h.HeardOn.Time()), cmp.Compare(a.caseIndex, b.caseIndex))
	})
	// Cases are numbered in the order they were first heard, by year.
	refs := map[int]string{}
	perYear := map[int]int{}
	hs := make([]incident.Hearing, len(drafts))
	perps := make([]int, len(drafts))
	for i, d := range drafts {
		ref, ok := refs[d.caseIndex]
		if !ok {
			y := d.h.HeardOn.Year
			perYear[y]++
			ref = fmt.Sprintf("MARAC-%d-%04d", y, perYear[y])
			refs[d.caseIndex] = ref
		}
		d.h.Ref = ref
		hs[i], perps[i] = d.h, d.perp
	}
	return hs, perps
}

// escalating says whether the last of a relationship's incidents (given
// oldest first) is the third or more against her in 12 months.
func escalating(recs []incident.Record, idx []int) bool {
	last := recs[idx[len(idx)-1]].On
	n := 0
	for _, i := range idx {
		if !recs[i].On.Before(last.AddMonths(-12)) {
			n++
		}
	}
	return n >= 3
}

// pickMention draws one of the ways records write a person.
func pickMention(rng *rand.Rand, ms []incident.Person) incident.Person {
	return ms[rng.IntN(len(ms))]
}

// WriteMARACCSV writes hearings as a MARAC list in
// incident.DefaultMARACMapping's header, so incident.ReadMARAC reads it
// without a mapping file.
func WriteMARACCSV(w io.Writer, hs []incident.Hearing) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(incident.MARACFields()); err != nil {
		return err
	}
	for _, h := range hs {
		if err := cw.Write([]string{h.Ref, h.HeardOn.String(),
			h.Victim.GivenName, h.Victim.FamilyName, h.Victim.DOB.String(),
			h.Perpetrator.GivenName, h.Perpetrator.FamilyName, h.Perpetrator.DOB.String(), h.Perpetrator.Postcode}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
