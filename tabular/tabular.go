// Package tabular reads the files police forces and MARAC coordinators
// really send: CSV saved by Excel as "CSV UTF-8" (with a byte-order mark)
// or plain "CSV" (Windows-1252), "Unicode text" (UTF-16, tab-separated),
// files separated by commas, semicolons or tabs, and .xlsx workbooks. It
// turns each into rows of UTF-8 text with their line numbers, and says
// what it read (format, encoding, separator), so an import can name it.
//
// Why detect rather than insist on UTF-8. A force's analyst exports from
// the records system and saves from Excel; the choice of encoding is
// Excel's default, not theirs. Refusing the file ("save as CSV UTF-8")
// costs a day; reading it wrongly is worse (Zoë becomes ZoÃ« and never
// meets Zoe in the linker). So: a byte-order mark decides; without one,
// text that is valid UTF-8 is UTF-8, text with NUL bytes in alternate
// places is UTF-16, and anything else is Windows-1252, the encoding of
// Excel's plain "CSV" in England and Wales. The caller may name the
// encoding instead. Bytes that still cannot be decoded are reported with
// their line, never guessed.
//
// Why limits on workbooks. An .xlsx is a zip: a few kilobytes can unpack
// to gigabytes. Workbooks are opened with a cap on the unpacked size and
// read a row at a time, worksheets over 16 MB unpacked spilling to a
// temporary file rather than memory.
//
// The package is pure reading: no SQL, no HTTP.
package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/drive-platform/drive"
)

// Encodings a caller may name (Options.Encoding), as the import's answer
// names them.
const (
	UTF8        = "utf-8"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	Windows1252 = "windows-1252"
)

// Formats and separators, as Info names them.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"

	Comma     = "comma"
	Semicolon = "semicolon"
	Tab       = "tab"
)

// Limits on workbooks: the largest .xlsx read (compressed), and the most
// its parts may unpack to.
const (
	MaxWorkbookSize     = 256 << 20
	MaxWorkbookUnpacked = 1 << 30
)

// Options say how to read a file; the zero value detects everything.
type Options struct {
	// Encoding names the text encoding (UTF8, UTF16LE, UTF16BE or
	// Windows1252, or "utf-16" for either byte order with a mark); ""
	// detects it. A byte-order mark always wins.
	Encoding string
	// Sheet names the worksheet of a workbook; "" reads the first.
	Sheet string
	// MaxUnpacked caps what a workbook may unpack to, in bytes; 0 means
	// MaxWorkbookUnpacked.
	MaxUnpacked int64
}

// Info says what was read.
type Info struct {
	Format    string // FormatCSV or FormatXLSX
	Encoding  string // for CSV: UTF8, UTF16LE, UTF16BE or Windows1252
	BOM       bool   // the text began with a byte-order mark
	Separator string // for CSV: Comma, Semicolon or Tab
	Sheet     string // for a workbook: the worksheet read
}

// String describes what was read in words, for an import's answer.
func (i Info) String() string {
	if i.Format == FormatXLSX {
		return fmt.Sprintf("Excel workbook, worksheet %q", i.Sheet)
	}
	bom := ""
	if i.BOM {
		bom = " with a byte-order mark"
	}
	return fmt.Sprintf("%s text%s, %s-separated", strings.ToUpper(i.Encoding), bom, i.Separator)
}

// LineError is a line whose text cannot be read.
type LineError struct {
	Line    int
	Message string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// Reader gives a file's rows one at a time.
type Reader struct {
	Info Info
	next func() ([]string, int, error)
	done func() error
}

// Read returns the next row and its line number (the first row is line
// 1), or io.EOF after the last. A row whose text cannot be decoded is a
// *LineError; reading may go on after it. Other errors end the file.
func (r *Reader) Read() ([]string, int, error) { return r.next() }

// Close releases what the reader holds (a workbook's temporary files).
func (r *Reader) Close() error {
	if r.done == nil {
		return nil
	}
	return r.done()
}

// Open starts reading a file. Errors: EINVALID for a named encoding it
// does not know, a workbook too large or not readable, or a named sheet
// the workbook lacks.
func Open(in io.Reader, opt Options) (*Reader, error) {
	enc, err := normaliseEncoding(opt.Encoding)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(in, 1<<16)
	head, _ := br.Peek(1 << 16)
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		limit := opt.MaxUnpacked
		if limit <= 0 {
			limit = MaxWorkbookUnpacked
		}
		return openWorkbook(br, opt.Sheet, limit)
	}
	text, info, dec := decodeText(br, head, enc)
	tb := bufio.NewReaderSize(text, 1<<16)
	first, _ := tb.Peek(1 << 15)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	sep := separator(first)
	info.Separator = map[rune]string{',': Comma, ';': Semicolon, '\t': Tab}[sep]
	cr := csv.NewReader(tb)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	r := &Reader{Info: info}
	line := 0
	r.next = func() ([]string, int, error) {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
				return nil, line, &LineError{pe.StartLine, "not readable as " + info.Separator + "-separated text: " + pe.Err.Error()}
			}
			return nil, line, err
		}
		line, _ = cr.FieldPos(0)
		for _, c := range rec {
			if !utf8.ValidString(c) || (dec && strings.ContainsRune(c, utf8.RuneError)) {
				return rec, line, &LineError{line, undecodable(info)}
			}
		}
		return rec, line, nil
	}
	return r, nil
}

// decodeText picks the encoding of a text file from its byte-order mark,
// the encoding named (enc, already normalised), or its first bytes, and
// returns the file as UTF-8. dec reports that the text passes through a
// decoder, which marks bytes it cannot decode with U+FFFD.
func decodeText(br *bufio.Reader, head []byte, enc string) (text io.Reader, info Info, dec bool) {
	info = Info{Format: FormatCSV}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		info.Encoding, info.BOM = UTF8, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		info.Encoding, info.BOM = UTF16LE, true
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		info.Encoding, info.BOM = UTF16BE, true
	case enc == "utf-16":
		info.Encoding = guessUTF16(head, UTF16LE)
	case enc != "":
		info.Encoding = enc
	default:
		info.Encoding = detect(head)
	}
	var d *encoding.Decoder
	switch info.Encoding {
	case UTF8:
		if info.BOM {
			_, _ = br.Discard(3)
		}
		return br, info, false
	case UTF16LE:
		d = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
	case UTF16BE:
		d = unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
	default:
		d = charmap.Windows1252.NewDecoder()
	}
	return transform.NewReader(br, d), info, true
}

// IsWorkbook reports whether the bytes begin as an .xlsx does (a zip).
func IsWorkbook(head []byte) bool { return bytes.HasPrefix(head, []byte("PK\x03\x04")) }

// DecodeText returns a text file as UTF-8, its encoding chosen as Open
// chooses it, for readers that parse the text themselves (the linker's
// CSV). Check each value with Undecodable. Errors: EINVALID for an
// encoding it does not know, or a workbook (use Open).
func DecodeText(in io.Reader, opt Options) (io.Reader, Info, error) {
	enc, err := normaliseEncoding(opt.Encoding)
	if err != nil {
		return nil, Info{}, err
	}
	br := bufio.NewReaderSize(in, 1<<16)
	head, _ := br.Peek(1 << 16)
	if IsWorkbook(head) {
		return nil, Info{}, drive.Errorf(drive.EINVALID, "The file is a workbook, not text")
	}
	text, info, _ := decodeText(br, head, enc)
	return text, info, nil
}

// Undecodable returns why a value read through DecodeText cannot be
// trusted ("" when it can): bytes that are not UTF-8, or characters the
// encoding could not decode.
func Undecodable(info Info, value string) string {
	if !utf8.ValidString(value) || (info.Encoding != UTF8 && strings.ContainsRune(value, utf8.RuneError)) {
		return undecodable(info)
	}
	return ""
}

// normaliseEncoding turns the names people give an encoding into one
// of the package's. Errors: EINVALID for one it does not read.
func normaliseEncoding(name string) (string, error) {
	enc := strings.ToLower(strings.TrimSpace(name))
	switch enc {
	case "", UTF8, UTF16LE, UTF16BE, Windows1252:
	case "utf8":
		enc = UTF8
	case "utf-16", "utf16", "unicode":
		enc = "utf-16"
	case "cp1252", "windows1252", "latin1", "iso-8859-1":
		enc = Windows1252
	default:
		return "", drive.Invalid("Check the encoding", map[string]string{
			"encoding": fmt.Sprintf("%q is not an encoding this service reads: use utf-8, utf-16, utf-16le, utf-16be or windows-1252", name),
		})
	}
	return enc, nil
}

// undecodable says what to do about text that the encoding read cannot
// decode.
func undecodable(info Info) string {
	if info.Encoding == UTF8 {
		return "the text is not valid UTF-8: if the file was saved as plain CSV from Excel, import it again naming the encoding windows-1252"
	}
	return "the text cannot be read as " + strings.ToUpper(info.Encoding) + ": check the file was saved in that encoding, or name the right one"
}

// detect guesses the encoding of text with no byte-order mark from its
// first bytes: UTF-16 when NULs fill alternate bytes, UTF-8 when valid
// (a rune cut at the end of the sample is allowed), else Windows-1252.
func detect(head []byte) string {
	if u := guessUTF16(head, ""); u != "" {
		return u
	}
	valid := head
	for i := 0; i < utf8.UTFMax && len(valid) > 0 && !utf8.Valid(valid); i++ {
		valid = valid[:len(valid)-1]
	}
	if utf8.Valid(valid) && len(head)-len(valid) < utf8.UTFMax {
		return UTF8
	}
	return Windows1252
}

// guessUTF16 tells UTF-16 byte order from where the NULs of ASCII text
// fall; or, when they do not fall alternately, returns otherwise.
func guessUTF16(head []byte, otherwise string) string {
	n := min(len(head), 512) &^ 1
	if n < 4 {
		return otherwise
	}
	even, odd := 0, 0
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	switch {
	case odd > n/4 && even == 0:
		return UTF16LE
	case even > n/4 && odd == 0:
		return UTF16BE
	}
	return otherwise
}

// separator picks the separator the header line uses most, outside
// quotes: commas, semicolons (Excel's CSV where the decimal mark is a
// comma) or tabs ("Unicode text"). A line with none is comma-separated.
func separator(line []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(line) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best, n := ',', 0
	for _, c := range []rune{',', ';', '\t'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return best
}
