package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/schedule"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// heldCase stores an active case of prog at site A for the fixture's
// person, allocated to and started by cm at the given time, with no
// contact since.
func (w *world) heldCase(t *testing.T, prog string, at time.Time) int64 {
	t.Helper()
	var id int64
	err := w.db.Transact(context.Background(), func(tx *store.Tx) error {
		c := &casework.Case{SiteID: w.siteA.ID, PersonID: w.personID, Programme: prog, Source: casework.FromChildrensCare,
			ReferredAt: drive.DateOf(at), Summary: "Known to children's social care"}
		if err := tx.CreateCase(context.Background(), c); err != nil {
			return err
		}
		c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", w.users["lead"].ID, &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = w.users["cm"].ID, &at, &at
		id = c.ID
		return tx.UpdateCase(context.Background(), c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAssessmentSchedule: the fixture's case, started 21 weeks ago with
// its baseline assessed, has its mid-point overdue on the caseload, the
// team dashboard and her IDVA's list; DueAssessments names the day it fell
// due to the case manager (without her) and to her IDVA; a linked
// victim-survivor whose IDVA case closes puts the case on the team
// leader's list.
func TestAssessmentSchedule(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			cm, lead, idva := w.actor(t, "cm"), w.actor(t, "lead"), w.actor(t, "idva")
			today := drive.DateOf(now)
			started := now.AddDate(0, 0, -21*7)
			midpoint := drive.DateOf(started).AddDays(20 * 7)
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				c, err := tx.Case(ctx, w.caseID)
				if err != nil {
					return err
				}
				c.AllocatedAt, c.StartedAt = &started, &started
				return tx.UpdateCase(ctx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.svc.AddBehaviour(ctx, idva, w.victimID, &risk.BehaviourAssessment{CaseID: w.caseID, TimePoint: "T1",
				Physical: risk.Used, Sexual: risk.NotUsed, Stalking: risk.Used, Controlling: risk.Used, AssessedOn: drive.DateOf(started).AddDays(3)}); err != nil {
				t.Fatal(err)
			}

			cl, err := w.svc.MyCaseload(ctx, cm)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(cl.Rows, func(r service.CaseRow) bool { return r.Case.ID == w.caseID })
			if i < 0 {
				t.Fatalf("case %d not on the caseload", w.caseID)
			}
			st := cl.Rows[i].Assessments
			if !st.HasNext || st.Next.Code != "T2" || st.Next.Due != midpoint || !st.NextOverdue || st.Overdue != 1 {
				t.Errorf("caseload schedule = %+v; want T2 due %s, overdue, 1 overdue", st, midpoint)
			}
			if cl.OverdueAssessments != 1 {
				t.Errorf("caseload overdue assessments = %d; want 1", cl.OverdueAssessments)
			}

			dash, err := w.svc.Dashboard(ctx, lead, w.siteA.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ids := rowIDs(dash.AssessmentsOverdue); !slices.Equal(ids, []int64{w.caseID}) || dash.OverdueAssessments != 1 {
				t.Errorf("dashboard overdue assessments = %v (%d); want [%d] (1)", ids, dash.OverdueAssessments, w.caseID)
			}
			if len(dash.WithoutIDVA) != 0 {
				t.Errorf("without an IDVA = %v while her case is open with her IDVA", rowIDs(dash.WithoutIDVA))
			}
			// Another victim-survivor, open but with no IDVA allocated,
			// linked to another of his cases.
			unsupported := w.newCase(t)
			err = w.db.Transact(ctx, func(tx *store.Tx) error {
				v := &victim.Case{SiteID: w.siteA.ID, GivenName: "Jo", FamilyName: "Other", Gender: "female", Ethnicity: "not_known",
					SexualOrientation: "not_known", Disability: "not_known", Open: true, OpenedOn: today}
				if err := tx.CreateVictimCase(ctx, v); err != nil {
					return err
				}
				return tx.LinkVictim(ctx, victim.Link{VictimCaseID: v.ID, PerpetratorCase: unsupported, Relationship: victim.CurrentPartner})
			})
			if err != nil {
				t.Fatal(err)
			}
			if dash, err = w.svc.Dashboard(ctx, lead, w.siteA.ID); err != nil {
				t.Fatal(err)
			}
			if ids := rowIDs(dash.WithoutIDVA); !slices.Equal(ids, []int64{unsupported}) {
				t.Errorf("without an IDVA = %v; want [%d], whose victim-survivor has no IDVA", ids, unsupported)
			}

			rows, err := w.svc.Victims(ctx, idva, true)
			if err != nil {
				t.Fatal(err)
			}
			j := slices.IndexFunc(rows, func(r service.VictimRow) bool { return r.Case.ID == w.victimID })
			if j < 0 {
				t.Fatal("her case is not on her IDVA's list")
			}
			// Her DASH baseline falls due today (her case opened today) and
			// the mid-point behaviour assessment made with her is overdue.
			if st := rows[j].Assessments; st.Overdue != 1 || !st.HasNext || st.Next.Code != "T2" || st.Next.Kind != schedule.Behaviour {
				t.Errorf("her list's schedule = %+v; want the behaviour T2 overdue", st)
			}

			if _, err := w.svc.DueAssessments(ctx, cm, midpoint); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager asking for due assessments: %v; want not found", err)
			}
			due, err := w.svc.DueAssessments(ctx, service.System("notifications"), midpoint)
			if err != nil {
				t.Fatal(err)
			}
			want := []service.DueAssessment{
				{Kind: schedule.Behaviour, Code: "T2", Label: "Mid-point", Due: midpoint, UserID: w.users["cm"].ID, SiteID: w.siteA.ID, CaseID: w.caseID},
				{Kind: schedule.Behaviour, Code: "T2", Label: "Mid-point", Due: midpoint, UserID: w.users["idva"].ID, SiteID: w.siteA.ID, CaseID: w.caseID, VictimCaseID: w.victimID},
			}
			if !slices.Equal(due, want) {
				t.Errorf("due on %s:\n got %+v\nwant %+v", midpoint, due, want)
			}
			due, err = w.svc.DueAssessments(ctx, service.System("notifications"), today)
			if err != nil {
				t.Fatal(err)
			}
			// His other case started today: its baseline falls due for his
			// case manager (its victim-survivor has no IDVA to tell).
			want = []service.DueAssessment{
				{Kind: schedule.Behaviour, Code: "T1", Label: "Baseline", Due: today, UserID: w.users["cm"].ID, SiteID: w.siteA.ID, CaseID: unsupported},
				{Kind: schedule.DASH, Code: "T1", Label: "Baseline", Due: today, UserID: w.users["idva"].ID, SiteID: w.siteA.ID, VictimCaseID: w.victimID}}
			if !slices.Equal(due, want) {
				t.Errorf("due today:\n got %+v\nwant %+v", due, want)
			}
			if due, _ := w.svc.DueAssessments(ctx, service.System("notifications"), midpoint.AddDays(1)); len(due) != 0 {
				t.Errorf("due the day after = %+v; want nothing (it fell due once)", due)
			}
			seq := w.head(t)
			if _, err := w.svc.DueAssessments(ctx, service.System("notifications"), today); err != nil {
				t.Fatal(err)
			}
			if es := w.events(t, seq); len(es) != 1 || es[0].Action != "record.list" || es[0].ActorRole != "system" || es[0].Remote != "notifications" {
				t.Errorf("audit of the due list: %+v", es)
			}

			// The server raises them as notifications: once each, the case
			// manager's naming his case only, her IDVA's naming hers.
			sys := service.System("schedule")
			if _, err := w.svc.NotifyDueAssessments(ctx, cm, midpoint); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager raising due notifications: %v; want not found", err)
			}
			n, err := w.svc.NotifyDueAssessments(ctx, sys, midpoint)
			if err != nil || n != 2 {
				t.Fatalf("notified %d, %v; want 2", n, err)
			}
			if again, err := w.svc.NotifyDueAssessments(ctx, sys, midpoint); err != nil || again != 0 {
				t.Errorf("raising again: %d, %v; want nothing new", again, err)
			}
			cmNotes, err := w.svc.Notifications(ctx, cm, false)
			if err != nil || len(cmNotes) != 1 || cmNotes[0].Kind != service.KindAssessmentDue || cmNotes[0].CaseID != w.caseID || cmNotes[0].VictimCaseID != 0 ||
				!strings.Contains(cmNotes[0].Summary, "Mid-point (T2)") {
				t.Errorf("the case manager's notifications: %+v, %v", cmNotes, err)
			}
			idvaNotes, err := w.svc.Notifications(ctx, idva, false)
			if err != nil || len(idvaNotes) != 1 || idvaNotes[0].VictimCaseID != w.victimID || idvaNotes[0].CaseID != 0 {
				t.Errorf("her IDVA's notifications: %+v, %v", idvaNotes, err)
			}

			// Her IDVA case closes: the team leader sees his case flagged.
			if err := w.svc.UpdateVictimCase(ctx, idva, w.victimID, w.users["idva"].ID, false); err != nil {
				t.Fatal(err)
			}
			dash, err = w.svc.Dashboard(ctx, lead, w.siteA.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ids := rowIDs(dash.WithoutIDVA); !slices.Contains(ids, w.caseID) || !slices.Contains(ids, unsupported) || len(ids) != 2 {
				t.Errorf("without an IDVA = %v; want %d and %d", ids, w.caseID, unsupported)
			}
		})
	}
}

// TestRestartUsesItsOwnSettings: a Restart case is held to Restart's
// no-contact period (7 days, not Drive's 14) and counts against Restart's
// caseload limit (15, not Drive's 12), on the team dashboard and the case
// manager's own caseload.
func TestRestartUsesItsOwnSettings(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			cm, lead := w.actor(t, "cm"), w.actor(t, "lead")
			tenDaysAgo := now.AddDate(0, 0, -10)
			restart := w.heldCase(t, "restart", tenDaysAgo)
			drives := w.heldCase(t, "drive", tenDaysAgo)
			dash, err := w.svc.Dashboard(ctx, lead, w.siteA.ID)
			if err != nil {
				t.Fatal(err)
			}
			ids := rowIDs(dash.NoContact)
			if !slices.Contains(ids, restart) || slices.Contains(ids, drives) {
				t.Errorf("no contact = %v; want Restart case %d (7 days) and not Drive case %d (14 days)", ids, restart, drives)
			}
			// cm now holds two Drive cases and one Restart case; eleven more
			// Restart cases make fourteen in all: over Drive's limit of 12,
			// within the mix's (2/12 + 12/15 of a full caseload).
			for range 11 {
				w.heldCase(t, "restart", now)
			}
			cl, err := w.svc.MyCaseload(ctx, cm)
			if err != nil {
				t.Fatal(err)
			}
			if len(cl.Rows) != 14 || cl.Over || cl.Limit != 14*60/(2*5+12*4) {
				t.Errorf("caseload: %d cases, limit %d, over %v; want 14, %d, not over", len(cl.Rows), cl.Limit, cl.Over, 14*60/(2*5+12*4))
			}
			w.heldCase(t, "restart", now)
			cl, err = w.svc.MyCaseload(ctx, cm)
			if err != nil {
				t.Fatal(err)
			}
			if !cl.Over {
				t.Errorf("15 cases (2 Drive, 13 Restart): limit %d, not over; want over", cl.Limit)
			}
			dash, err = w.svc.Dashboard(ctx, lead, w.siteA.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range dash.Caseloads {
				if l.UserID == w.users["cm"].ID && (l.Open != 15 || !l.Over || l.Limit != cl.Limit) {
					t.Errorf("dashboard caseload %+v; want 15 open, over, limit %d", l, cl.Limit)
				}
			}
		})
	}
}
