package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

func TestDataProtectionConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunDataProtection(t, e) })
	}
}
