// Package storetest opens real databases for tests, on both engines, and
// holds the conformance suite every engine must pass.
//
// SQLite runs in a temporary file. PostgreSQL runs when DRIVE_TEST_POSTGRES
// holds a URL of a server where the user may create databases: each test
// gets a fresh database, dropped afterwards. `make test` starts a
// throwaway server and sets the variable; when CI=true and the variable is
// missing, tests fail rather than silently skip the PostgreSQL half.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
)

// Engine opens a migrated, empty database of one kind.
type Engine struct {
	Name string
	Open func(t testing.TB, now func() time.Time) *store.DB
}

// Engines returns SQLite and, when configured, PostgreSQL. Without
// PostgreSQL configured it returns SQLite alone, unless running in CI,
// where it fails the test.
func Engines(t testing.TB) []Engine {
	t.Helper()
	es := []Engine{{Name: "sqlite", Open: OpenSQLite}}
	if os.Getenv("DRIVE_TEST_POSTGRES") != "" {
		es = append(es, Engine{Name: "postgres", Open: OpenPostgres})
	} else if os.Getenv("CI") != "" {
		t.Fatal("CI is set but DRIVE_TEST_POSTGRES is not: the PostgreSQL suite must run in CI (use make test, which starts a server)")
	}
	return es
}

// OneEngine is the engine for tests that run on one engine only, as the
// browser tests do (a browser journey costs too much to run twice):
// SQLite, unless DRIVE_TEST_REPLICAS asks for two or more replicas and
// DRIVE_TEST_POSTGRES names a server, when it is PostgreSQL, so that the
// two-replica mode (web.Replicated) covers these tests as well.
func OneEngine() Engine {
	if n, _ := strconv.Atoi(os.Getenv("DRIVE_TEST_REPLICAS")); n >= 2 && os.Getenv("DRIVE_TEST_POSTGRES") != "" {
		return Engine{Name: "postgres", Open: OpenPostgres}
	}
	return Engine{Name: "sqlite", Open: OpenSQLite}
}

// OpenSQLite opens a migrated SQLite database in a temporary file.
func OpenSQLite(t testing.TB, now func() time.Time) *store.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "drive.db")
	return openAndMigrate(t, path, now)
}

// OpenPostgres creates a fresh database on the DRIVE_TEST_POSTGRES server,
// migrates it, and drops it when the test ends.
func OpenPostgres(t testing.TB, now func() time.Time) *store.DB {
	t.Helper()
	return openAndMigrate(t, BlankPostgres(t), now)
}

// Blank returns the address of a new, empty database of the engine's kind
// (nothing created in it, not even the migrations table), removed when the
// test ends, for tests of what happens before and during migration, such
// as several servers migrating one database at once.
func (e Engine) Blank(t testing.TB) string {
	t.Helper()
	if e.Name == "postgres" {
		return BlankPostgres(t)
	}
	return filepath.Join(t.TempDir(), "drive.db")
}

// BlankPostgres creates an empty database on the DRIVE_TEST_POSTGRES
// server, dropped when the test ends, and returns its URL.
func BlankPostgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("DRIVE_TEST_POSTGRES")
	if admin == "" {
		t.Fatal("DRIVE_TEST_POSTGRES is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "drive_test_" + hex.EncodeToString(b[:])
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	defer adb.Close()
	ctx := context.Background()
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer adb.Close()
		_, _ = adb.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse DRIVE_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func openAndMigrate(t testing.TB, dsn string, now func() time.Time) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{Now: now, Keys: credentialKeys()})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// FixedClock returns a clock frozen at a fixed instant, for tests.
func FixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// credentialKeys is the keyring every test database seals its sign-in
// secrets with, made once per test binary.
var credentialKeys = sync.OnceValue(func() *sealed.Keyring {
	k, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

// CredentialKeys returns the keyring the test databases seal sign-in
// secrets with, for a test that opens the same database again.
func CredentialKeys() *sealed.Keyring { return credentialKeys() }

// Keys returns a fresh keyring for a test server: notes on perpetrators'
// cases and victim-survivors' details are sealed, so every server that
// writes them needs one.
func Keys(t testing.TB) *sealed.Keyring {
	t.Helper()
	k, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// DatabaseKeys returns a copy of the keyring the test databases seal
// sign-in secrets with, for a service that holds one keyring for
// everything, as a real deployment does: a test may rotate the copy
// without touching other tests' databases.
func DatabaseKeys(t testing.TB) *sealed.Keyring {
	t.Helper()
	body, err := credentialKeys().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	k, err := sealed.ParseKeyring(body)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
