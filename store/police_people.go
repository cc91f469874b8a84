package store

import (
	"context"
	"database/sql"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
)

// PoliceIncident is a stored incident with its id and the people the last
// resolution gave it (0: not resolved yet, or no victim named).
type PoliceIncident struct {
	ID int64
	incident.Record
	SuspectPerson int64
	VictimPerson  int64
	// Anonymised is set once a retention run has removed the names, dates
	// of birth and postcodes; the people it was resolved to stay.
	Anonymised bool
}

const policeIncidentColumns = `id, ref, occurred_on, type, crime, suspect_given, suspect_family, suspect_dob, suspect_postcode,
	victim_given, victim_family, victim_dob, victim_age, suspect_person, victim_person, anonymised_at IS NOT NULL`

func (tx *Tx) scanPoliceIncidents(rows *sql.Rows) ([]PoliceIncident, error) {
	defer rows.Close()
	var out []PoliceIncident
	for rows.Next() {
		var r PoliceIncident
		var sus, vic sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Ref, &r.On, &r.Type, &r.Crime, &r.Suspect.GivenName, &r.Suspect.FamilyName, &r.Suspect.DOB, &r.Suspect.Postcode,
			&r.Victim.GivenName, &r.Victim.FamilyName, &r.Victim.DOB, &r.Victim.Age, &sus, &vic, &r.Anonymised); err != nil {
			return nil, tx.d.mapError(err)
		}
		r.SuspectPerson, r.VictimPerson = sus.Int64, vic.Int64
		out = append(out, r)
	}
	return out, tx.d.mapError(rows.Err())
}

// SitePoliceIncidents returns a site's incidents on or after since (all of
// them for a zero date), oldest first, with their resolved people.
func (tx *Tx) SitePoliceIncidents(ctx context.Context, siteID int64, since drive.Date) ([]PoliceIncident, error) {
	if since.IsZero() {
		since = drive.Date{Year: 1, Month: 1, Day: 1}
	}
	rows, err := tx.query(ctx, `SELECT `+policeIncidentColumns+` FROM incidents WHERE site_id = ? AND occurred_on >= ? ORDER BY occurred_on, id`,
		siteID, since)
	if err != nil {
		return nil, err
	}
	return tx.scanPoliceIncidents(rows)
}

// PersonIncidents returns the incidents naming a police person, as
// suspect or victim, oldest first.
func (tx *Tx) PersonIncidents(ctx context.Context, personID int64) ([]PoliceIncident, error) {
	rows, err := tx.query(ctx, `SELECT `+policeIncidentColumns+` FROM incidents WHERE suspect_person = ? OR victim_person = ?
		ORDER BY occurred_on, id`, personID, personID)
	if err != nil {
		return nil, err
	}
	return tx.scanPoliceIncidents(rows)
}

// NewPolicePeople creates n people of a role at a site and returns their
// ids, in no particular order. A resolution creates people by the
// hundred thousand, so they are inserted many to a statement.
func (tx *Tx) NewPolicePeople(ctx context.Context, siteID int64, role string, n int) ([]int64, error) {
	if err := tx.TouchPoliceData(ctx); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, n)
	for n > 0 {
		// A batch of batchRows, or the largest power of two that is left:
		// the statements' texts (one placeholder group a row) come in a
		// few sizes, not one for every count an import's chunk creates
		// (padBatch).
		k := min(n, batchRows)
		if k < batchRows {
			k = 1 << (bits.Len(uint(k)) - 1)
		}
		q := `INSERT INTO police_people (site_id, role, created_at) VALUES ` + strings.TrimSuffix(strings.Repeat(`(?, ?, ?), `, k), ", ") + ` RETURNING id`
		args := make([]any, 0, 3*k)
		for range k {
			args = append(args, siteID, role, tx.Now)
		}
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, tx.d.mapError(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, tx.d.mapError(err)
		}
		n -= k
	}
	return ids, nil
}

// batchRows is how many rows one statement inserts or updates: well
// under both engines' limits on parameters.
const batchRows = 500

// PersonAssignment gives one incident (or hearing) its resolved suspect
// and victim.
type PersonAssignment struct {
	Incident, Suspect, Victim int64
}

// AssignPeople stores a resolution's people on incidents; a 0 person is
// stored as none.
func (tx *Tx) AssignPeople(ctx context.Context, as []PersonAssignment) error {
	return tx.assignPeople(ctx, "incidents", "suspect_person", "victim_person", as)
}

// assignPeople updates many rows' two person columns, a batch to a
// statement: a row's id, suspect and victim travel as a VALUES list that
// the UPDATE joins on.
func (tx *Tx) assignPeople(ctx context.Context, table, suspectCol, victimCol string, as []PersonAssignment) error {
	if err := tx.TouchPoliceData(ctx); err != nil {
		return err
	}
	for len(as) > 0 {
		k := min(len(as), batchRows)
		q := `WITH v (id, s, w) AS (VALUES ` + strings.TrimSuffix(strings.Repeat(`(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)), `, k), ", ") + `)
			UPDATE ` + table + ` SET ` + suspectCol + ` = v.s, ` + victimCol + ` = v.w FROM v WHERE ` + table + `.id = v.id`
		args := make([]any, 0, 3*k)
		for _, a := range as[:k] {
			args = append(args, a.Incident, optID(a.Suspect), optID(a.Victim))
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return err
		}
		as = as[k:]
	}
	return nil
}

// PolicePerson is a person resolved from police mentions at a site.
type PolicePerson struct {
	ID     int64
	SiteID int64
	Role   string
	// ConfirmedBy and ConfirmedAt say who last confirmed the identity by
	// hand; zero when nobody has, or a split has changed it since.
	ConfirmedBy int64
	ConfirmedAt *time.Time
	// NationalMatch groups this suspect with the same man known at other
	// sites; 0 when he is known at one site only.
	NationalMatch int64
	// MergedInto is the person a resolution gave all his mentions to; 0
	// while he has mentions of his own.
	MergedInto int64
}

const policePersonColumns = `id, site_id, role, confirmed_by, confirmed_at, national_match, merged_into`

func scanPolicePerson(row interface{ Scan(...any) error }, p *PolicePerson) error {
	var by, match, merged sql.NullInt64
	var at sql.NullTime
	if err := row.Scan(&p.ID, &p.SiteID, &p.Role, &by, &at, &match, &merged); err != nil {
		return err
	}
	p.ConfirmedBy, p.ConfirmedAt, p.NationalMatch, p.MergedInto = by.Int64, fromNullTime(at), match.Int64, merged.Int64
	return nil
}

// PolicePerson returns one police person. Errors: ENOTFOUND.
func (tx *Tx) PolicePerson(ctx context.Context, id int64) (*PolicePerson, error) {
	var p PolicePerson
	if err := scanPolicePerson(tx.queryRow(ctx, `SELECT `+policePersonColumns+` FROM police_people WHERE id = ?`, id), &p); err != nil {
		return nil, tx.scanErr(err, "person")
	}
	return &p, nil
}

// SitePolicePeople returns a site's police people of a role, by id.
func (tx *Tx) SitePolicePeople(ctx context.Context, siteID int64, role string) ([]PolicePerson, error) {
	rows, err := tx.query(ctx, `SELECT `+policePersonColumns+` FROM police_people WHERE site_id = ? AND role = ? ORDER BY id`, siteID, role)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicePerson
	for rows.Next() {
		var p PolicePerson
		if err := scanPolicePerson(rows, &p); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, p)
	}
	return out, tx.d.mapError(rows.Err())
}

// SetConfirmed records who confirmed a person's identity (userID 0 clears
// it).
func (tx *Tx) SetConfirmed(ctx context.Context, personID, userID int64) error {
	if err := tx.TouchPoliceData(ctx); err != nil {
		return err
	}
	var at any
	if userID != 0 {
		at = tx.Now
	}
	_, err := tx.exec(ctx, `UPDATE police_people SET confirmed_by = ?, confirmed_at = ? WHERE id = ?`, optID(userID), at, personID)
	return err
}

// SetNationalMatches replaces every suspect's cross-site group: groups maps
// a police person id to its group (people not named are in none).
func (tx *Tx) SetNationalMatches(ctx context.Context, groups map[int64]int64) error {
	if err := tx.TouchPoliceData(ctx); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE police_people SET national_match = NULL WHERE national_match IS NOT NULL`); err != nil {
		return err
	}
	stmt, err := tx.tx.PrepareContext(ctx, tx.d.rebind(`UPDATE police_people SET national_match = ? WHERE id = ?`))
	if err != nil {
		return tx.d.mapError(err)
	}
	defer stmt.Close()
	for id, g := range groups {
		if _, err := stmt.ExecContext(ctx, g, id); err != nil {
			return tx.d.mapError(err)
		}
	}
	return nil
}

// NationalMatchPeople returns every suspect known at more than one site,
// ordered by group then site.
func (tx *Tx) NationalMatchPeople(ctx context.Context) ([]PolicePerson, error) {
	rows, err := tx.query(ctx, `SELECT `+policePersonColumns+` FROM police_people WHERE national_match IS NOT NULL ORDER BY national_match, site_id, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicePerson
	for rows.Next() {
		var p PolicePerson
		if err := scanPolicePerson(rows, &p); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, p)
	}
	return out, tx.d.mapError(rows.Err())
}

// Ruling is an analyst's ruling on who is who at a site, kept
// so every later resolution replays it.
type Ruling struct {
	ID       int64
	SiteID   int64
	Role     string
	Kind     string
	PersonID int64
	// Incidents are the incident ids the ruling names.
	Incidents []int64
	Reason    string
	UserID    int64
	MadeAt    time.Time
}

// AddRuling stores a ruling.
func (tx *Tx) AddRuling(ctx context.Context, d *Ruling) error {
	ids := make([]string, len(d.Incidents))
	for i, id := range d.Incidents {
		ids[i] = strconv.FormatInt(id, 10)
	}
	d.MadeAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO identity_decisions (site_id, role, kind, person_id, incidents, reason, user_id, made_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.SiteID, d.Role, d.Kind, d.PersonID, strings.Join(ids, " "), d.Reason, d.UserID, d.MadeAt)
	d.ID = id
	return err
}

// Rulings returns a site's rulings in the order they were made.
func (tx *Tx) Rulings(ctx context.Context, siteID int64) ([]Ruling, error) {
	rows, err := tx.query(ctx, `SELECT id, site_id, role, kind, person_id, incidents, reason, user_id, made_at
		FROM identity_decisions WHERE site_id = ? ORDER BY id`, siteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ruling
	for rows.Next() {
		var d Ruling
		var ids string
		if err := rows.Scan(&d.ID, &d.SiteID, &d.Role, &d.Kind, &d.PersonID, &ids, &d.Reason, &d.UserID, &d.MadeAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		for _, f := range strings.Fields(ids) {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, drive.Errorf(drive.EINTERNAL, "ruling %d names a bad incident id %q", d.ID, f)
			}
			d.Incidents = append(d.Incidents, id)
		}
		d.MadeAt = d.MadeAt.UTC()
		out = append(out, d)
	}
	return out, tx.d.mapError(rows.Err())
}

// CaseScore is a perpetrator case's identification score at entry (when
// referred from the list) or exit (when the case closed).
type CaseScore struct {
	CaseID          int64
	Kind            string // "entry" or "exit"
	PolicePerson    int64
	ScoredOn        drive.Date
	StrategyCode    string
	StrategyVersion string
	Total           float64
	// Components is the score's parts as JSON, to explain it later.
	Components string
	Incidents  int
}

// SetCaseScore stores a case's entry or exit score, replacing an earlier
// one of the same kind (a case closed, reopened and closed again keeps its
// last exit).
func (tx *Tx) SetCaseScore(ctx context.Context, s CaseScore) error {
	if _, err := tx.exec(ctx, `DELETE FROM case_scores WHERE case_id = ? AND kind = ?`, s.CaseID, s.Kind); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO case_scores (case_id, kind, police_person, scored_on, strategy_code, strategy_version, total, components, incidents)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.CaseID, s.Kind, s.PolicePerson, s.ScoredOn, s.StrategyCode, s.StrategyVersion, s.Total, s.Components, s.Incidents)
	return err
}

// CaseScores returns a case's entry and exit scores, entry first.
func (tx *Tx) CaseScores(ctx context.Context, caseID int64) ([]CaseScore, error) {
	rows, err := tx.query(ctx, `SELECT case_id, kind, police_person, scored_on, strategy_code, strategy_version, total, components, incidents
		FROM case_scores WHERE case_id = ? ORDER BY kind`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseScore
	for rows.Next() {
		var s CaseScore
		if err := rows.Scan(&s.CaseID, &s.Kind, &s.PolicePerson, &s.ScoredOn, &s.StrategyCode, &s.StrategyVersion, &s.Total, &s.Components, &s.Incidents); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, s)
	}
	return out, tx.d.mapError(rows.Err())
}

// identityLockSpace is the first key of the advisory locks that serialise
// work on one site's people (the second is the site id).
const identityLockSpace = 1146243416

// LockSitePeople makes the rest of the transaction the only one changing
// a site's police people: a resolution and an analyst's ruling at the
// same time would otherwise each write over the other. On PostgreSQL it
// takes a transaction-scoped advisory lock; SQLite has one writer at a
// time already.
func (tx *Tx) LockSitePeople(ctx context.Context, siteID int64) error {
	if tx.d.name != "postgres" {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?, ?)`, identityLockSpace, siteID)
	return err
}

// SitePeopleCounts returns how many suspects and victims a site's
// incidents name: people a resolution left with no incident are not
// counted.
func (tx *Tx) SitePeopleCounts(ctx context.Context, siteID int64) (suspects, victims int, err error) {
	err = tx.queryRow(ctx, `SELECT COUNT(DISTINCT suspect_person), COUNT(DISTINCT victim_person) FROM incidents WHERE site_id = ?`, siteID).Scan(&suspects, &victims)
	return suspects, victims, tx.d.mapError(err)
}

// SetMergedInto records, for people a resolution left without mentions,
// the person most of their mentions went to (and clears it for people who
// have mentions again).
func (tx *Tx) SetMergedInto(ctx context.Context, merged map[int64]int64, active []int64) error {
	if err := tx.TouchPoliceData(ctx); err != nil {
		return err
	}
	stmt, err := tx.tx.PrepareContext(ctx, tx.d.rebind(`UPDATE police_people SET merged_into = ? WHERE id = ?`))
	if err != nil {
		return tx.d.mapError(err)
	}
	defer stmt.Close()
	for id, to := range merged {
		if _, err := stmt.ExecContext(ctx, optID(to), id); err != nil {
			return tx.d.mapError(err)
		}
	}
	for _, id := range active {
		if _, err := stmt.ExecContext(ctx, nil, id); err != nil {
			return tx.d.mapError(err)
		}
	}
	return nil
}

// CurrentPerson follows merged_into from a person to the one who holds his
// mentions now (at most a few steps; a loop or a missing row stops it).
func (tx *Tx) CurrentPerson(ctx context.Context, id int64) (int64, error) {
	for range 16 {
		p, err := tx.PolicePerson(ctx, id)
		if err != nil {
			return 0, err
		}
		if p.MergedInto == 0 || p.MergedInto == id {
			return id, nil
		}
		id = p.MergedInto
	}
	return id, nil
}
