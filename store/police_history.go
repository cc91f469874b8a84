package store

import (
	"context"
)

// PoliceHistoryPeople returns the police people a Drive person is linked to
// (person_police_links with status "linked"), by id. Suggested and
// rejected links are left out: a suggestion is not yet known to be him,
// and his police history must not show another man's incidents.
func (tx *Tx) PoliceHistoryPeople(ctx context.Context, personID int64) ([]int64, error) {
	return tx.int64s(ctx, `SELECT police_person FROM person_police_links WHERE person_id = ? AND status = 'linked' ORDER BY police_person`, personID)
}
