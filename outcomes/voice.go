package outcomes

import (
	"strconv"

	"github.com/drive-platform/drive/suppress"
	"github.com/drive-platform/drive/voice"
)

// Her own measures: what victim-survivors report themselves (package
// voice), beside the practitioners' behaviour assessments. Only answers
// joined to her IDVA case can be paired from intake to exit; anonymous
// answers are counted elsewhere and never here.

// VoiceDefinition says how the measures below are computed.
const VoiceDefinition = "Among victim-survivors who gave their own answers at intake (T1) and at exit (T3), " +
	"with their IDVA or themselves and joined to their case: for each kind, of those who said it had happened at intake and " +
	"answered at exit, the share who said it had not happened since; and of all with both, the share who feel safer " +
	"(a higher score out of 10). Each one's latest answers at each time point are used."

// VoiceMeasure is one of her measures: Of is the N behind it, Yes the
// count meeting it, both published by the report's rules (withheld from 1
// to 7, the rest rounded to 5; see doc.go), so her measures are held to
// exactly the suppression of the practitioners' beside them.
type VoiceMeasure struct {
	Code  string
	Label string
	Yes   Count
	Of    Count
	// Share is Yes as a percentage of Of, or "[c]" when either is
	// withheld or there is nobody to count.
	Share string
}

// VoiceMeasures computes her measures from reported outcomes (any order,
// any number of victim-survivors), publishing counts by the report's rules
// for threshold (PublishCount). Each share is worked out from the
// published counts, never the true ones.
func VoiceMeasures(outs []voice.Outcome, threshold int) []VoiceMeasure {
	type pair struct{ t1, t3 *voice.Outcome }
	pairs := map[int64]*pair{}
	for i := range outs {
		o := &outs[i]
		p := pairs[o.VictimCaseID]
		if p == nil {
			p = &pair{}
			pairs[o.VictimCaseID] = p
		}
		latest := func(cur *voice.Outcome) *voice.Outcome {
			if cur == nil || !o.ReportedOn.Before(cur.ReportedOn) {
				return o
			}
			return cur
		}
		switch o.TimePoint {
		case "T1":
			p.t1 = latest(p.t1)
		case "T3":
			p.t3 = latest(p.t3)
		}
	}
	var out []VoiceMeasure
	for _, k := range voice.Kinds() {
		stopped, of := 0, 0
		for _, p := range pairs {
			if p.t1 == nil || p.t3 == nil || p.t1.Answer(k.Code) != voice.Yes {
				continue
			}
			switch p.t3.Answer(k.Code) {
			case voice.No:
				stopped++
				of++
			case voice.Yes:
				of++
			}
		}
		out = append(out, measure(k.Code, "Reports it stopped: "+lower(k.Label), stopped, of, threshold))
	}
	safer, both := 0, 0
	for _, p := range pairs {
		if p.t1 != nil && p.t3 != nil {
			both++
			if p.t3.FeelsSafe > p.t1.FeelsSafe {
				safer++
			}
		}
	}
	return append(out, measure("feels_safer", "Feels safer", safer, both, threshold))
}

func measure(code, label string, yes, of, threshold int) VoiceMeasure {
	m := VoiceMeasure{Code: code, Label: label, Yes: PublishCount(yes, threshold), Of: PublishCount(of, threshold), Share: suppress.Withheld}
	if !m.Yes.Suppressed && !m.Of.Suppressed && m.Of.Value >= DefaultMinDenominator {
		m.Share = strconv.Itoa((m.Yes.Value*100+m.Of.Value/2)/m.Of.Value) + "%"
	}
	return m
}

// PublishCount publishes one count by the outcome reports' rules for
// threshold: 0 as 0, withheld from 1 to the rounding limit (7 for the
// default threshold of 4), otherwise rounded to the nearest
// RoundingBase. Pages that show counts of what survivors said use it, so
// a count watched from one week to the next does not move by one when one
// woman answers.
func PublishCount(n, threshold int) Count {
	return rules{threshold: max(threshold, 0), base: RoundingBase}.count(n)
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}
