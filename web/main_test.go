package web

import (
	"os"
	"testing"

	"github.com/drive-platform/drive/browsertest"
)

// TestMain runs the package's tests with one Chromium for all the browser
// tests, each in a private window of its own (browsertest.Main): starting
// a browser for each of them cost more CPU than some of the tests.
func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }
