package store

import (
	"context"
)

// PoliceHistoryPeople returns the police people a Drive person is linked to
// (person_police_links with status "linked"), by id. Suggested and
// rejected links are left out: a suggestion is not yet known to be him,
// and his police history must not show another man's incidents.
func (tx *Tx) PoliceHistoryPeople(ctx context.Context, personID int64) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT police_person FROM person_police_links WHERE person_id = ? AND status = 'linked' ORDER BY police_person`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, id)
	}
	return out, tx.d.mapError(rows.Err())
}

// AddPersonPoliceLink stores one link between a Drive person and a police
// person with the given status ("linked", "suggested" or "rejected") and
// the linker's score, undecided, as the linker writes it. It is how data
// such as fixtures and imports of earlier links put a link in place.
// Errors: ECONFLICT when the pair is linked already.
func (tx *Tx) AddPersonPoliceLink(ctx context.Context, siteID, personID, policePerson int64, status string, score float64) error {
	_, err := tx.exec(ctx, `INSERT INTO person_police_links (site_id, person_id, police_person, status, score, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		siteID, personID, policePerson, status, score, tx.Now)
	return err
}
