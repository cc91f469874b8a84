package service_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// movable is a clock a test can move.
type movable struct{ t atomic.Int64 }

func (m *movable) now() time.Time     { return time.Unix(0, m.t.Load()).UTC() }
func (m *movable) set(t time.Time)    { m.t.Store(t.UnixNano()) }
func newMovable(t time.Time) *movable { m := &movable{}; m.set(t); return m }

// meetingWorld adds to the fixture a police force with a partner at site
// A ("pc") and one at site B ("pcB"), and a MARAC series at site A run by
// the team leader.
func meetingWorld(t *testing.T, e storetest.Engine, clock *movable) (*world, *meeting.Series, *account.Organisation) {
	t.Helper()
	w := newWorldAt(t, e, clock.now)
	ctx := context.Background()
	police := &account.Organisation{Name: "Northmoor Police", Kind: account.PoliceForce, SiteIDs: []int64{w.siteA.ID, w.siteB.ID}}
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, police); err != nil {
			return err
		}
		for name, site := range map[string]int64{"pc": w.siteA.ID, "pcB": w.siteB.ID} {
			u := &account.User{Username: "user." + strings.ToLower(name), DisplayName: "Officer " + name, OrganisationID: police.ID,
				PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: access.Partner, SiteID: site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			w.users[name] = u
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	x := &meeting.Series{SiteID: w.siteA.ID, Kind: meeting.MARAC, Name: "Northmoor MARAC", Schedule: "Every other Tuesday, 10:00",
		ChairID: w.users["lead"].ID, CoordinatorID: w.users["lead"].ID, Venue: "Room 2, Civic Centre", AgencyIDs: []int64{police.ID},
		AccessDays: 7}
	if err := w.svc.CreateSeries(ctx, w.actor(t, "lead"), x); err != nil {
		t.Fatal(err)
	}
	return w, x, police
}

func TestMeetingFromAgendaToMinutes(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clock := newMovable(now)
			w, x, police := meetingWorld(t, e, clock)
			lead, pc, pcB, cm, idva := w.actor(t, "lead"), w.actor(t, "pc"), w.actor(t, "pcB"), w.actor(t, "cm"), w.actor(t, "idva")
			heldOn := drive.DateOf(now).AddDays(7)

			// Only coordinators schedule.
			if _, err := w.svc.ScheduleMeeting(ctx, pc, x.ID, heldOn, "10:00"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner scheduling: %v; want not found", err)
			}
			id, err := w.svc.ScheduleMeeting(ctx, lead, x.ID, heldOn, "10:00")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.ScheduleMeeting(ctx, lead, x.ID, drive.DateOf(now).AddDays(-1), "10:00"); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("meeting in the past: %v; want invalid", err)
			}

			// A review due by the meeting makes the active case a candidate.
			err = w.db.Transact(ctx, func(tx *store.Tx) error {
				c, err := tx.Case(ctx, w.caseID)
				if err != nil {
					return err
				}
				c.NextReviewDue = heldOn.AddDays(-1)
				return tx.UpdateCase(ctx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
			cands, err := w.svc.AgendaCandidates(ctx, lead, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(cands) != 1 || cands[0].CaseID != w.caseID || !strings.Contains(reasons(cands[0].Reasons), "review_due") {
				t.Fatalf("candidates %+v; want the case, review due", cands)
			}
			if err := w.svc.AddToAgenda(ctx, lead, id, []int64{w.caseID}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.Invite(ctx, lead, id, meeting.Attendee{UserID: w.users["pc"].ID}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.Invite(ctx, lead, id, meeting.Attendee{UserID: w.users["idva"].ID}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.Invite(ctx, lead, id, meeting.Attendee{OrganisationID: police.ID, Name: "Pat Probation"}); err != nil {
				t.Fatal(err)
			}

			// Before publication: the partner sees neither meeting nor case.
			if _, err := w.svc.Meeting(ctx, pc, id); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner, draft meeting: %v; want not found", err)
			}
			if _, err := w.svc.Case(ctx, pc, w.caseID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner, case before publication: %v; want not found", err)
			}
			if err := w.svc.PublishAgenda(ctx, lead, id); err != nil {
				t.Fatal(err)
			}
			ns, err := w.svc.Notifications(ctx, pc, true)
			if err != nil || len(ns) != 1 || ns[0].Href() != "/meetings/"+itoa(id) {
				t.Fatalf("partner's notifications %+v, %v; want one linking to the meeting", ns, err)
			}

			// Published, confidentiality not yet accepted: the meeting
			// shows, its case does not open.
			v, err := w.svc.Meeting(ctx, pc, id)
			if err != nil {
				t.Fatal(err)
			}
			if v.Admitted || caseItem(v).Open || caseItem(v).PersonName != "" {
				t.Fatalf("before accepting the statement the partner sees %+v", caseItem(v))
			}
			if _, err := w.svc.Case(ctx, pc, w.caseID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner, case before accepting: %v; want not found", err)
			}
			if err := w.svc.AcceptConfidentiality(ctx, pcB, id); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("uninvited partner accepting: %v; want not found", err)
			}
			if err := w.svc.AcceptConfidentiality(ctx, pc, id); err != nil {
				t.Fatal(err)
			}
			before := w.head(t)
			if v, err = w.svc.Meeting(ctx, pc, id); err != nil || !caseItem(v).Open || caseItem(v).PersonName != "Darren Hollis" {
				t.Fatalf("admitted partner's item %+v, %v", caseItem(v), err)
			}
			if !hasEvent(w.events(t, before), "record.read", "case", "on the agenda of meeting "+itoa(id)) {
				t.Fatalf("the partner's read of the case is not recorded under the meeting:\n%s", summary(w.events(t, before)))
			}
			before = w.head(t)
			cv, err := w.svc.Case(ctx, pc, w.caseID)
			if err != nil {
				t.Fatalf("admitted partner opening the case: %v", err)
			}
			if !hasEvent(w.events(t, before), "record.read", "case", "under meeting "+itoa(id)) {
				t.Fatalf("the partner's case page read is not recorded under the meeting:\n%s", summary(w.events(t, before)))
			}
			if cv.CanReadNotes || cv.CanWrite {
				t.Fatalf("partner reads notes %v, writes %v; want neither", cv.CanReadNotes, cv.CanWrite)
			}
			if _, err := w.svc.Case(ctx, pcB, w.caseID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("uninvited partner: %v; want not found", err)
			}

			// The partner shares for their agency; a share naming where she
			// lives is held back from everyone but its author and her IDVA.
			// Each changes the case, audited with the part, never the words.
			shared := w.head(t)
			if err := w.svc.RecordShare(ctx, pc, id, caseItem(v).ID, &meeting.Share{Basis: meeting.LegitimateInterests,
				Text: "Two call-outs this month; bail conditions breached."}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RecordShare(ctx, pc, id, caseItem(v).ID, &meeting.Share{Basis: meeting.PublicTask,
				Text: "Seen outside " + herStreet + " twice"}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RecordShare(ctx, pc, id, caseItem(v).ID, &meeting.Share{Basis: "gossip", Text: "x"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("share without a lawful basis: %v; want invalid", err)
			}
			if es := w.events(t, shared); !hasEvent(es, "record.write", "case", "information shared at meeting "+itoa(id)+"; "+audit.Part(audit.PartSharedAtMeeting)) ||
				strings.Contains(eventLines(es), "call-outs") || strings.Contains(eventLines(es), herStreet) {
				t.Fatalf("the shares are not audited on the case by their part alone:\n%s", eventLines(es))
			}
			cmView, err := w.svc.Meeting(ctx, cm, id)
			if err != nil {
				t.Fatal(err)
			}
			shares := caseItem(cmView).Shares
			if len(shares) != 2 || shares[0].OrganisationID != police.ID || strings.Contains(shares[1].Text, herStreet) {
				t.Fatalf("case manager sees shares %+v; want two police shares, the second withheld", shares)
			}

			// Decisions and actions are the coordinator's.
			item := caseItem(v).ID
			if err := w.svc.DecideItem(ctx, pc, id, item, meeting.ActionsAgreed, "x"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner deciding: %v; want not found", err)
			}
			if err := w.svc.DecideItem(ctx, lead, id, item, meeting.Accept, "x"); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("a MARAC accepting to Drive: %v; want invalid", err)
			}
			if err := w.svc.PublishMinutes(ctx, lead, id); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("minutes before the meeting: %v; want invalid", err)
			}
			if err := w.svc.DecideItem(ctx, lead, id, item, meeting.ActionsAgreed, "Police to enforce bail; IDVA to review safety plan."); err != nil {
				t.Fatal(err)
			}
			act := &casework.Action{Type: "bail-review", OrganisationID: police.ID, Owner: "DS Example", DueOn: heldOn.AddDays(14)}
			agreed := w.head(t)
			if err := w.svc.AgreeAction(ctx, lead, id, item, act); err != nil {
				t.Fatal(err)
			}
			if es := w.events(t, agreed); !hasEvent(es, "record.write", "case", "action agreed at meeting "+itoa(id)+"; "+audit.Part(audit.PartPlan)) ||
				strings.Contains(eventLines(es), "DS Example") {
				t.Fatalf("the agreed action is not audited on the case by its part alone:\n%s", eventLines(es))
			}
			acts, err := w.svc.AgencyActions(ctx, pc, false)
			if err != nil || len(acts) != 1 || acts[0].ID != act.ID || acts[0].PersonName != "Darren Hollis" {
				t.Fatalf("police actions %+v, %v; want the one agreed", acts, err)
			}
			if acts, err := w.svc.AgencyActions(ctx, cm, false); err != nil || len(acts) != 0 {
				t.Fatalf("provider's agency actions %+v, %v; want none", acts, err)
			}

			// The meeting is held; its minutes are published.
			clock.set(heldOn.Time().Add(15 * time.Hour))
			held := w.head(t)
			if err := w.svc.PublishMinutes(ctx, lead, id); err != nil {
				t.Fatal(err)
			}
			if es := w.events(t, held); !hasEvent(es, "record.write", "case", "heard at meeting "+itoa(id)+"; "+audit.Part(audit.PartMARACHearing)) {
				t.Fatalf("the hearing is not audited on the case:\n%s", eventLines(es))
			}
			if c, err := w.svc.Case(ctx, lead, w.caseID); err != nil || c.Case.Evidence.LastMARAC != heldOn {
				t.Fatalf("the hearing is not on the case: %v", err)
			}
			// The share's author sees their own words (the barrier never
			// tells a writer anything); every other reader outside her IDVA
			// service gets a copy without them.
			for _, who := range []service.Actor{cm, lead} {
				b, _, err := w.svc.MinutesPDF(ctx, who, id)
				if err != nil {
					t.Fatal(err)
				}
				text, err := pdf.Text(b)
				if err != nil {
					t.Fatal(err)
				}
				flat := strings.ReplaceAll(text, "\n", " ")
				for _, secret := range []string{herStreet, herPostcode, herPhone, "Canaryline"} {
					if strings.Contains(flat, secret) || strings.Contains(text, secret) {
						t.Fatalf("minutes for user %d show %q:\n%s", who.UserID, secret, text)
					}
				}
				if !strings.Contains(flat, "RESTRICTED") || !strings.Contains(flat, "Darren Hollis") {
					t.Fatalf("minutes lack the marking or the case:\n%s", text)
				}
			}
			if err := w.svc.AcceptConfidentiality(ctx, idva, id); err != nil {
				t.Fatal(err)
			}
			b, _, err := w.svc.MinutesPDF(ctx, idva, id)
			if err != nil {
				t.Fatal(err)
			}
			if text, _ := pdf.Text(b); !strings.Contains(strings.ReplaceAll(text, "\n", " "), herStreet) || !strings.Contains(text, "IDVA copy") {
				t.Fatalf("her IDVA's copy lacks her safety information:\n%s", text)
			}
			tp, _, err := w.svc.TransferPackPDF(ctx, cm, w.caseID)
			if err != nil {
				t.Fatal(err)
			}
			if text, _ := pdf.Text(tp); strings.Contains(strings.ReplaceAll(text, "\n", " "), herStreet) || !strings.Contains(text, "Northmoor MARAC") {
				t.Fatalf("case manager's transfer pack:\n%s", text)
			}

			// Between meetings the partner reports on the action; a partner
			// of another site cannot.
			rep := service.ActionReport{Status: casework.ActionNotPossible, Outcome: "He moved out of the force area."}
			if err := w.svc.ReportAction(ctx, pcB, act.ID, rep); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("other site's partner reporting: %v; want not found", err)
			}
			if err := w.svc.ReportAction(ctx, pc, act.ID, service.ActionReport{Status: casework.ActionNotPossible}); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("not possible without saying why: %v; want invalid", err)
			}
			if err := w.svc.ReportAction(ctx, pc, act.ID, rep); err != nil {
				t.Fatal(err)
			}

			// After the access window the case is "not found" again, and so
			// is the meeting; the agency's actions stay theirs.
			clock.set(heldOn.AddDays(x.AccessDays + 1).Time().Add(9 * time.Hour))
			if _, err := w.svc.Case(ctx, pc, w.caseID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner after the window: %v; want not found", err)
			}
			if _, err := w.svc.Meeting(ctx, pc, id); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner's meeting after the window: %v; want not found", err)
			}
			if acts, err := w.svc.AgencyActions(ctx, pc, true); err != nil || len(acts) != 1 || acts[0].Status != casework.ActionNotPossible {
				t.Fatalf("police actions after the window %+v, %v", acts, err)
			}

			// The quarter's data return counts the meeting and its case,
			// the case suppressed as a small number.
			q := meeting.Quarter{Year: heldOn.Year, Q: (int(heldOn.Month)-1)/3 + 1}
			ret, err := w.svc.MARACDataReturn(ctx, lead, w.siteA.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range ret.Figures {
				got[f.Code] = f.Cell.String()
			}
			if got["meetings_held"] != "1" || got["cases_heard"] != "[c]" {
				t.Fatalf("data return %v", got)
			}
			if len(ret.Notes) == 0 || !strings.Contains(strings.Join(ret.Notes, " "), "population is not configured") {
				t.Fatalf("notes %v; want the population's absence explained", ret.Notes)
			}
			if err := w.svc.SetAdultFemalePopulation(ctx, lead, w.siteA.ID, 400000); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a team leader setting the site's population: %v; want not found", err)
			}
			if err := w.svc.SetAdultFemalePopulation(ctx, service.CommandLine(), w.siteA.ID, 400000); err != nil {
				t.Fatal(err)
			}
			if ret, err = w.svc.MARACDataReturn(ctx, lead, w.siteA.ID, q); err != nil || strings.Contains(strings.Join(ret.Notes, " "), "not configured") {
				t.Fatalf("after the population was set: notes %v, %v", ret.Notes, err)
			}
			if _, err := w.svc.MARACDataReturn(ctx, pc, w.siteA.ID, q); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("partner asking for the return: %v; want not found", err)
			}
		})
	}
}

// TestDrivePanelDecisionMovesTheReferral: accepting a referral at a Drive
// panel accepts the case, as the case page would.
func TestDrivePanelDecisionMovesTheReferral(t *testing.T) {
	e := storetest.Engines(t)[0]
	ctx := context.Background()
	clock := newMovable(now)
	w, _, _ := meetingWorld(t, e, clock)
	lead := w.actor(t, "lead")
	x := &meeting.Series{SiteID: w.siteA.ID, Kind: meeting.DrivePanel, Name: "Drive panel", ChairID: w.users["lead"].ID,
		CoordinatorID: w.users["lead"].ID, CallLink: "https://meet.example.org/panel"}
	if err := w.svc.CreateSeries(ctx, lead, x); err != nil {
		t.Fatal(err)
	}
	var referral int64
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		c := &casework.Case{SiteID: w.siteA.ID, PersonID: w.personID, Programme: "drive", Source: casework.FromPoliceList,
			ReferredAt: drive.DateOf(now), Summary: "Top of the list"}
		c.Evidence.DASHScore, c.Evidence.IdentificationRank = 15, 2
		err := tx.CreateCase(ctx, c)
		referral = c.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := w.svc.ScheduleMeeting(ctx, lead, x.ID, drive.DateOf(now), "14:00")
	if err != nil {
		t.Fatal(err)
	}
	cands, err := w.svc.AgendaCandidates(ctx, lead, id)
	if err != nil || len(cands) != 1 || reasons(cands[0].Reasons) != "referral identification" {
		t.Fatalf("candidates %+v, %v; want the referral, awaiting decision and identified", cands, err)
	}
	if err := w.svc.AddToAgenda(ctx, lead, id, []int64{referral}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.PublishAgenda(ctx, lead, id); err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Meeting(ctx, lead, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := []meeting.ItemKind{v.Items[0].Kind, v.Items[1].Kind, v.Items[2].Kind, v.Items[3].Kind}; got[0] != meeting.Confidentiality || got[2] != meeting.CaseItem || got[3] != meeting.Anniversaries {
		t.Fatalf("agenda order %v", got)
	}
	if v.Minutes != 5+10+12+5 || v.Slots[2].Start != "14:15" {
		t.Fatalf("timetable: %d minutes, case at %s; want 32 and 14:15", v.Minutes, v.Slots[2].Start)
	}
	if err := w.svc.DecideItem(ctx, lead, id, caseItem(v).ID, meeting.Accept, "High risk; serial."); err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.Case(ctx, lead, referral)
	if err != nil || c.Case.State != casework.Accepted {
		t.Fatalf("referral after the panel accepted it: %v, %v", c.Case.State, err)
	}
	it := caseItemOf(t, w, lead, id)
	if !strings.Contains(it.Evidence, "DASH score 15") || !strings.Contains(it.Evidence, "Criteria met") {
		t.Fatalf("evidence as it stood: %q", it.Evidence)
	}
}

func caseItemOf(t *testing.T, w *world, a service.Actor, id int64) service.ItemView {
	t.Helper()
	v, err := w.svc.Meeting(context.Background(), a, id)
	if err != nil {
		t.Fatal(err)
	}
	return caseItem(v)
}

func caseItem(v *service.MeetingView) service.ItemView {
	for _, it := range v.Items {
		if it.Kind == meeting.CaseItem {
			return it
		}
	}
	return service.ItemView{}
}

func reasons(rs []meeting.Reason) string {
	var s []string
	for _, r := range rs {
		s = append(s, string(r))
	}
	return strings.Join(s, " ")
}

func hasEvent(es []audit.Event, action, recordType, reason string) bool {
	for _, e := range es {
		if e.Action == action && e.RecordType == recordType && strings.Contains(e.Reason, reason) {
			return true
		}
	}
	return false
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
