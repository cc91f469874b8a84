package main

import "testing"

// TestNotificationMail checks the SMTP settings: none means no e-mail; a
// server needs HOST:PORT and a sender.
func TestNotificationMail(t *testing.T) {
	for _, tc := range []struct {
		addr, from string
		ok, mail   bool
	}{
		{"", "", true, false},
		{"", "drive@example.org", true, false},
		{"mail.example.org:25", "drive@example.org", true, true},
		{"mail.example.org", "drive@example.org", false, false},
		{"mail.example.org:25", "", false, false},
	} {
		m, err := notificationMail(tc.addr, tc.from)
		if (err == nil) != tc.ok || (m != nil) != tc.mail {
			t.Errorf("notificationMail(%q, %q) = %v, %v", tc.addr, tc.from, m, err)
		}
		if err != nil && !isUsage(err) {
			t.Errorf("%q: %v is not a usage error", tc.addr, err)
		}
	}
}
