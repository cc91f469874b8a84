// Package pdf renders the platform's documents (meeting minutes, transfer packs) as PDF files.
//
// A Document is a title, a protective marking and blocks in reading order
// (headings, paragraphs, bulleted lists, tables and label/value summaries).
// Render lays them out on A4 in one column and returns the file; Text reads
// back what a rendered file shows, so that tests can check what a document
// reveals. The package reads no clock and draws no random numbers: the same
// Document always gives the same bytes.
//
// # Accessibility: what it does
//
//   - Real text throughout, in the Go Regular and Go Bold fonts, embedded (as
//     subsets) with a ToUnicode map, so text can be selected, searched, copied
//     and read aloud. Body text is 11pt, headings larger and bold, the marking
//     10pt bold; text is black on white, or on the light grey of a table's
//     header row (a contrast above 15:1).
//   - The document title and language (Document.Lang, BCP 47) are set in the
//     file's metadata, and viewers are asked to show the title, not the file
//     name, in the window (DisplayDocTitle).
//   - Every heading, and the title, has an entry in the outline (bookmarks),
//     nested by heading level.
//   - One column, written in reading order: a table is written row by row and
//     cell by cell; its header row is repeated after every page break.
//   - The marking is printed at the top and bottom of every page, and the
//     footer says "Page N of M". A marking is meant to be one line; one
//     longer than four lines is cut to four.
//
// # Accessibility: what it does not do
//
// The underlying library (codeberg.org/go-pdf/fpdf) cannot write a tagged
// structure tree, so the files are untagged: they are not PDF/UA and not
// PDF/A. Assistive technology has to infer headings, lists and table cells
// from the order and position of the text; table header cells are not marked
// as headers, and the marking, footer and bullets are not marked as
// artifacts. Where a document must be fully accessible, offer the same
// content as an HTML page alongside the PDF.
//
// # Characters
//
// Text is UTF-8. A character the embedded font has no glyph for is replaced
// by its decomposed base letters when those exist (for example a letter with
// a combining mark the font lacks) and by '?' otherwise (emoji, most
// non-Latin scripts outside Greek and Cyrillic). Latin-1, Latin Extended-A
// (Zoë, Siobhán, Łukasz, Dvořák), Greek and Cyrillic come out as written.
// Tabs become spaces and other control characters are dropped; invalid UTF-8
// becomes '?'.
package pdf

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/drive-platform/drive"
)

// Document is a document to render: a title, a marking shown on every page, and blocks in reading order.
type Document struct {
	Title   string    // document title (PDF metadata Title, shown as the window title, and the first heading)
	Subject string    // optional metadata subject
	Author  string    // e.g. the site or organisation name
	Lang    string    // BCP 47, default "en-GB"
	Marking string    // e.g. "RESTRICTED - contains personal data - do not forward"; printed top and bottom of every page
	Created time.Time // metadata creation date (passed in: no clock reads in the package)
	Blocks  []Block
}

// Block is one of: Heading, Paragraph, List, Table, KeyValues (a summary list of label/value rows).
type Block interface{ block() }

// Heading is a section heading. Level 1 is the highest; levels outside 1..3
// are drawn as the nearest of them. The title is the document's top heading,
// so a Level 1 heading sits under it in the outline.
type Heading struct {
	Level int
	Text  string
}

// Paragraph is running text, wrapped to the page width. A newline in Text
// starts a new line; an empty line leaves a blank line.
type Paragraph struct{ Text string }

// List is a bulleted list; each item is wrapped and indented under its bullet.
type List struct{ Items []string }

// Table is a table with an optional caption shown above it. Cell text wraps
// within its column; the header row is repeated at the top of each page the
// table continues on. Every row must have as many cells as Header; a
// table without a header shows only its caption.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// KeyValues is a summary list: one row per label and value, the label in
// bold on the left.
type KeyValues struct{ Rows [][2]string }

func (Heading) block()   {}
func (Paragraph) block() {}
func (List) block()      {}
func (Table) block()     {}
func (KeyValues) block() {}

// defaultLang is used when Document.Lang is empty or not a well-formed tag.
const defaultLang = "en-GB"

// langTag accepts the shape of a BCP 47 tag; fpdf writes Lang into the file
// without escaping, so anything else must not reach it.
var langTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// zeroCreated stands in for a zero Document.Created: fpdf would otherwise
// read the clock, and the output must not depend on when it is made.
var zeroCreated = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Render returns the PDF bytes. Errors: drive.Invalid for an empty title or a table row whose width
// differs from its header.
func Render(d Document) ([]byte, error) {
	if err := validate(d); err != nil {
		return nil, err
	}
	lang := d.Lang
	if !langTag.MatchString(lang) {
		lang = defaultLang
	}
	created := d.Created
	if created.IsZero() {
		created = zeroCreated
	}

	f := newFpdf()
	f.SetTitle(clean(d.Title), true)
	if d.Subject != "" {
		f.SetSubject(clean(d.Subject), true)
	}
	if d.Author != "" {
		f.SetAuthor(clean(d.Author), true)
	}
	f.SetLang(lang)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetDisplayMode("default", "OneColumn")

	r := &renderer{f: f, marking: clean(d.Marking)}
	r.setup()
	r.title(clean(d.Title))
	for _, b := range d.Blocks {
		switch b := b.(type) {
		case Heading:
			r.heading(b.Level, clean(b.Text))
		case Paragraph:
			r.paragraph(clean(b.Text))
		case List:
			r.list(b.Items)
		case Table:
			r.table(b)
		case KeyValues:
			r.keyValues(b.Rows)
		}
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "The document could not be made into a PDF.")
	}
	out, err := displayDocTitle(buf.Bytes())
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "The document could not be made into a PDF.")
	}
	return out, nil
}

// newFpdf returns an empty A4 document with the Go fonts loaded. Resource
// catalogs are written in a fixed order (fpdf otherwise follows Go's
// random map order), so equal documents give equal bytes.
func newFpdf() *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	f.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	return f
}

// validate refuses what cannot be rendered faithfully: a document without a
// title (it names the file in the viewer and in the outline) and a table
// whose rows do not line up with its header.
func validate(d Document) error {
	fields := map[string]string{}
	if strings.TrimSpace(clean(d.Title)) == "" {
		fields["title"] = "Enter a title for the document."
	}
	for i, b := range d.Blocks {
		t, ok := b.(Table)
		if !ok {
			continue
		}
		for j, row := range t.Rows {
			if len(row) != len(t.Header) {
				fields[fmt.Sprintf("blocks[%d].rows[%d]", i, j)] = fmt.Sprintf("This row has %d cells; the header has %d.", len(row), len(t.Header))
			}
		}
	}
	if len(fields) > 0 {
		return drive.Invalid("The document cannot be made into a PDF.", fields)
	}
	return nil
}

// displayDocTitle adds /ViewerPreferences <</DisplayDocTitle true>> to the
// catalog, which fpdf cannot write itself. fpdf writes the catalog as the
// last object before the cross-reference table, so inserting into it moves
// only the table: every object offset stays right and just the startxref
// figure has to grow by the length inserted. Any other shape of file is an
// error rather than a silently broken file.
func displayDocTitle(b []byte) ([]byte, error) {
	const catalog = "/Type /Catalog\n"
	const prefs = "/ViewerPreferences <</DisplayDocTitle true>>\n"
	i := bytes.LastIndex(b, []byte(catalog))
	x := bytes.LastIndex(b, []byte("\nxref\n"))
	s := bytes.LastIndex(b, []byte("\nstartxref\n"))
	if i < 0 || x < i || s < x {
		return nil, fmt.Errorf("pdf: unexpected file layout")
	}
	if bytes.Contains(b[i:x], []byte(" obj")) {
		return nil, fmt.Errorf("pdf: catalog is not the last object")
	}
	num := s + len("\nstartxref\n")
	end := bytes.IndexByte(b[num:], '\n')
	if end < 0 {
		return nil, fmt.Errorf("pdf: no startxref figure")
	}
	old, err := strconv.Atoi(string(b[num : num+end]))
	if err != nil || old != x+1 {
		return nil, fmt.Errorf("pdf: startxref does not point at the xref table")
	}
	at := i + len(catalog)
	out := make([]byte, 0, len(b)+len(prefs)+4)
	out = append(out, b[:at]...)
	out = append(out, prefs...)
	out = append(out, b[at:num]...)
	out = strconv.AppendInt(out, int64(old+len(prefs)), 10)
	out = append(out, b[num+end:]...)
	return out, nil
}
