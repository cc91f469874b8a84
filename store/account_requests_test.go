package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestAccountRequestConformance runs the account requests' suite on every
// engine available.
func TestAccountRequestConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunAccountRequests(t, e) })
	}
}
