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

// PendingUpload is an upload checked but not yet confirmed. Its file is
// held in chunks (AddPendingUploadChunk), never in the row.
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
	CreatedAt time.Time
}

// SavePendingUpload keeps an upload until it is confirmed, removing any
// older than a day first, with their files. The caller adds the file's
// chunks (AddPendingUploadChunk) in the same transaction.
func (tx *Tx) SavePendingUpload(ctx context.Context, p *PendingUpload) error {
	old := tx.Now.Add(-24 * time.Hour)
	if _, err := tx.exec(ctx, `DELETE FROM pending_upload_chunks WHERE upload_id IN (SELECT id FROM pending_uploads WHERE created_at < ?)`, old); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM pending_uploads WHERE created_at < ?`, old); err != nil {
		return err
	}
	p.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO pending_uploads (site_id, user_id, kind, file_name, encoding, sheet, mapping, mapping_id, save_as,
		content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.SiteID, p.UserID, p.Kind, p.FileName, p.Encoding, p.Sheet, p.Mapping,
		p.MappingID, p.SaveAs, []byte{}, p.CreatedAt)
	if err != nil {
		return err
	}
	p.ID = id
	return nil
}

// AddPendingUploadChunk stores chunk seq (from 0, in order, at most
// ImportChunkSize bytes) of a pending upload's file.
func (tx *Tx) AddPendingUploadChunk(ctx context.Context, id int64, seq int, data []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO pending_upload_chunks (upload_id, seq, data) VALUES (?, ?, ?)`, id, seq, data)
	return err
}

// PendingUploadChunk returns chunk seq of a pending upload's file, and
// false past its last chunk.
func (tx *Tx) PendingUploadChunk(ctx context.Context, id int64, seq int) ([]byte, bool, error) {
	var data []byte
	err := tx.queryRow(ctx, `SELECT data FROM pending_upload_chunks WHERE upload_id = ? AND seq = ?`, id, seq).Scan(&data)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, tx.d.mapError(err)
	}
	return data, true, nil
}

// PendingUploadOf returns a user's pending upload, to be confirmed.
// Errors: ENOTFOUND for another user's, one older than a day, or one
// already taken.
func (tx *Tx) PendingUploadOf(ctx context.Context, id, userID int64) (*PendingUpload, error) {
	var p PendingUpload
	err := tx.queryRow(ctx, `SELECT id, site_id, user_id, kind, file_name, encoding, sheet, mapping, mapping_id, save_as, created_at
		FROM pending_uploads WHERE id = ? AND user_id = ? AND created_at >= ?`, id, userID, tx.Now.Add(-24*time.Hour)).Scan(&p.ID, &p.SiteID,
		&p.UserID, &p.Kind, &p.FileName, &p.Encoding, &p.Sheet, &p.Mapping, &p.MappingID, &p.SaveAs, &p.CreatedAt)
	if err != nil {
		return nil, tx.scanErr(err, "upload")
	}
	return &p, nil
}

// TakePendingUpload makes a pending upload's file the file of import job
// jobID, inside the database (no chunk passes through the server), and
// deletes the pending upload, so it is imported at most once. Errors:
// ENOTFOUND for an upload already taken (by a confirmation that
// committed first).
func (tx *Tx) TakePendingUpload(ctx context.Context, id, jobID int64) error {
	if _, err := tx.exec(ctx, `INSERT INTO import_job_chunks (job_id, seq, data) SELECT ?, seq, data FROM pending_upload_chunks
		WHERE upload_id = ?`, jobID, id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM pending_upload_chunks WHERE upload_id = ?`, id); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM pending_uploads WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return drive.NotFound("upload")
	}
	return nil
}
