package demo

import (
	"context"
	"slices"

	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/service"
)

// demoActor is who the demo acts as where no demo user would: the
// imports of police data, audited as the demo.
func demoActor() service.Actor { return service.System("demo") }

// IncidentsPerSite is how many police-recorded incidents the demo's
// synthetic extract gives each site, beside its closed cases'
// perpetrators' own (references "-DP", see policeHistory): enough for
// drive identify to show a ranked list with prolific and serial suspects,
// small enough to keep the demo quick.
const IncidentsPerSite = 3000

// incidents imports a synthetic police extract for each site (its people
// linked as it is stored, as drive import does), three years
// up to ReferenceDate, so identification can be shown without real data,
// and the list of cases the site's MARAC heard from it. Each site's seed
// is drawn from the demo's stream, so the extracts follow from the demo
// seed; references start with the site code, as a force's do with its
// own prefix. The MARAC list's seed is derived from the extract's rather
// than drawn from the stream, so nothing else in the demo depends on it.
func (g *generator) incidents(ctx context.Context) error {
	for _, site := range g.res.Sites {
		seed := g.rng.Uint64()
		// The extract also names the site's closed cases' perpetrators
		// (policeHistory), who are linked to their police records once it
		// is in: linking on import covers open cases only.
		own := g.policeCases[site.Code]
		if own == nil {
			own = &caseExtract{}
		}
		recs, truth := synth.Generate(synth.Config{Incidents: IncidentsPerSite, Seed: seed, End: ReferenceDate(), RefPrefix: site.Code})
		if _, _, err := g.svc.ImportIncidents(ctx, demoActor(), site.Code, append(slices.Clip(recs), own.recs...), nil); err != nil {
			return err
		}
		if _, err := g.svc.LinkPeople(ctx, demoActor(), site.Code, own.people); err != nil {
			return err
		}
		hearings, _ := synth.MARAC(recs, truth, seed^0x3a7ac)
		if _, _, err := g.svc.ImportMARAC(ctx, demoActor(), site.Code, hearings, nil); err != nil {
			return err
		}
	}
	return nil
}
