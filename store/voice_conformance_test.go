package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestVoiceConformance runs her own voice's suite on every engine
// available.
func TestVoiceConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunVoice(t, e) })
	}
}
