package identify

import (
	"context"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
)

func keysOf(in []Incident, role Role) []string {
	var out []string
	for _, i := range in {
		if role == SuspectRole {
			out = append(out, i.SuspectID)
		} else if len(i.VictimIDs) > 0 {
			out = append(out, i.VictimIDs[0])
		} else {
			out = append(out, "")
		}
	}
	return out
}

func TestApply(t *testing.T) {
	mk := func() []Incident {
		return []Incident{
			{SuspectID: "S1", VictimIDs: []string{"V1"}, VictimAges: map[string]int{"V1": 30}},
			{SuspectID: "S1", VictimIDs: []string{"V2"}, VictimAges: map[string]int{"V2": 31}},
			{SuspectID: "S1"},
			{SuspectID: "S2", VictimIDs: []string{"V3"}},
		}
	}
	t.Run("split", func(t *testing.T) {
		in := mk()
		Apply(in, []Decision{{Role: SuspectRole, Kind: Split, Mentions: []int{1, 2, 99, -1}}})
		got := keysOf(in, SuspectRole)
		if got[0] != "S1" || got[1] != got[2] || got[1] == "S1" || got[1] == "S2" || got[3] != "S2" {
			t.Errorf("suspects after split: %v", got)
		}
	})
	t.Run("confirm joins victims and carries ages", func(t *testing.T) {
		in := mk()
		Apply(in, []Decision{{Role: VictimRole, Kind: Confirm, Mentions: []int{0, 1, 2}}})
		got := keysOf(in, VictimRole)
		if got[0] != got[1] || got[0] == "V1" || got[0] == "V2" || got[2] != "" || got[3] != "V3" {
			t.Errorf("victims after confirm: %v", got)
		}
		if in[1].VictimAges[got[1]] != 31 {
			t.Errorf("age not carried: %v", in[1].VictimAges)
		}
	})
	t.Run("later rulings stand over earlier", func(t *testing.T) {
		in := mk()
		Apply(in, []Decision{
			{Role: SuspectRole, Kind: Split, Mentions: []int{0}},
			{Role: SuspectRole, Kind: Confirm, Mentions: []int{1, 0}},
		})
		got := keysOf(in, SuspectRole)
		if got[0] != got[1] || got[2] != "S1" || got[0] == "S1" {
			t.Errorf("suspects after split then confirm: %v", got)
		}
	})
	t.Run("a confirmed person is not pulled into another", func(t *testing.T) {
		in := mk()
		// This time the linker put the first confirmed mention with S2.
		in[0].SuspectID = "S2"
		Apply(in, []Decision{{Role: SuspectRole, Kind: Confirm, Mentions: []int{0, 1, 2}}})
		got := keysOf(in, SuspectRole)
		if got[0] != got[1] || got[1] != got[2] || got[3] != "S2" || got[0] == "S2" {
			t.Errorf("suspects after confirm: %v", got)
		}
	})
}

func TestDecisionValidate(t *testing.T) {
	for _, d := range []Decision{
		{Role: "other", Kind: Split, Mentions: []int{1}},
		{Role: SuspectRole, Kind: "merge", Mentions: []int{1}},
		{Role: SuspectRole, Kind: Split},
		{Role: VictimRole, Kind: Confirm},
	} {
		if d.Validate() == nil {
			t.Errorf("%+v: want an error", d)
		}
	}
	if err := (Decision{Role: VictimRole, Kind: Split, Mentions: []int{0}}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestStableIDs(t *testing.T) {
	tests := []struct {
		name string
		prev []int64
		keys []string
		want map[string]int64
	}{
		{"unchanged people keep their ids", []int64{7, 7, 9}, []string{"a", "a", "b"}, map[string]int64{"a": 7, "b": 9}},
		{"a new mention joins", []int64{7, 7, 0}, []string{"a", "a", "a"}, map[string]int64{"a": 7}},
		{"a new person gets 0", []int64{7, 0}, []string{"a", "b"}, map[string]int64{"a": 7, "b": 0}},
		{"the larger part of a split keeps the id", []int64{7, 7, 7}, []string{"x", "y", "y"}, map[string]int64{"y": 7, "x": 0}},
		{"a merge keeps the id most mentions had", []int64{7, 9, 9}, []string{"m", "m", "m"}, map[string]int64{"m": 9}},
		{"no person, no id", []int64{7, 8}, []string{"", "a"}, map[string]int64{"a": 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StableIDs(tt.prev, tt.keys)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestResolveOneIncident: a site's first extract may hold one incident;
// one mention is one person.
func TestResolveOneIncident(t *testing.T) {
	recs := []incident.Record{{Ref: "R1", On: drive.MustDate("2026-01-01"), Type: "abh",
		Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis"}, Victim: incident.Person{GivenName: "Sam", FamilyName: "Example"}}}
	got, err := Resolve(context.Background(), recs, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].SuspectID == "" || len(got[0].VictimIDs) != 1 {
		t.Fatalf("%+v", got[0])
	}
}
