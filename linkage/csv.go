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
	"github.com/drive-platform/drive/tabular"
)

// CSVReader reads a table of records from CSV with a header row. It is
// forgiving where files commonly differ and strict where a mistake would
// silently corrupt the link:
//
//   - the text may be UTF-8 (with or without a byte-order mark), UTF-16
//     with its mark, or Windows-1252 (Excel's plain "CSV"), detected or
//     named (package tabular), so an accented name reads the same from
//     each, and the file may be an .xlsx workbook (its first or named
//     sheet); text that cannot be decoded is an error naming its line;
//   - the separator may be a comma, semicolon or tab (the one that occurs
//     most in the header line);
//   - headers and values are trimmed of surrounding spaces ("rec_id, surname"
//     reads as "surname");
//   - stray quotes inside a value are kept as they are;
//   - blank lines are skipped;
//   - a row with more or fewer values than the header, or a repeated header
//     name, is an error that names the line.
type CSVReader struct {
	name   string
	header []string
	// Info says what was read: the encoding and separator, or the sheet.
	Info tabular.Info
	next func() ([]string, error)
	line func() int
}

// NewCSVReader reads the header from r, detecting its encoding and form.
// name (usually the file name) is used in error messages. It returns
// EINVALID for an empty input, a repeated or empty-only header, or a
// header that cannot be parsed.
func NewCSVReader(r io.Reader, name string) (*CSVReader, error) {
	return NewCSVReaderWith(r, name, tabular.Options{})
}

// NewCSVReaderWith is NewCSVReader reading the file as opt says (its
// encoding, a workbook's sheet).
func NewCSVReaderWith(r io.Reader, name string, opt tabular.Options) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4)
	c := &CSVReader{name: name}
	if tabular.IsWorkbook(magic) {
		tr, err := tabular.Open(br, opt)
		if err != nil {
			return nil, drive.Wrap(err, drive.EINVALID, fmt.Sprintf("%s: %s", name, drive.ErrorMessage(err)))
		}
		c.Info = tr.Info
		line := 0
		c.line = func() int { return line }
		c.next = func() ([]string, error) {
			rec, n, err := tr.Read()
			line = n
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, drive.Wrap(err, drive.EINVALID, fmt.Sprintf("%s: %v", name, err))
			}
			return rec, err
		}
	} else {
		text, info, err := tabular.DecodeText(br, opt)
		if err != nil {
			return nil, drive.Wrap(err, drive.EINVALID, fmt.Sprintf("%s: %s", name, drive.ErrorMessage(err)))
		}
		tb := bufio.NewReaderSize(text, 64<<10)
		first, _ := tb.Peek(64 << 10)
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		cr := csv.NewReader(tb)
		cr.Comma = sniffSeparator(first)
		cr.FieldsPerRecord = -1 // checked here, to give a clearer message
		cr.LazyQuotes = true
		cr.ReuseRecord = true
		info.Separator = map[rune]string{',': tabular.Comma, ';': tabular.Semicolon, '\t': tabular.Tab}[cr.Comma]
		c.Info = info
		c.line = func() int {
			line, _ := cr.FieldPos(0)
			return line
		}
		c.next = func() ([]string, error) {
			rec, err := cr.Read()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil, io.EOF
				}
				return nil, c.wrap(err)
			}
			for _, v := range rec {
				if why := tabular.Undecodable(info, v); why != "" {
					return nil, drive.Errorf(drive.EINVALID, "%s line %d: %s", name, c.line(), why)
				}
			}
			return rec, nil
		}
	}
	rec, err := c.next()
	if errors.Is(err, io.EOF) {
		return nil, drive.Errorf(drive.EINVALID, "%s is empty: it needs a header row naming the columns, then one row per record", name)
	}
	if err != nil {
		return nil, err
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
	rec, err := c.next()
	if err != nil {
		return nil, err
	}
	if len(rec) < len(c.header) && c.Info.Format == tabular.FormatXLSX {
		// A workbook row ends at its last filled cell.
		rec = append(rec, make([]string, len(c.header)-len(rec))...)
	}
	if len(rec) != len(c.header) {
		line := c.line()
		return nil, drive.Errorf(drive.EINVALID, "%s line %d has %d values but the header has %d columns: fix the row, or quote values that contain the separator", c.name, line, len(rec), len(c.header))
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, nil
}

// Line returns the line number on which the row last returned by Read
// starts, for messages about that row.
func (c *CSVReader) Line() int { return c.line() }

func (c *CSVReader) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("%s line %d: %v: check the quoting of that row", c.name, pe.Line, pe.Err))
	}
	return drive.Wrap(err, drive.EINVALID, fmt.Sprintf("%s could not be read: %v", c.name, err))
}
