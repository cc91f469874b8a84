package main

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// openExisting opens a database that already holds the current schema.
// Unlike migrate and bootstrap it never creates a SQLite file, so a
// mistyped --db is reported rather than answered from an empty database.
func openExisting(ctx context.Context, c common) (*store.DB, error) {
	if !store.IsPostgresURL(c.DB) {
		if _, err := os.Stat(c.DB); err != nil {
			return nil, drive.Errorf(drive.EINVALID, "there is no database file %s: check --db, or create the database with drive user bootstrap", c.DB)
		}
	}
	opt, err := c.storeOptions(os.Stderr)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, c.DB, opt)
	if err != nil {
		return nil, err
	}
	st, err := db.Status(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(st.Pending) > 0 {
		db.Close()
		if len(st.Applied) == 0 {
			return nil, drive.Errorf(drive.EINVALID, "%s has no Drive schema: check --db, or create the database with drive user bootstrap", dbName(c.DB))
		}
		return nil, drive.Errorf(drive.EINVALID, "%s needs upgrading (migrations %v are pending): run drive migrate first", dbName(c.DB), st.Pending)
	}
	return db, nil
}

// dbName names the database for messages without printing a PostgreSQL
// URL, which may hold a password.
func dbName(dsn string) string {
	if store.IsPostgresURL(dsn) {
		return "the PostgreSQL database"
	}
	return "the database file " + dsn
}

// existingService is the service over a database that already holds the
// current schema (openExisting), for the commands that act on accounts and
// tokens as the command line; closing it closes the database.
func existingService(ctx context.Context, c common) (*service.Service, func(), error) {
	db, err := openExisting(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return &service.Service{DB: db}, func() { db.Close() }, nil
}

// newService is the service over a database created or upgraded first
// (openFor), for drive user bootstrap, which may start from nothing.
func newService(ctx context.Context, c common) (*service.Service, func(), error) {
	db, err := openFor(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return &service.Service{DB: db}, func() { db.Close() }, nil
}

// findOrganisation returns the organisation with the given name, ignoring
// case. Errors: EINVALID listing the organisations there are. It serves
// drive oidc, which still reads the store itself; the account commands
// look organisations up through the service (organisationNamed).
func findOrganisation(ctx context.Context, tx *store.Tx, name string) (*identity.Organisation, error) {
	orgs, err := tx.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	return organisationNamed(orgs, name)
}

// findUser returns a user by username, for drive oidc as findOrganisation.
// Errors: ENOTFOUND saying how to see the usernames.
func findUser(ctx context.Context, tx *store.Tx, username string) (*identity.User, error) {
	u, err := tx.UserByUsername(ctx, username)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, noUser(username)
	}
	return u, err
}

// cliEvent is an audit event for a change drive oidc makes: the system
// acts, from no network address, as service.CommandLine does.
func cliEvent(action, recordType string, id int64) audit.Event {
	return audit.Event{ActorRole: "system", Action: action, RecordType: recordType, RecordID: strconv.FormatInt(id, 10),
		Remote: "cli", Outcome: audit.OutcomeOK}
}

// noUser is the answer for a username that names no account.
func noUser(username string) error {
	return drive.Errorf(drive.ENOTFOUND, "there is no user %q: see drive user list", strings.ToLower(strings.TrimSpace(username)))
}
