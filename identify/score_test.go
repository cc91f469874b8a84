package identify

import (
	"slices"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

var asOf = drive.MustDate("2025-05-01")

func inc(suspect, on, typ string, victims ...string) Incident {
	return Incident{SuspectID: suspect, On: drive.MustDate(on), Type: typ, VictimIDs: victims}
}

func TestRecencyBands(t *testing.T) {
	s := Default()
	tests := []struct {
		on   string
		want float64
	}{
		{"2025-05-01", 10}, // the as-of day itself
		{"2025-02-01", 10}, // exactly 3 months back: the recent band
		{"2025-01-31", 8},  // a day earlier
		{"2024-11-01", 8},  // exactly 6 months
		{"2024-10-31", 6},
		{"2024-05-01", 6}, // exactly 12 months
		{"2024-04-30", 3},
		{"2023-05-01", 3}, // exactly 24 months
		{"2023-04-30", 1},
		{"2022-05-01", 1}, // exactly 36 months: first day of the window
		{"2022-04-30", 0}, // outside the window
		{"2025-05-02", 0}, // after as-of
	}
	for _, tt := range tests {
		sc := s.Score("p", []Incident{inc("p", tt.on, "non_crime", "v")}, asOf)
		if sc.Recency != tt.want {
			t.Errorf("incident on %s: recency %v, want %v", tt.on, sc.Recency, tt.want)
		}
		if in := tt.want > 0; (sc.Incidents == 1) != in {
			t.Errorf("incident on %s: counted %d, in window %v", tt.on, sc.Incidents, in)
		}
	}
}

func TestFrequencyBands(t *testing.T) {
	s := Default()
	tests := []struct {
		n    int
		want float64
	}{{0, 0}, {1, 1}, {2, 3}, {3, 5}, {4, 5}, {5, 8}, {7, 8}, {8, 10}, {50, 10}}
	for _, tt := range tests {
		var list []Incident
		for i := range tt.n {
			list = append(list, inc("p", asOf.AddDays(-i).String(), "non_crime", "v"))
		}
		sc := s.Score("p", list, asOf)
		if sc.Frequency != tt.want || sc.Incidents != tt.n {
			t.Errorf("%d incidents: frequency %v (%d counted), want %v", tt.n, sc.Frequency, sc.Incidents, tt.want)
		}
	}
}

func TestGravityAndMostSerious(t *testing.T) {
	s := Default()
	sc := s.Score("p", []Incident{
		inc("p", "2025-01-01", "common_assault", "v"),
		inc("p", "2024-01-01", "gbh", "v"),
		inc("p", "2024-06-01", "theft_from_car", "v"),
	}, asOf)
	if sc.Gravity != 8 || sc.MostSerious != "gbh" {
		t.Errorf("gravity %v from %q, want 8 from gbh", sc.Gravity, sc.MostSerious)
	}
	sc = s.Score("p", []Incident{inc("p", "2025-01-01", "theft_from_car", "v")}, asOf)
	if sc.Gravity != s.DefaultGravity || sc.MostSerious != "theft_from_car" {
		t.Errorf("unknown type: gravity %v from %q, want the default", sc.Gravity, sc.MostSerious)
	}
	if !slices.ContainsFunc(sc.Reasons, func(r string) bool { return strings.Contains(r, "not in the gravity table") }) {
		t.Errorf("reasons do not say the type is unknown: %q", sc.Reasons)
	}
	// A known type outranks an unknown one even when the default is
	// higher, and equal gravity goes to the more recent incident.
	s.DefaultGravity = 9.5
	sc = s.Score("p", []Incident{inc("p", "2025-01-01", "xyz", "v"), inc("p", "2024-01-01", "harassment", "v")}, asOf)
	if sc.MostSerious != "harassment" || sc.Gravity != 3 {
		t.Errorf("got %q %v, want harassment 3", sc.MostSerious, sc.Gravity)
	}
	sc = Default().Score("p", []Incident{inc("p", "2024-01-01", "stalking", "v"), inc("p", "2025-01-01", "abh", "v")}, asOf)
	if sc.MostSerious != "abh" {
		t.Errorf("tie went to %q, want the more recent abh", sc.MostSerious)
	}
}

func TestComponentsAndReasons(t *testing.T) {
	s := Default()
	list := []Incident{
		inc("p", "2025-03-03", "abh", "a"),
		inc("p", "2024-12-01", "common_assault", "a"),
		inc("p", "2024-01-01", "non_crime", "b"),
		inc("p", "2023-01-01", "criminal_damage", "a", "b"),
		inc("q", "2025-04-01", "homicide", "c"),
	}
	list[0].Crime, list[1].Crime, list[3].Crime = true, true, true
	sc := s.Score("p", list, asOf)
	want := Score{Suspect: "p", StrategyCode: "drive-rfgv", StrategyVersion: "1", AsOf: asOf,
		Recency: 10, Frequency: 5, Gravity: 5, Victims: 1.5, Total: 30,
		Incidents: 4, DistinctVictims: 2, LastIncident: drive.MustDate("2025-03-03"),
		Serial: true, Escalating: true, MostSerious: "abh"}
	got := sc
	got.Reasons = nil
	if got.StrategyCode != want.StrategyCode || got.Total != want.Total || got.Recency != want.Recency ||
		got.Frequency != want.Frequency || got.Gravity != want.Gravity || got.Victims != want.Victims ||
		got.Incidents != want.Incidents || got.DistinctVictims != want.DistinctVictims ||
		got.LastIncident != want.LastIncident || got.Serial != want.Serial || got.Escalating != want.Escalating ||
		got.MostSerious != want.MostSerious || got.AsOf != want.AsOf {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	wantReasons := []string{
		"Most recent incident on 3 March 2025, within 3 months before 1 May 2025 (recency 10 points)",
		"4 incidents in the last 36 months, 3 recorded as crimes (frequency 5 points)",
		"Most serious: Assault occasioning actual bodily harm on 3 March 2025 (gravity 5 points)",
		"2 different victims (victims multiplier ×1.5)",
		"Total (10 + 5 + 5) × 1.5 = 30",
		"Serial: 2 different victims aged 16 or over (or of unknown age) in the window",
		"Escalating: 2 incidents in the last 6 months against 0 in the 6 months before",
	}
	if !slices.Equal(sc.Reasons, wantReasons) {
		t.Errorf("reasons:\n%s\nwant:\n%s", strings.Join(sc.Reasons, "\n"), strings.Join(wantReasons, "\n"))
	}

	s.Combination = Add
	s.Victims = Victims{PerExtraVictim: 2, Max: 5}
	sc = s.Score("p", list, asOf)
	if sc.Victims != 2 || sc.Total != 22 {
		t.Errorf("add: victims %v total %v, want 2 and 22", sc.Victims, sc.Total)
	}
	many := []Incident{inc("p", "2025-03-03", "abh", "a", "b", "c", "d", "e", "f")}
	if sc = s.Score("p", many, asOf); sc.Victims != 5 {
		t.Errorf("add cap: victims %v, want 5", sc.Victims)
	}
	if sc = Default().Score("p", many, asOf); sc.Victims != 3 {
		t.Errorf("multiplier cap: %v, want 3", sc.Victims)
	}
}

func TestNoIncidents(t *testing.T) {
	sc := Default().Score("p", []Incident{inc("q", "2025-01-01", "gbh", "v"), inc("p", "2020-01-01", "gbh", "v")}, asOf)
	if sc.Total != 0 || sc.Incidents != 0 || sc.Serial || sc.Escalating || len(sc.Reasons) != 1 {
		t.Errorf("%+v", sc)
	}
	undated := []Incident{{SuspectID: "p", Type: "gbh"}}
	if sc := Default().Score("p", undated, asOf); sc.Incidents != 0 {
		t.Errorf("an undated incident counted")
	}
}

func TestSerial(t *testing.T) {
	s := Default()
	aged := func(i Incident, ages map[string]int) Incident { i.VictimAges = ages; return i }
	tests := []struct {
		name string
		list []Incident
		want bool
	}{
		{"one victim, repeat", []Incident{inc("p", "2025-01-01", "abh", "a"), inc("p", "2024-01-01", "abh", "a")}, false},
		{"two adults", []Incident{aged(inc("p", "2025-01-01", "abh", "a"), map[string]int{"a": 30}), aged(inc("p", "2024-01-01", "abh", "b"), map[string]int{"b": 16})}, true},
		{"one under 16", []Incident{aged(inc("p", "2025-01-01", "abh", "a"), map[string]int{"a": 30}), aged(inc("p", "2024-01-01", "abh", "b"), map[string]int{"b": 15})}, false},
		{"ages unknown count as adults", []Incident{inc("p", "2025-01-01", "abh", "a"), inc("p", "2024-01-01", "abh", "b")}, true},
		{"turned 16 later", []Incident{aged(inc("p", "2023-01-01", "abh", "b"), map[string]int{"b": 15}), aged(inc("p", "2025-01-01", "abh", "a", "b"), map[string]int{"b": 16})}, true},
		{"known under 16 beats unknown", []Incident{aged(inc("p", "2024-01-01", "abh", "b"), map[string]int{"b": 14}), inc("p", "2025-01-01", "abh", "a", "b")}, false},
		{"second victim outside window", []Incident{inc("p", "2025-01-01", "abh", "a"), inc("p", "2022-04-30", "abh", "b")}, false},
		{"second victim on the window's first day", []Incident{inc("p", "2025-01-01", "abh", "a"), inc("p", "2022-05-01", "abh", "b")}, true},
	}
	for _, tt := range tests {
		if got := s.Score("p", tt.list, asOf).Serial; got != tt.want {
			t.Errorf("%s: serial %v, want %v", tt.name, got, tt.want)
		}
	}
	s.SerialMinVictims = 3
	if s.Score("p", tests[1].list, asOf).Serial {
		t.Error("3-victim rule flagged 2 victims")
	}
}

func TestEscalating(t *testing.T) {
	tests := []struct {
		name string
		on   []string
		want bool
	}{
		{"none recent", []string{"2024-06-01"}, false},
		{"one recent, none before", []string{"2025-04-01"}, true},
		{"equal", []string{"2025-04-01", "2024-07-01"}, false},
		{"more recent", []string{"2025-04-01", "2025-03-01", "2024-07-01"}, true},
		{"fewer recent", []string{"2025-04-01", "2024-07-01", "2024-08-01"}, false},
		{"6-month boundary counts as recent", []string{"2024-11-01"}, true},
		{"day before is the earlier half", []string{"2024-10-31"}, false},
		{"older than 12 months ignored", []string{"2025-04-01", "2024-04-30", "2024-03-01"}, true},
	}
	for _, tt := range tests {
		var list []Incident
		for _, on := range tt.on {
			list = append(list, inc("p", on, "abh", "a"))
		}
		if got := Default().Score("p", list, asOf).Escalating; got != tt.want {
			t.Errorf("%s: escalating %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReduction(t *testing.T) {
	d := Default()
	entry := Score{StrategyCode: d.Code, StrategyVersion: d.Version, Total: 40}
	exit := Score{StrategyCode: d.Code, StrategyVersion: d.Version, Total: 10}
	if r, ok := Reduction(entry, exit); !ok || r != 75 {
		t.Errorf("got %v %v, want 75 true", r, ok)
	}
	if r, ok := Reduction(exit, entry); !ok || r != -300 {
		t.Errorf("rise: got %v %v, want -300 true", r, ok)
	}
	if _, ok := Reduction(Score{StrategyCode: d.Code, StrategyVersion: d.Version}, exit); ok {
		t.Error("zero entry gave a reduction")
	}
	other := exit
	other.StrategyVersion = "2"
	if _, ok := Reduction(entry, other); ok {
		t.Error("different versions gave a reduction")
	}
}

func TestDayNumber(t *testing.T) {
	for _, s := range []string{"1970-01-01", "2000-02-29", "2024-12-31", "1899-03-01", "2100-03-01"} {
		d := drive.MustDate(s)
		if got, want := dayNumber(d), int(d.Time().Unix()/86400); got != want {
			t.Errorf("%s: %d, want %d", s, got, want)
		}
	}
	for d, i := drive.MustDate("2020-01-01"), 0; i < 3000; d, i = d.AddDays(1), i+1 {
		if got, want := dayNumber(d), int(d.Time().Unix()/86400); got != want {
			t.Fatalf("%s: %d, want %d", d, got, want)
		}
	}
}
