package linkage

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldRune maps common accented Latin letters to their plain ASCII spelling,
// so that "Zoë" and "Zoe" are the same name. Letters outside the table are
// kept as they are (lower-cased): a name in another script is still compared,
// only without folding.
func foldRune(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return "a"
	case 'æ':
		return "ae"
	case 'ç', 'ć', 'č', 'ĉ', 'ċ':
		return "c"
	case 'ď', 'đ', 'ð':
		return "d"
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė', 'ę', 'ě':
		return "e"
	case 'ğ', 'ĝ', 'ġ', 'ģ':
		return "g"
	case 'ì', 'í', 'î', 'ï', 'ī', 'į', 'ı':
		return "i"
	case 'ķ':
		return "k"
	case 'ł', 'ľ', 'ĺ', 'ļ':
		return "l"
	case 'ñ', 'ń', 'ň', 'ņ':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ő':
		return "o"
	case 'œ':
		return "oe"
	case 'ř', 'ŕ':
		return "r"
	case 'ś', 'š', 'ş', 'ș':
		return "s"
	case 'ß':
		return "ss"
	case 'ť', 'ţ', 'ț':
		return "t"
	case 'þ':
		return "th"
	case 'ù', 'ú', 'û', 'ü', 'ū', 'ů', 'ű', 'ų':
		return "u"
	case 'ý', 'ÿ':
		return "y"
	case 'ź', 'ż', 'ž':
		return "z"
	}
	return ""
}

// normalizeName returns a name reduced to lower-case letters: accents folded,
// and spaces, hyphens, apostrophes, dots and digits removed, so that
// "O'Brien", "o brien" and "OBRIEN" are one value. Names are compared as a
// single word on purpose: double-barrelled and spaced surnames are written in
// too many ways to compare word by word.
func normalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if r < utf8.RuneSelf {
			if r >= 'a' && r <= 'z' {
				b.WriteByte(byte(r))
			}
			continue
		}
		if f := foldRune(r); f != "" {
			b.WriteString(f)
		} else if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normalizeText lower-cases, folds accents and collapses every run of
// characters that are neither letters nor digits into one space. It is the
// normal form of place and text values.
func normalizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		r = unicode.ToLower(r)
		var piece string
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			piece = string(r)
		case r >= utf8.RuneSelf && foldRune(r) != "":
			piece = foldRune(r)
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			piece = string(r)
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(piece)
	}
	return b.String()
}

// nameTokens splits a full name into normalised words, so "Smith, John-Paul"
// gives smith, john, paul.
func nameTokens(s string) []string {
	words := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == '-' || r == '.' || r == ';' || r == '/'
	})
	out := words[:0]
	for _, w := range words {
		if n := normalizeName(w); n != "" {
			out = append(out, n)
		}
	}
	return out
}
