package store

import (
	"context"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
)

// Mention is one distinct way a held police person is written at a site,
// on an incident or a MARAC hearing, with the person it was resolved to
// and, for a victim, the suspect (perpetrator) she was recorded with.
type Mention struct {
	incident.Person
	PersonID int64
	Context  int64
}

// MentionKeys are the blocking keys of the new mentions an import links
// (identify.BlockingKeys): dates of birth; family names with a given
// initial; given names with a year of birth. Names are folded to lower
// case for ASCII letters only, as the indexes of migration 0056 fold them.
type MentionKeys struct {
	DOBs          []drive.Date
	FamilyInitial [][2]string
	GivenYear     []GivenYear
}

// GivenYear is a given name with a year of birth.
type GivenYear struct {
	Given string
	Year  int
}

// mentionColumns are a role's columns in incidents and marac_hearings:
// the name, date of birth and postcode, the person, and the context.
type mentionColumns struct {
	given, family, dob, postcode, person, context string
}

func mentionTables(role string) (incidents, hearings mentionColumns) {
	if role == "victim" {
		return mentionColumns{"victim_given", "victim_family", "victim_dob", "''", "victim_person", "suspect_person"},
			mentionColumns{"victim_given", "victim_family", "victim_dob", "''", "victim_person", "perpetrator_person"}
	}
	return mentionColumns{"suspect_given", "suspect_family", "suspect_dob", "suspect_postcode", "suspect_person", "0"},
		mentionColumns{"perpetrator_given", "perpetrator_family", "perpetrator_dob", "perpetrator_postcode", "perpetrator_person", "0"}
}

// fold is an engine's ASCII-only lower case of a column, the expression
// migration 0056 indexes.
func (tx *Tx) fold(expr string) string {
	if tx.d.name == "postgres" {
		return `lower(` + expr + ` COLLATE "C")`
	}
	return `lower(` + expr + `)`
}

// year is an engine's year of a date column, as an integer.
func (tx *Tx) year(col string) string {
	if tx.d.name == "postgres" {
		return `CAST(EXTRACT(YEAR FROM ` + col + `) AS INTEGER)`
	}
	return `CAST(substr(` + col + `, 1, 4) AS INTEGER)`
}

// MentionsLike returns the distinct held mentions of a role ("suspect" or
// "victim") at a site, on incidents and MARAC hearings, that share any of
// keys, resolved to a person and not anonymised. It reads only what the
// keys find, through the indexes of migration 0056, so an import links a
// batch at a time without loading every mention the site holds.
func (tx *Tx) MentionsLike(ctx context.Context, siteID int64, role string, keys MentionKeys) ([]Mention, error) {
	inc, hear := mentionTables(role)
	seen := map[Mention]bool{}
	var out []Mention
	add := func(q string, args []any) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m Mention
			if err := rows.Scan(&m.GivenName, &m.FamilyName, &m.DOB, &m.Postcode, &m.PersonID, &m.Context); err != nil {
				return tx.d.mapError(err)
			}
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		return tx.d.mapError(rows.Err())
	}
	sel := func(table string, c mentionColumns) string {
		return `SELECT DISTINCT t.` + c.given + `, t.` + c.family + `, t.` + c.dob + `, ` + qualify(c.postcode) + `, t.` + c.person + `, ` +
			`COALESCE(` + qualify(c.context) + `, 0) FROM ` + table + ` t`
	}
	// The keys lead the join, each probing the indexes of migration
	// 0056: SQLite is held to that order with CROSS JOIN (its planner
	// would otherwise walk the site's every row for each key);
	// PostgreSQL chooses for itself from fresh statistics (AnalyzeMentions).
	// The keys' values carry their types on PostgreSQL, which cannot
	// infer them inside VALUES; on SQLite a CAST would give them an
	// affinity the indexed expressions lack, and the indexes would not
	// be used.
	join, textText, textInt := " JOIN ", `(CAST(? AS TEXT), CAST(? AS TEXT)), `, `(CAST(? AS TEXT), CAST(? AS INTEGER)), `
	if tx.d.name != "postgres" {
		join, textText, textInt = " CROSS JOIN ", `(?, ?), `, `(?, ?), `
	}
	selFrom := func(table string, c mentionColumns) string {
		return `SELECT DISTINCT t.` + c.given + `, t.` + c.family + `, t.` + c.dob + `, ` + qualify(c.postcode) + `, t.` + c.person + `, ` +
			`COALESCE(` + qualify(c.context) + `, 0) FROM k` + join + table + ` t`
	}
	live := func(c mentionColumns) string {
		return ` t.site_id = ? AND t.` + c.person + ` IS NOT NULL AND t.anonymised_at IS NULL`
	}
	for _, src := range []struct {
		table string
		c     mentionColumns
	}{{"incidents", inc}, {"marac_hearings", hear}} {
		c := src.c
		for k := 0; k < len(keys.DOBs); k += batchRows {
			dobs := padBatch(keys.DOBs[k:min(k+batchRows, len(keys.DOBs))])
			args := []any{siteID}
			for _, d := range dobs {
				args = append(args, d)
			}
			q := sel(src.table, c) + ` WHERE` + live(c) + ` AND t.` + c.dob + ` IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(dobs)), ", ") + `)`
			if err := add(q, args); err != nil {
				return nil, err
			}
		}
		for k := 0; k < len(keys.FamilyInitial); k += batchRows {
			fi := padBatch(keys.FamilyInitial[k:min(k+batchRows, len(keys.FamilyInitial))])
			args := make([]any, 0, 2*len(fi)+1)
			for _, p := range fi {
				args = append(args, p[0], p[1])
			}
			args = append(args, siteID)
			q := `WITH k (f, i) AS (VALUES ` + strings.TrimSuffix(strings.Repeat(textText, len(fi)), ", ") + `) ` +
				selFrom(src.table, c) + ` ON` + live(c) + ` AND ` + tx.fold("t."+c.family) + ` = k.f AND ` + tx.fold("substr(t."+c.given+", 1, 1)") + ` = k.i`
			if err := add(q, args); err != nil {
				return nil, err
			}
		}
		for k := 0; k < len(keys.GivenYear); k += batchRows {
			gy := padBatch(keys.GivenYear[k:min(k+batchRows, len(keys.GivenYear))])
			args := make([]any, 0, 2*len(gy)+1)
			for _, p := range gy {
				args = append(args, p.Given, p.Year)
			}
			args = append(args, siteID)
			q := `WITH k (g, y) AS (VALUES ` + strings.TrimSuffix(strings.Repeat(textInt, len(gy)), ", ") + `) ` +
				selFrom(src.table, c) + ` ON` + live(c) + ` AND ` + tx.fold("t."+c.given) + ` = k.g AND ` + tx.year("t."+c.dob) + ` = k.y`
			if err := add(q, args); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// padBatch returns a batch of lookup keys lengthened to one of a few
// sizes (a power of two, or batchRows) by repeating its last key, which
// changes no answer: the lookups ask whether a row matches any key. A
// statement's text carries one placeholder a key, and an import linked a
// chunk at a time would otherwise write new texts for every chunk (the
// last batch of each lookup is as long as what is left), and each new
// text is kept by the statement cache for as long as the server runs
// (stmtCache; on SQLite a text met while the import holds the writer
// cannot be prepared and is kept as pending, never tried again), until
// its bound is reached and nothing new is prepared at all: what the
// cache held would grow with the file.
func padBatch[T any](keys []T) []T {
	n := len(keys)
	if n == 0 || n >= batchRows {
		return keys
	}
	size := 1
	for size < n {
		size *= 2
	}
	size = min(size, batchRows)
	out := make([]T, size)
	copy(out, keys)
	for i := n; i < size; i++ {
		out[i] = keys[n-1]
	}
	return out
}

// qualify prefixes a column with the table alias t; a constant stays as
// it is.
func qualify(col string) string {
	if col == "''" || col == "0" {
		return col
	}
	return "t." + col
}

// HeldRefs returns which of refs a site already holds, looked up a batch
// at a time, so an import that is linked a chunk at a time never loads
// every reference the site holds.
func (tx *Tx) HeldRefs(ctx context.Context, siteID int64, refs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for k := 0; k < len(refs); k += batchRows {
		part := padBatch(refs[k:min(k+batchRows, len(refs))])
		args := make([]any, 0, len(part)+1)
		args = append(args, siteID)
		for _, r := range part {
			args = append(args, r)
		}
		rows, err := tx.query(ctx, `SELECT ref FROM incidents WHERE site_id = ? AND ref IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ref string
			if err := rows.Scan(&ref); err != nil {
				rows.Close()
				return nil, tx.d.mapError(err)
			}
			out[ref] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, tx.d.mapError(err)
		}
	}
	return out, nil
}

// SiteMentionCount returns how many incidents and MARAC hearings a site
// holds: the records a full resolution of its people would link.
func (tx *Tx) SiteMentionCount(ctx context.Context, siteID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM incidents WHERE site_id = ?) + (SELECT COUNT(*) FROM marac_hearings WHERE site_id = ?)`,
		siteID, siteID).Scan(&n)
	return n, tx.d.mapError(err)
}

// MergeMentions moves every mention of each person in merged (incidents
// and MARAC hearings, as suspect, perpetrator or victim) to the person he
// is merged into, and records the merge (SetMergedInto), so a page or a
// case's score that names the old person still finds him.
func (tx *Tx) MergeMentions(ctx context.Context, merged map[int64]int64) error {
	if len(merged) == 0 {
		return nil
	}
	if err := tx.TouchPoliceData(ctx); err != nil {
		return err
	}
	for from, to := range merged {
		for _, q := range []string{
			`UPDATE incidents SET suspect_person = ? WHERE suspect_person = ?`,
			`UPDATE incidents SET victim_person = ? WHERE victim_person = ?`,
			`UPDATE marac_hearings SET perpetrator_person = ? WHERE perpetrator_person = ?`,
			`UPDATE marac_hearings SET victim_person = ? WHERE victim_person = ?`,
		} {
			if _, err := tx.exec(ctx, q, to, from); err != nil {
				return err
			}
		}
	}
	return tx.SetMergedInto(ctx, merged, nil)
}

// RuledPeople returns the police people of a site an analyst has ruled
// on: confirmed, named by a ruling, or holding an incident a ruling
// names. An import that links a batch at a time never merges them with
// anyone (identify.ExtendOptions.Fixed), so a ruling holds without being
// replayed over the whole site.
func (tx *Tx) RuledPeople(ctx context.Context, siteID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	rows, err := tx.query(ctx, `SELECT id FROM police_people WHERE site_id = ? AND confirmed_at IS NOT NULL
		UNION SELECT person_id FROM identity_decisions WHERE site_id = ?`, siteID, siteID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		out[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	rulings, err := tx.Rulings(ctx, siteID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range rulings {
		ids = append(ids, r.Incidents...)
	}
	for k := 0; k < len(ids); k += batchRows {
		part := ids[k:min(k+batchRows, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := tx.query(ctx, `SELECT COALESCE(suspect_person, 0), COALESCE(victim_person, 0) FROM incidents WHERE id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s, v int64
			if err := rows.Scan(&s, &v); err != nil {
				rows.Close()
				return nil, tx.d.mapError(err)
			}
			out[s], out[v] = true, true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, tx.d.mapError(err)
		}
	}
	delete(out, 0)
	return out, nil
}

// SitesWithIncidents returns how many sites hold an incident that is not
// anonymised: matching suspects across sites has nothing to compare with
// fewer than two, and need not read any.
func (tx *Tx) SitesWithIncidents(ctx context.Context) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM sites s WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.site_id = s.id AND i.anonymised_at IS NULL)`).Scan(&n)
	return n, tx.d.mapError(err)
}

// AnalyzeMentions refreshes PostgreSQL's statistics of incidents inside
// the import's transaction (which sees its own new rows), so that its
// planner finds candidates through the indexes of migration 0056 rather
// than reading the whole table, which its statistics from before the
// import would call small. SQLite's lookups need no statistics.
func (tx *Tx) AnalyzeMentions(ctx context.Context) error {
	if tx.d.name != "postgres" {
		return nil
	}
	_, err := tx.exec(ctx, `ANALYZE incidents`)
	return err
}
