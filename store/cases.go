package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
)

// caseColumns are the columns of a case, in the order scanCase reads them,
// for queries that name the cases table c.
const caseColumns = `c.id, c.site_id, c.person_id, c.programme, c.state, c.engagement, c.source, c.referred_on, c.referred_by, c.summary,
	c.last_marac_on, c.dash_score, c.victims, c.identification_rank, c.known_to_social_care, c.professional_judgement,
	c.decision_reasons, c.decided_by, c.decided_at, c.case_manager_id, c.allocated_at, c.started_at, c.closure_reason, c.closed_at,
	c.transfer_to_site_id, c.last_contact_at, c.next_review_due, c.created_at, c.updated_at`

// The states in which a case counts against its case manager's caseload.
const caseloadStates = `'allocated', 'active', 'closing', 'transferred'`

// optID stores 0 as NULL, for optional references to users and sites.
func optID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// optTime stores a nil time as NULL.
func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func fromNullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// scanCase reads caseColumns and then extra, the columns a query adds.
func scanCase(row interface{ Scan(...any) error }, c *casework.Case, extra ...any) error {
	var state, engagement, source string
	var referredBy, decidedBy, manager, transferTo sql.NullInt64
	var decidedAt, allocatedAt, startedAt, closedAt, lastContact sql.NullTime
	dest := []any{&c.ID, &c.SiteID, &c.PersonID, &c.Programme, &state, &engagement, &source, &c.ReferredAt, &referredBy, &c.Summary,
		&c.Evidence.LastMARAC, &c.Evidence.DASHScore, &c.Evidence.Victims, &c.Evidence.IdentificationRank,
		&c.Evidence.KnownToChildrensSocialCare, &c.Evidence.ProfessionalJudgement,
		&c.DecisionReasons, &decidedBy, &decidedAt, &manager, &allocatedAt, &startedAt, &c.ClosureReason, &closedAt,
		&transferTo, &lastContact, &c.NextReviewDue, &c.CreatedAt, &c.UpdatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	c.State, c.Engagement, c.Source = casework.State(state), casework.Engagement(engagement), casework.Source(source)
	c.ReferredBy, c.DecidedBy, c.CaseManagerID, c.TransferToSiteID = referredBy.Int64, decidedBy.Int64, manager.Int64, transferTo.Int64
	c.DecidedAt, c.AllocatedAt, c.StartedAt, c.ClosedAt, c.LastContactAt =
		fromNullTime(decidedAt), fromNullTime(allocatedAt), fromNullTime(startedAt), fromNullTime(closedAt), fromNullTime(lastContact)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return nil
}

// CreateCase stores a referral: the case in state referred, not yet
// contacted. It checks the referral with ValidateReferral against the
// site's programme named by c.Programme, and that the person is held at
// the same site and has not been merged into another record. It sets ID,
// State, Engagement, CreatedAt and UpdatedAt. Errors: EINVALID with a
// message per field.
func (tx *Tx) CreateCase(ctx context.Context, c *casework.Case) error {
	prog, err := tx.SiteProgramme(ctx, c.SiteID, c.Programme)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		prog = nil
	} else if err != nil {
		return err
	}
	if err := c.ValidateReferral(drive.DateOf(tx.Now), prog); err != nil {
		return err
	}
	var site int64
	var merged sql.NullInt64
	err = tx.queryRow(ctx, `SELECT site_id, merged_into FROM people WHERE id = ?`, c.PersonID).Scan(&site, &merged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return drive.Invalid("Check the referral", map[string]string{"person": "Choose or enter the person being referred"})
	case err != nil:
		return tx.d.mapError(err)
	case site != c.SiteID:
		return drive.Invalid("Check the referral", map[string]string{"person": "The person must be held at the site the referral is made to"})
	case merged.Valid:
		return drive.Invalid("Check the referral", map[string]string{"person": "This record was merged into another: refer the record that was kept"})
	}
	c.CreatedAt, c.UpdatedAt = tx.Now, tx.Now
	id, err := tx.insert(ctx, `INSERT INTO cases (site_id, person_id, programme, state, engagement, source, referred_on, referred_by, summary,
		last_marac_on, dash_score, victims, identification_rank, known_to_social_care, professional_judgement,
		decision_reasons, decided_by, decided_at, case_manager_id, allocated_at, started_at, closure_reason, closed_at,
		transfer_to_site_id, last_contact_at, next_review_due, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.SiteID, c.PersonID, c.Programme, string(c.State), string(c.Engagement), string(c.Source), c.ReferredAt, optID(c.ReferredBy), c.Summary,
		c.Evidence.LastMARAC, c.Evidence.DASHScore, c.Evidence.Victims, c.Evidence.IdentificationRank,
		c.Evidence.KnownToChildrensSocialCare, strings.TrimSpace(c.Evidence.ProfessionalJudgement),
		c.DecisionReasons, optID(c.DecidedBy), optTime(c.DecidedAt), optID(c.CaseManagerID), optTime(c.AllocatedAt), optTime(c.StartedAt),
		c.ClosureReason, optTime(c.ClosedAt), optID(c.TransferToSiteID), optTime(c.LastContactAt), c.NextReviewDue, c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return err
	}
	c.ID = id
	return nil
}

// Case returns one case. Errors: ENOTFOUND.
func (tx *Tx) Case(ctx context.Context, id int64) (*casework.Case, error) {
	var c casework.Case
	if err := scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`, id), &c); err != nil {
		return nil, tx.scanErr(err, "case")
	}
	var err error
	c.Panel, err = tx.panel(ctx, id)
	return &c, err
}

// UpdateCase saves every field of a case except its person (which only
// MergePeople and UnmergePerson change) and CreatedAt, and sets UpdatedAt.
// The caller has moved the case with Case.Apply; the database refuses
// combinations the state machine never makes (an active case with no case
// manager, a pending transfer with no receiving site). Errors: EINVALID,
// ENOTFOUND.
func (tx *Tx) UpdateCase(ctx context.Context, c *casework.Case) error {
	f := map[string]string{}
	known := false
	for _, s := range casework.States() {
		known = known || s == c.State
	}
	if !known {
		f["state"] = "The case state is not one the service knows"
	}
	if !c.Engagement.Valid() {
		f["engagement"] = "Choose how the person is engaging"
	}
	if len(f) > 0 {
		return drive.Invalid("The case could not be saved", f)
	}
	res, err := tx.exec(ctx, `UPDATE cases SET site_id = ?, programme = ?, state = ?, engagement = ?, source = ?, referred_on = ?, referred_by = ?,
		summary = ?, last_marac_on = ?, dash_score = ?, victims = ?, identification_rank = ?, known_to_social_care = ?, professional_judgement = ?,
		decision_reasons = ?, decided_by = ?, decided_at = ?, case_manager_id = ?, allocated_at = ?, started_at = ?, closure_reason = ?,
		closed_at = ?, transfer_to_site_id = ?, last_contact_at = ?, next_review_due = ?, updated_at = ?
		WHERE id = ?`,
		c.SiteID, c.Programme, string(c.State), string(c.Engagement), string(c.Source), c.ReferredAt, optID(c.ReferredBy),
		strings.TrimSpace(c.Summary), c.Evidence.LastMARAC, c.Evidence.DASHScore, c.Evidence.Victims, c.Evidence.IdentificationRank,
		c.Evidence.KnownToChildrensSocialCare, strings.TrimSpace(c.Evidence.ProfessionalJudgement),
		c.DecisionReasons, optID(c.DecidedBy), optTime(c.DecidedAt), optID(c.CaseManagerID), optTime(c.AllocatedAt), optTime(c.StartedAt),
		c.ClosureReason, optTime(c.ClosedAt), optID(c.TransferToSiteID), optTime(c.LastContactAt), c.NextReviewDue, tx.Now, c.ID)
	if err != nil {
		return err
	}
	if err := mustAffect(res, "case"); err != nil {
		return err
	}
	c.UpdatedAt = tx.Now
	return nil
}

// caseRowSelect is a case with the person's name and date of birth, the
// case manager's name and the open and overdue action counts. Its one
// placeholder is today's date, for the overdue count. The counts are
// per-case subqueries on case_actions (case_id, status, due_on), so a page
// costs an index probe per row shown, never a scan of every action.
const caseRowSelect = `SELECT ` + caseColumns + `, p.given_name, p.family_name, p.date_of_birth, coalesce(u.display_name, ''),
	(SELECT count(*) FROM case_actions a WHERE a.case_id = c.id AND a.status IN ('open', 'in_progress')),
	(SELECT count(*) FROM case_actions a WHERE a.case_id = c.id AND a.status IN ('open', 'in_progress') AND a.due_on < ?)
	FROM cases c
	JOIN people p ON p.id = c.person_id
	LEFT JOIN users u ON u.id = c.case_manager_id`

// pageRowSelect is caseRowSelect for a page of cases already chosen from
// an index (the derived table that ends it, named c): what a row shows
// beside its case is read by key for the page's cases alone, not joined,
// so that no engine weighs reading every person against a walk of the
// index, and the page keeps the order the walk gave it.
const pageRowSelect = `SELECT ` + caseColumns + `,
	(SELECT p.given_name FROM people p WHERE p.id = c.person_id), (SELECT p.family_name FROM people p WHERE p.id = c.person_id),
	(SELECT p.date_of_birth FROM people p WHERE p.id = c.person_id),
	coalesce((SELECT u.display_name FROM users u WHERE u.id = c.case_manager_id), ''),
	(SELECT count(*) FROM case_actions a WHERE a.case_id = c.id AND a.status IN ('open', 'in_progress')),
	(SELECT count(*) FROM case_actions a WHERE a.case_id = c.id AND a.status IN ('open', 'in_progress') AND a.due_on < ?)
	FROM `

func scanCaseRow(row interface{ Scan(...any) error }) (CaseRow, error) {
	var r CaseRow
	var given, family string
	err := scanCase(row, &r.Case, &given, &family, &r.PersonDOB, &r.CaseManagerName, &r.OpenActions, &r.OverdueActions)
	r.PersonName = strings.TrimSpace(given + " " + family)
	return r, err
}

func (tx *Tx) caseRows(ctx context.Context, query string, args ...any) ([]CaseRow, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseRow
	for rows.Next() {
		r, err := scanCaseRow(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, r)
	}
	return out, tx.d.mapError(rows.Err())
}

// caseSorts maps CaseFilter.Sort to ORDER BY clauses, for the lists read
// whole (PersonCases). Each ends in the case id so pages never overlap or
// skip.
var caseSorts = map[string]string{
	"-updated": `c.updated_at DESC, c.id DESC`,
}

// likeEscape escapes LIKE's wildcards; the queries say ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Cases returns one page of the cases f selects and the total number it
// selects, with what lists show beside each case (CasesPage says whether
// more follow). OverdueActions counts actions open or in progress and due
// before today. An unknown Sort falls back to the default ("-updated"), so
// a stale link still shows a list. With no SiteIDs and not AllSites it
// returns nothing: the caller passes the sites the user may list.
func (tx *Tx) Cases(ctx context.Context, f CaseFilter, today drive.Date) ([]CaseRow, int, error) {
	p, err := tx.CasesPage(ctx, f, today)
	return p.Rows, p.Total, err
}

// caseKey is one term of a list's order.
type caseKey struct {
	expr string
	desc bool
}

// The state's place in the "-state" order (closed first) is the column
// state_place, and counted from the other end, for the "state" order
// (referred first), state_place_rev: both computed from the state by the
// database (migration 0057), with stateRank the same place in Go, for
// cursors. Each order is walked in one direction through its own index
// (cases_site_state_rank, cases_site_state_rank_rev): the state's place
// and the newest change descending.
var stateRanks = map[casework.State]int{casework.Referred: 1, casework.Accepted: 2, casework.Allocated: 3, casework.Active: 4,
	casework.Closing: 5, casework.Transferred: 6, casework.Closed: 7}

func stateRank(s casework.State) int {
	if r, ok := stateRanks[s]; ok {
		return r
	}
	return 8
}

// caseOrders are the terms of each order a list offers, which a page's
// edge is compared with. Each ends in the case id, so no two cases tie,
// and each runs one way throughout, so that "after the edge" is one
// comparison of rows that the order's index answers by seeking to it. The
// name orders read the names each case keeps beside it (sort_family,
// sort_given: migration 0057).
var caseOrders = map[string][]caseKey{
	"referred":  {{`c.referred_on`, false}, {`c.id`, false}},
	"-referred": {{`c.referred_on`, true}, {`c.id`, true}},
	"name":      {{`c.sort_family`, false}, {`c.sort_given`, false}, {`c.id`, false}},
	"-name":     {{`c.sort_family`, true}, {`c.sort_given`, true}, {`c.id`, true}},
	"state":     {{`c.state_place_rev`, true}, {`c.updated_at`, true}, {`c.id`, true}},
	"-state":    {{`c.state_place`, true}, {`c.updated_at`, true}, {`c.id`, true}},
	"updated":   {{`c.updated_at`, false}, {`c.id`, false}},
	"-updated":  {{`c.updated_at`, true}, {`c.id`, true}},
}

// CaseCursorAt is the cursor of row in the list order order (CaseFilter's
// Sort; unknown means the default).
func CaseCursorAt(order string, r CaseRow) CaseCursor {
	if _, ok := caseOrders[order]; !ok {
		order = "-updated"
	}
	c := CaseCursor{Sort: order, ID: r.Case.ID}
	switch strings.TrimPrefix(order, "-") {
	case "referred":
		c.Referred = r.Case.ReferredAt
	case "state":
		c.Rank, c.Updated = stateRank(r.Case.State), r.Case.UpdatedAt.UTC()
	case "updated":
		c.Updated = r.Case.UpdatedAt.UTC()
	}
	return c
}

// cursorValues are the values of cur for the terms of its order. For the
// orders by name they are the names kept at the cursor's case, which
// caseCursorNames read (nil ones, matching nothing, when it has gone).
func cursorValues(cur *CaseCursor) []any {
	switch cur.Sort {
	case "referred", "-referred":
		return []any{cur.Referred, cur.ID}
	case "state":
		return []any{9 - cur.Rank, cur.Updated, cur.ID}
	case "-state":
		return []any{cur.Rank, cur.Updated, cur.ID}
	case "updated", "-updated":
		return []any{cur.Updated, cur.ID}
	}
	names := cur.names
	if len(names) != 2 {
		names = []any{nil, nil}
	}
	return append(slices.Clone(names), cur.ID)
}

// keyset is the condition "comes after the values vals in the order keys"
// (before them when back): one comparison of rows, which both engines
// answer by seeking in the order's index, as every term of an order runs
// the same way (caseOrders).
func keyset(keys []caseKey, vals []any, back bool) (string, []any) {
	op := ` > `
	if keys[0].desc != back {
		op = ` < `
	}
	exprs := make([]string, len(keys))
	for i, k := range keys {
		exprs[i] = k.expr
	}
	return `(` + strings.Join(exprs, `, `) + `)` + op + `(` + placeholders(len(keys)) + `)`, vals
}

// caseCursorNames reads the names kept at the case a cursor of a name
// order marks, so that the page is found by seeking to them in the name
// index while the cursor itself carries only the case id. Other cursors
// are returned as they are.
func (tx *Tx) caseCursorNames(ctx context.Context, f CaseFilter) (CaseFilter, error) {
	cur := f.After
	if cur == nil || strings.TrimPrefix(cur.Sort, "-") != "name" {
		return f, nil
	}
	var family, given string
	err := tx.queryRow(ctx, `SELECT sort_family, sort_given FROM cases WHERE id = ?`, cur.ID).Scan(&family, &given)
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil // the case has gone: nil names match nothing
	}
	if err != nil {
		return f, tx.d.mapError(err)
	}
	c := *cur
	c.names = []any{family, given}
	f.After = &c
	return f, nil
}

// CasesPage returns one page of the cases f selects, read from the edge
// f.After marks (the first page without it), and how many f selects in
// all. A page is found by a keyset (the order's values and the case id)
// rather than by skipping rows, so later pages cost no more than the
// first; the count stops past CaseCountLimit (Over) unless f.CountAll.
func (tx *Tx) CasesPage(ctx context.Context, f CaseFilter, today drive.Date) (CasePage, error) {
	f, err := tx.caseCursorNames(ctx, f)
	if err != nil {
		return CasePage{}, err
	}
	q, ok := casesPageQuery(f, today)
	if !ok {
		return CasePage{}, nil
	}
	var out CasePage
	if err := tx.queryRow(ctx, q.count, q.countArgs...).Scan(&out.Total); err != nil {
		return CasePage{}, tx.d.mapError(err)
	}
	if !f.CountAll && out.Total > CaseCountLimit {
		out.Total, out.Over = CaseCountLimit, true
	}
	if out.Total == 0 {
		return out, nil
	}
	return tx.casePageRows(ctx, q, out)
}

// casePageRows reads the page q selects into out, whose count is read:
// the query asks for one row more than a page, which says there is a
// next page and is dropped, and a page read backwards is put in order.
func (tx *Tx) casePageRows(ctx context.Context, q casesQuery, out CasePage) (CasePage, error) {
	rows, err := tx.caseRows(ctx, q.page, q.pageArgs...)
	if err != nil {
		return CasePage{}, err
	}
	if len(rows) > q.limit {
		rows, out.More = rows[:q.limit], true
	}
	if q.back {
		slices.Reverse(rows)
	}
	out.Rows = rows
	return out, nil
}

// casesQuery is the SQL CasesPage runs: the count, and the page read one
// case past its limit to learn whether more follow.
type casesQuery struct {
	count, page         string
	countArgs, pageArgs []any
	limit               int
	back                bool // the page is read backwards and turned round
}

// casesPageQuery builds CasesPage's SQL for f; false when f selects no
// site and so nothing.
func casesPageQuery(f CaseFilter, today drive.Date) (casesQuery, bool) {
	var where []string
	var args []any
	if !f.AllSites {
		if len(f.SiteIDs) == 0 {
			return casesQuery{}, false
		}
		where = append(where, `c.site_id IN (`+placeholders(len(f.SiteIDs))+`)`)
		for _, id := range f.SiteIDs {
			args = append(args, id)
		}
	}
	if f.CaseManagerID != 0 {
		where = append(where, `c.case_manager_id = ?`)
		args = append(args, f.CaseManagerID)
	}
	if len(f.States) > 0 {
		where = append(where, `c.state IN (`+placeholders(len(f.States))+`)`)
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if f.Programme != "" {
		where = append(where, `c.programme = ?`)
		args = append(args, f.Programme)
	}
	if f.Engagement != "" {
		where = append(where, `c.engagement = ?`)
		args = append(args, string(f.Engagement))
	}
	if w, a := caseQuery(f.Query); w != "" {
		where = append(where, w)
		args = append(args, a...)
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	// Without a search the count needs no person: it is read from the
	// cases' own indexes rather than joining every case to its person.
	q := casesQuery{count: `SELECT count(*) FROM cases c`, countArgs: slices.Clone(args)}
	if strings.TrimSpace(f.Query) != "" {
		q.count += ` JOIN people p ON p.id = c.person_id`
	}
	q.count += cond
	if !f.CountAll {
		// One past the limit tells a list that more match, reading no
		// further into the index.
		q.count = `SELECT count(*) FROM (SELECT 1` + strings.TrimPrefix(q.count, `SELECT count(*)`) + ` LIMIT ?) counted`
		q.countArgs = append(q.countArgs, CaseCountLimit+1)
	}
	ord := f.Sort
	if _, ok := caseOrders[ord]; !ok {
		ord = "-updated"
	}
	keys := caseOrders[ord]
	if len(f.States) == 1 && strings.TrimPrefix(ord, "-") == "state" {
		// One state: its place is the same for every case, and without it
		// the order is that of the (site, state, updated, id) index.
		keys = keys[1:]
	}
	if cur := f.After; cur != nil && cur.Sort == ord && cur.ID > 0 {
		if len(keys) < len(caseOrders[ord]) {
			// The state's place was left out of the order: leave it out
			// of the cursor too.
			c := *cur
			c.Sort = "-updated"
			cur = &c
		}
		vals := cursorValues(cur)
		k, a := keyset(keys, vals[len(vals)-len(keys):], f.Back)
		if cond == "" {
			cond = ` WHERE ` + k
		} else {
			cond += ` AND ` + k
		}
		args = append(args, a...)
		q.back = f.Back
	}
	order := make([]string, len(keys))
	for i, k := range keys {
		dir := ""
		if k.desc != q.back {
			dir = " DESC"
		}
		order[i] = k.expr + dir
	}
	q.limit = f.Limit
	if q.limit <= 0 {
		q.limit = 50
	}
	q.limit = min(q.limit, 1000)
	q.page = caseRowSelect + cond + ` ORDER BY ` + strings.Join(order, `, `) + ` LIMIT ?`
	if strings.TrimSpace(f.Query) == "" {
		// Without a search the page's cases are chosen from the order's
		// index alone (pageRowSelect).
		q.page = pageRowSelect + `(SELECT c.* FROM cases c` + cond + ` ORDER BY ` + strings.Join(order, `, `) + ` LIMIT ?) c
			ORDER BY ` + strings.Join(order, `, `)
	}
	q.pageArgs = append(append([]any{today}, args...), q.limit+1)
	return q, true
}

// PersonCases returns every case of one person held at one site, newest
// change first, with what lists show beside each. Unlike Cases it has no
// page limit: it reads through the cases_person_site index, so its cost is the
// person's own handful of cases however many the site holds.
func (tx *Tx) PersonCases(ctx context.Context, siteID, personID int64, today drive.Date) ([]CaseRow, error) {
	return tx.caseRows(ctx, caseRowSelect+` WHERE c.person_id = ? AND c.site_id = ? ORDER BY `+caseSorts["-updated"], today, personID, siteID)
}

// caseQuery turns a search into a condition: every word of it must begin
// a word of the person's names, aliases or references; or the whole of it
// is a case number (digits, with or without a leading #).
func caseQuery(q string) (string, []any) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", nil
	}
	var conds []string
	var args []any
	for _, w := range strings.Fields(strings.ToLower(q)) {
		conds = append(conds, `p.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "% "+likeEscape(w)+"%")
		// Punctuation is folded out of stored names as well, so a search
		// for "o'brien" matches "obrien" and the other way round.
		if n := foldSearchWord(w); n != w && n != "" {
			conds[len(conds)-1] = `(` + conds[len(conds)-1] + ` OR p.search_text LIKE ? ESCAPE '\')`
			args = append(args, "% "+likeEscape(n)+"%")
		}
	}
	cond := `(` + strings.Join(conds, ` AND `) + `)`
	if n, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil && n > 0 {
		cond = `(c.id = ? OR ` + cond + `)`
		args = append([]any{n}, args...)
	}
	return cond, args
}

// TeamDashboard gathers what a team leader of one site works from: cases
// waiting for a decision or a case manager, cases with overdue actions,
// cases with no contact for noContactDays days (counted from allocation
// for a case never contacted), reviews due by today, transfers waiting
// for this site, and each case manager's caseload against caseloadLimit.
// It costs two queries however many cases the site holds.
func (tx *Tx) TeamDashboard(ctx context.Context, siteID int64, today drive.Date, noContactDays, caseloadLimit int) (*Dashboard, error) {
	rows, err := tx.caseRows(ctx, caseRowSelect+`
		WHERE (c.site_id = ? AND c.state IN ('referred', 'accepted', 'allocated', 'active', 'closing', 'transferred'))
		   OR (c.transfer_to_site_id = ? AND c.state = 'transferred')`, today, siteID, siteID)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{}
	// No contact since before the start of the day noContactDays-1 days
	// ago means none for noContactDays whole days by today.
	cutoff := today.AddDays(1 - noContactDays).Time()
	since := map[int64]time.Time{}
	for _, r := range rows {
		c := r.Case
		if c.SiteID != siteID {
			if c.TransferToSiteID == siteID {
				d.TransfersIn = append(d.TransfersIn, r)
			}
			continue
		}
		if c.State.Open() {
			d.OpenCases++
		}
		switch c.State {
		case casework.Referred, casework.Accepted:
			d.Unallocated = append(d.Unallocated, r)
		}
		if c.State.Open() && r.OverdueActions > 0 {
			d.Overdue = append(d.Overdue, r)
		}
		if c.State == casework.Allocated || c.State == casework.Active || c.State == casework.Closing {
			last := c.LastContactAt
			if last == nil {
				last = c.AllocatedAt
			}
			if last != nil && last.Before(cutoff) {
				since[c.ID] = *last
				d.NoContact = append(d.NoContact, r)
			}
		}
		if c.ReviewDue(today) {
			d.ReviewsDue = append(d.ReviewsDue, r)
		}
	}
	sort.SliceStable(d.Unallocated, func(i, j int) bool {
		a, b := d.Unallocated[i].Case, d.Unallocated[j].Case
		if a.ReferredAt != b.ReferredAt {
			return a.ReferredAt.Before(b.ReferredAt)
		}
		return a.ID < b.ID
	})
	sort.SliceStable(d.Overdue, func(i, j int) bool {
		if d.Overdue[i].OverdueActions != d.Overdue[j].OverdueActions {
			return d.Overdue[i].OverdueActions > d.Overdue[j].OverdueActions
		}
		return d.Overdue[i].Case.ID < d.Overdue[j].Case.ID
	})
	sort.SliceStable(d.NoContact, func(i, j int) bool {
		a, b := since[d.NoContact[i].Case.ID], since[d.NoContact[j].Case.ID]
		if !a.Equal(b) {
			return a.Before(b)
		}
		return d.NoContact[i].Case.ID < d.NoContact[j].Case.ID
	})
	sort.SliceStable(d.ReviewsDue, func(i, j int) bool {
		a, b := d.ReviewsDue[i].Case, d.ReviewsDue[j].Case
		if a.NextReviewDue != b.NextReviewDue {
			return a.NextReviewDue.Before(b.NextReviewDue)
		}
		return a.ID < b.ID
	})
	sort.SliceStable(d.TransfersIn, func(i, j int) bool {
		return d.TransfersIn[i].Case.UpdatedAt.Before(d.TransfersIn[j].Case.UpdatedAt)
	})
	d.Caseloads, err = tx.caseloads(ctx, siteID, caseloadLimit)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// caseloads lists the site's case managers (enabled users holding the
// role there) and anyone else holding one of its cases, with the cases
// each holds across every site, since the limit is about one person's
// work.
func (tx *Tx) caseloads(ctx context.Context, siteID int64, limit int) ([]Caseload, error) {
	rows, err := tx.query(ctx, `SELECT u.id, u.display_name,
		(SELECT count(*) FROM cases c WHERE c.case_manager_id = u.id AND c.state IN (`+caseloadStates+`))
		FROM users u
		WHERE (u.disabled_at IS NULL AND u.id IN (SELECT r.user_id FROM role_assignments r WHERE r.role = 'case_manager' AND r.site_id = ?))
		   OR u.id IN (SELECT c.case_manager_id FROM cases c WHERE c.site_id = ? AND c.state IN (`+caseloadStates+`))
		ORDER BY u.display_name, u.id`, siteID, siteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Caseload
	for rows.Next() {
		cl := Caseload{Limit: limit}
		if err := rows.Scan(&cl.UserID, &cl.Name, &cl.Open); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, cl)
	}
	return out, tx.d.mapError(rows.Err())
}

// OverLimit reports whether the case manager holds more open cases than
// the limit.
func (c Caseload) OverLimit() bool { return c.Limit > 0 && c.Open > c.Limit }

// AddHistory appends an entry to a case's timeline. A zero At is the
// transaction's time. Errors: EINVALID (no event, an unknown state, or a
// case, user or site that does not exist).
func (tx *Tx) AddHistory(ctx context.Context, h *casework.HistoryEntry) error {
	h.Event = strings.TrimSpace(h.Event)
	if h.Event == "" {
		return drive.Errorf(drive.EINVALID, "a history entry needs an event")
	}
	if h.At.IsZero() {
		h.At = tx.Now
	}
	h.At = h.At.UTC()
	id, err := tx.insert(ctx, `INSERT INTO case_history (case_id, at, user_id, event, from_state, to_state, detail, site_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		h.CaseID, h.At, optID(h.UserID), h.Event, string(h.FromState), string(h.ToState), h.Detail, optID(h.SiteID))
	if err != nil {
		return err
	}
	h.ID = id
	return nil
}

// History returns a case's timeline, oldest first.
func (tx *Tx) History(ctx context.Context, caseID int64) ([]casework.HistoryEntry, error) {
	rows, err := tx.query(ctx, `SELECT id, case_id, at, user_id, event, from_state, to_state, detail, site_id FROM case_history WHERE case_id = ? ORDER BY at, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.HistoryEntry
	for rows.Next() {
		var h casework.HistoryEntry
		var user, site sql.NullInt64
		var from, to string
		if err := rows.Scan(&h.ID, &h.CaseID, &h.At, &user, &h.Event, &from, &to, &h.Detail, &site); err != nil {
			return nil, tx.d.mapError(err)
		}
		h.At, h.UserID, h.SiteID, h.FromState, h.ToState = h.At.UTC(), user.Int64, site.Int64, casework.State(from), casework.State(to)
		out = append(out, h)
	}
	return out, tx.d.mapError(rows.Err())
}
