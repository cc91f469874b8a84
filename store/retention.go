package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/retention"
)

// Retention: legal holds, the records a retention run may act on, and the
// anonymising and deleting it does (package retention decides which).

// removedText replaces free text a retention run removes.
const removedText = "[removed under the retention schedule]"

// PlaceHold stores a new legal hold, setting its ID and PlacedAt (and,
// for an incident named by its site and police reference, its
// RecordID). Errors: EINVALID.
func (tx *Tx) PlaceHold(ctx context.Context, h *retention.Hold) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if h.Class == retention.Incident && h.RecordID <= 0 {
		id, err := tx.IncidentByRef(ctx, h.SiteID, h.Ref)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return NoIncidentRef(h.Ref)
		}
		if err != nil {
			return err
		}
		h.RecordID = id
	}
	if h.Class == retention.Incident {
		if err := tx.queryRow(ctx, `SELECT ref FROM incidents WHERE id = ?`, h.RecordID).Scan(&h.Ref); err != nil && err != sql.ErrNoRows {
			return tx.d.mapError(err)
		}
	}
	site, err := tx.HoldRecordSite(ctx, h.Class, h.RecordID)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return NoHoldRecord(h.Class, h.RecordID)
	}
	if err != nil {
		return err
	}
	h.SiteID = site
	h.PlacedAt, h.ReleasedAt, h.ReleaseReason = tx.Now, nil, ""
	id, err := tx.insert(ctx, `INSERT INTO legal_holds (record_type, record_id, reason, owner, placed_at) VALUES (?, ?, ?, ?, ?)`,
		string(h.Class), h.RecordID, h.Reason, h.Owner, h.PlacedAt)
	h.ID = id
	return err
}

// NoHoldRecord is the error for a hold on a record that does not exist,
// or that the one placing it may not hold: the same answer for both.
func NoHoldRecord(class retention.Class, id int64) error {
	what := map[retention.Class]string{retention.PerpetratorCase: "perpetrator's case", retention.VictimCase: "victim-survivor's case",
		retention.Site: "site", retention.Incident: "police incident"}[class]
	if what == "" {
		what = strings.ReplaceAll(string(class), "_", " ")
	}
	return drive.Invalid("The legal hold cannot be placed.", map[string]string{"record": fmt.Sprintf("There is no %s %d.", what, id)})
}

// holdSite is the site of a legal hold's record, as SQL over
// legal_holds' record_type and record_id.
const holdSite = `CASE record_type
	WHEN 'perpetrator_case' THEN (SELECT c.site_id FROM cases c WHERE c.id = record_id)
	WHEN 'victim_case' THEN (SELECT v.site_id FROM victim_cases v WHERE v.id = record_id)
	WHEN 'notification' THEN (SELECT n.site_id FROM notifications n WHERE n.id = record_id)
	WHEN 'incident' THEN (SELECT i.site_id FROM incidents i WHERE i.id = record_id)
	WHEN 'site' THEN record_id END`

// holdRef is the police reference of a held incident, as SQL over
// legal_holds' record_type and record_id; empty for other holds.
const holdRef = `COALESCE(CASE record_type WHEN 'incident' THEN (SELECT i.ref FROM incidents i WHERE i.id = record_id) END, '')`

// NoIncidentRef is the error for a hold on an incident by a police
// reference no incident of the site has, or at a site the one placing it
// may not hold: the same answer for both.
func NoIncidentRef(ref string) error {
	return drive.Invalid("The legal hold cannot be placed.", map[string]string{"ref": fmt.Sprintf("No imported police incident at that site has the reference %q.", ref)})
}

// IncidentByRef returns the id of the site's imported incident with the
// police reference ref. Errors: ENOTFOUND.
func (tx *Tx) IncidentByRef(ctx context.Context, siteID int64, ref string) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, `SELECT id FROM incidents WHERE site_id = ? AND ref = ?`, siteID, ref).Scan(&id); err != nil {
		return 0, tx.scanErr(err, "incident")
	}
	return id, nil
}

// HoldRecordSite returns the site of a record a legal hold may name (the
// site itself for retention.Site). Errors: ENOTFOUND if there is no such
// record, or the class cannot be held.
func (tx *Tx) HoldRecordSite(ctx context.Context, class retention.Class, id int64) (int64, error) {
	table := map[retention.Class]string{retention.PerpetratorCase: "cases", retention.Notification: "notifications",
		retention.VictimCase: "victim_cases", retention.Site: "sites", retention.Incident: "incidents"}[class]
	if table == "" {
		return 0, drive.NotFound("record")
	}
	col := "site_id"
	if class == retention.Site {
		col = "id"
	}
	var site int64
	err := tx.queryRow(ctx, `SELECT `+col+` FROM `+table+` WHERE id = ?`, id).Scan(&site)
	if err != nil {
		return 0, tx.scanErr(err, "record")
	}
	return site, nil
}

// Hold returns one legal hold. Errors: ENOTFOUND.
func (tx *Tx) Hold(ctx context.Context, id int64) (*retention.Hold, error) {
	hs, err := tx.holds(ctx, ` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, drive.NotFound("legal hold")
	}
	return &hs[0], nil
}

// ReleaseHold ends a hold in force, with the reason it ends. Errors:
// ENOTFOUND if there is no such hold in force, EINVALID without a reason.
func (tx *Tx) ReleaseHold(ctx context.Context, id int64, reason string) error {
	if reason == "" || len([]rune(reason)) > 500 {
		return drive.Invalid("The hold cannot be released.", map[string]string{"reason": "Say in up to 500 characters why the hold ends."})
	}
	res, err := tx.exec(ctx, `UPDATE legal_holds SET released_at = ?, release_reason = ? WHERE id = ? AND released_at IS NULL`, tx.Now, reason, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return tx.d.mapError(err)
	} else if n == 0 {
		return drive.NotFound("legal hold")
	}
	return nil
}

// Holds lists legal holds, newest first: only those in force, or all.
func (tx *Tx) Holds(ctx context.Context, inForceOnly bool) ([]retention.Hold, error) {
	if inForceOnly {
		return tx.holds(ctx, ` WHERE released_at IS NULL`)
	}
	return tx.holds(ctx, ``)
}

func (tx *Tx) holds(ctx context.Context, where string, args ...any) ([]retention.Hold, error) {
	rows, err := tx.query(ctx, `SELECT id, record_type, record_id, COALESCE(`+holdSite+`, 0), `+holdRef+`, reason, owner, placed_at, released_at, release_reason
		FROM legal_holds`+where+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retention.Hold
	for rows.Next() {
		var h retention.Hold
		var class string
		var released sql.NullTime
		if err := rows.Scan(&h.ID, &class, &h.RecordID, &h.SiteID, &h.Ref, &h.Reason, &h.Owner, &h.PlacedAt, &released, &h.ReleaseReason); err != nil {
			return nil, tx.d.mapError(err)
		}
		h.Class = retention.Class(class)
		h.PlacedAt = h.PlacedAt.UTC()
		if released.Valid {
			t := released.Time.UTC()
			h.ReleasedAt = &t
		}
		out = append(out, h)
	}
	return out, tx.d.mapError(rows.Err())
}

// RetentionCandidates lists the records of class whose period, counted
// from their end, may have run out by cutoff (their end is on or before
// cutoff) and that no retention run has yet acted on: closed cases by
// closure date, with the youngest child linked to them (through the case
// or its victim-survivors); notifications by the day they were raised;
// closed victim-survivors' cases by closure date, with her youngest
// child; police incidents and MARAC hearings by the day they happened.
// Each is given with its site. Errors: EINVALID for a class the store has
// no query for.
func (tx *Tx) RetentionCandidates(ctx context.Context, class retention.Class, cutoff drive.Date) ([]retention.Candidate, error) {
	switch class {
	case retention.VictimCase:
		return tx.dateCandidates(ctx, class, "", `SELECT v.id, v.site_id, v.closed_on,
			(SELECT max(ch.date_of_birth) FROM victim_children ch WHERE ch.victim_case_id = v.id)
			FROM victim_cases v
			WHERE v.closed_on IS NOT NULL AND v.closed_on <= ?
			  AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'victim_case' AND a.record_id = v.id)
			ORDER BY v.id`, cutoff)
	case retention.PoliceExtract:
		incs, err := tx.dateCandidates(ctx, class, retention.KindIncident, `SELECT id, site_id, occurred_on, NULL FROM incidents
			WHERE anonymised_at IS NULL AND occurred_on <= ? ORDER BY id`, cutoff)
		if err != nil {
			return nil, err
		}
		hs, err := tx.dateCandidates(ctx, class, retention.KindMARACHearing, `SELECT id, site_id, heard_on, NULL FROM marac_hearings
			WHERE anonymised_at IS NULL AND heard_on <= ? ORDER BY id`, cutoff)
		return append(incs, hs...), err
	}
	// The end is compared as a time: the start of the day after cutoff.
	before := cutoff.AddDays(1).Time()
	var q string
	switch class {
	case retention.PerpetratorCase:
		q = `SELECT c.id, c.site_id, c.closed_at,
			(SELECT max(ch.date_of_birth) FROM victim_children ch
			  WHERE ch.case_id = c.id OR ch.victim_case_id IN (SELECT l.victim_case_id FROM victim_links l WHERE l.case_id = c.id))
			FROM cases c
			WHERE c.state = 'closed' AND c.closed_at < ?
			  AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'perpetrator_case' AND a.record_id = c.id)
			ORDER BY c.id`
	case retention.Notification:
		q = `SELECT n.id, n.site_id, n.created_at, NULL FROM notifications n WHERE n.created_at < ? ORDER BY n.id`
	default:
		return nil, drive.Errorf(drive.EINVALID, "there are no retention candidates of class %q", class)
	}
	rows, err := tx.query(ctx, q, before)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retention.Candidate
	for rows.Next() {
		c := retention.Candidate{Class: class}
		var end time.Time
		var child sql.Null[drive.Date]
		if err := rows.Scan(&c.RecordID, &c.SiteID, &end, &child); err != nil {
			return nil, tx.d.mapError(err)
		}
		c.End = drive.DateOf(end.UTC())
		if child.Valid {
			c.YoungestChild = child.V
		}
		out = append(out, c)
	}
	return out, tx.d.mapError(rows.Err())
}

// dateCandidates runs q, which selects a record's id, site, end date and
// youngest child's date of birth (or NULL) for the records ending on or
// before cutoff, into candidates of class and kind.
func (tx *Tx) dateCandidates(ctx context.Context, class retention.Class, kind, q string, cutoff drive.Date) ([]retention.Candidate, error) {
	rows, err := tx.query(ctx, q, cutoff)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retention.Candidate
	for rows.Next() {
		c := retention.Candidate{Class: class, Kind: kind}
		var child sql.Null[drive.Date]
		if err := rows.Scan(&c.RecordID, &c.SiteID, &c.End, &child); err != nil {
			return nil, tx.d.mapError(err)
		}
		if child.Valid {
			c.YoungestChild = child.V
		}
		out = append(out, c)
	}
	return out, tx.d.mapError(rows.Err())
}

// caseTextRemovals remove a closed case's free text, each given the
// case's id: what AnonymiseCase removes from the case itself (the person
// apart). Each may run again on a case already anonymised and changes
// nothing more, so RemoveAnonymisedText can apply the whole list to a case
// anonymised before some of it was added.
var caseTextRemovals = []string{
	`DELETE FROM case_note_bodies WHERE note_id IN (SELECT id FROM case_notes WHERE case_id = ?)`,
	`UPDATE case_notes SET body = '` + removedText + `' WHERE case_id = ? AND body <> '` + removedText + `'`,
	`UPDATE case_history SET detail = '' WHERE case_id = ? AND detail <> ''`,
	`UPDATE case_actions SET outcome = '` + removedText + `' WHERE case_id = ? AND outcome NOT IN ('', '` + removedText + `')`,
	`UPDATE case_contacts SET summary = '` + removedText + `' WHERE case_id = ? AND summary <> '` + removedText + `'`,
	`UPDATE case_reviews SET summary = '` + removedText + `' WHERE case_id = ? AND summary <> '` + removedText + `'`,
	`DELETE FROM documents WHERE case_id = ?`,
	`UPDATE appointments SET with_whom = '' WHERE case_id = ? AND with_whom <> ''`,
	`UPDATE cases SET summary = '` + removedText + `', professional_judgement = '',
		decision_reasons = CASE WHEN decision_reasons = '' THEN '' ELSE '` + removedText + `' END WHERE id = ?`,
}

// caseTextLeft is SQL that is true for a case (c) that still holds
// free text caseTextRemovals would remove.
const caseTextLeft = `(EXISTS (SELECT 1 FROM case_note_bodies b JOIN case_notes n ON n.id = b.note_id WHERE n.case_id = c.id)
	OR EXISTS (SELECT 1 FROM case_notes n WHERE n.case_id = c.id AND n.body <> '` + removedText + `')
	OR EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.detail <> '')
	OR EXISTS (SELECT 1 FROM case_actions x WHERE x.case_id = c.id AND x.outcome NOT IN ('', '` + removedText + `'))
	OR EXISTS (SELECT 1 FROM case_contacts x WHERE x.case_id = c.id AND x.summary <> '` + removedText + `')
	OR EXISTS (SELECT 1 FROM case_reviews x WHERE x.case_id = c.id AND x.summary <> '` + removedText + `')
	OR EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id)
	OR EXISTS (SELECT 1 FROM appointments ap WHERE ap.case_id = c.id AND ap.with_whom <> '')
	OR c.summary <> '` + removedText + `' OR c.professional_judgement <> '' OR c.decision_reasons NOT IN ('', '` + removedText + `'))`

// victimTextRemovals remove what identifies or locates a victim-survivor
// from her closed case, each given the case's id, as caseTextRemovals do
// for a perpetrator's case: each may run again and changes nothing more.
var victimTextRemovals = []string{
	`DELETE FROM victim_compartments WHERE victim_case_id = ?`,
	`DELETE FROM victim_safety_plans WHERE victim_case_id = ?`,
	`DELETE FROM victim_notes WHERE victim_case_id = ?`,
	`DELETE FROM idva_contacts WHERE victim_case_id = ?`,
	`DELETE FROM victim_dash_comments WHERE assessment_id IN (SELECT id FROM victim_dash WHERE victim_case_id = ?)`,
	`UPDATE victim_dash SET judgement_reason = '' WHERE victim_case_id = ? AND judgement_reason <> ''`,
	`DELETE FROM documents WHERE victim_case_id = ?`,
	`UPDATE appointments SET with_whom = '' WHERE victim_case_id = ? AND with_whom <> ''`,
	`UPDATE victim_children SET given_name = 'Removed' WHERE victim_case_id = ? AND given_name <> 'Removed'`,
	`UPDATE victim_cases SET given_name = 'Removed', family_name = 'Removed', date_of_birth = NULL WHERE id = ?`,
}

// victimTextLeft is SQL that is true for a victim-survivor's case (v)
// that still holds anything victimTextRemovals would remove.
const victimTextLeft = `(EXISTS (SELECT 1 FROM victim_compartments x WHERE x.victim_case_id = v.id)
	OR EXISTS (SELECT 1 FROM victim_safety_plans x WHERE x.victim_case_id = v.id)
	OR EXISTS (SELECT 1 FROM victim_notes x WHERE x.victim_case_id = v.id)
	OR EXISTS (SELECT 1 FROM idva_contacts x WHERE x.victim_case_id = v.id)
	OR EXISTS (SELECT 1 FROM victim_dash_comments x JOIN victim_dash d ON d.id = x.assessment_id WHERE d.victim_case_id = v.id)
	OR EXISTS (SELECT 1 FROM victim_dash d WHERE d.victim_case_id = v.id AND d.judgement_reason <> '')
	OR EXISTS (SELECT 1 FROM documents d WHERE d.victim_case_id = v.id)
	OR EXISTS (SELECT 1 FROM appointments ap WHERE ap.victim_case_id = v.id AND ap.with_whom <> '')
	OR EXISTS (SELECT 1 FROM victim_children ch WHERE ch.victim_case_id = v.id AND ch.given_name <> 'Removed')
	OR v.given_name <> 'Removed' OR v.family_name <> 'Removed' OR v.date_of_birth IS NOT NULL)`

// execEach runs each statement of qs with the one argument id.
func (tx *Tx) execEach(ctx context.Context, qs []string, id int64) error {
	for _, q := range qs {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// AnonymisedWithText lists the cases of class (retention.PerpetratorCase
// or retention.VictimCase) that a retention run has anonymised and that
// still hold free text its anonymising removes today: cases anonymised by
// an earlier version, before their plan's text (outcomes, contacts' and
// reviews' summaries), documents or appointments were covered, or given
// such text since by whatever wrote to them. Each is given with its site,
// for holds; End is the day it was anonymised. Errors: EINVALID for
// another class.
func (tx *Tx) AnonymisedWithText(ctx context.Context, class retention.Class) ([]retention.Candidate, error) {
	var q string
	switch class {
	case retention.PerpetratorCase:
		q = `SELECT c.id, c.site_id, a.applied_at FROM cases c JOIN retention_applied a ON a.record_type = 'perpetrator_case' AND a.record_id = c.id
			WHERE ` + caseTextLeft + ` ORDER BY c.id`
	case retention.VictimCase:
		q = `SELECT v.id, v.site_id, a.applied_at FROM victim_cases v JOIN retention_applied a ON a.record_type = 'victim_case' AND a.record_id = v.id
			WHERE ` + victimTextLeft + ` ORDER BY v.id`
	default:
		return nil, drive.Errorf(drive.EINVALID, "no record of class %q is anonymised", class)
	}
	rows, err := tx.query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retention.Candidate
	for rows.Next() {
		c := retention.Candidate{Class: class}
		var at time.Time
		if err := rows.Scan(&c.RecordID, &c.SiteID, &at); err != nil {
			return nil, tx.d.mapError(err)
		}
		c.End, c.Expires = drive.DateOf(at.UTC()), drive.DateOf(at.UTC())
		out = append(out, c)
	}
	return out, tx.d.mapError(rows.Err())
}

// RemoveAnonymisedText removes from a case a retention run has already
// anonymised (class retention.PerpetratorCase or retention.VictimCase)
// the free text it still holds, as AnonymiseCase or AnonymiseVictimCase
// would today; the person's details are not touched again. Running it
// twice changes nothing the second time. Errors: ENOTFOUND if the case was
// not anonymised, EINVALID for another class.
func (tx *Tx) RemoveAnonymisedText(ctx context.Context, class retention.Class, id int64) error {
	var qs []string
	switch class {
	case retention.PerpetratorCase:
		qs = caseTextRemovals
	case retention.VictimCase:
		qs = victimTextRemovals
	default:
		return drive.Errorf(drive.EINVALID, "no record of class %q is anonymised", class)
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM retention_applied WHERE record_type = ? AND record_id = ?`, string(class), id).Scan(&n); err != nil {
		return tx.d.mapError(err)
	}
	if n == 0 {
		return drive.NotFound("anonymised case")
	}
	return tx.execEach(ctx, qs, id)
}

// AnonymiseCase removes what identifies anyone from a closed case: its
// summary, decision reasons and professional judgement, the detail of its
// history, its notes (the sealed text is deleted and the note keeps only
// that it was removed), and the free text of its actions (their outcome),
// contacts and reviews (their summaries), its documents (deleted) and
// whom its appointments were with; then, unless the person has another case a
// retention run has not yet reached, the person's names, date of birth,
// agency references, aliases and addresses. The case's dates, states,
// scores and links stay, for the outcome measures. It records the case as
// done so that no later run counts it again. Errors: ENOTFOUND if the case
// is not closed or was already anonymised.
func (tx *Tx) AnonymiseCase(ctx context.Context, caseID int64) error {
	var personID int64
	err := tx.queryRow(ctx, `SELECT person_id FROM cases WHERE id = ? AND state = 'closed'
		AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'perpetrator_case' AND a.record_id = cases.id)`, caseID).Scan(&personID)
	if err != nil {
		return tx.scanErr(err, "closed case")
	}
	if err := tx.execEach(ctx, caseTextRemovals, caseID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO retention_applied (record_type, record_id, applied_at) VALUES ('perpetrator_case', ?, ?)`, caseID, tx.Now); err != nil {
		return err
	}
	var live int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM cases c WHERE c.person_id = ?
		AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'perpetrator_case' AND a.record_id = c.id)`, personID).Scan(&live); err != nil {
		return tx.d.mapError(err)
	}
	if live > 0 {
		return nil
	}
	for _, q := range []string{
		`DELETE FROM person_aliases WHERE person_id = ?`,
		`DELETE FROM person_addresses WHERE person_id = ?`,
		`UPDATE people SET given_name = 'Removed', family_name = 'Removed', date_of_birth = NULL,
			police_ref = '', social_care_ref = '', probation_ref = '', search_text = '' WHERE id = ?`,
	} {
		if _, err := tx.exec(ctx, q, personID); err != nil {
			return err
		}
	}
	return nil
}

// AnonymiseVictimCase removes what identifies or locates a victim-survivor
// from her closed case: her compartment, safety plan, notes, IDVA contacts
// and the comments on her risk assessments are deleted (all sealed), as
// are the documents attached to her case and whom her appointments were
// with, the
// reasons given for a professional judgement on her risk are emptied, her
// name becomes "Removed" and her date of birth goes, and her children's
// names become "Removed" (their dates of birth stay, for the children's
// ages the measures count). Her case's dates, links, risk scores and
// behaviour assessments stay. It records the case as done so that no
// later run counts it again. Errors: ENOTFOUND if the case is open or was
// already anonymised.
func (tx *Tx) AnonymiseVictimCase(ctx context.Context, victimCaseID int64) error {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM victim_cases v WHERE v.id = ? AND v.closed_on IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'victim_case' AND a.record_id = v.id)`, victimCaseID).Scan(&n)
	if err != nil {
		return tx.d.mapError(err)
	}
	if n == 0 {
		return drive.NotFound("closed victim-survivor's case")
	}
	if err := tx.execEach(ctx, victimTextRemovals, victimCaseID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO retention_applied (record_type, record_id, applied_at) VALUES ('victim_case', ?, ?)`, victimCaseID, tx.Now)
	return err
}

// AnonymisePoliceRecord removes the names, dates of birth and postcodes
// from an imported police incident (kind retention.KindIncident) or MARAC
// hearing (retention.KindMARACHearing); its reference, date, type and the
// people it was resolved to stay, for the outcome measures. Errors:
// ENOTFOUND if there is no such record not yet anonymised, EINVALID for
// another kind.
func (tx *Tx) AnonymisePoliceRecord(ctx context.Context, kind string, id int64) error {
	var q string
	switch kind {
	case retention.KindIncident:
		q = `UPDATE incidents SET suspect_given = '', suspect_family = '', suspect_dob = NULL, suspect_postcode = '',
			victim_given = '', victim_family = '', victim_dob = NULL, anonymised_at = ? WHERE id = ? AND anonymised_at IS NULL`
	case retention.KindMARACHearing:
		// A hearing must name a perpetrator's family name.
		q = `UPDATE marac_hearings SET victim_given = '', victim_family = '', victim_dob = NULL, perpetrator_given = '',
			perpetrator_family = 'Removed', perpetrator_dob = NULL, perpetrator_postcode = '', anonymised_at = ? WHERE id = ? AND anonymised_at IS NULL`
	default:
		return drive.Errorf(drive.EINVALID, "there is no police record of kind %q", kind)
	}
	res, err := tx.exec(ctx, q, tx.Now, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return tx.d.mapError(err)
	} else if n == 0 {
		return drive.NotFound("police record")
	}
	return nil
}

// DeleteNotification deletes one notification. Errors: ENOTFOUND.
func (tx *Tx) DeleteNotification(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM notifications WHERE id = ?`, id)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return tx.d.mapError(err)
	}
	if n == 0 {
		return drive.NotFound("notification")
	}
	return nil
}

// ClaimRetentionDay claims day's retention run for by (a name for the
// server, for the operator) and reports whether this transaction got it:
// false when another has claimed the day already. On PostgreSQL a second
// transaction claiming the same day waits for the first to end, so the
// claim holds exactly when the first rolled back; SQLite has one writer.
func (tx *Tx) ClaimRetentionDay(ctx context.Context, day drive.Date, by string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO retention_days (run_on, claimed_by, claimed_at) VALUES (?, ?, ?) ON CONFLICT (run_on) DO NOTHING`,
		day.String(), by, tx.Now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, tx.d.mapError(err)
	}
	return n == 1, nil
}
