package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered SQL file for one engine.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the engine's migrations in version order. File names
// are NNNN_description.sql; numbers must be unique and start at 1.
func (d dialect) migrations() ([]migration, error) {
	dir := path.Join("migrations", d.name)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and an underscore", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// MigrationsDigest returns a digest of the migrations this binary applies to
// a database of dsn's engine (a postgres:// URL or a SQLite path), their
// names and SQL together. Two binaries with the same digest build the same
// schema, so a test harness can migrate one database, keep it, and copy it
// for every test rather than migrating each test's database from nothing.
func MigrationsDigest(dsn string) (string, error) {
	d := sqliteDialect
	if IsPostgresURL(dsn) {
		d = postgresDialect
	}
	ms, err := d.migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %d\n%s\n", m.version, m.name, len(m.sql), m.sql)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// MigrationStatus says which migrations a database has.
type MigrationStatus struct {
	Applied []int
	Pending []int
}

// migrationLock is the PostgreSQL advisory lock key every replica takes
// before it touches the schema. 0x44524956 spells DRIV: any fixed key
// shared by replicas works.
const migrationLock = 1146243414

// lockMigrations makes the transaction the only one changing the schema
// until it ends. On PostgreSQL it takes a transaction-scoped advisory lock,
// which every replica's Migrate takes before anything else, the creation of
// the migrations table included: two servers running CREATE TABLE IF NOT
// EXISTS at once can both pass the "not exists" check and one then fails on
// the catalogue's unique index. On SQLite, Transact's transactions begin
// IMMEDIATE, so the write lock is already held.
func (tx *Tx) lockMigrations(ctx context.Context) error {
	if tx.d.name != "postgres" {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLock)
	return err
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the versions it applied. Every transaction it runs, the first
// that creates the migrations table included, takes the migration lock
// (lockMigrations) before touching anything, so replicas starting together
// on a fresh database each succeed and apply each migration once. A
// database newer than this binary is refused.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	ms, err := db.dialect.migrations()
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "the built-in migrations are broken")
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		if err := tx.lockMigrations(ctx); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`)
		return err
	})
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range ms {
		done := false
		err := db.Transact(ctx, func(tx *Tx) error {
			if err := tx.lockMigrations(ctx); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return tx.d.mapError(err)
			}
			if n > 0 {
				done = true
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, tx.d.mapError(err))
			}
			_, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, tx.Now)
			return err
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, m.version)
		}
	}
	var newest int
	if err := db.View(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest)
	}); err != nil {
		return applied, db.dialect.mapError(err)
	}
	if len(ms) > 0 && newest > ms[len(ms)-1].version {
		return applied, drive.Errorf(drive.EINVALID, "the database has schema version %d but this drive binary knows only up to %d: upgrade drive before using this database", newest, ms[len(ms)-1].version)
	}
	return applied, nil
}

// Status reports applied and pending migrations without changing anything.
func (db *DB) Status(ctx context.Context) (MigrationStatus, error) {
	ms, err := db.dialect.migrations()
	if err != nil {
		return MigrationStatus{}, err
	}
	var st MigrationStatus
	have := map[int]bool{}
	err = db.View(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return err
			}
			have[v] = true
			st.Applied = append(st.Applied, v)
		}
		return rows.Err()
	})
	if err != nil {
		// No migrations table yet: everything is pending.
		st = MigrationStatus{}
		have = map[int]bool{}
	}
	for _, m := range ms {
		if !have[m.version] {
			st.Pending = append(st.Pending, m.version)
		}
	}
	return st, nil
}
