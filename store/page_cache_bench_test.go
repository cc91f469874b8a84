package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// BenchmarkPageCacheResident measures what SQLite's page caches cost the
// process in resident memory, which the Go runtime neither sees nor
// bounds: a table larger than every cache is read whole by the writer and
// by the four readers at once, so each connection's cache fills to its
// limit, and the growth of the resident set is reported for each
// connection beside the limit it was given (writerCacheKiB and
// readerCacheKiB). An import's memory budget (service/import_memory.go)
// covers the Go heap only; this is what SQLite adds beside it.
//
//	go test ./store -run '^$' -bench PageCacheResident -benchtime 1x
func BenchmarkPageCacheResident(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "big.db")
	raw, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		b.Fatal(err)
	}
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	// About 90 MB of rows: several times any connection's cache.
	if _, err := tx.Exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		b.Fatal(err)
	}
	filler := strings.Repeat("x", 400)
	for i := 0; i < 200000; i++ {
		if _, err := tx.Exec(`INSERT INTO big (v) VALUES (?)`, filler); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	raw.Close()

	for i := 0; i < b.N; i++ {
		db, err := Open(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		scan := func(tx *Tx) error {
			var n int64
			return tx.queryRow(ctx, `SELECT sum(length(v)) FROM big`).Scan(&n)
		}
		debug.FreeOSMemory()
		before := residentKiB(b)
		if err := db.Transact(ctx, scan); err != nil {
			b.Fatal(err)
		}
		debug.FreeOSMemory()
		writer := residentKiB(b)
		// Four read transactions open at once take the four read
		// connections; each reads the table whole before any ends.
		var wg sync.WaitGroup
		var started sync.WaitGroup
		started.Add(4)
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.View(ctx, func(tx *Tx) error {
					err := scan(tx)
					started.Done()
					started.Wait()
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		debug.FreeOSMemory()
		readers := residentKiB(b)
		db.Close()
		b.ReportMetric(float64(writer-before)/1024, "writer-MiB")
		b.ReportMetric(float64(writerCacheKiB)/1024, "writer-limit-MiB")
		b.ReportMetric(float64(readers-writer)/4/1024, "MiB-per-reader")
		b.ReportMetric(float64(readerCacheKiB)/1024, "reader-limit-MiB")
	}
}

// residentKiB is the process's resident set size now, from /proc.
func residentKiB(b *testing.B) int64 {
	b.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status here: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
