package casework

import (
	"time"

	"github.com/drive-platform/drive"
)

// Due is what is due on a case as of one day: the figures the caseload,
// the case page, the team dashboard and the JSON API all show. Each is
// defined once here so that no two of them can disagree about a case.
type Due struct {
	// OpenActions counts actions open or in progress (Action.Unfinished).
	OpenActions int
	// OverdueActions counts unfinished actions due before the day
	// (Action.Overdue).
	OverdueActions int
	// LastContact is the latest contact, attempt or session logged, or
	// nil if none has been.
	LastContact *time.Time
	// NextReview is when the case is next to be reviewed; zero before the
	// case starts.
	NextReview drive.Date
	// ReviewOverdue: the case is being worked and its next review fell
	// before the day without one being recorded (Case.ReviewOverdue).
	ReviewOverdue bool
}

// DueOf works out what is due on c as of today from its actions.
func DueOf(c *Case, actions []Action, today drive.Date) Due {
	open, overdue := 0, 0
	for i := range actions {
		if actions[i].Unfinished() {
			open++
		}
		if actions[i].Overdue(today) {
			overdue++
		}
	}
	return DueCounted(c, open, overdue, today)
}

// DueCounted is DueOf for a list, whose query has already counted the
// case's unfinished and overdue actions by the same rules as
// Action.Unfinished and Action.Overdue (status open or in progress; due
// before today), so a list need not load every action.
func DueCounted(c *Case, open, overdue int, today drive.Date) Due {
	return Due{OpenActions: open, OverdueActions: overdue, LastContact: c.LastContactAt, NextReview: c.NextReviewDue,
		ReviewOverdue: c.ReviewOverdue(today)}
}

// ReviewOverdue reports whether a case being worked (active or closing)
// has passed its next review date: due yesterday or before. A review due
// today is due (ReviewDue), not yet overdue.
func (c *Case) ReviewOverdue(today drive.Date) bool {
	return (c.State == Active || c.State == Closing) && !c.NextReviewDue.IsZero() && c.NextReviewDue.Before(today)
}
