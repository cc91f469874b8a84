// Package store is the storage layer: one contract (the methods of Tx) over
// two engines, SQLite for a single-file embedded install and PostgreSQL for
// national scale. SQL is written by hand; where the engines differ, each has
// its own text (see dialect.go), and migrations are numbered per engine.
//
// Every read and write happens inside a transaction that carries a fixed
// "now", so one change sees one clock, and audit events written alongside
// it share that time.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/sealed"
)

// DB is an open database. It is safe for concurrent use.
type DB struct {
	// write is the pool used by Transact. On SQLite it has a single
	// connection whose transactions begin IMMEDIATE, so writers queue in Go
	// rather than failing with SQLITE_BUSY; on PostgreSQL it is the same pool
	// as read.
	write *sql.DB
	// read is the pool used by View: read-only transactions that never take
	// the write lock, so pages render while an import is running.
	read *sql.DB
	// auditPool is where the audit queue appends reads' events
	// (audit_batch.go). On PostgreSQL it is a pool of one connection of its
	// own: every audited page waits for the queue, so the queue must never
	// wait for a connection behind the pages it is holding up (it did, under
	// load, in drive bench load's execution traces). On SQLite it is the
	// writer, the only connection that may write.
	auditPool *sql.DB
	// checkpoints copies the SQLite write-ahead log into the database file
	// away from the writer (checkpoint.go); nil on PostgreSQL.
	checkpoints *checkpointer
	// fault, when set, is asked before each statement (Options.Fault).
	fault func() error
	// writeStmts and readStmts keep the SQLite pools' statements
	// prepared (stmts.go); nil on PostgreSQL.
	writeStmts, readStmts *stmtCache
	dialect               dialect
	now                   func() time.Time
	// keys seal and open the credentials the store holds (second-factor
	// secrets, OpenID Connect client secrets); nil means none can be
	// written or read. See credentials.go.
	keys *sealed.Keyring
	// dsn is what the database was opened with, for the PostgreSQL
	// client tools a backup runs (pgToolConn).
	dsn string
	// audits appends the audit events of reads (Read), many reads'
	// events a transaction (audit_batch.go).
	audits *auditQueue
	// programmes keeps programme settings parsed (programmes.go).
	programmes *programmeCache
}

// Options tunes Open. The zero value is valid.
type Options struct {
	// Now is the clock; nil means time.Now. Tests freeze it.
	Now func() time.Time
	// MaxConns caps PostgreSQL connections per process (default 20).
	MaxConns int
	// Keys seal the credentials the store holds: users' second-factor
	// secrets and organisations' OpenID Connect client secrets. Without
	// them the store refuses to write or read such a secret (EUNAVAILABLE)
	// but everything else works, so commands that never touch a credential
	// need no key file.
	Keys *sealed.Keyring
	// Fault, when set, is called before every statement the store runs,
	// and an error it returns is that statement's error instead. It is
	// for tests that fail the Nth storage call of a use case, as SQLite's
	// own test suite injects faults, to show the use case leaves nothing
	// half-written. Nil in a server.
	Fault func() error
}

// Open connects to the database named by dsn: a postgres:// or
// postgresql:// URL selects PostgreSQL; anything else is a SQLite file path
// (created if missing). Open does not migrate; call Migrate.
//
// Errors: EINVALID for an unusable dsn, EUNAVAILABLE if the server cannot be
// reached.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, drive.Errorf(drive.EINVALID, "no database given: pass --db with a SQLite file path or a postgres:// URL")
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	db := &DB{now: now, keys: opt.Keys, dsn: dsn, fault: opt.Fault, programmes: &programmeCache{}}
	var err error
	if IsPostgresURL(dsn) {
		db.dialect = postgresDialect
		db.write, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, drive.Wrap(err, drive.EINVALID, "the PostgreSQL URL could not be used; check it has the form postgres://user:password@host:port/dbname")
		}
		max := opt.MaxConns
		if max <= 0 {
			max = 20
		}
		db.write.SetMaxOpenConns(max)
		db.write.SetMaxIdleConns(max)
		db.write.SetConnMaxIdleTime(5 * time.Minute)
		db.read = db.write
		if db.auditPool, err = sql.Open("pgx", dsn); err != nil {
			db.write.Close()
			return nil, drive.Wrap(err, drive.EINVALID, "the PostgreSQL URL could not be used; check it has the form postgres://user:password@host:port/dbname")
		}
		db.auditPool.SetMaxOpenConns(1)
		db.auditPool.SetMaxIdleConns(1)
	} else {
		db.dialect = sqliteDialect
		if dir := filepath.Dir(dsn); dir != "" {
			if _, err := os.Stat(dir); err != nil {
				return nil, drive.Wrap(err, drive.EINVALID, fmt.Sprintf("the folder for the database file %q does not exist; create it first", dsn))
			}
		}
		db.write, err = sql.Open("sqlite", sqliteDSN(dsn, true))
		if err != nil {
			return nil, drive.Wrap(err, drive.EINVALID, "the SQLite database file could not be opened")
		}
		db.write.SetMaxOpenConns(1)
		db.read, err = sql.Open("sqlite", sqliteDSN(dsn, false))
		if err != nil {
			db.write.Close()
			return nil, drive.Wrap(err, drive.EINVALID, "the SQLite database file could not be opened")
		}
		db.read.SetMaxOpenConns(4)
		// Every read connection stays open once opened (database/sql
		// keeps two idle by default): a connection opened for a burst and
		// closed after it cost the next burst an open, its pragmas and
		// every statement prepared again, inside the pages that met it.
		db.read.SetMaxIdleConns(4)
		db.writeStmts, db.readStmts = newStmtCache(db.write), newStmtCache(db.read)
		db.auditPool = db.write
		if db.checkpoints, err = newCheckpointer(dsn, checkpointEvery); err != nil {
			db.writeStmts.close()
			db.readStmts.close()
			db.write.Close()
			db.read.Close()
			return nil, drive.Wrap(err, drive.EINVALID, "the SQLite database file could not be opened")
		}
	}
	db.audits = newAuditQueue(db)
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenAnother opens db's database again, with connections of its own and
// the same clock, keys and fault, as another server of the database would
// (several replicas behind one PostgreSQL share nothing else). Close it
// apart from db. Errors: as Open.
func (db *DB) OpenAnother(ctx context.Context) (*DB, error) {
	return Open(ctx, db.dsn, Options{Now: db.now, Keys: db.keys, Fault: db.fault})
}

// IsPostgresURL reports whether dsn names a PostgreSQL server.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLite page caches, in KiB: the writer's and each reader's as they
// usually are, and the writer's while it resolves a site's people in full.
const (
	writerCacheKiB  = 8 << 10
	readerCacheKiB  = 8 << 10
	resolveCacheKiB = 64 << 10
)

// ResolveCache gives the transaction's connection, on SQLite, the page
// cache of a full resolution (64 MiB), which reads and rewrites every
// incident and hearing of a site and would otherwise read most of its
// pages again from the file, and returns the function that gives the
// connection its usual cache back. The cache is emptied first, so that
// what passed through before (a job's file, stored a moment ago) does not
// sit beside the resolution's pages, and again at the end. Nothing is
// done on PostgreSQL, whose caches are the server's.
func (tx *Tx) ResolveCache(ctx context.Context) (restore func(), err error) {
	if tx.d.name != "sqlite" || !tx.writing {
		return func() {}, nil
	}
	if err := tx.ReleaseCache(ctx); err != nil {
		return nil, err
	}
	if _, err := tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", resolveCacheKiB)); err != nil {
		return nil, tx.d.mapError(err)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		_, _ = tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", writerCacheKiB))
		_ = tx.ReleaseCache(ctx)
	}, nil
}

// ReleaseCache frees, on SQLite, the pages the transaction's connection
// holds in its cache and is not using, once it has read something large
// it will not read again (a job's file, checked): they would otherwise
// stay for as long as the connection lives. Nothing is done on
// PostgreSQL.
func (tx *Tx) ReleaseCache(ctx context.Context) error {
	if tx.d.name != "sqlite" {
		return nil
	}
	_, err := tx.tx.ExecContext(ctx, "PRAGMA shrink_memory")
	return tx.d.mapError(err)
}

func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// The page cache is sized for the work a connection does, not for the
	// file: every page a connection reads stays in its cache up to the
	// limit, so a large cache fills with whatever passed through last (a
	// 46 MB extract stored as a job, then read back to check it) and holds
	// it for as long as the server runs. A full resolution, which reads and
	// rewrites every record of a site, asks for more while it runs
	// (Tx.ResolveCache); the operating system's own cache keeps the rest
	// of the file close.
	if writer {
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", writerCacheKiB))
		q.Set("_time_format", "sqlite")
		q.Set("_txlock", "immediate")
		// The log is copied into the database file by the checkpointer
		// (checkpoint.go), not by whichever commit crosses SQLite's
		// threshold while every waiting writer and audited read queues
		// behind its copying and its two fsyncs.
		q.Add("_pragma", "wal_autocheckpoint(0)")
	} else {
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", readerCacheKiB))
		q.Set("_time_format", "sqlite")
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// WithClock returns the database read by another clock: transactions
// begun through it carry now()'s reading as their Now, so what they write
// is dated then. It shares the connections of db (close db, not it). The
// demo uses it to write, through the service, cases referred months
// before the day it is built.
func (db *DB) WithClock(now func() time.Time) *DB {
	c := *db
	c.now = now
	return &c
}

// Now is the clock's reading, as a transaction begun now would carry it.
func (db *DB) Now() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// Engine names the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name }

// Ping checks the database answers. Errors: EUNAVAILABLE.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.write.PingContext(ctx); err != nil {
		return drive.Wrap(err, drive.EUNAVAILABLE, "the database is not answering")
	}
	if db.read != db.write {
		if err := db.read.PingContext(ctx); err != nil {
			return drive.Wrap(err, drive.EUNAVAILABLE, "the database is not answering")
		}
	}
	return nil
}

// Close releases the connections.
func (db *DB) Close() error {
	db.audits.close()
	db.checkpoints.close()
	db.writeStmts.close()
	db.readStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if db.auditPool != nil && db.auditPool != db.write {
		err = errors.Join(err, db.auditPool.Close())
	}
	return err
}

// Tx is one transaction. Its methods are the storage contract. Now is the
// transaction's clock reading, fixed when it began, in UTC.
type Tx struct {
	tx         *sql.Tx
	d          dialect
	Now        time.Time
	clock      func() time.Time
	writing    bool
	keys       *sealed.Keyring
	stmts      *stmtCache
	fault      func() error
	programmes *programmeCache
	// audited, in a transaction begun by Read, collects the events
	// Audit is given, to append once the read is over.
	audited *[]audit.Event
}

// Clock reads the clock again. Now stays when the transaction began, as
// everything it writes is one change; what a long transaction records of
// its own end (an import job's finish, minutes after it began) needs the
// time it ended.
func (tx *Tx) Clock() time.Time { return tx.clock() }

// Transact runs fn in a read-write transaction and commits if fn returns
// nil. It rolls back if fn returns an error or panics (the panic goes on
// after the rollback), so nothing is ever half-written.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.write, false, fn)
}

// View runs fn in a read-only transaction. Writes inside it fail.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.read, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) (err error) {
	opts := &sql.TxOptions{ReadOnly: readOnly && db.dialect.name == "postgres"}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return db.dialect.mapError(err)
	}
	tx := &Tx{tx: sqlTx, d: db.dialect, keys: db.keys, Now: db.Now(), clock: db.Now, writing: !readOnly, fault: db.fault,
		programmes: db.programmes}
	switch pool {
	case db.write:
		tx.stmts = db.writeStmts
	case db.read:
		tx.stmts = db.readStmts
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
			return
		}
		if cerr := sqlTx.Commit(); cerr != nil {
			err = db.dialect.mapError(cerr)
		} else if !readOnly {
			db.checkpoints.written()
		}
	}()
	// Errors fn passes up unmapped (a scan's, say) are translated too, so
	// a lost connection is "unavailable", whichever call met it.
	return db.dialect.mapError(fn(tx))
}

// exec runs a statement written with ? placeholders.
func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := tx.injected(); err != nil {
		return nil, err
	}
	if st := tx.stmts.get(query); st != nil {
		res, err := tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		return res, nil
	}
	res, err := tx.tx.ExecContext(ctx, tx.d.rebind(query), args...)
	if err != nil {
		return nil, tx.d.mapError(err)
	}
	return res, nil
}

// query runs a query written with ? placeholders.
func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := tx.injected(); err != nil {
		return nil, err
	}
	if st := tx.stmts.get(query); st != nil {
		rows, err := tx.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		return rows, nil
	}
	rows, err := tx.tx.QueryContext(ctx, tx.d.rebind(query), args...)
	if err != nil {
		return nil, tx.d.mapError(err)
	}
	return rows, nil
}

// queryRow runs a single-row query written with ? placeholders. Scan
// errors must go through tx.d.mapError.
func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) row {
	if err := tx.injected(); err != nil {
		return failedRow{err}
	}
	if st := tx.stmts.get(query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.d.rebind(query), args...)
}

// row is one row of a query, to scan.
type row interface{ Scan(dest ...any) error }

// failedRow is a row whose query failed before it ran.
type failedRow struct{ err error }

func (r failedRow) Scan(...any) error { return r.err }

// injected is the error Options.Fault gives the next statement, if any.
func (tx *Tx) injected() error {
	if tx.fault == nil {
		return nil
	}
	return tx.fault()
}

// insert runs an INSERT written with ? placeholders and returns the new
// row's id. Both engines support RETURNING, so the statement must not
// already end in one.
func (tx *Tx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, tx.d.mapError(err)
	}
	return id, nil
}

// scanErr maps a Scan error, turning "no rows" into ENOTFOUND for what.
func (tx *Tx) scanErr(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return drive.NotFound(what)
	}
	return tx.d.mapError(err)
}

// int64Args turns ids into query arguments.
func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// int64s runs a query of one integer column.
func (tx *Tx) int64s(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, id)
	}
	return out, tx.d.mapError(rows.Err())
}
