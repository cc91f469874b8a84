package outcomes

import (
	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/suppress"
)

// Populations of the equality tables.
const (
	PopulationPerpetrators    = "perpetrators"
	PopulationVictimSurvivors = "victim_survivors"
)

// AgeBands lists the age bands, youngest first, ending with "not known".
// Age is taken at the case's referral.
func AgeBands() []people.Option {
	return []people.Option{
		{Code: "under_16", Label: "Under 16"}, {Code: "16_17", Label: "16 to 17"}, {Code: "18_24", Label: "18 to 24"},
		{Code: "25_34", Label: "25 to 34"}, {Code: "35_44", Label: "35 to 44"}, {Code: "45_54", Label: "45 to 54"},
		{Code: "55_64", Label: "55 to 64"}, {Code: "65_plus", Label: "65 and over"}, {Code: people.NotKnown, Label: "Not known"},
	}
}

// ageBand returns the index in AgeBands of an age.
func ageBand(age int) int {
	for i, top := range []int{15, 17, 24, 34, 44, 54, 64} {
		if age <= top {
			return i
		}
	}
	return 7
}

type dimension struct {
	code    string
	cats    []people.Option
	index   map[string]int
	unknown int // index of "not known"
}

// equalityIndex holds the categories of every dimension, built once per
// report.
type equalityIndex struct{ dims []dimension }

func newEqualityIndex() *equalityIndex {
	eq := &equalityIndex{}
	for _, d := range []struct {
		code string
		cats []people.Option
	}{
		{DimEthnicity, people.Ethnicities()}, {DimSex, people.Genders()}, {DimAgeBand, AgeBands()},
		{DimDisability, people.Disabilities()}, {DimSexualOrientation, people.SexualOrientations()},
	} {
		dim := dimension{code: d.code, cats: d.cats, index: map[string]int{}}
		for i, c := range d.cats {
			dim.index[c.Code] = i
		}
		dim.unknown = dim.index[people.NotKnown]
		eq.dims = append(eq.dims, dim)
	}
	return eq
}

// table returns an empty count table: [dimension][category].
func (eq *equalityIndex) table() [][]int {
	t := make([][]int, len(eq.dims))
	for d := range eq.dims {
		t[d] = make([]int, len(eq.dims[d].cats))
	}
	return t
}

// categories returns one person's category index in each dimension. An
// empty or unknown code counts as "not known"; the age band is the age on
// the date given (the case's referral).
func (eq *equalityIndex) categories(e *Equality, on drive.Date) [5]uint8 {
	var out [5]uint8
	for d := range eq.dims {
		dim := &eq.dims[d]
		i := dim.unknown
		if dim.code == DimAgeBand {
			if !e.DateOfBirth.IsZero() && !on.IsZero() {
				i = ageBand(e.DateOfBirth.AgeOn(on))
			}
		} else if j, ok := dim.index[field(e, dim.code)]; ok {
			i = j
		}
		out[d] = uint8(i)
	}
	return out
}

// add counts one person with the given categories into t.
func (eq *equalityIndex) add(t [][]int, cats [5]uint8) {
	for d, i := range cats {
		t[d][i]++
	}
}

func field(e *Equality, dim string) string {
	switch dim {
	case DimEthnicity:
		return e.Ethnicity
	case DimSex:
		return e.Sex
	case DimDisability:
		return e.Disability
	case DimSexualOrientation:
		return e.SexualOrientation
	}
	return ""
}

// unanswered reports whether a category is not an answer ("prefer not to
// say", "not known"): it is counted, but not in the shares.
func unanswered(code string) bool { return code == people.NotKnown || code == people.PreferNotToSay }

// equality publishes the equality tables of one group.
func (b builder) equality(g *acc, eq *equalityIndex, pop Population) []EqualityTable {
	var out []EqualityTable
	for p, counts := range [][][]int{g.perpEq, g.victimsEq} {
		name := []string{PopulationPerpetrators, PopulationVictimSurvivors}[p]
		for d := range eq.dims {
			out = append(out, b.table(name, &eq.dims[d], counts[d], pop))
		}
	}
	return out
}

// table publishes one equality table: primary and secondary suppression
// of the row (suppress.Row), then rounding; shares over the published
// count of those who answered.
func (b builder) table(population string, dim *dimension, counts []int, pop Population) EqualityTable {
	t := EqualityTable{Population: population, Dimension: dim.code, Site: b.site, Programme: b.programme, Reference: pop.Source}
	cells, total := suppress.Row(counts, b.limit())
	known := 0
	for i, c := range dim.cats {
		if !unanswered(c.Code) {
			known += counts[i]
		}
	}
	t.Total = b.publish(total)
	t.Known = b.publish(suppress.Count(known, b.limit()))
	shares := !t.Known.Suppressed && t.Known.Value >= b.minDen
	for i, c := range dim.cats {
		row := EqualityRow{Category: c.Code, Label: c.Label, Count: b.publish(cells[i])}
		if ref, ok := pop.Shares[dim.code][c.Code]; ok && !unanswered(c.Code) {
			row.Reference = &ref
		}
		if shares && !row.Count.Suppressed && !unanswered(c.Code) {
			share := float64(row.Count.Value) / float64(t.Known.Value)
			row.Share = &share
			if row.Reference != nil {
				diff := share - *row.Reference
				row.Difference = &diff
				w := wilson(row.Count.Value, t.Known.Value)
				row.Interval = &Interval{Low: w.Low - *row.Reference, High: w.High - *row.Reference,
					Method: WilsonMethod + " interval of the share, less the reference share (taken as exact)"}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// publish rounds a cell that suppress left shown, and withholds the rest.
func (b builder) publish(c suppress.Cell) Count {
	if c.Suppressed {
		return Count{Suppressed: true}
	}
	return b.count(c.Value)
}
