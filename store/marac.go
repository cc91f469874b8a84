package store

import (
	"context"
	"database/sql"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
)

// MARACHearing is a stored hearing with its id.
type MARACHearing struct {
	ID int64
	incident.Hearing
	// PerpetratorPerson and VictimPerson are the police people the last
	// resolution gave the hearing (0: not resolved yet).
	PerpetratorPerson int64
	VictimPerson      int64
	// Anonymised is set once a retention run has removed the names, dates
	// of birth and postcode; the people it was resolved to stay.
	Anonymised bool
}

// ImportMARAC stores a validated MARAC list for a site. Hearings the site
// already holds (the same reference on the same date) are skipped, so
// importing the same list twice changes nothing. A victim's postcode is
// not stored even if the hearing carries one. It runs in the caller's
// transaction: with an error, nothing of the list is stored. progress, if
// not nil, is called every 50,000 rows. The people the hearings name are
// left unresolved.
func (tx *Tx) ImportMARAC(ctx context.Context, siteID int64, hs []incident.Hearing, progress func(done int)) (inserted, skipped int, err error) {
	if err := tx.TouchPoliceData(ctx); err != nil {
		return 0, 0, err
	}
	q := `INSERT INTO marac_hearings (site_id, ref, heard_on, victim_given, victim_family, victim_dob,
		perpetrator_given, perpetrator_family, perpetrator_dob, perpetrator_postcode, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (site_id, ref, heard_on) DO NOTHING`
	stmt, err := tx.tx.PrepareContext(ctx, tx.d.rebind(q))
	if err != nil {
		return 0, 0, tx.d.mapError(err)
	}
	defer stmt.Close()
	for i, h := range hs {
		res, err := stmt.ExecContext(ctx, siteID, h.Ref, h.HeardOn, h.Victim.GivenName, h.Victim.FamilyName, h.Victim.DOB,
			h.Perpetrator.GivenName, h.Perpetrator.FamilyName, h.Perpetrator.DOB, h.Perpetrator.Postcode, tx.Now)
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

// SiteMARAC returns a site's hearings on or after since (all of them for
// a zero date), oldest first.
func (tx *Tx) SiteMARAC(ctx context.Context, siteID int64, since drive.Date) ([]MARACHearing, error) {
	if since.IsZero() {
		since = drive.Date{Year: 1, Month: 1, Day: 1}
	}
	rows, err := tx.query(ctx, `SELECT `+hearingColumns+` FROM marac_hearings WHERE site_id = ? AND heard_on >= ? ORDER BY heard_on, id`, siteID, since)
	if err != nil {
		return nil, err
	}
	return tx.scanHearings(rows)
}

const hearingColumns = `id, ref, heard_on, victim_given, victim_family, victim_dob,
	perpetrator_given, perpetrator_family, perpetrator_dob, perpetrator_postcode, perpetrator_person, victim_person, anonymised_at IS NOT NULL`

// PersonHearings returns the hearings naming a police person as
// perpetrator, oldest first.
func (tx *Tx) PersonHearings(ctx context.Context, personID int64) ([]MARACHearing, error) {
	rows, err := tx.query(ctx, `SELECT `+hearingColumns+` FROM marac_hearings WHERE perpetrator_person = ? ORDER BY heard_on, id`, personID)
	if err != nil {
		return nil, err
	}
	return tx.scanHearings(rows)
}

// AssignHearingPeople stores a resolution's people on hearings; the
// assignment's Incident is the hearing id.
func (tx *Tx) AssignHearingPeople(ctx context.Context, as []PersonAssignment) error {
	return tx.assignPeople(ctx, "marac_hearings", "perpetrator_person", "victim_person", as)
}

func (tx *Tx) scanHearings(rows *sql.Rows) ([]MARACHearing, error) {
	defer rows.Close()
	var out []MARACHearing
	for rows.Next() {
		var h MARACHearing
		var perp, vic sql.NullInt64
		if err := rows.Scan(&h.ID, &h.Ref, &h.HeardOn, &h.Victim.GivenName, &h.Victim.FamilyName, &h.Victim.DOB,
			&h.Perpetrator.GivenName, &h.Perpetrator.FamilyName, &h.Perpetrator.DOB, &h.Perpetrator.Postcode, &perp, &vic, &h.Anonymised); err != nil {
			return nil, tx.d.mapError(err)
		}
		h.PerpetratorPerson, h.VictimPerson = perp.Int64, vic.Int64
		out = append(out, h)
	}
	return out, tx.d.mapError(rows.Err())
}
