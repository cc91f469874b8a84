package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestCaseworkConformance runs the casework suite on every engine
// available.
func TestCaseworkConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunCasework(t, e) })
	}
}
