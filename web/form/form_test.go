package form

import (
	"errors"
	"maps"
	"net/url"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
)

// fieldsOf returns the per-field messages of a form's error: nil for no
// error; any error other than EINVALID fails the test.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	var de *drive.Error
	if !errors.As(err, &de) || de.Code != drive.EINVALID {
		t.Fatalf("error %v: want EINVALID", err)
	}
	if de.Fields == nil {
		return map[string]string{}
	}
	return de.Fields
}

// summary is the message of a form's error, shown above the form.
func summary(err error) string {
	var de *drive.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return ""
}

func wantFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	if got := fieldsOf(t, err); !maps.Equal(got, want) || (got == nil) != (want == nil) {
		t.Errorf("errors %v, want %v", got, want)
	}
}

// The required dates of every form share their messages and their
// parsing: blank, unreadable, the layouts drive.ParseDate reads, and
// space around the date.
func TestRequiredDates(t *testing.T) {
	forms := []struct {
		field string
		read  func(url.Values) (drive.Date, error)
	}{
		{"due_on", func(v url.Values) (drive.Date, error) { f := NewAction(v); return f.Action().DueOn, f.Validate() }},
		{"contact_on", func(v url.Values) (drive.Date, error) { f := NewContact(v); return f.Contact().On, f.Validate() }},
		{"review_on", func(v url.Values) (drive.Date, error) { f := NewReview(v); return f.Review().On, f.Validate() }},
		{"contact_on", func(v url.Values) (drive.Date, error) { f := NewVictimContact(v); return f.On, f.Validate() }},
		{"assessed_on", func(v url.Values) (drive.Date, error) {
			f := NewBehaviour(v)
			return f.Assessment().AssessedOn, f.Validate()
		}},
		{"assessed_on", func(v url.Values) (drive.Date, error) {
			f := NewDASH(v, risk.DASH2009())
			return f.Assessment().AssessedOn, f.Validate()
		}},
		{"marac_on", func(v url.Values) (drive.Date, error) { f := NewMARAC(v); return f.Heard, f.Validate() }},
	}
	day := drive.MustDate("2026-11-02")
	cases := []struct {
		name, value string
		want        drive.Date
		message     string
	}{
		{"missing", "", drive.Date{}, "Enter the date"},
		{"blank", "  \t", drive.Date{}, "Enter the date"},
		{"not a date", "next Tuesday", drive.Date{}, "Enter a real date, for example 2 11 2026"},
		{"no such day", "2026-02-30", drive.Date{}, "Enter a real date, for example 2 11 2026"},
		{"ISO", "2026-11-02", day, ""},
		{"British", "02/11/2026", day, ""},
		{"short British", "2/11/2026", day, ""},
		{"compact", "20261102", day, ""},
		{"spaced", "  2026-11-02\n", day, ""},
	}
	for _, fm := range forms {
		for _, c := range cases {
			t.Run(fm.field+"/"+c.name, func(t *testing.T) {
				v := url.Values{}
				if c.name != "missing" {
					v.Set(fm.field, c.value)
				}
				got, err := fm.read(v)
				if c.message == "" {
					wantFields(t, err, nil)
				} else {
					wantFields(t, err, map[string]string{fm.field: c.message})
					if summary(err) != "Check the date" {
						t.Errorf("summary %q", summary(err))
					}
				}
				if got != c.want {
					t.Errorf("date %v, want %v", got, c.want)
				}
			})
		}
	}
}

// Every form reads an empty post (and no post at all) without failing:
// the handlers build them before anything else looks at the values.
func TestEmptyForms(t *testing.T) {
	for _, v := range []url.Values{nil, {}} {
		NewMove(v).Change()
		NewEngagement(v)
		NewActionStatus(v).Apply(&casework.Action{})
		NewNote(v).Note()
		if err := NewReferral(v).Validate(); err != nil {
			t.Errorf("empty referral: %v", err)
		}
		if err := NewMerge(1, v).Validate(); err == nil {
			t.Error("empty merge accepted")
		}
		if err := NewPerson(v).Validate(); err != nil {
			t.Errorf("empty person: %v", err)
		}
		if err := NewVictim(v).Validate(); err != nil {
			t.Errorf("empty victim: %v", err)
		}
		NewCompartment(v).Compartment()
		NewSafetyPlan(v)
		if err := NewVictimNote(v).Validate(); err != nil {
			t.Errorf("empty note: %v", err)
		}
		NewChild(v).Child()
		NewAllocation(v)
		NewHeldDecision(v)
	}
}

func TestRecordNumbers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"", 0}, {"7", 7}, {"x7", 0}, {"7.0", 0}, {"-3", -3}, {" 7", 0},
		{"9223372036854775807", 9223372036854775807}, {"9223372036854775808", 9223372036854775807},
	} {
		if got := id(url.Values{"n": {c.in}}, "n"); got != c.want {
			t.Errorf("id(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestLines(t *testing.T) {
	got := lines(" Daz \r\n\n  \nD. Hollis\n")
	if len(got) != 2 || got[0] != "Daz" || got[1] != "D. Hollis" {
		t.Errorf("lines = %q", got)
	}
	if lines("") != nil || lines(" \n ") != nil {
		t.Error("blank text has lines")
	}
}

func TestErrorsErr(t *testing.T) {
	if err := (Errors{}).Err("Check"); err != nil {
		t.Errorf("no errors: %v", err)
	}
	err := Errors{"a": "Enter a"}.Err("Check the form")
	var de *drive.Error
	if !errors.As(err, &de) || de.Code != drive.EINVALID || de.Message != "Check the form" || de.Fields["a"] != "Enter a" {
		t.Errorf("err = %#v", err)
	}
}
