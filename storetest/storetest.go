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
	"fmt"
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

// OpenSQLite opens a migrated SQLite database in a temporary file. The
// file is a copy of one database migrated once per test binary: migrating
// from nothing costs a fifth of a second of CPU, and some packages open
// hundreds of databases.
func OpenSQLite(t testing.TB, now func() time.Time) *store.DB {
	t.Helper()
	img, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("migrate the SQLite template: %v", err)
	}
	path := filepath.Join(t.TempDir(), "drive.db")
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	return openAndMigrate(t, path, now)
}

// sqliteTemplate is the file of a freshly migrated SQLite database, made
// once per test binary and kept in memory, so no file outlives the tests.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "drive-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "drive.db")
	if err := migrateOnce(path); err != nil {
		return nil, err
	}
	// Closing the last connection checkpoints the write-ahead log into the
	// file; a log left over would mean the copy lacks part of the schema.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("the template's write-ahead log was not checkpointed (%d bytes)", fi.Size())
	}
	return os.ReadFile(path) // #nosec G304 -- path is the template file this package wrote in its own temporary folder
})

// migrateOnce opens dsn, migrates it and closes it.
func migrateOnce(dsn string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{Keys: credentialKeys()})
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// OpenPostgres creates a fresh database on the DRIVE_TEST_POSTGRES server,
// migrated, and drops it when the test ends. The database is created as a
// copy of a template migrated once (see postgresTemplate): migrating each
// test's database from nothing took seconds of the server's time apiece.
func OpenPostgres(t testing.TB, now func() time.Time) *store.DB {
	t.Helper()
	tmpl, err := postgresTemplate()
	if err != nil {
		t.Fatalf("migrate the PostgreSQL template: %v", err)
	}
	return openAndMigrate(t, createPostgres(t, tmpl), now)
}

// postgresTemplate returns the name of a migrated database on the
// DRIVE_TEST_POSTGRES server to copy each test's database from. Its name
// carries the digest of the migrations (store.MigrationsDigest), so test
// binaries with the same migrations share it, across packages and runs,
// and a binary with other migrations makes its own. One is made under an
// advisory lock, migrated under a temporary name and renamed when
// complete, so no test copies a half-migrated template. Templates stay on
// the server (one for each set of migrations; a throwaway server such as
// scripts/with-postgres's goes with them).
var postgresTemplate = sync.OnceValues(func() (string, error) {
	admin := os.Getenv("DRIVE_TEST_POSTGRES")
	digest, err := store.MigrationsDigest(admin)
	if err != nil {
		return "", err
	}
	name := "drive_template_" + digest[:24]
	ctx := context.Background()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer adb.Close()
	conn, err := adb.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// The lock's key is fixed: every test binary builds its template under
	// it, and holds it only while building.
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(720531)"); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock(720531)") }()
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return name, nil
	}
	building := name + "_" + randomHex()
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + building
	if err := migrateOnce(u.String()); err != nil {
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
		return "", err
	}
	// The server may not yet have ended the closed connections' backends,
	// and a database cannot be renamed while anyone is connected to it.
	for i := 0; ; i++ {
		_, err = conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name)
		if err == nil || i == 100 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
		return "", err
	}
	return name, nil
})

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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
	return createPostgres(t, "")
}

// createPostgres creates a database on the DRIVE_TEST_POSTGRES server, a
// copy of template if one is named, dropped when the test ends, and
// returns its URL.
func createPostgres(t testing.TB, template string) string {
	t.Helper()
	admin := os.Getenv("DRIVE_TEST_POSTGRES")
	if admin == "" {
		t.Fatal("DRIVE_TEST_POSTGRES is not set")
	}
	name := "drive_test_" + randomHex()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	defer adb.Close()
	ctx := context.Background()
	create := "CREATE DATABASE " + name // #nosec G202 -- "drive_test_" and random hex; the template is named by a digest of the migrations: neither comes from input
	if template != "" {
		// FILE_COPY copies the template's files, where the default (WAL_LOG)
		// writes every block of them through the write-ahead log: for a
		// small template on a test server that is a third less of the
		// server's CPU for each test database.
		create += " TEMPLATE " + template + " STRATEGY FILE_COPY"
	}
	if _, err := adb.ExecContext(ctx, create); err != nil {
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
