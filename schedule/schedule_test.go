package schedule

import (
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/programme"
)

var d = drive.MustDate

func codes(pts []Point) []string {
	var out []string
	for _, p := range pts {
		out = append(out, p.Code+"@"+p.Due.String())
	}
	return out
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBehaviourDueDates(t *testing.T) {
	start := d("2026-01-05")
	for _, tc := range []struct {
		name string
		prog *programme.Programme
		c    Course
		want []string
	}{
		{"not started", programme.Drive(), Course{}, nil},
		{"open Drive case", programme.Drive(), Course{Start: start}, []string{"T1@2026-01-05", "T2@2026-05-25", "T3@", "F@"}},
		{"closed Drive case", programme.Drive(), Course{Start: start, Closed: d("2026-11-02")},
			[]string{"T1@2026-01-05", "T2@2026-05-25", "T3@2026-11-02", "F@2027-11-08"}},
		{"closed before the mid-point", programme.Drive(), Course{Start: start, Closed: d("2026-03-02")},
			[]string{"T1@2026-01-05", "T3@2026-03-02", "F@2027-11-08"}},
		{"Restart's own points", programme.Restart(), Course{Start: start, Closed: d("2026-03-02")},
			[]string{"T1@2026-01-05", "T3@2026-03-02", "F@2026-07-06"}},
		{"follow-up never before closure", programme.Restart(), Course{Start: start, Closed: d("2026-09-07")},
			[]string{"T1@2026-01-05", "T3@2026-09-07", "F@2026-09-07"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := codes(Behaviours(tc.prog, tc.c, nil).Points)
			if !same(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBehaviourNextAndOverdue(t *testing.T) {
	c := Course{Start: d("2026-01-05")}
	s := Behaviours(programme.Drive(), c, map[string]drive.Date{"T1": d("2026-01-10")})
	next, ok := s.Next()
	if !ok || next.Code != "T2" || next.Due != d("2026-05-25") {
		t.Fatalf("next = %+v, %v; want T2 on 2026-05-25", next, ok)
	}
	if n := len(s.Overdue(d("2026-05-25"))); n != 0 {
		t.Errorf("overdue on its due day: %d, want 0", n)
	}
	if o := s.Overdue(d("2026-05-26")); len(o) != 1 || o[0].Code != "T2" {
		t.Errorf("overdue the day after = %v, want T2", codes(o))
	}
	if got := codes(s.DueOn(d("2026-05-25"))); !same(got, []string{"T2@2026-05-25"}) {
		t.Errorf("due on the day = %v", got)
	}
	if got := s.DueOn(d("2026-01-05")); len(got) != 0 {
		t.Errorf("a done point fell due: %v", codes(got))
	}
	st := StatusOf(d("2026-06-01"), s)
	if !st.HasNext || !st.NextOverdue || st.Overdue != 1 || st.Next.Code != "T2" {
		t.Errorf("status = %+v", st)
	}
	// Nothing outstanding: every dated point done; exit waits for closure.
	s = Behaviours(programme.Drive(), c, map[string]drive.Date{"T1": d("2026-01-10"), "T2": d("2026-05-20")})
	if p, ok := s.Next(); ok {
		t.Errorf("next = %+v, want none until closure", p)
	}
}

func TestDASHReviews(t *testing.T) {
	c := Course{Start: d("2026-01-05"), Closed: d("2026-11-02")}
	for _, tc := range []struct {
		name     string
		assessed []string
		done     []string // codes done
	}{
		{"none", nil, nil},
		{"the referral's DASH is the baseline", []string{"2025-12-01"}, []string{"T1"}},
		{"one inside each window", []string{"2025-12-01", "2026-05-10", "2026-10-20"}, []string{"T1", "T2", "T3"}},
		{"too early for the mid-point counts for nothing", []string{"2025-12-01", "2026-03-01"}, []string{"T1"}},
		{"a late mid-point review still counts", []string{"2026-01-05", "2026-07-01"}, []string{"T1", "T2"}},
		{"a review in the exit window is not the mid-point", []string{"2026-01-05", "2026-10-20"}, []string{"T1", "T3"}},
		{"one review counts once", []string{"2026-05-20"}, []string{"T2"}},
		{"order given does not matter", []string{"2026-10-20", "2026-01-05"}, []string{"T1", "T3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var days []drive.Date
			for _, s := range tc.assessed {
				days = append(days, d(s))
			}
			var got []string
			for _, p := range DASHReviews(programme.Drive(), c, days).Points {
				if p.Done {
					got = append(got, p.Code)
				}
				if p.Kind != DASH {
					t.Errorf("kind = %q", p.Kind)
				}
			}
			if !same(got, tc.done) {
				t.Errorf("done %v, want %v", got, tc.done)
			}
		})
	}
}

func TestStatusOfSeveral(t *testing.T) {
	asOf := d("2026-06-10")
	a := Behaviours(programme.Drive(), Course{Start: d("2026-01-05")}, nil)  // T1 and T2 overdue
	b := DASHReviews(programme.Drive(), Course{Start: d("2025-12-01")}, nil) // T1 and T2 overdue, T1 earliest
	st := StatusOf(asOf, a, b)
	if st.Overdue != 4 || st.Next.Kind != DASH || st.Next.Code != "T1" || st.Next.Due != d("2025-12-01") {
		t.Errorf("status = %+v", st)
	}
	if st := StatusOf(asOf); st.HasNext || st.Overdue != 0 {
		t.Errorf("empty status = %+v", st)
	}
}
