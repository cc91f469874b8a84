package demo

import (
	"cmp"
	"context"
	"fmt"
	"slices"

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
		latest[r.SuspectPerson] = r.Suspect
	}
	var ids []int64
	for id := range count {
		if id != 0 {
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
		sus := latest[id]
		sus.Postcode = fmt.Sprintf("%s%d 4QT", to.Code[:2], 1+k)
		victim := incident.Person{GivenName: given[g.rng.IntN(len(given))], FamilyName: family[g.rng.IntN(len(family))], Age: 22 + g.rng.IntN(20)}
		for n := 0; n < 2+g.rng.IntN(2); n++ {
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
