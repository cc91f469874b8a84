package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/victim"
)

// The victim-survivor's side of the store: her IDVA case, its links to
// perpetrator cases, MARAC hearings and children. Her name lives in
// victim_cases, never in people, so nothing that searches or lists
// perpetrators can reach it. What says where she is or how to reach her
// is sealed and kept in tables of its own (victims_sealed.go); risk and
// behaviour assessments are in victims_risk.go.
//
// These methods do not check who is asking: the caller applies the access
// policy (access.VictimCompartment, VictimRisk, Child) before calling them
// and answers "not found" for a record the user may not see.

// VictimFilter selects victim-survivors' cases for lists. SiteIDs must be
// given (the sites the user may list); with none, nothing is returned.
type VictimFilter struct {
	SiteIDs []int64
	// IDVAID keeps only the cases allocated to this IDVA; 0 keeps all.
	IDVAID int64
	// OpenOnly keeps only open cases.
	OpenOnly bool
	Limit    int // default 50, at most 1000
	// AfterID, when set, asks for the page after that case in the list's
	// order, found from the case's own row (so no name is passed), through
	// the victim_cases_site_name index, so a later page costs no more than
	// the first.
	AfterID int64
}

const victimCaseColumns = `id, site_id, given_name, family_name, date_of_birth, gender, ethnicity, sexual_orientation, disability,
	idva_id, is_open, opened_on, closed_on, created_at, updated_at`

func scanVictimCase(row interface{ Scan(...any) error }, v *victim.Case) error {
	var idva sql.NullInt64
	if err := row.Scan(&v.ID, &v.SiteID, &v.GivenName, &v.FamilyName, &v.DateOfBirth, &v.Gender, &v.Ethnicity, &v.SexualOrientation,
		&v.Disability, &idva, &v.Open, &v.OpenedOn, &v.ClosedOn, &v.CreatedAt, &v.UpdatedAt); err != nil {
		return err
	}
	v.IDVAID = idva.Int64
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return nil
}

// checkVictimCase runs victim.Case.Validate and adds what it leaves to the
// store: the equality codes are ones the service knows, and an open case
// has no closing date while a closed one has one, not in the future and
// not before it opened.
func checkVictimCase(v *victim.Case, today drive.Date) error {
	fields := map[string]string{}
	if err := v.Validate(today); err != nil {
		var de *drive.Error
		if !errors.As(err, &de) {
			return err
		}
		for k, m := range de.Fields {
			fields[k] = m
		}
	}
	for _, c := range []struct {
		field, code string
		opts        []people.Option
	}{
		{"gender", v.Gender, people.Genders()},
		{"ethnicity", v.Ethnicity, people.Ethnicities()},
		{"sexual_orientation", v.SexualOrientation, people.SexualOrientations()},
		{"disability", v.Disability, people.Disabilities()},
	} {
		if !validOption(c.code, c.opts) {
			fields[c.field] = "Choose an answer from the list"
		}
	}
	switch {
	case v.Open && !v.ClosedOn.IsZero():
		fields["closed_on"] = "An open case has no closing date: clear the date or close the case"
	case !v.Open && v.ClosedOn.IsZero():
		fields["closed_on"] = "Enter the date the case closed"
	case !v.Open && v.ClosedOn.After(today):
		fields["closed_on"] = "The case cannot close in the future"
	case !v.Open && v.ClosedOn.Before(v.OpenedOn):
		fields["closed_on"] = "The case cannot close before it opened"
	}
	if len(fields) > 0 {
		return drive.Invalid("Check the victim-survivor's details", fields)
	}
	return nil
}

func validOption(code string, opts []people.Option) bool {
	for _, o := range opts {
		if o.Code == code {
			return true
		}
	}
	return false
}

// CreateVictimCase opens a victim-survivor's IDVA case after
// victim.Case.Validate as of the transaction's date, and sets ID,
// CreatedAt and UpdatedAt. A case with no closing date is created open
// (the zero Open means open here); one given a closing date must have
// Open false. Errors: EINVALID per field, or for a site or IDVA that does
// not exist.
func (tx *Tx) CreateVictimCase(ctx context.Context, v *victim.Case) error {
	if !v.Open && v.ClosedOn.IsZero() {
		v.Open = true
	}
	if err := checkVictimCase(v, drive.DateOf(tx.Now)); err != nil {
		return err
	}
	v.CreatedAt, v.UpdatedAt = tx.Now, tx.Now
	id, err := tx.insert(ctx, `INSERT INTO victim_cases (site_id, given_name, family_name, date_of_birth, gender, ethnicity, sexual_orientation,
		disability, idva_id, is_open, opened_on, closed_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.SiteID, v.GivenName, v.FamilyName, v.DateOfBirth, v.Gender, v.Ethnicity, v.SexualOrientation, v.Disability,
		optID(v.IDVAID), v.Open, v.OpenedOn, v.ClosedOn, v.CreatedAt, v.UpdatedAt)
	if err != nil {
		return err
	}
	v.ID = id
	return nil
}

// VictimCase returns one victim-survivor's case. Errors: ENOTFOUND.
func (tx *Tx) VictimCase(ctx context.Context, id int64) (*victim.Case, error) {
	var v victim.Case
	if err := scanVictimCase(tx.queryRow(ctx, `SELECT `+victimCaseColumns+` FROM victim_cases WHERE id = ?`, id), &v); err != nil {
		return nil, tx.scanErr(err, "victim-survivor's case")
	}
	return &v, nil
}

// UpdateVictimCase saves a victim-survivor's case (her details, the IDVA,
// opening and closing) after the same checks as CreateVictimCase, and sets
// UpdatedAt. The site never changes: her links to perpetrator cases are
// made at it. Errors: ENOTFOUND, EINVALID per field (site for a move to
// another site).
func (tx *Tx) UpdateVictimCase(ctx context.Context, v *victim.Case) error {
	var site int64
	err := tx.queryRow(ctx, `SELECT site_id FROM victim_cases WHERE id = ?`, v.ID).Scan(&site)
	if err != nil {
		return tx.scanErr(err, "victim-survivor's case")
	}
	if err := checkVictimCase(v, drive.DateOf(tx.Now)); err != nil {
		return err
	}
	if v.SiteID != site {
		return drive.Invalid("Check the victim-survivor's details", map[string]string{"site": "A victim-survivor's case stays at the site it was opened at"})
	}
	if _, err := tx.exec(ctx, `UPDATE victim_cases SET given_name = ?, family_name = ?, date_of_birth = ?, gender = ?, ethnicity = ?,
		sexual_orientation = ?, disability = ?, idva_id = ?, is_open = ?, opened_on = ?, closed_on = ?, updated_at = ? WHERE id = ?`,
		v.GivenName, v.FamilyName, v.DateOfBirth, v.Gender, v.Ethnicity, v.SexualOrientation, v.Disability,
		optID(v.IDVAID), v.Open, v.OpenedOn, v.ClosedOn, tx.Now, v.ID); err != nil {
		return err
	}
	v.UpdatedAt = tx.Now
	return nil
}

// VictimCases returns one page of the victim-survivors' cases f selects,
// ordered by family name then given name, and the total it selects. With
// no SiteIDs it returns nothing: the caller passes the sites the user may
// list.
func (tx *Tx) VictimCases(ctx context.Context, f VictimFilter) ([]victim.Case, int, error) {
	if len(f.SiteIDs) == 0 {
		return nil, 0, nil
	}
	where := []string{`site_id IN (` + placeholders(len(f.SiteIDs)) + `)`}
	var args []any
	for _, id := range f.SiteIDs {
		args = append(args, id)
	}
	if f.IDVAID != 0 {
		where = append(where, `idva_id = ?`)
		args = append(args, f.IDVAID)
	}
	if f.OpenOnly {
		where = append(where, `is_open = ?`)
		args = append(args, true)
	}
	cond := ` WHERE ` + strings.Join(where, ` AND `)
	var total int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM victim_cases`+cond, args...).Scan(&total); err != nil {
		return nil, 0, tx.d.mapError(err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	if total == 0 {
		return nil, total, nil
	}
	if f.AfterID > 0 {
		cond += ` AND (lower(family_name), lower(given_name), id) >
			(SELECT lower(v2.family_name), lower(v2.given_name), v2.id FROM victim_cases v2 WHERE v2.id = ?)`
		args = append(args, f.AfterID)
	}
	rows, err := tx.query(ctx, `SELECT `+victimCaseColumns+` FROM victim_cases`+cond+
		` ORDER BY lower(family_name), lower(given_name), id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []victim.Case
	for rows.Next() {
		var v victim.Case
		if err := scanVictimCase(rows, &v); err != nil {
			return nil, 0, tx.d.mapError(err)
		}
		out = append(out, v)
	}
	return out, total, tx.d.mapError(rows.Err())
}

// victimCaseSite returns the site of a victim-survivor's case, or
// ok false when there is none.
func (tx *Tx) victimCaseSite(ctx context.Context, id int64) (site int64, ok bool, err error) {
	err = tx.queryRow(ctx, `SELECT site_id FROM victim_cases WHERE id = ?`, id).Scan(&site)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, tx.d.mapError(err)
	}
	return site, true, nil
}

// linked reports whether a victim-survivor's case is linked to a
// perpetrator case.
func (tx *Tx) linked(ctx context.Context, victimCaseID, caseID int64) (bool, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM victim_links WHERE victim_case_id = ? AND case_id = ?`, victimCaseID, caseID).Scan(&n); err != nil {
		return false, tx.d.mapError(err)
	}
	return n > 0, nil
}

// checkMARACDates refuses a missing or future hearing date.
func checkMARACDates(dates []drive.Date, today drive.Date) error {
	for _, d := range dates {
		if d.IsZero() {
			return drive.Invalid("Check the MARAC dates", map[string]string{"marac_dates": "Enter the date of each MARAC hearing"})
		}
		if d.After(today) {
			return drive.Invalid("Check the MARAC dates", map[string]string{"marac_dates": "A MARAC hearing date cannot be in the future"})
		}
	}
	return nil
}

// LinkVictim links a victim-survivor's case to a perpetrator case, with
// the hearings in l.MARACDates (repeats ignored). Both must be held at the
// same site: a link across sites would let one site's staff reach
// another's victim-survivor.
//
// Errors: EINVALID (an unknown relationship, a case that does not exist,
// cases at different sites, a missing or future hearing date), ECONFLICT
// if they are already linked.
func (tx *Tx) LinkVictim(ctx context.Context, l victim.Link) error {
	f := map[string]string{}
	known := false
	for _, r := range victim.Relationships() {
		known = known || r == l.Relationship
	}
	if !known {
		f["relationship"] = "Choose how the victim-survivor is related to the perpetrator"
	}
	vSite, ok, err := tx.victimCaseSite(ctx, l.VictimCaseID)
	if err != nil {
		return err
	}
	if !ok {
		f["victim"] = "Choose the victim-survivor's case to link"
	}
	var cSite int64
	err = tx.queryRow(ctx, `SELECT site_id FROM cases WHERE id = ?`, l.PerpetratorCase).Scan(&cSite)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		f["case"] = "Choose the perpetrator's case to link"
	case err != nil:
		return tx.d.mapError(err)
	case ok && cSite != vSite:
		f["case"] = "A victim-survivor can be linked only to a perpetrator case at their own site"
	}
	if len(f) > 0 {
		return drive.Invalid("The link could not be made", f)
	}
	if err := checkMARACDates(l.MARACDates, drive.DateOf(tx.Now)); err != nil {
		return err
	}
	// Checked first so that on PostgreSQL the transaction stays usable.
	if dup, err := tx.linked(ctx, l.VictimCaseID, l.PerpetratorCase); err != nil {
		return err
	} else if dup {
		return drive.Errorf(drive.ECONFLICT, "This victim-survivor is already linked to that case")
	}
	if _, err := tx.exec(ctx, `INSERT INTO victim_links (victim_case_id, case_id, relationship, living_together, created_at) VALUES (?, ?, ?, ?, ?)`,
		l.VictimCaseID, l.PerpetratorCase, string(l.Relationship), l.LivingTogether, tx.Now); err != nil {
		return err
	}
	seen := map[drive.Date]bool{}
	for _, d := range l.MARACDates {
		if seen[d] {
			continue
		}
		seen[d] = true
		if _, err := tx.exec(ctx, `INSERT INTO victim_marac_dates (victim_case_id, case_id, heard_on) VALUES (?, ?, ?)`,
			l.VictimCaseID, l.PerpetratorCase, d); err != nil {
			return err
		}
	}
	return nil
}

// AddMARACDate records a hearing of a victim-survivor's case at MARAC
// against her link to a perpetrator case. Errors: ENOTFOUND if they are
// not linked, EINVALID for a missing or future date, ECONFLICT if that
// hearing is already recorded.
func (tx *Tx) AddMARACDate(ctx context.Context, victimCaseID, perpetratorCaseID int64, heard drive.Date) error {
	if ok, err := tx.linked(ctx, victimCaseID, perpetratorCaseID); err != nil {
		return err
	} else if !ok {
		return drive.NotFound("link")
	}
	if err := checkMARACDates([]drive.Date{heard}, drive.DateOf(tx.Now)); err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM victim_marac_dates WHERE victim_case_id = ? AND case_id = ? AND heard_on = ?`,
		victimCaseID, perpetratorCaseID, heard).Scan(&n); err != nil {
		return tx.d.mapError(err)
	}
	if n > 0 {
		return drive.Errorf(drive.ECONFLICT, "That MARAC hearing is already recorded")
	}
	_, err := tx.exec(ctx, `INSERT INTO victim_marac_dates (victim_case_id, case_id, heard_on) VALUES (?, ?, ?)`, victimCaseID, perpetratorCaseID, heard)
	return err
}

// VictimLinks returns a victim-survivor's links to perpetrator cases,
// by case id, each with its MARAC hearings, oldest first.
func (tx *Tx) VictimLinks(ctx context.Context, victimCaseID int64) ([]victim.Link, error) {
	return tx.links(ctx, `victim_case_id = ?`, victimCaseID)
}

// CaseVictimLinks returns the victim-survivors linked to a perpetrator
// case, by victim case id (the order "Victim-survivor 1, 2, ..." labels
// follow), each with its MARAC hearings, oldest first. It carries ids and
// risk facts only, never her name.
func (tx *Tx) CaseVictimLinks(ctx context.Context, perpetratorCaseID int64) ([]victim.Link, error) {
	return tx.links(ctx, `case_id = ?`, perpetratorCaseID)
}

// CaseVictimIDVAs lists the IDVAs of the victim-survivors linked to a
// perpetrator case (those with one), by her case's id: the users the
// access policy counts as allocated to his case beside its case manager.
// One statement, where reading her links and then each of her cases took
// two and one more for each, on every read or write of his case.
func (tx *Tx) CaseVictimIDVAs(ctx context.Context, perpetratorCaseID int64) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT v.idva_id FROM victim_links l JOIN victim_cases v ON v.id = l.victim_case_id
		WHERE l.case_id = ? AND v.idva_id IS NOT NULL ORDER BY l.victim_case_id`, perpetratorCaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, tx.d.mapError(err)
		}
		if id != 0 {
			out = append(out, id)
		}
	}
	return out, tx.d.mapError(rows.Err())
}

func (tx *Tx) links(ctx context.Context, cond string, id int64) ([]victim.Link, error) {
	rows, err := tx.query(ctx, `SELECT victim_case_id, case_id, relationship, living_together FROM victim_links WHERE `+cond+
		` ORDER BY victim_case_id, case_id`, id)
	if err != nil {
		return nil, err
	}
	var out []victim.Link
	for rows.Next() {
		var l victim.Link
		var rel string
		if err := rows.Scan(&l.VictimCaseID, &l.PerpetratorCase, &rel, &l.LivingTogether); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		l.Relationship = victim.Relationship(rel)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	type pair struct{ v, c int64 }
	index := map[pair]int{}
	for i, l := range out {
		index[pair{l.VictimCaseID, l.PerpetratorCase}] = i
	}
	rows, err = tx.query(ctx, `SELECT victim_case_id, case_id, heard_on FROM victim_marac_dates WHERE `+cond+` ORDER BY heard_on`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p pair
		var d drive.Date
		if err := rows.Scan(&p.v, &p.c, &d); err != nil {
			return nil, tx.d.mapError(err)
		}
		if i, ok := index[p]; ok {
			out[i].MARACDates = append(out[i].MARACDates, d)
		}
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateChild records a child of a victim-survivor after Child.Validate as
// of the transaction's date, and sets ID. A child linked to a perpetrator
// case (PerpetratorCase not 0) must be linked through her: the case must
// be one she is linked to. Errors: EINVALID per field, or for a
// victim-survivor's case that does not exist.
func (tx *Tx) CreateChild(ctx context.Context, ch *victim.Child) error {
	if err := ch.Validate(drive.DateOf(tx.Now)); err != nil {
		return err
	}
	if _, ok, err := tx.victimCaseSite(ctx, ch.VictimCaseID); err != nil {
		return err
	} else if !ok {
		return drive.Invalid("Check the child's details", map[string]string{"victim": "Choose the victim-survivor this child belongs with"})
	}
	if ch.PerpetratorCase != 0 {
		if ok, err := tx.linked(ctx, ch.VictimCaseID, ch.PerpetratorCase); err != nil {
			return err
		} else if !ok {
			return drive.Invalid("Check the child's details", map[string]string{"child_case": "Link the child only to a perpetrator case the victim-survivor is linked to"})
		}
	}
	id, err := tx.insert(ctx, `INSERT INTO victim_children (victim_case_id, case_id, given_name, date_of_birth, relationship, social_care, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ch.VictimCaseID, optID(ch.PerpetratorCase), ch.GivenName, ch.DateOfBirth, ch.Relationship, ch.SocialCare, tx.Now)
	if err != nil {
		return err
	}
	ch.ID = id
	return nil
}

// Children returns a victim-survivor's children, eldest first.
func (tx *Tx) Children(ctx context.Context, victimCaseID int64) ([]victim.Child, error) {
	return tx.children(ctx, `victim_case_id = ?`, victimCaseID)
}

// CaseChildren returns the children linked to a perpetrator case (through
// the victim-survivors linked to it), eldest first. A victim-survivor's
// child not linked to the case is not among them.
func (tx *Tx) CaseChildren(ctx context.Context, perpetratorCaseID int64) ([]victim.Child, error) {
	return tx.children(ctx, `case_id = ?`, perpetratorCaseID)
}

func (tx *Tx) children(ctx context.Context, cond string, id int64) ([]victim.Child, error) {
	rows, err := tx.query(ctx, `SELECT id, victim_case_id, case_id, given_name, date_of_birth, relationship, social_care
		FROM victim_children WHERE `+cond+` ORDER BY date_of_birth, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []victim.Child
	for rows.Next() {
		var ch victim.Child
		var c sql.NullInt64
		if err := rows.Scan(&ch.ID, &ch.VictimCaseID, &c, &ch.GivenName, &ch.DateOfBirth, &ch.Relationship, &ch.SocialCare); err != nil {
			return nil, tx.d.mapError(err)
		}
		ch.PerpetratorCase = c.Int64
		out = append(out, ch)
	}
	return out, tx.d.mapError(rows.Err())
}
