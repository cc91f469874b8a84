package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/store"
)

// benchIdentifyTop is how many suspects the benchmark ranks: about what a
// site's panel looks at, and what the serial flag's accuracy is judged on.
const benchIdentifyTop = 100

// runBenchIdentify measures the whole identification path a site runs on a
// police extract, stage by stage, because the target (a force's 3-year
// window imported, resolved and scored in 2 minutes) is about the sum: a
// fast scorer is no use behind a slow import. It also checks the serial
// flag against the generator's truth, so speed is never bought with wrong
// answers unnoticed.
func runBenchIdentify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drive bench identify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("incidents", 45_000, "number of synthetic incidents")
	seed := fs.Uint64("seed", 1, "seed for generating and resolving")
	keep := fs.String("dir", "", "directory for the extract and database (default: a temporary one, removed afterwards)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q; see drive bench identify -h", fs.Arg(0))}
	}
	if *n < 1 {
		return usageError{fmt.Sprintf("--incidents %d: give at least 1", *n)}
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "drive-bench-identify-")
		if err != nil {
			return drive.Wrap(err, drive.EINTERNAL, "cannot create a temporary directory")
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	asOf := drive.DateOf(time.Now())

	genStart := time.Now()
	gen, truth := synth.Generate(synth.Config{Incidents: *n, Seed: *seed, End: asOf, RefPrefix: "BN"})
	extract := filepath.Join(dir, fmt.Sprintf("incidents-%d.csv", *n))
	if err := writeIncidentCSV(extract, gen); err != nil {
		return err
	}
	genTime := time.Since(genStart)
	serialTotal := 0
	for _, s := range truth.Serial {
		if s {
			serialTotal++
		}
	}
	fmt.Fprintf(stdout, "incidents        %d (%d perpetrators, %d serial; generated and written in %.1fs, not timed)\n",
		len(gen), truth.Perpetrators(), serialTotal, genTime.Seconds())
	fmt.Fprintf(stdout, "cores            %d (GOMAXPROCS)\n", runtime.GOMAXPROCS(0))

	var total time.Duration
	stage := func(name, what string, count int, fn func() error) error {
		start := time.Now()
		if err := fn(); err != nil {
			return err
		}
		d := time.Since(start)
		total += d
		fmt.Fprintf(stdout, "%-16s %7.2fs %9.0f incidents/s  max RSS %5.0f MiB  (%s)\n", name, d.Seconds(), float64(count)/d.Seconds(), maxRSSMiB(), what)
		return nil
	}

	var recs []incident.Record
	err := stage("read", "incident.Read: parse and validate the CSV", len(gen), func() error {
		f, err := os.Open(extract)
		if err != nil {
			return drive.Wrap(err, drive.EINTERNAL, "cannot open the extract")
		}
		defer f.Close()
		var rowErrs []incident.RowError
		recs, rowErrs, err = incident.Read(bufio.NewReaderSize(f, 1<<20), incident.DefaultMapping(), asOf)
		if err != nil {
			return err
		}
		if len(rowErrs) > 0 {
			return fmt.Errorf("the synthetic extract has %d problems, the first: %s", len(rowErrs), rowErrs[0])
		}
		return nil
	})
	if err != nil {
		return err
	}
	gen = nil // the read copy is what the rest uses

	db, err := store.Open(ctx, filepath.Join(dir, "bench.db"), store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	site := identity.Site{Code: "BEN", Name: "Benchmark", Region: "Benchmark"}
	err = stage("import", "store.ImportIncidents into a new SQLite database, one transaction", len(recs), func() error {
		return db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSite(ctx, &site); err != nil {
				return err
			}
			inserted, _, err := tx.ImportIncidents(ctx, site.ID, recs, nil)
			if err == nil && inserted != len(recs) {
				err = fmt.Errorf("stored %d of %d incidents", inserted, len(recs))
			}
			return err
		})
	})
	if err != nil {
		return err
	}
	strategy := identify.Default()
	var loaded []incident.Record
	err = stage("load", "store.SiteIncidents for the window", len(recs), func() error {
		return db.View(ctx, func(tx *store.Tx) error {
			var err error
			loaded, err = tx.SiteIncidents(ctx, site.ID, asOf.AddMonths(-strategy.WindowMonths))
			return err
		})
	})
	if err != nil {
		return err
	}
	recs = nil
	var incidents []identify.Incident
	err = stage("resolve", "identify.Resolve: link suspects and victims into people", len(loaded), func() error {
		var err error
		incidents, err = identify.Resolve(ctx, loaded, *seed)
		return err
	})
	if err != nil {
		return err
	}
	var scores []identify.Score
	err = stage("rank", fmt.Sprintf("identify.Default().Rank, top %d", benchIdentifyTop), len(incidents), func() error {
		scores = strategy.Rank(incidents, asOf, benchIdentifyTop)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "total            %7.2fs %9.0f incidents/s  (read, import, load, resolve, rank)\n", total.Seconds(), float64(len(loaded))/total.Seconds())
	fmt.Fprintf(stdout, "peak memory      %.0f MiB resident (max RSS of the process, generation included)\n", maxRSSMiB())

	acc := serialAccuracy(scores, incidents, refTruth(loaded, truth), truth.Serial)
	fmt.Fprintf(stdout, "serial flag      precision %.3f (%d of %d flagged), recall %.3f (%d of %d truly serial) among the top %d\n",
		ratio(acc.truePos, acc.flagged), acc.truePos, acc.flagged, ratio(acc.truePos, acc.serial), acc.truePos, acc.serial, len(scores))
	fmt.Fprintf(stdout, "resolution       %.3f of the top %d suspects' incidents belong to their majority true perpetrator\n",
		ratio(acc.majority, acc.mentions), len(scores))
	return nil
}

// refTruth maps each loaded record to its true perpetrator (-1 unknown).
// The database returns the records in its own order, so the generator's
// index is recovered from the reference, which ends in the record's
// 1-based position in the generated extract.
func refTruth(loaded []incident.Record, truth synth.Truth) []int {
	out := make([]int, len(loaded))
	for i, r := range loaded {
		out[i] = -1
		if k := strings.LastIndexByte(r.Ref, '-'); k >= 0 {
			if seq, err := strconv.Atoi(r.Ref[k+1:]); err == nil && seq >= 1 && seq <= len(truth.Suspect) {
				out[i] = truth.Suspect[seq-1]
			}
		}
	}
	return out
}

type serialCounts struct {
	flagged, serial, truePos int
	majority, mentions       int
}

// serialAccuracy judges the serial flag on the ranked suspects: each
// resolved suspect stands for the true perpetrator behind most of his
// incidents, and is truly serial when that perpetrator is. truth gives
// the true perpetrator of each incident (-1 unknown); serial is the
// truth's flag per perpetrator.
func serialAccuracy(scores []identify.Score, incidents []identify.Incident, truth []int, serial []bool) serialCounts {
	ranked := make(map[string]map[int]int, len(scores))
	for _, s := range scores {
		ranked[s.Suspect] = map[int]int{}
	}
	for i, in := range incidents {
		if votes, ok := ranked[in.SuspectID]; ok {
			votes[truth[i]]++
		}
	}
	var c serialCounts
	for _, s := range scores {
		best, bestN, all := -1, 0, 0
		for p, k := range ranked[s.Suspect] {
			all += k
			if k > bestN || (k == bestN && p < best) {
				best, bestN = p, k
			}
		}
		c.majority += bestN
		c.mentions += all
		isSerial := best >= 0 && serial[best]
		if s.Serial {
			c.flagged++
		}
		if isSerial {
			c.serial++
		}
		if s.Serial && isSerial {
			c.truePos++
		}
	}
	return c
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// maxRSSMiB is the process's peak resident memory so far; on Linux
// getrusage reports it in KiB.
func maxRSSMiB() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

func writeIncidentCSV(path string, recs []incident.Record) error {
	f, err := os.Create(path)
	if err != nil {
		return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot create %s", path))
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := synth.WriteCSV(bw, recs); err != nil {
		f.Close()
		return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot write %s", path))
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot write %s", path))
	}
	return f.Close()
}
