package meeting

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

func TestParseQuarter(t *testing.T) {
	good := []struct {
		in   string
		want Quarter
	}{
		{"2026-Q3", Quarter{2026, 3}},
		{"2026-q1", Quarter{2026, 1}},
		{" 2025-Q4 ", Quarter{2025, 4}},
	}
	for _, tt := range good {
		got, err := ParseQuarter(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseQuarter(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if got.String() != strings.ToUpper(strings.TrimSpace(tt.in)) {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
	for _, in := range []string{"", "2026Q3", "2026-Q0", "2026-Q5", "2026-Q12", "26-Q3", "abcd-Q1", "2026-Q", "1899-Q1", "2026-03", "+026-Q1"} {
		_, err := ParseQuarter(in)
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("ParseQuarter(%q) error %v, want invalid", in, err)
		}
	}
}

func TestQuarterDates(t *testing.T) {
	tests := []struct {
		q             Quarter
		label         string
		start, end    string
		before, after string // the days either side, outside the quarter
	}{
		{Quarter{2026, 1}, "January to March 2026", "2026-01-01", "2026-03-31", "2025-12-31", "2026-04-01"},
		{Quarter{2024, 1}, "January to March 2024", "2024-01-01", "2024-03-31", "2023-12-31", "2024-04-01"},
		{Quarter{2026, 2}, "April to June 2026", "2026-04-01", "2026-06-30", "2026-03-31", "2026-07-01"},
		{Quarter{2026, 3}, "July to September 2026", "2026-07-01", "2026-09-30", "2026-06-30", "2026-10-01"},
		{Quarter{2026, 4}, "October to December 2026", "2026-10-01", "2026-12-31", "2026-09-30", "2027-01-01"},
	}
	for _, tt := range tests {
		if got := tt.q.Label(); got != tt.label {
			t.Errorf("%v.Label() = %q, want %q", tt.q, got, tt.label)
		}
		if got := tt.q.Start().String(); got != tt.start {
			t.Errorf("%v.Start() = %s, want %s", tt.q, got, tt.start)
		}
		if got := tt.q.End().String(); got != tt.end {
			t.Errorf("%v.End() = %s, want %s", tt.q, got, tt.end)
		}
		for _, d := range []string{tt.start, tt.end} {
			if !tt.q.Contains(drive.MustDate(d)) {
				t.Errorf("%v does not contain %s", tt.q, d)
			}
		}
		for _, d := range []string{tt.before, tt.after} {
			if tt.q.Contains(drive.MustDate(d)) {
				t.Errorf("%v contains %s", tt.q, d)
			}
		}
	}
	if (Quarter{2026, 1}).Contains(drive.Date{}) {
		t.Error("a quarter contains the zero date")
	}
}

// sample is a site's quarter built by hand; the expected figures in the
// tests below are counted from it by hand.
func sample(threshold, population int) DataReturnInput {
	v := func(gender, ethnicity, orientation, disability string, age int) Victim {
		return Victim{Gender: gender, Ethnicity: ethnicity, SexualOrientation: orientation, Disability: disability, Age: age}
	}
	anna := v("female", "white", "heterosexual", "no", 34)
	bea := v("female", "asian", "bisexual", "yes", 17) // heard in two cases
	carl := v("male", "black", "heterosexual", "no", 45)
	dee := v("non_binary", "white", "heterosexual", "no", 16)
	eve := v("female", "mixed", "gay_lesbian", "no", -1)
	return DataReturnInput{
		SiteName: "Northtown",
		Quarter:  Quarter{2026, 3},
		Meetings: 3,
		Cases: []HeardCase{
			{MeetingID: 1, HeardOn: drive.MustDate("2026-07-01"), Repeat: true, ReferringAgency: "police", Children: 2, Victims: []Victim{anna}, PerpetratorAge: 40},
			{MeetingID: 1, HeardOn: drive.MustDate("2026-07-01"), ReferringAgency: "idva_service", Children: 3, Victims: []Victim{bea, carl}, PerpetratorAge: 17},
			{MeetingID: 2, HeardOn: drive.MustDate("2026-08-12"), Repeat: true, ReferringAgency: "Police", Victims: []Victim{dee}, PerpetratorAge: -1},
			{MeetingID: 3, HeardOn: drive.MustDate("2026-09-30"), ReferringAgency: "", Children: 1, Victims: []Victim{bea}, PerpetratorAge: 22},
			{MeetingID: 2, HeardOn: drive.MustDate("2026-08-12"), Repeat: true, ReferringAgency: "housing", Children: 4, Victims: []Victim{eve}, PerpetratorAge: 30},
			// Outside the quarter: never counted.
			{MeetingID: 4, HeardOn: drive.MustDate("2026-10-01"), Repeat: true, ReferringAgency: "probation", Children: 6, Victims: []Victim{carl}, PerpetratorAge: 16},
			{MeetingID: 0, HeardOn: drive.MustDate("2026-06-30"), ReferringAgency: "probation", Children: 2, Victims: []Victim{bea}, PerpetratorAge: 15},
		},
		AdultFemalePopulation: population,
		Threshold:             threshold,
	}
}

func shown(r DataReturn) map[string]string {
	m := map[string]string{}
	for _, f := range append(append([]Figure{}, r.Figures...), r.ReferralsByAgency...) {
		m[f.Code] = f.value()
	}
	return m
}

func TestComputeDataReturnFigures(t *testing.T) {
	// By hand, cases heard in July to September 2026: five (two at
	// meeting 1, two at meeting 2, one at meeting 3). Repeats: 3 of 5, 60%.
	// Children 2+3+0+1+4 = 10. Racially minoritised: Bea twice, Carl, Eve = 4.
	// LGBT+: Bea twice (bisexual), Dee (non-binary), Eve = 4. Disabled: Bea
	// twice = 2. Male: Carl = 1. Aged 16-17: Bea twice, Dee = 3.
	// Perpetrators under 18: 1. Per 10,000 adult women: 5/120,000*10,000 =
	// 0.4167. Referrals: police 2, IDVA 1, housing 1, not recorded 1.
	tests := []struct {
		name      string
		threshold int
		want      map[string]string
	}{
		{"threshold 1", 1, map[string]string{
			"meetings_held": "3", "cases_heard": "5", "repeat_cases": "3", "repeat_rate": "60.0",
			"cases_per_10000_women": "0.4", "children": "10", "victims_racially_minoritised": "4",
			"victims_lgbt": "4", "victims_disabled": "2", "victims_male": "[c]", "victims_aged_16_17": "3",
			"perpetrators_under_18": "[c]",
			// Three ones: each would be known from the total, so police goes too.
			"referrals_police": "[c]", "referrals_idva_service": "[c]", "referrals_probation": "0",
			"referrals_childrens_social_care": "0", "referrals_housing": "[c]", "referrals_health": "0",
			"referrals_other": "0", "referrals_not_recorded": "[c]",
		}},
		{"default threshold when unset", 0, map[string]string{
			"meetings_held": "3", "cases_heard": "5", "repeat_cases": "[c]", "repeat_rate": "[c]",
			"cases_per_10000_women": "0.4", "children": "10", "victims_racially_minoritised": "[c]",
			"victims_lgbt": "[c]", "victims_disabled": "[c]", "victims_male": "[c]", "victims_aged_16_17": "[c]",
			"perpetrators_under_18": "[c]",
			"referrals_police":      "[c]", "referrals_idva_service": "[c]", "referrals_probation": "0",
			"referrals_childrens_social_care": "0", "referrals_housing": "[c]", "referrals_health": "0",
			"referrals_other": "0", "referrals_not_recorded": "[c]",
		}},
		{"threshold 2", 2, map[string]string{
			"meetings_held": "3", "cases_heard": "5", "repeat_cases": "3", "repeat_rate": "60.0",
			"cases_per_10000_women": "0.4", "children": "10", "victims_racially_minoritised": "4",
			"victims_lgbt": "4", "victims_disabled": "[c]", "victims_male": "[c]", "victims_aged_16_17": "3",
			"perpetrators_under_18": "[c]",
			"referrals_police":      "[c]", "referrals_idva_service": "[c]", "referrals_probation": "0",
			"referrals_childrens_social_care": "0", "referrals_housing": "[c]", "referrals_health": "0",
			"referrals_other": "0", "referrals_not_recorded": "[c]",
		}},
	}
	order := []string{"meetings_held", "cases_heard", "repeat_cases", "repeat_rate", "cases_per_10000_women",
		"children", "victims_racially_minoritised", "victims_lgbt", "victims_disabled", "victims_male",
		"victims_aged_16_17", "perpetrators_under_18"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ComputeDataReturn(sample(tt.threshold, 120000))
			got := shown(r)
			if len(got) != len(tt.want) {
				t.Errorf("%d figures, want %d: %v", len(got), len(tt.want), got)
			}
			for code, want := range tt.want {
				if got[code] != want {
					t.Errorf("%s = %q, want %q", code, got[code], want)
				}
			}
			for i, f := range r.Figures {
				if i >= len(order) || f.Code != order[i] {
					t.Fatalf("figure %d is %s, want the form's order %v", i, f.Code, order)
				}
				if f.Label == "" || !strings.HasSuffix(f.Definition, ".") {
					t.Errorf("%s lacks a label or a one-sentence definition", f.Code)
				}
			}
			if r.SiteName != "Northtown" || r.Quarter != (Quarter{2026, 3}) {
				t.Errorf("site/quarter = %q %v", r.SiteName, r.Quarter)
			}
			wantT := tt.threshold
			if wantT == 0 {
				wantT = 4
			}
			if r.Threshold != wantT {
				t.Errorf("threshold %d, want %d", r.Threshold, wantT)
			}
			if !strings.Contains(strings.Join(r.Notes, "\n"), "outside July to September 2026") {
				t.Errorf("no note of the cases outside the quarter: %q", r.Notes)
			}
		})
	}
}

func TestDataReturnTrueValuesKept(t *testing.T) {
	r := ComputeDataReturn(sample(4, 0))
	want := map[string]int{"meetings_held": 3, "cases_heard": 5, "repeat_cases": 3, "children": 10,
		"victims_racially_minoritised": 4, "victims_lgbt": 4, "victims_disabled": 2, "victims_male": 1,
		"victims_aged_16_17": 3, "perpetrators_under_18": 1, "referrals_police": 2, "referrals_idva_service": 1,
		"referrals_housing": 1, "referrals_not_recorded": 1, "referrals_probation": 0}
	for _, f := range append(append([]Figure{}, r.Figures...), r.ReferralsByAgency...) {
		if n, ok := want[f.Code]; ok && f.Cell.Value != n {
			t.Errorf("%s true value %d, want %d", f.Code, f.Cell.Value, n)
		}
	}
}

func TestPopulationNotConfigured(t *testing.T) {
	r := ComputeDataReturn(sample(1, 0))
	for _, f := range r.Figures {
		if f.Code == "cases_per_10000_women" {
			t.Errorf("rate per 10,000 given with no population: %s", f.value())
		}
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "adult female population is not configured") {
		t.Errorf("no note of the missing population: %q", r.Notes)
	}
}

func TestRatesWithheldWithTheirCounts(t *testing.T) {
	// Three cases heard, none a repeat: cases heard is withheld, so both
	// rates are withheld although repeats (0) is shown.
	in := DataReturnInput{Quarter: Quarter{2026, 1}, Meetings: 6, AdultFemalePopulation: 50000, Threshold: 4}
	for range 3 {
		in.Cases = append(in.Cases, HeardCase{HeardOn: drive.MustDate("2026-02-10"), ReferringAgency: "police", PerpetratorAge: 30})
	}
	got := shown(ComputeDataReturn(in))
	for code, want := range map[string]string{"cases_heard": "[c]", "repeat_cases": "0", "repeat_rate": "[c]", "cases_per_10000_women": "[c]", "meetings_held": "6"} {
		if got[code] != want {
			t.Errorf("%s = %q, want %q", code, got[code], want)
		}
	}
}

func TestCasesHeardFollowsTheRowTotal(t *testing.T) {
	// Threshold 1, two cases, one each from police and IDVA: both ones are
	// known from a total of 2, and no other cell can protect them, so the
	// total is withheld; cases heard must not publish it.
	in := DataReturnInput{Quarter: Quarter{2026, 1}, Meetings: 2, Threshold: 1, Cases: []HeardCase{
		{HeardOn: drive.MustDate("2026-01-14"), ReferringAgency: "police", PerpetratorAge: -1},
		{HeardOn: drive.MustDate("2026-03-31"), ReferringAgency: "idva_service", PerpetratorAge: -1},
	}}
	got := shown(ComputeDataReturn(in))
	for code, want := range map[string]string{"cases_heard": "[c]", "referrals_police": "[c]", "referrals_idva_service": "[c]", "repeat_rate": "[c]"} {
		if got[code] != want {
			t.Errorf("%s = %q, want %q", code, got[code], want)
		}
	}
}

func TestOtherAgencyKinds(t *testing.T) {
	in := sample(1, 0)
	in.Cases = append(in.Cases, HeardCase{HeardOn: drive.MustDate("2026-07-15"), ReferringAgency: "adult_social_care", PerpetratorAge: -1})
	r := ComputeDataReturn(in)
	n := len(r.ReferralsByAgency)
	if n < 2 || r.ReferralsByAgency[n-2].Code != "referrals_adult_social_care" || r.ReferralsByAgency[n-2].Label != "Adult social care" || r.ReferralsByAgency[n-1].Code != "referrals_not_recorded" {
		t.Errorf("agencies = %+v", r.ReferralsByAgency)
	}
}

func TestCSVNeverCarriesAWithheldValue(t *testing.T) {
	for _, threshold := range []int{1, 2, 4, 9} {
		r := ComputeDataReturn(sample(threshold, 120000))
		rows, err := csv.NewReader(bytes.NewReader(r.CSV())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		figures := append(append([]Figure{}, r.Figures...), r.ReferralsByAgency...)
		if len(rows) != len(figures)+1 || strings.Join(rows[0], ",") != "code,label,value,definition" {
			t.Fatalf("threshold %d: %d rows, header %v", threshold, len(rows), rows[0])
		}
		withheld := 0
		for i, f := range figures {
			row := rows[i+1]
			if row[0] != f.Code || row[1] != f.Label || row[3] != f.Definition {
				t.Errorf("row %d = %v, want %s", i+1, row, f.Code)
			}
			hidden := f.Cell.Suppressed || (f.IsRate && !f.Rate.Shown)
			if hidden {
				withheld++
				if row[2] != "[c]" {
					t.Errorf("threshold %d: withheld %s written as %q", threshold, f.Code, row[2])
				}
			} else if row[2] != f.value() {
				t.Errorf("threshold %d: %s written as %q, want %q", threshold, f.Code, row[2], f.value())
			}
		}
		if withheld == 0 {
			t.Errorf("threshold %d: nothing withheld, the test proves nothing", threshold)
		}
	}
}
