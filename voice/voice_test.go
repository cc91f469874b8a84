package voice

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c, err := NewCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != CodeLength+1 || c[5] != '-' || NormaliseCode(c) == "" {
			t.Fatalf("code %q is not two groups of five from the alphabet", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
	}
	c, _ := NewCode(bytes.NewReader(bytes.Repeat([]byte{0}, 20)))
	if c != "AAAAA-AAAAA" {
		t.Errorf("all-zero randomness gave %q", c)
	}
	// Bytes at or above the last whole multiple of the alphabet are drawn again.
	c, _ = NewCode(bytes.NewReader(append(bytes.Repeat([]byte{255}, 3), bytes.Repeat([]byte{1}, 10)...)))
	if c != "BBBBB-BBBBB" {
		t.Errorf("rejection sampling gave %q", c)
	}
	if _, err := NewCode(bytes.NewReader(nil)); err == nil {
		t.Error("no randomness gave a code")
	}
	for in, want := range map[string]string{"abcde-fghjk": "ABCDEFGHJK", " ABCDE FGHJK ": "ABCDEFGHJK", "ABCDE-FGHJ": "", "ABCDE-FGHJ0": "", "ABCDE-FGHJI": "", "": ""} {
		if got := NormaliseCode(in); got != want {
			t.Errorf("NormaliseCode(%q) = %q; want %q", in, got, want)
		}
	}
	if HashCode("abcde fghjk") != HashCode("ABCDE-FGHJK") || len(HashCode("ABCDE-FGHJK")) != 64 || HashCode("nope") != "" {
		t.Error("HashCode does not hash the normalised code")
	}
	if strings.Contains(HashCode("ABCDE-FGHJK"), "ABCDE") {
		t.Error("the hash carries the code")
	}
}

func TestOutcomeValidate(t *testing.T) {
	today := drive.MustDate("2026-11-23")
	good := Outcome{TimePoint: "T1", ReportedOn: today, Source: FromHerself, Physical: Yes, Sexual: No, Stalking: RatherNotSay, Controlling: No, FeelsSafe: 0}
	if err := good.Validate(today); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(o *Outcome){
		"time_point":      func(o *Outcome) { o.TimePoint = "T4" },
		"reported_on":     func(o *Outcome) { o.ReportedOn = today.AddDays(1) },
		"source":          func(o *Outcome) { o.Source = "police" },
		"sexual":          func(o *Outcome) { o.Sexual = "" },
		"feels_safe":      func(o *Outcome) { o.FeelsSafe = 11 },
		"quality_of_life": func(o *Outcome) { o.QualityOfLife = 6 },
		"confidence":      func(o *Outcome) { o.Confidence = -1 },
	} {
		o := good
		change(&o)
		err := o.Validate(today)
		if drive.ErrorCode(err) != drive.EINVALID || err.(*drive.Error).Fields[name] == "" {
			t.Errorf("%s: %v; want EINVALID on the field", name, err)
		}
	}
}

func TestCompareAndViews(t *testing.T) {
	a := Outcome{Physical: Yes, Sexual: No, Stalking: Yes, Controlling: RatherNotSay, FeelsSafe: 2}
	b := Outcome{Physical: No, Sexual: Yes, Stalking: Yes, Controlling: No, FeelsSafe: 6}
	c := Compare(&a, &b)
	if len(c.Stopped) != 1 || c.Stopped[0] != "Physical" || len(c.Started) != 1 || c.Started[0] != "Sexual" || c.SafeBy != 4 {
		t.Errorf("Compare = %+v", c)
	}
	v := Views{Ratings: map[string]Rating{"listened": "maybe"}}
	if err := v.Validate(); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("bad rating: %v", err)
	}
	v = Views{Ratings: map[string]Rating{"listened": ""}, Text: "  "}
	if err := v.Validate(); err != nil || !v.Empty() {
		t.Errorf("blank views: %v, empty %v", err, v.Empty())
	}
	if Month(drive.MustDate("2026-01-31")) != "2026-01" {
		t.Error("Month")
	}
}
