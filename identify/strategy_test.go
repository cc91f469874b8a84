package identify

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
	if Default().WindowMonths != 36 || Default().SerialMinVictims != 2 || Default().SerialMinAge != 16 {
		t.Error("default window or serial settings changed")
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Strategy)
		field string
	}{
		{"bad code", func(s *Strategy) { s.Code = "Drive RFGV" }, "code"},
		{"no version", func(s *Strategy) { s.Version = "" }, "version"},
		{"no name", func(s *Strategy) { s.Name = " " }, "name"},
		{"window too short", func(s *Strategy) { s.WindowMonths = 6 }, "window_months"},
		{"window too long", func(s *Strategy) { s.WindowMonths = 121 }, "window_months"},
		{"no recency bands", func(s *Strategy) { s.RecencyBands = nil }, "recency_bands"},
		{"recency gap", func(s *Strategy) { s.RecencyBands[1].FromMonths = 4 }, "recency_bands[1].from_months"},
		{"recency overlap", func(s *Strategy) { s.RecencyBands[2].FromMonths = 5 }, "recency_bands[2].from_months"},
		{"recency empty band", func(s *Strategy) { s.RecencyBands[0].ToMonths = 0 }, "recency_bands[0].to_months"},
		{"recency short of window", func(s *Strategy) { s.RecencyBands = s.RecencyBands[:4] }, "recency_bands"},
		{"recency zero points", func(s *Strategy) { s.RecencyBands[0].Points = 0 }, "recency_bands[0].points"},
		{"no frequency bands", func(s *Strategy) { s.FrequencyBands = nil }, "frequency_bands"},
		{"frequency not from 1", func(s *Strategy) { s.FrequencyBands[0].Min = 0 }, "frequency_bands[0].min"},
		{"frequency gap", func(s *Strategy) { s.FrequencyBands[2].Min = 4 }, "frequency_bands[2].min"},
		{"frequency overlap", func(s *Strategy) { s.FrequencyBands[2].Min = 2 }, "frequency_bands[2].min"},
		{"frequency open early", func(s *Strategy) { s.FrequencyBands[1].Max = 0 }, "frequency_bands[1].max"},
		{"frequency closed last", func(s *Strategy) { s.FrequencyBands[4].Max = 20 }, "frequency_bands[4].max"},
		{"frequency negative", func(s *Strategy) { s.FrequencyBands[3].Points = -1 }, "frequency_bands[3].points"},
		{"gravity duplicate", func(s *Strategy) { s.Gravity[1].Type = s.Gravity[0].Type }, "gravity[1].type"},
		{"gravity bad code", func(s *Strategy) { s.Gravity[0].Type = "ABH" }, "gravity[0].type"},
		{"gravity no label", func(s *Strategy) { s.Gravity[0].Label = "" }, "gravity[0].label"},
		{"gravity pipe", func(s *Strategy) { s.Gravity[0].Label = "a|b" }, "gravity[0].label"},
		{"gravity zero", func(s *Strategy) { s.Gravity[0].Points = 0 }, "gravity[0].points"},
		{"default gravity zero", func(s *Strategy) { s.DefaultGravity = 0 }, "default_gravity"},
		{"victims weight zero", func(s *Strategy) { s.Victims.PerExtraVictim = 0 }, "victims.per_extra_victim"},
		{"multiplier cap below 1", func(s *Strategy) { s.Victims.Max = 0.5 }, "victims.max"},
		{"serial one victim", func(s *Strategy) { s.SerialMinVictims = 1 }, "serial_min_victims"},
		{"serial age", func(s *Strategy) { s.SerialMinAge = -1 }, "serial_min_age"},
		{"unknown combination", func(s *Strategy) { s.Combination = "weighted" }, "combination"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Default()
			tt.edit(s)
			err := s.Validate()
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			fields := err.(*drive.Error).Fields
			if _, ok := fields[tt.field]; !ok {
				t.Errorf("no message for %s; got %v", tt.field, fields)
			}
		})
	}
}

func TestAddCombinationValid(t *testing.T) {
	s := Default()
	s.Combination = Add
	s.Victims = Victims{PerExtraVictim: 2, Max: 0.5}
	if err := s.Validate(); err != nil {
		t.Errorf("an add cap below 1 is allowed: %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	d := Default()
	back, err := Parse(d.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, back) {
		t.Errorf("round trip changed the strategy:\n%s\n%s", d.JSON(), back.JSON())
	}
	if !bytes.Equal(d.JSON(), back.JSON()) {
		t.Error("JSON not stable")
	}
}

func TestParse(t *testing.T) {
	d := Default()
	d.WindowMonths = 0
	d.RecencyBands[len(d.RecencyBands)-1].ToMonths = 36
	s, err := Parse(d.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if s.WindowMonths != 36 {
		t.Errorf("missing window read as %d, want 36", s.WindowMonths)
	}
	for _, bad := range []string{
		``,
		`[]`,
		`{"code":"x"} {}`,
		`{"cod":"x"}`,
		string(bytes.Replace(Default().JSON(), []byte(`"multiply"`), []byte(`"divide"`), 1)),
	} {
		if _, err := Parse([]byte(bad)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("Parse(%.40q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestGravityOf(t *testing.T) {
	s := Default()
	tests := []struct {
		typ   string
		want  float64
		known bool
	}{
		{"gbh", 8, true},
		{"non_crime", 1, true},
		{"strangulation", 7, true},
		{"homicide", 10, true},
		{"GBH", 2, false}, // codes are exact
		{"", 2, false},
		{"theft", 2, false},
	}
	for _, tt := range tests {
		p, _, known := s.GravityOf(tt.typ)
		if p != tt.want || known != tt.known {
			t.Errorf("GravityOf(%q) = %v, %v; want %v, %v", tt.typ, p, known, tt.want, tt.known)
		}
	}
}
