package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// EmptyTarget returns where a test can create a database of the engine
// from nothing, as a restore does: for SQLite a path in a temporary
// folder where no file exists yet, for PostgreSQL the URL of a new, empty
// database on the DRIVE_TEST_POSTGRES server, dropped when the test ends.
func EmptyTarget(t testing.TB, engine string) string {
	t.Helper()
	if engine == "sqlite" {
		return filepath.Join(t.TempDir(), "restored.db")
	}
	admin := os.Getenv("DRIVE_TEST_POSTGRES")
	if admin == "" {
		t.Fatal("DRIVE_TEST_POSTGRES is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "drive_empty_" + hex.EncodeToString(b[:])
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	defer adb.Close()
	if _, err := adb.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
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
