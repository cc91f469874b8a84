package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestDocumentsConformance runs the documents suite on every engine
// available.
func TestDocumentsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunDocuments(t, e) })
	}
}
