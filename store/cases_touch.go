package store

import (
	"context"

	"github.com/drive-platform/drive"
)

// TouchCase marks case id as changed now: adding to a case's plan,
// contacts, reviews or notes changes what "Last updated" means to the
// people working it, though the cases row itself is otherwise unchanged.
// Errors: ENOTFOUND if there is no such case.
func (tx *Tx) TouchCase(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`, tx.Now, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return drive.Errorf(drive.ENOTFOUND, "case %d not found", id)
	}
	return nil
}
