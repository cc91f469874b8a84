package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/victim"
)

// LinkSide is which side of the wall a link between one of Drive's people
// and a police person is on: the perpetrator's (a person on a case) or the
// victim-survivor's (her IDVA case). Each side has its own table, so the
// victim side can be held to the victim compartment's readers.
type LinkSide string

// The two sides.
const (
	PersonSide LinkSide = "person"
	VictimSide LinkSide = "victim"
)

// table and subject name the side's table and the column of the Drive
// record it links.
func (s LinkSide) table() (string, string) {
	if s == VictimSide {
		return "victim_police_links", "victim_case_id"
	}
	return "person_police_links", "person_id"
}

// PoliceLink is a stored link: the Drive record (a person, or a victim
// case on the victim side) and the police person, with what the linker
// weighed and what was decided.
type PoliceLink struct {
	ID           int64
	SiteID       int64
	Subject      int64 // person id, or victim case id on the victim side
	PolicePerson int64
	Status       string // linkage.Linked, Suggested or Rejected
	Score        float64
	// Evidence is what agreed, as field names separated by "; " (never
	// values).
	Evidence  string
	DecidedBy int64 // 0 while nobody has decided
	DecidedAt *time.Time
	CreatedAt time.Time
}

func (tx *Tx) policeLinks(ctx context.Context, side LinkSide, where string, args ...any) ([]PoliceLink, error) {
	table, subject := side.table()
	rows, err := tx.query(ctx, `SELECT id, site_id, `+subject+`, police_person, status, score, evidence, decided_by, decided_at, created_at
		FROM `+table+` WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PoliceLink
	for rows.Next() {
		var l PoliceLink
		var by sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&l.ID, &l.SiteID, &l.Subject, &l.PolicePerson, &l.Status, &l.Score, &l.Evidence, &by, &at, &l.CreatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		l.DecidedBy, l.DecidedAt = by.Int64, fromNullTime(at)
		l.CreatedAt = l.CreatedAt.UTC()
		out = append(out, l)
	}
	return out, tx.d.mapError(rows.Err())
}

// PoliceLinks returns one Drive record's links (rejected ones too), in
// the order they were made.
func (tx *Tx) PoliceLinks(ctx context.Context, side LinkSide, subjectID int64) ([]PoliceLink, error) {
	_, subject := side.table()
	return tx.policeLinks(ctx, side, subject+` = ?`, subjectID)
}

// SitePoliceLinks returns every link of a side at a site, rejected ones
// too, in the order they were made.
func (tx *Tx) SitePoliceLinks(ctx context.Context, side LinkSide, siteID int64) ([]PoliceLink, error) {
	return tx.policeLinks(ctx, side, `site_id = ?`, siteID)
}

// PoliceLink returns one link. Errors: ENOTFOUND.
func (tx *Tx) PoliceLink(ctx context.Context, side LinkSide, id int64) (*PoliceLink, error) {
	ls, err := tx.policeLinks(ctx, side, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, drive.NotFound("link")
	}
	return &ls[0], nil
}

// PutPoliceLink records what the linker found for a pair: a new pair is
// stored as given; a pair nobody has decided takes the new status, score
// and evidence; a decided pair (confirmed or rejected) is left as it is,
// so decisions outlive every later run. l.ID is set to the stored row's.
func (tx *Tx) PutPoliceLink(ctx context.Context, side LinkSide, l *PoliceLink) error {
	table, subject := side.table()
	_, err := tx.exec(ctx, `INSERT INTO `+table+` (site_id, `+subject+`, police_person, status, score, evidence, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (`+subject+`, police_person) DO UPDATE SET status = excluded.status, score = excluded.score, evidence = excluded.evidence
		WHERE `+table+`.decided_by IS NULL`,
		l.SiteID, l.Subject, l.PolicePerson, l.Status, l.Score, l.Evidence, tx.Now)
	if err != nil {
		return err
	}
	return tx.queryRow(ctx, `SELECT id FROM `+table+` WHERE `+subject+` = ? AND police_person = ?`, l.Subject, l.PolicePerson).Scan(&l.ID)
}

// DecidePoliceLink records a person's decision on a link: "linked"
// (confirmed) or "rejected". Errors: ENOTFOUND for no such link.
func (tx *Tx) DecidePoliceLink(ctx context.Context, side LinkSide, id int64, status string, userID int64) error {
	table, _ := side.table()
	res, err := tx.exec(ctx, `UPDATE `+table+` SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?`, status, userID, tx.Now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return drive.NotFound("link")
	}
	return nil
}

// MovePoliceLink points a link at another police person (the one a
// resolution merged its police person into).
func (tx *Tx) MovePoliceLink(ctx context.Context, side LinkSide, id, policePerson int64) error {
	table, _ := side.table()
	_, err := tx.exec(ctx, `UPDATE `+table+` SET police_person = ? WHERE id = ?`, policePerson, id)
	return err
}

// DeletePoliceLink removes a link (one nobody decided that the linker no
// longer finds, or the weaker of two a merge made one).
func (tx *Tx) DeletePoliceLink(ctx context.Context, side LinkSide, id int64) error {
	table, _ := side.table()
	_, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE id = ?`, id)
	return err
}

// LinkedSubjects returns, for police people, the Drive records linked to
// them on a side (status "linked" only): police person id to subject ids.
func (tx *Tx) LinkedSubjects(ctx context.Context, side LinkSide, policePeople []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	table, subject := side.table()
	for len(policePeople) > 0 {
		k := min(len(policePeople), batchRows)
		args := make([]any, k)
		for i, id := range policePeople[:k] {
			args[i] = id
		}
		rows, err := tx.query(ctx, `SELECT police_person, `+subject+` FROM `+table+` WHERE status = 'linked' AND police_person IN (`+placeholders(k)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p, s int64
			if err := rows.Scan(&p, &s); err != nil {
				rows.Close()
				return nil, tx.d.mapError(err)
			}
			out[p] = append(out[p], s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, tx.d.mapError(err)
		}
		policePeople = policePeople[k:]
	}
	return out, nil
}

// PoliceMention is one distinct way a police person is written at a site,
// on an incident or a MARAC list.
type PoliceMention struct {
	Person     int64
	GivenName  string
	FamilyName string
	DOB        drive.Date
	Postcode   string // suspects only
}

// SuspectMentions returns every distinct way a site's resolved suspects
// and MARAC perpetrators are written.
func (tx *Tx) SuspectMentions(ctx context.Context, siteID int64) ([]PoliceMention, error) {
	return tx.mentions(ctx, `SELECT DISTINCT suspect_person, suspect_given, suspect_family, suspect_dob, suspect_postcode
		FROM incidents WHERE site_id = ? AND suspect_person IS NOT NULL
		UNION SELECT DISTINCT perpetrator_person, perpetrator_given, perpetrator_family, perpetrator_dob, perpetrator_postcode
		FROM marac_hearings WHERE site_id = ? AND perpetrator_person IS NOT NULL`, siteID, siteID)
}

// VictimMentions returns every distinct way a site's resolved victims are
// written on incidents and MARAC lists (names and dates of birth: no
// victim's address is ever stored).
func (tx *Tx) VictimMentions(ctx context.Context, siteID int64) ([]PoliceMention, error) {
	return tx.mentions(ctx, `SELECT DISTINCT victim_person, victim_given, victim_family, victim_dob, ''
		FROM incidents WHERE site_id = ? AND victim_person IS NOT NULL
		UNION SELECT DISTINCT victim_person, victim_given, victim_family, victim_dob, ''
		FROM marac_hearings WHERE site_id = ? AND victim_person IS NOT NULL`, siteID, siteID)
}

func (tx *Tx) mentions(ctx context.Context, q string, args ...any) ([]PoliceMention, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PoliceMention
	for rows.Next() {
		var m PoliceMention
		if err := rows.Scan(&m.Person, &m.GivenName, &m.FamilyName, &m.DOB, &m.Postcode); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, m)
	}
	return out, tx.d.mapError(rows.Err())
}

// OpenCasePeople returns the people on a site's open perpetrator cases
// (every state but declined, closed and transferred away), each once, by
// id, following merges to the record that stands.
func (tx *Tx) OpenCasePeople(ctx context.Context, siteID int64) ([]int64, error) {
	return tx.int64s(ctx, `SELECT DISTINCT COALESCE(p.merged_into, p.id) FROM cases c JOIN people p ON p.id = c.person_id
		WHERE c.site_id = ? AND c.state NOT IN ('declined', 'closed', 'transferred') ORDER BY 1`, siteID)
}

// OpenVictimCases returns a site's open victim-survivors' cases, by id,
// all of them (lists page through VictimCases instead).
func (tx *Tx) OpenVictimCases(ctx context.Context, siteID int64) ([]victim.Case, error) {
	rows, err := tx.query(ctx, `SELECT `+victimCaseColumns+` FROM victim_cases WHERE site_id = ? AND is_open = ? ORDER BY id`, siteID, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []victim.Case
	for rows.Next() {
		var v victim.Case
		if err := scanVictimCase(rows, &v); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, v)
	}
	return out, tx.d.mapError(rows.Err())
}

// ListedSuspects returns, for the people of a site's cases referred from
// the identification list, the police people their entry scores name:
// person id (following merges) to police person ids.
func (tx *Tx) ListedSuspects(ctx context.Context, siteID int64) (map[int64][]int64, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT COALESCE(p.merged_into, p.id), s.police_person FROM case_scores s
		JOIN cases c ON c.id = s.case_id JOIN people p ON p.id = c.person_id
		WHERE c.site_id = ? AND s.kind = 'entry' AND c.source = 'police_identification' ORDER BY 1, 2`, siteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var person, police int64
		if err := rows.Scan(&person, &police); err != nil {
			return nil, tx.d.mapError(err)
		}
		out[person] = append(out[person], police)
	}
	return out, tx.d.mapError(rows.Err())
}
