package victim

import (
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/schedule"
)

func TestNextStep(t *testing.T) {
	today := drive.MustDate("2026-11-23")
	point := func(due string) schedule.Point {
		return schedule.Point{Kind: schedule.DASH, Code: "T2", Due: drive.MustDate(due)}
	}
	for _, tc := range []struct {
		c    Case
		dash bool
		next schedule.Status
		want string
	}{
		{Case{Open: true}, false, schedule.Status{}, "Allocate an IDVA"},
		{Case{Open: true, IDVAID: 3}, false, schedule.Status{}, "Complete a first DASH assessment"},
		{Case{Open: true, IDVAID: 3}, true, schedule.Status{HasNext: true, Next: point("2026-12-01")}, "DASH review T2, due 1 December 2026"},
		{Case{Open: true, IDVAID: 3}, true, schedule.Status{HasNext: true, Next: point("2026-11-23")}, "DASH review T2, due today"},
		{Case{Open: true, IDVAID: 3}, true, schedule.Status{HasNext: true, NextOverdue: true, Next: point("2026-11-01")}, "DASH review T2, overdue since 1 November 2026"},
		{Case{Open: true, IDVAID: 3}, true, schedule.Status{}, ""},
		{Case{Open: false}, false, schedule.Status{}, ""},
	} {
		if got := NextStep(&tc.c, tc.dash, tc.next, today); got != tc.want {
			t.Errorf("%+v dash=%v: %q; want %q", tc.c, tc.dash, got, tc.want)
		}
	}
}
