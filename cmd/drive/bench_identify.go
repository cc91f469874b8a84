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
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/service"
)

// benchMovers is how many of each site's prolific perpetrators the
// benchmark also places at the next site.
const benchMovers = 20

// pickMovers chooses up to n perpetrators with three or more incidents,
// in the order they first appear, and returns the latest mention of each.
func pickMovers(gen []incident.Record, truth synth.Truth, n int) []incident.Record {
	count := map[int]int{}
	latest := map[int]incident.Record{}
	var order []int
	for i, g := range gen {
		if i >= len(truth.Suspect) {
			break // records added after generation
		}
		p := truth.Suspect[i]
		if count[p] == 0 {
			order = append(order, p)
		}
		count[p]++
		if g.On.After(latest[p].On) || latest[p].Ref == "" {
			latest[p] = g
		}
	}
	var out []incident.Record
	for _, p := range order {
		if count[p] >= 3 && len(out) < n {
			out = append(out, latest[p])
		}
	}
	return out
}

// benchIdentifyTop is how many suspects the benchmark ranks: about what a
// site's panel looks at, and what the serial flag's accuracy is judged on.
const benchIdentifyTop = 100

// runBenchIdentify measures the whole identification path on police
// extracts, stage by stage, because the targets (a force's 3-year window
// imported, resolved and scored in 2 minutes; the national window in 15)
// are about the sum: a fast scorer is no use behind a slow import. With
// --sites K the incidents are split over K sites, each imported and
// resolved as a site would, then suspects are matched across sites once,
// as a national run does. Each site's extract is generated just before
// it is processed and not timed; the peak memory includes generating one
// site's extract. It also checks the serial flag against the generator's truth, so
// speed is never bought with wrong answers unnoticed.
func runBenchIdentify(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drive bench identify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("incidents", 45_000, "number of synthetic incidents, over all sites")
	sites := fs.Int("sites", 1, "number of sites (police forces) to split them over")
	seed := fs.Uint64("seed", 1, "seed for generating and resolving")
	keep := fs.String("dir", "", "directory for the extracts and database (default: a temporary one, removed afterwards)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed stages to this file (for go tool pprof)")
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
	if *sites < 1 || *sites > 200 || *sites > *n {
		return usageError{"--sites must be between 1 and 200, and no more than --incidents"}
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
	asOf := e.today()
	type siteRun struct {
		code, extract string
		count         int
		id            int64
	}
	runs := make([]*siteRun, *sites)
	for k := range runs {
		count := *n / *sites
		if k < *n%*sites {
			count++
		}
		code := fmt.Sprintf("S%02d", k+1)
		runs[k] = &siteRun{code: code, extract: filepath.Join(dir, code+".csv"), count: count}
	}
	fmt.Fprintf(stdout, "incidents        %d over %d site(s)\n", *n, *sites)
	fmt.Fprintf(stdout, "cores            %d (GOMAXPROCS)\n", runtime.GOMAXPROCS(0))

	db, err := openFor(ctx, common{DB: filepath.Join(dir, "bench.db")})
	if err != nil {
		return err
	}
	defer db.Close()
	svc, cli := db.Svc, service.CommandLine()

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return usageError{fmt.Sprintf("cannot write %s: %v", *cpuProfile, err)}
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	times := map[string]time.Duration{}
	timed := func(name string, fn func() error) error {
		start := time.Now()
		err := fn()
		times[name] += time.Since(start)
		return err
	}
	strategy := identify.Default()
	var acc serialCounts
	var genTime time.Duration
	perpetrators, serialTotal := 0, 0
	// Men who move: a few of each site's prolific perpetrators also have
	// incidents at the next site, written as one of their mentions there
	// was, so that matching across sites has known pairs to find. A
	// mover's reference (at either site) finds the person he was resolved
	// to, once ranked.
	type mover struct {
		fromRef, toRef   string
		fromSite, toSite int
	}
	var movers []mover
	var pending []incident.Record  // the previous site's movers' latest mentions
	personOf := map[string]int64{} // mover reference -> resolved person
	for k, r := range runs {
		// Generate this site's extract (not timed), and keep its truth
		// by reference.
		genStart := time.Now()
		gen, truthOf := synth.Generate(synth.Config{Incidents: r.count, Seed: *seed + uint64(k)*7919, End: asOf, RefPrefix: r.code})
		perp := make(map[string]int, len(gen))
		for i, g := range gen {
			perp[g.Ref] = truthOf.Suspect[i]
		}
		for j, m := range pending {
			for n := range 2 {
				ref := fmt.Sprintf("%s-MV%d-%d", r.code, j+1, n+1)
				gen = append(gen, incident.Record{Ref: ref, On: asOf.AddDays(-20 - 40*n), Type: "common_assault", Crime: true, Suspect: m.Suspect,
					Victim: incident.Person{GivenName: "Moved", FamilyName: fmt.Sprintf("Victim%s%d", r.code, j+1), Age: 30}})
				perp[ref] = -1
				if n == 0 {
					movers = append(movers, mover{fromRef: m.Ref, toRef: ref, fromSite: k - 1, toSite: k})
				}
			}
		}
		pending = nil
		if k+1 < len(runs) {
			pending = pickMovers(gen, truthOf, benchMovers)
		}
		if err := writeFile(r.extract, func(w io.Writer) error { return synth.WriteCSV(w, gen) }); err != nil {
			return err
		}
		perpetrators += truthOf.Perpetrators()
		for _, sr := range truthOf.Serial {
			if sr {
				serialTotal++
			}
		}
		gen = nil
		genTime += time.Since(genStart)

		var recs []incident.Record
		err := timed("read", func() error {
			f, err := os.Open(r.extract)
			if err != nil {
				return drive.Wrap(err, drive.EINTERNAL, "cannot open the extract")
			}
			defer f.Close()
			var rowErrs []incident.RowError
			recs, rowErrs, err = incident.Read(bufio.NewReaderSize(f, 1<<20), incident.DefaultMapping(), asOf)
			if err == nil && len(rowErrs) > 0 {
				err = fmt.Errorf("the synthetic extract has %d problems, the first: %s", len(rowErrs), rowErrs[0])
			}
			return err
		})
		if err != nil {
			return err
		}
		site := account.Site{Code: r.code, Name: "Benchmark " + r.code, Region: "Benchmark"}
		if err := svc.CreateSite(ctx, cli, &site); err != nil {
			return err
		}
		r.id = site.ID
		err = timed("import+resolve", func() error {
			inserted, _, err := svc.ImportIncidents(ctx, cli, r.code, recs, nil)
			if err == nil && inserted != len(recs) {
				err = fmt.Errorf("stored %d of %d incidents", inserted, len(recs))
			}
			return err
		})
		if err != nil {
			return err
		}
		recs = nil
		var rk *service.SiteRanking
		err = timed("rank", func() error {
			var err error
			rk, err = svc.RankSite(ctx, cli, r.code, asOf, strategy, benchIdentifyTop, nil)
			return err
		})
		if err != nil {
			return err
		}
		rows, scores := rk.Incidents, rk.Scores
		truth := make([]int, len(rows))
		for i, row := range rows {
			if p, ok := perp[row.Ref]; ok {
				truth[i] = p
			} else {
				truth[i] = -1
			}
			personOf[row.Ref] = row.SuspectPerson
		}
		c := serialAccuracy(scores, service.ScoringInput(rows), truth, truthOf.Serial)
		acc.flagged, acc.serial, acc.truePos = acc.flagged+c.flagged, acc.serial+c.serial, acc.truePos+c.truePos
		acc.majority, acc.mentions = acc.majority+c.majority, acc.mentions+c.mentions
		if *sites > 1 {
			fmt.Fprintf(stderr, "site %d of %d: %d incidents; max RSS %.0f MiB\n", k+1, *sites, r.count, maxRSSMiB())
		}
	}
	matched, found, predicted := 0, 0, 0
	if *sites > 1 {
		var m *service.SiteMatches
		err := timed("match sites", func() error {
			var err error
			m, err = svc.MatchAcrossSites(ctx, cli)
			return err
		})
		if err != nil {
			return err
		}
		matched = m.Matched
		// Judge the matching on cross-site pairs: each mover is a true
		// pair; every pair of people at different sites in one group is a
		// predicted pair.
		groupOf := map[int64]int64{}
		members := map[int64][]service.MatchedSuspect{}
		for _, p := range m.Suspects {
			groupOf[p.PersonID] = p.Group
			members[p.Group] = append(members[p.Group], p)
		}
		for _, m := range members {
			for i := range m {
				for j := i + 1; j < len(m); j++ {
					if m[i].SiteID != m[j].SiteID {
						predicted++
					}
				}
			}
		}
		for _, mv := range movers {
			a, b := personOf[mv.fromRef], personOf[mv.toRef]
			if a != 0 && groupOf[a] != 0 && groupOf[a] == groupOf[b] {
				found++
			}
		}
	}
	var total time.Duration
	for _, st := range []struct{ name, what string }{
		{"read", "incident.Read: parse and validate each CSV"},
		{"import+resolve", "Service.ImportIncidents: link the site's suspects and victims with the new incidents, store them with their people; one transaction per site"},
		{"rank", fmt.Sprintf("Service.RankSite: load each site's window with its people and rank the top %d", benchIdentifyTop)},
		{"match sites", "Service.MatchAcrossSites: every site's suspects, linked across sites"},
	} {
		d, ok := times[st.name]
		if !ok {
			continue
		}
		if !strings.HasPrefix(st.name, " ") {
			total += d
		}
		fmt.Fprintf(stdout, "%-18s %8.2fs  (%s)\n", st.name, d.Seconds(), st.what)
	}
	fmt.Fprintf(stdout, "total              %8.2fs  %.0f incidents/s\n", total.Seconds(), float64(*n)/total.Seconds())
	fmt.Fprintf(stdout, "peak memory        %.0f MiB resident (max RSS of the process, including generating one site's extract)\n", maxRSSMiB())
	fmt.Fprintf(stdout, "truth              %d perpetrators, %d serial (generation took %.1fs, not timed)\n", perpetrators, serialTotal, genTime.Seconds())
	if *sites > 1 {
		fmt.Fprintf(stdout, "across sites       %d suspects matched at more than one site; of %d men planted at two sites, %d found (recall %.3f); %d of %d cross-site pairs true (precision %.3f)\n",
			matched, len(movers), found, ratio(found, len(movers)), found, predicted, ratio(found, predicted))
	}
	fmt.Fprintf(stdout, "serial flag        precision %.3f (%d of %d flagged), recall %.3f (%d of %d truly serial) among each site's top %d\n",
		ratio(acc.truePos, acc.flagged), acc.truePos, acc.flagged, ratio(acc.truePos, acc.serial), acc.truePos, acc.serial, benchIdentifyTop)
	fmt.Fprintf(stdout, "resolution         %.3f of the top suspects' incidents belong to their majority true perpetrator\n", ratio(acc.majority, acc.mentions))
	return nil
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
