package linkage

// Scores compares predicted clusters with true ones pair by pair: a pair of
// records is a true pair when both belong to one true person, and a
// predicted pair when both are in one predicted cluster.
type Scores struct {
	TruePairs      int64 // pairs within true clusters
	PredictedPairs int64 // pairs within predicted clusters
	CorrectPairs   int64 // pairs in both
	Precision      float64
	Recall         float64
	F1             float64
}

// PairwiseScores scores predicted cluster numbers against true cluster keys,
// one of each per record. A record with an empty truth key is a person of its
// own. Precision, recall or F1 are 1 when there are no pairs to get wrong.
func PairwiseScores(truth []string, predicted []int) Scores {
	type cell struct {
		t string
		p int
	}
	byTruth := map[string]int64{}
	byPred := map[int]int64{}
	byCell := map[cell]int64{}
	for i := range truth {
		p := predicted[i]
		byPred[p]++
		if truth[i] == "" {
			continue
		}
		byTruth[truth[i]]++
		byCell[cell{truth[i], p}]++
	}
	var s Scores
	for _, n := range byTruth {
		s.TruePairs += n * (n - 1) / 2
	}
	for _, n := range byPred {
		s.PredictedPairs += n * (n - 1) / 2
	}
	for _, n := range byCell {
		s.CorrectPairs += n * (n - 1) / 2
	}
	s.Precision, s.Recall = 1, 1
	if s.PredictedPairs > 0 {
		s.Precision = float64(s.CorrectPairs) / float64(s.PredictedPairs)
	}
	if s.TruePairs > 0 {
		s.Recall = float64(s.CorrectPairs) / float64(s.TruePairs)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}
