package evaluation

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestBandOf(t *testing.T) {
	for _, tc := range []struct {
		score int
		want  string
	}{{-1, BandStandard}, {0, BandStandard}, {9, BandStandard}, {10, BandMedium}, {13, BandMedium}, {14, BandHigh}, {24, BandHigh}} {
		if got := BandOf(tc.score); got != tc.want {
			t.Errorf("BandOf(%d) = %s, want %s", tc.score, got, tc.want)
		}
	}
}

func TestTrialValidate(t *testing.T) {
	today := drive.MustDate("2026-06-01")
	ok := Trial{SiteID: 1, Name: " A trial "}
	if err := ok.Validate(today); err != nil {
		t.Fatal(err)
	}
	if ok.Name != "A trial" || ok.OutcomeMonths != DefaultOutcomeMonths || ok.StartedOn != today {
		t.Errorf("defaults not filled: %+v", ok)
	}
	for name, tr := range map[string]Trial{
		"name":           {SiteID: 1},
		"site":           {Name: "x"},
		"outcome_months": {SiteID: 1, Name: "x", OutcomeMonths: 37},
		"started_on":     {SiteID: 1, Name: "x", StartedOn: today.AddDays(-1)},
	} {
		err := tr.Validate(today)
		var de *drive.Error
		if e, isDE := err.(*drive.Error); isDE {
			de = e
		}
		if de == nil || de.Fields[name] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got := ok.OutcomeEnd(drive.MustDate("2026-01-31")); got != drive.MustDate("2026-12-01") {
		t.Errorf("outcome end %s", got)
	}
}

// TestVerify holds Verify to finding a changed arm, a gap and a repeated
// place, and nothing in a sequence taken straight from the allocator.
func TestVerify(t *testing.T) {
	a := NewAllocator(99)
	var recs []Recorded
	for seq := 1; seq <= 12; seq++ {
		for _, band := range []string{BandHigh, BandStandard} {
			al, err := a.Allocate(3, band, seq)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, Recorded{CaseID: int64(len(recs) + 1), Allocation: al})
		}
	}
	if m := Verify(a, recs); len(m) != 0 {
		t.Fatalf("clean sequence: %+v", m)
	}
	if m := Verify(NewAllocator(100), recs); len(m) == 0 {
		t.Error("another seed gives the same arms at every place")
	}

	flipped := append([]Recorded(nil), recs...)
	if flipped[5].Allocation.Arm == ArmIntervention {
		flipped[5].Allocation.Arm = ArmComparison
	} else {
		flipped[5].Allocation.Arm = ArmIntervention
	}
	if m := Verify(a, flipped); len(m) != 1 || m[0].CaseID != flipped[5].CaseID || m[0].Seed.Arm == m[0].Stored.Arm {
		t.Errorf("changed arm: %+v", m)
	}

	gap := append(append([]Recorded(nil), recs[:4]...), recs[6:]...) // drops places 3 of both bands
	m := Verify(a, gap)
	if len(m) != 2 {
		t.Fatalf("gap: %+v", m)
	}
	for _, x := range m {
		if x.CaseID != 0 || x.Seed.Seq != 3 {
			t.Errorf("gap reported as %+v", x)
		}
	}

	repeat := append(append([]Recorded(nil), recs...), Recorded{CaseID: 999, Allocation: recs[0].Allocation})
	if m := Verify(a, repeat); len(m) != 1 || m[0].Seed.Seq != recs[0].Allocation.Seq {
		t.Errorf("repeat: %+v", m)
	}
}
