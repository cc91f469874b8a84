package linkage

import "strings"

// postcodeParts holds the nested areas of a postcode, each a prefix of the
// next. For a UK postcode "SW1A 1AA" they are area "SW", district "SW1A",
// sector "SW1A 1" and the full code. Postcodes of other countries have no such
// structure that we can know in general, so their parts are prefixes: for a
// four-digit Australian "2119" the sector is "211", the district "21" and the
// area "2". Neighbouring codes usually share leading characters in such
// schemes, so the prefixes still mean "near".
//
// A part is empty when the code is too short to have it.
type postcodeParts struct {
	Full, Sector, District, Area string
}

// normalizePostcode upper-cases a postcode and drops spaces and punctuation.
func normalizePostcode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitPostcode returns the parts of a normalised postcode.
func splitPostcode(p string) postcodeParts {
	parts := postcodeParts{Full: p}
	if out, ok := ukOutward(p); ok {
		parts.District = out
		parts.Area = leadingLetters(out)
		if len(p) > len(out) {
			// A full code: the inward part is one digit and two letters.
			parts.Sector = out + " " + p[len(out):len(out)+1]
			parts.Full = out + " " + p[len(out):]
		}
		return parts
	}
	if n := len(p); n >= 3 {
		parts.Sector = p[:n-1]
		parts.District = p[:n-2]
		parts.Area = p[:1]
	} else if n == 2 {
		parts.Area = p[:1]
	}
	return parts
}

// ukOutward recognises a UK postcode, full ("SW1A1AA") or outward code only
// ("SW1A"), and returns its outward code.
func ukOutward(p string) (string, bool) {
	if len(p) >= 5 && len(p) <= 7 && isDigit(p[len(p)-3]) && isLetter(p[len(p)-2]) && isLetter(p[len(p)-1]) {
		out := p[:len(p)-3]
		if isUKOutward(out) {
			return out, true
		}
		return "", false
	}
	if isUKOutward(p) {
		return p, true
	}
	return "", false
}

// isUKOutward matches A9, A99, A9A, AA9, AA99 and AA9A.
func isUKOutward(s string) bool {
	letters := leadingLetters(s)
	if len(letters) < 1 || len(letters) > 2 {
		return false
	}
	rest := s[len(letters):]
	switch len(rest) {
	case 1:
		return isDigit(rest[0])
	case 2:
		return isDigit(rest[0]) && (isDigit(rest[1]) || isLetter(rest[1]))
	}
	return false
}

func leadingLetters(s string) string {
	i := 0
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	return s[:i]
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// oneEditApart reports whether two strings of equal length differ in exactly
// one position or by one swap of neighbouring characters: the two most common
// keying errors in codes and dates.
func oneEditApart(a, b string) (typo, transposed bool) {
	if len(a) != len(b) {
		return false, false
	}
	first, diffs := -1, 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			if first < 0 {
				first = i
			}
			diffs++
			if diffs > 2 {
				return false, false
			}
		}
	}
	switch diffs {
	case 1:
		return true, false
	case 2:
		i := first
		return false, i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i]
	}
	return false, false
}
