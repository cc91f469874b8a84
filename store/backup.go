package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/backup"
)

// This file takes and checks backups (docs/data-protection.md). A backup
// is a consistent snapshot: on SQLite a copy of the file made by VACUUM
// INTO, which reads one snapshot while writers carry on; on PostgreSQL the
// rows of every table in COPY text format, all read in one REPEATABLE READ
// transaction. Either way each table gets a row count and a digest of its
// rows in a canonical order, which a restore recomputes and compares.

// migrationsTable is left out of table listings: its rows say which
// migrations ran and when, which a restore records for itself.
const migrationsTable = "schema_migrations"

// SnapshotSQLite writes a consistent copy of a SQLite database to path,
// which must not exist, with VACUUM INTO. It holds a read transaction only,
// so the service keeps writing while it runs. Errors: EINVALID on
// PostgreSQL.
func (db *DB) SnapshotSQLite(ctx context.Context, path string) error {
	if db.dialect.name != "sqlite" {
		return drive.Errorf(drive.EINVALID, "a SQLite snapshot of a PostgreSQL database was asked for")
	}
	// The read pool's connections are query_only, which refuses VACUUM
	// INTO; this one connection lifts it for the copy and puts it back.
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return db.dialect.mapError(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return db.dialect.mapError(err)
	}
	_, verr := conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
		// A pooled connection that can write must not go back to the
		// pool: ErrBadConn makes database/sql close it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return errors.Join(db.dialect.mapError(verr), db.dialect.mapError(err))
	}
	return db.dialect.mapError(verr)
}

// TableDigests returns every table's row count and digest (but the
// migrations table's), sorted by name, read in one consistent snapshot.
// Digests are comparable only with digests from the same engine.
func (db *DB) TableDigests(ctx context.Context) ([]backup.Table, error) {
	if db.dialect.name == "postgres" {
		var out []backup.Table
		err := db.pgSnapshot(ctx, func(pc *pgx.Conn) error {
			names, err := pgTables(ctx, pc)
			if err != nil {
				return err
			}
			for _, name := range names {
				d := backup.NewDigest(name)
				if err := pgCopyOut(ctx, pc, name, io.Discard, d); err != nil {
					return err
				}
				out = append(out, d.Table())
			}
			return nil
		})
		return out, err
	}
	var out []backup.Table
	err := db.View(ctx, func(tx *Tx) error {
		names, err := tx.sqliteTables(ctx)
		if err != nil {
			return err
		}
		for _, name := range names {
			t, err := tx.sqliteDigest(ctx, name)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// sqliteTables lists the tables of a SQLite database, sorted.
func (tx *Tx) sqliteTables(ctx context.Context) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name`, migrationsTable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, tx.d.mapError(err)
		}
		if !backup.ValidName(n) {
			return nil, drive.Errorf(drive.EINTERNAL, "the database has a table whose name a backup cannot carry")
		}
		names = append(names, n)
	}
	return names, tx.d.mapError(rows.Err())
}

// sqliteDigest digests one table: each row in primary-key order (rowid if
// it has none), each value as SQLite's quote() renders it (an exact
// literal for integers, text and blobs, and NULL), with its length first
// so that no two listings run together.
func (tx *Tx) sqliteDigest(ctx context.Context, table string) (backup.Table, error) {
	rows, err := tx.query(ctx, `SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return backup.Table{}, err
	}
	var cols []string
	type pk struct {
		name string
		at   int
	}
	var pks []pk
	for rows.Next() {
		var name string
		var at int
		if err := rows.Scan(&name, &at); err != nil {
			rows.Close()
			return backup.Table{}, tx.d.mapError(err)
		}
		cols = append(cols, `quote("`+name+`")`)
		if at > 0 {
			pks = append(pks, pk{`"` + name + `"`, at})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return backup.Table{}, tx.d.mapError(err)
	}
	sort.Slice(pks, func(i, j int) bool { return pks[i].at < pks[j].at })
	order := "rowid"
	if len(pks) > 0 {
		var names []string
		for _, p := range pks {
			names = append(names, p.name)
		}
		order = strings.Join(names, ", ")
	}
	rows, err = tx.query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM "`+table+`" ORDER BY `+order)
	if err != nil {
		return backup.Table{}, err
	}
	defer rows.Close()
	d := backup.NewDigest(table)
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var lenBuf [8]byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return backup.Table{}, tx.d.mapError(err)
		}
		for _, v := range vals {
			binary.BigEndian.PutUint64(lenBuf[:], uint64(len(v)))
			d.Write(lenBuf[:])
			d.Write(v)
		}
		d.RowDone(1)
	}
	return d.Table(), tx.d.mapError(rows.Err())
}

// pgSnapshot runs fn on one PostgreSQL connection inside a REPEATABLE
// READ, READ ONLY transaction: everything fn reads is one snapshot of the
// database, however long it takes and whatever is written meanwhile.
func (db *DB) pgSnapshot(ctx context.Context, fn func(pc *pgx.Conn) error) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return db.dialect.mapError(err)
	}
	defer conn.Close()
	return db.dialect.mapError(conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
			return err
		}
		err := fn(pc)
		if _, rerr := pc.Exec(context.WithoutCancel(ctx), `ROLLBACK`); err == nil {
			err = rerr
		}
		return err
	}))
}

// pgTables lists the tables of the current schema, sorted.
func pgTables(ctx context.Context, pc *pgx.Conn) ([]string, error) {
	rows, err := pc.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1 ORDER BY table_name`, migrationsTable)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if !backup.ValidName(n) {
			return nil, drive.Errorf(drive.EINTERNAL, "the database has a table whose name a backup cannot carry")
		}
	}
	return names, nil
}

// pgOrder returns the ORDER BY list for a table's canonical listing: its
// primary key, or every column when it has none.
func pgOrder(ctx context.Context, pc *pgx.Conn, table string) (string, error) {
	rows, err := pc.Query(ctx, `SELECT a.attname FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisprimary
		ORDER BY array_position(i.indkey::int2[], a.attnum)`, table)
	if err != nil {
		return "", err
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	if len(cols) == 0 {
		var n int
		if err := pc.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, table).Scan(&n); err != nil {
			return "", err
		}
		for i := 1; i <= n; i++ {
			cols = append(cols, fmt.Sprint(i))
		}
		return strings.Join(cols, ", "), nil
	}
	for i, c := range cols {
		cols[i] = `"` + c + `"`
	}
	return strings.Join(cols, ", "), nil
}

// pgCopyOut writes a table's rows in primary-key order and COPY text
// format to w, and to d, counting the rows: COPY writes one line a row,
// with newlines inside values escaped.
func pgCopyOut(ctx context.Context, pc *pgx.Conn, table string, w io.Writer, d *backup.Digest) error {
	order, err := pgOrder(ctx, pc, table)
	if err != nil {
		return err
	}
	cols, err := pgStoredColumns(ctx, pc, table)
	if err != nil {
		return err
	}
	lc := &lineCounter{}
	_, err = pc.PgConn().CopyTo(ctx, io.MultiWriter(w, d, lc), `COPY (SELECT `+cols+` FROM "`+table+`" ORDER BY `+order+`) TO STDOUT`)
	d.RowDone(lc.n)
	return err
}

// pgStoredColumns is the list of a table's columns that hold what was
// written, in order: every column but those generated from others,
// which COPY FROM (the restore) leaves out and the database computes
// again.
func pgStoredColumns(ctx context.Context, pc *pgx.Conn, table string) (string, error) {
	rows, err := pc.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
		ORDER BY ordinal_position`, table)
	if err != nil {
		return "", err
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	if len(cols) == 0 {
		return "", drive.Errorf(drive.EINTERNAL, "table %s has no columns a backup can carry", table)
	}
	for i, c := range cols {
		if !backup.ValidName(c) {
			return "", drive.Errorf(drive.EINTERNAL, "the database has a column whose name a backup cannot carry")
		}
		cols[i] = `"` + c + `"`
	}
	return strings.Join(cols, ", "), nil
}

type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// PostgresExport is what ExportPostgres read from its snapshot.
type PostgresExport struct {
	Tables []backup.Table
	Schema []int
}

// ExportPostgres reads one snapshot of a PostgreSQL database: every
// table's rows, in canonical order and COPY text format, to the writer
// create returns for it; then every audit event, in order, to eachAudit
// (to check the chain of exactly what was exported). Errors: EINVALID on
// SQLite; the first error create or eachAudit returns.
func (db *DB) ExportPostgres(ctx context.Context, create func(table string) (io.Writer, error), eachAudit func(audit.Event) error) (PostgresExport, error) {
	return db.exportPostgres(ctx, create, nil, eachAudit)
}

// DumpPostgres is ExportPostgres for a backup whose data pg_dump writes:
// in one snapshot it exports the snapshot (pg_export_snapshot) and calls
// dump with it, the database to connect to (its URL without the
// password) and the environment that connects (the password in
// PGPASSWORD, so it never shows on a command line), for pg_dump
// --snapshot to read exactly that snapshot; then it digests every table
// and passes every audit event to eachAudit, as ExportPostgres does, from
// the same snapshot, so the manifest describes exactly what pg_dump wrote.
// Errors: EINVALID on SQLite; the first error dump or eachAudit returns.
func (db *DB) DumpPostgres(ctx context.Context, dump func(dbname string, env []string, snapshot string) error, eachAudit func(audit.Event) error) (PostgresExport, error) {
	if db.dialect.name != "postgres" {
		return PostgresExport{}, drive.Errorf(drive.EINVALID, "a pg_dump of a SQLite database was asked for")
	}
	dbname, env, err := db.pgToolConn()
	if err != nil {
		return PostgresExport{}, err
	}
	return db.exportPostgres(ctx, nil, func(pc *pgx.Conn) error {
		var snapshot string
		if err := pc.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
			return err
		}
		return dump(dbname, env, snapshot)
	}, eachAudit)
}

// pgToolConn is how a PostgreSQL client tool reaches this database: the
// URL without its password, and the process's environment with the
// password added as PGPASSWORD.
func (db *DB) pgToolConn() (dbname string, env []string, err error) {
	u, err := url.Parse(db.dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, drive.Errorf(drive.EINVALID, "the database is not given as a postgres:// URL, which pg_dump needs")
	}
	env = os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	return u.String(), env, nil
}

// exportPostgres reads one snapshot: first before, if given, then every
// table, to the writer create returns for it (or only digested when
// create is nil), then the audit log to eachAudit.
func (db *DB) exportPostgres(ctx context.Context, create func(table string) (io.Writer, error), before func(pc *pgx.Conn) error, eachAudit func(audit.Event) error) (PostgresExport, error) {
	if db.dialect.name != "postgres" {
		return PostgresExport{}, drive.Errorf(drive.EINVALID, "a PostgreSQL export of a SQLite database was asked for")
	}
	var out PostgresExport
	err := db.pgSnapshot(ctx, func(pc *pgx.Conn) error {
		if before != nil {
			if err := before(pc); err != nil {
				return err
			}
		}
		rows, err := pc.Query(ctx, `SELECT version FROM `+migrationsTable+` ORDER BY version`)
		if err != nil {
			return err
		}
		if out.Schema, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
			return err
		}
		names, err := pgTables(ctx, pc)
		if err != nil {
			return err
		}
		for _, name := range names {
			w := io.Discard
			if create != nil {
				if w, err = create(name); err != nil {
					return err
				}
			}
			bw := bufio.NewWriterSize(w, 1<<20)
			d := backup.NewDigest(name)
			if err := pgCopyOut(ctx, pc, name, bw, d); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			out.Tables = append(out.Tables, d.Table())
		}
		rows, err = pc.Query(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			if err := eachAudit(e); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return out, err
}

// IsEmpty reports whether no table of the database holds a row (the
// migrations table aside): the only kind of database a backup is restored
// into. A new database is empty, and so is one left by a restore that was
// refused after the schema was made.
// seededTables are tables a migration fills with their starting row (the
// police data's version counter): a database holding only those rows is
// still empty, and a restore replaces them with the backup's.
var seededTables = map[string]bool{"police_data_version": true}

func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	empty := true
	err := db.View(ctx, func(tx *Tx) error {
		var names []string
		var err error
		if tx.d.name == "postgres" {
			names, err = tx.strings(ctx, `SELECT table_name FROM information_schema.tables
				WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> ?`, migrationsTable)
		} else {
			names, err = tx.strings(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?`, migrationsTable)
		}
		if err != nil {
			return err
		}
		for _, name := range names {
			if seededTables[name] {
				continue
			}
			var any int
			err := tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM "`+strings.ReplaceAll(name, `"`, `""`)+`" LIMIT 1) AS t`).Scan(&any)
			if err != nil {
				return tx.d.mapError(err)
			}
			if any > 0 {
				empty = false
				return nil
			}
		}
		return nil
	})
	return empty, err
}

// strings runs a query of one text column.
func (tx *Tx) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, s)
	}
	return out, tx.d.mapError(rows.Err())
}

// ImportPostgres loads a PostgreSQL export into this database, which must
// be migrated and hold no rows but the migrations', in one transaction:
// each table's rows from open, parents before children, then every
// identity sequence moved past the highest id loaded. Before committing it
// digests every table as TableDigests would and calls check with them; an
// error from check rolls everything back, so a restore that does not match
// its backup leaves the database as empty as it found it. Likewise every
// sealed value loaded is passed to checkSealed, and an error from it rolls
// everything back.
func (db *DB) ImportPostgres(ctx context.Context, open func(table string) (io.ReadCloser, error), check func([]backup.Table) error, checkSealed func(SealedValue) error) error {
	if db.dialect.name != "postgres" {
		return drive.Errorf(drive.EINVALID, "a PostgreSQL import into a SQLite database was asked for")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return db.dialect.mapError(err)
	}
	defer conn.Close()
	return db.dialect.mapError(conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		names, err := pgTables(ctx, pc)
		if err != nil {
			return err
		}
		for _, name := range names {
			if seededTables[name] {
				if _, err := tx.Exec(ctx, `DELETE FROM "`+name+`"`); err != nil {
					return err
				}
				continue
			}
			var n int64
			if err := pc.QueryRow(ctx, `SELECT count(*) FROM "`+name+`"`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return drive.Errorf(drive.EINVALID, "the database is not empty (table %s has rows): a backup is restored into an empty database only", name)
			}
		}
		order, err := pgLoadOrder(ctx, pc, names)
		if err != nil {
			return err
		}
		for _, name := range order {
			r, err := open(name)
			if err != nil {
				return err
			}
			_, err = pc.PgConn().CopyFrom(ctx, bufio.NewReaderSize(r, 1<<20), `COPY "`+name+`" FROM STDIN`)
			r.Close()
			if err != nil {
				return fmt.Errorf("load table %s: %w", name, err)
			}
		}
		if err := pgResetSequences(ctx, pc); err != nil {
			return err
		}
		var got []backup.Table
		for _, name := range names {
			d := backup.NewDigest(name)
			if err := pgCopyOut(ctx, pc, name, io.Discard, d); err != nil {
				return err
			}
			got = append(got, d.Table())
		}
		if err := check(got); err != nil {
			return err
		}
		for _, col := range sealedColumns {
			keyID := col.keyID
			if keyID == "" {
				keyID = "key_id"
			}
			rows, err := pc.Query(ctx, `SELECT `+col.data+`, `+keyID+` FROM `+col.table+` WHERE `+col.data+` IS NOT NULL`)
			if err != nil {
				return err
			}
			var v SealedValue
			_, err = pgx.ForEachRow(rows, []any{&v.Data, &v.KeyID}, func() error { return checkSealed(v) })
			if err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	}))
}

// pgLoadOrder sorts tables so that every table comes after the tables its
// foreign keys refer to (a table referring to itself is loaded in
// primary-key order, which puts older rows first). Ties go by name.
func pgLoadOrder(ctx context.Context, pc *pgx.Conn, names []string) ([]string, error) {
	rows, err := pc.Query(ctx, `SELECT c.conrelid::regclass::text, c.confrelid::regclass::text
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	type edge struct{ child, parent string }
	edges, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (edge, error) {
		var e edge
		return e, r.Scan(&e.child, &e.parent)
	})
	if err != nil {
		return nil, err
	}
	parents := map[string]map[string]bool{}
	for _, e := range edges {
		if e.child == e.parent {
			continue
		}
		if parents[e.child] == nil {
			parents[e.child] = map[string]bool{}
		}
		parents[e.child][e.parent] = true
	}
	done := map[string]bool{}
	var order []string
	for len(order) < len(names) {
		progressed := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for p := range parents[n] {
				if !done[p] {
					ready = false
					break
				}
			}
			if ready {
				done[n] = true
				order = append(order, n)
				progressed = true
			}
		}
		if !progressed {
			return nil, drive.Errorf(drive.EINTERNAL, "the tables' foreign keys form a cycle, so no load order exists")
		}
	}
	return order, nil
}

// pgResetSequences moves every identity or serial column's sequence past
// the highest value loaded, so the next row written gets a new id.
func pgResetSequences(ctx context.Context, pc *pgx.Conn) error {
	rows, err := pc.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return err
	}
	type col struct{ table, column string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
		var c col
		return c, r.Scan(&c.table, &c.column)
	})
	if err != nil {
		return err
	}
	for _, c := range cols {
		if _, err := pc.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max("`+c.column+`"), 0) + 1, false) FROM "`+c.table+`"`,
			`"`+c.table+`"`, c.column); err != nil {
			return err
		}
	}
	return nil
}
