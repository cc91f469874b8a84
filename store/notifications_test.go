package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestNotificationConformance runs the notifications' suite on every
// engine available.
func TestNotificationConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunNotifications(t, e) })
	}
}
