package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/drive-platform/drive"
)

// TeamList names one of the team leader's lists of a site's cases that
// the store reads a page at a time (the team dashboard's cards and the
// pages /team/{list}).
type TeamList string

// The lists TeamListPage reads.
const (
	// TeamTransfers: transfers from other sites waiting for the site to
	// accept them, the longest waiting first.
	TeamTransfers TeamList = "transfers"
	// TeamUnallocated: referrals and accepted cases with no case manager
	// yet, the earliest referred first; a trial's comparison referrals
	// (followed up, never allocated) are left out.
	TeamUnallocated TeamList = "unallocated"
	// TeamOverdue: open cases with an open action due before today, the
	// one whose earliest open action is longest overdue first.
	TeamOverdue TeamList = "overdue"
	// TeamNoContact: allocated, active and closing cases with no contact
	// (counted from allocation when there has been none) for their
	// programme's period, the longest without first.
	TeamNoContact TeamList = "no-contact"
	// TeamReviews: active and closing cases whose next review is due by
	// today, the earliest due first.
	TeamReviews TeamList = "reviews"
)

// TeamListFilter chooses a page of one of a site's team lists.
type TeamListFilter struct {
	SiteID int64
	List   TeamList
	// NoContactBefore is, for TeamNoContact, the instant by programme code
	// before which a case's last contact puts it on the list (each case is
	// held to its own programme's period); NoContactOther is the instant
	// for a programme not in the map.
	NoContactBefore map[string]time.Time
	NoContactOther  time.Time
	Limit           int // default 50, at most 1000
	// After is the case at the edge of the page before this one (0 for the
	// first page); with Back, the page before it. The cursor is the case
	// id alone: the list's values at that case are read from its row, so
	// a link to a page holds nothing about the case. A page after a case
	// that has since left the list (its values gone) is empty.
	After int64
	Back  bool
}

// teamListSQL is one list's SQL: the conditions that select its cases
// (written as its partial index's own, migration 0057, so that the engine
// reads the list from that index) and the term of its order before the
// case id.
type teamListSQL struct {
	where string
	args  []any
	key   string
}

// teamListSQLFor is the SQL of f's list; false for a list the store does
// not read.
func teamListSQLFor(f TeamListFilter, today drive.Date) (teamListSQL, bool) {
	switch f.List {
	case TeamTransfers:
		// Only a pending transfer names a receiving site (a check on
		// the table), so the site alone selects the list.
		return teamListSQL{where: `c.transfer_to_site_id = ?`, args: []any{f.SiteID}, key: `c.updated_at`}, true
	case TeamUnallocated:
		return teamListSQL{where: `c.site_id = ? AND c.state IN ('referred', 'accepted')
			AND NOT EXISTS (SELECT 1 FROM trial_allocations t WHERE t.case_id = c.id AND t.arm = 'comparison')`,
			args: []any{f.SiteID}, key: `c.referred_on`}, true
	case TeamOverdue:
		return teamListSQL{where: `c.site_id = ? AND c.state IN ('accepted', 'allocated', 'active', 'closing', 'transferred')
			AND c.open_action_due IS NOT NULL AND c.open_action_due < ?`, args: []any{f.SiteID, today}, key: `c.open_action_due`}, true
	case TeamReviews:
		return teamListSQL{where: `c.site_id = ? AND c.state IN ('active', 'closing') AND c.next_review_due IS NOT NULL
			AND c.next_review_due <= ?`, args: []any{f.SiteID, today}, key: `c.next_review_due`}, true
	case TeamNoContact:
		const since = `coalesce(c.last_contact_at, c.allocated_at)`
		// The latest of the instants bounds the walk of the index; the
		// programme's own instant then holds each case to its period.
		latest := f.NoContactOther
		codes := make([]string, 0, len(f.NoContactBefore))
		for code, t := range f.NoContactBefore {
			codes = append(codes, code)
			if t.After(latest) {
				latest = t
			}
		}
		sort.Strings(codes)
		args := []any{f.SiteID, latest.UTC()}
		own := ``
		for _, code := range codes {
			own += `(c.programme = ? AND ` + since + ` < ?) OR `
			args = append(args, code, f.NoContactBefore[code].UTC())
		}
		if len(codes) > 0 {
			own += `(c.programme NOT IN (` + placeholders(len(codes)) + `) AND ` + since + ` < ?)`
			for _, code := range codes {
				args = append(args, code)
			}
		} else {
			own = since + ` < ?`
		}
		args = append(args, f.NoContactOther.UTC())
		return teamListSQL{where: `c.site_id = ? AND c.state IN ('allocated', 'active', 'closing')
			AND ` + since + ` < ? AND (` + own + `)`, args: args, key: since}, true
	}
	return teamListSQL{}, false
}

// teamListQuery is the SQL TeamListPage runs for f.
func (tx *Tx) teamListQuery(ctx context.Context, f TeamListFilter, today drive.Date) (casesQuery, error) {
	l, ok := teamListSQLFor(f, today)
	if !ok {
		return casesQuery{}, drive.NotFound("list")
	}
	q := casesQuery{count: `SELECT count(*) FROM cases c WHERE ` + l.where, countArgs: slices.Clone(l.args)}
	cond, args := l.where, slices.Clone(l.args)
	if f.After > 0 {
		// The cursor's values are read from its case's row and bound, so
		// that the comparison is one the engine seeks to in the index.
		var at any
		err := tx.queryRow(ctx, `SELECT `+l.key+` FROM cases c WHERE c.id = ?`, f.After).Scan(&at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return casesQuery{}, tx.d.mapError(err)
		}
		k, a := keyset([]caseKey{{l.key, false}, {`c.id`, false}}, []any{at, f.After}, f.Back)
		// The comparison of the key alone says the same as the first
		// term of the rows' and gives PostgreSQL's planner an estimate
		// of how much of the list lies beyond the edge from its
		// statistics, which it has none of for a comparison of rows.
		op := ` >= `
		if f.Back {
			op = ` <= `
		}
		cond += ` AND ` + l.key + op + `? AND ` + k
		args = append(append(args, at), a...)
		q.back = f.Back
	}
	dir := ``
	if q.back {
		dir = ` DESC`
	}
	q.limit = f.Limit
	if q.limit <= 0 {
		q.limit = 50
	}
	q.limit = min(q.limit, 1000)
	// The page's cases are chosen from the list's index alone, and what
	// a row shows beside its case is read for those cases only, by their
	// keys, not joined: so no engine weighs reading every person against a
	// walk of the index, the page keeps the order the walk gives, and
	// nothing is sorted.
	inner := ` ORDER BY ` + l.key + dir + `, c.id` + dir
	q.page = pageRowSelect + `(SELECT c.*, ` + l.key + ` AS list_key FROM cases c WHERE ` + cond + inner + ` LIMIT ?) c
		ORDER BY c.list_key` + dir + `, c.id` + dir
	q.pageArgs = append(append([]any{today}, args...), q.limit+1)
	return q, nil
}

// TeamListPage returns one page of one of a site's team lists, read from
// the edge f.After marks (the first page without it), and how many cases
// are on the list. Each list is read through an index that holds only the
// cases that can be on it, in its order (migration 0057), entered at the
// page's edge: a page costs what it shows and the count what is on the
// list, never the site's closed history. Errors: ENOTFOUND for a list the
// store does not read.
func (tx *Tx) TeamListPage(ctx context.Context, f TeamListFilter, today drive.Date) (CasePage, error) {
	q, err := tx.teamListQuery(ctx, f, today)
	if err != nil {
		return CasePage{}, err
	}
	var out CasePage
	if err := tx.queryRow(ctx, q.count, q.countArgs...).Scan(&out.Total); err != nil {
		return CasePage{}, tx.d.mapError(err)
	}
	if out.Total == 0 {
		return out, nil
	}
	return tx.casePageRows(ctx, q, out)
}
