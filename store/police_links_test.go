package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

func TestPoliceLinksConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunPoliceLinks(t, e) })
	}
}
