package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// This file is the one place the command line touches the store: it opens
// the database, migrates it and hands every command the service. Every use
// case then goes through the service, which asks the access policy and
// writes the audit events (docs/layers.md).

// database is an open database: the service every command works through,
// and the little only an operator's command does to the database itself.
type database struct {
	db  *store.DB
	Svc *service.Service
}

// Close closes the database.
func (d *database) Close() error { return d.db.Close() }

// Engine names the database engine, "sqlite" or "postgres".
func (d *database) Engine() string { return d.db.Engine() }

// Migrate applies pending migrations and returns their numbers.
func (d *database) Migrate(ctx context.Context) ([]int, error) { return d.db.Migrate(ctx) }

// Status reports applied and pending migrations.
func (d *database) Status(ctx context.Context) (applied, pending []int, err error) {
	st, err := d.db.Status(ctx)
	if err != nil {
		return nil, nil, err
	}
	return st.Applied, st.Pending, nil
}

// isPostgres reports whether dsn names a PostgreSQL server rather than a
// SQLite file.
func isPostgres(dsn string) bool { return store.IsPostgresURL(dsn) }

// openDatabase opens dsn with keys (nil: protected values can be neither
// read nor written) without migrating it. now is the command line's
// clock (env.clock), which becomes the service's: the one clock of the
// application.
func openDatabase(ctx context.Context, dsn string, keys *sealed.Keyring, now func() time.Time) (*database, error) {
	db, err := store.Open(ctx, dsn, store.Options{Keys: keys, Now: now})
	if err != nil {
		return nil, err
	}
	return &database{db: db, Svc: &service.Service{DB: db, Keys: keys}}, nil
}

// openToCheck opens a database that must already exist, and neither
// creates a missing SQLite file (a mistyped path would otherwise be
// checked as an empty database) nor migrates: checking must not change
// the database.
func openToCheck(ctx context.Context, dsn string) (*database, error) {
	if !isPostgres(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, os.ErrNotExist) {
			return nil, usageError{fmt.Sprintf("there is no database file %s", dsn)}
		} else if err != nil {
			return nil, usageError{fmt.Sprintf("cannot open the database file: %v", err)}
		}
	}
	d, err := openDatabase(ctx, dsn, nil, nil)
	if err != nil {
		return nil, usageError{"cannot open the database: " + describe(err)}
	}
	return d, nil
}

// openFor opens and migrates the database for a command that may start
// from nothing (a site, an organisation, the first administrator).
func openFor(ctx context.Context, c common) (*database, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	keys, err := c.optionalKeys(os.Stderr)
	if err != nil {
		return nil, err
	}
	d, err := openDatabase(ctx, c.DB, keys, c.now)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// openExisting opens a database that already holds the current schema.
// Unlike migrate and bootstrap it never creates a SQLite file, so a
// mistyped --db is reported rather than answered from an empty database.
func openExisting(ctx context.Context, c common) (*database, error) {
	if !isPostgres(c.DB) {
		if _, err := os.Stat(c.DB); err != nil {
			return nil, drive.Errorf(drive.EINVALID, "there is no database file %s: check --db, or create the database with drive user bootstrap", c.DB)
		}
	}
	keys, err := c.optionalKeys(os.Stderr)
	if err != nil {
		return nil, err
	}
	d, err := openDatabase(ctx, c.DB, keys, c.now)
	if err != nil {
		return nil, err
	}
	applied, pending, err := d.Status(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(pending) > 0 {
		d.Close()
		if len(applied) == 0 {
			return nil, drive.Errorf(drive.EINVALID, "%s has no Drive schema: check --db, or create the database with drive user bootstrap", dbName(c.DB))
		}
		return nil, drive.Errorf(drive.EINVALID, "%s needs upgrading (migrations %v are pending): run drive migrate first", dbName(c.DB), pending)
	}
	return d, nil
}

// dbName names the database for messages without printing a PostgreSQL
// URL, which may hold a password.
func dbName(dsn string) string {
	if isPostgres(dsn) {
		return "the PostgreSQL database"
	}
	return "the database file " + dsn
}

// existingService is the service over a database that already holds the
// current schema (openExisting); closing it closes the database.
func existingService(ctx context.Context, c common) (*service.Service, func(), error) {
	d, err := openExisting(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return d.Svc, func() { d.Close() }, nil
}

// newService is the service over a database created or upgraded first
// (openFor), for drive user bootstrap, which may start from nothing.
func newService(ctx context.Context, c common) (*service.Service, func(), error) {
	d, err := openFor(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return d.Svc, func() { d.Close() }, nil
}

// noUser is the answer for a username that names no account.
func noUser(username string) error {
	return drive.Errorf(drive.ENOTFOUND, "there is no user %q: see drive user list", strings.ToLower(strings.TrimSpace(username)))
}

// optionalKeys loads the key file when there is one (DRIVE_KEYS_FILE, or
// drive-keys.json beside a SQLite database), and nil when there is none.
func (c common) optionalKeys(stderr io.Writer) (*sealed.Keyring, error) {
	path := c.Keys
	if path == "" {
		path = defaultKeyFile(c.DB)
		if path == "" {
			return nil, nil
		}
		if _, err := os.Stat(path); err != nil {
			return nil, nil
		}
	}
	k, _, err := loadKeyring(path, c.DB, stderr)
	return k, err
}
