package demo

import "testing"

func TestSayFitsThePeople(t *testing.T) {
	text := "{P.they} {p.has} been seen outside; {p.they} want{p.s} contact with {v.them}, and {v.they} {v.is} afraid of {p.them}. {V.their} sister knows."
	for _, c := range []struct {
		p, v, want string
	}{
		{"male", "female", "He has been seen outside; he wants contact with her, and she is afraid of him. Her sister knows."},
		{"female", "male", "She has been seen outside; she wants contact with him, and he is afraid of her. His sister knows."},
		{"non_binary", "not_known", "They have been seen outside; they want contact with them, and they are afraid of them. Their sister knows."},
	} {
		if got := say(text, pronounsOf(c.p), pronounsOf(c.v)); got != c.want {
			t.Errorf("%s and %s:\n got %q\nwant %q", c.p, c.v, got, c.want)
		}
	}
}
