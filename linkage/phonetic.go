package linkage

// phoneticCode returns a sound code for a normalised name: a short string of
// consonant classes that spellings which sound alike share, such as
// "smith"/"smyth", "catherine"/"kathryn", "stephen"/"steven" and
// "mcdonald"/"macdonald".
//
// The rules are a small, English-oriented simplification in the spirit of
// Soundex and Metaphone: silent leading letters are dropped, common digraphs
// (ph, ck, sh, ch, th, gh, dg, wh) become one sound, soft c is told from
// hard c, g and j share a class (whether a g is soft cannot be told from
// spelling alone), vowels count only at the start (as "A"), w, h and y count
// only before a vowel, voiced and voiceless pairs that are often confused
// (d/t, v/f) share a class, and repeated classes collapse. The code keeps at most six
// classes, which is enough to tell names apart without being fragile to typos
// at the end of long names.
//
// The input must already be normalised (lower-case letters only); other
// bytes are ignored.
func phoneticCode(s string) string {
	const maxLen = 6
	var out [maxLen]byte
	n := 0
	emit := func(c byte) {
		if n < maxLen && (n == 0 || out[n-1] != c) {
			out[n] = c
			n++
		}
	}
	at := func(i int) byte {
		if i >= 0 && i < len(s) {
			return s[i]
		}
		return 0
	}
	isVowel := func(c byte) bool {
		return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
	}
	front := func(c byte) bool { return c == 'e' || c == 'i' || c == 'y' }

	i := 0
	// Silent or simplified beginnings.
	switch {
	case len(s) >= 2 && (s[:2] == "kn" || s[:2] == "gn" || s[:2] == "pn" || s[:2] == "wr" || s[:2] == "ps"):
		i = 1
	case len(s) >= 2 && s[:2] == "wh":
		emit('W')
		i = 2
	case len(s) >= 1 && s[0] == 'x':
		emit('S')
		i = 1
	}
	if i == 0 && len(s) > 0 && isVowel(s[0]) {
		emit('A')
		i = 1
	}
	prevCode := byte(0)
	for ; i < len(s) && n < maxLen; i++ {
		c := s[i]
		next := at(i + 1)
		if c == at(i-1) && c != 'c' {
			continue // double letters sound once
		}
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			prevCode = 0
			continue
		case 'b':
			if next == 0 && at(i-1) == 'm' {
				continue // "lamb", "plumb"
			}
			emit('P')
		case 'c':
			switch {
			case next == 'h':
				if at(i+2) == 'r' {
					emit('K') // "christopher"
				} else {
					emit('X')
				}
				i++
			case next == 'k' || next == 'q':
				emit('K')
				i++
			case front(next):
				emit('S')
			default:
				emit('K')
			}
		case 'd':
			if next == 'g' && front(at(i+2)) {
				emit('J') // "dge" sounds as j
				i++
			} else {
				emit('T')
			}
		case 'f', 'v':
			emit('F')
		case 'g':
			switch {
			case next == 'h':
				if i == 0 {
					emit('K')
				}
				i++ // "gh" is silent inside names ("hugh", "wright")
			case next == 'n' && (at(i+2) == 0 || (at(i+2) == 'e' && at(i+3) == 0)):
				// silent in "sign", "champagne"
			default:
				// Soft and hard g are not told apart: "Rogers" and
				// "Rodgers", "Gerald" and "Jerald" should meet.
				emit('J')
			}
		case 'h':
			if isVowel(next) && (i == 0 || prevCode == 0) {
				emit('H')
			}
			continue
		case 'j':
			emit('J')
		case 'k', 'q':
			emit('K')
		case 'l':
			emit('L')
		case 'm':
			emit('M')
		case 'n':
			emit('N')
		case 'p':
			if next == 'h' {
				emit('F')
				i++
			} else {
				emit('P')
			}
		case 'r':
			emit('R')
		case 's':
			switch {
			case next == 'h':
				emit('X')
				i++
			case next == 'c' && at(i+2) == 'h':
				emit('S')
				emit('K')
				i += 2
			default:
				emit('S')
			}
		case 't':
			switch {
			case next == 'h':
				emit('T')
				i++
			case next == 'c' && at(i+2) == 'h':
				emit('X')
				i += 2
			case next == 'i' && (at(i+2) == 'o' || at(i+2) == 'a'):
				emit('X')
			default:
				emit('T')
			}
		case 'w':
			if isVowel(next) {
				emit('W')
			}
			prevCode = 0
			continue
		case 'x':
			emit('K')
			emit('S')
		case 'y':
			if isVowel(next) {
				emit('Y')
			}
			prevCode = 0
			continue
		case 'z':
			emit('S')
		default:
			continue
		}
		prevCode = c
	}
	if n == 0 {
		// A name of only silent letters, or in a script the rules do not
		// cover, is its own code: sounding alike then means spelt alike.
		return s
	}
	return string(out[:n])
}
