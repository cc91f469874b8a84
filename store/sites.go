package store

import (
	"context"
	"strings"

	"github.com/drive-platform/drive/account"
)

// CreateSite stores a new site and sets its ID.
// Errors: EINVALID (fields), ECONFLICT (code taken).
func (tx *Tx) CreateSite(ctx context.Context, s *account.Site) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO sites (code, name, region, created_at) VALUES (?, ?, ?, ?)`, s.Code, s.Name, s.Region, s.CreatedAt)
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

// Site returns one site. Errors: ENOTFOUND.
func (tx *Tx) Site(ctx context.Context, id int64) (*account.Site, error) {
	var s account.Site
	err := tx.queryRow(ctx, `SELECT id, code, name, region, created_at FROM sites WHERE id = ?`, id).
		Scan(&s.ID, &s.Code, &s.Name, &s.Region, &s.CreatedAt)
	if err != nil {
		return nil, tx.scanErr(err, "site")
	}
	return &s, nil
}

// SiteByCode returns the site with the given code. Errors: ENOTFOUND.
func (tx *Tx) SiteByCode(ctx context.Context, code string) (*account.Site, error) {
	var s account.Site
	err := tx.queryRow(ctx, `SELECT id, code, name, region, created_at FROM sites WHERE code = ?`, strings.ToUpper(strings.TrimSpace(code))).
		Scan(&s.ID, &s.Code, &s.Name, &s.Region, &s.CreatedAt)
	if err != nil {
		return nil, tx.scanErr(err, "site")
	}
	return &s, nil
}

// Sites lists every site by name.
func (tx *Tx) Sites(ctx context.Context) ([]account.Site, error) {
	rows, err := tx.query(ctx, `SELECT id, code, name, region, created_at FROM sites ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Site
	for rows.Next() {
		var s account.Site
		if err := rows.Scan(&s.ID, &s.Code, &s.Name, &s.Region, &s.CreatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, s)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateOrganisation stores an organisation and the sites it works with.
// Errors: EINVALID, ECONFLICT (name taken).
func (tx *Tx) CreateOrganisation(ctx context.Context, o *account.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO organisations (name, kind, created_at) VALUES (?, ?, ?)`, o.Name, string(o.Kind), o.CreatedAt)
	if err != nil {
		return err
	}
	o.ID = id
	for _, sid := range o.SiteIDs {
		if _, err := tx.exec(ctx, `INSERT INTO organisation_sites (organisation_id, site_id) VALUES (?, ?)`, o.ID, sid); err != nil {
			return err
		}
	}
	return nil
}

// Organisations lists every organisation by name, with its sites.
func (tx *Tx) Organisations(ctx context.Context) ([]account.Organisation, error) {
	rows, err := tx.query(ctx, `SELECT id, name, kind, created_at FROM organisations ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	var out []account.Organisation
	index := map[int64]int{}
	for rows.Next() {
		var o account.Organisation
		var kind string
		if err := rows.Scan(&o.ID, &o.Name, &kind, &o.CreatedAt); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		o.Kind = account.OrgKind(kind)
		index[o.ID] = len(out)
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	rows, err = tx.query(ctx, `SELECT organisation_id, site_id FROM organisation_sites ORDER BY organisation_id, site_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var oid, sid int64
		if err := rows.Scan(&oid, &sid); err != nil {
			return nil, tx.d.mapError(err)
		}
		if i, ok := index[oid]; ok {
			out[i].SiteIDs = append(out[i].SiteIDs, sid)
		}
	}
	return out, tx.d.mapError(rows.Err())
}
