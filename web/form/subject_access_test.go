package form

import (
	"net/url"
	"testing"

	"github.com/drive-platform/drive"
)

func TestSubjectAccessRequestForm(t *testing.T) {
	f := NewSubjectAccessRequest(url.Values{"person": {"42"}, "requester": {"  The person "}, "identity_check": {"Passport"}, "received_on": {"2026-11-20"}})
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	r := f.Request()
	if r.SubjectID != 42 || r.Requester != "The person" || r.ReceivedOn != drive.MustDate("2026-11-20") {
		t.Errorf("request %+v", r)
	}
	for name, v := range map[string]url.Values{
		"no date":    {"person": {"42"}},
		"not a date": {"person": {"42"}, "received_on": {"the twentieth"}},
	} {
		if err := NewSubjectAccessRequest(v).Validate(); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if f := NewSubjectAccessRequest(url.Values{"person": {"Darren"}, "received_on": {"2026-11-20"}}); f.PersonID != 0 {
		t.Errorf("a person number that is not a number reads as %d, want 0 (names no one)", f.PersonID)
	}
	if x := NewSubjectAccessRedaction(url.Values{"item": {" note:4 "}, "reason": {" Exemption "}}, false).Redaction(9); x.Item != "note:4" || x.Reason != "Exemption" || x.RequestID != 9 {
		t.Errorf("redaction %+v", x)
	}
	if e := NewSubjectAccessExtension(url.Values{"months": {"three"}, "reason": {"Complex"}}); e.Months != 0 {
		t.Errorf("months that are not a number read as %d", e.Months)
	}
}
