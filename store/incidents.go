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
		victim_given, victim_family, victim_dob, victim_age FROM incidents WHERE site_id = ? AND occurred_on >= ? ORDER BY occurred_on, id`, siteID, since)
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

// IncidentRefs returns the references a site holds, so an import can tell
// new incidents from ones it already has.
func (tx *Tx) IncidentRefs(ctx context.Context, siteID int64) (map[string]bool, error) {
	rows, err := tx.query(ctx, `SELECT ref FROM incidents WHERE site_id = ?`, siteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, tx.d.mapError(err)
		}
		out[ref] = true
	}
	return out, tx.d.mapError(rows.Err())
}

// InsertIncidents stores new incidents for a site with the people a
// resolution gave them (suspects and victims by position; 0 for none).
// The references must be new to the site: one it holds already is an
// ECONFLICT, and the caller's transaction rolls back. progress, if not
// nil, is called every 50,000 rows.
func (tx *Tx) InsertIncidents(ctx context.Context, siteID int64, recs []incident.Record, suspects, victims []int64, progress func(done int)) error {
	if len(suspects) != len(recs) || len(victims) != len(recs) {
		return drive.Errorf(drive.EINTERNAL, "InsertIncidents: %d incidents, %d suspects, %d victims", len(recs), len(suspects), len(victims))
	}
	q := `INSERT INTO incidents (site_id, ref, occurred_on, type, crime, suspect_given, suspect_family, suspect_dob, suspect_postcode,
		victim_given, victim_family, victim_dob, victim_age, imported_at, suspect_person, victim_person) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	stmt, err := tx.tx.PrepareContext(ctx, tx.d.rebind(q))
	if err != nil {
		return tx.d.mapError(err)
	}
	defer stmt.Close()
	for i, r := range recs {
		if _, err := stmt.ExecContext(ctx, siteID, r.Ref, r.On, r.Type, r.Crime, r.Suspect.GivenName, r.Suspect.FamilyName, r.Suspect.DOB,
			r.Suspect.Postcode, r.Victim.GivenName, r.Victim.FamilyName, r.Victim.DOB, r.Victim.Age, tx.Now, optID(suspects[i]), optID(victims[i])); err != nil {
			return tx.d.mapError(err)
		}
		if progress != nil && (i+1)%50000 == 0 {
			progress(i + 1)
		}
	}
	return nil
}
