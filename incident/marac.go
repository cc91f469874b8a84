package incident

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/tabular"
)

// Hearing is one case heard at a site's MARAC (multi-agency risk
// assessment conference), as the MARAC coordinator's list gives it. A
// case heard again (a repeat MARAC) keeps its reference on a later date.
type Hearing struct {
	Ref     string
	HeardOn drive.Date
	// Victim has no postcode: a victim's address is never read from a
	// list, so it cannot be kept. Age is left zero.
	Victim Person
	// Perpetrator has a postcode where the list gives one; Age is left
	// zero.
	Perpetrator Person
}

// MARACFields are the logical fields a MARAC list mapping names columns
// for. There is deliberately no field for a victim's address.
func MARACFields() []string { return maracLayout().fields }

// maracLayout describes a MARAC list. The victim's and perpetrator's name
// columns must be present even though a row may leave some of them empty:
// a list without them is almost certainly read with the wrong mapping.
func maracLayout() layout {
	return layout{
		fields: []string{"ref", "heard_on", "victim_given", "victim_family", "victim_dob",
			"perpetrator_given", "perpetrator_family", "perpetrator_dob", "perpetrator_postcode"},
		required: []string{"ref", "heard_on", "victim_given", "victim_family", "perpetrator_given", "perpetrator_family"},
		one:      "case heard",
		many:     "cases heard",
	}
}

// DefaultMARACMapping uses the logical names as headers.
func DefaultMARACMapping() Mapping { return maracLayout().defaultMapping() }

// ParseMARACMapping reads a JSON object {"field": "Column header", ...}
// for a MARAC list; fields left out keep their default header. Errors:
// EINVALID naming the field.
func ParseMARACMapping(data []byte) (Mapping, error) { return maracLayout().parseMapping(data) }

// ReadMARAC parses and validates a whole MARAC list. It returns the
// hearings and every row error found (reading on past errors, so the
// report is complete); the caller stores nothing unless errors is empty.
// Each row needs a case reference, the date heard (not after today) and
// the perpetrator's family name; dates of birth, where given, must be
// dates before the hearing; the same reference on the same date twice is
// an error. A missing required column, an empty file or a header with no
// rows is an EINVALID error for the file.
func ReadMARAC(r io.Reader, m Mapping, today drive.Date) ([]Hearing, []RowError, error) {
	hs, errs, _, err := ReadMARACFile(r, m, today, tabular.Options{})
	return hs, errs, err
}

// ReadMARACFile is ReadMARAC for a file in any form package tabular reads,
// read as opt says; it returns what was read too.
func ReadMARACFile(r io.Reader, m Mapping, today drive.Date, opt tabular.Options) ([]Hearing, []RowError, tabular.Info, error) {
	hs, errs, info, err := readMARAC(r, []NamedMapping{{Mapping: m}}, today, opt)
	return hs, errs, info.Info, err
}

// ReadMARACFileChoosing is ReadMARACFile with the mapping chosen by the
// file's header, as ReadFileChoosing chooses it.
func ReadMARACFileChoosing(r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options) ([]Hearing, []RowError, FileInfo, error) {
	return readMARAC(r, cands, today, opt)
}

func readMARAC(r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options) ([]Hearing, []RowError, FileInfo, error) {
	var out []Hearing
	sc := &Scan{}
	err := scanMARAC(sc, r, cands, today, opt, 0, func(h Hearing, _ bool) { out = append(out, h) })
	if err != nil {
		return nil, nil, sc.FileInfo, err
	}
	return out, sc.Problems, sc.FileInfo, nil
}

// ScanMARACFileChoosing reads and checks a MARAC list as
// ReadMARACFileChoosing does, a row at a time, keeping no row (only, for
// the check that a hearing is listed once, a hash of each reference and
// date): each, if set, is given every hearing whose row has no problem,
// with the number of problems found so far.
// Only the first MaxProblems problems are kept. Errors: as
// ReadMARACFileChoosing.
func ScanMARACFileChoosing(r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options, each func(Hearing, int)) (*Scan, error) {
	sc := &Scan{}
	err := scanMARAC(sc, r, cands, today, opt, MaxProblems, func(h Hearing, ok bool) {
		if ok && each != nil {
			each(h, sc.Found())
		}
	})
	return sc, err
}

func scanMARAC(sc *Scan, r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options, limit int, each func(Hearing, bool)) error {
	// A hearing's reference and date, hashed, to the line first giving
	// them: eight bytes a row rather than the text.
	seen := map[[8]byte]int{}
	return maracLayout().read(sc, r, cands, opt, limit, func(row *row) {
		before := row.errs.found()
		h := Hearing{Ref: row.get("ref")}
		if h.Ref == "" || len(h.Ref) > 64 {
			row.bad("ref", "give the MARAC case reference (up to 64 characters)")
		}
		h.HeardOn = row.date("heard_on", "give the date the case was heard at MARAC", today)
		const beforeHearing = "not a date of birth before the hearing"
		h.Victim = Person{GivenName: row.get("victim_given"), FamilyName: row.get("victim_family")}
		h.Victim.DOB, _ = row.dob("victim_dob", h.HeardOn, beforeHearing)
		h.Perpetrator = Person{GivenName: row.get("perpetrator_given"), FamilyName: row.get("perpetrator_family"),
			Postcode: strings.ToUpper(row.get("perpetrator_postcode"))}
		if h.Perpetrator.FamilyName == "" {
			row.bad("perpetrator_family", "give the perpetrator's family name")
		}
		h.Perpetrator.DOB, _ = row.dob("perpetrator_dob", h.HeardOn, beforeHearing)
		if h.Ref != "" && !h.HeardOn.IsZero() {
			sum := sha256.Sum256([]byte(h.Ref + "\x00" + h.HeardOn.String()))
			key := [8]byte(sum[:8])
			if first, ok := seen[key]; ok {
				row.bad("ref", fmt.Sprintf("case %s heard on %s is already on line %d: list each hearing once", h.Ref, h.HeardOn, first))
			} else {
				seen[key] = row.line
			}
		}
		each(h, row.errs.found() == before)
	})
}
