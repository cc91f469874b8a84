package auth

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

func TestCheckPassword(t *testing.T) {
	long128 := "Quiet rivers carry old boats past a mill; seven herons wait by the weir while the ferryman counts coins and hums a tune: ünïcode"
	if n := utf8.RuneCountInString(long128); n != 128 {
		t.Fatalf("long128 has %d characters", n)
	}
	tests := []struct {
		name, pw, user string
		want           string // "" for accepted, else the message
	}{
		{"passphrase", "correct horse battery staple", "jsmith", ""},
		{"exactly 12", "tiger moth 9", "jsmith", ""},
		{"exactly 12 unicode", "grüne äpfel!", "jsmith", ""},
		{"12 after normalising", "cafe\u0301 au lait", "jsmith", ""},
		{"cyrillic", "тихая река течёт", "jsmith", ""},
		{"emoji", "🦊 jumps over 🐶 twice", "jsmith", ""},
		{"exactly 128", long128, "jsmith", ""},
		{"no username given", "correct horse battery staple", "", ""},
		{"short username inside", "always learning new things", "al", ""},
		{"digits, not a run", "483920175629", "jsmith", ""},

		{"empty", "", "jsmith", msgTooShort},
		{"11", "tiger moth!", "jsmith", msgTooShort},
		{"11 runes, 22 bytes", "ééééééééééè", "jsmith", msgTooShort},
		{"12 bytes of NFD, 11 characters", "cafe\u0301 au lai", "jsmith", msgTooShort},
		{"129", long128 + "x", "jsmith", msgTooLong},
		{"very long", strings.Repeat("abcde fghij ", 1000), "jsmith", msgTooLong},

		{"tab", "correct horse\tbattery", "jsmith", msgControl},
		{"newline", "correct horse\nbattery", "jsmith", msgControl},
		{"nul", "correct horse\x00battery", "jsmith", msgControl},
		{"invalid utf-8", "correct horse \xff battery", "jsmith", msgControl},

		{"is username", "Averylongusername", "averylongusername", msgUsername},
		{"is username with spaces", "avery long user name", "AveryLongUserName", msgUsername},
		{"contains username", "Jane.Smith 2024 rocks", "jane.smith", msgUsername},
		{"contains email username", "my jane.smith@example.org!", "jane.smith@example.org", msgUsername},

		{"common 12+", "1qaz2wsx3edc", "jsmith", msgCommon},
		{"common, upper case", "ADMINISTRATOR", "jsmith", msgCommon},
		{"common with spaces", "leave me alone", "jsmith", msgCommon},
		{"common word plus year", "Password2024!", "jsmith", msgCommon},
		{"common word plus digits and space", "Sunshine 2024!!", "jsmith", msgCommon},
		{"common keyboard walk wrapped", "!!qwertyuiop!!", "jsmith", msgCommon},
		{"common phrase with digits", "i love you 1234", "jsmith", msgCommon},

		{"one character", "aaaaaaaaaaaa", "jsmith", msgPattern},
		{"one character unicode", "éééééééééééé", "jsmith", msgPattern},
		{"pair", "abababababab", "jsmith", msgPattern},
		{"unit of four", "wxyzwxyzwxyz", "jsmith", msgPattern},
		{"unit of four, partial", "9fj29fj29fj29f", "jsmith", msgPattern},
		{"run up with wrap", "789012345678", "jsmith", msgPattern},
		{"run down", "zyxwvutsrqpo", "jsmith", msgPattern},
		{"letters run", "ghijklmnopqr", "jsmith", msgPattern},
		{"spaces only", "            ", "jsmith", msgPattern},
		{"mostly spaces", "a b         ", "jsmith", msgPattern},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.pw, tt.user)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckPassword(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			e := wantCode(t, err, drive.EINVALID)
			if e.Message != tt.want {
				t.Fatalf("CheckPassword(%q) message %q, want %q", tt.pw, e.Message, tt.want)
			}
			if e.Fields["password"] != tt.want {
				t.Fatalf("Fields = %v, want the message under \"password\"", e.Fields)
			}
			if len(tt.pw) >= 4 && strings.Contains(err.Error(), tt.pw) {
				t.Fatalf("error %q quotes the password", err)
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	if !strings.Contains(commonPasswords, "Licence: MIT") || !strings.Contains(commonPasswords, "Dan Wheeler and Dropbox") {
		t.Fatal("the list's header must name its source and licence")
	}
	i := strings.Index(commonPasswords, "\n\n")
	if i < 0 {
		t.Fatal("no blank line after the header")
	}
	for _, line := range strings.Split(commonPasswords[:i], "\n") {
		if !strings.HasPrefix(line, "#") {
			t.Fatalf("header line %q does not start with #", line)
		}
	}
	body := commonPasswords[i+2:]
	if !strings.HasSuffix(body, "\n") {
		t.Fatal("list does not end with a newline")
	}
	entries := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(entries) < 10000 {
		t.Fatalf("list has %d entries, want at least 10000", len(entries))
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		switch {
		case e == "":
			t.Fatal("blank line in the list")
		case e != strings.ToLower(e):
			t.Fatalf("entry %q is not lower case", e)
		case strings.ContainsFunc(e, func(r rune) bool { return r <= ' ' }):
			t.Fatalf("entry %q holds a space or control character", e)
		case seen[e]:
			t.Fatalf("entry %q appears twice", e)
		}
		seen[e] = true
	}
	// The first and last entries are found: the framing by newlines works
	// at both ends.
	for _, e := range []string{entries[0], entries[len(entries)-1], "password", "iloveyou"} {
		if !isCommonPassword(e) {
			t.Errorf("isCommonPassword(%q) = false", e)
		}
	}
	for _, e := range []string{"", "# commonly used passwords, most common first, one a line, lower case.", "correct horse battery staple", "123456\n123456"} {
		if isCommonPassword(e) {
			t.Errorf("isCommonPassword(%q) = true", e)
		}
	}
}

func TestIsPattern(t *testing.T) {
	for s, want := range map[string]bool{
		"":             true,
		"abcd":         true,
		"abcde":        true,
		"aabbccddeeff": false,
		"abcdeabcde":   false, // a unit of five is not treated as a pattern
		"0987654321":   true,
		"1234567890":   true,
		"yzabcd":       true,
		"abcdfg":       false,
		"correcthorse": false,
	} {
		if got := isPattern(s); got != want {
			t.Errorf("isPattern(%q) = %v, want %v", s, got, want)
		}
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	for b.Loop() {
		_ = CheckPassword("correct horse battery staple", "jsmith")
	}
}
