package demo

import (
	"context"

	"github.com/drive-platform/drive/incident/synth"
)

// IncidentsPerSite is how many police-recorded incidents the demo gives
// each site: enough for drive identify to show a ranked list with
// prolific and serial suspects, small enough to keep the demo quick.
const IncidentsPerSite = 3000

// incidents imports a synthetic police extract for each site, three years
// up to ReferenceDate, so identification can be shown without real data.
// Each site's seed is drawn from the demo's stream, so the extracts follow
// from the demo seed; references start with the site code, as a force's
// do with its own prefix.
func (g *generator) incidents(ctx context.Context) error {
	for _, site := range g.res.Sites {
		recs, _ := synth.Generate(synth.Config{Incidents: IncidentsPerSite, Seed: g.rng.Uint64(), End: ReferenceDate(), RefPrefix: site.Code})
		if _, _, err := g.tx.ImportIncidents(ctx, site.ID, recs, nil); err != nil {
			return err
		}
	}
	return nil
}
