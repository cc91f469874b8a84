package store

import (
	"context"
	"database/sql"
	"time"

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

// PendingUpload is an upload checked but not yet confirmed.
type PendingUpload struct {
	ID        int64
	SiteID    int64
	UserID    int64
	Kind      string
	FileName  string
	Encoding  string
	Sheet     string
	Mapping   string
	MappingID int64
	SaveAs    string
	Content   []byte
	CreatedAt time.Time
}

// SavePendingUpload keeps an upload until it is confirmed, removing any
// older than a day first.
func (tx *Tx) SavePendingUpload(ctx context.Context, p *PendingUpload) error {
	if _, err := tx.exec(ctx, `DELETE FROM pending_uploads WHERE created_at < ?`, tx.Now.Add(-24*time.Hour)); err != nil {
		return err
	}
	p.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO pending_uploads (site_id, user_id, kind, file_name, encoding, sheet, mapping, mapping_id, save_as,
		content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.SiteID, p.UserID, p.Kind, p.FileName, p.Encoding, p.Sheet, p.Mapping,
		p.MappingID, p.SaveAs, p.Content, p.CreatedAt)
	if err != nil {
		return err
	}
	p.ID = id
	return nil
}

// TakePendingUpload returns a user's pending upload and deletes it, so it
// is imported at most once. Errors: ENOTFOUND for another user's, one
// older than a day, or one already taken.
func (tx *Tx) TakePendingUpload(ctx context.Context, id, userID int64) (*PendingUpload, error) {
	var p PendingUpload
	err := tx.queryRow(ctx, `SELECT id, site_id, user_id, kind, file_name, encoding, sheet, mapping, mapping_id, save_as, content, created_at
		FROM pending_uploads WHERE id = ? AND user_id = ? AND created_at >= ?`, id, userID, tx.Now.Add(-24*time.Hour)).Scan(&p.ID, &p.SiteID,
		&p.UserID, &p.Kind, &p.FileName, &p.Encoding, &p.Sheet, &p.Mapping, &p.MappingID, &p.SaveAs, &p.Content, &p.CreatedAt)
	if err != nil {
		return nil, tx.scanErr(err, "upload")
	}
	if _, err := tx.exec(ctx, `DELETE FROM pending_uploads WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &p, nil
}
