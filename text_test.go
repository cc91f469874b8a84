package drive_test

import (
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		field, value string
		ok           bool
		message      string
	}{
		{"given_name", "Zoë Ó Briain 🙂", true, ""},
		{"given_name", "", true, ""},
		{"given_name", "tab\tand\nnewline", true, ""},
		{"given_name", "a\x00b", false, "Given name contains a character that cannot be stored: remove it and try again"},
		{"date_of_birth", "\xff", false, "Date of birth contains a character that cannot be stored"},
		{"person.aliases[0]", "a\xc3", false, "person.aliases[0] contains a character that cannot be stored"},
		{"bad\x00name", "x\x00", false, "A field name contains a character that cannot be stored"},
	} {
		err := drive.CheckText(c.field, c.value)
		if (err == nil) != c.ok {
			t.Errorf("CheckText(%q, %q) = %v, want ok=%v", c.field, c.value, err, c.ok)
			continue
		}
		if err == nil {
			continue
		}
		if drive.ErrorCode(err) != drive.EINVALID || !strings.HasPrefix(drive.ErrorMessage(err), c.message) {
			t.Errorf("CheckText(%q, %q): %v, want EINVALID %q", c.field, c.value, err, c.message)
		}
		// Byte by byte: ContainsAny reads its set as runes, and these bytes
		// are not valid UTF-8.
		if msg := err.Error(); strings.IndexByte(msg, 0x00) >= 0 || strings.IndexByte(msg, 0xff) >= 0 || strings.IndexByte(msg, 0xc3) >= 0 {
			t.Errorf("CheckText(%q, %q): the error repeats the bad bytes: %q", c.field, c.value, err.Error())
		}
	}
}

func TestTooLarge(t *testing.T) {
	for limit, want := range map[int64]string{256 << 20: "256 MB", 1 << 20: "1 MB", 64 << 10: "64 KB", 1000: "1000 bytes"} {
		err := drive.TooLarge("The file", limit, "split it and upload the parts")
		if got := err.Message; got != "The file is larger than "+want+": split it and upload the parts" || err.Code != drive.ETOOLARGE {
			t.Errorf("TooLarge(%d) = %s %q", limit, err.Code, got)
		}
	}
}

// TestSpreadsheetCell: each opening a spreadsheet reads as a formula is
// defused, and other text is left as it is.
func TestSpreadsheetCell(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1)": "'=SUM(A1)", "+44 7700": "'+44 7700", "-2+3": "'-2+3", "@cmd": "'@cmd", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "Darren": "Darren", "1042": "1042", "a=b": "a=b", "'quoted": "'quoted",
	} {
		if got := drive.SpreadsheetCell(in); got != want {
			t.Errorf("SpreadsheetCell(%q) = %q; want %q", in, got, want)
		}
	}
}
