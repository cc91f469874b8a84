package service

import (
	"slices"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
)

// TestCaseloadSort orders a caseload by each of what is due, the
// missing values last (or, for contact, the never-contacted first).
func TestCaseloadSort(t *testing.T) {
	today := drive.MustDate("2026-11-23")
	at := func(days int) *time.Time { x := today.AddDays(days).Time(); return &x }
	rows := []CaseRow{
		{PersonName: "Ann", Case: casework.Case{ID: 1, State: casework.Active, LastContactAt: at(-2), NextReviewDue: today.AddDays(5)}, OverdueActions: 1},
		{PersonName: "Ben", Case: casework.Case{ID: 2, State: casework.Active, LastContactAt: nil, NextReviewDue: today.AddDays(-3)}, OverdueActions: 0},
		{PersonName: "Cal", Case: casework.Case{ID: 3, State: casework.Allocated, LastContactAt: at(-30)}, OverdueActions: 4},
		{PersonName: "Dee", Case: casework.Case{ID: 4, State: casework.Active, LastContactAt: at(-9), NextReviewDue: today}, OverdueActions: 1},
	}
	for _, tc := range []struct {
		key, got string
		want     []int64
	}{
		{"name", "name", []int64{1, 2, 3, 4}},
		{"-name", "-name", []int64{4, 3, 2, 1}},
		{"contact", "contact", []int64{2, 3, 4, 1}},
		{"review", "review", []int64{2, 4, 1, 3}},
		{"-review", "-review", []int64{3, 1, 4, 2}},
		{"actions", "actions", []int64{3, 1, 4, 2}},
		{"nonsense", "name", []int64{1, 2, 3, 4}},
	} {
		cl := &Caseload{Rows: slices.Clone(rows)}
		slices.Reverse(cl.Rows)
		got := cl.Sort(tc.key, today)
		var ids []int64
		for _, r := range cl.Rows {
			ids = append(ids, r.Case.ID)
		}
		if got != tc.got || !slices.Equal(ids, tc.want) {
			t.Errorf("sort %q: %q %v; want %q %v", tc.key, got, ids, tc.got, tc.want)
		}
	}
}
