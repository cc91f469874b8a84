package victim

import (
	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/schedule"
)

// NextStep says what the IDVA is to do next for a victim-survivor, in a
// sentence for her row on the IDVA's list: allocation first, then a first
// DASH, then the next assessment of her schedule (DASH reviews and the
// behaviour assessments made with her). "" when nothing is due.
func NextStep(c *Case, hasDASH bool, next schedule.Status, today drive.Date) string {
	switch {
	case !c.Open:
		return ""
	case c.IDVAID == 0:
		return "Allocate an IDVA"
	case !hasDASH:
		return "Complete a first DASH assessment"
	case !next.HasNext:
		return ""
	case next.NextOverdue:
		return next.Next.Kind.Label() + " " + next.Next.Code + ", overdue since " + next.Next.Due.Display()
	case next.Next.Due == today:
		return next.Next.Kind.Label() + " " + next.Next.Code + ", due today"
	}
	return next.Next.Kind.Label() + " " + next.Next.Code + ", due " + next.Next.Due.Display()
}
