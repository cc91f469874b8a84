package chart

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestChartsAreAccessibleImages: each drawing is well-formed SVG named by
// its title and description, writes every bar's text, draws no mark for a
// withheld bar, sizes marks in proportion, draws intervals, and escapes
// the text it is given.
func TestChartsAreAccessibleImages(t *testing.T) {
	c := Chart{ID: "beh", Title: "Behaviour <stopped>", Desc: "Bars & the table below", Min: 0, Max: 1, Percent: true,
		Bars: []Bar{
			{Label: "Physical abuse", Value: 0.8, Text: "80%", Interval: true, Low: 0.7, High: 0.9},
			{Label: "Sexual abuse", Value: 0.4, Text: "40%"},
			{Label: "Harassment and stalking, a label long enough to wrap", Withheld: true, Text: "[c]"},
		}}
	rect := regexp.MustCompile(`<rect x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)" height="([0-9.]+)"`)
	for _, tc := range []struct {
		name    string
		svg     string
		measure int // which submatch of rect is the bar's length
	}{
		{"bars", string(c.SVG()), 1},
		{"columns", string(c.ColumnsSVG()), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := xml.Unmarshal([]byte(tc.svg), new(struct{})); err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, tc.svg)
			}
			for _, want := range []string{`role="img"`, `aria-labelledby="beh-title beh-desc"`, `<title id="beh-title">Behaviour &lt;stopped&gt;</title>`,
				`<desc id="beh-desc">Bars &amp; the table below</desc>`, ">80%<", ">40%<", ">[c]<", "<path d="} {
				if !strings.Contains(tc.svg, want) {
					t.Errorf("lacks %q", want)
				}
			}
			if strings.Contains(tc.svg, "<stopped>") || strings.Contains(tc.svg, "<script") {
				t.Error("text not escaped")
			}
			bars := rect.FindAllStringSubmatch(tc.svg, -1)
			if len(bars) != 2 {
				t.Fatalf("%d bars drawn; want 2 (the withheld one drawn at no size)", len(bars))
			}
			a, _ := strconv.ParseFloat(bars[0][tc.measure], 64)
			b, _ := strconv.ParseFloat(bars[1][tc.measure], 64)
			if r := a / b; r < 1.99 || r > 2.01 {
				t.Errorf("80%% is drawn %.1f and 40%% %.1f: not in proportion", a, b)
			}
		})
	}
}

// TestTicks: the axis runs over round values covering the range.
func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 1, "[0 0.2 0.4 0.6 0.8 1]"},
		{0, 3.3, "[0 1 2 3]"},
		{-0.4, 0, "[-0.4 -0.3 -0.2 -0.1 0]"},
		{0, 120, "[0 25 50 75 100]"},
	} {
		got := fmtFloats(ticks(tc.lo, tc.hi))
		if got != tc.want {
			t.Errorf("ticks(%g, %g) = %s; want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func fmtFloats(fs []float64) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return "[" + strings.Join(s, " ") + "]"
}
