package people

import (
	"sort"
	"time"

	"github.com/drive-platform/drive"
)

// Candidate is an existing person who may be the one being entered, with
// the reasons the check thinks so.
type Candidate struct {
	Person  *Person
	Score   float64
	Reasons []string
}

// Duplicates scores existing records against a new one and returns those
// likely to be the same individual, best first. It is fuzzy on names (so
// "Jon Smyth" finds "John Smith") and on dates of birth (a typo, swapped
// day and month), because the same man arrives under several spellings.
// The caller passes only records the user may see.
func Duplicates(p *Person, existing []*Person) []Candidate {
	var out []Candidate
	for _, e := range existing {
		if e.ID == p.ID || e.MergedInto != 0 {
			continue
		}
		c := Candidate{Person: e}
		given := nameSimilarity(p.GivenName, e.GivenName)
		family := nameSimilarity(p.FamilyName, e.FamilyName)
		for _, a := range e.Aliases {
			family = max(family, nameSimilarity(p.GivenName+" "+p.FamilyName, a))
		}
		dob := dateSimilarity(p.DateOfBirth, e.DateOfBirth)
		c.Score = 0.3*given + 0.4*family + 0.3*dob
		if given >= 0.85 {
			c.Reasons = append(c.Reasons, "similar first name")
		}
		if family >= 0.85 {
			c.Reasons = append(c.Reasons, "similar last name")
		}
		if dob >= 0.8 {
			c.Reasons = append(c.Reasons, "same or similar date of birth")
		}
		if p.PoliceRef != "" && p.PoliceRef == e.PoliceRef {
			c.Score = 1
			c.Reasons = append(c.Reasons, "same police reference")
		}
		if c.Score >= 0.75 {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// BirthDatesNear returns every date of birth that Duplicates counts as the
// same as d or similar to it: d itself, one digit different, two adjacent
// digits swapped, day and month swapped. It returns nil for a zero d.
//
// It is what lets the check ask the database for a handful of records by
// index instead of reading every person a site has ever held: a record
// whose known date of birth is not one of these scores at most 0.3 + 0.4
// on names, under Duplicates' threshold of 0.75, so only records with one
// of these dates, with no date, or with the same police reference can be
// candidates. TestBirthDatesNear holds the two functions to each other.
func BirthDatesNear(d drive.Date) []drive.Date {
	if d.IsZero() {
		return nil
	}
	s := []byte(d.String())
	seen := map[drive.Date]bool{}
	var out []drive.Date
	try := func(b []byte) {
		t, err := time.Parse("2006-01-02", string(b))
		if err != nil {
			return
		}
		e := drive.DateOf(t)
		if !seen[e] && dateSimilarity(d, e) >= 0.8 {
			seen[e] = true
			out = append(out, e)
		}
	}
	try(s)
	for i := range s {
		if s[i] < '0' || s[i] > '9' {
			continue
		}
		b := []byte(string(s))
		for c := byte('0'); c <= '9'; c++ {
			b[i] = c
			try(b)
		}
		if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			b = []byte(string(s))
			b[i], b[i+1] = b[i+1], b[i]
			try(b)
		}
	}
	if int(d.Month) <= 31 && d.Day <= 12 {
		try([]byte(drive.Date{Year: d.Year, Month: time.Month(d.Day), Day: int(d.Month)}.String()))
	}
	return out
}

func nameSimilarity(a, b string) float64 {
	a, b = Normalise(a), Normalise(b)
	if a == "" || b == "" {
		return 0
	}
	return jaroWinkler(a, b)
}

// dateSimilarity: 1 for the same date, 0.8 for one typo, a transposition
// or a day/month swap, 0 otherwise (including when either is unknown).
func dateSimilarity(a, b drive.Date) float64 {
	if a.IsZero() || b.IsZero() {
		return 0.5 // unknown: neither for nor against
	}
	if a == b {
		return 1
	}
	if a.Year == b.Year && int(a.Month) == b.Day && a.Day == int(b.Month) {
		return 0.8
	}
	sa, sb := a.String(), b.String()
	diff := 0
	for i := range sa {
		if sa[i] != sb[i] {
			diff++
		}
	}
	if diff == 1 {
		return 0.8
	}
	if diff == 2 {
		for i := 0; i+1 < len(sa); i++ {
			if sa[i] == sb[i+1] && sa[i+1] == sb[i] && sa[i] != sb[i] {
				return 0.8
			}
		}
	}
	return 0
}

// jaroWinkler is the Jaro-Winkler similarity of two strings, 0 to 1.
func jaroWinkler(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	window := max(len(ra), len(rb))/2 - 1
	if window < 0 {
		window = 0
	}
	ma := make([]bool, len(ra))
	mb := make([]bool, len(rb))
	matches := 0
	for i := range ra {
		lo, hi := max(0, i-window), min(len(rb)-1, i+window)
		for j := lo; j <= hi; j++ {
			if !mb[j] && ra[i] == rb[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, k := 0, 0
	for i := range ra {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if ra[i] != rb[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(len(ra)) + m/float64(len(rb)) + (m-float64(trans)/2)/m) / 3
	prefix := 0
	for i := 0; i < min(4, len(ra), len(rb)) && ra[i] == rb[i]; i++ {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
