package store

import (
	"context"
	"database/sql"

	"github.com/drive-platform/drive/document"
)

// Documents attached to a case (package document): the description, and
// the sealed file apart, read only for a download.

// CreateDocument stores a document and its sealed file, setting its ID
// and UploadedAt. The caller has checked it.
func (tx *Tx) CreateDocument(ctx context.Context, d *document.Document, file SealedValue) error {
	d.UploadedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO documents (site_id, case_id, victim_case_id, title, file_name, kind, size, data, key_id, uploaded_by, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.SiteID, optID(d.CaseID), optID(d.VictimCaseID), d.Title, d.FileName, string(d.Kind), d.Size,
		file.Data, file.KeyID, d.UploadedBy, tx.Now)
	d.ID = id
	return err
}

const documentSelect = `SELECT id, site_id, case_id, victim_case_id, title, file_name, kind, size, uploaded_by, uploaded_at FROM documents`

func scanDocument(sc interface{ Scan(...any) error }) (document.Document, error) {
	var d document.Document
	var caseID, victimID sql.NullInt64
	var kind string
	if err := sc.Scan(&d.ID, &d.SiteID, &caseID, &victimID, &d.Title, &d.FileName, &kind, &d.Size, &d.UploadedBy, &d.UploadedAt); err != nil {
		return d, err
	}
	d.CaseID, d.VictimCaseID, d.Kind, d.UploadedAt = caseID.Int64, victimID.Int64, document.Kind(kind), d.UploadedAt.UTC()
	return d, nil
}

// Document returns a document's description. Errors: ENOTFOUND.
func (tx *Tx) Document(ctx context.Context, id int64) (*document.Document, error) {
	d, err := scanDocument(tx.queryRow(ctx, documentSelect+` WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "document")
	}
	return &d, nil
}

// DocumentFile returns a document's sealed file. Errors: ENOTFOUND.
func (tx *Tx) DocumentFile(ctx context.Context, id int64) (SealedValue, error) {
	var v SealedValue
	if err := tx.queryRow(ctx, `SELECT data, key_id FROM documents WHERE id = ?`, id).Scan(&v.Data, &v.KeyID); err != nil {
		return v, tx.scanErr(err, "document")
	}
	return v, nil
}

// CaseDocuments lists a perpetrator case's documents, newest first.
func (tx *Tx) CaseDocuments(ctx context.Context, caseID int64) ([]document.Document, error) {
	return tx.documents(ctx, `case_id = ?`, caseID)
}

// VictimDocuments lists a victim-survivor's IDVA case's documents, newest
// first.
func (tx *Tx) VictimDocuments(ctx context.Context, victimCaseID int64) ([]document.Document, error) {
	return tx.documents(ctx, `victim_case_id = ?`, victimCaseID)
}

func (tx *Tx) documents(ctx context.Context, where string, id int64) ([]document.Document, error) {
	rows, err := tx.query(ctx, documentSelect+` WHERE `+where+` ORDER BY id DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []document.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, d)
	}
	return out, tx.d.mapError(rows.Err())
}
