package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestVictimConformance runs the victim-survivors' suite on every engine
// available.
func TestVictimConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunVictims(t, e) })
	}
}
