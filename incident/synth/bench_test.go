package synth

import (
	"testing"

	"github.com/drive-platform/drive"
)

// BenchmarkGenerate is one demo site's police extract (demo.IncidentsPerSite
// is of this order): the cost the sex profile must not raise.
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		Generate(Config{Incidents: 20000, Seed: 11, End: drive.MustDate("2026-06-30")})
	}
}
