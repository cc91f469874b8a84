package drive

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CheckText returns nil when value can be stored as text, and otherwise an
// EINVALID error naming field. It is the one check every text input passes
// at the edge (form values, query parameters, JSON strings and keys), so
// both engines see the same input: PostgreSQL refuses a NUL byte or
// invalid UTF-8 with a driver error, while SQLite would store the bytes
// as they are and hand them back to every reader.
//
// field is the input's name as the caller knows it: a form field such as
// "given_name" (shown as "Given name") or a JSON path such as
// "person.aliases[0]" (shown as written, so a developer can find it). The
// message never repeats the value, so the offending bytes are not echoed
// into a page, a JSON body or a log.
func CheckText(field, value string) error {
	if TextOK(value) {
		return nil
	}
	msg := FieldLabel(field) + " contains a character that cannot be stored: remove it and try again"
	if !TextOK(field) {
		// The name itself is the bad input: no Fields entry to repeat it.
		return &Error{Code: EINVALID, Message: msg}
	}
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// TextOK reports whether s is valid UTF-8 without a NUL byte: text that
// both engines store and return unchanged.
func TextOK(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// FieldLabel is how a message names an input. A form field name in
// snake_case reads as words ("date_of_birth" is "Date of birth"); anything
// else, such as a JSON path, is named as written. A name that is not
// itself storable text is replaced, for the same reason values are never
// echoed.
func FieldLabel(field string) string {
	switch {
	case field == "":
		return "The request"
	case !TextOK(field) || len(field) > 64:
		return "A field name"
	}
	for _, r := range field {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return field
		}
	}
	s := strings.ReplaceAll(field, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// TooLarge is the ETOOLARGE error for a body over its limit: what was too
// large, the limit in words, and what to do instead.
func TooLarge(what string, limit int64, fix string) *Error {
	return Errorf(ETOOLARGE, "%s is larger than %s: %s", what, ByteSize(limit), fix)
}

// ByteSize writes a limit the way people read it: "256 MB", "1 MB",
// "512 KB". Limits are powers of two, so MB here means MiB.
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// SpreadsheetCell returns s as a cell of a CSV or workbook that a
// spreadsheet will show as text and never run: a value starting with =,
// +, -, @, a tab or a carriage return (which Excel and LibreOffice read as
// a formula) gets a leading apostrophe. Every export a user opens in a
// spreadsheet writes its cells through it, so a name typed as
// =HYPERLINK(...) cannot act on the reader's machine.
func SpreadsheetCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
