// Package form reads the forms posted from the pages into typed values.
//
// Each form is a struct built from the posted url.Values by its New
// function, which reads every field once. Validate reports what the form
// alone can tell is wrong (a date that is not a date, a number that is not
// a number) with the messages the page shows beside each field: it
// answers nil, or EINVALID with a message per field. The rules of the
// record itself are the domain's, applied by the service. Methods
// named after a domain type turn the form into the value the service takes.
//
// Keeping this apart from the handlers means each form can be tested on
// its own, and a handler is left with choosing the form by its name and
// making one service call. The package knows nothing of templates or of
// package web: it hands back field names and messages, which web lays out.
package form

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
)

// Errors maps a field's name (the input's id) to the message shown beside
// it.
type Errors map[string]string

// Err is nil when there is nothing wrong, and otherwise an EINVALID error
// summarised by message and carrying the fields, the same shape as the
// service's own validation errors, so a page shows both the same way.
func (e Errors) Err(message string) error {
	if len(e) == 0 {
		return nil
	}
	return drive.Invalid(message, e)
}

// id reads a record number. A missing or malformed one reads as 0, which
// names no record, so the service answers as for a record not chosen; one
// too large reads as the largest number, which names no record either.
func id(v url.Values, name string) int64 {
	n, _ := strconv.ParseInt(v.Get(name), 10, 64)
	return n
}

// date reads an optional date: blank is the zero date. A date that cannot
// be read puts message against the field.
func date(v url.Values, name, message string, errs Errors) drive.Date {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return drive.Date{}
	}
	d, err := drive.ParseDate(s)
	if err != nil {
		errs[name] = message
	}
	return d
}

// requiredDate reads a date the form cannot do without.
func requiredDate(v url.Values, name string, errs Errors) drive.Date {
	if strings.TrimSpace(v.Get(name)) == "" {
		errs[name] = "Enter the date"
		return drive.Date{}
	}
	return date(v, name, "Enter a real date, for example 2 11 2026", errs)
}

// checkDate is the summary of a form whose only check is a required date.
const checkDate = "Check the date"

// lines splits a text area into its non-blank lines, trimmed: one alias,
// phone number or school a line.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
