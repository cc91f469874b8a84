package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// Notification is one user's notification as stored. Summary was written
// by the service for the user's side of the wall; the store never mixes
// a perpetrator-side and a victim-side record in one row (CaseID and
// VictimCaseID are never both set).
type Notification struct {
	ID           int64
	UserID       int64
	SiteID       int64
	Kind         string
	CaseID       int64 // 0 for none
	VictimCaseID int64 // 0 for none
	Summary      string
	SourceKey    string
	CreatedAt    time.Time
	ReadAt       *time.Time
}

// CreateNotifications stores notifications, created now, skipping any
// whose user already holds one with the same source key (something raised
// twice, or twice in ns), and returns those it stored, with their ids, in
// the order given. An import may raise thousands, so they are inserted
// many to a statement.
func (tx *Tx) CreateNotifications(ctx context.Context, ns []Notification) ([]Notification, error) {
	type key struct {
		user   int64
		source string
	}
	seen := make(map[key]bool, len(ns))
	uniq := make([]Notification, 0, len(ns))
	for _, n := range ns {
		if k := (key{n.UserID, n.SourceKey}); !seen[k] {
			seen[k] = true
			uniq = append(uniq, n)
		}
	}
	ids := make(map[key]int64, len(uniq))
	const perRow = 8
	for rest := uniq; len(rest) > 0; {
		k := min(len(rest), batchRows/2)
		q := `INSERT INTO notifications (user_id, site_id, kind, case_id, victim_case_id, summary, source_key, created_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?, ?), `, k), ", ") +
			` ON CONFLICT (user_id, source_key) DO NOTHING RETURNING id, user_id, source_key`
		args := make([]any, 0, perRow*k)
		for _, n := range rest[:k] {
			args = append(args, n.UserID, n.SiteID, n.Kind, optID(n.CaseID), optID(n.VictimCaseID), n.Summary, n.SourceKey, tx.Now)
		}
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var k key
			if err := rows.Scan(&id, &k.user, &k.source); err != nil {
				rows.Close()
				return nil, tx.d.mapError(err)
			}
			ids[k] = id
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		rows.Close()
		rest = rest[k:]
	}
	var out []Notification
	for _, n := range uniq {
		if id, ok := ids[key{n.UserID, n.SourceKey}]; ok {
			n.ID, n.CreatedAt, n.ReadAt = id, tx.Now, nil
			out = append(out, n)
		}
	}
	return out, nil
}

// Notifications returns a user's notifications, newest first, at most
// limit (1 to 500; otherwise 100) of them, and only unread ones when
// unreadOnly.
func (tx *Tx) Notifications(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]Notification, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT id, user_id, site_id, kind, case_id, victim_case_id, summary, source_key, created_at, read_at
		FROM notifications WHERE user_id = ?`
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	rows, err := tx.query(ctx, q+` ORDER BY id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var caseID, victimID sql.NullInt64
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.UserID, &n.SiteID, &n.Kind, &caseID, &victimID, &n.Summary, &n.SourceKey, &n.CreatedAt, &read); err != nil {
			return nil, tx.d.mapError(err)
		}
		n.CaseID, n.VictimCaseID, n.CreatedAt = caseID.Int64, victimID.Int64, n.CreatedAt.UTC()
		if read.Valid {
			t := read.Time.UTC()
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	return out, tx.d.mapError(rows.Err())
}

// UnreadNotifications counts a user's unread notifications: the one query
// behind the count in every page's header, answered from a partial index.
func (tx *Tx) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, tx.d.mapError(err)
}

// MarkNotificationsRead marks a user's notification id read now, or all
// of the user's unread ones when id is 0, and returns how many changed.
// Another user's notification is never changed: asking for it is
// ENOTFOUND, as is an id that does not exist.
func (tx *Tx) MarkNotificationsRead(ctx context.Context, userID, id int64) (int, error) {
	if id != 0 {
		var read sql.NullTime
		if err := tx.queryRow(ctx, `SELECT read_at FROM notifications WHERE id = ? AND user_id = ?`, id, userID).Scan(&read); err != nil {
			return 0, tx.scanErr(err, "notification")
		}
		if read.Valid {
			return 0, nil
		}
		_, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ?`, tx.Now, id, userID)
		return 1, err
	}
	res, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, tx.Now, userID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SetNotificationEmail sets the address a user is told at that a
// notification is waiting, or removes it when address is empty.
func (tx *Tx) SetNotificationEmail(ctx context.Context, userID int64, address string) error {
	if address == "" {
		_, err := tx.exec(ctx, `DELETE FROM notification_emails WHERE user_id = ?`, userID)
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO notification_emails (user_id, address, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at`, userID, address, tx.Now)
	return err
}

// NotificationEmails returns the addresses of those of userIDs who gave
// one, by user.
func (tx *Tx) NotificationEmails(ctx context.Context, userIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := tx.query(ctx, `SELECT user_id, address FROM notification_emails WHERE user_id IN (`+placeholders(len(userIDs))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var addr string
		if err := rows.Scan(&id, &addr); err != nil {
			return nil, tx.d.mapError(err)
		}
		out[id] = addr
	}
	return out, tx.d.mapError(rows.Err())
}

// PoliceMark is how far a site's police records went before an import:
// the highest incident and hearing ids, so that what the import added
// can be found after it (ids only grow, and a site's imports are
// serialised by LockSitePeople).
type PoliceMark struct {
	Incident, Hearing int64
}

// PoliceMark reads the highest incident and hearing ids (of any site:
// the primary key answers without a scan).
func (tx *Tx) PoliceMark(ctx context.Context) (PoliceMark, error) {
	var m PoliceMark
	err := tx.queryRow(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM incidents), (SELECT COALESCE(MAX(id), 0) FROM marac_hearings)`).Scan(&m.Incident, &m.Hearing)
	return m, tx.d.mapError(err)
}

// AlertEvent is a police incident or MARAC hearing as an alert may tell
// it: when, what, and whether it was a crime. It carries no name, place
// or detail of anyone in it.
type AlertEvent struct {
	Hearing bool // a MARAC hearing; otherwise an incident
	ID      int64
	On      drive.Date
	Type    string // incidents only
	Crime   bool   // incidents only
}

// CaseAlert is a police event naming, as suspect or perpetrator, the
// person of an open perpetrator case.
type CaseAlert struct {
	AlertEvent
	CaseID, SiteID int64
	CaseManagerID  int64 // 0 when the case has none yet
}

// VictimAlert is a police event that concerns an open IDVA case: through
// a perpetrator case her case is linked to (CaseID), or because it names
// her as its victim (CaseID 0).
type VictimAlert struct {
	AlertEvent
	VictimCaseID, SiteID, IDVAID int64
	CaseID                       int64
}

// alertOpenStates are the perpetrator case states in which work goes on
// (casework.State.Open).
const alertOpenStates = `('accepted', 'allocated', 'active', 'closing', 'transferred')`

// CaseAlertsSince returns the site's incidents and hearings added after
// mark whose suspect or perpetrator is linked (status "linked") to the
// person of an open perpetrator case, one row per event and case. The
// links are few and the events many, so the query starts from the links
// and reaches each linked person's incidents by their person index; a
// police person belongs to one site, so the events need no site filter
// of their own (one would tempt PostgreSQL, before it has statistics on
// a freshly loaded site, to scan the site's incidents once per link).
func (tx *Tx) CaseAlertsSince(ctx context.Context, siteID int64, mark PoliceMark) ([]CaseAlert, error) {
	q := `SELECT 0, i.id, i.occurred_on, i.type, i.crime, c.id, c.site_id, c.case_manager_id
		FROM person_police_links l
		JOIN incidents i ON i.suspect_person = l.police_person
		JOIN cases c ON c.person_id = l.person_id
		WHERE l.site_id = ? AND l.status = 'linked' AND i.id > ? AND c.state IN ` + alertOpenStates + `
		UNION ALL
		SELECT 1, h.id, h.heard_on, '', (1 = 0), c.id, c.site_id, c.case_manager_id
		FROM person_police_links l
		JOIN marac_hearings h ON h.perpetrator_person = l.police_person
		JOIN cases c ON c.person_id = l.person_id
		WHERE l.site_id = ? AND l.status = 'linked' AND h.id > ? AND c.state IN ` + alertOpenStates + `
		ORDER BY 1, 2, 6`
	rows, err := tx.query(ctx, q, siteID, mark.Incident, siteID, mark.Hearing)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseAlert
	for rows.Next() {
		var e CaseAlert
		var hearing int
		var manager sql.NullInt64
		if err := rows.Scan(&hearing, &e.ID, &e.On, &e.Type, &e.Crime, &e.CaseID, &e.SiteID, &manager); err != nil {
			return nil, tx.d.mapError(err)
		}
		e.Hearing, e.CaseManagerID = hearing == 1, manager.Int64
		out = append(out, e)
	}
	return out, tx.d.mapError(rows.Err())
}

// VictimAlertsSince returns the open IDVA cases, with an IDVA, that the
// site's incidents and hearings added after mark concern: those linked
// (victim_links) to a perpetrator case of events (CaseAlertsSince), and
// those whose victim-survivor is linked (victim_police_links, "linked") to
// the event's victim. It runs on the service's side of the wall and its
// rows go only to IDVAs.
func (tx *Tx) VictimAlertsSince(ctx context.Context, siteID int64, mark PoliceMark, events []CaseAlert) ([]VictimAlert, error) {
	var out []VictimAlert
	byCase := map[int64][]CaseAlert{}
	for _, e := range events {
		byCase[e.CaseID] = append(byCase[e.CaseID], e)
	}
	if len(byCase) > 0 {
		args := make([]any, 0, len(byCase)+1)
		for id := range byCase {
			args = append(args, id)
		}
		args = append(args, true)
		rows, err := tx.query(ctx, `SELECT vl.case_id, v.id, v.site_id, v.idva_id FROM victim_links vl JOIN victim_cases v ON v.id = vl.victim_case_id
			WHERE vl.case_id IN (`+placeholders(len(byCase))+`) AND v.is_open = ? AND v.idva_id IS NOT NULL ORDER BY vl.case_id, v.id`, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var caseID, victimID, site, idva int64
			if err := rows.Scan(&caseID, &victimID, &site, &idva); err != nil {
				return nil, tx.d.mapError(err)
			}
			for _, e := range byCase[caseID] {
				out = append(out, VictimAlert{AlertEvent: e.AlertEvent, VictimCaseID: victimID, SiteID: site, IDVAID: idva, CaseID: caseID})
			}
		}
		if err := rows.Err(); err != nil {
			return nil, tx.d.mapError(err)
		}
		rows.Close()
	}
	q := `SELECT 0, i.id, i.occurred_on, i.type, i.crime, v.id, v.site_id, v.idva_id
		FROM victim_police_links l
		JOIN incidents i ON i.victim_person = l.police_person
		JOIN victim_cases v ON v.id = l.victim_case_id
		WHERE l.site_id = ? AND l.status = 'linked' AND i.id > ? AND v.is_open = ? AND v.idva_id IS NOT NULL
		UNION ALL
		SELECT 1, h.id, h.heard_on, '', (1 = 0), v.id, v.site_id, v.idva_id
		FROM victim_police_links l
		JOIN marac_hearings h ON h.victim_person = l.police_person
		JOIN victim_cases v ON v.id = l.victim_case_id
		WHERE l.site_id = ? AND l.status = 'linked' AND h.id > ? AND v.is_open = ? AND v.idva_id IS NOT NULL
		ORDER BY 1, 2, 6`
	rows, err := tx.query(ctx, q, siteID, mark.Incident, true, siteID, mark.Hearing, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e VictimAlert
		var hearing int
		if err := rows.Scan(&hearing, &e.ID, &e.On, &e.Type, &e.Crime, &e.VictimCaseID, &e.SiteID, &e.IDVAID); err != nil {
			return nil, tx.d.mapError(err)
		}
		e.Hearing = hearing == 1
		out = append(out, e)
	}
	return out, tx.d.mapError(rows.Err())
}

// NotifiedTeamLeaders returns, by site, the enabled team leaders at each of
// siteIDs who work on the perpetrator side (not for an IDVA service).
func (tx *Tx) NotifiedTeamLeaders(ctx context.Context, siteIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(siteIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(siteIDs))
	for _, id := range siteIDs {
		args = append(args, id)
	}
	rows, err := tx.query(ctx, `SELECT r.site_id, u.id FROM role_assignments r JOIN users u ON u.id = r.user_id
		JOIN organisations o ON o.id = u.organisation_id
		WHERE r.role = 'team_leader' AND r.site_id IN (`+placeholders(len(siteIDs))+`) AND u.disabled_at IS NULL AND o.kind <> 'idva_service'
		ORDER BY r.site_id, u.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var site, user int64
		if err := rows.Scan(&site, &user); err != nil {
			return nil, tx.d.mapError(err)
		}
		out[site] = append(out[site], user)
	}
	return out, tx.d.mapError(rows.Err())
}
