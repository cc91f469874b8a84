package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

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
// read nor written) without migrating it.
func openDatabase(ctx context.Context, dsn string, keys *sealed.Keyring) (*database, error) {
	db, err := store.Open(ctx, dsn, store.Options{Keys: keys})
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
	d, err := openDatabase(ctx, dsn, nil)
	if err != nil {
		return nil, usageError{"cannot open the database: " + describe(err)}
	}
	return d, nil
}

// openFor opens and migrates the database for a site, organisation or
// programme command.
func openFor(ctx context.Context, c common) (*store.DB, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	opt, err := c.storeOptions(os.Stderr)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, c.DB, opt)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// storeOptions opens the store with the key file when there is one
// (DRIVE_KEYS_FILE, or drive-keys.json beside a SQLite database), so
// commands that read or write sign-in secrets can; the store refuses those
// secrets without it and every other command works as before.
func (c common) storeOptions(stderr io.Writer) (store.Options, error) {
	k, err := c.optionalKeys(stderr)
	return store.Options{Keys: k}, err
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
