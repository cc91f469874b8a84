package service_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"io"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// evaluationUsers adds the national team's user, a national dpo, and
// evaluators of two organisations to the world.
func evaluationUsers(t *testing.T, w *world) (evalOrg, otherOrg int64) {
	t.Helper()
	ctx := context.Background()
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		nat := &account.Organisation{Name: "National team", Kind: account.NationalTeam}
		ev := &account.Organisation{Name: "Evaluators A", Kind: account.EvaluationPartner}
		ev2 := &account.Organisation{Name: "Evaluators B", Kind: account.EvaluationPartner}
		for _, o := range []*account.Organisation{nat, ev, ev2} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		evalOrg, otherOrg = ev.ID, ev2.ID
		for _, sp := range []struct {
			name string
			org  int64
			role access.Role
		}{{"national", nat.ID, access.National}, {"dpo", nat.ID, access.DPO}, {"eval", ev.ID, access.Evaluator}, {"eval2", ev2.ID, access.Evaluator}} {
			u := &account.User{Username: "user." + sp.name, DisplayName: "User " + sp.name, OrganisationID: sp.org, PasswordHash: "x",
				TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: sp.role}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			w.users[sp.name] = u
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evalOrg, otherOrg
}

// firstCell returns the first data cell of a CSV in an extract's zip.
func firstCell(t *testing.T, zipped []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v, %d rows", name, err, len(rows))
		}
		return rows[1][0]
	}
	t.Fatalf("%s not in the extract", name)
	return ""
}

// TestEvaluationProjectLifecycle follows a project from creation to
// withdrawal: who may create, approve, release and download; the release
// check refusing a small extract unless a dpo overrides it with a reason;
// pseudonyms agreeing between two extracts of one project and differing
// between projects; and every step audited.
func TestEvaluationProjectLifecycle(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			evalOrg, otherOrg := evaluationUsers(t, w)
			nat, dpo, ev, ev2 := w.actor(t, "national"), w.actor(t, "dpo"), w.actor(t, "eval"), w.actor(t, "eval2")
			today := drive.DateOf(now)
			project := func(name string, org int64) *evaluation.Project {
				return &evaluation.Project{Name: name, EvaluatorOrgID: org, AgreementRef: "DSA-1", AgreementExpires: today.AddDays(365),
					SiteIDs: []int64{w.siteA.ID}, From: today.AddDays(-365), To: today, Tables: evaluation.Tables()}
			}
			start := w.head(t)

			p := project("trial-a", evalOrg)
			for name, a := range map[string]service.Actor{"dpo": dpo, "evaluator": ev, "case manager": w.actor(t, "cm")} {
				wantCode(t, w.svc.CreateProject(ctx, a, project("by-"+name, evalOrg)), drive.ENOTFOUND)
			}
			bad := project("Bad Name", evalOrg)
			wantCode(t, w.svc.CreateProject(ctx, nat, bad), drive.EINVALID)
			wrongOrg := project("wrong-org", w.users["cm"].OrganisationID)
			wantCode(t, w.svc.CreateProject(ctx, nat, wrongOrg), drive.EINVALID)
			if err := w.svc.CreateProject(ctx, nat, p); err != nil {
				t.Fatal(err)
			}
			wantCode(t, w.svc.CreateProject(ctx, nat, project("trial-a", evalOrg)), drive.ECONFLICT)

			_, err := w.svc.ReleaseExtract(ctx, nat, p.ID, "")
			wantCode(t, err, drive.ECONFLICT) // a draft receives nothing
			wantCode(t, w.svc.ApproveProject(ctx, nat, p.ID), drive.EINVALID)
			wantCode(t, w.svc.ApproveProject(ctx, ev, p.ID), drive.ENOTFOUND)
			if err := w.svc.ApproveProject(ctx, dpo, p.ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, w.svc.ApproveProject(ctx, dpo, p.ID), drive.ECONFLICT)

			// One perpetrator: no group of 5 can be made.
			_, err = w.svc.ReleaseExtract(ctx, nat, p.ID, "")
			wantCode(t, err, drive.EINVALID)
			_, err = w.svc.ReleaseExtract(ctx, nat, p.ID, "The evaluators need it")
			wantCode(t, err, drive.EINVALID) // only a dpo overrides
			r1, err := w.svc.ReleaseExtract(ctx, dpo, p.ID, "Agreed with the evaluator: one case, site not published")
			if err != nil {
				t.Fatal(err)
			}
			if r1.Passed || r1.OverrideReason == "" || r1.Smallest >= r1.K {
				t.Fatalf("override release %+v: want not passed, with the reason, smallest below k", r1)
			}
			r2, err := w.svc.ReleaseExtract(ctx, dpo, p.ID, "Second extract, same agreement")
			if err != nil {
				t.Fatal(err)
			}

			// Only the project's own evaluator downloads.
			for name, a := range map[string]service.Actor{"national": nat, "dpo": dpo, "other evaluator": ev2} {
				if _, _, err := w.svc.DownloadExtract(ctx, a, r1.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("%s downloading: %v, want not found", name, err)
				}
			}
			_, z1, err := w.svc.DownloadExtract(ctx, ev, r1.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, z2, err := w.svc.DownloadExtract(ctx, ev, r2.ID)
			if err != nil {
				t.Fatal(err)
			}
			c1, c2 := firstCell(t, z1, "cases.csv"), firstCell(t, z2, "cases.csv")
			if c1 != c2 {
				t.Errorf("two extracts of one project: case pseudonyms %s and %s differ", c1, c2)
			}

			// Another project, another evaluator: other pseudonyms.
			q := project("trial-b", otherOrg)
			if err := w.svc.CreateProject(ctx, nat, q); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.ApproveProject(ctx, dpo, q.ID); err != nil {
				t.Fatal(err)
			}
			r3, err := w.svc.ReleaseExtract(ctx, dpo, q.ID, "Agreed")
			if err != nil {
				t.Fatal(err)
			}
			_, z3, err := w.svc.DownloadExtract(ctx, ev2, r3.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c3 := firstCell(t, z3, "cases.csv"); c3 == c1 {
				t.Errorf("two projects share the case pseudonym %s", c3)
			}
			if _, _, err := w.svc.DownloadExtract(ctx, ev, r3.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("evaluator of another project downloading: %v, want not found", err)
			}
			ps, err := w.svc.Projects(ctx, ev)
			if err != nil || len(ps) != 1 || ps[0].ID != p.ID {
				t.Errorf("evaluator lists %v (%v); want only their own project", ps, err)
			}
			if _, err := w.svc.Project(ctx, ev, q.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("evaluator reading another organisation's project: %v, want not found", err)
			}

			// A key rotation re-wraps the project's pseudonym secret with
			// everything else: once the old key is gone, the next extract
			// still opens it and gives the same pseudonyms.
			old := w.svc.Keys.Current().ID()
			if err := w.svc.Keys.Rotate(rand.Reader); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.RewrapKeys(ctx, service.CommandLine()); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.Keys.Remove(old); err != nil {
				t.Fatal(err)
			}
			r4, err := w.svc.ReleaseExtract(ctx, dpo, p.ID, "After the key rotation")
			if err != nil {
				t.Fatal(err)
			}
			_, z4, err := w.svc.DownloadExtract(ctx, ev, r4.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c4 := firstCell(t, z4, "cases.csv"); c4 != c1 {
				t.Errorf("after a key rotation the case pseudonym is %s, was %s", c4, c1)
			}

			// Withdrawn: nothing more leaves.
			wantCode(t, w.svc.WithdrawProject(ctx, nat, p.ID, ""), drive.EINVALID)
			if err := w.svc.WithdrawProject(ctx, nat, p.ID, "Agreement ended early"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.svc.DownloadExtract(ctx, ev, r1.ID); drive.ErrorCode(err) != drive.ECONFLICT {
				t.Errorf("download after withdrawal: %v, want conflict", err)
			}

			counts := map[string]int{}
			for _, e := range w.events(t, start) {
				counts[e.Action]++
			}
			want := map[string]int{service.ActionProjectCreate: 2, service.ActionProjectApprove: 2, service.ActionExtractRelease: 4,
				service.ActionExtractDownload: 4, service.ActionProjectWithdraw: 1}
			for action, n := range want {
				if counts[action] != n {
					t.Errorf("%d %s events, want %d (all: %v)", counts[action], action, n, counts)
				}
			}
		})
	}
}
