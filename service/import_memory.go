package service

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// An import past the full-resolution limit keeps the Go runtime's memory
// for its chunks within chunkMemory of what the process held before it.
//
// A chunk's live data is small, but the collector lets the heap grow to
// twice what was live at its last collection before it runs again; as the
// site grows each chunk's candidates grow a little, and so, chunk by
// chunk, does that headroom: in a 450,000-row import the resident size
// climbed by 30,000 to 40,000 kB over the first half hour of chunks. A
// soft memory limit (debug.SetMemoryLimit) makes the collector run sooner
// instead, so Go's share of the chunks' memory stays within what the
// first FullResolveLimit records needed. SQLite's own allocations are
// outside the runtime's count and so outside the limit. The limit is
// soft: a chunk that truly needs more gets it, at the cost of more
// collections, never of a failed import.
//
// The limit is the process's, shared by every import running at once:
// it is what the process held when the first of them began, and what
// each may use on top; the limit the process had before comes back when
// the last one ends.

// chunkMemory is the Go memory an import's chunks may use on top of what
// the process held before the import began. A full resolution of
// FullResolveLimit incidents peaks at a resident size of 158 to 168 MiB,
// of which about 25 MiB is the program's own pages and on SQLite some is
// its page cache, outside the runtime's count. With 128 MiB here the
// chunks of a 450,000-row import on PostgreSQL went past the first part's
// peak late in the import (168 MiB against 158 MiB); with 96 MiB they
// stayed under it (159 MiB against 167 MiB), the whole import taking
// about as long. On SQLite they went past it either way, by SQLite's own
// memory. docs/benchmarks.md, "Whole imports of 450,000 rows".
const chunkMemory = 96 << 20

var importMemory struct {
	sync.Mutex
	holders int
	base    int64 // what the process held when the first import began
	sum     int64 // what the running imports may use on top of base
	before  int64 // the limit the process had before the first
}

// RuntimeMemory is the memory the Go runtime holds from the operating
// system now, as its soft limit counts it: all it has mapped, less the
// heap pages it has given back. /metrics reports it beside the limit.
func RuntimeMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}

// capImportMemory asks the runtime to keep within use bytes for an
// import that began when the process held start, and returns the limit
// the process now has and the function that lets go of it.
func capImportMemory(start, use int64) (limit int64, release func()) {
	m := &importMemory
	m.Lock()
	defer m.Unlock()
	if m.holders == 0 {
		m.before = debug.SetMemoryLimit(-1)
		m.base, m.sum = start, 0
	}
	m.holders++
	m.sum += use
	limit = min(m.base+m.sum, m.before)
	debug.SetMemoryLimit(limit)
	var once sync.Once
	return limit, func() {
		once.Do(func() {
			m.Lock()
			defer m.Unlock()
			m.holders--
			m.sum -= use
			if m.holders == 0 {
				debug.SetMemoryLimit(m.before)
				return
			}
			debug.SetMemoryLimit(min(m.base+m.sum, m.before))
		})
	}
}
