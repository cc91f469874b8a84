package web

import "sort"

// FieldError is one problem with a form, shown both in the error summary
// at the top of the page and beside the field it is about.
type FieldError struct {
	Field   string // the input's id; "" for the form as a whole
	Message string
}

// FormErrors lists a form's problems in the order the fields appear.
type FormErrors []FieldError

// Get returns the message for field, or "".
func (fe FormErrors) Get(field string) string {
	for _, e := range fe {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// formErrors orders per-field messages as the form lays its fields out;
// fields not named in order come last.
func formErrors(fields map[string]string, order ...string) FormErrors {
	var out FormErrors
	seen := map[string]bool{}
	for _, f := range order {
		if m, ok := fields[f]; ok {
			out = append(out, FieldError{f, m})
			seen[f] = true
		}
	}
	var rest []string
	for f := range fields {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	for _, f := range rest {
		out = append(out, FieldError{f, fields[f]})
	}
	return out
}

// invalidErrors lays out the messages of an EINVALID error (from a form's
// Validate or from the service) on the form they are about, in the order
// given; an error that names no field is shown for the form as a whole.
func invalidErrors(err error, order ...string) FormErrors {
	de := asInvalid(err)
	errs := formErrors(de.Fields, order...)
	if len(errs) == 0 {
		errs = FormErrors{{"", de.Message}}
	}
	return errs
}
