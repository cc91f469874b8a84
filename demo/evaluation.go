package demo

import (
	"context"
	"fmt"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/evaluation"
)

// EvaluationProject is the name of the demo's evaluation project.
const EvaluationProject = "demo-evaluation"

// evaluation sets up the demo's evaluation project as the national team
// would: created by the national user for the evaluator organisation,
// covering every demo site and table over the demo's two years, approved
// by the national data protection officer, with one extract released, so
// `drive extract --project demo-evaluation` and the evaluator's download
// can be tried at once.
func (g *generator) evaluation(ctx context.Context) error {
	nat, dpo, ev := g.national[access.National], g.national[access.DPO], g.national[access.Evaluator]
	if nat == nil || dpo == nil || ev == nil {
		return fmt.Errorf("demo evaluation: the national, dpo and evaluator users are missing")
	}
	ref := ReferenceDate()
	p := &evaluation.Project{
		Name: EvaluationProject, EvaluatorOrgID: ev.OrganisationID, AgreementRef: "DSA-DEMO-2026-001",
		AgreementExpires: ref.AddDays(3 * 365), From: ref.AddDays(-demoWindow), To: ref, Tables: evaluation.Tables(),
	}
	for _, s := range g.res.Sites {
		p.SiteIDs = append(p.SiteIDs, s.ID)
	}
	svc, err := g.svc.Backdated(at(ref.AddDays(-20), 10, 0))
	if err != nil {
		return err
	}
	if err := svc.CreateProject(ctx, actorOf(nat), p); err != nil {
		return fmt.Errorf("demo evaluation project: %w", err)
	}
	if svc, err = g.svc.Backdated(at(ref.AddDays(-18), 11, 30)); err != nil {
		return err
	}
	if err := svc.ApproveProject(ctx, actorOf(dpo), p.ID); err != nil {
		return fmt.Errorf("demo evaluation approval: %w", err)
	}
	if svc, err = g.svc.Backdated(at(ref.AddDays(-1), 16, 0)); err != nil {
		return err
	}
	if _, err := svc.ReleaseExtract(ctx, actorOf(nat), p.ID, ""); err != nil {
		return fmt.Errorf("demo evaluation extract: %w", err)
	}
	return nil
}
