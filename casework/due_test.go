package casework

import (
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

func TestDueOf(t *testing.T) {
	today := drive.MustDate("2026-06-10")
	contact := time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)
	actions := []Action{
		{DueOn: drive.MustDate("2026-06-01"), Status: ActionOpen},
		{DueOn: drive.MustDate("2026-06-09"), Status: ActionInProgress},
		{DueOn: drive.MustDate("2026-06-10"), Status: ActionOpen},
		{DueOn: drive.MustDate("2026-05-01"), Status: ActionDone},
		{DueOn: drive.MustDate("2026-05-01"), Status: ActionCancelled},
	}
	c := &Case{State: Active, LastContactAt: &contact, NextReviewDue: drive.MustDate("2026-06-09")}
	d := DueOf(c, actions, today)
	if d.OpenActions != 3 || d.OverdueActions != 2 {
		t.Errorf("open %d, overdue %d; want 3 and 2", d.OpenActions, d.OverdueActions)
	}
	if d.LastContact == nil || !d.LastContact.Equal(contact) || d.NextReview != c.NextReviewDue || !d.ReviewOverdue {
		t.Errorf("due %+v", d)
	}
	if got := DueCounted(c, 3, 2, today); got != d {
		t.Errorf("counted %+v; from actions %+v", got, d)
	}
}

func TestReviewOverdue(t *testing.T) {
	today := drive.MustDate("2026-06-10")
	for _, tc := range []struct {
		state State
		next  string
		want  bool
	}{
		{Active, "2026-06-09", true},
		{Closing, "2026-05-01", true},
		{Active, "2026-06-10", false}, // due today: due, not overdue
		{Active, "2026-06-11", false},
		{Allocated, "2026-06-01", false},
		{Closed, "2026-06-01", false},
		{Active, "", false},
	} {
		c := &Case{State: tc.state}
		if tc.next != "" {
			c.NextReviewDue = drive.MustDate(tc.next)
		}
		if got := c.ReviewOverdue(today); got != tc.want {
			t.Errorf("%s, next review %q: overdue=%v; want %v", tc.state, tc.next, got, tc.want)
		}
	}
}
