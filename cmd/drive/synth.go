package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident/synth"
)

// runSynth writes synthetic police data with its truth, for trying an
// import, training staff or testing a force's mapping without real data:
//
//	drive synth incidents --incidents N [--seed S] [--end YYYY-MM-DD] [--prefix P] --out FILE.csv [--truth FILE.csv] [--marac FILE.csv]
func runSynth(_ context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "incidents" {
		return usageError{"use: drive synth incidents --incidents N --out FILE.csv [--truth FILE.csv] [--marac FILE.csv]"}
	}
	fs := flag.NewFlagSet("synth incidents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("incidents", 10000, "how many incidents")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same file")
	endFlag := fs.String("end", "", "last day of the three-year window (default today)")
	prefix := fs.String("prefix", "INC", "start of every incident reference")
	out := fs.String("out", "", "the extract to write (CSV, the default mapping's columns)")
	truthOut := fs.String("truth", "", "also write who really is behind each incident: ref,perpetrator,victim,serial")
	maracOut := fs.String("marac", "", "also write a MARAC list heard from these incidents")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *n < 1 || *n > 10_000_000 {
		return usageError{"--incidents must be between 1 and 10,000,000"}
	}
	if *out == "" {
		return usageError{"say where to write the extract with --out FILE.csv"}
	}
	end := e.today()
	if *endFlag != "" {
		d, err := drive.ParseDate(*endFlag)
		if err != nil {
			return usageError{"--end is not a date: use YYYY-MM-DD"}
		}
		end = d
	}
	start := time.Now()
	recs, truth := synth.Generate(synth.Config{Incidents: *n, Seed: *seed, End: end, RefPrefix: *prefix})
	if err := writeFile(*out, func(w io.Writer) error { return synth.WriteCSV(w, recs) }); err != nil {
		return err
	}
	if *truthOut != "" {
		err := writeFile(*truthOut, func(w io.Writer) error {
			cw := csv.NewWriter(w)
			_ = cw.Write([]string{"ref", "perpetrator", "victim", "serial"})
			for i, r := range recs {
				p := truth.Suspect[i]
				_ = cw.Write([]string{r.Ref, strconv.Itoa(p), strconv.Itoa(truth.Victim[i]), strconv.FormatBool(truth.Serial[p])})
			}
			cw.Flush()
			return cw.Error()
		})
		if err != nil {
			return err
		}
	}
	if *maracOut != "" {
		hs, _ := synth.MARAC(recs, truth, *seed)
		if err := writeFile(*maracOut, func(w io.Writer) error { return synth.WriteMARACCSV(w, hs) }); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Wrote %d synthetic incidents (%d perpetrators) to %s in %s.\n", len(recs), truth.Perpetrators(), *out, time.Since(start).Round(time.Millisecond))
	return nil
}

// writeFile writes a new file through a buffer, removing it on error so a
// half-written file is never left behind.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return usageError{fmt.Sprintf("cannot write %s: %v", path, err)}
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
