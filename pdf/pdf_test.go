package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/drive-platform/drive"
)

const marking = "RESTRICTED - contains personal data - do not forward"

var created = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// minutes builds a document with every kind of block, names outside
// ASCII, and a table of n rows. All names are made up.
func minutes(n int) Document {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{
			fmt.Sprintf("A-%03d", i+1),
			fmt.Sprintf("Follow up with Zoë Ashdown-Keyes about item %d and report back to the panel", i+1),
			[]string{"Siobhán Tierney", "Łukasz Brzęczyk", "Anaïs Dvořák"}[i%3],
		}
	}
	return Document{
		Title:   "Multi-agency meeting: Case D-0042",
		Subject: "Minutes",
		Author:  "Northtown Drive site",
		Marking: marking,
		Created: created,
		Blocks: []Block{
			Heading{Level: 1, Text: "Present"},
			KeyValues{Rows: [][2]string{
				{"Chair", "Siobhán Tierney (Probation)"},
				{"Case manager", "Łukasz Brzęczyk"},
				{"IDVA", "Zoë Ashdown-Keyes"},
			}},
			Heading{Level: 2, Text: "Summary"},
			Paragraph{Text: "The panel reviewed the case plan.\nRisk remains high; the next review is in four weeks."},
			List{Items: []string{"Share the updated plan with the police lead", "Anaïs Dvořák to confirm the housing referral"}},
			Heading{Level: 3, Text: "Actions"},
			Table{Caption: "Agreed actions", Header: []string{"Ref", "Action", "Owner"}, Rows: rows},
			Paragraph{Text: "End of minutes."},
		},
	}
}

// shown lists, in reading order, every text the document must show.
func shown(d Document) []string {
	out := []string{d.Title}
	for _, b := range d.Blocks {
		switch b := b.(type) {
		case Heading:
			out = append(out, b.Text)
		case Paragraph:
			out = append(out, strings.Split(b.Text, "\n")...)
		case List:
			out = append(out, b.Items...)
		case KeyValues:
			for _, r := range b.Rows {
				out = append(out, r[0], r[1])
			}
		case Table:
			out = append(out, b.Caption)
			out = append(out, b.Header...)
			for _, r := range b.Rows {
				out = append(out, r...)
			}
		}
	}
	return out
}

// unwrapped is the text with line breaks and tabs turned into spaces, so
// that a cell wrapped over several lines can be found whole.
func unwrapped(text string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(text)
}

// pagesOf splits Text output into pages at the "Page N of M" lines and
// returns the pages and M.
func pagesOf(t *testing.T, text string) ([][]string, int) {
	t.Helper()
	foot := regexp.MustCompile(`^Page (\d+) of (\d+)$`)
	var pages [][]string
	var cur []string
	total := 0
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		m := foot.FindStringSubmatch(l)
		if m == nil {
			cur = append(cur, l)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		total, _ = strconv.Atoi(m[2])
		if n != len(pages)+1 {
			t.Fatalf("footer %q after %d pages", l, len(pages))
		}
		pages = append(pages, cur)
		cur = nil
	}
	if len(cur) != 0 {
		t.Fatalf("text after the last footer: %q", cur)
	}
	return pages, total
}

func TestRenderShowsEverythingInOrder(t *testing.T) {
	d := minutes(300)
	b, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output starts %q", b[:min(len(b), 8)])
	}
	text, err := Text(b)
	if err != nil {
		t.Fatal(err)
	}
	flat := unwrapped(text)
	at := 0
	for _, want := range shown(d) {
		i := strings.Index(flat[at:], want)
		if i < 0 {
			t.Fatalf("%q not shown after offset %d", want, at)
		}
		at += i + len(want)
	}

	pages, total := pagesOf(t, text)
	if total != len(pages) || total < 5 {
		t.Fatalf("%d pages, footers say %d; want the 300-row table over several pages", len(pages), total)
	}
	header := "Ref\tAction\tOwner"
	for i, p := range pages {
		if len(p) < 3 || p[0] != marking || p[len(p)-1] != marking {
			t.Fatalf("page %d does not start and end with the marking: first %q, last %q", i+1, p[0], p[len(p)-1])
		}
		if i > 0 && strings.HasPrefix(p[1], "A-") {
			t.Errorf("page %d continues the table without its header: %q", i+1, p[1])
		}
	}
	if got := strings.Count(text, header+"\n"); got < total-1 {
		t.Errorf("header shown %d times over %d pages", got, total)
	}
}

func TestRenderMetadata(t *testing.T) {
	tests := []struct {
		name, lang, wantLang string
	}{
		{"default", "", "en-GB"},
		{"welsh", "cy-GB", "cy-GB"},
		{"malformed", "en) /Foo (", "en-GB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := minutes(2)
			d.Title = "Transfer pack: Zoë Ærø"
			d.Lang = tt.lang
			b, err := Render(d)
			if err != nil {
				t.Fatal(err)
			}
			if got := infoString(t, b, "/Title"); got != d.Title {
				t.Errorf("metadata title %q, want %q", got, d.Title)
			}
			if got := infoString(t, b, "/Author"); got != d.Author {
				t.Errorf("metadata author %q, want %q", got, d.Author)
			}
			for _, want := range []string{
				"/Lang (" + tt.wantLang + ")",
				"/DisplayDocTitle true",
				"/CreationDate (D:20260314093000)",
			} {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("no %s in the file", want)
				}
			}
			// One outline entry for the title and each heading.
			if got := bytes.Count(b, []byte("/Dest [")); got != 4 {
				t.Errorf("%d outline entries, want 4", got)
			}
			checkXref(t, b)
		})
	}
}

// infoString reads a string entry of the document information dictionary
// (UTF-16BE with a byte order mark, as fpdf writes them).
func infoString(t *testing.T, b []byte, key string) string {
	t.Helper()
	f, err := parseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := ref(f.trailer, "/Info")
	if !ok {
		t.Fatal("no /Info in the trailer")
	}
	d, _, err := f.object(n)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(d, key+" ")
	if i < 0 {
		t.Fatalf("no %s in %q", key, d)
	}
	l := lexer{b: []byte(d[i+len(key):])}
	tok, err := l.next()
	if err != nil || tok.kind != tokString {
		t.Fatalf("%s is not a string: %v", key, err)
	}
	s := tok.str
	if !bytes.HasPrefix(s, []byte{0xfe, 0xff}) {
		return string(s)
	}
	u := make([]uint16, 0, len(s)/2)
	for j := 2; j+1 < len(s); j += 2 {
		u = append(u, uint16(s[j])<<8|uint16(s[j+1]))
	}
	return string(utf16.Decode(u))
}

// checkXref holds that every object the cross-reference table lists starts
// where it says, so the catalog edit left the file whole.
func checkXref(t *testing.T, b []byte) {
	t.Helper()
	f, err := parseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.offsets) < 10 {
		t.Fatalf("only %d objects", len(f.offsets))
	}
	for n, off := range f.offsets {
		if !bytes.HasPrefix(b[off:], []byte(fmt.Sprintf("%d 0 obj", n))) {
			t.Errorf("object %d not at offset %d", n, off)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, err := Render(minutes(40))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(minutes(40))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same document differ")
	}
	d := minutes(40)
	d.Created = created.Add(time.Hour)
	c, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("the creation date does not reach the file")
	}
	d.Created = time.Time{}
	e1, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e1, e2) {
		t.Fatal("a zero creation date makes the output vary")
	}
}

func TestRenderCharacters(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Zoë Siobhán Łukasz Dvořák Ærøskøbing", "Zoë Siobhán Łukasz Dvořák Ærøskøbing"},
		{"€12 “quoted” – dash", "€12 “quoted” – dash"},
		{"Κώστας Ирина", "Κώστας Ирина"},
		{"smile 😀 here", "smile ? here"},
		{"ﬀ ① ệ", "ff 1 e"},
		{"tab\there", "tab here"},
		{"bell\a gone", "bell gone"},
		{"bad \xff byte", "bad ? byte"},
		{`back\slash (paren) ((nested)`, `back\slash (paren) ((nested)`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			b, err := Render(Document{Title: "Names", Created: created, Blocks: []Block{Paragraph{Text: tt.in}}})
			if err != nil {
				t.Fatal(err)
			}
			text, err := Text(b)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(text, "\n")
			if len(lines) < 2 || lines[1] != tt.want {
				t.Errorf("shown %q, want %q after the title", lines, tt.want)
			}
		})
	}
}

func TestRenderRefusesInvalidDocuments(t *testing.T) {
	tests := []struct {
		name  string
		d     Document
		field string
	}{
		{"no title", Document{Blocks: []Block{Paragraph{Text: "x"}}}, "title"},
		{"blank title", Document{Title: " \t\n"}, "title"},
		{"short row", Document{Title: "T", Blocks: []Block{Paragraph{Text: "x"}, Table{Header: []string{"a", "b"}, Rows: [][]string{{"1", "2"}, {"3"}}}}}, "blocks[1].rows[1]"},
		{"long row", Document{Title: "T", Blocks: []Block{Table{Header: []string{"a"}, Rows: [][]string{{"1", "2"}}}}}, "blocks[0].rows[0]"},
		{"rows without header", Document{Title: "T", Blocks: []Block{Table{Rows: [][]string{{"1"}}}}}, "blocks[0].rows[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Render(tt.d)
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("error %v, want invalid", err)
			}
			if b != nil {
				t.Error("bytes returned with the error")
			}
			var e *drive.Error
			if !errors.As(err, &e) || e.Fields[tt.field] == "" {
				t.Errorf("no message for %s in %v", tt.field, err)
			}
		})
	}
}

func TestLongContentBreaksSafely(t *testing.T) {
	word := strings.Repeat("Ashdown-Keyes", 60) // one word far wider than the page
	tall := strings.Repeat("line of a very tall cell\n", 150)
	d := Document{
		Title:   "Long",
		Marking: marking,
		Created: created,
		Blocks: []Block{
			Paragraph{Text: word},
			Table{Header: []string{"Note"}, Rows: [][]string{{strings.TrimSuffix(tall, "\n")}, {"after"}}},
		},
	}
	b, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	text, err := Text(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ReplaceAll(text, "\n", ""), word) {
		t.Error("the long word is not shown whole")
	}
	if strings.Contains(text, word) {
		t.Error("the long word was not broken")
	}
	if got := strings.Count(text, "line of a very tall cell\n"); got != 150 {
		t.Errorf("%d lines of the tall cell shown, want 150", got)
	}
	pages, _ := pagesOf(t, text)
	if len(pages) < 3 {
		t.Errorf("%d pages; the tall cell should run over pages", len(pages))
	}
	if !strings.Contains(text, "\nafter\n") {
		t.Error("the row after the tall one is missing")
	}
}

func TestWrapFitsWidth(t *testing.T) {
	f := newFpdf()
	r := &renderer{f: f}
	r.setup()
	f.SetFont(fontFamily, "", bodySize)
	// lines is the number of lines wanted, or 0 to check only that no line
	// overflows and that each line is as full as it can be.
	tests := []struct {
		in    string
		width float64
		lines int
	}{
		{"short", bodyW, 1},
		{"", bodyW, 1},
		{"a\n\nb", bodyW, 3},
		{strings.Repeat("word ", 100), bodyW, 0},
		{strings.Repeat("x", 400), 30, 0},
		{"Łukasz Brzęczyk", 1, 0}, // narrower than any letter: one letter a line
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 12)], func(t *testing.T) {
			lines := r.wrap(tt.in, tt.width)
			if tt.lines > 0 && len(lines) != tt.lines {
				t.Errorf("%d lines, want %d: %q", len(lines), tt.lines, lines)
			}
			for _, l := range lines {
				if w := f.GetStringWidth(l); w > tt.width && len([]rune(l)) > 1 {
					t.Errorf("line %q is %.1fmm, wider than %.1fmm", l, w, tt.width)
				}
			}
			for i := 0; i+1 < len(lines) && !strings.Contains(tt.in, "\n"); i++ {
				next := strings.Fields(lines[i+1])
				if len(next) > 0 && f.GetStringWidth(lines[i]+" "+next[0]) <= tt.width {
					t.Errorf("line %d %q had room for %q", i, lines[i], next[0])
				}
			}
			if got, want := strings.Join(strings.Fields(strings.Join(lines, "")), ""), strings.Join(strings.Fields(tt.in), ""); got != want {
				t.Errorf("wrapping lost text: %q, want %q", got, want)
			}
		})
	}
}

func TestTextRefusesOtherInput(t *testing.T) {
	tests := map[string][]byte{
		"empty":        nil,
		"not a pdf":    []byte("hello"),
		"no xref":      []byte("%PDF-1.4\n%%EOF"),
		"cut short":    nil,
		"bad startxrf": []byte("%PDF-1.4\nstartxref\n999999\n%%EOF\n"),
	}
	b, err := Render(minutes(1))
	if err != nil {
		t.Fatal(err)
	}
	tests["cut short"] = b[:len(b)/2]
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Text(in); err == nil {
				t.Error("no error")
			}
		})
	}
}

func FuzzRender(f *testing.F) {
	f.Add("Minutes", "RESTRICTED", "Zoë (Siobhán)\nŁukasz", "cell", 1, "en-GB")
	f.Add("", "", "", "", 0, "")
	f.Add("\xff\xfe", "\n\n\n\n\n\n\n\n", "((((\\", "\t\r\n", 7, "x y")
	f.Fuzz(func(t *testing.T, title, mark, text, cell string, level int, lang string) {
		d := Document{
			Title: title, Marking: mark, Lang: lang, Subject: text, Author: cell, Created: created,
			Blocks: []Block{
				Heading{Level: level, Text: text},
				Paragraph{Text: text},
				List{Items: []string{text, cell}},
				Table{Caption: text, Header: []string{cell, text}, Rows: [][]string{{text, cell}, {cell, cell}}},
				KeyValues{Rows: [][2]string{{cell, text}}},
			},
		}
		b, err := Render(d)
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		got, err := Text(b)
		if err != nil {
			t.Fatalf("Text of Render's output: %v", err)
		}
		if want := strings.Fields(clean(title)); len(want) > 0 && !strings.Contains(unwrapped(got), want[0][:min(len(want[0]), 1)]) {
			t.Errorf("title %q not shown", title)
		}
	})
}

func BenchmarkRenderMinutes(b *testing.B) {
	d := minutes(16)
	for b.Loop() {
		if _, err := Render(d); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTextReadsUncompressedFiles holds that Text does not depend on
// Render compressing its streams.
func TestTextReadsUncompressedFiles(t *testing.T) {
	for _, compress := range []bool{true, false} {
		t.Run(strconv.FormatBool(compress), func(t *testing.T) {
			f := newFpdf()
			f.SetCompression(compress)
			r := &renderer{f: f, marking: marking}
			r.setup()
			r.title("Transfer pack")
			r.paragraph("Received from Łukasz Brzęczyk (Northtown)")
			var buf bytes.Buffer
			if err := f.Output(&buf); err != nil {
				t.Fatal(err)
			}
			pf, err := parseFile(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			pages, err := pf.pages()
			if err != nil || len(pages) != 1 {
				t.Fatalf("pages %v, %v", pages, err)
			}
			page, _, _ := pf.object(pages[0])
			content, _, err := pf.object(refs(page, "/Contents")[0])
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(content, "/FlateDecode"); got != compress {
				t.Fatalf("page content FlateDecode: %v, want %v", got, compress)
			}
			text, err := Text(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			want := marking + "\nTransfer pack\nReceived from Łukasz Brzęczyk (Northtown)\n" + marking + "\nPage 1 of 1\n"
			if text != want {
				t.Errorf("Text = %q, want %q", text, want)
			}
		})
	}
}
