package service_test

import (
	"context"
	"math"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestImportExtendsInChunks imports one synthetic extract at two sites on
// each engine: at one the site is resolved in full, as a small import is;
// at the other the import is past a (lowered) full-resolution limit, so
// its first rows are resolved in full and the rest linked to them a chunk
// at a time. Both must store every incident, skip all of them when sent
// again, and give nearly the same people (pair by pair); the figures are
// logged. A later small import into the chunked site, past the limit
// already, is linked to its people without any full resolution.
func TestImportExtendsInChunks(t *testing.T) {
	recs, _ := synth.Generate(synth.Config{Incidents: 2400, Seed: 5, End: drive.MustDate("2026-11-30")})
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cli := service.CommandLine()
			n, skipped, err := w.svc.ImportIncidents(ctx, cli, "SVV", recs, nil)
			if err != nil || n != len(recs) || skipped != 0 {
				t.Fatalf("full import: %d new, %d skipped, %v", n, skipped, err)
			}
			chunked := &service.Service{DB: w.db, Keys: w.svc.Keys, Resolve: service.ResolveSizes{FullLimit: 700, Chunk: 400}}
			var lines []string
			capped := false // the chunks ran under a memory limit (capImportMemory)
			n, skipped, err = chunked.ImportIncidents(ctx, cli, "NMR", recs[:2000], func(l string) {
				lines = append(lines, l)
				capped = capped || debug.SetMemoryLimit(-1) < math.MaxInt64
			})
			if err != nil || n != 2000 || skipped != 0 {
				t.Fatalf("chunked import: %d new, %d skipped, %v", n, skipped, err)
			}
			if !capped {
				t.Error("the chunks ran without a memory limit")
			}
			if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
				t.Errorf("the chunks' memory limit (%d) outlived the import", limit)
			}
			if len(lines) < 5 {
				t.Errorf("chunked import said %q; want a line for the full part and each chunk", lines)
			}
			// Sent again with the rest: only the rest is new.
			n, skipped, err = chunked.ImportIncidents(ctx, cli, "NMR", recs, nil)
			if err != nil || n != len(recs)-2000 || skipped != 2000 {
				t.Fatalf("chunked import again: %d new, %d skipped, %v; want %d new and 2000 skipped", n, skipped, err, len(recs)-2000)
			}
			full, inc := sitePeople(t, w, w.siteB.ID), sitePeople(t, w, w.siteA.ID)
			var fullSus, fullVic []string
			var incSus, incVic []int
			for _, r := range recs {
				f, i := full[r.Ref], inc[r.Ref]
				fullSus, incSus = append(fullSus, key(f[0])), append(incSus, int(i[0]))
				if r.Victim.GivenName != "" || r.Victim.FamilyName != "" {
					fullVic, incVic = append(fullVic, key(f[1])), append(incVic, int(i[1]))
				}
			}
			sus, vic := linkage.PairwiseScores(fullSus, incSus), linkage.PairwiseScores(fullVic, incVic)
			t.Logf("suspects: precision %.4f recall %.4f; victims: precision %.4f recall %.4f (chunked against full)",
				sus.Precision, sus.Recall, vic.Precision, vic.Recall)
			if sus.Precision < 0.97 || sus.Recall < 0.97 {
				t.Errorf("suspects linked in chunks agree with the full resolution on too few pairs: precision %.4f, recall %.4f", sus.Precision, sus.Recall)
			}
			if vic.Precision < 0.95 || vic.Recall < 0.95 {
				t.Errorf("victims linked in chunks agree with the full resolution on too few pairs: precision %.4f, recall %.4f", vic.Precision, vic.Recall)
			}
			for _, p := range inc {
				if p[0] == 0 {
					t.Fatal("an incident imported in chunks has no suspect")
				}
			}

			// One more incident of a known man, past the limit: he is
			// recognised, and nobody else moves.
			known := recs[0]
			more := incident.Record{Ref: "LATE-1", On: drive.MustDate("2026-11-29"), Type: known.Type, Crime: known.Crime, Suspect: known.Suspect, Victim: known.Victim}
			if n, _, err := chunked.ImportIncidents(ctx, cli, "NMR", []incident.Record{more}, nil); err != nil || n != 1 {
				t.Fatalf("a later import: %d new, %v", n, err)
			}
			after := sitePeople(t, w, w.siteA.ID)
			if after["LATE-1"][0] != after[known.Ref][0] {
				t.Errorf("the later incident's suspect is %d, not %d of the same man's earlier incident", after["LATE-1"][0], after[known.Ref][0])
			}
			for ref, p := range inc {
				if after[ref][0] != p[0] && after[ref][0] != after["LATE-1"][0] {
					t.Errorf("incident %s moved from suspect %d to %d on an unrelated import", ref, p[0], after[ref][0])
				}
			}
		})
	}
}

// sitePeople is each incident's suspect and victim at a site, by
// reference.
func sitePeople(t *testing.T, w *world, siteID int64) map[string][2]int64 {
	t.Helper()
	out := map[string][2]int64{}
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.SitePoliceIncidents(context.Background(), siteID, drive.Date{})
		for _, r := range rows {
			out[r.Ref] = [2]int64{r.SuspectPerson, r.VictimPerson}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func key(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
