package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/linkage/synth"
	"github.com/drive-platform/drive/tabular"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const linkUsage = `usage: drive link --in FILE.csv [--in FILE2.csv] --id COLUMN
       --field COLUMN=KIND [--field ...] --out CLUSTERS.csv [options]

Finds the records that belong to the same person and writes one row per
record with its cluster (person) number. KIND is one of:
  given, surname, fullname, date, postcode, place, text, exact

Options:
`

// linkJob is a parsed drive link command line.
type linkJob struct {
	inputs      []string
	idColumn    string
	fields      []linkage.Field
	truth       string
	truthFromID *regexp.Regexp
	explain     [][2]string
	out         string
	opts        linkage.Options
	progress    bool
	quiet       bool
	// diagnose asks, with a truth, where the run's errors come from.
	diagnose bool
	// readOpts name the inputs' encoding or a workbook's sheet.
	readOpts tabular.Options
}

func parseLinkArgs(args []string, stderr io.Writer) (*linkJob, error) {
	fs := flag.NewFlagSet("drive link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ins, fields, explains, blocks listFlag
	job := &linkJob{}
	fs.Var(&ins, "in", "input CSV file with a header row (give twice to link two files)")
	fs.StringVar(&job.idColumn, "id", "", "column holding each record's unique id")
	fs.Var(&fields, "field", "column to compare and its kind, as COLUMN=KIND (repeat for each column)")
	fs.StringVar(&job.out, "out", "", "file to write the clusters to (- for standard output)")
	threshold := fs.Float64("threshold", linkage.DefaultThreshold, "match probability at or above which two records link")
	cohesion := fs.Float64("cohesion", linkage.DefaultCohesion, "mean match probability two groups of records need across their pairs to be joined into one person (negative: no check)")
	seed := fs.Uint64("seed", 1, "seed for the random pairs that estimate u")
	fs.StringVar(&job.truth, "truth", "", "column with the true person key, to print precision, recall and F1")
	truthFromID := fs.String("truth-from-id", "", "regular expression whose first group, applied to the id, is the true person key (e.g. 'rec-(\\d+)-')")
	fs.Var(&explains, "explain", "show the evidence for a pair of ids, as ID1,ID2 (with two inputs write 1:ID or 2:ID)")
	fs.Var(&blocks, "block", "blocking rule replacing the defaults, e.g. 'given|surname:phonetic+dob:year' (repeatable)")
	acrossOnly := fs.Bool("across-only", false, "with two inputs, link only across them (each file has one record per person)")
	maxBlock := fs.Int("max-block", linkage.DefaultMaxBlockSize, "largest block whose pairs are compared")
	rulePairs := fs.Int64("rule-pairs", 0, "most pairs one blocking rule may add (default 5 per record, at least 200000)")
	fs.BoolVar(&job.progress, "progress", false, "report each stage on standard error (on by default for inputs over 4 MiB)")
	fs.BoolVar(&job.quiet, "quiet", false, "print no progress")
	fs.BoolVar(&job.diagnose, "diagnose", false, "with --truth or --truth-from-id, say where the missed and false pairs come from and how well the match probabilities fit the truth")
	fs.StringVar(&job.readOpts.Encoding, "encoding", "", "the inputs' text encoding: utf-8, utf-16 or windows-1252 (default: detected)")
	fs.StringVar(&job.readOpts.Sheet, "sheet", "", "for .xlsx inputs, the worksheet to read (default: the first)")
	fs.Usage = func() {
		fmt.Fprint(stderr, linkUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, linkUsagef("unexpected argument %q: every option needs its -- name", fs.Arg(0))
	}
	switch {
	case len(ins) == 0:
		return nil, linkUsagef("give the input file with --in FILE.csv")
	case len(ins) > 2:
		return nil, linkUsagef("%d input files given: link one file, or two with --in A.csv --in B.csv", len(ins))
	case job.idColumn == "":
		return nil, linkUsagef("give the id column with --id COLUMN")
	case len(fields) == 0:
		return nil, linkUsagef("give at least one column to compare with --field COLUMN=KIND (kinds: %s)", strings.Join(linkage.KindNames(), ", "))
	case job.out == "":
		return nil, linkUsagef("give the output file with --out CLUSTERS.csv")
	case job.truth != "" && *truthFromID != "":
		return nil, linkUsagef("give either --truth or --truth-from-id, not both")
	case *acrossOnly && len(ins) != 2:
		return nil, linkUsagef("--across-only needs two input files")
	case job.diagnose && job.truth == "" && *truthFromID == "":
		return nil, linkUsagef("--diagnose needs the truth: give --truth COLUMN or --truth-from-id REGEXP")
	}
	job.inputs = ins
	for _, f := range fields {
		name, kind, ok := strings.Cut(f, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, linkUsagef("--field %q: write it as COLUMN=KIND, e.g. --field dob=date", f)
		}
		k, err := linkage.ParseKind(kind)
		if err != nil {
			return nil, linkPrefix(err, "--field "+f)
		}
		job.fields = append(job.fields, linkage.Field{Name: strings.TrimSpace(name), Kind: k})
	}
	if *truthFromID != "" {
		re, err := regexp.Compile(*truthFromID)
		if err != nil {
			return nil, linkUsagef("--truth-from-id %q is not a valid regular expression: %v", *truthFromID, err)
		}
		if re.NumSubexp() < 1 {
			return nil, linkUsagef("--truth-from-id %q has no group: put the person key in parentheses, e.g. 'rec-(\\d+)-'", *truthFromID)
		}
		job.truthFromID = re
	}
	for _, e := range explains {
		a, b, ok := strings.Cut(e, ",")
		if !ok {
			return nil, linkUsagef("--explain %q: give two ids separated by a comma, e.g. --explain 12,57", e)
		}
		job.explain = append(job.explain, [2]string{strings.TrimSpace(a), strings.TrimSpace(b)})
	}
	for _, b := range blocks {
		r, err := linkage.ParseBlockingRule(b)
		if err != nil {
			return nil, err
		}
		job.opts.Blocking = append(job.opts.Blocking, r)
	}
	job.opts.Threshold = *threshold
	job.opts.Cohesion = *cohesion
	if *cohesion == 0 {
		job.opts.Cohesion = 1e-9 // 0 means "default" in Options; the user asked for none
	}
	job.opts.Seed = *seed
	job.opts.AcrossSourcesOnly = *acrossOnly
	job.opts.MaxBlockSize = *maxBlock
	job.opts.RulePairs = *rulePairs
	return job, nil
}

// linkReason returns the operating system's reason for a file error, such as
// "no such file or directory".
func linkReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// linkPrefix puts where an error happened in front of its message, keeping
// its code: the user sees an application error's message only.
func linkPrefix(err error, where string) error {
	var de *drive.Error
	if errors.As(err, &de) {
		return &drive.Error{Code: de.Code, Message: where + ": " + de.Message, Fields: de.Fields, Err: de.Err}
	}
	return fmt.Errorf("%s: %w", where, err)
}

// linkUsagef reports a mistake in the command line (exit status 2).
func linkUsagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...) + " (see drive link -h)"}
}

// runLink runs drive link: read, link, write clusters, and report.
func runLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	job, err := parseLinkArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = job.run(ctx, stdout, stderr)
	return err
}

// linkOutcome is what a run measured, for the benchmark.
type linkOutcome struct {
	records int
	scores  *linkage.Scores
	result  *linkage.Result
	truth   []string // the true person of each record, when known
}

func (job *linkJob) run(ctx context.Context, stdout, stderr io.Writer) (*linkOutcome, error) {
	start := time.Now()
	logf := func(format string, args ...any) {}
	if !job.quiet {
		logf = func(format string, args ...any) {
			if job.progress {
				fmt.Fprintf(stderr, "%6.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
			}
		}
	}
	if !job.quiet && !job.progress {
		// Report progress on large inputs, about 50,000 records and up.
		var size int64
		for _, in := range job.inputs {
			if st, err := os.Stat(in); err == nil {
				size += st.Size()
			}
		}
		job.progress = size >= 4<<20
	}
	table, truth, err := job.read(logf)
	if err != nil {
		return nil, err
	}
	logf("read %d records", table.Len())
	for f, n := range table.Unreadable() {
		if n > 0 {
			fmt.Fprintf(stderr, "warning: %d distinct values of %s could not be read as a %s and were treated as missing\n", n, job.fields[f].Name, job.fields[f].Kind)
		}
	}
	if table.Len() < 2 && len(job.explain) == 0 {
		// One record (or none) links to nothing: each is a person of its
		// own.
		if err := job.writeAlone(table); err != nil {
			return nil, err
		}
		report := stdout
		if job.out == "-" {
			report = stderr
		}
		fmt.Fprintf(report, "records          %d\nlinks            0 (nothing to link a single record to)\nclusters         %d\n", table.Len(), table.Len())
		return &linkOutcome{records: table.Len()}, nil
	}
	opts := job.opts
	opts.Progress = func(msg string) { logf("%s", msg) }
	res, err := linkage.Link(ctx, table, opts)
	if err != nil {
		return nil, err
	}
	if err := job.write(table, res); err != nil {
		return nil, err
	}
	logf("wrote %s", job.out)

	report := stdout
	if job.out == "-" {
		report = stderr
	}
	st := res.Stats
	fmt.Fprintf(report, "records          %d\n", st.Records)
	fmt.Fprintf(report, "candidate pairs  %d (from %d blocking rules)\n", st.CandidatePairs, len(st.Rules))
	fmt.Fprintf(report, "links            %d at probability >= %v\n", st.Links, res.Model.Threshold)
	fmt.Fprintf(report, "clusters         %d\n", st.Clusters)
	out := &linkOutcome{records: table.Len(), result: res, truth: truth}
	if truth != nil {
		s := linkage.PairwiseScores(truth, res.Cluster)
		out.scores = &s
		fmt.Fprintf(report, "precision        %.4f (%d of %d predicted pairs are true)\n", s.Precision, s.CorrectPairs, s.PredictedPairs)
		fmt.Fprintf(report, "recall           %.4f (%d of %d true pairs found)\n", s.Recall, s.CorrectPairs, s.TruePairs)
		fmt.Fprintf(report, "F1               %.4f\n", s.F1)
		if job.diagnose {
			logf("diagnosing the errors")
			d, err := res.Diagnose(ctx, truth)
			if err != nil {
				return nil, err
			}
			writeDiagnosis(report, job.fields, d)
		}
	}
	for _, pair := range job.explain {
		a, err := job.lookup(table, pair[0])
		if err != nil {
			return nil, err
		}
		b, err := job.lookup(table, pair[1])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(report, "\n%s", res.Explain(a, b))
	}
	return out, nil
}

// writeDiagnosis prints a Diagnosis: the missed true pairs by the stage
// that lost them, the commonest patterns of missed and false pairs, and the
// candidate pairs by match weight against the share truly one person.
func writeDiagnosis(w io.Writer, fields []linkage.Field, d *linkage.Diagnosis) {
	m := d.Missed
	pct := func(n int64) string {
		if m.Total() == 0 {
			return ""
		}
		return fmt.Sprintf("%5.1f%%", 100*float64(n)/float64(m.Total()))
	}
	fmt.Fprintf(w, "\nmissed true pairs %d of %d\n", m.Total(), d.Scores.TruePairs)
	fmt.Fprintf(w, "  never compared: no blocking rule gives both one key      %9d %s\n", m.NoSharedKey, pct(m.NoSharedKey))
	fmt.Fprintf(w, "  never compared: their shared block was skipped           %9d %s\n", m.BlockSkipped, pct(m.BlockSkipped))
	fmt.Fprintf(w, "    (of the never compared, at or above the threshold:     %9d)\n", m.WouldLink)
	fmt.Fprintf(w, "  compared, match probability below one half               %9d %s\n", m.BelowHalf, pct(m.BelowHalf))
	fmt.Fprintf(w, "  compared, likelier than not but below the threshold      %9d %s\n", m.BelowThreshold, pct(m.BelowThreshold))
	fmt.Fprintf(w, "  at or above the threshold, kept apart by the clustering  %9d %s\n", m.KeptApart, pct(m.KeptApart))
	fmt.Fprintf(w, "false pairs %d of %d predicted\n", d.Scores.PredictedPairs-d.Scores.CorrectPairs, d.Scores.PredictedPairs)
	if d.Undiagnosed > 0 {
		fmt.Fprintf(w, "(%d pairs of people or clusters of over 1000 records not diagnosed)\n", d.Undiagnosed)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	header := "levels of " + strings.Join(names, ", ") + "; \"missing\" includes a field not counted because another says the same"
	fmt.Fprintf(w, "\ncommonest missed pairs that were compared (%s):\n", header)
	for _, p := range d.MissedPatterns {
		fmt.Fprintf(w, "  %8d  mean weight %+6.1f  %-20s %s\n", p.Pairs, p.MeanWeight, p.Stage, strings.Join(p.Levels, " | "))
	}
	if len(d.UncomparedPatterns) > 0 {
		fmt.Fprintf(w, "\ncommonest missed pairs never compared that would have linked:\n")
		for _, p := range d.UncomparedPatterns {
			fmt.Fprintf(w, "  %8d  mean weight %+6.1f  %-20s %s\n", p.Pairs, p.MeanWeight, p.Stage, strings.Join(p.Levels, " | "))
		}
	}
	fmt.Fprintf(w, "\ncommonest false pairs:\n")
	for _, p := range d.FalsePatterns {
		fmt.Fprintf(w, "  %8d  mean weight %+6.1f  %s\n", p.Pairs, p.MeanWeight, strings.Join(p.Levels, " | "))
	}
	fmt.Fprintf(w, "\ncandidate pairs by match weight (bits): the share truly one person against the model's probability\n")
	fmt.Fprintf(w, "  %-12s %12s %12s %8s %8s\n", "weight", "pairs", "true pairs", "share", "model")
	for _, b := range d.Calibration {
		bin := fmt.Sprintf("%+.0f to %+.0f", b.From, b.To)
		switch {
		case math.IsInf(b.From, -1):
			bin = fmt.Sprintf("below %+.0f", b.To)
		case math.IsInf(b.To, 1):
			bin = fmt.Sprintf("%+.0f and up", b.From)
		}
		fmt.Fprintf(w, "  %-12s %12d %12d %8.3f %8.3f\n", bin, b.Pairs, b.TruePairs, b.Share(), b.Probability())
	}
}

// read loads every input into one table, returning the truth keys if asked.
func (job *linkJob) read(logf func(string, ...any)) (*linkage.Table, []string, error) {
	table, err := linkage.NewTable(job.fields)
	if err != nil {
		return nil, nil, err
	}
	var truth []string
	wantTruth := job.truth != "" || job.truthFromID != nil
	values := make([]string, len(job.fields))
	for s, path := range job.inputs {
		source := 0
		if len(job.inputs) > 1 {
			source = s + 1
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot open %s (%s): check the path and permissions", path, linkReason(err)))
		}
		defer f.Close()
		name := filepath.Base(path)
		r, err := linkage.NewCSVReaderWith(f, name, job.readOpts)
		if err != nil {
			return nil, nil, err
		}
		logf("reading %s as %s", name, r.Info)
		idCol, err := r.Column(job.idColumn)
		if err != nil {
			return nil, nil, err
		}
		cols := make([]int, len(job.fields))
		for i, fl := range job.fields {
			if cols[i], err = r.Column(fl.Name); err != nil {
				return nil, nil, err
			}
		}
		truthCol := -1
		if job.truth != "" {
			if truthCol, err = r.Column(job.truth); err != nil {
				return nil, nil, err
			}
		}
		rows := 0
		for {
			row, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, nil, err
			}
			rows++
			for i, c := range cols {
				values[i] = row[c]
			}
			if err := table.Add(source, row[idCol], values); err != nil {
				return nil, nil, linkPrefix(err, fmt.Sprintf("%s line %d", name, r.Line()))
			}
			if wantTruth {
				truth = append(truth, job.truthKey(row, idCol, truthCol))
			}
			if rows%500_000 == 0 {
				logf("read %d records of %s", rows, name)
			}
		}
		if rows == 0 {
			return nil, nil, drive.Errorf(drive.EINVALID, "%s has a header but no records: give a file with at least one record", name)
		}
	}
	return table, truth, nil
}

// truthKey returns a record's true person key: the truth column, or the
// first group of --truth-from-id applied to the id (the whole id when the
// expression does not match, so such a record is a person of its own).
func (job *linkJob) truthKey(row []string, idCol, truthCol int) string {
	if truthCol >= 0 {
		return strings.Clone(row[truthCol])
	}
	id := row[idCol]
	if m := job.truthFromID.FindStringSubmatch(id); m != nil {
		return "t:" + m[1]
	}
	return "id:" + id
}

// lookup finds a record by id, with an optional "1:" or "2:" source prefix
// when there are two inputs.
func (job *linkJob) lookup(t *linkage.Table, id string) (int, error) {
	if len(job.inputs) == 1 {
		if i, ok := t.Lookup(0, id); ok {
			return i, nil
		}
		return 0, drive.Errorf(drive.EINVALID, "--explain: no record has id %q", id)
	}
	if src, rest, ok := strings.Cut(id, ":"); ok && (src == "1" || src == "2") {
		n, _ := strconv.Atoi(src)
		if i, ok := t.Lookup(n, rest); ok {
			return i, nil
		}
	}
	i1, ok1 := t.Lookup(1, id)
	i2, ok2 := t.Lookup(2, id)
	switch {
	case ok1 && ok2:
		return 0, drive.Errorf(drive.EINVALID, "--explain: id %q is in both inputs: write 1:%s or 2:%s", id, id, id)
	case ok1:
		return i1, nil
	case ok2:
		return i2, nil
	}
	return 0, drive.Errorf(drive.EINVALID, "--explain: no record has id %q", id)
}

// write saves the clusters as CSV: record_id,cluster_id, with a leading
// source column (1 or 2) when there are two inputs.
// writeAlone writes a table too small to link: each record its own
// cluster.
func (job *linkJob) writeAlone(t *linkage.Table) error {
	clusters := make([]int, t.Len())
	for i := range clusters {
		clusters[i] = i + 1
	}
	return job.write(t, &linkage.Result{Cluster: clusters})
}

func (job *linkJob) write(t *linkage.Table, res *linkage.Result) (err error) {
	var w io.Writer
	if job.out == "-" {
		w = os.Stdout
	} else {
		f, err := os.Create(job.out)
		if err != nil {
			return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot create %s (%s): check the directory exists and is writable", job.out, linkReason(err)))
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = drive.Wrap(cerr, drive.EINVALID, fmt.Sprintf("cannot write %s", job.out))
			}
		}()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	two := len(job.inputs) > 1
	if two {
		cw.Write([]string{"source", "record_id", "cluster_id"})
	} else {
		cw.Write([]string{"record_id", "cluster_id"})
	}
	row := make([]string, 0, 3)
	for i := 0; i < t.Len(); i++ {
		row = row[:0]
		if two {
			row = append(row, strconv.Itoa(t.Source(i)))
		}
		row = append(row, t.ID(i), strconv.Itoa(res.Cluster[i]))
		if err := cw.Write(row); err != nil {
			return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot write %s", job.out))
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot write %s", job.out))
	}
	if err := bw.Flush(); err != nil {
		return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("cannot write %s", job.out))
	}
	return nil
}

// runBenchLink runs drive bench link: generate synthetic people, link them
// end to end as drive link does, and report speed, memory and accuracy.
func runBenchLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drive bench link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	records := fs.Int("records", 100_000, "number of synthetic records")
	seed := fs.Uint64("seed", 1, "seed for generating and linking")
	keep := fs.String("dir", "", "directory for the generated and output files (default: a temporary one, removed afterwards)")
	progress := fs.Bool("progress", false, "report each stage on standard error")
	diagnose := fs.Bool("diagnose", false, "say where the missed and false pairs come from (compares the candidate pairs again; not timed)")
	names := fs.String("names", "population", "names drawn with the frequencies of England and Wales (population) or from short lists of common names (compact, the generator before 2026-12-07)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q; see drive bench link -h", fs.Arg(0))}
	}
	if *records < 2 {
		return usageError{fmt.Sprintf("--records %d: give at least 2", *records)}
	}
	var nameModel synth.Names
	switch *names {
	case "population":
		nameModel = synth.PopulationNames
	case "compact":
		nameModel = synth.CompactNames
	default:
		return usageError{fmt.Sprintf("--names %q: give population or compact", *names)}
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "drive-bench-link-")
		if err != nil {
			return drive.Wrap(err, drive.EINTERNAL, "cannot create a temporary directory")
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	in := filepath.Join(dir, fmt.Sprintf("synthetic-%d.csv", *records))
	genStart := time.Now()
	if err := writeSynthetic(in, synth.Config{Records: *records, Seed: *seed, Names: nameModel}); err != nil {
		return err
	}
	genTime := time.Since(genStart)
	runtime.GC()
	debug.FreeOSMemory()

	job := &linkJob{
		inputs:   []string{in},
		idColumn: "id",
		fields: []linkage.Field{
			{Name: "given_name", Kind: linkage.KindGiven},
			{Name: "surname", Kind: linkage.KindSurname},
			{Name: "dob", Kind: linkage.KindDate},
			{Name: "postcode", Kind: linkage.KindPostcode},
			{Name: "town", Kind: linkage.KindPlace},
		},
		truth:    "person_id",
		out:      filepath.Join(dir, "clusters.csv"),
		opts:     linkage.Options{Seed: *seed},
		progress: *progress,
		quiet:    !*progress,
	}
	peak := watchMemory()
	start := time.Now()
	out, err := job.run(ctx, io.Discard, stderr)
	wall := time.Since(start)
	goPeak := peak()
	if err != nil {
		return err
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(stdout, "records          %d (generated in %.1fs, not timed)\n", out.records, genTime.Seconds())
	fmt.Fprintf(stdout, "cores            %d (GOMAXPROCS)\n", runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "wall time        %.2fs (read, block, compare, EM, score, cluster, write)\n", wall.Seconds())
	fmt.Fprintf(stdout, "records/second   %.0f\n", float64(out.records)/wall.Seconds())
	fmt.Fprintf(stdout, "candidate pairs  %d\n", out.result.Stats.CandidatePairs)
	fmt.Fprintf(stdout, "peak memory      %.0f MiB resident (max RSS of the process), %.0f MiB Go runtime total\n", float64(ru.Maxrss)/1024, float64(goPeak)/(1<<20))
	s := out.scores
	fmt.Fprintf(stdout, "pairwise F1      %.4f (precision %.4f, recall %.4f)\n", s.F1, s.Precision, s.Recall)
	if *diagnose {
		// After the figures above: the diagnosis is neither timed nor in
		// the peak memory.
		d, err := out.result.Diagnose(ctx, out.truth)
		if err != nil {
			return err
		}
		writeDiagnosis(stdout, job.fields, d)
	}
	return nil
}

func writeSynthetic(path string, cfg synth.Config) error {
	recs := synth.Generate(cfg)
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

// watchMemory samples the Go runtime's total memory every 20ms until the
// returned function is called, which returns the largest sample.
func watchMemory() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	var (
		mu   sync.Mutex
		peak uint64
	)
	read := func() {
		metrics.Read(sample)
		mu.Lock()
		peak = max(peak, sample[0].Value.Uint64())
		mu.Unlock()
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		read()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
