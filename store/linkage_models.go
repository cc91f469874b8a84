package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/drive-platform/drive"
)

// SetLinkageModel keeps the model (JSON) the record linker learned for a
// role's people at a site, replacing the one before: only the model behind
// the people now stored can explain them.
func (tx *Tx) SetLinkageModel(ctx context.Context, siteID int64, role, model string) error {
	_, err := tx.exec(ctx, `INSERT INTO linkage_models (site_id, role, model, fitted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (site_id, role) DO UPDATE SET model = excluded.model, fitted_at = excluded.fitted_at`, siteID, role, model, tx.Now)
	return err
}

// LinkageModel returns the model kept for a role's people at a site.
// Errors: ENOTFOUND when none is kept (the site has not been resolved
// since models were kept, or had too few records to learn from).
func (tx *Tx) LinkageModel(ctx context.Context, siteID int64, role string) (string, error) {
	var m string
	err := tx.queryRow(ctx, `SELECT model FROM linkage_models WHERE site_id = ? AND role = ?`, siteID, role).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return "", drive.NotFound("linkage model")
	}
	return m, tx.d.mapError(err)
}
