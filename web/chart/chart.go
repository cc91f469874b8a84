// Package chart draws the outcome reports' charts as inline SVG on the
// server, so a chart needs no script and reads the same with JavaScript
// off.
//
// Every chart is an image with a name and a description (role="img",
// aria-labelledby its <title> and <desc>), every value is written beside
// its mark in text, so nothing depends on colour alone, and the page puts
// the same figures in a table beside it. Colours are the GOV.UK palette's
// blue (#1d70b8, 5.2:1 on white) and black text (#0b0c0c); grid lines are
// mid grey and carry no information the labels do not.
//
// A chart is a value: fill it, call SVG, put the result in a template.
// All text is escaped here; a label cannot inject markup.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Colours of the marks and text (GOV.UK design system).
const (
	barColour  = "#1d70b8"
	textColour = "#0b0c0c"
	gridColour = "#b1b4b6"
)

// Bar is one labelled value. Text is the value as written on the chart
// ("82%", "3.4"); a Withheld or empty bar draws no mark and writes Text
// ("[c]", "No data") in its place, so a withheld figure is never drawn at
// any size.
type Bar struct {
	Label    string
	Value    float64
	Text     string
	Withheld bool
	// Interval draws a whisker from Low to High: a 95% confidence
	// interval of the value.
	Interval  bool
	Low, High float64
}

// Chart is a bar chart: horizontal bars (SVG) or columns (ColumnsSVG).
type Chart struct {
	// ID is unique within the page; the title and description are named
	// ID-title and ID-desc.
	ID    string
	Title string
	// Desc describes the chart for those who cannot see it: what the bars
	// are and where the table of the same figures is.
	Desc string
	// Min and Max fix the value axis (a share runs from 0 to 1); when
	// both are zero the axis spans 0 and every value and interval.
	Min, Max float64
	// Percent writes the axis ticks as percentages of 1.
	Percent bool
	Bars    []Bar
}

// Layout of a horizontal bar chart, in SVG user units.
const (
	width     = 680
	labelW    = 250 // the labels' column
	plotLeft  = labelW + 10
	plotRight = width - 90 // room for the value text after the longest bar
	rowH      = 40
	top       = 10
	axisH     = 30
)

// domain is the value axis: it always holds 0, so bars start at zero.
func (c Chart) domain() (lo, hi float64) {
	if c.Min != 0 || c.Max != 0 {
		return math.Min(c.Min, 0), math.Max(c.Max, 0)
	}
	for _, b := range c.Bars {
		if b.Withheld {
			continue
		}
		lo, hi = math.Min(lo, b.Value), math.Max(hi, b.Value)
		if b.Interval {
			lo, hi = math.Min(lo, b.Low), math.Max(hi, b.High)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi
}

// ticks returns about five round values spanning lo to hi.
func ticks(lo, hi float64) []float64 {
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span/4)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if span/(step*m) <= 5 {
			step *= m
			break
		}
	}
	var out []float64
	// Counting in whole steps and rounding keeps 0.1 + 0.2 from
	// printing as 0.30000000000000004.
	for k := math.Ceil(lo / step); k*step <= hi+step/1e6; k++ {
		v := math.Round(k*step*1e9) / 1e9
		if v == 0 {
			v = 0 // not -0
		}
		out = append(out, v)
	}
	return out
}

func (c Chart) tickLabel(v float64) string {
	if c.Percent {
		return fmt.Sprintf("%g%%", math.Round(v*1000)/10)
	}
	return fmt.Sprintf("%g", math.Round(v*100)/100)
}

// e escapes text for SVG (XML) content and attributes.
func e(s string) string { return html.EscapeString(s) }

// open writes the svg element with its title and description.
func (c Chart) open(b *strings.Builder, h int) {
	fmt.Fprintf(b, `<svg class="drive-chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-title %s-desc" focusable="false" xmlns="http://www.w3.org/2000/svg">`,
		width, h, e(c.ID), e(c.ID))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, e(c.ID), e(c.Title), e(c.ID), e(c.Desc))
}

// text writes one piece of text; a label longer than about 34 characters
// is broken over two lines at a space so it stays inside its column.
func text(b *strings.Builder, x, y float64, anchor, weight, s string) {
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="13" font-weight="%s" fill="%s">`, x, y, anchor, weight, textColour)
	if len(s) > 34 {
		if i := strings.LastIndex(s[:34], " "); i > 0 {
			fmt.Fprintf(b, `<tspan x="%.1f" dy="-7">%s</tspan><tspan x="%.1f" dy="15">%s</tspan></text>`, x, e(s[:i]), x, e(s[i+1:]))
			return
		}
	}
	b.WriteString(e(s) + `</text>`)
}

// SVG draws the chart as horizontal bars, one row per bar, label on the
// left and value text at the end of the bar (or of its interval).
func (c Chart) SVG() template.HTML {
	lo, hi := c.domain()
	x := func(v float64) float64 { return plotLeft + (v-lo)/(hi-lo)*(plotRight-plotLeft) }
	h := top + rowH*len(c.Bars) + axisH
	var b strings.Builder
	c.open(&b, h)
	bottom := float64(top + rowH*len(c.Bars))
	for _, t := range ticks(lo, hi) {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, x(t), x(t), top, bottom, gridColour)
		text(&b, x(t), bottom+18, "middle", "normal", c.tickLabel(t))
	}
	for i, bar := range c.Bars {
		y := float64(top + rowH*i)
		mid := y + rowH/2
		text(&b, labelW, mid+4, "end", "normal", bar.Label)
		end := x(0)
		if !bar.Withheld {
			x0, x1 := x(0), x(bar.Value)
			if x1 < x0 {
				x0, x1 = x1, x0
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"/>`, x0, y+8, math.Max(x1-x0, 0), rowH-16, barColour)
			end = math.Max(x(bar.Value), x(0))
			if bar.Interval {
				l, r := x(bar.Low), x(bar.High)
				fmt.Fprintf(&b, `<path d="M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f" stroke="%s" stroke-width="2" fill="none"/>`,
					l, mid, r, l, mid-7, mid+7, r, mid-7, mid+7, textColour)
				end = math.Max(end, r)
			}
		}
		text(&b, end+6, mid+4, "start", "bold", bar.Text)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, x(0), x(0), top, bottom, textColour)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203 -- SVG drawn here from numbers and html.EscapeString-ed labels
}

// Layout of a column chart.
const (
	colLeft   = 60
	colTop    = 24
	colHeight = 200
	colBottom = colTop + colHeight
)

// ColumnsSVG draws the chart as vertical columns, one per bar in order
// (a trend over quarters), with the value written above each column and
// the label below.
func (c Chart) ColumnsSVG() template.HTML {
	lo, hi := c.domain()
	y := func(v float64) float64 { return colBottom - (v-lo)/(hi-lo)*colHeight }
	h := colBottom + 50
	var b strings.Builder
	c.open(&b, h)
	for _, t := range ticks(lo, hi) {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, colLeft, width-10, y(t), y(t), gridColour)
		text(&b, colLeft-6, y(t)+4, "end", "normal", c.tickLabel(t))
	}
	n := max(len(c.Bars), 1)
	slot := float64(width-10-colLeft) / float64(n)
	for i, bar := range c.Bars {
		cx := colLeft + slot*float64(i) + slot/2
		peak := y(0)
		if !bar.Withheld {
			y0, y1 := y(0), y(bar.Value)
			if y1 > y0 {
				y0, y1 = y1, y0
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, cx-slot*0.3, y1, slot*0.6, math.Max(y0-y1, 0), barColour)
			peak = math.Min(y(bar.Value), y(0))
			if bar.Interval {
				t, bt := y(bar.High), y(bar.Low)
				fmt.Fprintf(&b, `<path d="M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f" stroke="%s" stroke-width="2" fill="none"/>`,
					cx, t, bt, cx-6, t, cx+6, cx-6, bt, cx+6, textColour)
				peak = math.Min(peak, t)
			}
		}
		text(&b, cx, peak-6, "middle", "bold", bar.Text)
		label, second, _ := strings.Cut(bar.Label, " ")
		text(&b, cx, colBottom+18, "middle", "normal", label)
		if second != "" {
			text(&b, cx, colBottom+34, "middle", "normal", second)
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, colLeft, width-10, y(0), y(0), textColour)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203 -- SVG drawn here from numbers and html.EscapeString-ed labels
}
