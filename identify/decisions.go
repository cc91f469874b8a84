package identify

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/drive-platform/drive"
)

// Role says which person on an incident a decision is about.
type Role string

const (
	SuspectRole Role = "suspect"
	VictimRole  Role = "victim"
)

// DecisionKind is what an analyst ruled about a set of mentions.
type DecisionKind string

const (
	// Confirm: these mentions are one person. Confirming what the linker
	// already put together pins it, so a later resolution with more data
	// cannot pull it apart; confirming mentions the linker put in two
	// people joins them.
	Confirm DecisionKind = "confirm"
	// Split: these mentions are a person apart from the rest of the
	// person they were in.
	Split DecisionKind = "split"
)

// Decision is an analyst's ruling on who is who. The linker is good, not
// perfect, and the person who reads the incidents knows things it cannot
// (a custody photo, a phone call to the force), so a ruling stands over
// the linker's answer, now and at every later resolution.
type Decision struct {
	Role Role
	Kind DecisionKind
	// Mentions are positions in the incident list the decision is applied
	// to. Positions outside the list are ignored: an incident may have left
	// the extract since.
	Mentions []int
}

// Validate checks a decision before it is kept: a known role and kind,
// and at least one mention.
func (d Decision) Validate() error {
	if d.Role != SuspectRole && d.Role != VictimRole {
		return drive.Errorf(drive.EINVALID, "Say whether the decision is about the suspect or the victim")
	}
	switch d.Kind {
	case Confirm:
		if len(d.Mentions) < 1 {
			return drive.Errorf(drive.EINVALID, "Choose the incidents that are this person")
		}
	case Split:
		if len(d.Mentions) == 0 {
			return drive.Errorf(drive.EINVALID, "Choose the incidents that are a different person")
		}
	default:
		return drive.Errorf(drive.EINVALID, "Say whether you are confirming or splitting this identity")
	}
	return nil
}

// Apply rules on resolved incidents, in the order given (later rulings
// stand over earlier ones). Each ruling gives its mentions a key of its
// own ("S-split-<n>", "V-confirm-<n>", ...), so keys from Resolve never
// collide with it and a confirmed person cannot be pulled into whoever the
// linker put one of his mentions with this time; StableIDs then gives the
// key the id most of its mentions carried.
func Apply(incidents []Incident, decisions []Decision) {
	for n, d := range decisions {
		var in []int
		for _, i := range d.Mentions {
			if i >= 0 && i < len(incidents) && (d.Role == SuspectRole || len(incidents[i].VictimIDs) > 0) {
				in = append(in, i)
			}
		}
		if len(in) == 0 {
			continue
		}
		key := "S-"
		if d.Role == VictimRole {
			key = "V-"
		}
		key += string(d.Kind) + "-" + strconv.Itoa(n+1)
		for _, i := range in {
			inc := &incidents[i]
			if d.Role == SuspectRole {
				inc.SuspectID = key
				continue
			}
			old := inc.VictimIDs[0]
			inc.VictimIDs = []string{key}
			if age, ok := inc.VictimAges[old]; ok {
				inc.VictimAges = map[string]int{key: age}
			}
		}
	}
}

// StableIDs keeps people's ids across resolutions. prev holds the id each
// mention had before (0 for a new mention) and keys the person key the new
// resolution gives it ("" for no person). Each new person takes the old id
// most of its mentions carried, the biggest people choosing first, so
// that one person who gains a mention keeps her id, and of two people
// split from one, the larger keeps it; the other gets 0, meaning "give me
// a new id". The result maps every key to its id.
func StableIDs(prev []int64, keys []string) map[string]int64 {
	type vote struct {
		key   string
		id    int64
		count int
		size  int
	}
	counts := map[string]map[int64]int{}
	size := map[string]int{}
	for i, k := range keys {
		if k == "" {
			continue
		}
		size[k]++
		if prev[i] == 0 {
			continue
		}
		if counts[k] == nil {
			counts[k] = map[int64]int{}
		}
		counts[k][prev[i]]++
	}
	var votes []vote
	for k, byID := range counts {
		for id, c := range byID {
			votes = append(votes, vote{k, id, c, size[k]})
		}
	}
	// Most shared mentions first; then the bigger person; then fixed
	// order, so the answer never depends on map iteration.
	slices.SortFunc(votes, func(a, b vote) int {
		if r := cmp.Compare(b.count, a.count); r != 0 {
			return r
		}
		if r := cmp.Compare(b.size, a.size); r != 0 {
			return r
		}
		if r := cmp.Compare(a.id, b.id); r != 0 {
			return r
		}
		return cmp.Compare(a.key, b.key)
	})
	out := make(map[string]int64, len(size))
	taken := map[int64]bool{}
	for _, v := range votes {
		if _, done := out[v.key]; done || taken[v.id] {
			continue
		}
		out[v.key], taken[v.id] = v.id, true
	}
	for k := range size {
		if _, ok := out[k]; !ok {
			out[k] = 0
		}
	}
	return out
}

// String is the kind's code.
func (k DecisionKind) String() string { return string(k) }
