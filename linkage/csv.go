package linkage

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/drive-platform/drive"
)

// CSVReader reads a table of records from CSV with a header row. It is
// forgiving where files commonly differ and strict where a mistake would
// silently corrupt the link:
//
//   - a UTF-8 byte-order mark is dropped, and the separator may be a comma,
//     semicolon or tab (the one that occurs most in the header line);
//   - headers and values are trimmed of surrounding spaces ("rec_id, surname"
//     reads as "surname");
//   - stray quotes inside a value are kept as they are;
//   - blank lines are skipped;
//   - a row with more or fewer values than the header, or a repeated header
//     name, is an error that names the line.
type CSVReader struct {
	name   string
	r      *csv.Reader
	header []string
}

// NewCSVReader reads the header from r. name (usually the file name) is used
// in error messages. It returns EINVALID for an empty input, a repeated or
// empty-only header, or a header that cannot be parsed.
func NewCSVReader(r io.Reader, name string) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	first, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffSeparator(first)
	cr.FieldsPerRecord = -1 // checked here, to give a clearer message
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	c := &CSVReader{name: name, r: cr}
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, drive.Errorf(drive.EINVALID, "%s is empty: it needs a header row naming the columns, then one row per record", name)
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	seen := map[string]bool{}
	nonEmpty := false
	for _, h := range rec {
		h = strings.TrimSpace(h)
		if h != "" && seen[h] {
			return nil, drive.Errorf(drive.EINVALID, "%s: column %q appears twice in the header: rename one of them", name, h)
		}
		seen[h] = true
		nonEmpty = nonEmpty || h != ""
		c.header = append(c.header, strings.Clone(h))
	}
	if !nonEmpty {
		return nil, drive.Errorf(drive.EINVALID, "%s: the header row has no column names: the first row must name the columns", name)
	}
	return c, nil
}

// sniffSeparator picks the separator that occurs most in the header line,
// preferring the comma on a tie.
func sniffSeparator(line []byte) rune {
	best, n := ',', bytes.Count(line, []byte{','})
	for _, sep := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(sep))); k > n {
			best, n = sep, k
		}
	}
	return best
}

// Header returns the trimmed column names.
func (c *CSVReader) Header() []string { return c.header }

// Column returns the position of a named column. For a missing column it
// returns EINVALID listing the columns the file has.
func (c *CSVReader) Column(name string) (int, error) {
	name = strings.TrimSpace(name)
	for i, h := range c.header {
		if h == name {
			return i, nil
		}
	}
	return 0, drive.Errorf(drive.EINVALID, "%s has no column %q; its columns are: %s", c.name, name, strings.Join(c.header, ", "))
}

// Read returns the next row's values, trimmed, one per header column. The
// slice is reused by the next call; the strings are not. It returns io.EOF
// after the last row, and EINVALID naming the line for a malformed row.
func (c *CSVReader) Read() ([]string, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, c.wrap(err)
	}
	if len(rec) != len(c.header) {
		line, _ := c.r.FieldPos(0)
		return nil, drive.Errorf(drive.EINVALID, "%s line %d has %d values but the header has %d columns: fix the row, or quote values that contain the separator", c.name, line, len(rec), len(c.header))
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, nil
}

// Line returns the line number on which the row last returned by Read
// starts, for messages about that row.
func (c *CSVReader) Line() int {
	line, _ := c.r.FieldPos(0)
	return line
}

func (c *CSVReader) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("%s line %d: %v: check the quoting of that row", c.name, pe.Line, pe.Err))
	}
	return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("%s could not be read: %v", c.name, err))
}
