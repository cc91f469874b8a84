package identify

import (
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
)

// FuzzParse checks that Parse never panics, refuses bad input only with
// EINVALID, and that whatever it accepts is valid, scores without
// panicking, and survives a JSON round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add(Default().JSON())
	f.Add([]byte(`{"code":"a","version":"1","name":"A","window_months":12,"recency_bands":[{"from_months":0,"to_months":12,"points":1}],"frequency_bands":[{"min":1,"max":0,"points":1}],"gravity":[],"default_gravity":1,"victims":{"per_extra_victim":1,"max":1},"serial_min_victims":2,"serial_min_age":16,"combination":"add"}`))
	f.Add([]byte(`{"recency_bands":[{"from_months":-1,"to_months":-5}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	asOf := drive.MustDate("2025-05-01")
	incidents := []Incident{
		{SuspectID: "s", On: drive.MustDate("2025-04-01"), Type: "gbh", VictimIDs: []string{"a", "b"}},
		{SuspectID: "s", On: drive.MustDate("2022-05-01"), Type: "x"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("error code %q for %q", drive.ErrorCode(err), data)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid strategy: %v", err)
		}
		sc := s.Score("s", incidents, asOf)
		if sc.Total <= 0 || sc.Incidents < 1 {
			t.Fatalf("score %+v", sc)
		}
		back, err := Parse(s.JSON())
		if err != nil {
			t.Fatalf("Parse(JSON()) failed: %v", err)
		}
		if !reflect.DeepEqual(s, back) {
			t.Fatalf("round trip changed the strategy")
		}
	})
}
