package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/store"
)

// Audit actions of evaluation projects and their extracts.
const (
	ActionProjectCreate   = "evaluation.project_create"
	ActionProjectApprove  = "evaluation.project_approve"
	ActionProjectWithdraw = "evaluation.project_withdraw"
	ActionExtractRelease  = "evaluation.extract_release"
	ActionExtractDownload = "evaluation.extract_download"
	ActionExtractWrite    = "evaluation.extract_write"
)

// ProjectView is a project as its page shows it.
type ProjectView struct {
	Project   *evaluation.Project
	Evaluator string   // the evaluator organisation's name
	Sites     []string // site names
	Releases  []evaluation.Release
	// What the actor may do with it.
	CanApprove, CanWithdraw, CanRelease, CanOverride, CanDownload bool
}

func projectResource(id int64) access.Resource {
	return access.Resource{Class: access.Extracts, RecordType: "evaluation_project", RecordID: strconv.FormatInt(id, 10)}
}

func holds(a Actor, r access.Role) bool { return slices.Contains(a.RolesAt(0), r) }

// sees reports whether the actor may see the project at all: the national
// team and dpo see every project, an evaluator only their organisation's.
func sees(a Actor, p *evaluation.Project) bool {
	return holds(a, access.National) || holds(a, access.DPO) ||
		(holds(a, access.Evaluator) && a.OrganisationID == p.EvaluatorOrgID)
}

// secretAAD binds a project's sealed secret to the project, so a secret
// copied to another project's row does not open.
func secretAAD(name string) []byte { return []byte("evaluation_project/" + name) }

// Projects lists the evaluation projects the actor may see: every project
// for the national team and the dpo, their organisation's for an
// evaluator. Errors: ENOTFOUND for anyone else.
func (s *Service) Projects(ctx context.Context, a Actor) ([]*evaluation.Project, error) {
	var out []*evaluation.Project
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		if _, err := s.decide(ctx, tx, a, access.Read, projectResource(0), "evaluation projects"); err != nil {
			return err
		}
		all, err := tx.Projects(ctx, 0)
		if err != nil {
			return err
		}
		for _, p := range all {
			if sees(a, p) {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// CreateProject records a new draft project created by the actor (the
// national team), with a fresh pseudonym secret sealed with the service's
// keys. Errors: EINVALID for a project that does not validate or names an
// unknown site or organisation; ECONFLICT for a name in use; ENOTFOUND for
// an actor who may not.
func (s *Service) CreateProject(ctx context.Context, a Actor, p *evaluation.Project) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := s.decide(ctx, tx, a, access.Write, projectResource(0), "evaluation projects"); err != nil {
			return err
		}
		if !holds(a, access.National) {
			// The dpo approves what the national team creates: the two
			// are kept apart, so a dpo has no creating to do.
			return drive.NotFound("evaluation projects")
		}
		p.State, p.CreatedBy, p.ApprovedBy = evaluation.StateDraft, a.UserID, 0
		if err := p.Validate(drive.DateOf(tx.Now)); err != nil {
			return err
		}
		f := map[string]string{}
		if org, err := tx.Organisation(ctx, p.EvaluatorOrgID); err != nil {
			f["evaluator_org_id"] = "Choose the evaluator's organisation from the list"
		} else if org.Kind != access.EvaluationPartner {
			f["evaluator_org_id"] = "Choose an evaluator organisation"
		}
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		for _, id := range p.SiteIDs {
			if !slices.ContainsFunc(sites, func(st account.Site) bool { return st.ID == id }) {
				f["site_ids"] = "Choose sites from the list"
			}
		}
		if len(f) > 0 {
			return drive.Invalid("Check the evaluation project", f)
		}
		secret, err := evaluation.NewSecret(s.random())
		if err != nil {
			return err
		}
		sv, err := s.seal(secret, secretAAD(p.Name))
		if err != nil {
			return err
		}
		if err := tx.CreateProject(ctx, p, sv); err != nil {
			return err
		}
		return s.auditProject(ctx, tx, a, ActionProjectCreate, p.ID, "")
	})
}

func (s *Service) auditProject(ctx context.Context, tx *store.Tx, a Actor, action string, id int64, reason string) error {
	return tx.Audit(ctx, audit.Event{Action: action, ActorID: a.UserID, ActorRole: evaluationRole(a), RecordType: "evaluation_project",
		RecordID: strconv.FormatInt(id, 10), Remote: a.Remote, Reason: reason, Outcome: audit.OutcomeOK})
}

// evaluationRole is the role an evaluation action is taken in, for the audit
// log: the most specific of the roles that may act on projects.
func evaluationRole(a Actor) string {
	for _, r := range []access.Role{access.DPO, access.National, access.Evaluator} {
		if holds(a, r) {
			return string(r)
		}
	}
	if a.System != "" {
		return "system"
	}
	return ""
}

// loadProject returns a project the actor may see, or "not found".
func (s *Service) loadProject(ctx context.Context, tx *store.Tx, a Actor, want access.Action, id int64) (*evaluation.Project, error) {
	if _, err := s.decide(ctx, tx, a, want, projectResource(id), "evaluation project"); err != nil {
		return nil, err
	}
	p, err := tx.Project(ctx, id)
	if err != nil {
		return nil, err
	}
	if !sees(a, p) {
		return nil, drive.NotFound("evaluation project")
	}
	return p, nil
}

// Project returns one project with its releases and what the actor may do.
// Errors: ENOTFOUND when there is no such project or the actor may not see
// it.
func (s *Service) Project(ctx context.Context, a Actor, id int64) (*ProjectView, error) {
	var v ProjectView
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		p, err := s.loadProject(ctx, tx, a, access.Read, id)
		if err != nil {
			return err
		}
		v.Project = p
		if org, err := tx.Organisation(ctx, p.EvaluatorOrgID); err == nil {
			v.Evaluator = org.Name
		}
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		for _, st := range sites {
			if slices.Contains(p.SiteIDs, st.ID) {
				v.Sites = append(v.Sites, st.Name)
			}
		}
		if v.Releases, err = tx.Releases(ctx, p.ID); err != nil {
			return err
		}
		today := drive.DateOf(tx.Now)
		live := p.State == evaluation.StateDraft || p.State == evaluation.StateApproved
		v.CanApprove = p.State == evaluation.StateDraft && holds(a, access.DPO) && a.UserID != p.CreatedBy
		v.CanWithdraw = live && (holds(a, access.DPO) || holds(a, access.National))
		v.CanRelease = p.Usable(today) && (holds(a, access.DPO) || holds(a, access.National))
		v.CanOverride = v.CanRelease && holds(a, access.DPO)
		v.CanDownload = p.Usable(today) && holds(a, access.Evaluator) && a.OrganisationID == p.EvaluatorOrgID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ApproveProject records a dpo's approval of a draft project. Nobody
// approves a project they created. Errors: EINVALID for an actor who is
// not a dpo, for self-approval or a project that no longer
// validates; ECONFLICT when it is not a draft; ENOTFOUND.
func (s *Service) ApproveProject(ctx context.Context, a Actor, id int64) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		p, err := s.loadProject(ctx, tx, a, access.Write, id)
		if err != nil {
			return err
		}
		if !holds(a, access.DPO) {
			return drive.Errorf(drive.EINVALID, "Only a data protection officer approves an evaluation project")
		}
		if err := p.Approve(a.UserID, tx.Now, p.CreatedBy); err != nil {
			return err
		}
		if err := tx.SaveProjectState(ctx, p); err != nil {
			return err
		}
		return s.auditProject(ctx, tx, a, ActionProjectApprove, p.ID, "")
	})
}

// WithdrawProject ends a project: no further extracts are released or
// downloaded. Errors: ECONFLICT when it has ended; ENOTFOUND.
func (s *Service) WithdrawProject(ctx context.Context, a Actor, id int64, reason string) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		p, err := s.loadProject(ctx, tx, a, access.Write, id)
		if err != nil {
			return err
		}
		if strings.TrimSpace(reason) == "" {
			return drive.Invalid("Check the withdrawal", map[string]string{"reason": "Say why the project is withdrawn"})
		}
		if err := p.Withdraw(); err != nil {
			return err
		}
		if err := tx.SaveProjectState(ctx, p); err != nil {
			return err
		}
		return s.auditProject(ctx, tx, a, ActionProjectWithdraw, p.ID, strings.TrimSpace(reason))
	})
}

// buildExtract makes the project's extract from the database as it is now.
func (s *Service) buildExtract(ctx context.Context, tx *store.Tx, p *evaluation.Project) (*evaluation.Extract, error) {
	sv, err := tx.ProjectSecret(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	secret, err := s.open(sv, secretAAD(p.Name))
	if err != nil {
		return nil, err
	}
	ps, err := evaluation.NewPseudonymiser(secret)
	if err != nil {
		return nil, err
	}
	src, err := tx.EvaluationSource(ctx, p.SiteIDs, p.From, p.To)
	if err != nil {
		return nil, err
	}
	return evaluation.Build(p, ps, src, drive.DateOf(tx.Now))
}

// belowK is the refusal of an extract that fails the release check.
func belowK(e *evaluation.Extract) error {
	why := "its smallest group holds " + strconv.Itoa(e.Smallest()) + " people, below the project's threshold of " + strconv.Itoa(e.Threshold)
	return drive.Invalid("The extract was not released: "+why, map[string]string{
		"override_reason": "The extract was not released: " + why + ". A data protection officer may release it with a reason",
	})
}

// ReleaseExtract makes the project's extract now, runs the
// re-identification check, and keeps the zip for the evaluator to download.
// An extract whose smallest group is below the project's k is refused,
// unless a dpo gives overrideReason. Errors: EINVALID when the check fails
// without an override, or an override by anyone but a dpo;
// ECONFLICT when the project is not approved or its agreement expired;
// ENOTFOUND.
func (s *Service) ReleaseExtract(ctx context.Context, a Actor, id int64, overrideReason string) (*evaluation.Release, error) {
	// The extract is made and checked in a read transaction: only
	// storing it and the audit event take the writer, so making a large
	// extract does not hold up everyone else's writes.
	var rel evaluation.Release
	var zipped []byte
	reason := strings.TrimSpace(overrideReason)
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		p, err := s.loadProject(ctx, tx, a, access.Write, id)
		if err != nil {
			return err
		}
		if !holds(a, access.DPO) && !holds(a, access.National) {
			return drive.NotFound("evaluation project")
		}
		e, err := s.buildExtract(ctx, tx, p)
		if err != nil {
			return err
		}
		if e.Pass() {
			reason = ""
		} else if reason == "" {
			return belowK(e)
		} else if !holds(a, access.DPO) {
			return drive.Invalid("Only a data protection officer may release an extract below the project's threshold", map[string]string{"override_reason": "Ask a data protection officer to review the release"})
		}
		var buf bytes.Buffer
		if err := e.WriteZip(&buf); err != nil {
			return err
		}
		zipped = buf.Bytes()
		sum := sha256.Sum256(zipped)
		rel = evaluation.Release{ProjectID: p.ID, MadeOn: e.MadeOn, K: e.Threshold, Smallest: e.Smallest(), Passed: e.Pass(),
			OverrideReason: reason, Rows: e.Rows(), Size: len(zipped), Digest: hex.EncodeToString(sum[:]), Note: e.ReleaseNote(),
			ReleasedBy: a.UserID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		// Decided again: the project may have been withdrawn meanwhile.
		p, err := s.loadProject(ctx, tx, a, access.Write, id)
		if err != nil {
			return err
		}
		if !p.Usable(drive.DateOf(tx.Now)) {
			return drive.Errorf(drive.ECONFLICT, "The project %s cannot receive extracts: it is %s or its data-sharing agreement has expired", p.Name, p.State)
		}
		if err := tx.CreateRelease(ctx, &rel, zipped); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: ActionExtractRelease, ActorID: a.UserID, ActorRole: evaluationRole(a),
			RecordType: "evaluation_extract", RecordID: strconv.FormatInt(rel.ID, 10), Remote: a.Remote, Reason: reason, Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return nil, err
	}
	return &rel, nil
}

// DownloadExtract returns a released extract's zip for an evaluator of the
// project's organisation, and audits the download. Nobody else downloads
// one: the national team and the dpo release extracts but do not take the
// data away. Errors: ENOTFOUND for anyone else or no such extract;
// ECONFLICT once the project has ended or its agreement expired.
func (s *Service) DownloadExtract(ctx context.Context, a Actor, releaseID int64) (*evaluation.Release, []byte, error) {
	var rel *evaluation.Release
	var content []byte
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := s.decide(ctx, tx, a, access.Read, projectResource(0), "extract"); err != nil {
			return err
		}
		r, c, err := tx.ReleaseContent(ctx, releaseID)
		if err != nil {
			return err
		}
		p, err := tx.Project(ctx, r.ProjectID)
		if err != nil {
			return err
		}
		if !holds(a, access.Evaluator) || a.OrganisationID != p.EvaluatorOrgID {
			return drive.NotFound("extract")
		}
		if !p.Usable(drive.DateOf(tx.Now)) {
			return drive.Errorf(drive.ECONFLICT, "The project's extracts can no longer be downloaded: it is %s or its data-sharing agreement has expired", p.State)
		}
		rel, content = r, c
		return tx.Audit(ctx, audit.Event{Action: ActionExtractDownload, ActorID: a.UserID, ActorRole: string(access.Evaluator),
			RecordType: "evaluation_extract", RecordID: strconv.FormatInt(r.ID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	if err != nil {
		s.deniedExtract(ctx, a, releaseID, err)
		return nil, nil, err
	}
	return rel, content, nil
}

func (s *Service) deniedExtract(ctx context.Context, a Actor, id int64, err error) {
	if drive.ErrorCode(err) == drive.ENOTFOUND && a.UserID != 0 {
		s.denied(ctx, a, "evaluation_extract", id)
	}
}

// WriteExtract writes the named project's extract to w for the command
// line (`drive extract`), after the release check; it is refused below the
// project's threshold (a dpo may release such an extract with a reason on
// the project's page). Only a trusted entry point may ask. Errors:
// ENOTFOUND for an unknown project or an untrusted actor; EINVALID below k;
// ECONFLICT when the project is not usable.
func (s *Service) WriteExtract(ctx context.Context, a Actor, name string, w io.Writer) (*evaluation.Extract, error) {
	if err := trusted(a, "evaluation project"); err != nil {
		return nil, err
	}
	var e *evaluation.Extract
	var projectID int64
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		p, err := tx.ProjectByName(ctx, name)
		if err != nil {
			return err
		}
		projectID = p.ID
		if e, err = s.buildExtract(ctx, tx, p); err != nil {
			return err
		}
		if !e.Pass() {
			return belowK(e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: ActionExtractWrite, ActorRole: "system", RecordType: "evaluation_project",
			RecordID: strconv.FormatInt(projectID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return nil, err
	}
	return e, e.WriteZip(w)
}

// EvaluationSetup returns what the new-project form offers: the evaluator
// organisations and the sites. Errors: ENOTFOUND for anyone but the
// national team.
func (s *Service) EvaluationSetup(ctx context.Context, a Actor) ([]account.Organisation, []account.Site, error) {
	var orgs []account.Organisation
	var sites []account.Site
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		if _, err := s.decide(ctx, tx, a, access.Write, projectResource(0), "evaluation projects"); err != nil {
			return err
		}
		if !holds(a, access.National) {
			return drive.NotFound("evaluation projects")
		}
		all, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.Kind == access.EvaluationPartner {
				orgs = append(orgs, o)
			}
		}
		sites, err = tx.Sites(ctx)
		return err
	})
	return orgs, sites, err
}
