package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestAppointmentsConformance runs the appointments suite on every engine
// available.
func TestAppointmentsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunAppointments(t, e) })
	}
}
