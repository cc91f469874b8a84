package store

import (
	"context"
)

// StaffOfSites returns the users who hold any role at the given sites:
// after a case moves to another site, the sending site keeps what these
// people wrote on it.
func (tx *Tx) StaffOfSites(ctx context.Context, siteIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(siteIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(siteIDs))
	for i, id := range siteIDs {
		args[i] = id
	}
	rows, err := tx.query(ctx, `SELECT DISTINCT user_id FROM role_assignments WHERE site_id IN (`+placeholders(len(siteIDs))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, tx.d.mapError(err)
		}
		out[id] = true
	}
	return out, tx.d.mapError(rows.Err())
}
