package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/drive-platform/drive"
)

// dialect holds what differs between the engines, so the rest of the
// package can be written once.
type dialect struct {
	name string
	// rebind turns ? placeholders into the engine's own.
	rebind func(string) string
	// mapError translates a driver error into a drive.Error, so callers
	// above the store never see driver types.
	mapError func(error) error
}

var (
	sqliteDialect   = dialect{name: "sqlite", rebind: func(q string) string { return q }, mapError: mapSQLiteError}
	postgresDialect = dialect{name: "postgres", rebind: rebindDollar, mapError: mapPostgresError}
)

// rebindDollar rewrites ? placeholders as $1, $2, ... It skips ? inside
// single-quoted literals; the project's SQL uses no other quoting of ?.
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// DiskFull is what a user is told when the database's disk is full: the
// change was not saved (its transaction rolled back), and who can fix it.
const DiskFull = "the database's disk is full, so nothing was saved; please try again later, and tell your system administrator"

// SQLite extended result codes we translate.
const (
	sqliteBusy                 = 5
	sqliteLocked               = 6
	sqliteIOErr                = 10
	sqliteFull                 = 13
	sqliteConstraintCheck      = 275
	sqliteConstraintForeignKey = 787
	sqliteConstraintNotNull    = 1299
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

func mapSQLiteError(err error) error {
	if err == nil {
		return nil
	}
	if code := drive.ErrorCode(err); code != drive.EINTERNAL {
		return err // already ours
	}
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return drive.Wrap(err, drive.ECONFLICT, "a record with these details already exists")
		case sqliteConstraintForeignKey:
			return drive.Wrap(err, drive.EINVALID, "the record refers to something that does not exist")
		case sqliteConstraintCheck, sqliteConstraintNotNull:
			return drive.Wrap(err, drive.EINVALID, "the record is missing a required value or has a value that is not allowed")
		case sqliteBusy, sqliteLocked:
			return drive.Wrap(err, drive.EUNAVAILABLE, "the database is busy; please try again")
		}
		switch se.Code() & 0xff {
		case sqliteBusy:
			return drive.Wrap(err, drive.EUNAVAILABLE, "the database is busy; please try again")
		case sqliteFull:
			return drive.Wrap(err, drive.EUNAVAILABLE, DiskFull)
		case sqliteIOErr:
			return drive.Wrap(err, drive.EUNAVAILABLE, "the database file could not be read or written; nothing was saved. Tell your system administrator")
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return drive.Wrap(err, drive.EUNAVAILABLE, "the request was cancelled or took too long")
	}
	return err
}

// connectionLost reports whether err is a PostgreSQL connection cut off
// under a statement (the server stopped or restarted, or the network
// dropped it). The transaction did not commit, or not that the caller
// was told, so it was never acknowledged: it is the database being away,
// which the caller may try again, not a fault of ours.
func connectionLost(err error) bool {
	var ne net.Error
	return pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}

func mapPostgresError(err error) error {
	if err == nil {
		return nil
	}
	if code := drive.ErrorCode(err); code != drive.EINTERNAL {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return drive.Wrap(err, drive.ECONFLICT, "a record with these details already exists")
		case "23503":
			return drive.Wrap(err, drive.EINVALID, "the record refers to something that does not exist")
		case "23502", "23514", "22001", "22P02", "22007", "22008":
			return drive.Wrap(err, drive.EINVALID, "the record is missing a required value or has a value that is not allowed")
		case "40001", "40P01":
			return drive.Wrap(err, drive.ECONFLICT, "the record was changed by someone else at the same time; please try again")
		case "53100":
			return drive.Wrap(err, drive.EUNAVAILABLE, DiskFull)
		case "57P01", "57P02", "57P03", "53300":
			return drive.Wrap(err, drive.EUNAVAILABLE, "the database is not available; please try again")
		}
		return err
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return drive.Wrap(err, drive.EUNAVAILABLE, "the database server could not be reached")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return drive.Wrap(err, drive.EUNAVAILABLE, "the request was cancelled or took too long")
	}
	if connectionLost(err) {
		return drive.Wrap(err, drive.EUNAVAILABLE, "the database is not available; please try again")
	}
	return err
}
