package store

import (
	"context"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
)

// ImportIncidents stores a validated extract for a site. Incidents whose
// reference the site already holds are skipped, so importing the same
// extract twice changes nothing. It runs in the caller's transaction:
// with an error, nothing of the extract is stored. progress, if not nil,
// is called every 50,000 rows.
func (tx *Tx) ImportIncidents(ctx context.Context, siteID int64, recs []incident.Record, progress func(done int)) (inserted, skipped int, err error) {
	q := `INSERT INTO incidents (site_id, ref, occurred_on, type, crime, suspect_given, suspect_family, suspect_dob, suspect_postcode,
		victim_given, victim_family, victim_dob, victim_age, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (site_id, ref) DO NOTHING`
	stmt, err := tx.tx.PrepareContext(ctx, tx.d.rebind(q))
	if err != nil {
		return 0, 0, tx.d.mapError(err)
	}
	defer stmt.Close()
	for i, r := range recs {
		res, err := stmt.ExecContext(ctx, siteID, r.Ref, r.On, r.Type, r.Crime, r.Suspect.GivenName, r.Suspect.FamilyName, r.Suspect.DOB,
			r.Suspect.Postcode, r.Victim.GivenName, r.Victim.FamilyName, r.Victim.DOB, r.Victim.Age, tx.Now)
		if err != nil {
			return 0, 0, tx.d.mapError(err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			inserted++
		} else {
			skipped++
		}
		if progress != nil && (i+1)%50000 == 0 {
			progress(i + 1)
		}
	}
	return inserted, skipped, nil
}

// SiteIncidents returns a site's incidents on or after since, oldest first.
func (tx *Tx) SiteIncidents(ctx context.Context, siteID int64, since drive.Date) ([]incident.Record, error) {
	rows, err := tx.query(ctx, `SELECT ref, occurred_on, type, crime, suspect_given, suspect_family, suspect_dob, suspect_postcode,
		victim_given, victim_family, victim_dob, victim_age FROM incidents WHERE site_id = ? AND occurred_on >= ? ORDER BY occurred_on, ref`, siteID, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.Record
	for rows.Next() {
		var r incident.Record
		if err := rows.Scan(&r.Ref, &r.On, &r.Type, &r.Crime, &r.Suspect.GivenName, &r.Suspect.FamilyName, &r.Suspect.DOB, &r.Suspect.Postcode,
			&r.Victim.GivenName, &r.Victim.FamilyName, &r.Victim.DOB, &r.Victim.Age); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, r)
	}
	return out, tx.d.mapError(rows.Err())
}
