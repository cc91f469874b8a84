package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/evaluation"
)

// CreateProject stores a new evaluation project with its sealed pseudonym
// secret. Errors: ECONFLICT when the name is taken.
func (tx *Tx) CreateProject(ctx context.Context, p *evaluation.Project, secret SealedValue) error {
	id, err := tx.insert(ctx, `INSERT INTO evaluation_projects (name, evaluator_org_id, agreement_ref, agreement_expires, period_from,
		period_to, tables, k, state, secret, secret_key_id, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Name, p.EvaluatorOrgID, p.AgreementRef, p.AgreementExpires, p.From, p.To, strings.Join(p.Tables, ","), p.K,
		string(p.State), secret.Data, secret.KeyID, p.CreatedBy, tx.Now, tx.Now)
	if err != nil {
		return err
	}
	p.ID = id
	for _, site := range p.SiteIDs {
		if _, err := tx.exec(ctx, `INSERT INTO evaluation_project_sites (project_id, site_id) VALUES (?, ?)`, id, site); err != nil {
			return err
		}
	}
	return nil
}

// SaveProjectState records a project's state and approval.
func (tx *Tx) SaveProjectState(ctx context.Context, p *evaluation.Project) error {
	var by sql.NullInt64
	var at sql.NullTime
	if p.ApprovedBy != 0 {
		by, at = sql.NullInt64{Int64: p.ApprovedBy, Valid: true}, sql.NullTime{Time: p.ApprovedAt, Valid: true}
	}
	res, err := tx.exec(ctx, `UPDATE evaluation_projects SET state = ?, approved_by = ?, approved_at = ?, updated_at = ? WHERE id = ?`,
		string(p.State), by, at, tx.Now, p.ID)
	if err != nil {
		return err
	}
	return mustAffect(res, "evaluation project")
}

const projectColumns = `id, name, evaluator_org_id, agreement_ref, agreement_expires, period_from, period_to, tables, k, state,
	created_by, approved_by, approved_at`

func (tx *Tx) scanProjects(ctx context.Context, where string, args ...any) ([]*evaluation.Project, error) {
	rows, err := tx.query(ctx, `SELECT `+projectColumns+` FROM evaluation_projects `+where+` ORDER BY name`, args...)
	if err != nil {
		return nil, err
	}
	var out []*evaluation.Project
	for rows.Next() {
		var p evaluation.Project
		var tables, state string
		var by sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.EvaluatorOrgID, &p.AgreementRef, &p.AgreementExpires, &p.From, &p.To, &tables, &p.K,
			&state, &p.CreatedBy, &by, &at); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		p.Tables, p.State, p.ApprovedBy = strings.Split(tables, ","), evaluation.State(state), by.Int64
		if at.Valid {
			p.ApprovedAt = at.Time.UTC()
		}
		out = append(out, &p)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, tx.d.mapError(err)
	}
	for _, p := range out {
		if p.SiteIDs, err = tx.int64s(ctx, `SELECT site_id FROM evaluation_project_sites WHERE project_id = ? ORDER BY site_id`, p.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Projects lists evaluation projects by name: every project when orgID is
// 0, else those evaluated by that organisation.
func (tx *Tx) Projects(ctx context.Context, orgID int64) ([]*evaluation.Project, error) {
	if orgID == 0 {
		return tx.scanProjects(ctx, ``)
	}
	return tx.scanProjects(ctx, `WHERE evaluator_org_id = ?`, orgID)
}

// Project returns one project by id. Errors: ENOTFOUND.
func (tx *Tx) Project(ctx context.Context, id int64) (*evaluation.Project, error) {
	ps, err := tx.scanProjects(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, drive.Errorf(drive.ENOTFOUND, "evaluation project not found")
	}
	return ps[0], nil
}

// ProjectByName returns one project by its name. Errors: ENOTFOUND.
func (tx *Tx) ProjectByName(ctx context.Context, name string) (*evaluation.Project, error) {
	ps, err := tx.scanProjects(ctx, `WHERE name = ?`, name)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, drive.Errorf(drive.ENOTFOUND, "evaluation project not found")
	}
	return ps[0], nil
}

// ProjectSecret returns a project's sealed pseudonym secret.
func (tx *Tx) ProjectSecret(ctx context.Context, id int64) (SealedValue, error) {
	var v SealedValue
	if err := tx.queryRow(ctx, `SELECT secret, secret_key_id FROM evaluation_projects WHERE id = ?`, id).Scan(&v.Data, &v.KeyID); err != nil {
		return v, tx.scanErr(err, "evaluation project")
	}
	return v, nil
}

// CreateRelease stores a released extract and its zip.
func (tx *Tx) CreateRelease(ctx context.Context, r *evaluation.Release, content []byte) error {
	r.ReleasedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO evaluation_releases (project_id, made_on, k, smallest, passed, override_reason, row_count, size,
		digest, note, content, released_by, released_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ProjectID, r.MadeOn, r.K, r.Smallest, r.Passed, r.OverrideReason, r.Rows, r.Size, r.Digest, r.Note, content, r.ReleasedBy, r.ReleasedAt)
	if err != nil {
		return err
	}
	r.ID = id
	return nil
}

const releaseColumns = `id, project_id, made_on, k, smallest, passed, override_reason, row_count, size, digest, note, released_by, released_at`

func scanRelease(row interface{ Scan(...any) error }, r *evaluation.Release, extra ...any) error {
	if err := row.Scan(append([]any{&r.ID, &r.ProjectID, &r.MadeOn, &r.K, &r.Smallest, &r.Passed, &r.OverrideReason, &r.Rows, &r.Size,
		&r.Digest, &r.Note, &r.ReleasedBy, &r.ReleasedAt}, extra...)...); err != nil {
		return err
	}
	r.ReleasedAt = r.ReleasedAt.UTC()
	return nil
}

// Releases lists a project's released extracts, newest first, without
// their content.
func (tx *Tx) Releases(ctx context.Context, projectID int64) ([]evaluation.Release, error) {
	rows, err := tx.query(ctx, `SELECT `+releaseColumns+` FROM evaluation_releases WHERE project_id = ? ORDER BY id DESC`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evaluation.Release
	for rows.Next() {
		var r evaluation.Release
		if err := scanRelease(rows, &r); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, r)
	}
	return out, tx.d.mapError(rows.Err())
}

// ReleaseContent returns one released extract and its zip. Errors:
// ENOTFOUND.
func (tx *Tx) ReleaseContent(ctx context.Context, id int64) (*evaluation.Release, []byte, error) {
	var r evaluation.Release
	var content []byte
	err := scanRelease(tx.queryRow(ctx, `SELECT `+releaseColumns+`, content FROM evaluation_releases WHERE id = ?`, id), &r, &content)
	if err != nil {
		return nil, nil, tx.scanErr(err, "extract")
	}
	return &r, content, nil
}

// EvaluationSource reads what an extract is made from for the sites and
// period: the outcome facts of each case (see OutcomeFacts) with its
// person, the children recorded with its victim-survivors (date of birth,
// relationship and social care only, never a name), its contacts (kind and
// date, never the summary or method) and the meetings held at the sites in
// the period with the decisions on each case (never the reasons).
func (tx *Tx) EvaluationSource(ctx context.Context, siteIDs []int64, from, to drive.Date) (evaluation.Source, error) {
	var src evaluation.Source
	cases, err := tx.OutcomeFacts(ctx, siteIDs, from, to)
	if err != nil {
		return src, err
	}
	in := map[int64]bool{}
	for _, c := range cases {
		src.Cases = append(src.Cases, evaluation.SourceCase{CaseFacts: c.CaseFacts, PersonID: c.PersonID})
		in[c.CaseID] = true
	}
	if len(in) == 0 {
		return src, nil
	}
	sites := placeholders(len(siteIDs))
	args := make([]any, len(siteIDs))
	for i, id := range siteIDs {
		args[i] = id
	}
	err = tx.each(ctx, `SELECT ch.id, ch.victim_case_id, ch.case_id, ch.date_of_birth, ch.relationship, ch.social_care
		FROM victim_children ch JOIN cases c ON c.id = ch.case_id WHERE c.site_id IN (`+sites+`) ORDER BY ch.id`, args, func(r *sql.Rows) error {
		var ch evaluation.ChildFacts
		if err := r.Scan(&ch.ID, &ch.VictimID, &ch.CaseID, &ch.DateOfBirth, &ch.Relationship, &ch.SocialCare); err != nil {
			return err
		}
		if in[ch.CaseID] {
			src.Children = append(src.Children, ch)
		}
		return nil
	})
	if err != nil {
		return src, err
	}
	err = tx.each(ctx, `SELECT ct.id, ct.case_id, ct.kind, ct.contact_on FROM case_contacts ct JOIN cases c ON c.id = ct.case_id
		WHERE c.site_id IN (`+sites+`) ORDER BY ct.id`, args, func(r *sql.Rows) error {
		var ct evaluation.ContactFacts
		if err := r.Scan(&ct.ID, &ct.CaseID, &ct.Kind, &ct.On); err != nil {
			return err
		}
		if in[ct.CaseID] {
			src.Contacts = append(src.Contacts, ct)
		}
		return nil
	})
	if err != nil {
		return src, err
	}
	index := map[int64]int{}
	margs := append(append([]any{}, args...), from, to)
	err = tx.each(ctx, `SELECT m.id, s.code, ms.kind, m.state, m.held_on FROM meetings m JOIN meeting_series ms ON ms.id = m.series_id
		JOIN sites s ON s.id = m.site_id WHERE m.site_id IN (`+sites+`) AND m.held_on >= ? AND m.held_on <= ? ORDER BY m.id`, margs,
		func(r *sql.Rows) error {
			var m evaluation.MeetingFacts
			if err := r.Scan(&m.ID, &m.SiteCode, &m.Kind, &m.State, &m.HeldOn); err != nil {
				return err
			}
			index[m.ID] = len(src.Meetings)
			src.Meetings = append(src.Meetings, m)
			return nil
		})
	if err != nil {
		return src, err
	}
	err = tx.each(ctx, `SELECT i.meeting_id, i.case_id, i.decision, i.is_repeat, i.children FROM meeting_items i
		JOIN meetings m ON m.id = i.meeting_id WHERE i.kind = 'case' AND m.site_id IN (`+sites+`) AND m.held_on >= ? AND m.held_on <= ?
		ORDER BY i.meeting_id, i.ord`, margs, func(r *sql.Rows) error {
		var meetingID int64
		var it evaluation.MeetingItemFacts
		if err := r.Scan(&meetingID, &it.CaseID, &it.Decision, &it.Repeat, &it.Children); err != nil {
			return err
		}
		if i, ok := index[meetingID]; ok {
			src.Meetings[i].Items = append(src.Meetings[i].Items, it)
		}
		return nil
	})
	return src, err
}
