package incident

import (
	"strings"
	"testing"
)

// FuzzReadMARAC checks any input gives hearings, row errors or a file
// error, never nothing; and that a list read without row errors holds
// only what validation promises.
func FuzzReadMARAC(f *testing.F) {
	f.Add(maracHeader + "M-1,2026-01-01,Sam,Example,1990-05-01,Darren,Hollis,1984-02-11,nm4 2xy\n")
	f.Add(maracHeader + "M-1,2026-01-01,,,,,Hollis,,\nM-1,01/01/2026,,,,,Hollis,,\n")
	f.Add("ref,heard_on\n\"unterminated\n")
	f.Add("\ufeffref,heard_on,victim_given,victim_family,perpetrator_given,perpetrator_family,victim_address\nM,20260101,a,b,c,d,1 Road\n")
	f.Fuzz(func(t *testing.T, in string) {
		hs, errs, err := ReadMARAC(strings.NewReader(in), DefaultMARACMapping(), today)
		if err != nil {
			if hs != nil || errs != nil {
				t.Fatalf("a file error with %d hearings and %d row errors", len(hs), len(errs))
			}
			return
		}
		if len(hs) == 0 && len(errs) == 0 {
			t.Fatal("no hearings, no errors and no error")
		}
		for _, e := range errs {
			if e.Line < 2 || e.Field == "" || e.Message == "" {
				t.Fatalf("row error without a line, column or message: %+v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		seen := map[string]bool{}
		for _, h := range hs {
			if h.Ref == "" || len(h.Ref) > 64 || h.HeardOn.IsZero() || h.HeardOn.After(today) || h.Perpetrator.FamilyName == "" {
				t.Fatalf("an invalid hearing passed: %+v", h)
			}
			if h.Victim.Postcode != "" || h.Victim.Age != 0 || h.Perpetrator.Age != 0 {
				t.Fatalf("a hearing keeps what it must not: %+v", h)
			}
			if h.Victim.DOB.After(h.HeardOn) || h.Perpetrator.DOB.After(h.HeardOn) {
				t.Fatalf("a date of birth after the hearing passed: %+v", h)
			}
			key := h.Ref + "\x00" + h.HeardOn.String()
			if seen[key] {
				t.Fatalf("hearing %s on %s passed twice", h.Ref, h.HeardOn)
			}
			seen[key] = true
		}
	})
}

// FuzzParseMARACMapping checks a mapping either fails or maps every
// field, and only the list's fields, to a non-empty header.
func FuzzParseMARACMapping(f *testing.F) {
	f.Add(`{"ref":"MARAC No"}`)
	f.Add(`{"victim_address":"Address"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseMARACMapping([]byte(in))
		if err != nil {
			return
		}
		if len(m) != len(MARACFields()) {
			t.Fatalf("mapping has %d fields; want %d", len(m), len(MARACFields()))
		}
		for _, field := range MARACFields() {
			if strings.TrimSpace(m[field]) == "" {
				t.Fatalf("field %s maps to an empty header", field)
			}
		}
	})
}
