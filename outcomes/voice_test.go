package outcomes

import (
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/voice"
)

func TestVoiceMeasures(t *testing.T) {
	on := drive.MustDate("2026-01-10")
	var outs []voice.Outcome
	// Ten women said physical abuse had happened at intake; at exit seven
	// say it stopped, two that it goes on, one would rather not say. Each
	// feels safer except the last three.
	for i := int64(1); i <= 10; i++ {
		t1 := voice.Outcome{VictimCaseID: i, TimePoint: "T1", ReportedOn: on, Physical: voice.Yes, Sexual: voice.No, Stalking: voice.Yes, Controlling: voice.Yes, FeelsSafe: 3}
		t3 := t1
		t3.TimePoint, t3.ReportedOn, t3.FeelsSafe = "T3", on.AddDays(300), 7
		t3.Physical = voice.No
		if i > 7 {
			t3.Physical, t3.FeelsSafe = voice.Yes, 3
		}
		if i == 10 {
			t3.Physical = voice.RatherNotSay
		}
		t3.Stalking = voice.No
		if i > 8 {
			t3.Stalking = voice.Yes
		}
		outs = append(outs, t1, t3)
	}
	// One with no exit answers counts nowhere.
	outs = append(outs, voice.Outcome{VictimCaseID: 99, TimePoint: "T1", ReportedOn: on, Physical: voice.Yes})
	got := map[string]VoiceMeasure{}
	for _, m := range VoiceMeasures(outs, 4) {
		got[m.Code] = m
	}
	if m := got["physical"]; m.Yes.Value != 7 || m.Of.Value != 9 || m.Share != "[c]" || !m.Of.Suppressed && !m.Yes.Suppressed {
		// 7 stopped, 2 not: the 2 is withheld, and then 7 too (or the
		// total), so the share cannot be shown.
		t.Errorf("physical = %+v", m)
	}
	if m := got["sexual"]; m.Of.Value != 0 || m.Share != "[c]" {
		t.Errorf("sexual (nobody at intake) = %+v", m)
	}
	if m := got["feels_safer"]; m.Yes.Value != 7 || m.Of.Value != 10 || m.Share != "[c]" {
		t.Errorf("feels safer = %+v", m)
	}
	if m := VoiceMeasures(outs, 0); m[0].Share != "78%" || m[len(m)-1].Share != "70%" {
		t.Errorf("unsuppressed shares %s, %s; want 78%% and 70%%", m[0].Share, m[len(m)-1].Share)
	}
	if m := got["stalking"]; m.Yes.Value != 8 || m.Of.Value != 10 {
		t.Errorf("stalking = %+v", m)
	}
	if got["physical"].Label != "She reports it stopped: physical" {
		t.Errorf("label %q", got["physical"].Label)
	}
}
