package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
)

// CreateSeries stores a validated meeting series and its expected
// agencies, and sets ID, CreatedAt and UpdatedAt. Errors: EINVALID (a
// name already used at the site, an unknown user or organisation).
func (tx *Tx) CreateSeries(ctx context.Context, s *meeting.Series) error {
	s.CreatedAt, s.UpdatedAt = tx.Now, tx.Now
	id, err := tx.insert(ctx, `INSERT INTO meeting_series (site_id, kind, name, schedule, chair_id, coordinator_id, venue, call_link,
		minutes_per_item, access_days, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.SiteID, string(s.Kind), s.Name, s.Schedule, s.ChairID, s.CoordinatorID, s.Venue, s.CallLink, s.MinutesPerItem, s.AccessDays,
		s.CreatedAt, s.UpdatedAt)
	if err != nil {
		return err
	}
	s.ID = id
	return tx.setSeriesAgencies(ctx, s)
}

// UpdateSeries saves a series' settings (never its site or kind) and
// expected agencies. Errors: EINVALID, ENOTFOUND.
func (tx *Tx) UpdateSeries(ctx context.Context, s *meeting.Series) error {
	res, err := tx.exec(ctx, `UPDATE meeting_series SET name = ?, schedule = ?, chair_id = ?, coordinator_id = ?, venue = ?, call_link = ?,
		minutes_per_item = ?, access_days = ?, updated_at = ? WHERE id = ?`,
		s.Name, s.Schedule, s.ChairID, s.CoordinatorID, s.Venue, s.CallLink, s.MinutesPerItem, s.AccessDays, tx.Now, s.ID)
	if err != nil {
		return err
	}
	if err := mustAffect(res, "meeting series"); err != nil {
		return err
	}
	s.UpdatedAt = tx.Now
	if _, err := tx.exec(ctx, `DELETE FROM meeting_series_agencies WHERE series_id = ?`, s.ID); err != nil {
		return err
	}
	return tx.setSeriesAgencies(ctx, s)
}

func (tx *Tx) setSeriesAgencies(ctx context.Context, s *meeting.Series) error {
	for _, org := range s.AgencyIDs {
		if _, err := tx.exec(ctx, `INSERT INTO meeting_series_agencies (series_id, organisation_id) VALUES (?, ?)`, s.ID, org); err != nil {
			return err
		}
	}
	return nil
}

const seriesColumns = `id, site_id, kind, name, schedule, chair_id, coordinator_id, venue, call_link, minutes_per_item, access_days, created_at, updated_at`

func scanSeries(row interface{ Scan(...any) error }, s *meeting.Series) error {
	var kind string
	if err := row.Scan(&s.ID, &s.SiteID, &kind, &s.Name, &s.Schedule, &s.ChairID, &s.CoordinatorID, &s.Venue, &s.CallLink,
		&s.MinutesPerItem, &s.AccessDays, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return err
	}
	s.Kind = meeting.Kind(kind)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return nil
}

// Series returns one series with its expected agencies. Errors: ENOTFOUND.
func (tx *Tx) Series(ctx context.Context, id int64) (*meeting.Series, error) {
	var s meeting.Series
	if err := scanSeries(tx.queryRow(ctx, `SELECT `+seriesColumns+` FROM meeting_series WHERE id = ?`, id), &s); err != nil {
		return nil, tx.scanErr(err, "meeting series")
	}
	ids, err := tx.int64s(ctx, `SELECT organisation_id FROM meeting_series_agencies WHERE series_id = ? ORDER BY organisation_id`, id)
	s.AgencyIDs = ids
	return &s, err
}

// SeriesAt returns the series of the given sites, by site and name.
func (tx *Tx) SeriesAt(ctx context.Context, siteIDs []int64) ([]meeting.Series, error) {
	if len(siteIDs) == 0 {
		return nil, nil
	}
	rows, err := tx.query(ctx, `SELECT `+seriesColumns+` FROM meeting_series WHERE site_id IN (`+placeholders(len(siteIDs))+`) ORDER BY site_id, name`,
		int64Args(siteIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meeting.Series
	for rows.Next() {
		var s meeting.Series
		if err := scanSeries(rows, &s); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, s)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateMeeting stores a validated meeting and sets ID, CreatedAt and
// UpdatedAt. Errors: EINVALID.
func (tx *Tx) CreateMeeting(ctx context.Context, m *meeting.Meeting) error {
	m.CreatedAt, m.UpdatedAt = tx.Now, tx.Now
	id, err := tx.insert(ctx, `INSERT INTO meetings (series_id, site_id, held_on, starts_at, state, access_days, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.SeriesID, m.SiteID, m.HeldOn, m.StartsAt, string(m.State), m.AccessDays, optID(m.CreatedBy), m.CreatedAt, m.UpdatedAt)
	if err != nil {
		return err
	}
	m.ID = id
	return nil
}

// UpdateMeeting saves a meeting's date, start, state and the times it was
// published and held. Errors: EINVALID, ENOTFOUND.
func (tx *Tx) UpdateMeeting(ctx context.Context, m *meeting.Meeting) error {
	res, err := tx.exec(ctx, `UPDATE meetings SET held_on = ?, starts_at = ?, state = ?, published_at = ?, held_at = ?, updated_at = ? WHERE id = ?`,
		m.HeldOn, m.StartsAt, string(m.State), optTime(m.PublishedAt), optTime(m.HeldAt), tx.Now, m.ID)
	if err != nil {
		return err
	}
	if err := mustAffect(res, "meeting"); err != nil {
		return err
	}
	m.UpdatedAt = tx.Now
	return nil
}

const meetingColumns = `m.id, m.series_id, m.site_id, s.kind, s.name, m.held_on, m.starts_at, m.state, m.access_days, m.published_at, m.held_at,
	m.created_by, m.created_at, m.updated_at`

func scanMeeting(row interface{ Scan(...any) error }, m *meeting.Meeting) error {
	var kind, state string
	var published, held sql.NullTime
	var by sql.NullInt64
	if err := row.Scan(&m.ID, &m.SeriesID, &m.SiteID, &kind, &m.Name, &m.HeldOn, &m.StartsAt, &state, &m.AccessDays, &published, &held,
		&by, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return err
	}
	m.Kind, m.State, m.CreatedBy = meeting.Kind(kind), meeting.State(state), by.Int64
	m.PublishedAt, m.HeldAt = fromNullTime(published), fromNullTime(held)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return nil
}

// Meeting returns one meeting. Errors: ENOTFOUND.
func (tx *Tx) Meeting(ctx context.Context, id int64) (*meeting.Meeting, error) {
	var m meeting.Meeting
	if err := scanMeeting(tx.queryRow(ctx, `SELECT `+meetingColumns+` FROM meetings m JOIN meeting_series s ON s.id = m.series_id WHERE m.id = ?`, id), &m); err != nil {
		return nil, tx.scanErr(err, "meeting")
	}
	return &m, nil
}

// MeetingFilter chooses meetings: those of SiteIDs, or those UserID is
// invited to (either, when both are given), held on or after From (zero
// for no bound), in States (all when empty). Newest first, at most Limit
// (default 200).
type MeetingFilter struct {
	SiteIDs  []int64
	UserID   int64
	SeriesID int64
	From     drive.Date
	Before   drive.Date
	States   []meeting.State
	Limit    int
}

// Meetings returns the meetings f chooses, soonest first when From is
// set (what is coming up), otherwise newest first.
func (tx *Tx) Meetings(ctx context.Context, f MeetingFilter) ([]meeting.Meeting, error) {
	var who []string
	var args []any
	if len(f.SiteIDs) > 0 {
		who = append(who, `m.site_id IN (`+placeholders(len(f.SiteIDs))+`)`)
		args = append(args, int64Args(f.SiteIDs)...)
	}
	if f.UserID > 0 {
		who = append(who, `m.id IN (SELECT meeting_id FROM meeting_attendees WHERE user_id = ?)`)
		args = append(args, f.UserID)
	}
	if len(who) == 0 {
		return nil, nil
	}
	where := []string{"(" + strings.Join(who, " OR ") + ")"}
	if f.SeriesID > 0 {
		where = append(where, `m.series_id = ?`)
		args = append(args, f.SeriesID)
	}
	order := `m.held_on DESC, m.id DESC`
	if !f.From.IsZero() {
		where = append(where, `m.held_on >= ?`)
		args = append(args, f.From)
		order = `m.held_on, m.id`
	}
	if !f.Before.IsZero() {
		where = append(where, `m.held_on < ?`)
		args = append(args, f.Before)
	}
	if len(f.States) > 0 {
		where = append(where, `m.state IN (`+placeholders(len(f.States))+`)`)
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	rows, err := tx.query(ctx, `SELECT `+meetingColumns+` FROM meetings m JOIN meeting_series s ON s.id = m.series_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meeting.Meeting
	for rows.Next() {
		var m meeting.Meeting
		if err := scanMeeting(rows, &m); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, m)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateItem adds an item to a meeting's agenda and sets its ID. Errors:
// EINVALID (a case already on the agenda).
func (tx *Tx) CreateItem(ctx context.Context, it *meeting.Item) error {
	id, err := tx.insert(ctx, `INSERT INTO meeting_items (meeting_id, ord, kind, case_id, reasons, children, is_repeat, minutes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		it.MeetingID, it.Ord, string(it.Kind), optID(it.CaseID), joinReasons(it.Reasons), it.Children, it.Repeat, it.Minutes)
	if err != nil {
		return err
	}
	it.ID = id
	return nil
}

// UpdateItem saves an item's place, time, reasons and decision (never its
// meeting, kind or case). Errors: EINVALID, ENOTFOUND.
func (tx *Tx) UpdateItem(ctx context.Context, it *meeting.Item) error {
	res, err := tx.exec(ctx, `UPDATE meeting_items SET ord = ?, reasons = ?, children = ?, is_repeat = ?, minutes = ?, decision = ?,
		decision_reasons = ?, evidence = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
		it.Ord, joinReasons(it.Reasons), it.Children, it.Repeat, it.Minutes, string(it.Decision), it.DecisionReasons, it.Evidence,
		optID(it.DecidedBy), optTime(it.DecidedAt), it.ID)
	if err != nil {
		return err
	}
	return mustAffect(res, "agenda item")
}

// DeleteItem takes an item off an agenda, with nothing recorded against
// it yet. Errors: ENOTFOUND, EINVALID when shares or actions refer to it.
func (tx *Tx) DeleteItem(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM meeting_items WHERE id = ?`, id)
	if err != nil {
		return err
	}
	return mustAffect(res, "agenda item")
}

func joinReasons(rs []meeting.Reason) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " ")
}

const itemColumns = `id, meeting_id, ord, kind, case_id, reasons, children, is_repeat, minutes, decision, decision_reasons, evidence, decided_by, decided_at`

func scanItem(row interface{ Scan(...any) error }) (meeting.Item, error) {
	var it meeting.Item
	var kind, reasons, decision string
	var caseID, by sql.NullInt64
	var at sql.NullTime
	if err := row.Scan(&it.ID, &it.MeetingID, &it.Ord, &kind, &caseID, &reasons, &it.Children, &it.Repeat, &it.Minutes, &decision,
		&it.DecisionReasons, &it.Evidence, &by, &at); err != nil {
		return it, err
	}
	it.Kind, it.CaseID, it.Decision, it.DecidedBy, it.DecidedAt = meeting.ItemKind(kind), caseID.Int64, meeting.Decision(decision), by.Int64, fromNullTime(at)
	for _, r := range strings.Fields(reasons) {
		it.Reasons = append(it.Reasons, meeting.Reason(r))
	}
	return it, nil
}

// Item returns one agenda item. Errors: ENOTFOUND.
func (tx *Tx) Item(ctx context.Context, id int64) (*meeting.Item, error) {
	it, err := scanItem(tx.queryRow(ctx, `SELECT `+itemColumns+` FROM meeting_items WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "agenda item")
	}
	return &it, nil
}

// Items returns a meeting's agenda in order.
func (tx *Tx) Items(ctx context.Context, meetingID int64) ([]meeting.Item, error) {
	return tx.items(ctx, `SELECT `+itemColumns+` FROM meeting_items WHERE meeting_id = ? ORDER BY ord, id`, meetingID)
}

// CaseItems returns the agenda items that heard a case, oldest meeting
// first.
func (tx *Tx) CaseItems(ctx context.Context, caseID int64) ([]meeting.Item, error) {
	return tx.items(ctx, `SELECT `+itemColumns+` FROM meeting_items WHERE case_id = ? ORDER BY meeting_id, id`, caseID)
}

func (tx *Tx) items(ctx context.Context, q string, args ...any) ([]meeting.Item, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meeting.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, it)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateAttendee invites someone and sets ID. Errors: EINVALID (a user
// already invited, an unknown organisation or user).
func (tx *Tx) CreateAttendee(ctx context.Context, a *meeting.Attendee) error {
	id, err := tx.insert(ctx, `INSERT INTO meeting_attendees (meeting_id, organisation_id, user_id, name, status, confidentiality_at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.MeetingID, a.OrganisationID, optID(a.UserID), a.Name, string(a.Status), optTime(a.ConfidentialityAt))
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

// UpdateAttendee saves an attendee's status and acceptance of the
// confidentiality statement. Errors: EINVALID, ENOTFOUND.
func (tx *Tx) UpdateAttendee(ctx context.Context, a *meeting.Attendee) error {
	res, err := tx.exec(ctx, `UPDATE meeting_attendees SET status = ?, confidentiality_at = ? WHERE id = ?`,
		string(a.Status), optTime(a.ConfidentialityAt), a.ID)
	if err != nil {
		return err
	}
	return mustAffect(res, "attendee")
}

// DeleteAttendee takes someone off a meeting's invitation list. Errors:
// ENOTFOUND.
func (tx *Tx) DeleteAttendee(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM meeting_attendees WHERE id = ?`, id)
	if err != nil {
		return err
	}
	return mustAffect(res, "attendee")
}

// Attendees returns a meeting's attendees by agency and name.
func (tx *Tx) Attendees(ctx context.Context, meetingID int64) ([]meeting.Attendee, error) {
	rows, err := tx.query(ctx, `SELECT a.id, a.meeting_id, a.organisation_id, a.user_id, a.name, a.status, a.confidentiality_at
		FROM meeting_attendees a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.meeting_id = ? ORDER BY a.organisation_id, coalesce(u.display_name, a.name), a.id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meeting.Attendee
	for rows.Next() {
		var a meeting.Attendee
		var user sql.NullInt64
		var status string
		var at sql.NullTime
		if err := rows.Scan(&a.ID, &a.MeetingID, &a.OrganisationID, &user, &a.Name, &status, &at); err != nil {
			return nil, tx.d.mapError(err)
		}
		a.UserID, a.Status, a.ConfidentialityAt = user.Int64, meeting.Attendance(status), fromNullTime(at)
		out = append(out, a)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateShare records what an agency shared and sets ID and CreatedAt.
// Errors: EINVALID.
func (tx *Tx) CreateShare(ctx context.Context, s *meeting.Share) error {
	s.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO meeting_shares (item_id, organisation_id, basis, victim_told, body, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ItemID, s.OrganisationID, string(s.Basis), s.VictimTold, s.Text, optID(s.RecordedBy), s.CreatedAt)
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

// Share returns one share. Errors: ENOTFOUND.
func (tx *Tx) Share(ctx context.Context, id int64) (*meeting.Share, error) {
	ss, err := tx.shares(ctx, `WHERE s.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, drive.NotFound("share")
	}
	return &ss[0], nil
}

// Shares returns what was shared at a meeting, by item and in the order
// recorded.
func (tx *Tx) Shares(ctx context.Context, meetingID int64) ([]meeting.Share, error) {
	return tx.shares(ctx, `WHERE i.meeting_id = ?`, meetingID)
}

// CaseShares returns everything shared about a case at any meeting,
// oldest first.
func (tx *Tx) CaseShares(ctx context.Context, caseID int64) ([]meeting.Share, error) {
	return tx.shares(ctx, `WHERE i.case_id = ?`, caseID)
}

func (tx *Tx) shares(ctx context.Context, where string, arg int64) ([]meeting.Share, error) {
	rows, err := tx.query(ctx, `SELECT s.id, s.item_id, s.organisation_id, s.basis, s.victim_told, s.body, s.recorded_by, s.created_at
		FROM meeting_shares s JOIN meeting_items i ON i.id = s.item_id `+where+` ORDER BY i.meeting_id, i.ord, s.id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meeting.Share
	for rows.Next() {
		var s meeting.Share
		var basis string
		var by sql.NullInt64
		if err := rows.Scan(&s.ID, &s.ItemID, &s.OrganisationID, &basis, &s.VictimTold, &s.Text, &by, &s.CreatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		s.Basis, s.RecordedBy, s.CreatedAt = meeting.LawfulBasis(basis), by.Int64, s.CreatedAt.UTC()
		out = append(out, s)
	}
	return out, tx.d.mapError(rows.Err())
}

// panel returns the seats a meeting gives on case id at the transaction's
// time (casework.Case.Panel).
func (tx *Tx) panel(ctx context.Context, caseID int64) ([]casework.PanelSeat, error) {
	rows, err := tx.query(ctx, `SELECT a.user_id, m.id, m.held_on, m.access_days FROM meeting_items i
		JOIN meetings m ON m.id = i.meeting_id JOIN meeting_attendees a ON a.meeting_id = m.id
		WHERE i.case_id = ? AND m.state IN ('published', 'held') AND a.user_id IS NOT NULL AND a.confidentiality_at IS NOT NULL
		ORDER BY m.held_on DESC, m.id DESC`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.PanelSeat
	today := drive.DateOf(tx.Now)
	for rows.Next() {
		var seat casework.PanelSeat
		var m meeting.Meeting
		if err := rows.Scan(&seat.UserID, &seat.MeetingID, &m.HeldOn, &m.AccessDays); err != nil {
			return nil, tx.d.mapError(err)
		}
		if !today.After(m.OpenUntil()) {
			out = append(out, seat)
		}
	}
	return out, tx.d.mapError(rows.Err())
}

// OrganisationAction is an action owned by an organisation, with what its
// partner users need to act on it: the case's site and the perpetrator's
// name.
type OrganisationAction struct {
	casework.Action
	SiteID     int64
	PersonName string
	CaseState  casework.State
}

// OrganisationActions returns the actions an organisation owns at the
// given sites (all sites when national), soonest due first; only
// unfinished ones unless all.
func (tx *Tx) OrganisationActions(ctx context.Context, orgID int64, siteIDs []int64, national, all bool) ([]OrganisationAction, error) {
	where := `a.organisation_id = ?`
	args := []any{orgID}
	if !national {
		if len(siteIDs) == 0 {
			return nil, nil
		}
		where += ` AND c.site_id IN (` + placeholders(len(siteIDs)) + `)`
		args = append(args, int64Args(siteIDs)...)
	}
	if !all {
		where += ` AND a.status IN ('open', 'in_progress')`
	}
	return tx.organisationActions(ctx, where, args...)
}

// MeetingActions returns the actions agreed at a meeting's items.
func (tx *Tx) MeetingActions(ctx context.Context, meetingID int64) ([]OrganisationAction, error) {
	return tx.organisationActions(ctx, `a.meeting_item_id IN (SELECT id FROM meeting_items WHERE meeting_id = ?)`, meetingID)
}

// OverdueActionsAt returns the unfinished actions past due at the given
// sites that an organisation owns, for the dashboards' "overdue by
// agency".
func (tx *Tx) OverdueActionsAt(ctx context.Context, siteIDs []int64, today drive.Date) ([]OrganisationAction, error) {
	if len(siteIDs) == 0 {
		return nil, nil
	}
	args := append(int64Args(siteIDs), today)
	// The unary + keeps SQLite's planner off the site's cases (every case
	// the site ever held) and on case_actions_agency_open, the open
	// agency actions by due date; the condition must name that partial
	// index's terms exactly for SQLite to use it.
	return tx.organisationActions(ctx, `+c.site_id IN (`+placeholders(len(siteIDs))+`) AND a.organisation_id IS NOT NULL
		AND a.status IN ('open', 'in_progress') AND a.due_on < ?`, args...)
}

func (tx *Tx) organisationActions(ctx context.Context, where string, args ...any) ([]OrganisationAction, error) {
	var cols []string
	for _, c := range strings.Split(actionColumns, ",") {
		cols = append(cols, "a."+strings.TrimSpace(c))
	}
	rows, err := tx.query(ctx, `SELECT `+strings.Join(cols, ", ")+`, c.site_id, c.state, p.given_name, p.family_name
		FROM case_actions a JOIN cases c ON c.id = a.case_id JOIN people p ON p.id = c.person_id
		WHERE `+where+` ORDER BY a.due_on, a.id LIMIT 2000`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OrganisationAction
	for rows.Next() {
		var oa OrganisationAction
		var state, given, family string
		a, err := scanAction(scanTail{rows, []any{&oa.SiteID, &state, &given, &family}})
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		oa.Action, oa.CaseState, oa.PersonName = a, casework.State(state), strings.TrimSpace(given+" "+family)
		out = append(out, oa)
	}
	return out, tx.d.mapError(rows.Err())
}

// scanTail scans extra columns after those a scan function reads.
type scanTail struct {
	row  interface{ Scan(...any) error }
	tail []any
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

// SetAdultFemalePopulation sets the site's adult female population, for
// the MARAC data return. Errors: EINVALID, ENOTFOUND.
func (tx *Tx) SetAdultFemalePopulation(ctx context.Context, siteID int64, n int) error {
	res, err := tx.exec(ctx, `UPDATE sites SET adult_female_population = ? WHERE id = ?`, n, siteID)
	if err != nil {
		return err
	}
	return mustAffect(res, "site")
}

// AdultFemalePopulation returns the site's configured adult female
// population, 0 when not configured. Errors: ENOTFOUND.
func (tx *Tx) AdultFemalePopulation(ctx context.Context, siteID int64) (int, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT adult_female_population FROM sites WHERE id = ?`, siteID).Scan(&n); err != nil {
		return 0, tx.scanErr(err, "site")
	}
	return n, nil
}
