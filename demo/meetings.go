package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/service"
)

// The demo's multi-agency meetings. Each site has a Drive panel and a
// MARAC, each with three meetings held in the three months before the
// reference date (agenda published, partners admitted, information
// shared on a lawful basis, decisions, actions owned by the partner
// agencies, minutes published), and a MARAC published for the coming
// week that the site's partners are invited to but have not yet joined:
// a partner signing in sees it and its confidentiality statement, and its
// cases open once they accept.
//
// Everything goes through the meeting use cases, each call made by the
// person who would make it (the panel coordinator, or the partner for
// their agency) and dated, with Service.Backdated, when it would have
// happened. The held meetings are dated from the reference date, like
// the casework they hear, so the same seed gives the same record whenever
// the demo is built; only the coming meeting is dated from the clock,
// since partners see a meeting only until a week after it.

// PartnerAgencies are the agencies each demo site has one partner user
// for, in the order the demo invites them: their usernames are the site
// code and the agency (PartnerUsername).
func PartnerAgencies() []string { return []string{"police", "childrens", "probation", "housing"} }

// PartnerUsername is the username of a site's partner user for one of
// PartnerAgencies: "nmr.police", "svv.housing".
func PartnerUsername(siteCode, agency string) string { return strings.ToLower(siteCode) + "." + agency }

// Days before the reference date the held meetings took place: every
// fourth Tuesday for the panel, every fourth Thursday for the MARAC (the
// reference date is a Sunday). The last ones closed to partners (a week
// after the meeting) before the reference date.
func panelDaysAgo() []int { return []int{82, 54, 26} }
func maracDaysAgo() []int { return []int{73, 45, 17} }

// Cases heard at each MARAC; one of them comes back at the next.
const maracItems = 5

// meetingSite is what one site's meetings are made from, read while
// seeding.
type meetingSite struct {
	site        account.Site
	leader      *account.User
	coordinator *account.User
	// partners are the site's partner users in PartnerAgencies order.
	partners []*account.User
	cases    []*casework.Case // the site's cases, in referral order
	// counter cycles owners, texts and outcomes across the site's
	// meetings, so each agency has some of each; held counts the
	// meetings held.
	counter, held int
}

// planMeetings reads, while seeding, who runs and attends each site's
// meetings and the cases they may hear.
func (g *generator) planMeetings(ctx context.Context) error {
	users, err := g.sd.Users(ctx)
	if err != nil {
		return err
	}
	orgs, err := g.sd.Organisations(ctx)
	if err != nil {
		return err
	}
	kind := map[int64]account.OrgKind{}
	for _, o := range orgs {
		kind[o.ID] = o.Kind
	}
	cases, err := g.sd.AllCases(ctx, ReferenceDate())
	if err != nil {
		return err
	}
	for _, site := range g.res.Sites {
		ms := &meetingSite{site: site, partners: make([]*account.User, len(PartnerAgencies()))}
		for _, u := range users {
			for _, r := range u.Roles {
				if r.SiteID != site.ID {
					continue
				}
				switch r.Role {
				case access.TeamLeader:
					if ms.leader == nil && kind[u.OrganisationID] == account.Provider {
						ms.leader = u
					}
				case access.PanelCoordinator:
					if ms.coordinator == nil {
						ms.coordinator = u
					}
				case access.Partner:
					for i, agency := range PartnerAgencies() {
						if u.Username == PartnerUsername(site.Code, agency) {
							ms.partners[i] = u
						}
					}
				}
			}
		}
		if ms.leader == nil || ms.coordinator == nil {
			return fmt.Errorf("demo meetings: site %s has no team leader or panel coordinator", site.Code)
		}
		for i, p := range ms.partners {
			if p == nil {
				return fmt.Errorf("demo meetings: site %s has no %s partner", site.Code, PartnerAgencies()[i])
			}
		}
		for _, c := range cases {
			if c.SiteID == site.ID {
				ms.cases = append(ms.cases, c)
			}
		}
		g.meetingSites = append(g.meetingSites, ms)
	}
	return nil
}

// meetings writes each site's series and meetings through the service.
func (g *generator) meetings(ctx context.Context) error {
	for _, ms := range g.meetingSites {
		if err := g.siteMeetings(ctx, ms); err != nil {
			return fmt.Errorf("demo meetings at %s: %w", ms.site.Code, err)
		}
	}
	g.meetingSites = nil
	return nil
}

func (g *generator) siteMeetings(ctx context.Context, ms *meetingSite) error {
	ref := ReferenceDate()
	coord := actorOf(ms.coordinator)
	var agencies []int64
	for _, p := range ms.partners {
		agencies = append(agencies, p.OrganisationID)
	}
	panel := &meeting.Series{SiteID: ms.site.ID, Kind: meeting.DrivePanel, Name: ms.site.Name + " Drive panel",
		Schedule: "Every fourth Tuesday, 14:00", ChairID: ms.leader.ID, CoordinatorID: ms.coordinator.ID,
		Venue: "Meeting Room 1, " + ms.site.Name + " Drive Service", AgencyIDs: agencies,
		MinutesPerItem: 15, AccessDays: meeting.DefaultAccessDays}
	marac := &meeting.Series{SiteID: ms.site.ID, Kind: meeting.MARAC, Name: ms.site.Name + " MARAC",
		Schedule: "Every fourth Thursday, 10:00", ChairID: ms.leader.ID, CoordinatorID: ms.coordinator.ID,
		CallLink: "https://meet.example.org/" + strings.ToLower(ms.site.Code) + "-marac", AgencyIDs: agencies,
		MinutesPerItem: meeting.DefaultMinutesPerItem, AccessDays: meeting.DefaultAccessDays}
	for _, x := range []*meeting.Series{panel, marac} {
		svc, err := g.svc.Backdated(at(ref.AddDays(-100), 9, 0))
		if err != nil {
			return err
		}
		if err := svc.CreateSeries(ctx, coord, x); err != nil {
			return err
		}
	}
	for _, ago := range panelDaysAgo() {
		held := ref.AddDays(-ago)
		if err := g.heldMeeting(ctx, ms, panel, held, "14:00", panelItems(ms, held)); err != nil {
			return err
		}
	}
	pool := maracPool(ms, ref.AddDays(-maracDaysAgo()[0]-7))
	for k, ago := range maracDaysAgo() {
		held := ref.AddDays(-ago)
		var items []heard
		for j := 0; j < maracItems && len(pool) > 0; j++ {
			c := pool[(k*(maracItems-1)+j)%len(pool)]
			items = append(items, heard{c: c, decision: meeting.ActionsAgreed,
				reasons: maracReasons()[(k+j)%len(maracReasons())], actions: 2})
		}
		if err := g.heldMeeting(ctx, ms, marac, held, "10:00", items); err != nil {
			return err
		}
	}
	return g.comingMeeting(ctx, ms, marac, pool)
}

// heard is a case heard at a held meeting, with what was decided and how
// many actions the agencies took on.
type heard struct {
	c        *casework.Case
	decision meeting.Decision
	reasons  string
	actions  int
}

// panelItems are the cases the Drive panel decided on held: those whose
// decision the casework records in the fortnight from the meeting,
// accepted or declined as it records.
func panelItems(ms *meetingSite, held drive.Date) []heard {
	var out []heard
	for _, c := range ms.cases {
		if c.DecidedAt == nil || c.ReferredAt.After(held) || c.State == casework.Referred || c.Programme != "drive" {
			continue
		}
		if d := drive.DateOf(*c.DecidedAt); d.Before(held) || !d.Before(held.AddDays(14)) {
			continue
		}
		h := heard{c: c, decision: meeting.Accept, reasons: c.DecisionReasons}
		if c.State == casework.Declined {
			h.decision = meeting.Decline
		} else if c.State.Open() && c.State != casework.Transferred {
			h.actions = 1
		}
		if strings.TrimSpace(h.reasons) == "" {
			h.reasons = map[meeting.Decision]string{
				meeting.Accept:  "Meets the Drive criteria: high risk and a pattern across more than one relationship. Accepted for allocation.",
				meeting.Decline: "Does not meet the criteria at present; the MARAC keeps the safety planning.",
			}[h.decision]
		}
		out = append(out, h)
		if len(out) == 6 {
			break
		}
	}
	return out
}

// maracPool is the open Drive cases referred by before that a MARAC
// hears, the most recent referrals first.
func maracPool(ms *meetingSite, before drive.Date) []*casework.Case {
	var out []*casework.Case
	for i := len(ms.cases) - 1; i >= 0; i-- {
		c := ms.cases[i]
		if c.Programme == "drive" && c.State.Open() && c.State != casework.Transferred && !c.ReferredAt.After(before) {
			out = append(out, c)
		}
	}
	return out
}

// at is a time of day on a date.
func at(d drive.Date, hour, minute int) time.Time {
	return d.Time().Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// heldMeeting runs one meeting from scheduling to published minutes, each
// step on the day it happened, and the partners' reports on their actions
// afterwards.
func (g *generator) heldMeeting(ctx context.Context, ms *meetingSite, x *meeting.Series, held drive.Date, starts string, items []heard) error {
	if len(items) == 0 {
		return nil
	}
	coord := actorOf(ms.coordinator)
	on := g.svc.Backdated
	svc, err := on(at(held.AddDays(-12), 9, 30))
	if err != nil {
		return err
	}
	id, err := svc.ScheduleMeeting(ctx, coord, x.ID, held, starts)
	if err != nil {
		return err
	}
	var ids []int64
	for _, h := range items {
		ids = append(ids, h.c.ID)
	}
	if err := svc.AddToAgenda(ctx, coord, id, ids); err != nil {
		return err
	}
	for _, p := range ms.partners {
		if err := svc.Invite(ctx, coord, id, meeting.Attendee{UserID: p.ID}); err != nil {
			return err
		}
	}
	if svc, err = on(at(held.AddDays(-7), 16, 0)); err != nil {
		return err
	}
	if err := svc.PublishAgenda(ctx, coord, id); err != nil {
		return err
	}
	// The partners accept the statement as the meeting opens and share
	// what their agency knows of the cases.
	if svc, err = on(at(held, 9, 55)); err != nil {
		return err
	}
	for _, p := range ms.partners {
		if err := svc.AcceptConfidentiality(ctx, actorOf(p), id); err != nil {
			return err
		}
	}
	v, err := svc.Meeting(ctx, coord, id)
	if err != nil {
		return err
	}
	itemOf := map[int64]int64{}
	for _, it := range v.Items {
		if it.Kind == meeting.CaseItem {
			itemOf[it.CaseID] = it.ID
		}
	}
	if svc, err = on(at(held, 10, 30)); err != nil {
		return err
	}
	for i, h := range items {
		for j, p := range ms.partners {
			if (i+j)%2 == 1 {
				continue // not every agency knows every case
			}
			n := ms.counter + i + j
			texts := shareTexts(PartnerAgencies()[j])
			sh := &meeting.Share{Basis: shareBases()[n%len(shareBases())], VictimTold: n%3 != 0, Text: texts[n%len(texts)]}
			if err := svc.RecordShare(ctx, actorOf(p), id, itemOf[h.c.ID], sh); err != nil {
				return err
			}
		}
	}
	// Everyone came, but at every other meeting one agency sent its
	// information instead.
	ms.held++
	for _, att := range v.Attendees {
		status := meeting.Present
		if ms.held%2 == 0 && att.UserID == ms.partners[(ms.held/2)%len(ms.partners)].ID {
			status = meeting.InformationSent
		}
		if err := svc.RecordAttendance(ctx, coord, id, att.ID, status); err != nil {
			return err
		}
	}
	var agreed []*casework.Action
	var owners []int
	for _, h := range items {
		if err := svc.DecideItem(ctx, coord, id, itemOf[h.c.ID], h.decision, h.reasons); err != nil {
			return err
		}
		for k := 0; k < h.actions; k++ {
			a := ms.counter % len(ms.partners)
			ms.counter++
			agency := PartnerAgencies()[a]
			types := actionTypes(agency)
			act := &casework.Action{Type: types[ms.counter%len(types)], OrganisationID: ms.partners[a].OrganisationID,
				Owner: actionOwner(agency), DueOn: held.AddDays(21 + 7*(ms.counter%2))}
			if err := svc.AgreeAction(ctx, coord, id, itemOf[h.c.ID], act); err != nil {
				return err
			}
			agreed, owners = append(agreed, act), append(owners, a)
		}
	}
	if svc, err = on(at(held.AddDays(1), 15, 0)); err != nil {
		return err
	}
	if err := svc.PublishMinutes(ctx, coord, id); err != nil {
		return err
	}
	return g.reports(ctx, ms, agreed, owners)
}

// reports has each owning agency report on the actions a meeting gave it,
// as of the reference date: of those already due, some done, some not
// possible, some left open (overdue), some in progress; of those not yet
// due, some in progress and the rest open.
func (g *generator) reports(ctx context.Context, ms *meetingSite, acts []*casework.Action, owners []int) error {
	ref := ReferenceDate()
	for i, act := range acts {
		agency := PartnerAgencies()[owners[i]]
		var rep service.ActionReport
		var when drive.Date
		switch due := act.DueOn.Before(ref); {
		case due && i%4 == 0:
			rep, when = service.ActionReport{Status: casework.ActionDone, Outcome: doneOutcome(agency)}, act.DueOn.AddDays(-3)
		case due && i%4 == 1:
			rep, when = service.ActionReport{Status: casework.ActionNotPossible, Outcome: notPossibleOutcome(agency)}, act.DueOn.AddDays(-5)
		case i%4 == 3 || (!due && i%3 == 0):
			rep, when = service.ActionReport{Status: casework.ActionInProgress, Outcome: "Under way; the agency will update the next meeting."}, act.DueOn.AddDays(-14)
		default:
			continue // not reported: open, and overdue once its date passes
		}
		if when.After(ref) {
			when = ref
		}
		rep.ReportedOn = when
		svc, err := g.svc.Backdated(at(when, 14, 0))
		if err != nil {
			return err
		}
		if err := svc.ReportAction(ctx, actorOf(ms.partners[owners[i]]), act.ID, rep); err != nil {
			return err
		}
	}
	return nil
}

// comingMeeting publishes the MARAC for the coming week, dated from the
// clock so partners signing in now see it: the cases after the last
// MARAC's in the pool, one of them heard there (a repeat), with every
// partner invited and none of them yet admitted.
func (g *generator) comingMeeting(ctx context.Context, ms *meetingSite, x *meeting.Series, pool []*casework.Case) error {
	if len(pool) == 0 {
		return nil
	}
	coord := actorOf(ms.coordinator)
	today := g.svc.Today()
	held := today.AddDays(5)
	for held.Time().Weekday() != time.Thursday {
		held = held.AddDays(1)
	}
	id, err := g.svc.ScheduleMeeting(ctx, coord, x.ID, held, "10:00")
	if err != nil {
		return err
	}
	var ids []int64
	first := len(maracDaysAgo()) * (maracItems - 1)
	for j := 0; j < maracItems+1 && j < len(pool); j++ {
		ids = append(ids, pool[(first+j)%len(pool)].ID)
	}
	if err := g.svc.AddToAgenda(ctx, coord, id, ids); err != nil {
		return err
	}
	for _, p := range ms.partners {
		if err := g.svc.Invite(ctx, coord, id, meeting.Attendee{UserID: p.ID}); err != nil {
			return err
		}
	}
	return g.svc.PublishAgenda(ctx, coord, id)
}

// What the demo's meetings say. None of it names a place or a way to
// reach anyone: the barrier would hold such a share back, and the demo
// shows the ordinary case.

func shareBases() []meeting.LawfulBasis {
	return []meeting.LawfulBasis{meeting.LegitimateInterests, meeting.PublicTask, meeting.VitalInterests,
		meeting.LegalObligation, meeting.PublicTask, meeting.Consent}
}

// shareTexts are what each agency shares about a case.
func shareTexts(agency string) []string {
	return map[string][]string{
		"police": {
			"Two call-outs to the household since the last hearing; no arrest. Bail conditions remain in place until the trial.",
			"One new report of harassment by text message; under investigation. He has a previous DVPO, now expired.",
			"Intelligence suggests contact with the victim-survivor against his bail conditions; officers will visit him this week.",
			"No new incidents since the last hearing. Clare's Law disclosure made to his new partner last month.",
		},
		"childrens": {
			"Two children subject to a child protection plan; the next review conference is in four weeks.",
			"Child in need plan in place; school reports better attendance and no new concerns.",
			"Strategy discussion held after the last incident; assessment under way and due to finish within 45 days.",
			"No children's social care involvement at present; checks made, nothing further known.",
		},
		"probation": {
			"On licence until next spring; reporting weekly and has attended every appointment.",
			"Missed two appointments this month; a formal warning has been issued.",
			"Completed the first block of his accredited programme; the offender manager reports low motivation.",
			"Not known to probation; no current orders.",
		},
		"housing": {
			"Sole tenant; a warning letter was issued after reports of shouting and damage.",
			"Rent arrears and an open anti-social behaviour case; a tenancy review is booked.",
			"No housing involvement known; the landlords' check came back with nothing.",
			"Applied to move within the housing register; the application is on hold while the risk is reviewed.",
		},
	}[agency]
}

func maracReasons() []string {
	return []string{
		"Risk remains high. Actions agreed across the agencies; reviewed at the next meeting.",
		"Escalating pattern since the last hearing: actions agreed to disrupt contact and to support the children.",
		"Risk reduced since the last hearing but not yet safe to close; actions agreed to keep the pressure on.",
	}
}

// actionTypes are the Drive catalogue's actions each agency owns.
func actionTypes(agency string) []string {
	return map[string][]string{
		"police":    {"dvpn-dvpo", "bail-review", "clares-law", "dapo", "warrant-enforcement"},
		"childrens": {"child-protection", "parenting"},
		"probation": {"licence-review"},
		"housing":   {"tenancy-enforcement", "housing-referral"},
	}[agency]
}

func actionOwner(agency string) string {
	return map[string]string{
		"police":    "Detective sergeant, domestic abuse unit",
		"childrens": "Allocated social worker",
		"probation": "Offender manager",
		"housing":   "Tenancy enforcement officer",
	}[agency]
}

func doneOutcome(agency string) string {
	return map[string]string{
		"police":    "Done: application made and granted; the conditions were served on him in person.",
		"childrens": "Done: strategy meeting held and the plan reviewed; the children are seen weekly.",
		"probation": "Done: licence conditions reviewed; non-contact and exclusion conditions added.",
		"housing":   "Done: warning issued and the tenancy conditions explained to him; no further reports since.",
	}[agency]
}

func notPossibleOutcome(agency string) string {
	return map[string]string{
		"police":    "Not possible: there was not enough evidence to apply once the investigation closed.",
		"childrens": "Not possible: the threshold for a plan was not met at the strategy meeting; early help offered instead.",
		"probation": "Not possible: his licence ended before the review could take place.",
		"housing":   "Not possible: he gave up the tenancy before enforcement began.",
	}[agency]
}
