package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Text returns the text a PDF made by Render shows, in reading order, one line per shown line, for tests
// that check what a document reveals (the platform's leak tests search it for forbidden values).
// It must work on Render's output whatever compression Render uses (inflate FlateDecode streams with
// compress/zlib and read the text-showing operators); it need not read arbitrary PDFs.
//
// Pages are read in page order and each page's content in the order it was
// written, which for Render's output is reading order: the marking at the
// top, the body, the marking and "Page N of M" at the foot. Text shown side
// by side on one baseline (table cells of one row, a bullet and its item, a
// label and its value) is joined into one line with a tab between the
// pieces. A value that wrapped onto several lines of its cell comes back as
// several lines, so a search for a value should also try it without its
// line breaks. Metadata (Subject, Author) and bookmarks are not shown text
// and are not returned; the title and headings are, as they are shown.
//
// It reads the cross-reference table, the page tree, each page's content
// streams (inflating FlateDecode) and fonts: text in a Type0 font is read
// as UTF-16BE, as fpdf writes it for embedded UTF-8 fonts, and text in a
// simple font as Windows-1252. Other shapes of PDF give an error.
func Text(pdf []byte) (string, error) {
	doc, err := parseFile(pdf)
	if err != nil {
		return "", err
	}
	pages, err := doc.pages()
	if err != nil {
		return "", err
	}
	var out strings.Builder
	for _, p := range pages {
		if err := doc.pageText(p, &out); err != nil {
			return "", err
		}
	}
	return out.String(), nil
}

// file is a parsed PDF: where each object starts, and the trailer.
type file struct {
	data    []byte
	offsets map[int]int
	trailer string
}

var (
	refRE      = regexp.MustCompile(`(\d+)\s+0\s+R`)
	startxRE   = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	xrefSubRE  = regexp.MustCompile(`^(\d+)\s+(\d+)$`)
	xrefLineRE = regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])`)
	fontRefRE  = regexp.MustCompile(`/([^\s/<>\[\]()]+)\s+(\d+)\s+0\s+R`)
	lengthRE   = regexp.MustCompile(`/Length\s+(\d+)`)
)

func parseFile(data []byte) (*file, error) {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, fmt.Errorf("pdf: not a PDF file")
	}
	m := startxRE.FindSubmatch(data)
	if m == nil {
		return nil, fmt.Errorf("pdf: no startxref")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if at <= 0 || at >= len(data) || !bytes.HasPrefix(data[at:], []byte("xref")) {
		return nil, fmt.Errorf("pdf: startxref does not point at a cross-reference table")
	}
	f := &file{data: data, offsets: map[int]int{}}
	lines := strings.Split(string(data[at:]), "\n")
	i := 1
	for i < len(lines) {
		sub := xrefSubRE.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if sub == nil {
			break
		}
		first, _ := strconv.Atoi(sub[1])
		count, _ := strconv.Atoi(sub[2])
		i++
		for j := 0; j < count; j++ {
			if i >= len(lines) {
				return nil, fmt.Errorf("pdf: cross-reference table cut short")
			}
			e := xrefLineRE.FindStringSubmatch(lines[i])
			if e == nil {
				return nil, fmt.Errorf("pdf: bad cross-reference entry")
			}
			if e[3] == "n" {
				off, _ := strconv.Atoi(e[1])
				f.offsets[first+j] = off
			}
			i++
		}
	}
	if i >= len(lines) || strings.TrimSpace(lines[i]) != "trailer" {
		return nil, fmt.Errorf("pdf: no trailer")
	}
	t := strings.Join(lines[i+1:], "\n")
	if end := strings.Index(t, "startxref"); end >= 0 {
		t = t[:end]
	}
	f.trailer = t
	return f, nil
}

// object returns the dictionary text of object n and its stream, if any,
// inflated when it is FlateDecode.
func (f *file) object(n int) (dict string, stream []byte, err error) {
	off, ok := f.offsets[n]
	if !ok || off < 0 || off >= len(f.data) {
		return "", nil, fmt.Errorf("pdf: object %d missing", n)
	}
	b := f.data[off:]
	head := fmt.Sprintf("%d 0 obj", n)
	if !bytes.HasPrefix(b, []byte(head)) {
		return "", nil, fmt.Errorf("pdf: object %d not at its offset", n)
	}
	b = b[len(head):]
	end := bytes.Index(b, []byte("endobj"))
	st := bytes.Index(b, []byte("stream"))
	if st < 0 || (end >= 0 && end < st) {
		if end < 0 {
			return "", nil, fmt.Errorf("pdf: object %d not closed", n)
		}
		return string(b[:end]), nil, nil
	}
	dict = string(b[:st])
	m := lengthRE.FindStringSubmatch(dict)
	if m == nil {
		return "", nil, fmt.Errorf("pdf: stream %d has no direct length", n)
	}
	length, _ := strconv.Atoi(m[1])
	data := b[st+len("stream"):]
	data = bytes.TrimPrefix(data, []byte("\r"))
	data = bytes.TrimPrefix(data, []byte("\n"))
	if length > len(data) {
		return "", nil, fmt.Errorf("pdf: stream %d cut short", n)
	}
	data = data[:length]
	if strings.Contains(dict, "/FlateDecode") {
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return "", nil, fmt.Errorf("pdf: stream %d: %w", n, err)
		}
		defer zr.Close()
		if data, err = io.ReadAll(zr); err != nil {
			return "", nil, fmt.Errorf("pdf: stream %d: %w", n, err)
		}
	}
	return dict, data, nil
}

// ref returns the object number that key refers to in dict.
func ref(dict, key string) (int, bool) {
	i := strings.Index(dict, key)
	if i < 0 {
		return 0, false
	}
	m := refRE.FindStringSubmatchIndex(dict[i+len(key):])
	if m == nil || strings.TrimSpace(dict[i+len(key):i+len(key)+m[0]]) != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(dict[i+len(key)+m[2] : i+len(key)+m[3]])
	return n, true
}

// refs returns the object numbers listed in the array after key.
func refs(dict, key string) []int {
	i := strings.Index(dict, key)
	if i < 0 {
		return nil
	}
	rest := dict[i+len(key):]
	if n, ok := ref(dict, key); ok {
		return []int{n}
	}
	open, end := strings.IndexByte(rest, '['), strings.IndexByte(rest, ']')
	if open < 0 || end < open {
		return nil
	}
	var out []int
	for _, m := range refRE.FindAllStringSubmatch(rest[open:end], -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

// pages returns the page objects in page order.
func (f *file) pages() ([]int, error) {
	root, ok := ref(f.trailer, "/Root")
	if !ok {
		return nil, fmt.Errorf("pdf: no document catalog")
	}
	cat, _, err := f.object(root)
	if err != nil {
		return nil, err
	}
	top, ok := ref(cat, "/Pages")
	if !ok {
		return nil, fmt.Errorf("pdf: no page tree")
	}
	var out []int
	seen := map[int]bool{}
	var walk func(n int) error
	walk = func(n int) error {
		if seen[n] {
			return fmt.Errorf("pdf: page tree loops")
		}
		seen[n] = true
		d, _, err := f.object(n)
		if err != nil {
			return err
		}
		if strings.Contains(d, "/Type /Pages") {
			for _, k := range refs(d, "/Kids") {
				if err := walk(k); err != nil {
					return err
				}
			}
			return nil
		}
		out = append(out, n)
		return nil
	}
	return out, walk(top)
}

// pageText appends the text of one page to out.
func (f *file) pageText(page int, out *strings.Builder) error {
	d, _, err := f.object(page)
	if err != nil {
		return err
	}
	wide, err := f.fonts(d)
	if err != nil {
		return err
	}
	var content []byte
	for _, c := range refs(d, "/Contents") {
		_, s, err := f.object(c)
		if err != nil {
			return err
		}
		content = append(append(content, s...), '\n')
	}
	return showText(content, wide, out)
}

// fonts returns, for each font resource name of a page, whether its text
// is two bytes a character (a Type0 font).
func (f *file) fonts(page string) (map[string]bool, error) {
	res := page
	if n, ok := ref(page, "/Resources"); ok {
		d, _, err := f.object(n)
		if err != nil {
			return nil, err
		}
		res = d
	}
	out := map[string]bool{}
	i := strings.Index(res, "/Font")
	if i < 0 {
		return out, nil
	}
	rest := res[i+len("/Font"):]
	open, end := strings.Index(rest, "<<"), strings.Index(rest, ">>")
	if open < 0 || end < open {
		return out, nil
	}
	for _, m := range fontRefRE.FindAllStringSubmatch(rest[open+2:end], -1) {
		n, _ := strconv.Atoi(m[2])
		d, _, err := f.object(n)
		if err != nil {
			return nil, err
		}
		out[m[1]] = strings.Contains(d, "/Subtype /Type0")
	}
	return out, nil
}

// showText runs the text operators of a content stream and writes the
// shown strings, a line per baseline.
func showText(content []byte, wide map[string]bool, out *strings.Builder) error {
	lx := lexer{b: content}
	var operands []token
	twoByte := false
	var y float64
	started, sameLine := false, false
	var lineY float64
	show := func(raw []byte) {
		s := decode(raw, twoByte)
		if s == "" {
			return
		}
		switch {
		case !started:
		case sameLine && math.Abs(y-lineY) < 0.01:
			out.WriteByte('\t')
		default:
			out.WriteByte('\n')
		}
		out.WriteString(s)
		started, sameLine, lineY = true, true, y
	}
	for {
		t, err := lx.next()
		if err != nil {
			return err
		}
		if t.kind == tokEOF {
			break
		}
		if t.kind != tokOp {
			operands = append(operands, t)
			continue
		}
		switch t.text {
		case "BT":
			y = 0
		case "Td", "TD":
			if len(operands) >= 2 {
				y += operands[len(operands)-1].num
			}
		case "Tm":
			if len(operands) >= 6 {
				y = operands[len(operands)-1].num
			}
		case "Tf":
			if len(operands) >= 2 {
				twoByte = wide[operands[len(operands)-2].text]
			}
		case "T*", "'", "\"":
			sameLine = false
			if t.text != "T*" && len(operands) > 0 {
				show(operands[len(operands)-1].str)
			}
		case "Tj":
			if len(operands) > 0 {
				show(operands[len(operands)-1].str)
			}
		case "TJ":
			var joined []byte
			for _, o := range operands {
				if o.kind == tokString {
					joined = append(joined, o.str...)
				}
			}
			show(joined)
		}
		operands = operands[:0]
	}
	if started {
		out.WriteByte('\n')
	}
	return nil
}

func decode(b []byte, twoByte bool) string {
	if twoByte {
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return string(b)
	}
	return string(s)
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokNum
	tokName
	tokString
	tokOp
	tokOther
)

type token struct {
	kind tokKind
	text string  // operator or name (without the slash)
	num  float64 // number
	str  []byte  // string bytes, escapes resolved
}

// lexer reads the tokens of a content stream: numbers, names, literal and
// hex strings, operators; array and dictionary brackets come back as
// tokOther and are ignored by showText except inside TJ arrays, whose
// strings it joins.
type lexer struct {
	b []byte
	i int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	return strings.IndexByte("()<>[]{}/%", c) >= 0
}

func (l *lexer) next() (token, error) {
	for l.i < len(l.b) {
		c := l.b[l.i]
		if isSpace(c) {
			l.i++
			continue
		}
		if c == '%' {
			for l.i < len(l.b) && l.b[l.i] != '\n' && l.b[l.i] != '\r' {
				l.i++
			}
			continue
		}
		break
	}
	if l.i >= len(l.b) {
		return token{kind: tokEOF}, nil
	}
	c := l.b[l.i]
	switch {
	case c == '(':
		return l.literal()
	case c == '<' && l.i+1 < len(l.b) && l.b[l.i+1] == '<', c == '>' && l.i+1 < len(l.b) && l.b[l.i+1] == '>':
		l.i += 2
		return token{kind: tokOther}, nil
	case c == '<':
		return l.hex()
	case c == '[' || c == ']' || c == '{' || c == '}' || c == '>' || c == ')':
		l.i++
		return token{kind: tokOther}, nil
	case c == '/':
		l.i++
		w := l.word()
		return token{kind: tokName, text: w}, nil
	}
	w := l.word()
	if w == "" {
		l.i++
		return token{kind: tokOther}, nil
	}
	if n, err := strconv.ParseFloat(w, 64); err == nil {
		return token{kind: tokNum, num: n}, nil
	}
	return token{kind: tokOp, text: w}, nil
}

func (l *lexer) word() string {
	start := l.i
	for l.i < len(l.b) && !isSpace(l.b[l.i]) && !isDelim(l.b[l.i]) {
		l.i++
	}
	return string(l.b[start:l.i])
}

func (l *lexer) literal() (token, error) {
	l.i++ // (
	var s []byte
	depth := 1
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return token{kind: tokString, str: s}, nil
			}
		case '\\':
			if l.i >= len(l.b) {
				return token{}, fmt.Errorf("pdf: string cut short")
			}
			e := l.b[l.i]
			l.i++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.i < len(l.b) && l.b[l.i] == '\n' {
					l.i++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '7'; k++ {
						v = v*8 + int(l.b[l.i]-'0')
						l.i++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		s = append(s, c)
	}
	return token{}, fmt.Errorf("pdf: string not closed")
}

func (l *lexer) hex() (token, error) {
	l.i++ // <
	var digits []byte
	for l.i < len(l.b) && l.b[l.i] != '>' {
		if c := l.b[l.i]; !isSpace(c) {
			digits = append(digits, c)
		}
		l.i++
	}
	if l.i >= len(l.b) {
		return token{}, fmt.Errorf("pdf: hex string not closed")
	}
	l.i++ // >
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	s := make([]byte, len(digits)/2)
	for i := range s {
		v, err := strconv.ParseUint(string(digits[2*i:2*i+2]), 16, 8)
		if err != nil {
			return token{}, fmt.Errorf("pdf: bad hex string")
		}
		s[i] = byte(v)
	}
	return token{kind: tokString, str: s}, nil
}
