package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/drive-platform/drive"
)

// RawText reads one value exactly as the database holds it, for tests
// that check what is at rest.
func (tx *Tx) RawText(ctx context.Context, query string, args ...any) (string, error) {
	var v []byte
	err := tx.queryRow(ctx, query, args...).Scan(&v)
	return string(v), tx.d.mapError(err)
}

// RawExec runs a statement directly, for tests that set up rows as an
// older version of the store wrote them.
func (tx *Tx) RawExec(ctx context.Context, query string, args ...any) error {
	_, err := tx.exec(ctx, query, args...)
	return err
}

// WithoutKeys is the same database as a command opened without the key
// file sees it.
func (db *DB) WithoutKeys() *DB {
	d := *db
	d.keys = nil
	return &d
}

// FillDisk makes the SQLite database unable to grow, as a full disk
// leaves it: the writer's page limit becomes the pages it has now, so the
// next write that needs a page fails with SQLITE_FULL.
func (db *DB) FillDisk(ctx context.Context) error {
	var pages int64
	if err := db.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return err
	}
	_, err := db.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages))
	return err
}

// CasesPagePlan is the engine's plan for the page query CasesPage runs
// for f, one line per step, for tests that hold a page to its index.
func (tx *Tx) CasesPagePlan(ctx context.Context, f CaseFilter, today drive.Date) (string, error) {
	f, err := tx.caseCursorNames(ctx, f)
	if err != nil {
		return "", err
	}
	q, ok := casesPageQuery(f, today)
	if !ok {
		return "", nil
	}
	return tx.plan(ctx, q.page, q.pageArgs)
}

// TeamListPagePlan is the query plan of the page TeamListPage reads for
// f, as the engine describes it.
func (tx *Tx) TeamListPagePlan(ctx context.Context, f TeamListFilter, today drive.Date) (string, error) {
	q, err := tx.teamListQuery(ctx, f, today)
	if err != nil {
		return "", err
	}
	return tx.plan(ctx, q.page, q.pageArgs)
}

// TeamListCountPlan is the query plan of the count TeamListPage makes.
func (tx *Tx) TeamListCountPlan(ctx context.Context, f TeamListFilter, today drive.Date) (string, error) {
	q, err := tx.teamListQuery(ctx, f, today)
	if err != nil {
		return "", err
	}
	return tx.plan(ctx, q.count, q.countArgs)
}

func (tx *Tx) plan(ctx context.Context, query string, args []any) (string, error) {
	explain := `EXPLAIN QUERY PLAN `
	if tx.d.name == "postgres" {
		explain = `EXPLAIN `
	}
	rows, err := tx.query(ctx, explain+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		out = append(out, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(out, "\n"), rows.Err()
}

// HoldCheckpoints stops the SQLite checkpointer's own schedule and
// returns a function that runs one checkpoint now, saying how many pages
// the log held and how many were copied into the database file.
func (db *DB) HoldCheckpoints() func() (logged, copied int, err error) {
	path := strings.TrimPrefix(db.dsn, "file:")
	db.checkpoints.close()
	c, err := newCheckpointer(path, 1<<62)
	if err != nil {
		panic(err)
	}
	db.checkpoints = c
	return c.checkpoint
}

// Vacuum has PostgreSQL vacuum and analyse a table, as its autovacuum
// does soon after a bulk change, so that a test sees the plans a running
// server would (VACUUM cannot run inside a transaction). SQLite needs
// nothing.
func (db *DB) Vacuum(ctx context.Context, table string) error {
	if db.dialect.name != "postgres" {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `VACUUM ANALYZE `+table)
	return err
}
