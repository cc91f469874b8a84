package victim

import (
	"strings"
	"unicode"
)

// Sought is what the barrier's screen looks for, for one victim-survivor
// linked to a perpetrator's case: her name, her protected details and the
// wording of her safety plan. It is built on the victim side from sealed
// records and never leaves the service.
type Sought struct {
	VictimCaseID int64
	GivenName    string
	FamilyName   string
	Compartment  Compartment
	SafetyPlan   string
}

// Reveals reports which of the victim-survivors in sought the text may
// reveal: their victim case ids, in the order given. The caller does not
// refuse the text on a match (a refusal would tell the writer her details,
// ARCHITECTURE.md §2): it stores the text as written and holds it back
// from every reader but its author until her IDVA has reviewed it.
//
// It errs towards holding: a false match costs the IDVA a review, a missed
// one could cost her safety. What counts as a match:
//   - any protected value as she has it recorded (an address line, a
//     postcode with or without its space, an email, a school, refuge,
//     workplace or GP), ignoring case, spacing and punctuation;
//   - a phone number by its digits, also without the leading 0 of a UK
//     number written internationally;
//   - the street of an address without its house or flat number ("Acacia
//     Avenue" for "Flat 2, 14 Acacia Avenue"), with common abbreviations
//     ("Acacia Ave"), and the street's name without its kind when the text
//     also names her town ("on Acacia, in Leeds");
//   - five consecutive words of her safe-contact arrangements or safety
//     plan (or the whole wording when it is shorter), unless those words
//     are all common ones;
//   - her name: given and family name together, in either order.
func Reveals(text string, sought []Sought) []int64 {
	t := newScreenText(text)
	var out []int64
	for _, s := range sought {
		if t.reveals(s) {
			out = append(out, s.VictimCaseID)
		}
	}
	return out
}

// screenText is the text being screened, prepared once in the forms the
// rules compare against.
type screenText struct {
	compact string   // lower case letters, digits, '@' and '.' only
	digits  string   // every digit in order
	words   []string // lower case words, street kinds abbreviated
}

func newScreenText(text string) screenText {
	return screenText{compact: normalise(text), digits: digits(text), words: words(text)}
}

func (t screenText) reveals(s Sought) bool {
	c := s.Compartment
	for _, v := range c.Values() {
		nv := normalise(v)
		if nv != "" && strings.Contains(t.compact, nv) {
			return true
		}
		if digits(v) == v && len(v) >= 7 && strings.Contains(t.digits, v) {
			return true
		}
	}
	for _, a := range c.Addresses {
		town := words(a.Town)
		for _, line := range []string{a.Line1, a.Line2} {
			street := streetOf(line)
			if len(street) == 0 {
				continue
			}
			// A street of one short word ("Mall") is too common to hold
			// text back on alone.
			if (len(street) > 1 || len(street[0]) >= 5) && t.has(street) {
				return true
			}
			stem := street
			if len(stem) > 1 && isStreetKind(stem[len(stem)-1]) {
				stem = stem[:len(stem)-1]
			}
			if len(town) > 0 && len(strings.Join(stem, "")) >= 3 && t.has(stem) && t.has(town) {
				return true
			}
		}
	}
	for _, wording := range []string{c.SafeContact, s.SafetyPlan} {
		if t.sharesWording(words(wording)) {
			return true
		}
	}
	given, family := words(s.GivenName), words(s.FamilyName)
	if len(given) > 0 && len(family) > 0 {
		if t.has(append(append([]string{}, given...), family...)) || t.has(append(append([]string{}, family...), given...)) {
			return true
		}
	}
	return false
}

// has reports whether seq appears as consecutive words of the text.
func (t screenText) has(seq []string) bool {
	if len(seq) == 0 || len(seq) > len(t.words) {
		return false
	}
	for i := 0; i+len(seq) <= len(t.words); i++ {
		match := true
		for j := range seq {
			if t.words[i+j] != seq[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// shingle is how many consecutive words of her safe-contact arrangements
// or safety plan count as repeating them: enough that everyday phrases
// ("she will call the police") rarely match, few enough that a copied
// instruction does.
const shingle = 5

// sharesWording reports whether the text repeats a run of the wording.
func (t screenText) sharesWording(w []string) bool {
	switch {
	case len(w) < 3:
		return false
	case len(w) < shingle:
		return distinctive(w) && t.has(w)
	}
	for i := 0; i+shingle <= len(w); i++ {
		if run := w[i : i+shingle]; distinctive(run) && t.has(run) {
			return true
		}
	}
	return false
}

// distinctive reports whether a run of words holds at least two that are
// not common words, so that a run of filler never holds text back.
func distinctive(run []string) bool {
	n := 0
	for _, w := range run {
		if len(w) >= 3 && !common[w] {
			n++
		}
	}
	return n >= 2
}

var common = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and for but not she her him his they them their this that with
		from will would can could should may might must have has had was were are been being you your our
		its into onto over under about after before when where what which who whom why how all any some
		each every other than then there here also just only very too out off own same such more most
		call phone text ring contact police said says tell told ask asked say see seen get got make made
		does did done day days week weeks time times safe safety plan if he it is be to of in on at by or
		as an a no so up do we me my i`) {
		m[w] = true
	}
	return m
}()

// words splits text into lower-case words of letters and digits, with
// street kinds written one way ("road" and "rd." are both "rd").
func words(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range f {
		if short, ok := streetKinds[w]; ok {
			f[i] = short
		}
	}
	return f
}

// streetKinds maps the kinds of street to one short form, so "Acacia
// Avenue" and "acacia ave" compare equal.
var streetKinds = map[string]string{
	"road": "rd", "street": "st", "avenue": "ave", "av": "ave", "lane": "ln", "drive": "dr", "close": "cl",
	"crescent": "cres", "court": "ct", "place": "pl", "gardens": "gdns", "terrace": "ter", "terr": "ter",
	"square": "sq", "grove": "gr", "way": "way", "walk": "wlk", "row": "row", "mews": "mews", "hill": "hl",
	"park": "pk", "parade": "pde", "green": "grn", "view": "vw", "rise": "rise",
}

func isStreetKind(w string) bool {
	for _, short := range streetKinds {
		if w == short {
			return true
		}
	}
	return false
}

// streetOf returns the words of an address line without its house, flat
// or unit number: "Flat 2, 14a Acacia Avenue" is "acacia ave".
func streetOf(line string) []string {
	w := words(line)
	i := 0
	for i < len(w) {
		switch x := w[i]; {
		case x == "flat" || x == "apartment" || x == "apt" || x == "unit" || x == "no" || x == "number" || x == "room":
			i++
		case strings.IndexFunc(x, unicode.IsDigit) >= 0 && len(x) <= 5:
			i++
		default:
			return w[i:]
		}
	}
	return nil
}
