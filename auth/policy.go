package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// Password length limits, in characters (Unicode code points after
// normalisation). Length is what makes a password strong; composition rules
// (a digit, a capital, a symbol) only make people write Password1!, so there
// are none. The upper limit keeps hashing cheap to request and still allows
// long passphrases.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// commonPasswords is the embedded list; see the header of the file for its
// source and licence. It is searched as text, so that checking a password
// needs no table built at start-up.
//
//go:embed common-passwords.txt
var commonPasswords string

// Messages say what to do, not only what is wrong.
const (
	msgTooShort = "Choose a password of at least 12 characters; a short phrase of several words works well."
	msgTooLong  = "Choose a password of at most 128 characters."
	msgControl  = "Use letters, numbers, spaces and punctuation only; remove tabs, line breaks and other invisible characters."
	msgUsername = "Choose a password that does not contain your username."
	msgCommon   = "Choose a less common password: this one is on the lists of passwords that attackers try first. A short phrase of several unrelated words works well."
	msgPattern  = "Choose a password that is not a repeated or sequential pattern such as aaaa or 1234; a short phrase of several words works well."
)

// CheckPassword applies the password policy to a new password pw for the
// account with the given username, and says what to change if it fails.
//
// The policy: 12 to 128 characters, spaces and any printable Unicode
// allowed; no control characters; not containing the username (ignoring
// case and spaces; a username shorter than four characters is only refused
// as the whole password); not a commonly used password, ignoring case and
// spaces, nor a common password with only digits, spaces or punctuation
// added before or after it (Summer2024!); not a single repeated or
// sequential pattern (aaaa..., abcabc..., 123456789012).
//
// It returns nil if pw is acceptable, and otherwise an EINVALID *drive.Error
// whose message, also given for the field "password", tells the person what
// to do. It never includes the password in the error.
func CheckPassword(pw, username string) error {
	if msg := passwordProblem(pw, username); msg != "" {
		return drive.Invalid(msg, map[string]string{"password": msg})
	}
	return nil
}

func passwordProblem(pw, username string) string {
	if !utf8.ValidString(pw) || strings.ContainsFunc(pw, unicode.IsControl) {
		return msgControl
	}
	pw = normalisePassword(pw)
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLen:
		return msgTooShort
	case n > MaxPasswordLen:
		return msgTooLong
	}

	folded := strings.ToLower(pw)
	compact := removeSpaces(folded)

	user := removeSpaces(strings.ToLower(normalisePassword(username)))
	if user != "" {
		if compact == user || (utf8.RuneCountInString(user) >= 4 && strings.Contains(compact, user)) {
			return msgUsername
		}
	}

	if isCommonPassword(folded) || isCommonPassword(compact) {
		return msgCommon
	}
	// A common word dressed up with digits or symbols at either end is
	// among the first things an attacker's rules try.
	core := strings.TrimFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) })
	if utf8.RuneCountInString(core) >= 4 && (isCommonPassword(core) || isCommonPassword(removeSpaces(core))) {
		return msgCommon
	}

	if isPattern(compact) {
		return msgPattern
	}
	return ""
}

// isCommonPassword reports whether the lower-case s is a line of the list.
func isCommonPassword(s string) bool {
	if s == "" || strings.ContainsAny(s, "\n\r") {
		return false
	}
	// The list starts after the header's blank line; bodyStart points at
	// the newline before the first entry, so every entry is framed by
	// newlines.
	bodyStart := strings.Index(commonPasswords, "\n\n") + 1
	return strings.Contains(commonPasswords[bodyStart:], "\n"+s+"\n")
}

func removeSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// isPattern reports whether s (lower case, without spaces) is one short unit
// repeated (aaaa, abab, abcabc, 1234 1234) or a single run up or down the
// alphabet or the digits (abcdef, 987654, 7890123). Such passwords are long
// but guessed at once. A string of four or fewer characters counts as a
// pattern: it is what is left of a password that is mostly spaces.
func isPattern(s string) bool {
	rs := []rune(s)
	for unit := 1; unit <= 4; unit++ {
		repeated := true
		for i := unit; i < len(rs); i++ {
			if rs[i] != rs[i-unit] {
				repeated = false
				break
			}
		}
		if repeated {
			return true
		}
	}
	up, down := true, true
	for i := 1; i < len(rs); i++ {
		up = up && rs[i] == nextInRun(rs[i-1])
		down = down && rs[i-1] == nextInRun(rs[i])
	}
	return up || down
}

// nextInRun returns the character after r in a run, wrapping 9 to 0 and z
// to a; other characters have no successor.
func nextInRun(r rune) rune {
	switch {
	case r == '9':
		return '0'
	case r == 'z':
		return 'a'
	case r >= '0' && r < '9', r >= 'a' && r < 'z':
		return r + 1
	}
	return -1
}
