package suppress

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	tests := []struct {
		n, threshold int
		want         string
		suppressed   bool
	}{
		{0, 4, "0", false},
		{1, 4, "[c]", true},
		{2, 4, "[c]", true},
		{3, 4, "[c]", true},
		{4, 4, "[c]", true},
		{5, 4, "5", false},
		{1234, 4, "1,234", false},
		{5, 9, "[c]", true},
		{10, 9, "10", false},
		{1, 0, "1", false},  // threshold 0: nothing withheld
		{1, -3, "1", false}, // a negative threshold counts as 0
		{-2, 4, "-2", false},
	}
	for _, tt := range tests {
		c := Count(tt.n, tt.threshold)
		if c.String() != tt.want || c.Suppressed != tt.suppressed || c.Value != tt.n || c.Secondary {
			t.Errorf("Count(%d, %d) = %+v (%q), want %q suppressed=%v", tt.n, tt.threshold, c, c.String(), tt.want, tt.suppressed)
		}
	}
}

func TestCellString(t *testing.T) {
	tests := []struct {
		c    Cell
		want string
	}{
		{Cell{Value: 0}, "0"},
		{Cell{Value: 999}, "999"},
		{Cell{Value: 1000}, "1,000"},
		{Cell{Value: 123456}, "123,456"},
		{Cell{Value: 1234567}, "1,234,567"},
		{Cell{Value: -1234}, "-1,234"},
		{Cell{Value: 5000, Suppressed: true, Secondary: true}, "[c]"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestCellJSONNeverCarriesAWithheldValue(t *testing.T) {
	b, err := json.Marshal(struct {
		Shown, Small, Secondary Cell
	}{Cell{Value: 1234}, Cell{Value: 3, Suppressed: true}, Cell{Value: 987, Suppressed: true, Secondary: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Shown":1234,"Small":"[c]","Secondary":"[c]"}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestRow(t *testing.T) {
	tests := []struct {
		name      string
		counts    []int
		threshold int
		want      []string
		total     string
		secondary []int // indexes of cells withheld to protect another
	}{
		{"nothing small", []int{10, 20, 0}, 4, []string{"10", "20", "0"}, "30", nil},
		{"empty row", nil, 4, []string{}, "0", nil},
		{"all zero", []int{0, 0}, 4, []string{"0", "0"}, "0", nil},
		{"one small cell takes the smallest other", []int{3, 20, 9, 0}, 4, []string{"[c]", "20", "[c]", "0"}, "32", []int{2}},
		{"ties take the first", []int{12, 2, 7, 7}, 4, []string{"12", "[c]", "[c]", "7"}, "28", []int{2}},
		{"zero cells never help", []int{0, 2, 0, 50}, 4, []string{"0", "[c]", "0", "[c]"}, "52", []int{3}},
		{"two small cells protect each other", []int{2, 3, 40}, 4, []string{"[c]", "[c]", "40"}, "45", nil},
		{"two ones are both known from the total", []int{1, 1, 10}, 4, []string{"[c]", "[c]", "[c]"}, "12", []int{2}},
		{"three ones likewise", []int{1, 1, 1, 8, 6}, 4, []string{"[c]", "[c]", "[c]", "8", "[c]"}, "17", []int{4}},
		{"a one and a two are not known", []int{1, 2, 10}, 4, []string{"[c]", "[c]", "10"}, "13", nil},
		{"small total withholds everything", []int{1, 2, 0}, 4, []string{"[c]", "[c]", "0"}, "[c]", nil},
		{"only cell equals the total", []int{0, 3, 0}, 4, []string{"0", "[c]", "0"}, "[c]", nil},
		{"two ones with nothing else: the total goes", []int{1, 1}, 1, []string{"[c]", "[c]"}, "[c]", nil},
		{"a higher threshold", []int{6, 30, 9}, 9, []string{"[c]", "30", "[c]"}, "45", nil},
		{"threshold 0 withholds nothing", []int{1, 2}, 0, []string{"1", "2"}, "3", nil},
		{"negative threshold counts as 0", []int{1, 2}, -1, []string{"1", "2"}, "3", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells, total := Row(tt.counts, tt.threshold)
			if len(cells) != len(tt.counts) {
				t.Fatalf("got %d cells for %d counts", len(cells), len(tt.counts))
			}
			got := make([]string, len(cells))
			for i, c := range cells {
				got[i] = c.String()
				if c.Value != tt.counts[i] {
					t.Errorf("cell %d keeps value %d, want %d", i, c.Value, tt.counts[i])
				}
				wantSecondary := false
				for _, j := range tt.secondary {
					wantSecondary = wantSecondary || j == i
				}
				if c.Secondary != wantSecondary {
					t.Errorf("cell %d secondary = %v, want %v", i, c.Secondary, wantSecondary)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || total.String() != tt.total {
				t.Errorf("Row(%v, %d) = %v total %s, want %v total %s", tt.counts, tt.threshold, got, total, tt.want, tt.total)
			}
		})
	}
}

// candidates returns, for each withheld cell of a published row, how many
// values a reader could give it knowing only what is published: the shown
// cells, the total if shown, and that a withheld cell is at least 1. It
// enumerates every assignment up to limit, so it does not share Row's
// reasoning.
func candidates(cells []Cell, total Cell, limit int) []map[int]bool {
	var hidden []int
	shown := 0
	for i, c := range cells {
		if c.Suppressed {
			hidden = append(hidden, i)
		} else {
			shown += c.Value
		}
	}
	seen := make([]map[int]bool, len(cells))
	for _, i := range hidden {
		seen[i] = map[int]bool{}
	}
	vals := make([]int, len(hidden))
	var walk func(k, sum int)
	walk = func(k, sum int) {
		if k == len(hidden) {
			if total.Suppressed || shown+sum == total.Value {
				for j, i := range hidden {
					seen[i][vals[j]] = true
				}
			}
			return
		}
		for v := 1; v <= limit; v++ {
			vals[k] = v
			walk(k+1, sum+v)
		}
	}
	walk(0, 0)
	return seen
}

// TestRowProperties draws random rows and checks what Row promises: values
// kept, exactly the small cells withheld first, zeros never withheld, and
// no withheld cell that a reader could work out from the published row.
func TestRowProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 3))
	for trial := range 20000 {
		threshold := r.IntN(6) - 1 // -1..4
		counts := make([]int, 1+r.IntN(5))
		for i := range counts {
			switch r.IntN(4) {
			case 0:
				counts[i] = 0
			case 1:
				counts[i] = 1 + r.IntN(4)
			default:
				counts[i] = r.IntN(15)
			}
		}
		cells, total := Row(counts, threshold)
		sum, primaries, withheld := 0, 0, 0
		for i, c := range cells {
			n := counts[i]
			sum += n
			small := n >= 1 && n <= threshold
			if c.Value != n {
				t.Fatalf("trial %d %v: cell %d value %d", trial, counts, i, c.Value)
			}
			if n == 0 && c.Suppressed {
				t.Fatalf("trial %d %v t=%d: zero cell %d withheld", trial, counts, threshold, i)
			}
			if small && (!c.Suppressed || c.Secondary) {
				t.Fatalf("trial %d %v t=%d: small cell %d not withheld as primary: %+v", trial, counts, threshold, i, c)
			}
			if !small && c.Suppressed && !c.Secondary {
				t.Fatalf("trial %d %v t=%d: cell %d withheld as primary: %+v", trial, counts, threshold, i, c)
			}
			if small {
				primaries++
			}
			if c.Suppressed {
				withheld++
			}
		}
		if total.Value != sum {
			t.Fatalf("trial %d %v: total %d, want %d", trial, counts, total.Value, sum)
		}
		if sum >= 1 && sum <= threshold && !total.Suppressed {
			t.Fatalf("trial %d %v t=%d: small total shown", trial, counts, threshold)
		}
		if withheld > 0 && withheld < 2 && !total.Suppressed {
			t.Fatalf("trial %d %v t=%d: one cell withheld and the total shown", trial, counts, threshold)
		}
		if primaries == 0 && (withheld > 0 || total.Suppressed) {
			t.Fatalf("trial %d %v t=%d: withheld with nothing small", trial, counts, threshold)
		}
		for i, vs := range candidates(cells, total, 20) {
			if cells[i].Suppressed && len(vs) < 2 {
				t.Fatalf("trial %d %v t=%d: withheld cell %d can be worked out from %v total %s", trial, counts, threshold, i, cells, total)
			}
		}
	}
}

func TestPerN(t *testing.T) {
	tests := []struct {
		name       string
		num        Cell
		denom, per float64
		decimals   int
		want       string
		shown      bool
	}{
		{"percentage", Count(31, 4), 100, 100, 1, "31.0", true},
		{"per 10,000", Count(45, 4), 150000, 10000, 2, "3.00", true},
		{"zero numerator is shown", Count(0, 4), 80, 100, 1, "0.0", true},
		{"withheld numerator", Count(3, 4), 100, 100, 1, "[c]", false},
		{"secondary numerator", Cell{Value: 40, Suppressed: true, Secondary: true}, 100, 100, 1, "[c]", false},
		{"no denominator", Count(10, 4), 0, 100, 1, "[c]", false},
		{"negative denominator", Count(10, 4), -5, 100, 1, "[c]", false},
		{"thousands", Count(2500, 4), 2, 10, 1, "12,500.0", true},
		{"negative decimals as 0", Count(2, 0), 3, 100, -1, "67", true},
	}
	for _, tt := range tests {
		r := PerN(tt.num, tt.denom, tt.per)
		if got := r.Format(tt.decimals); got != tt.want || r.Shown != tt.shown {
			t.Errorf("%s: PerN = %+v formatted %q, want %q shown=%v", tt.name, r, got, tt.want, tt.shown)
		}
		if !r.Shown && r.Value != 0 {
			t.Errorf("%s: a withheld rate carries %v", tt.name, r.Value)
		}
	}
}
