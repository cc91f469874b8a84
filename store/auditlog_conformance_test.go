package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestAuditSearchConformance runs the audit search suite on every engine
// available.
func TestAuditSearchConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunAuditSearch(t, e) })
	}
}
