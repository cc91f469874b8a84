package store

import (
	"slices"
	"testing"
)

// TestPadBatchFewTexts: a lookup's batches, whatever their length, come in
// at most ten sizes, so an import linked a chunk at a time writes a few
// statement texts in all rather than new ones each chunk; a padded batch
// holds the same keys and nothing else.
func TestPadBatchFewTexts(t *testing.T) {
	sizes := map[int]bool{}
	for n := 1; n <= 2*batchRows; n++ {
		keys := make([]int, n)
		for i := range keys {
			keys[i] = i
		}
		for k := 0; k < n; k += batchRows {
			part := keys[k:min(k+batchRows, n)]
			got := padBatch(part)
			sizes[len(got)] = true
			if len(got) < len(part) || !slices.Equal(got[:len(part)], part) {
				t.Fatalf("padBatch(%d keys) = %d keys, not beginning with them", len(part), len(got))
			}
			for _, v := range got[len(part):] {
				if v != part[len(part)-1] {
					t.Fatalf("padBatch(%d keys) pads with %d, not the last key", len(part), v)
				}
			}
		}
	}
	if len(sizes) > 10 {
		t.Errorf("%d sizes of batch, want at most 10", len(sizes))
	}
	if got := padBatch([]int(nil)); len(got) != 0 {
		t.Errorf("padBatch(none) = %v", got)
	}
}
