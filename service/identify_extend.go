package service

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/store"
)

// An import's memory does not grow with the size of its file.
//
// Resolving a site's people in full (resolveSite) links every incident
// and hearing the site holds in one go; its memory grows with all of
// them. So an import does that only while the site will hold at most
// FullResolveLimit incidents and hearings after it. Past that, the new
// incidents are read a chunk of ExtendChunk at a time, and each chunk's
// suspects and victims are linked to the people the site already holds
// (identify.Extend), under the model the linker learned at the site's
// last full resolution, with candidates found by blocking keys in the
// database (store.MentionsLike): what is held in memory is one chunk and
// its candidates, whatever the size of the file or the site. An import
// that takes a site past the limit resolves it in full up to the limit
// first (which learns the model) and extends it with the rest.
//
// Everything happens in the caller's one transaction, so the import
// stays all or nothing: a failure, or a server killed part way, leaves
// nothing of it. `drive identify --resolve` (ResolveSite) still links a
// whole site again in full when wanted.

// FullResolveLimit is the most incidents and hearings a site may hold
// after an import for the import to resolve its people again in full
// (unless Service.Resolve says otherwise). About 50,000 records resolve
// in roughly 150 MiB.
const FullResolveLimit = 50_000

// ExtendChunk is how many new incidents an import past FullResolveLimit
// links and stores at a time.
const ExtendChunk = 10_000

// ResolveSizes say when an import resolves a site in full and how many
// incidents it links at a time past that; zero fields mean
// FullResolveLimit and ExtendChunk. Tests make them small.
type ResolveSizes struct {
	FullLimit, Chunk int
}

func (s *Service) resolveSizes() (full, chunk int) {
	full, chunk = FullResolveLimit, ExtendChunk
	if s.Resolve.FullLimit > 0 {
		full = s.Resolve.FullLimit
	}
	if s.Resolve.Chunk > 0 {
		chunk = s.Resolve.Chunk
	}
	return full, chunk
}

// incidentSource hands an import its incidents, one at a time, in the
// file's order; each returns an error to stop.
type incidentSource func(each func(incident.Record) error) error

// importIncidentStream stores the incidents src brings (rows of them, as
// counted when the file was checked) for a site with the people they
// name, in the caller's transaction, resolving the site in full or
// extending it a chunk at a time as described above. Incidents whose
// reference the site already holds (or that repeat one earlier in the
// file) are skipped, so importing the same extract twice changes nothing.
// Matching suspects across sites is a separate step. progress, if set,
// receives a line at each stage.
func (s *Service) importIncidentStream(ctx context.Context, tx *store.Tx, siteID int64, rows int, src incidentSource, progress func(string)) (inserted, skipped int, err error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	if err := tx.LockSitePeople(ctx, siteID); err != nil {
		return 0, 0, err
	}
	fullLimit, chunkSize := s.resolveSizes()
	held, err := tx.SiteMentionCount(ctx, siteID)
	if err != nil {
		return 0, 0, err
	}
	model, err := keptModel(ctx, tx, siteID)
	if err != nil {
		return 0, 0, err
	}
	if held+rows <= fullLimit || (model == nil && held >= fullLimit) {
		// Small enough to resolve in full; or a site holding many records
		// resolved before any model was kept, which only a full
		// resolution can extend.
		var recs []incident.Record
		if err := src(func(r incident.Record) error { recs = append(recs, r); return nil }); err != nil {
			return 0, 0, err
		}
		if inserted, skipped, err = importWhole(ctx, tx, siteID, recs, say); err != nil {
			return 0, 0, err
		}
	} else {
		fixed, err := tx.RuledPeople(ctx, siteID)
		if err != nil {
			return 0, 0, err
		}
		// A site under the limit is resolved in full up to it first,
		// which learns the model the rest is linked under from as many
		// records as a full resolution may hold.
		first := max(fullLimit-held, 0)
		full := first > 0
		chunk := make([]incident.Record, 0, max(min(first, rows), min(chunkSize, rows)))
		seen, analyzed := 0, false
		// The chunks are kept within chunkMemory of what the process held
		// before the import began (capImportMemory).
		start := RuntimeMemory()
		release := func() {}
		defer func() { release() }()
		capMemory := func() {
			limit, r := capImportMemory(start, chunkMemory)
			release = r
			say("linking the rest in chunks, within %d MiB", limit>>20)
		}
		if !full {
			capMemory()
		}
		// A chunk's memory is its candidates (the held mentions sharing
		// its keys), more than its rows: extendSize shrinks the chunks as
		// the site grows, but a small chunk repeats fewer keys than a large
		// one, so its candidates for each row still grew, and with them
		// what a chunk holds. The first chunk linked sets how many
		// candidates a chunk may have (target); each later chunk is sized
		// from the last one's candidates for each row to stay within it,
		// down to the tenth of a chunk extendSize comes to at most: a
		// smaller chunk shares fewer keys between its rows, so its
		// candidates for each row grow again, and a chunk of a hundred
		// rows fetched about as many candidates as one of a thousand, ten
		// times as often (a 450,000-row import did not finish in two hours).
		target, limit := 0, 0
		flush := func() error {
			var n, k int
			var err error
			if full {
				full = false
				if n, k, err = importWhole(ctx, tx, siteID, chunk, say); err != nil {
					return err
				}
				if model, err = keptModel(ctx, tx, siteID); err != nil {
					return err
				}
				if model == nil {
					return drive.Errorf(drive.EINTERNAL, "the site's first %d incidents were resolved but no linkage model was kept", len(chunk))
				}
				capMemory()
			} else {
				if !analyzed {
					if err := tx.AnalyzeMentions(ctx); err != nil {
						return err
					}
					analyzed = true
				}
				var cands int
				if n, k, cands, err = extendIncidents(ctx, tx, siteID, model, chunk, fixed); err != nil {
					return err
				}
				switch {
				case target == 0:
					target = max(cands, 1)
				case cands > 0:
					limit = max(chunkSize/10, len(chunk)*target/cands, 1)
				}
			}
			inserted, skipped = inserted+n, skipped+k
			say("%d of %d rows linked and stored", seen, rows)
			// A chunk's records are let go once stored: the array is
			// reused cleared, so it holds nothing they named, and the
			// first part's, sized for a full resolution, is dropped.
			if cap(chunk) > chunkSize {
				chunk = make([]incident.Record, 0, chunkSize)
			} else {
				clear(chunk)
				chunk = chunk[:0]
			}
			// What the chunk's linking allocated (its candidates, their
			// comparisons) is garbage now: collected here, the heap's next
			// goal is set by what the import holds between chunks, not by
			// the middle of the largest chunk, which would let the heap
			// grow to twice that before the next collection. The pages it
			// freed go back to the operating system too: Go keeps freed
			// pages and returns them only slowly, so without this the
			// process stays as large as its largest moment so far (the
			// first part's full resolution) and each chunk's garbage is
			// added to that, and the resident size climbs chunk by chunk
			// although what is live does not.
			debug.FreeOSMemory()
			// SQLite's page cache lets go of the chunk's pages it is not
			// using, for the same reason (store.Tx.ReleaseCache).
			return tx.ReleaseCache(ctx)
		}
		err = src(func(r incident.Record) error {
			chunk = append(chunk, r)
			seen++
			size := extendSize(chunkSize, fullLimit, held+seen)
			if limit > 0 {
				size = min(size, limit)
			}
			if (full && len(chunk) >= first) || (!full && len(chunk) >= size) {
				return flush()
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
		if len(chunk) > 0 {
			if err := flush(); err != nil {
				return 0, 0, err
			}
		}
	}
	if _, err := linkSite(ctx, tx, siteID); err != nil { // the open cases against the people as they are now
		return 0, 0, err
	}
	return inserted, skipped, nil
}

// extendSize is how many new incidents to link at once when the site
// holds about held records: chunk while it holds no more than the full
// resolution limit, and proportionally fewer past it, down to a tenth.
// A chunk's candidates are the held mentions sharing its keys, and the
// more the site holds the more share each key; smaller chunks keep what
// one chunk holds in memory about the same however large the site grows.
func extendSize(chunk, fullLimit, held int) int {
	if held <= fullLimit {
		return chunk
	}
	return max(chunk/10, int(int64(chunk)*int64(fullLimit)/int64(held)))
}

// keptModel is the suspect model kept by the site's last full
// resolution, nil if there is none.
func keptModel(ctx context.Context, tx *store.Tx, siteID int64) (*linkage.Model, error) {
	raw, err := tx.LinkageModel(ctx, siteID, string(identify.SuspectRole))
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := identify.ParseModel(raw)
	if err != nil {
		return nil, nil // a model that cannot be read is as none: resolve in full
	}
	return m, nil
}

// extendIncidents stores one chunk of new incidents, linking their
// suspects and then their victims to the site's people (extendRole), and
// returns how many held mentions were candidates, for both roles together.
func extendIncidents(ctx context.Context, tx *store.Tx, siteID int64, model *linkage.Model, recs []incident.Record, fixed map[int64]bool) (inserted, skipped, candidates int, err error) {
	refs := make([]string, len(recs))
	for i, r := range recs {
		refs[i] = r.Ref
	}
	held, err := tx.HeldRefs(ctx, siteID, refs)
	if err != nil {
		return 0, 0, 0, err
	}
	fresh, skipped := newIncidents(recs, held)
	if len(fresh) == 0 {
		return 0, skipped, 0, nil
	}
	ps := make([]incident.Person, len(fresh))
	for i, r := range fresh {
		ps[i] = r.Suspect
	}
	sus, nsus, err := extendRole(ctx, tx, siteID, identify.SuspectRole, model, ps, nil, fixed)
	if err != nil {
		return 0, 0, 0, err
	}
	// What linking the suspects allocated (their candidates, the linker's
	// table of them) is garbage now; collected before the victims are
	// linked, the heap's goal for them is set by what the chunk holds, not
	// by the suspects' linking at its largest, which would let the heap
	// grow to twice that before the next collection.
	runtime.GC()
	for i, r := range fresh {
		ps[i] = r.Victim
	}
	vic, nvic, err := extendRole(ctx, tx, siteID, identify.VictimRole, model, ps, sus, fixed)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := tx.InsertIncidents(ctx, siteID, fresh, sus, vic, nil); err != nil {
		return 0, 0, 0, err
	}
	return len(fresh), skipped, nsus + nvic, nil
}

// extendRole links the people of one role named on a chunk's incidents
// (ps, by incident; context, for victims, each incident's suspect) to the
// site's people of that role, creating the new people and merging those a
// new mention bridged, and returns each incident's person (0 for none) and
// how many held mentions were its candidates.
func extendRole(ctx context.Context, tx *store.Tx, siteID int64, role identify.Role, model *linkage.Model, ps []incident.Person, context []int64, fixed map[int64]bool) ([]int64, int, error) {
	var keys store.MentionKeys
	dobs, fis, gys := map[drive.Date]bool{}, map[[2]string]bool{}, map[store.GivenYear]bool{}
	for _, p := range ps {
		if p.GivenName == "" && p.FamilyName == "" {
			continue
		}
		dob, fi, given, year := identify.BlockingKeys(p)
		if !dob.IsZero() && !dobs[dob] {
			dobs[dob] = true
			keys.DOBs = append(keys.DOBs, dob)
		}
		if fi[0] != "" && !fis[fi] {
			fis[fi] = true
			keys.FamilyInitial = append(keys.FamilyInitial, fi)
		}
		if gy := (store.GivenYear{Given: given, Year: year}); given != "" && !gys[gy] {
			gys[gy] = true
			keys.GivenYear = append(keys.GivenYear, gy)
		}
	}
	ms, err := tx.MentionsLike(ctx, siteID, string(role), keys)
	if err != nil {
		return nil, 0, err
	}
	known := make([]identify.Known, len(ms))
	for i, m := range ms {
		known[i] = identify.Known{Person: m.Person, ID: m.PersonID, Context: m.Context}
	}
	ext, err := identify.Extend(model, known, ps, identify.ExtendOptions{Context: context, Fixed: func(id int64) bool { return fixed[id] }})
	if err != nil {
		return nil, 0, err
	}
	ids, err := tx.NewPolicePeople(ctx, siteID, string(role), ext.New)
	if err != nil {
		return nil, 0, err
	}
	out := make([]int64, len(ps))
	for i, into := range ext.Into {
		switch {
		case into > 0:
			out[i] = into
		case into < 0:
			out[i] = ids[-into-1]
		}
	}
	if err := tx.MergeMentions(ctx, ext.Merged); err != nil {
		return nil, 0, err
	}
	return out, len(ms), nil
}
