package identify_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/linkage"
)

// extendInChunks resolves the first full records in one go, as a site's
// first import is, and links the rest to them a chunk at a time with
// Extend, each chunk against everything linked before it, as a large
// import does. It returns each record's suspect, as a number.
func extendInChunks(t *testing.T, recs []incident.Record, full, chunk int) (suspects []int, merges int) {
	t.Helper()
	first, model, err := identify.ResolveWithModel(context.Background(), recs[:full], 1)
	if err != nil {
		t.Fatal(err)
	}
	person := make([]int64, len(recs))
	for i, in := range first {
		n, _ := strconv.Atoi(in.SuspectID[1:])
		person[i] = int64(n)
	}
	next := int64(len(recs) + 1) // numbers for new people, above any full one
	for lo := full; lo < len(recs); lo += chunk {
		hi := min(lo+chunk, len(recs))
		var known []identify.Known
		for i := range lo {
			known = append(known, identify.Known{Person: recs[i].Suspect, ID: person[i]})
		}
		fresh := make([]incident.Person, 0, hi-lo)
		for _, r := range recs[lo:hi] {
			fresh = append(fresh, r.Suspect)
		}
		ext, err := identify.Extend(model, known, fresh, identify.ExtendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		newIDs := map[int64]int64{}
		for j, into := range ext.Into {
			switch {
			case into > 0:
				person[lo+j] = into
			case into < 0:
				if newIDs[into] == 0 {
					newIDs[into], next = next, next+1
				}
				person[lo+j] = newIDs[into]
			}
		}
		for from, to := range ext.Merged {
			merges++
			for i := range lo {
				if person[i] == from {
					person[i] = to
				}
			}
		}
	}
	out := make([]int, len(recs))
	for i, p := range person {
		out[i] = int(p)
	}
	return out, merges
}

// TestExtendAgreesWithFullResolution links a synthetic force's extract
// in full, and again as a first import of a fifth of it followed by the
// rest in chunks linked incrementally (Extend), and compares the two
// answers pair by pair: the incremental answer must agree with the full
// one on nearly every pair of mentions, and be as close to the truth.
// Exactness is not possible (see the comment at the top of extend.go);
// the bounds below are what it must not fall under, with the figures this
// data gives logged.
func TestExtendAgreesWithFullResolution(t *testing.T) {
	recs, truth := synth.Generate(synth.Config{Incidents: 6000, Seed: 7, End: drive.Date{Year: 2026, Month: 11, Day: 30}})
	full, err := identify.Resolve(context.Background(), recs, 1)
	if err != nil {
		t.Fatal(err)
	}
	fullKeys := make([]string, len(recs))
	fullNums := make([]int, len(recs))
	trueKeys := make([]string, len(recs))
	for i, in := range full {
		fullKeys[i] = in.SuspectID
		fullNums[i], _ = strconv.Atoi(in.SuspectID[1:])
		trueKeys[i] = strconv.Itoa(truth.Suspect[i])
	}
	inc, merges := extendInChunks(t, recs, 1200, 1000)

	agree := linkage.PairwiseScores(fullKeys, inc)
	fullTruth := linkage.PairwiseScores(trueKeys, fullNums)
	incTruth := linkage.PairwiseScores(trueKeys, inc)
	t.Logf("incremental against full: precision %.4f recall %.4f (%d of %d pairs); %d people merged by bridging mentions",
		agree.Precision, agree.Recall, agree.CorrectPairs, agree.TruePairs, merges)
	t.Logf("against the truth: full F1 %.4f (precision %.4f recall %.4f), incremental F1 %.4f (precision %.4f recall %.4f)",
		fullTruth.F1, fullTruth.Precision, fullTruth.Recall, incTruth.F1, incTruth.Precision, incTruth.Recall)
	if agree.Precision < 0.97 || agree.Recall < 0.97 {
		t.Errorf("incremental resolution agrees with the full one on too few pairs: precision %.4f, recall %.4f; want both at least 0.97",
			agree.Precision, agree.Recall)
	}
	// The full resolution itself must keep a person's incidents together:
	// a linker change that splits people (a serial perpetrator becomes
	// several men with one victim each) fails here, whatever it gains on
	// files of one record a person.
	if fullTruth.F1 < 0.99 || fullTruth.Recall < 0.99 {
		t.Errorf("the full resolution is too far from the truth: F1 %.4f, recall %.4f; want both at least 0.99", fullTruth.F1, fullTruth.Recall)
	}
	if incTruth.F1 < fullTruth.F1-0.02 {
		t.Errorf("incremental resolution is further from the truth than the full one: F1 %.4f against %.4f", incTruth.F1, fullTruth.F1)
	}
}

// TestExtendBridgesTwoPeople: a new mention that matches two held people
// well (his full name and date of birth, where one held person was written
// with a mistyped date and the other with a nickname) joins them into one,
// the lower id keeping both; unless an analyst has ruled on one of them,
// when the mention joins the one it matches best and nobody is merged.
func TestExtendBridgesTwoPeople(t *testing.T) {
	recs, _ := synth.Generate(synth.Config{Incidents: 3000, Seed: 3, End: drive.Date{Year: 2026, Month: 11, Day: 30}})
	_, model, err := identify.ResolveWithModel(context.Background(), recs, 1)
	if err != nil {
		t.Fatal(err)
	}
	dob := drive.Date{Year: 1988, Month: 4, Day: 17}
	known := []identify.Known{
		{Person: incident.Person{GivenName: "Jonathon", FamilyName: "Pemberton-Hale", DOB: dob, Postcode: "NE1 4XF"}, ID: 40},
		{Person: incident.Person{GivenName: "Jonathon", FamilyName: "Pemberton-Hale", DOB: drive.Date{Year: 1988, Month: 4, Day: 18}, Postcode: "NE1 4XF"}, ID: 41},
		{Person: incident.Person{GivenName: "Maria", FamilyName: "Quell", DOB: drive.Date{Year: 1990, Month: 1, Day: 2}}, ID: 7},
	}
	fresh := []incident.Person{
		{GivenName: "Jonathon", FamilyName: "Pemberton-Hale", DOB: dob, Postcode: "NE1 4XF"},
		{GivenName: "Jonathon", FamilyName: "Pemberton-Hale", DOB: drive.Date{Year: 1988, Month: 4, Day: 18}, Postcode: "NE1 4XF"},
		{GivenName: "Zebedee", FamilyName: "Orrin-Vale", DOB: drive.Date{Year: 1971, Month: 9, Day: 30}},
		{GivenName: "Zebedee", FamilyName: "Orrin-Vale", DOB: drive.Date{Year: 1971, Month: 9, Day: 30}},
		{},
	}
	ext, err := identify.Extend(model, known, fresh, identify.ExtendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ext.Into[0] != 40 || ext.Into[1] != 40 || ext.Merged[41] != 40 || len(ext.Merged) != 1 {
		t.Errorf("bridged: into %v, merged %v; want both mentions in 40 and 41 merged into 40", ext.Into, ext.Merged)
	}
	if ext.Into[2] != -1 || ext.Into[3] != -1 || ext.New != 1 || ext.Into[4] != 0 {
		t.Errorf("new person: into %v, %d new; want the two identical new mentions one new person and the empty one none", ext.Into, ext.New)
	}
	ruled, err := identify.Extend(model, known, fresh, identify.ExtendOptions{Fixed: func(id int64) bool { return id == 41 }})
	if err != nil {
		t.Fatal(err)
	}
	if ruled.Into[0] != 40 || ruled.Into[1] != 41 || len(ruled.Merged) != 0 {
		t.Errorf("with a ruling on 41: into %v, merged %v; want each mention with the person it matches exactly and nobody merged", ruled.Into, ruled.Merged)
	}
}
