package store

import "context"

// PoliceDataVersion returns the version of the police data identification
// lists are ranked from: incidents, police people (who they are, whom
// they were merged into, confirmed, matched across sites) and MARAC
// hearings. Any change to that data, at any site, raises it, so a list
// ranked at one version is still right while the version stands (and the
// day is the same). Errors: those of the database.
func (tx *Tx) PoliceDataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := tx.queryRow(ctx, `SELECT version FROM police_data_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, tx.d.mapError(err)
	}
	return v, nil
}

// TouchPoliceData raises the police data version. Every store method that
// writes incidents, police people or MARAC hearings calls it once per
// call, in its own transaction, so the new version commits with the data;
// anything else that changes those tables (a retention run deleting old
// incidents, say) must call it too, or servers keep ranking lists from
// data that is gone. Errors: those of the database.
func (tx *Tx) TouchPoliceData(ctx context.Context) error {
	_, err := tx.exec(ctx, `UPDATE police_data_version SET version = version + 1 WHERE id = 1`)
	return err
}
