package incident_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/tabular"
)

// TestScanKeepsNoRows: a scan hands over only the rows without problems,
// with the problems found so far, counts every row, keeps the first
// MaxProblems problems in file order and counts the rest; a MARAC list's
// hearing listed twice is still found with only hashes kept.
func TestScanKeepsNoRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("ref,date,type,crime,suspect_given,suspect_family\n")
	b.WriteString("OK-1,2026-01-02,abh,yes,Darren,Hollis\n")
	for i := range incident.MaxProblems + 200 {
		fmt.Fprintf(&b, "BAD-%d,not a date,abh,yes,Darren,Hollis\n", i)
	}
	b.WriteString("OK-2,2026-01-03,abh,maybe,Darren,Hollis\n") // a problem too
	b.WriteString("OK-3,2026-01-04,abh,no,Darren,Hollis\n")
	today := drive.MustDate("2026-11-30")
	var got []string
	var before []int
	sc, err := incident.ScanFileChoosing(strings.NewReader(b.String()), []incident.NamedMapping{{Mapping: incident.DefaultMapping()}}, today, tabular.Options{},
		func(r incident.Record, problems int) {
			got = append(got, r.Ref)
			before = append(before, problems)
		})
	if err != nil {
		t.Fatal(err)
	}
	want := incident.MaxProblems + 201
	if sc.Rows != incident.MaxProblems+203 || sc.Found() != want || len(sc.Problems) != incident.MaxProblems || sc.More != 201 {
		t.Fatalf("scan: %d rows, %d problems kept, %d more; want %d rows, %d problems", sc.Rows, len(sc.Problems), sc.More, incident.MaxProblems+203, want)
	}
	if sc.Problems[0].Line != 3 || sc.Problems[0].Field != "date" || sc.Problems[len(sc.Problems)-1].Line != incident.MaxProblems+2 {
		t.Fatalf("first and last problems kept: %+v, %+v", sc.Problems[0], sc.Problems[len(sc.Problems)-1])
	}
	if !slices.Equal(got, []string{"OK-1", "OK-3"}) || !slices.Equal(before, []int{0, want}) {
		t.Fatalf("rows handed over: %v with problems so far %v", got, before)
	}

	list := "ref,heard_on,victim_given,victim_family,perpetrator_given,perpetrator_family\n" +
		"M-1,2026-01-02,Sam,Example,Darren,Hollis\n" +
		"M-2,2026-01-02,Sam,Example,Darren,Hollis\n" +
		"M-1,2026-01-02,Sam,Example,Darren,Hollis\n"
	var hs []string
	sc, err = incident.ScanMARACFileChoosing(strings.NewReader(list), []incident.NamedMapping{{Mapping: incident.DefaultMARACMapping()}}, today, tabular.Options{},
		func(h incident.Hearing, _ int) { hs = append(hs, h.Ref) })
	if err != nil {
		t.Fatal(err)
	}
	if sc.Rows != 3 || len(sc.Problems) != 1 || sc.Problems[0].Line != 4 || !strings.Contains(sc.Problems[0].Message, "already on line 2") || !slices.Equal(hs, []string{"M-1", "M-2"}) {
		t.Fatalf("MARAC scan: %+v, hearings %v", sc, hs)
	}
}
