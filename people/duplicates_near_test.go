package people

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

// TestBirthDatesNear holds BirthDatesNear to exactly the dates
// dateSimilarity scores 0.8 or more against, found by trying every date in
// every year that differs from the date's year in at most two digits (a
// date further away differs in more than two characters, which
// dateSimilarity never accepts).
func TestBirthDatesNear(t *testing.T) {
	samples := []string{"1980-01-01", "1985-11-12", "1999-12-31", "2001-02-28", "1975-07-07", "1990-10-10", "1964-03-21", "2000-02-29"}
	r := rand.New(rand.NewPCG(7, 11))
	for len(samples) < 14 {
		samples = append(samples, drive.MustDate("1940-01-01").AddDays(r.IntN(30000)).String())
	}
	for _, s := range samples {
		d := drive.MustDate(s)
		var want []drive.Date
		for y := 0; y <= 9999; y++ {
			ys, dys := fmt.Sprintf("%04d", y), fmt.Sprintf("%04d", d.Year)
			diff := 0
			for i := range ys {
				if ys[i] != dys[i] {
					diff++
				}
			}
			if diff > 2 {
				continue
			}
			for e := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); e.Year() == y; e = e.AddDate(0, 0, 1) {
				if dateSimilarity(d, drive.DateOf(e)) >= 0.8 {
					want = append(want, drive.DateOf(e))
				}
			}
		}
		got := BirthDatesNear(d)
		less := func(a, b drive.Date) int { return a.Time().Compare(b.Time()) }
		slices.SortFunc(got, less)
		slices.SortFunc(want, less)
		if !slices.Equal(got, want) {
			t.Errorf("BirthDatesNear(%s) = %v; want %v", s, got, want)
		}
	}
	if BirthDatesNear(drive.Date{}) != nil {
		t.Error("BirthDatesNear of no date is not nil")
	}
}

// TestDuplicatesNeedNearBirthDate is the claim BirthDatesNear rests on: a
// record with the very same names but a known date of birth outside the
// near dates, and no shared police reference, is never a candidate.
func TestDuplicatesNeedNearBirthDate(t *testing.T) {
	p := &Person{GivenName: "Darren", FamilyName: "Hollis", DateOfBirth: drive.MustDate("1984-06-15"), PoliceRef: "NM/1"}
	near := BirthDatesNear(p.DateOfBirth)
	var far, close []*Person
	for i := -400; i <= 400; i++ {
		d := p.DateOfBirth.AddDays(i * 7)
		e := &Person{ID: int64(i + 1000), GivenName: "Darren", FamilyName: "Hollis", Aliases: []string{"Darren Hollis"}, DateOfBirth: d, PoliceRef: "NM/2"}
		if slices.Contains(near, d) {
			close = append(close, e)
		} else {
			far = append(far, e)
		}
	}
	if got := Duplicates(p, far); len(got) != 0 {
		t.Errorf("%d records with other dates of birth are candidates, e.g. %+v", len(got), got[0].Person)
	}
	for i, d := range near {
		close = append(close, &Person{ID: int64(i + 5000), GivenName: "Darren", FamilyName: "Hollis", DateOfBirth: d, PoliceRef: "NM/2"})
	}
	if got := Duplicates(p, close); len(close) < 20 || len(got) != len(close) {
		t.Errorf("%d of %d records with near dates of birth are candidates; want all", len(got), len(close))
	}
}
