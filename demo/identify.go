package demo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/drive-platform/drive/incident"
)

// MovedSuspects is how many of the first site's most prolific suspects
// the demo also places at the second site, as serial perpetrators who
// move between areas, so the national team's cross-site view has
// something to show.
const MovedSuspects = 4

// identification gives a few of the first site's most prolific suspects
// new incidents with new victims at the second site (under the same name
// and date of birth, at a new postcode), imports those, and matches
// suspects across sites.
func (g *generator) identification(ctx context.Context) error {
	if len(g.res.Sites) < 2 {
		_, err := g.svc.MatchAcrossSites(ctx, demoActor())
		return err
	}
	from, to := g.res.Sites[0], g.res.Sites[1]
	rk, err := g.svc.RankSite(ctx, demoActor(), from.Code, ReferenceDate(), nil, 0, nil)
	if err != nil {
		return err
	}
	count := map[int64]int{}
	latest := map[int64]incident.Person{}
	for _, r := range rk.Incidents {
		count[r.SuspectPerson]++
		// The new force writes him as the old one last did in full, with
		// a date of birth, so there is something to match him by.
		if _, seen := latest[r.SuspectPerson]; !seen || !r.Suspect.DOB.IsZero() {
			latest[r.SuspectPerson] = r.Suspect
		}
	}
	// A name that more than one suspect of either force goes by (two
	// Robert Smiths) cannot be matched across sites without an address in
	// common, and the point of moving these men is that the match is
	// there to see; so the demo moves men whose names are their own.
	rkTo, err := g.svc.RankSite(ctx, demoActor(), to.Code, ReferenceDate(), nil, 0, nil)
	if err != nil {
		return err
	}
	nameKey := func(p incident.Person) string {
		return strings.ToLower(strings.TrimSpace(p.GivenName)) + " " + strings.ToLower(strings.TrimSpace(p.FamilyName))
	}
	bearers := map[string]map[int64]bool{}
	bear := func(p incident.Person, person int64) {
		k := nameKey(p)
		if bearers[k] == nil {
			bearers[k] = map[int64]bool{}
		}
		bearers[k][person] = true
	}
	for _, r := range rk.Incidents {
		bear(r.Suspect, r.SuspectPerson)
	}
	for _, r := range rkTo.Incidents {
		bear(r.Suspect, -r.SuspectPerson) // another site's numbering
	}
	var ids []int64
	for id := range count {
		if id != 0 && len(bearers[nameKey(latest[id])]) == 1 {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b int64) int {
		if r := cmp.Compare(count[b], count[a]); r != 0 {
			return r
		}
		return cmp.Compare(a, b)
	})
	given := []string{"Leah", "Chantelle", "Imogen", "Roxanne", "Natalie", "Kerry", "Jasmine", "Toni"}
	family := []string{"Pryce", "Okafor", "Lindqvist", "Marsh", "Dobson", "Farrant", "Quayle", "Ashdown"}
	var recs []incident.Record
	for k, id := range ids[:min(MovedSuspects, len(ids))] {
		moved := latest[id]
		moved.Postcode = fmt.Sprintf("%s%d 4QT", to.Code[:2], 1+k)
		victim := incident.Person{GivenName: given[g.rng.IntN(len(given))], FamilyName: family[g.rng.IntN(len(family))], Age: 22 + g.rng.IntN(20)}
		count := 2 + g.rng.IntN(2)
		for n := 0; n < count; n++ {
			// His earliest record at the new force (dates go back as n
			// grows) still gives the address he came from, as a first
			// record after a move often does.
			sus := moved
			if n == count-1 {
				sus.Postcode = latest[id].Postcode
			}
			recs = append(recs, incident.Record{Ref: fmt.Sprintf("%s-MV%d%d", to.Code, k+1, n+1), On: ReferenceDate().AddDays(-20 - 45*n - g.rng.IntN(30)),
				Type: []string{"common_assault", "harassment", "abh"}[n%3], Crime: true, Suspect: sus, Victim: victim})
		}
	}
	if _, _, err = g.svc.ImportIncidents(ctx, demoActor(), to.Code, recs, nil); err != nil {
		return err
	}
	_, err = g.svc.MatchAcrossSites(ctx, demoActor())
	return err
}
