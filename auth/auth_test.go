package auth

import (
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/drive-platform/drive"
)

// seeded returns a deterministic random source, so that tests are exact.
func seeded(seed byte) io.Reader {
	return rand.NewChaCha8([32]byte{seed})
}

// failingReader is a random source that is broken.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy source unavailable") }

// wantCode fails the test unless err is a *drive.Error with the given code.
func wantCode(t *testing.T, err error, code string) *drive.Error {
	t.Helper()
	var e *drive.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *drive.Error with code %q", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %q, want %q (message %q)", e.Code, code, e.Message)
	}
	return e
}
