package outcomes

import (
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/voice"
)

func TestVoiceMeasures(t *testing.T) {
	on := drive.MustDate("2026-01-10")
	var outs []voice.Outcome
	// Forty women said physical abuse had happened at intake; at exit 28
	// say it stopped, 10 that it goes on, 2 would rather not say. All but
	// the last 12 feel safer.
	for i := int64(1); i <= 40; i++ {
		t1 := voice.Outcome{VictimCaseID: i, TimePoint: "T1", ReportedOn: on, Physical: voice.Yes, Sexual: voice.No, Stalking: voice.Yes, Controlling: voice.Yes, FeelsSafe: 3}
		t3 := t1
		t3.TimePoint, t3.ReportedOn, t3.FeelsSafe = "T3", on.AddDays(300), 7
		t3.Physical = voice.No
		if i > 28 {
			t3.Physical, t3.FeelsSafe = voice.Yes, 3
		}
		if i > 38 {
			t3.Physical = voice.RatherNotSay
		}
		// Three say stalking stopped: too few to show.
		if i <= 3 {
			t3.Stalking = voice.No
		}
		outs = append(outs, t1, t3)
	}
	// An earlier intake answer of hers is replaced by her latest, and one
	// with no exit answers counts nowhere.
	outs = append(outs, voice.Outcome{VictimCaseID: 1, TimePoint: "T1", ReportedOn: on.AddDays(-30), Physical: voice.No},
		voice.Outcome{VictimCaseID: 99, TimePoint: "T1", ReportedOn: on, Physical: voice.Yes})
	got := map[string]VoiceMeasure{}
	for _, m := range VoiceMeasures(outs, 4) {
		got[m.Code] = m
	}
	if m := got["physical"]; m.Yes.Value != 30 || m.Of.Value != 40 || m.Share != "75%" {
		// 28 published as 30, 38 as 40: the share is of the published counts.
		t.Errorf("physical = %+v", m)
	}
	if m := got["stalking"]; !m.Yes.Suppressed || m.Share != "[c]" || m.Of.Value != 40 {
		t.Errorf("stalking (3 stopped) = %+v", m)
	}
	if m := got["sexual"]; m.Of.Value != 0 || m.Of.Suppressed || m.Share != "[c]" {
		t.Errorf("sexual (nobody at intake) = %+v", m)
	}
	if m := got["feels_safer"]; m.Yes.Value != 30 || m.Of.Value != 40 || m.Share != "75%" {
		t.Errorf("feels safer = %+v", m)
	}
	if got["physical"].Label != "Reports it stopped: physical" {
		t.Errorf("label %q", got["physical"].Label)
	}
	for n, want := range map[int]string{0: "0", 1: "[c]", 7: "[c]", 8: "10", 12: "10", 13: "15"} {
		if c := PublishCount(n, 4); c.String() != want {
			t.Errorf("PublishCount(%d) = %s; want %s", n, c, want)
		}
	}
}
