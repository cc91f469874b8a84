package store

import "context"

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
