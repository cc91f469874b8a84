package form

import (
	"net/url"
	"testing"
)

func TestPoliceLink(t *testing.T) {
	f := NewPoliceLink(url.Values{"link": {"42"}, "decision": {"confirm"}})
	if f.Validate() != nil || f.LinkID != 42 || !f.Confirm {
		t.Errorf("confirm: %+v", f)
	}
	f = NewPoliceLink(url.Values{"link": {"42"}, "decision": {"reject"}})
	if f.Validate() != nil || f.Confirm {
		t.Errorf("reject: %+v", f)
	}
	if f := NewPoliceLink(url.Values{"link": {"x"}, "decision": {"maybe"}}); f.Validate() == nil || f.LinkID != 0 {
		t.Errorf("no decision: %+v", f)
	}
}
