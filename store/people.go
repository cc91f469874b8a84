package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/people"
)

const personColumns = `id, site_id, given_name, family_name, date_of_birth, gender, ethnicity, sexual_orientation, disability,
	police_ref, social_care_ref, probation_ref, merged_into, created_at, updated_at`

// CreatePerson stores a new person at p.SiteID, with aliases and
// addresses, after p.Validate as of the transaction's date (which tidies
// the record). It sets ID, CreatedAt and UpdatedAt. The caller checks
// people.Duplicates first and decides. Errors: EINVALID (fields, or a
// site that does not exist).
func (tx *Tx) CreatePerson(ctx context.Context, p *people.Person) error {
	if err := p.Validate(drive.DateOf(tx.Now)); err != nil {
		return err
	}
	if p.SiteID <= 0 {
		return drive.Invalid("Check the person's details", map[string]string{"site": "Choose the site the person is known at"})
	}
	p.CreatedAt, p.UpdatedAt, p.MergedInto = tx.Now, tx.Now, 0
	id, err := tx.insert(ctx, `INSERT INTO people (site_id, given_name, family_name, date_of_birth, gender, ethnicity, sexual_orientation, disability,
		police_ref, social_care_ref, probation_ref, merged_into, search_text, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
		p.SiteID, p.GivenName, p.FamilyName, p.DateOfBirth, p.Gender, p.Ethnicity, p.SexualOrientation, p.Disability,
		p.PoliceRef, p.SocialCareRef, p.ProbationRef, personSearchText(p), p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return err
	}
	p.ID = id
	return tx.savePersonDetails(ctx, p, false)
}

// UpdatePerson saves a person's details, replacing the aliases and
// addresses, after p.Validate. The site and the merge link are not
// changed here (MergePeople and UnmergePerson do that). It sets UpdatedAt.
// Errors: EINVALID, ENOTFOUND.
func (tx *Tx) UpdatePerson(ctx context.Context, p *people.Person) error {
	if err := p.Validate(drive.DateOf(tx.Now)); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE people SET given_name = ?, family_name = ?, date_of_birth = ?, gender = ?, ethnicity = ?,
		sexual_orientation = ?, disability = ?, police_ref = ?, social_care_ref = ?, probation_ref = ?, search_text = ?, updated_at = ?
		WHERE id = ?`,
		p.GivenName, p.FamilyName, p.DateOfBirth, p.Gender, p.Ethnicity, p.SexualOrientation, p.Disability,
		p.PoliceRef, p.SocialCareRef, p.ProbationRef, personSearchText(p), tx.Now, p.ID)
	if err != nil {
		return err
	}
	if err := mustAffect(res, "person"); err != nil {
		return err
	}
	p.UpdatedAt = tx.Now
	return tx.savePersonDetails(ctx, p, true)
}

func (tx *Tx) savePersonDetails(ctx context.Context, p *people.Person, replace bool) error {
	if replace {
		if _, err := tx.exec(ctx, `DELETE FROM person_aliases WHERE person_id = ?`, p.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM person_addresses WHERE person_id = ?`, p.ID); err != nil {
			return err
		}
	}
	for i, a := range p.Aliases {
		if _, err := tx.exec(ctx, `INSERT INTO person_aliases (person_id, ord, name) VALUES (?, ?, ?)`, p.ID, i, a); err != nil {
			return err
		}
	}
	for i, a := range p.Addresses {
		if _, err := tx.exec(ctx, `INSERT INTO person_addresses (person_id, ord, line1, town, postcode, from_on, to_on) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.ID, i, a.Line1, a.Town, a.Postcode, a.From, a.To); err != nil {
			return err
		}
	}
	return nil
}

// personSearchText is what Cases searches: names, aliases and references,
// lower-cased, each word also without punctuation and split at hyphens,
// so "obrien" finds O'Brien and "jones" finds Smith-Jones. It has a space
// at each end so that "prefix of a word" is LIKE '% prefix%'.
func personSearchText(p *people.Person) string {
	seen := map[string]bool{}
	var words []string
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	fields := append([]string{p.GivenName, p.FamilyName}, p.Aliases...)
	fields = append(fields, p.PoliceRef, p.SocialCareRef, p.ProbationRef)
	for _, f := range fields {
		for _, w := range strings.Fields(strings.ToLower(f)) {
			add(w)
			add(foldSearchWord(w))
			for _, part := range strings.Split(w, "-") {
				add(part)
			}
		}
	}
	return " " + strings.Join(words, " ") + " "
}

// foldSearchWord keeps only the letters and digits of a lower-cased word.
func foldSearchWord(w string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, w)
}

func scanPerson(row interface{ Scan(...any) error }) (*people.Person, error) {
	var p people.Person
	var merged sql.NullInt64
	if err := row.Scan(&p.ID, &p.SiteID, &p.GivenName, &p.FamilyName, &p.DateOfBirth, &p.Gender, &p.Ethnicity, &p.SexualOrientation,
		&p.Disability, &p.PoliceRef, &p.SocialCareRef, &p.ProbationRef, &merged, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.MergedInto = merged.Int64
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// Person returns a person with aliases and addresses, merged or not.
// Errors: ENOTFOUND.
func (tx *Tx) Person(ctx context.Context, id int64) (*people.Person, error) {
	p, err := scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "person")
	}
	if err := tx.loadPersonDetails(ctx, []*people.Person{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// PeopleAtSites returns the people known at the given sites who have not
// been merged into another record, with aliases and addresses, for the
// duplicate check (people.Duplicates) when a person is entered. The caller
// passes only sites the user may see.
func (tx *Tx) PeopleAtSites(ctx context.Context, siteIDs []int64) ([]*people.Person, error) {
	if len(siteIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(siteIDs))
	for i, id := range siteIDs {
		args[i] = id
	}
	rows, err := tx.query(ctx, `SELECT `+personColumns+` FROM people WHERE merged_into IS NULL AND site_id IN (`+placeholders(len(siteIDs))+`)
		ORDER BY family_name, given_name, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []*people.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	return out, tx.loadPersonDetails(ctx, out)
}

// PeopleNear returns the people at the given sites, not merged away, who
// could be the person a referral names (people.Duplicates' candidates): a
// date of birth among births (people.BirthDatesNear), no date of birth, or
// the police reference policeRef when it is not empty; in the order of
// PeopleAtSites. Each kind of match is its own indexed query
// (people_site_birth, people_site_police_ref) and the union is sorted, so
// it costs the few records that match, not every person the sites hold:
// written as one condition with OR, SQLite's planner read every person of
// the site in name order instead, and the unary + keeps it off
// people_merged_into, where nearly every record is "not merged".
func (tx *Tx) PeopleNear(ctx context.Context, siteIDs []int64, births []drive.Date, policeRef string) ([]*people.Person, error) {
	if len(siteIDs) == 0 {
		return nil, nil
	}
	sites := `site_id IN (` + placeholders(len(siteIDs)) + `)`
	var branches []string
	var args []any
	branch := func(match string, extra ...any) {
		branches = append(branches, `SELECT `+personColumns+` FROM people WHERE `+sites+` AND `+match+` AND +merged_into IS NULL`)
		for _, id := range siteIDs {
			args = append(args, id)
		}
		args = append(args, extra...)
	}
	branch(`date_of_birth IS NULL`)
	if len(births) > 0 {
		dates := make([]any, len(births))
		for i, d := range births {
			dates[i] = d
		}
		branch(`date_of_birth IN (`+placeholders(len(births))+`)`, dates...)
	}
	if policeRef != "" {
		branch(`police_ref = ?`, policeRef)
	}
	rows, err := tx.query(ctx, `SELECT `+personColumns+` FROM (`+strings.Join(branches, ` UNION `)+`) p
		ORDER BY family_name, given_name, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []*people.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	return out, tx.loadPersonDetails(ctx, out)
}

// loadPersonDetails fills aliases and addresses for ps with a few queries
// for the lot, not two per person.
func (tx *Tx) loadPersonDetails(ctx context.Context, ps []*people.Person) error {
	byID := make(map[int64]*people.Person, len(ps))
	for _, p := range ps {
		p.Aliases, p.Addresses = nil, nil
		byID[p.ID] = p
	}
	const chunk = 500
	for start := 0; start < len(ps); start += chunk {
		part := ps[start:min(start+chunk, len(ps))]
		args := make([]any, len(part))
		for i, p := range part {
			args[i] = p.ID
		}
		in := placeholders(len(part))
		rows, err := tx.query(ctx, `SELECT person_id, name FROM person_aliases WHERE person_id IN (`+in+`) ORDER BY person_id, ord`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return tx.d.mapError(err)
			}
			byID[id].Aliases = append(byID[id].Aliases, name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.d.mapError(err)
		}
		rows, err = tx.query(ctx, `SELECT person_id, line1, town, postcode, from_on, to_on FROM person_addresses WHERE person_id IN (`+in+`) ORDER BY person_id, ord`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var a people.Address
			if err := rows.Scan(&id, &a.Line1, &a.Town, &a.Postcode, &a.From, &a.To); err != nil {
				rows.Close()
				return tx.d.mapError(err)
			}
			byID[id].Addresses = append(byID[id].Addresses, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.d.mapError(err)
		}
	}
	return nil
}

// MergePeople records that mergeID is the same individual as keepID: the
// cases of mergeID move to keepID and mergeID is marked merged into it.
// The merge is recorded with the cases it moved, so UnmergePerson can undo
// exactly it. Both records must be at the same site and stand on their
// own, and no other record may already be merged into mergeID (undo that
// first, or merge it into keepID directly), so merges never chain.
// Errors: ENOTFOUND (either person), EINVALID (the rules above).
func (tx *Tx) MergePeople(ctx context.Context, keepID, mergeID int64) error {
	if keepID == mergeID {
		return drive.Errorf(drive.EINVALID, "A record cannot be merged into itself.")
	}
	type rec struct {
		site   int64
		merged sql.NullInt64
	}
	get := func(id int64) (rec, error) {
		var r rec
		err := tx.queryRow(ctx, `SELECT site_id, merged_into FROM people WHERE id = ?`, id).Scan(&r.site, &r.merged)
		if err != nil {
			return r, tx.scanErr(err, "person")
		}
		return r, nil
	}
	keep, err := get(keepID)
	if err != nil {
		return err
	}
	merge, err := get(mergeID)
	if err != nil {
		return err
	}
	switch {
	case keep.site != merge.site:
		return drive.Errorf(drive.EINVALID, "Only records held at the same site can be merged.")
	case keep.merged.Valid:
		return drive.Errorf(drive.EINVALID, "The record to keep has itself been merged into another: merge into that one instead.")
	case merge.merged.Valid:
		return drive.Errorf(drive.EINVALID, "That record has already been merged into another.")
	}
	var into int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM people WHERE merged_into = ?`, mergeID).Scan(&into); err != nil {
		return tx.d.mapError(err)
	}
	if into > 0 {
		return drive.Errorf(drive.EINVALID, "Other records have been merged into this one: undo those merges first, or merge them into the record you are keeping.")
	}
	mid, err := tx.insert(ctx, `INSERT INTO person_merges (keep_id, merged_id, merged_at) VALUES (?, ?, ?)`, keepID, mergeID, tx.Now)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO person_merge_cases (merge_id, case_id) SELECT CAST(? AS BIGINT), id FROM cases WHERE person_id = ?`, mid, mergeID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE cases SET person_id = ? WHERE person_id = ?`, keepID, mergeID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE people SET merged_into = ?, updated_at = ? WHERE id = ?`, keepID, tx.Now, mergeID)
	return err
}

// UnmergePerson undoes the latest merge of mergedID that is still in
// force: the cases that merge moved go back, and the record stands on its
// own again. Cases referred to the kept record since the merge stay with
// it. Errors: ENOTFOUND if mergedID has no merge in force.
func (tx *Tx) UnmergePerson(ctx context.Context, mergedID int64) error {
	var mid, keepID int64
	err := tx.queryRow(ctx, `SELECT id, keep_id FROM person_merges WHERE merged_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1`, mergedID).Scan(&mid, &keepID)
	if errors.Is(err, sql.ErrNoRows) {
		return drive.NotFound("merge")
	}
	if err != nil {
		return tx.d.mapError(err)
	}
	if _, err := tx.exec(ctx, `UPDATE cases SET person_id = ? WHERE person_id = ? AND id IN (SELECT case_id FROM person_merge_cases WHERE merge_id = ?)`,
		mergedID, keepID, mid); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE people SET merged_into = NULL, updated_at = ? WHERE id = ?`, tx.Now, mergedID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE person_merges SET undone_at = ? WHERE id = ?`, tx.Now, mid)
	return err
}

// Backdated returns the transaction with its clock set back to at, for
// writing records that describe the past (the demo data set, imports of
// earlier records): everything written through it is stamped at, and
// validation treats at's date as today. It shares the transaction, so it
// commits or rolls back with it. It is not for a user's own actions,
// which are always stamped with the real time. Errors: EINVALID if at is
// later than the transaction's own clock.
func (tx *Tx) Backdated(at time.Time) (*Tx, error) {
	at = at.UTC().Truncate(time.Microsecond)
	if at.After(tx.Now) {
		return nil, drive.Errorf(drive.EINVALID, "a record cannot be dated in the future")
	}
	b := *tx
	b.Now = at
	return &b, nil
}
