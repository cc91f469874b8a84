package linkage

import (
	"fmt"
	"strings"

	"github.com/drive-platform/drive"
)

// Kind says how a column is compared. The kind decides the comparison levels
// (see levelNames), the blocking transforms that make sense, and how values
// are normalised before they are compared.
type Kind uint8

// The kinds a column may have. The zero Kind is invalid so that a forgotten
// kind is an error rather than a silent exact comparison.
const (
	KindExact    Kind = iota + 1 // identifiers and codes: equal or not
	KindGiven                    // given (first) name
	KindSurname                  // family name
	KindFullName                 // given and family names in one column
	KindDate                     // a calendar date, usually the date of birth
	KindPostcode                 // a postal code, UK style or any other
	KindPlace                    // town, suburb or city
	KindText                     // free text such as an address line or e-mail
)

var kindNames = [...]string{
	KindExact:    "exact",
	KindGiven:    "given",
	KindSurname:  "surname",
	KindFullName: "fullname",
	KindDate:     "date",
	KindPostcode: "postcode",
	KindPlace:    "place",
	KindText:     "text",
}

// String returns the name used on the command line, such as "surname".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// ParseKind reads a kind name such as "given" or "postcode". It returns an
// EINVALID error listing the valid names for anything else.
func ParseKind(s string) (Kind, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for k, n := range kindNames {
		if n != "" && n == name {
			return Kind(k), nil
		}
	}
	return 0, drive.Errorf(drive.EINVALID, "unknown field kind %q: use one of %s", s, strings.Join(KindNames(), ", "))
}

// KindNames lists the valid kind names in a fixed order.
func KindNames() []string {
	var out []string
	for _, n := range kindNames {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// isName reports whether values of the kind are personal names.
func (k Kind) isName() bool { return k == KindGiven || k == KindSurname || k == KindFullName }

// Field is one column the linker compares: its name (as in the CSV header)
// and its kind.
type Field struct {
	Name string
	Kind Kind
}

// maxFields bounds the number of compared fields: a comparison vector packs
// four bits per field into one uint64 so that a pair costs no allocation.
const maxFields = 16

// validateFields checks a field list for the problems a user can fix.
func validateFields(fields []Field) error {
	if len(fields) == 0 {
		return drive.Errorf(drive.EINVALID, "no fields to compare: give at least one field, e.g. surname=surname")
	}
	if len(fields) > maxFields {
		return drive.Errorf(drive.EINVALID, "%d fields given; the linker compares at most %d, so drop the least useful ones", len(fields), maxFields)
	}
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if f.Name == "" {
			return drive.Errorf(drive.EINVALID, "a field has no name: give the column name, e.g. dob=date")
		}
		if seen[f.Name] {
			return drive.Errorf(drive.EINVALID, "field %q is given twice: give each column once", f.Name)
		}
		seen[f.Name] = true
		if f.Kind < KindExact || f.Kind > KindText {
			return drive.Errorf(drive.EINVALID, "field %q has no valid kind: use one of %s", f.Name, strings.Join(KindNames(), ", "))
		}
	}
	return nil
}
