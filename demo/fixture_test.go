package demo_test

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// Building a demo takes tens of seconds, and most tests only read one, so
// each (seed, clock) is built once for the whole package and shared. A
// test that writes takes a private copy (privateDemo), so no test sees
// another's writes whatever order they run in. The determinism tests
// still compare builds made independently: a different clock is a
// different build.

// buildKey names one build: the seed and the clock it was built at.
type buildKey struct {
	seed uint64
	at   time.Time
}

// sharedBuild is one build, made the first time a test asks for it.
type sharedBuild struct {
	once sync.Once
	d    *sealedDemo
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[buildKey]*sharedBuild{}
	buildDir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "drive-demo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	for _, b := range builds {
		if b.d != nil {
			b.d.db.Close()
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedDemo returns the demo built from seed with the clock at the given
// time, shared by every test that asks for the same one. The test must
// only read it (reads through the service add audit events, which no
// test counts on a shared build).
func sharedDemo(t *testing.T, seed uint64, at time.Time) *sealedDemo {
	t.Helper()
	key := buildKey{seed, at.UTC()}
	buildsMu.Lock()
	b, ok := builds[key]
	if !ok {
		b = &sharedBuild{}
		builds[key] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		path := filepath.Join(buildDir, fmt.Sprintf("demo-%d-%d.db", seed, at.Unix()))
		start := time.Now()
		b.d, b.err = buildDemo(path, seed, at)
		if b.err == nil {
			t.Logf("demo (seed %d) generated in %v", seed, time.Since(start))
		}
	})
	if b.err != nil {
		t.Fatalf("building the demo (seed %d): %v", seed, b.err)
	}
	return b.d
}

// privateDemo returns a copy of the shared demo, in a file of the test's
// own, with the same keys and clock, for a test that writes.
func privateDemo(t *testing.T, seed uint64, at time.Time) *sealedDemo {
	t.Helper()
	src := sharedDemo(t, seed, at)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "drive.db")
	if err := src.db.SnapshotSQLite(ctx, path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return at }, Keys: src.keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &sealedDemo{db: db, path: path, keys: src.keys}
}

// buildDemo builds the demo with victim-survivors, sealed under a new
// keyring, in a new SQLite file at path.
func buildDemo(path string, seed uint64, at time.Time) (*sealedDemo, error) {
	ctx := context.Background()
	keys, err := sealed.NewKeyring(crand.Reader)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return at }, Keys: keys})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := demo.Generate(ctx, &service.Service{DB: db, Keys: keys}, demo.Options{Seed: seed, Params: auth.TestParams()}); err != nil {
		db.Close()
		return nil, err
	}
	return &sealedDemo{db: db, path: path, keys: keys}, nil
}
