package pdf

import (
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// fontFamily is the name the embedded Go fonts are registered under.
const fontFamily = "go"

// Page geometry in millimetres (A4 portrait) and type sizes in points.
// Body text is 11pt and nothing is smaller than 10pt, so the page stays
// readable when printed and when zoomed.
const (
	pageW        = 210.0
	pageH        = 297.0
	marginX      = 20.0
	bodyW        = pageW - 2*marginX
	markingTop   = 8.0  // top of the first marking line in the header
	footerBottom = 10.0 // distance from the page foot to the page number's baseline area
	markingLineH = 4.6
	maxMarking   = 4 // lines of marking kept; a longer marking is cut short

	bodySize  = 11.0
	bodyLineH = 5.6
	cellSize  = 10.0
	cellLineH = 5.0
	cellPad   = 1.5
	bulletW   = 6.0
)

// headingStyle gives, per outline level (0 is the title), the type size
// and line height of the heading.
var headingStyle = [4]struct{ size, lineH float64 }{
	{20, 9.5},
	{16, 7.8},
	{13.5, 6.8},
	{12, 6.2},
}

// renderer holds the state of one rendering: the fpdf document, the usable
// band of the page, and the outline level of the last heading (so that the
// outline never skips a level).
type renderer struct {
	f        *fpdf.Fpdf
	marking  string
	markings []string // marking wrapped to the page width
	top      float64  // where content starts on a page
	bottom   float64  // content must end above this
	outline  int      // outline level of the last heading
}

// setup installs the header and footer and opens the first page.
func (r *renderer) setup() {
	f := r.f
	f.SetMargins(marginX, markingTop, marginX)
	f.SetAutoPageBreak(false, 0) // breaks are made here, where tables can repeat their header
	f.SetTextColor(0, 0, 0)
	f.SetDrawColor(0, 0, 0)
	f.AliasNbPages("{nb}")

	f.SetFont(fontFamily, "B", cellSize)
	if r.marking != "" {
		r.markings = r.wrap(r.marking, bodyW)
		if len(r.markings) > maxMarking {
			r.markings = r.markings[:maxMarking]
		}
	}
	band := float64(len(r.markings)) * markingLineH
	r.top = markingTop + band + 5
	r.bottom = pageH - footerBottom - cellLineH - band - 5

	f.SetHeaderFunc(func() {
		f.SetFont(fontFamily, "B", cellSize)
		for i, line := range r.markings {
			f.SetXY(marginX, markingTop+float64(i)*markingLineH)
			f.CellFormat(bodyW, markingLineH, line, "", 0, "C", false, 0, "")
		}
	})
	f.SetFooterFunc(func() {
		f.SetFont(fontFamily, "B", cellSize)
		y := pageH - footerBottom - cellLineH - float64(len(r.markings))*markingLineH
		for i, line := range r.markings {
			f.SetXY(marginX, y+float64(i)*markingLineH)
			f.CellFormat(bodyW, markingLineH, line, "", 0, "C", false, 0, "")
		}
		f.SetFont(fontFamily, "", cellSize)
		f.SetXY(marginX, pageH-footerBottom-cellLineH)
		f.CellFormat(bodyW, cellLineH, "Page "+itoa(f.PageNo())+" of {nb}", "", 0, "R", false, 0, "")
	})
	r.newPage()
}

func (r *renderer) newPage() {
	r.f.AddPage()
	r.f.SetXY(marginX, r.top)
}

// need starts a new page unless h millimetres fit above the bottom margin.
// At the top of a page it never breaks, so something taller than a page
// cannot loop.
func (r *renderer) need(h float64) {
	y := r.f.GetY()
	if y+h > r.bottom && y > r.top {
		r.newPage()
	}
}

// gap adds vertical space, except at the top of a page.
func (r *renderer) gap(h float64) {
	if y := r.f.GetY(); y > r.top {
		r.f.SetY(math.Min(y+h, r.bottom))
	}
}

// line writes one line of text at the left margin plus indent and moves
// down by h.
func (r *renderer) line(indent, w, h float64, s string) {
	r.f.SetXY(marginX+indent, r.f.GetY())
	r.f.CellFormat(w, h, s, "", 1, "L", false, 0, "")
}

func (r *renderer) title(s string) { r.headingAt(0, s) }

func (r *renderer) heading(level int, s string) {
	level = min(max(level, 1), 3)
	r.headingAt(level, s)
}

// headingAt draws a heading at an outline level and bookmarks it. It keeps
// the heading with at least two lines of what follows, and lets the outline
// go down at most one level at a time, as viewers expect a proper tree.
func (r *renderer) headingAt(level int, s string) {
	if s == "" {
		return
	}
	st := headingStyle[level]
	r.f.SetFont(fontFamily, "B", st.size)
	lines := r.wrap(s, bodyW)
	r.gap(st.lineH * 0.6)
	r.need(float64(len(lines))*st.lineH + 2*bodyLineH)
	outline := level
	if level > 0 && outline > r.outline+1 {
		outline = r.outline + 1
	}
	r.outline = outline
	r.f.Bookmark(s, outline, -1)
	for _, l := range lines {
		r.need(st.lineH)
		r.line(0, bodyW, st.lineH, l)
	}
	r.gap(1.5)
}

func (r *renderer) paragraph(s string) {
	r.f.SetFont(fontFamily, "", bodySize)
	for _, l := range r.wrap(s, bodyW) {
		r.need(bodyLineH)
		r.line(0, bodyW, bodyLineH, l)
	}
	r.gap(2.5)
}

func (r *renderer) list(items []string) {
	r.f.SetFont(fontFamily, "", bodySize)
	for _, item := range items {
		for i, l := range r.wrap(clean(item), bodyW-bulletW) {
			r.need(bodyLineH)
			if i == 0 {
				r.f.SetXY(marginX, r.f.GetY())
				r.f.CellFormat(bulletW, bodyLineH, "•", "", 0, "L", false, 0, "")
			}
			r.line(bulletW, bodyW-bulletW, bodyLineH, l)
		}
		r.gap(1)
	}
	r.gap(1.5)
}

// row is a table row ready to draw: the lines of each cell, and how.
type row struct {
	cells  [][]string
	styles []string // fpdf style per cell: "" or "B"
	fill   bool     // shaded background (header rows)
	border bool     // a box round each cell; otherwise a rule underneath
}

func (w row) height() float64 { return float64(w.lines())*cellLineH + 2*cellPad }

func (w row) lines() int {
	n := 1
	for _, c := range w.cells {
		n = max(n, len(c))
	}
	return n
}

// drawRow draws a row at the current position. A row that does not fit
// moves to the next page whole if it fits on a page; a row taller than a
// page is split between pages line by line. After each break header (if
// not nil) is drawn again.
func (r *renderer) drawRow(w row, widths []float64, header *row) {
	headerH := 0.0
	if header != nil {
		headerH = header.height()
	}
	total := w.lines()
	for start := 0; start < total; {
		y := r.f.GetY()
		avail := int(math.Floor((r.bottom - y - 2*cellPad) / cellLineH))
		n := total - start
		if n > avail {
			fresh := int(math.Floor((r.bottom - r.top - headerH - 2*cellPad) / cellLineH))
			if (start == 0 && n <= fresh) || avail < 1 {
				r.newPage()
				if header != nil {
					r.drawRow(*header, widths, nil)
				}
				continue
			}
			n = avail
		}
		r.drawChunk(w, widths, start, n)
		start += n
	}
}

// drawChunk draws lines [start, start+n) of every cell of w as one band.
func (r *renderer) drawChunk(w row, widths []float64, start, n int) {
	f := r.f
	y := f.GetY()
	h := float64(n)*cellLineH + 2*cellPad
	if w.fill {
		f.SetFillColor(230, 230, 230)
		f.Rect(marginX, y, sum(widths), h, "F")
	}
	x := marginX
	for c, lines := range w.cells {
		f.SetFont(fontFamily, w.styles[c], cellSize)
		for i := start; i < start+n && i < len(lines); i++ {
			f.SetXY(x, y+cellPad+float64(i-start)*cellLineH)
			f.CellFormat(widths[c], cellLineH, lines[i], "", 0, "L", false, 0, "")
		}
		if w.border {
			f.SetLineWidth(0.2)
			f.Rect(x, y, widths[c], h, "D")
		}
		x += widths[c]
	}
	if !w.border {
		f.SetLineWidth(0.1)
		f.Line(marginX, y+h, marginX+sum(widths), y+h)
	}
	f.SetXY(marginX, y+h)
}

func (r *renderer) table(t Table) {
	if caption := clean(t.Caption); caption != "" {
		r.f.SetFont(fontFamily, "B", bodySize)
		lines := r.wrap(caption, bodyW)
		r.need(float64(len(lines))*bodyLineH + 4*cellLineH)
		for _, l := range lines {
			r.need(bodyLineH)
			r.line(0, bodyW, bodyLineH, l)
		}
		r.gap(1)
	}
	if len(t.Header) == 0 {
		return
	}
	header := make([]string, len(t.Header))
	for i, h := range t.Header {
		header[i] = clean(h)
	}
	rows := make([][]string, len(t.Rows))
	for i, cells := range t.Rows {
		rows[i] = make([]string, len(cells))
		for j, c := range cells {
			rows[i][j] = clean(c)
		}
	}
	widths := r.columnWidths(header, rows)

	hr := row{cells: r.wrapCells(header, widths, "B"), styles: styles(len(header), "B"), fill: true, border: true}
	// A header too tall to repeat would leave no room on the page for the
	// rows it introduces; it is then drawn once, like a row.
	var repeat *row
	if hr.height() <= (r.bottom-r.top)/4 {
		repeat = &hr
	}
	if len(rows) > 0 {
		first := row{cells: r.wrapCells(rows[0], widths, "")}
		r.need(hr.height() + math.Min(first.height(), 3*cellLineH))
	}
	r.drawRow(hr, widths, nil)
	plain := styles(len(header), "")
	for _, cells := range rows {
		r.drawRow(row{cells: r.wrapCells(cells, widths, ""), styles: plain, border: true}, widths, repeat)
	}
	r.gap(3)
}

func (r *renderer) keyValues(kv [][2]string) {
	widths := []float64{bodyW * 0.35, bodyW * 0.65}
	st := []string{"B", ""}
	for _, p := range kv {
		cells := []string{clean(p[0]), clean(p[1])}
		r.drawRow(row{cells: [][]string{r.wrapIn(cells[0], widths[0], "B"), r.wrapIn(cells[1], widths[1], "")}, styles: st}, widths, nil)
	}
	r.gap(3)
}

func (r *renderer) wrapCells(cells []string, widths []float64, style string) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		out[i] = r.wrapIn(c, widths[i], style)
	}
	return out
}

// wrapIn wraps a cell's text to fit inside a column, padding included.
func (r *renderer) wrapIn(s string, width float64, style string) []string {
	r.f.SetFont(fontFamily, style, cellSize)
	return r.wrap(s, width-2*cellPad-r.f.GetCellMargin()*2)
}

// columnWidths shares the body width between columns: each gets what its
// widest line needs if all fit; otherwise each keeps up to an equal share
// and the rest goes to the columns that want more, in proportion to how
// much more they want.
func (r *renderer) columnWidths(header []string, rows [][]string) []float64 {
	n := len(header)
	want := make([]float64, n)
	measure := func(c int, s, style string) {
		r.f.SetFont(fontFamily, style, cellSize)
		for _, l := range strings.Split(s, "\n") {
			want[c] = max(want[c], math.Min(r.f.GetStringWidth(l), bodyW))
		}
	}
	for c := range header {
		measure(c, header[c], "B")
		for _, cells := range rows {
			measure(c, cells[c], "")
		}
		want[c] += 2*cellPad + 2*r.f.GetCellMargin() + 0.5
	}
	total := sum(want)
	widths := make([]float64, n)
	if total <= bodyW {
		for c := range want {
			widths[c] = want[c] * bodyW / total
		}
		return widths
	}
	share := bodyW / float64(n)
	excess := 0.0
	for c := range want {
		widths[c] = math.Min(want[c], share)
		excess += want[c] - widths[c]
	}
	left := bodyW - sum(widths)
	for c := range want {
		if excess > 0 {
			widths[c] += left * (want[c] - widths[c]) / excess
		}
	}
	return widths
}

// wrap breaks s into lines no wider than width in the current font. A
// newline in s always breaks; a word wider than the line is cut between
// characters, so nothing runs off the page. Every line holds at least one
// character, so wrapping always ends however narrow the width.
func (r *renderer) wrap(s string, width float64) []string {
	var out []string
	space := r.f.GetStringWidth(" ")
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur, curW := "", 0.0
		for _, word := range words {
			ww := r.f.GetStringWidth(word)
			if cur != "" && curW+space+ww <= width {
				cur, curW = cur+" "+word, curW+space+ww
				continue
			}
			if cur != "" {
				out = append(out, cur)
				cur, curW = "", 0
			}
			if ww > width {
				pieces := r.cut(word, width)
				out = append(out, pieces[:len(pieces)-1]...)
				word = pieces[len(pieces)-1]
				ww = r.f.GetStringWidth(word)
			}
			cur, curW = word, ww
		}
		out = append(out, cur)
	}
	return out
}

// cut splits a word wider than width into pieces that fit, each of at
// least one character (a character wider than the line stands alone), in
// one pass so that a very long word costs time in proportion to its length.
func (r *renderer) cut(word string, width float64) []string {
	var out []string
	start, w := 0, 0.0
	for i, c := range word {
		cw := r.f.GetStringWidth(string(c))
		if i > start && w+cw > width {
			out = append(out, word[start:i])
			start, w = i, 0
		}
		w += cw
	}
	return append(out, word[start:])
}

func styles(n int, s string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

// glyphs reports whether both embedded fonts can draw a rune. The fonts
// are parsed once and only read afterwards; each caller brings its own
// scratch buffer, which sfnt needs and which is costly to make per rune.
var glyphs = sync.OnceValue(func() func(*sfnt.Buffer, rune) bool {
	reg, err1 := sfnt.Parse(goregular.TTF)
	bold, err2 := sfnt.Parse(gobold.TTF)
	if err1 != nil || err2 != nil {
		// Cannot happen with the fonts compiled in; fall back to ASCII.
		return func(_ *sfnt.Buffer, c rune) bool { return c >= ' ' && c < utf8.RuneSelf }
	}
	return func(buf *sfnt.Buffer, c rune) bool {
		if c >= ' ' && c < utf8.RuneSelf {
			return true // the Go fonts cover printable ASCII
		}
		g1, err1 := reg.GlyphIndex(buf, c)
		g2, err2 := bold.GlyphIndex(buf, c)
		return err1 == nil && err2 == nil && g1 != 0 && g2 != 0
	}
})

// clean makes s drawable: CR LF and lone CR become LF, tabs become spaces,
// other control and format characters go, invalid UTF-8 becomes '?', and a
// character the fonts cannot draw becomes its decomposed base letters or
// '?' (see the package doc).
func clean(s string) string {
	var buf sfnt.Buffer
	glyph := glyphs()
	has := func(c rune) bool { return glyph(&buf, c) }
	s = strings.ToValidUTF8(s, "?")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\n' || c == '\r':
			b.WriteByte('\n')
		case c == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(c) || unicode.Is(unicode.Cf, c):
		case has(c):
			b.WriteRune(c)
		default:
			b.WriteString(fallback(c, has))
		}
	}
	return b.String()
}

// fallback is the nearest drawable form of a rune the fonts lack: its
// compatibility decomposition without combining marks, or '?'.
func fallback(c rune, has func(rune) bool) string {
	var b strings.Builder
	for _, d := range norm.NFKD.String(string(c)) {
		if d != c && has(d) && !unicode.Is(unicode.Mn, d) && !unicode.IsControl(d) {
			b.WriteRune(d)
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}
