package store

import (
	"context"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
)

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
	if err := tx.TouchPoliceData(ctx); err != nil {
		return err
	}
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
