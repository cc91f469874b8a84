package store

import (
	"context"
	"database/sql"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
)

// SaveImportMapping stores a mapping under its site, kind and name,
// replacing one of the same name.
func (tx *Tx) SaveImportMapping(ctx context.Context, m *incident.SavedMapping, by int64) error {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM import_mappings WHERE site_id = ? AND kind = ? AND name = ?`, m.SiteID, m.Kind, m.Name).Scan(&id)
	switch {
	case err == sql.ErrNoRows:
		id, err = tx.insert(ctx, `INSERT INTO import_mappings (site_id, kind, name, mapping, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, m.SiteID, m.Kind, m.Name, m.JSON, by, tx.Now, tx.Now)
		if err != nil {
			return err
		}
	case err != nil:
		return tx.d.mapError(err)
	default:
		if _, err := tx.exec(ctx, `UPDATE import_mappings SET mapping = ?, updated_at = ? WHERE id = ?`, m.JSON, tx.Now, id); err != nil {
			return err
		}
	}
	m.ID, m.UpdatedAt = id, tx.Now
	return nil
}

// ImportMappings lists a site's saved mappings of a kind ("" for both),
// most recently saved first.
func (tx *Tx) ImportMappings(ctx context.Context, siteID int64, kind string) ([]incident.SavedMapping, error) {
	q := `SELECT id, site_id, kind, name, mapping, updated_at FROM import_mappings WHERE site_id = ?`
	args := []any{siteID}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	rows, err := tx.query(ctx, q+` ORDER BY updated_at DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.SavedMapping
	for rows.Next() {
		var m incident.SavedMapping
		if err := rows.Scan(&m.ID, &m.SiteID, &m.Kind, &m.Name, &m.JSON, &m.UpdatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		m.UpdatedAt = m.UpdatedAt.UTC()
		out = append(out, m)
	}
	return out, tx.d.mapError(rows.Err())
}

// DeleteImportMapping removes a saved mapping of a site. Errors:
// ENOTFOUND.
func (tx *Tx) DeleteImportMapping(ctx context.Context, siteID, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM import_mappings WHERE site_id = ? AND id = ?`, siteID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return drive.NotFound("mapping")
	}
	return nil
}
