package store

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/programme"
)

// SeedProgrammes gives a site that has no programmes the defaults,
// programme.Drive() and programme.Restart(), so a new site can take
// referrals at once. A site that has any programme is left alone, so it is
// safe to call every time a site is set up. Errors: EINVALID if the site
// does not exist.
func (tx *Tx) SeedProgrammes(ctx context.Context, siteID int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM site_programmes WHERE site_id = ?`, siteID).Scan(&n); err != nil {
		return tx.d.mapError(err)
	}
	if n > 0 {
		return nil
	}
	for _, p := range []*programme.Programme{programme.Drive(), programme.Restart()} {
		if err := tx.SetSiteProgramme(ctx, siteID, p); err != nil {
			return err
		}
	}
	return nil
}

// SiteProgrammes returns the programmes a site runs, in the order they
// were added (Drive first for a seeded site).
func (tx *Tx) SiteProgrammes(ctx context.Context, siteID int64) ([]*programme.Programme, error) {
	rows, err := tx.query(ctx, `SELECT settings FROM site_programmes WHERE site_id = ? ORDER BY ord, code`, siteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*programme.Programme
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, tx.d.mapError(err)
		}
		p, err := tx.decodeProgramme(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, tx.d.mapError(rows.Err())
}

// SiteProgramme returns one of a site's programmes by code.
// Errors: ENOTFOUND if the site does not run it.
func (tx *Tx) SiteProgramme(ctx context.Context, siteID int64, code string) (*programme.Programme, error) {
	var raw []byte
	if err := tx.queryRow(ctx, `SELECT settings FROM site_programmes WHERE site_id = ? AND code = ?`, siteID, code).Scan(&raw); err != nil {
		return nil, tx.scanErr(err, "programme")
	}
	return tx.decodeProgramme(raw)
}

// SetSiteProgramme adds a programme to a site, or replaces the settings of
// the one with the same code. Cases keep the programme code they were
// referred under; changed settings apply from now on. Errors: EINVALID
// (p.Validate, or a site that does not exist).
func (tx *Tx) SetSiteProgramme(ctx context.Context, siteID int64, p *programme.Programme) error {
	if p == nil {
		return drive.Errorf(drive.EINVALID, "no programme settings given")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the programme settings could not be saved")
	}
	_, err = tx.exec(ctx, `INSERT INTO site_programmes (site_id, code, ord, settings, created_at, updated_at)
		VALUES (?, ?, (SELECT coalesce(max(ord), 0) + 1 FROM site_programmes WHERE site_id = ?), ?, ?, ?)
		ON CONFLICT (site_id, code) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
		siteID, p.Code, siteID, string(body), tx.Now, tx.Now)
	return err
}

// decodeProgramme reads stored settings. They were validated when saved,
// so a failure here is a fault of ours, not the user's. Settings already
// read are not parsed again (programmeCache): every case page reads its
// programme, and parsing and validating it was a sixth of the page's CPU.
func (tx *Tx) decodeProgramme(raw []byte) (*programme.Programme, error) {
	if p := tx.programmes.get(raw); p != nil {
		return p, nil
	}
	p, err := programme.Parse(raw)
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "stored programme settings could not be read")
	}
	tx.programmes.put(raw, p)
	return p.Clone(), nil
}

// programmeCache keeps programmes parsed, by the exact settings they were
// parsed from: changed settings are different text, parsed afresh, so
// nothing is ever stale. Callers get a copy each.
type programmeCache struct {
	mu sync.Mutex
	m  map[string]*programme.Programme
}

// maxCachedProgrammes bounds the cache: a national deployment runs two
// or three programmes at each of about 40 sites; past the bound (settings
// edited many times) it starts again.
const maxCachedProgrammes = 512

func (c *programmeCache) get(raw []byte) *programme.Programme {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.m[string(raw)]; ok {
		return p.Clone()
	}
	return nil
}

func (c *programmeCache) put(raw []byte, p *programme.Programme) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedProgrammes {
		c.m = map[string]*programme.Programme{}
	}
	c.m[string(raw)] = p
}
