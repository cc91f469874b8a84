package store

import (
	"context"

	"github.com/drive-platform/drive"
)

// The assessment schedule's reads for whole lists: the team dashboard
// shows every open case of a site with its schedule, and one query per
// case would make the page's cost grow with the site.

// AssessedTimePoints returns, for each of the given perpetrators' cases
// that has any, the day each time point's behaviour assessment was first
// recorded with any linked victim-survivor: what the case's schedule
// counts as done. One query for the whole list.
func (tx *Tx) AssessedTimePoints(ctx context.Context, caseIDs []int64) (map[int64]map[string]drive.Date, error) {
	out := map[int64]map[string]drive.Date{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(caseIDs))
	for i, id := range caseIDs {
		args[i] = id
	}
	rows, err := tx.query(ctx, `SELECT case_id, time_point, min(assessed_on) FROM victim_behaviours
		WHERE case_id IN (`+placeholders(len(caseIDs))+`) GROUP BY case_id, time_point`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var point string
		var on drive.Date
		if err := rows.Scan(&id, &point, &on); err != nil {
			return nil, tx.d.mapError(err)
		}
		if out[id] == nil {
			out[id] = map[string]drive.Date{}
		}
		out[id][point] = on
	}
	return out, tx.d.mapError(rows.Err())
}

// CasesWithoutIDVA returns which of the given perpetrators' cases have a
// linked victim-survivor whose IDVA case is closed or has no IDVA
// allocated. One query for the whole list.
func (tx *Tx) CasesWithoutIDVA(ctx context.Context, caseIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(caseIDs)+1)
	for _, id := range caseIDs {
		args = append(args, id)
	}
	args = append(args, false)
	rows, err := tx.query(ctx, `SELECT DISTINCT l.case_id FROM victim_links l JOIN victim_cases v ON v.id = l.victim_case_id
		WHERE l.case_id IN (`+placeholders(len(caseIDs))+`) AND (v.idva_id IS NULL OR v.is_open = ?)`, args...)
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
