package linkage

import (
	"context"
	"math"
	"testing"
)

// TestDiagnoseAccountsForEveryError links synthetic people and checks that
// the diagnosis accounts for every missed true pair, once, at one stage;
// that its calibration covers every candidate pair; and that the model's
// probabilities are near the true share of matches among confident pairs
// either way (the learned weights are meant to be probabilities, not scores).
func TestDiagnoseAccountsForEveryError(t *testing.T) {
	recs := synthRecords(20000)
	rows := make([][]string, len(recs))
	truth := make([]string, len(recs))
	for i, r := range recs {
		rows[i], truth[i] = r[1:6], r[6]
	}
	res, err := Link(context.Background(), addPeople(t, rows...), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	d, err := res.Diagnose(context.Background(), truth)
	if err != nil {
		t.Fatal(err)
	}
	if d.Undiagnosed != 0 {
		t.Errorf("%d pairs undiagnosed", d.Undiagnosed)
	}
	if got, want := d.Missed.Total(), d.Scores.TruePairs-d.Scores.CorrectPairs; got != want || want == 0 {
		t.Errorf("missed pairs by stage add up to %d (%+v), want %d", got, d.Missed, want)
	}
	var patterns int64
	for _, p := range d.MissedPatterns {
		patterns += p.Pairs
		if len(p.Levels) != 5 || p.Stage == "" {
			t.Errorf("missed pattern %+v", p)
		}
	}
	if compared := d.Missed.BelowHalf + d.Missed.BelowThreshold + d.Missed.KeptApart; patterns > compared || patterns == 0 {
		t.Errorf("missed patterns hold %d pairs, of %d missed and compared", patterns, compared)
	}
	var uncompared int64
	for _, p := range d.UncomparedPatterns {
		uncompared += p.Pairs
		if p.Stage != "no shared key" && p.Stage != "block skipped" || p.MeanWeight < weightFor(res.Model.Threshold) {
			t.Errorf("never-compared pattern %+v", p)
		}
	}
	if uncompared > d.Missed.WouldLink {
		t.Errorf("never-compared patterns hold %d pairs, of %d that would link", uncompared, d.Missed.WouldLink)
	}
	var falsePatterns int64
	for _, p := range d.FalsePatterns {
		falsePatterns += p.Pairs
	}
	if wrong := d.Scores.PredictedPairs - d.Scores.CorrectPairs; falsePatterns > wrong || falsePatterns == 0 {
		t.Errorf("false patterns hold %d pairs, of %d false pairs", falsePatterns, wrong)
	}
	var pairs, sure, sureTrue, unlikely, unlikelyTrue int64
	for _, b := range d.Calibration {
		pairs += b.Pairs
		if b.TruePairs > b.Pairs {
			t.Errorf("bin %+v holds more true pairs than pairs", b)
		}
		switch {
		case b.From >= 4:
			sure += b.Pairs
			sureTrue += b.TruePairs
		case b.To <= -4:
			unlikely += b.Pairs
			unlikelyTrue += b.TruePairs
		}
	}
	if pairs != res.Stats.CandidatePairs {
		t.Errorf("calibration holds %d pairs, the run compared %d", pairs, res.Stats.CandidatePairs)
	}
	// Weights of 4 bits and more are probabilities of 0.94 and more; -4
	// and less, 0.06 and less.
	if share := float64(sureTrue) / float64(sure); share < 0.94 {
		t.Errorf("pairs at +4 bits and more: %.3f truly one person", share)
	}
	if share := float64(unlikelyTrue) / float64(unlikely); share > 0.06 {
		t.Errorf("pairs at -4 bits and less: %.3f truly one person", share)
	}
	if _, err := res.Diagnose(context.Background(), truth[1:]); err == nil {
		t.Error("a truth key short: no error")
	}
}

// TestDiagnoseTellsBlockingLossesApart links with one blocking rule, the
// date of birth, and a block limit of three records: a person whose two
// records have different dates is never compared for want of a shared key,
// and one whose date is shared by four records, for a skipped block.
func TestDiagnoseTellsBlockingLossesApart(t *testing.T) {
	rows := [][]string{
		{"Marlon", "Quigley", "1970-01-02", "LS1 1AA", "Leeds"},
		{"Marlon", "Quigley", "1971-05-06", "LS1 1AA", "Leeds"}, // same man, date differs
		{"Ada", "Brennan", "1980-03-03", "M1 1AA", "Manchester"},
		{"Ada", "Brennan", "1980-03-03", "M1 1AA", "Manchester"}, // same woman, in a block of four
		{"Colm", "Ferris", "1980-03-03", "B1 1AA", "Birmingham"},
		{"Nia", "Okafor", "1980-03-03", "CF1 1AA", "Cardiff"},
		{"Tess", "Varga", "1990-07-08", "NE1 1AA", "Newcastle"},
		{"Tess", "Varga", "1990-07-08", "NE1 1AA", "Newcastle"}, // same woman, compared
	}
	truth := []string{"m", "m", "a", "a", "c", "n", "t", "t"}
	res, err := Link(context.Background(), addPeople(t, rows...), Options{Seed: 1, MaxBlockSize: 3, Blocking: []BlockingRule{{Keys: []BlockingKey{{Fields: []string{"dob"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := res.Diagnose(context.Background(), truth)
	if err != nil {
		t.Fatal(err)
	}
	if d.Missed.NoSharedKey != 1 || d.Missed.BlockSkipped != 1 {
		t.Errorf("missed %+v; want one pair without a shared key, one in a skipped block", d.Missed)
	}
	// Ada Brennan's two records agree on everything: they would link.
	if d.Missed.WouldLink < 1 || len(d.UncomparedPatterns) < 1 || d.UncomparedPatterns[0].Stage != "block skipped" && d.UncomparedPatterns[len(d.UncomparedPatterns)-1].Stage != "block skipped" {
		t.Errorf("never compared that would link: %d, patterns %+v", d.Missed.WouldLink, d.UncomparedPatterns)
	}
	if d.Scores.CorrectPairs != 1 || d.Scores.TruePairs != 3 {
		t.Errorf("scores %+v; want the one compared pair found", d.Scores)
	}
	for _, b := range d.Calibration {
		if b.Pairs != 1 || b.TruePairs != 1 || math.IsInf(b.From, -1) {
			t.Errorf("calibration %+v; want the one compared pair, a true one", d.Calibration)
		}
	}
}
