package web

import "testing"

func TestPronounsFollowTheRecord(t *testing.T) {
	for gender, want := range map[string]string{
		"female": "she her her", "male": "he him his", "non_binary": "they them their",
		"other": "they them their", "not_known": "they them their", "": "they them their",
	} {
		p := pronounsFor(gender)
		if got := p.They + " " + p.Them + " " + p.Their; got != want {
			t.Errorf("%q: %q, want %q", gender, got, want)
		}
	}
}
