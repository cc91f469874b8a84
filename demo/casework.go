package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
)

// ReferenceDate is the demo's "today": every referral, contact and review
// falls in the two years before it. It is a constant, not the clock, so
// the same seed gives the same cases whenever the demo is built.
func ReferenceDate() drive.Date { return drive.MustDate("2026-11-01") }

// demoWindow is how many days before the reference date referrals reach.
const demoWindow = 730

// siteStaff is who works at one demo site, as the casework needs them.
type siteStaff struct {
	site      account.Site
	other     account.Site // the site transfers go to
	leader    *account.User
	panel     *account.User
	managers  []*account.User
	drive     *programme.Programme
	restart   *programme.Programme
	towns     []string
	postcode  string
	openLoad  map[int64]int // case manager -> open cases planned at the reference date
	people    []*people.Person
	amendDone bool
}

// casework fills each site with a few hundred perpetrator cases over the
// two years before ReferenceDate: every state, engagement status, prong
// and referral source, with contacts, reviews, notes and a history entry
// for every state change. It records nothing about victim-survivors.
// Everything is seeded (Service.Seed) backdated to when it
// happened, so lists, timelines and dashboards read as they would on the
// reference date.
func (g *generator) casework(ctx context.Context) error {
	ref := ReferenceDate()
	if drive.DateOf(g.sd.Now()).Before(ref) {
		return drive.Errorf(drive.EINVALID, "the demo cases are dated up to %s, but the clock reads %s: set the clock right and try again", ref, drive.DateOf(g.sd.Now()))
	}
	users, err := g.sd.Users(ctx)
	if err != nil {
		return err
	}
	orgs, err := g.sd.Organisations(ctx)
	if err != nil {
		return err
	}
	orgKind := map[int64]account.OrgKind{}
	for _, o := range orgs {
		orgKind[o.ID] = o.Kind
	}
	var sites []*siteStaff
	for i, site := range g.res.Sites {
		s := &siteStaff{site: site, other: g.res.Sites[(i+1)%len(g.res.Sites)], openLoad: map[int64]int{}}
		s.towns, s.postcode = siteTowns(site.Code)
		for _, u := range users {
			for _, r := range u.Roles {
				if r.SiteID != site.ID {
					continue
				}
				switch {
				case r.Role == access.CaseManager:
					s.managers = append(s.managers, u)
				case r.Role == access.TeamLeader && s.leader == nil && orgKind[u.OrganisationID] == account.Provider:
					s.leader = u
				case r.Role == access.PanelCoordinator && s.panel == nil:
					s.panel = u
				}
			}
		}
		if s.leader == nil || s.panel == nil || len(s.managers) == 0 {
			return fmt.Errorf("demo site %s has no team leader, panel coordinator or case managers", site.Code)
		}
		if err := g.sd.AddProgrammes(ctx, site.ID); err != nil {
			return err
		}
		if s.drive, err = g.sd.Programme(ctx, site.ID, "drive"); err != nil {
			return err
		}
		if s.restart, err = g.sd.Programme(ctx, site.ID, "restart"); err != nil {
			return err
		}
		sites = append(sites, s)
	}
	byID := map[int64]*siteStaff{}
	for _, s := range sites {
		byID[s.site.ID] = s
	}
	for _, s := range sites {
		plans := g.planCases(s)
		for _, p := range plans {
			if err := g.writeCase(ctx, s, byID, p); err != nil {
				return err
			}
		}
		if err := g.duplicates(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func siteTowns(code string) ([]string, string) {
	switch code {
	case "NMR":
		return []string{"Northmoor", "Hollinbrook", "Ashcombe Bridge", "Fellside", "Wyrebank"}, "NM"
	case "SVV":
		return []string{"Severnvale", "Kingsmere", "Lydford Cross", "Upton Marsh", "Coldharbour"}, "SV"
	}
	return []string{"Eastwick"}, "EW"
}

// casePlan is one case decided before anything is written: its programme,
// where it stands on the reference date, and the events that took it
// there, oldest first.
type casePlan struct {
	prog     *programme.Programme
	target   casework.State
	manager  *account.User
	referred int // days before the reference date
	source   casework.Source
	events   []planEvent
	// engagement once work starts, and the day (days ago) it was known.
	engagement casework.Engagement
	// work is the span of direct work, in days ago: from start to end.
	workFrom, workTo int
	skipReview       bool
	quietFor         int // days with no contact before the reference date
	// he is the pronouns of the person referred, from the gender his
	// record holds, for the notes and contacts written about him.
	he pronouns
}

type planEvent struct {
	ago int // days before the reference date
	ev  casework.Event
	ch  casework.Change
}

// planCases decides a site's cases. Open cases are sized to the case
// managers' caseloads (a little over the limit for some, as real teams
// run), and the rest are referrals waiting, declined or closed.
func (g *generator) planCases(s *siteStaff) []*casePlan {
	r := g.rng
	total := 250 + r.IntN(51)
	var plans []*casePlan
	add := func(p *casePlan) { plans = append(plans, p) }

	// Open caseloads: each case manager holds 9 to 14 cases, so some are
	// over the limit of 12 and some have room.
	type slot struct {
		state   casework.State
		manager *account.User
	}
	var open []slot
	for _, m := range s.managers {
		for load := 9 + r.IntN(6); load > 0; load-- {
			open = append(open, slot{pickWeighted(r, []casework.State{casework.Active, casework.Allocated, casework.Closing}, []int{80, 11, 9}), m})
		}
	}
	open[0].state, open[1].state = casework.Allocated, casework.Closing
	open[2].state, open[3].state = casework.Transferred, casework.Transferred
	for _, o := range open {
		add(g.plan(s, o.state, o.manager))
	}
	for i := 0; i < 6+r.IntN(5); i++ {
		add(g.plan(s, casework.Referred, nil))
	}
	for i := 0; i < 4+r.IntN(4); i++ {
		add(g.plan(s, casework.Accepted, nil))
	}
	// Cases moved to the other site, and reopened cases.
	for _, st := range []casework.State{"moved", "moved", "reopened", "reopened"} {
		add(g.plan(s, st, nil))
	}
	for len(plans) < total {
		if r.IntN(100) < 22 {
			add(g.plan(s, casework.Declined, nil))
		} else {
			add(g.plan(s, casework.Closed, nil))
		}
	}
	// Written in referral order, as they arrived.
	sort.SliceStable(plans, func(i, j int) bool { return plans[i].referred > plans[j].referred })
	return plans
}

func pickWeighted[T any](r *rand.Rand, xs []T, weights []int) T {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	n := r.IntN(sum)
	for i, w := range weights {
		if n < w {
			return xs[i]
		}
		n -= w
	}
	return xs[len(xs)-1]
}

func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// leastLoaded picks the case manager with the fewest open cases planned,
// breaking ties at random, so caseloads stay near the limit.
func (g *generator) leastLoaded(s *siteStaff) *account.User {
	best := s.managers[g.rng.IntN(len(s.managers))]
	for _, m := range s.managers {
		if s.openLoad[m.ID] < s.openLoad[best.ID] {
			best = m
		}
	}
	return best
}

// plan builds the timeline for a case ending in target (or "moved":
// transferred to the other site and accepted there; "reopened": closed
// and opened again), worked by manager, or by the least loaded case
// manager if nil.
func (g *generator) plan(s *siteStaff, target casework.State, manager *account.User) *casePlan {
	r := g.rng
	p := &casePlan{prog: s.drive, target: target}
	if manager == nil {
		manager = g.leastLoaded(s)
	}
	if target != "moved" && target != "reopened" && target != casework.Transferred && r.IntN(100) < 6 {
		p.prog = s.restart
	}
	restart := p.prog.Code == "restart"
	if restart {
		p.source = pickWeighted(r, []casework.Source{casework.FromChildrensCare, casework.FromIDVA, casework.FromOther}, []int{70, 15, 15})
	} else {
		p.source = pickWeighted(r, casework.Sources(), []int{34, 24, 10, 10, 11, 7, 4})
	}
	reasons := func() string { return pick(r, acceptReasons(restart)) }
	ev := func(ago int, e casework.Event, ch casework.Change) {
		p.events = append(p.events, planEvent{ago: ago, ev: e, ch: ch})
	}
	// lead-in: referral, panel decision, allocation, start; returns the
	// days ago of the referral given the start.
	leadIn := func(start int, m *account.User) {
		alloc := start + between(r, 1, 10)
		accept := alloc + between(r, 1, 12)
		p.referred = accept + between(r, 3, 14)
		ev(accept, casework.Accept, casework.Change{Reasons: reasons()})
		ev(alloc, casework.Allocate, casework.Change{CaseManagerID: m.ID})
		if r.IntN(100) < 5 && alloc-start > 2 {
			ev(alloc-1, casework.Reallocate, casework.Change{CaseManagerID: s.managers[r.IntN(len(s.managers))].ID})
		}
		ev(start, casework.Start, casework.Change{})
		p.workFrom = start
	}
	weeks := p.prog.ExpectedWeeks
	closeWith := func(reason string, begin, closed int) {
		ev(begin, casework.BeginClosure, casework.Change{ClosureReason: reason})
		if closed > 0 {
			ev(closed, casework.Close, casework.Change{ClosureReason: reason})
		}
		p.workTo = begin
	}
	switch target {
	case casework.Referred:
		p.referred = between(r, 1, 12)
	case casework.Declined:
		decided := between(r, 2, demoWindow-20)
		p.referred = decided + between(r, 3, 14)
		ev(decided, casework.Decline, casework.Change{Reasons: pick(r, declineReasons())})
	case casework.Accepted:
		accept := between(r, 1, 25)
		p.referred = accept + between(r, 3, 14)
		ev(accept, casework.Accept, casework.Change{Reasons: reasons()})
	case casework.Allocated:
		p.manager = manager
		alloc := between(r, 1, 9)
		accept := alloc + between(r, 1, 12)
		p.referred = accept + between(r, 3, 14)
		ev(accept, casework.Accept, casework.Change{Reasons: reasons()})
		ev(alloc, casework.Allocate, casework.Change{CaseManagerID: p.manager.ID})
		p.engagement = casework.NotYetContacted
	case casework.Active, casework.Transferred:
		p.manager = manager
		start := between(r, 2, weeks*7-7)
		if target == casework.Transferred {
			start = between(r, 40, 200)
		}
		leadIn(start, p.manager)
		if target == casework.Active && start > 120 && r.IntN(100) < 10 {
			// A transfer the other site declined: the case stays here.
			t := between(r, 20, start-60)
			ev(t+7, casework.Transfer, casework.Change{SiteID: s.other.ID})
			ev(t, casework.RejectTransfer, casework.Change{Reasons: "The person has not moved: the address given is still in this area"})
		}
		p.workTo = 1
		if target == casework.Transferred {
			t := between(r, 1, 12)
			ev(t, casework.Transfer, casework.Change{SiteID: s.other.ID})
			p.workTo = t
		}
	case casework.Closing:
		p.manager = manager
		begin := between(r, 1, 20)
		start := begin + between(r, weeks*7*3/4, weeks*7+30)
		leadIn(start, p.manager)
		closeWith(pickWeighted(r, closureReasons(restart), closureWeights(restart)), begin, 0)
	case casework.Closed:
		p.manager = s.managers[r.IntN(len(s.managers))]
		reason := pickWeighted(r, closureReasons(restart), closureWeights(restart))
		length := closureLength(r, reason, weeks)
		closing := between(r, 5, 25)
		lead := 40
		closed := between(r, 1, max(1, demoWindow-length-closing-lead))
		begin := closed + closing
		leadIn(begin+length, p.manager)
		closeWith(reason, begin, closed)
		if reason == "custody" {
			p.engagement = casework.InCustody
		}
	case "moved":
		p.manager = manager
		start := between(r, 60, 200)
		leadIn(start, p.manager)
		t := between(r, 10, 40)
		ev(t+between(r, 2, 9), casework.Transfer, casework.Change{SiteID: s.other.ID})
		ev(t, casework.AcceptTransfer, casework.Change{})
		p.workTo = t
	case "reopened":
		p.manager = manager
		closed := between(r, 30, 80)
		reopen := closed - between(r, 10, 25)
		begin := closed + between(r, 5, 15)
		leadIn(begin+between(r, 150, 280), p.manager)
		closeWith("risk-reduced", begin, closed)
		ev(reopen, casework.Reopen, casework.Change{Reasons: "New police-recorded incidents since closure: the panel asked for the case to be reopened"})
		p.workTo = 1
	}
	if p.manager != nil && (target == casework.Active || target == casework.Allocated || target == casework.Closing || target == casework.Transferred || target == "reopened") {
		s.openLoad[p.manager.ID]++
	}
	if p.workFrom > 0 && p.engagement == "" {
		p.engagement = pickWeighted(r, []casework.Engagement{casework.Engaged, casework.PartiallyEngaged, casework.Refused, casework.Uncontactable, casework.InCustody, casework.NotYetContacted},
			[]int{52, 22, 10, 6, 6, 4})
	}
	if p.workFrom > 0 && p.workTo == 1 && r.IntN(100) < 22 {
		p.skipReview = true
	}
	if p.workFrom > 0 && p.workTo <= 1 && r.IntN(100) < 10 {
		p.quietFor = between(r, 15, 35)
	}
	return p
}

func closureReasons(restart bool) []string {
	if restart {
		return []string{"completed", "escalated-drive", "moved-away", "disengaged", "not-eligible"}
	}
	return []string{"completed", "risk-reduced", "custody", "moved-away", "transferred", "deceased", "not-eligible", "disengaged"}
}

func closureWeights(restart bool) []int {
	if restart {
		return []int{60, 12, 10, 12, 6}
	}
	return []int{38, 22, 12, 8, 2, 1, 5, 12}
}

// closureLength is how long work ran, in days, before a case with that
// closure reason began to close.
func closureLength(r *rand.Rand, reason string, weeks int) int {
	switch reason {
	case "completed":
		return between(r, weeks*7-40, weeks*7+30)
	case "risk-reduced":
		return between(r, weeks*7*2/3, weeks*7)
	case "not-eligible":
		return between(r, 10, 40)
	case "disengaged":
		return between(r, weeks*7/3, weeks*7)
	}
	return between(r, 14, weeks*7*3/4)
}

// dayAt is a working-hours instant on the day ago days before the
// reference date.
func (g *generator) dayAt(ago int) time.Time {
	return ReferenceDate().AddDays(-ago).Time().Add(time.Duration(8*60+g.rng.IntN(9*60)) * time.Minute)
}

// writeCase creates the person and the case, replays the plan through the
// state machine with a history entry for each move, and records the work.
func (g *generator) writeCase(ctx context.Context, s *siteStaff, sites map[int64]*siteStaff, p *casePlan) error {
	r := g.rng
	ref := ReferenceDate()
	referredAt := g.dayAt(p.referred)
	person := g.perpetrator(s, ref.AddDays(-p.referred))
	then, err := g.sd.Backdated(referredAt.Add(-time.Hour))
	if err != nil {
		return err
	}
	if err := then.CreatePerson(ctx, person); err != nil {
		return fmt.Errorf("demo person: %w", err)
	}
	s.people = append(s.people, person)
	p.he = pronounsOf(person.Gender)
	g.perpetrators[person.ID] = p.he
	c := &casework.Case{SiteID: s.site.ID, PersonID: person.ID, Programme: p.prog.Code, Source: p.source,
		ReferredAt: ref.AddDays(-p.referred), ReferredBy: s.panel.ID, Summary: say(referralSummary(r, p.source), p.he, pronouns{}),
		Evidence: g.evidence(p, ref.AddDays(-p.referred))}
	if then, err = g.sd.Backdated(referredAt); err != nil {
		return err
	}
	if err := then.CreateCase(ctx, c); err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	if err := then.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: referredAt, UserID: s.panel.ID, Event: "referred",
		ToState: casework.Referred, Detail: c.Source.Label(), SiteID: s.site.ID}); err != nil {
		return err
	}
	last := referredAt
	for _, e := range p.events {
		at := g.dayAt(e.ago)
		if !at.After(last) {
			at = last.Add(time.Duration(1+r.IntN(120)) * time.Minute)
		}
		tr, ok := casework.Find(c.State, e.ev)
		if !ok {
			return fmt.Errorf("demo case plan: no move %s from %s", e.ev, c.State)
		}
		ch := e.ch
		ch.Event = e.ev
		from, actingSite := c.State, c.SiteID
		by := s.leader.ID
		switch {
		case tr.AtReceivingSite:
			other := sites[c.TransferToSiteID]
			by, actingSite = other.leader.ID, other.site.ID
		case e.ev == casework.Accept || e.ev == casework.Decline:
			by = s.panel.ID
		case e.ev == casework.Start || e.ev == casework.BeginClosure:
			by = c.CaseManagerID
		}
		if err := c.Apply(tr, ch, p.prog, by, at); err != nil {
			return fmt.Errorf("demo case plan: %s: %w", e.ev, err)
		}
		detail := ch.Reasons
		switch e.ev {
		case casework.Allocate, casework.Reallocate:
			detail = "Allocated to " + g.userName(sites, ch.CaseManagerID)
		case casework.BeginClosure, casework.Close:
			reason, _ := p.prog.ClosureReason(ch.ClosureReason)
			detail = reason.Label
		case casework.Transfer:
			detail = "Transfer requested to " + sites[ch.SiteID].site.Name
		}
		if err := g.sd.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: at, UserID: by, Event: string(e.ev),
			FromState: from, ToState: c.State, Detail: detail, SiteID: actingSite}); err != nil {
			return err
		}
		last = at
	}
	if p.engagement != "" && p.workFrom > 0 {
		known := g.dayAt(max(p.workTo, p.workFrom-between(r, 3, 20)))
		c.Engagement = p.engagement
		if p.engagement != casework.NotYetContacted {
			if err := g.sd.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: known, UserID: p.manager.ID, Event: "engagement",
				FromState: casework.Active, ToState: casework.Active, Detail: p.engagement.Label(), SiteID: s.site.ID}); err != nil {
				return err
			}
		}
		if known.After(last) && known.Before(ref.Time()) {
			last = known
		}
	} else if p.engagement != "" {
		c.Engagement = p.engagement
	}
	if then, err = g.sd.Backdated(last); err != nil {
		return err
	}
	if err := then.UpdateCase(ctx, c); err != nil {
		return fmt.Errorf("demo case update: %w", err)
	}
	if p.workFrom == 0 {
		return g.notes(ctx, s, c, p, p.referred, max(1, p.referred-14))
	}
	workTo := max(p.workTo, 1)
	if err := g.actions(ctx, s, c, p, workTo); err != nil {
		return err
	}
	if err := g.contacts(ctx, c, p, workTo); err != nil {
		return err
	}
	if err := g.reviews(ctx, c, p, workTo); err != nil {
		return err
	}
	return g.notes(ctx, s, c, p, p.workFrom, workTo)
}

func (g *generator) userName(sites map[int64]*siteStaff, id int64) string {
	for _, st := range sites {
		for _, m := range st.managers {
			if m.ID == id {
				return m.DisplayName
			}
		}
	}
	return "a case manager"
}

// perpetrator invents a person referred on the given date: aged 18 to 64,
// mostly men, with the equality answers spread as a real caseload's are,
// including people who prefer not to say.
func (g *generator) perpetrator(s *siteStaff, referred drive.Date) *people.Person {
	r := g.rng
	p := &people.Person{SiteID: s.site.ID}
	p.Gender = pickWeighted(r, []string{"male", "female", "non_binary", "other", people.PreferNotToSay, people.NotKnown}, []int{900, 60, 8, 4, 12, 16})
	if p.Gender == "female" {
		p.GivenName = pick(r, femaleGivenNames())
	} else {
		p.GivenName = pick(r, maleGivenNames())
	}
	p.FamilyName = pick(r, append(familyNames(), moreFamilyNames()...))
	age := 18 + r.IntN(16) + r.IntN(32)
	p.DateOfBirth = referred.AddDays(-(age*365 + r.IntN(365)))
	p.Ethnicity = pickWeighted(r, []string{"white", "asian", "black", "mixed", "other", people.PreferNotToSay, people.NotKnown}, []int{72, 8, 6, 4, 2, 3, 5})
	p.SexualOrientation = pickWeighted(r, []string{"heterosexual", "gay_lesbian", "bisexual", "other", people.PreferNotToSay, people.NotKnown}, []int{78, 3, 2, 1, 7, 9})
	p.Disability = pickWeighted(r, []string{"no", "yes", people.PreferNotToSay, people.NotKnown}, []int{62, 19, 6, 13})
	year := referred.Year - r.IntN(3)
	if r.IntN(100) < 85 {
		p.PoliceRef = fmt.Sprintf("%s/%d/%05d", s.postcode, year, r.IntN(100000))
	}
	if r.IntN(100) < 35 {
		p.SocialCareRef = fmt.Sprintf("CSC-%06d", r.IntN(1000000))
	}
	if r.IntN(100) < 30 {
		p.ProbationRef = fmt.Sprintf("PRB%07d", r.IntN(10000000))
	}
	if r.IntN(100) < 15 {
		if r.IntN(2) == 0 {
			p.Aliases = []string{pick(r, nicknames()) + " " + p.FamilyName}
		} else {
			p.Aliases = []string{p.GivenName + " " + pick(r, moreFamilyNames())}
		}
	}
	if r.IntN(100) < 75 {
		moved := referred.AddDays(-between(r, 30, 1500))
		if r.IntN(100) < 35 {
			p.Addresses = append(p.Addresses, g.address(s, moved.AddDays(-between(r, 200, 2000)), moved.AddDays(-1)))
		}
		p.Addresses = append(p.Addresses, g.address(s, moved, drive.Date{}))
	}
	return p
}

func (g *generator) address(s *siteStaff, from, to drive.Date) people.Address {
	r := g.rng
	letters := "ABDEFGHJLNPQRSTUWXYZ"
	return people.Address{
		Line1:    fmt.Sprintf("%d %s", 1+r.IntN(180), pick(r, streetNames())),
		Town:     pick(r, s.towns),
		Postcode: fmt.Sprintf("%s%d %d%c%c", s.postcode, 1+r.IntN(9), r.IntN(10), letters[r.IntN(len(letters))], letters[r.IntN(len(letters))]),
		From:     from,
		To:       to,
	}
}

// evidence is what the referral says, shaped by where it came from and the
// programme: high DASH scores and MARAC hearings for Drive, lower scores
// and children's social care for Restart.
func (g *generator) evidence(p *casePlan, referred drive.Date) programme.Evidence {
	r := g.rng
	e := programme.Evidence{DASHScore: -1, Victims: 1 + pickWeighted(r, []int{0, 1, 2, 3}, []int{55, 30, 10, 5})}
	if p.prog.Code == "restart" {
		e.DASHScore = between(r, 4, 13)
		e.KnownToChildrensSocialCare = true
		e.Victims = 1
		return e
	}
	if r.IntN(100) < 80 {
		e.DASHScore = between(r, 10, 22)
	}
	switch p.source {
	case casework.FromMARAC:
		e.LastMARAC = referred.AddDays(-between(r, 3, 60))
		e.DASHScore = between(r, 14, 23)
	case casework.FromPoliceList:
		e.IdentificationRank = between(r, 1, 30)
	case casework.FromChildrensCare:
		e.KnownToChildrensSocialCare = true
	case casework.FromOther, casework.FromProbation:
		if r.IntN(100) < 40 {
			e.ProfessionalJudgement = pick(r, judgements())
		}
	}
	if r.IntN(100) < 30 {
		e.KnownToChildrensSocialCare = true
	}
	if r.IntN(100) < 25 && e.LastMARAC.IsZero() {
		e.LastMARAC = referred.AddDays(-between(r, 20, 300))
	}
	return e
}

// actions builds the intervention plan: at least one action on each prong
// the programme's catalogue has, due over the work, some done, some
// cancelled and some still open past their due date.
func (g *generator) actions(ctx context.Context, s *siteStaff, c *casework.Case, p *casePlan, workTo int) error {
	r := g.rng
	cat := p.prog.Actions
	var chosen []programme.ActionType
	for _, prong := range programme.Prongs() {
		var of []programme.ActionType
		for _, a := range cat {
			if a.Prong == prong {
				of = append(of, a)
			}
		}
		if len(of) > 0 {
			chosen = append(chosen, of[r.IntN(len(of))])
		}
	}
	for n := between(r, 0, 4); n > 0; n-- {
		chosen = append(chosen, cat[r.IntN(len(cat))])
	}
	manager := p.manager.DisplayName
	closed := c.State == casework.Closed || c.SiteID != s.site.ID
	for _, t := range chosen {
		created := between(r, workTo, p.workFrom)
		due := created - between(r, 7, 56)
		a := &casework.Action{CaseID: c.ID, Type: t.Code, DueOn: ReferenceDate().AddDays(-due), CreatedBy: p.manager.ID}
		a.Owner = manager
		if t.Agency != "Drive" && t.Agency != "Restart" {
			a.Owner = pick(r, owners(t.Agency))
		}
		createdAt := g.dayAt(created)
		if err := a.Validate(p.prog, drive.DateOf(createdAt), true); err != nil {
			return fmt.Errorf("demo action: %w", err)
		}
		then, err := g.sd.Backdated(createdAt)
		if err != nil {
			return err
		}
		if err := then.CreateAction(ctx, a); err != nil {
			return err
		}
		// What has become of it by the reference date (or by closure).
		var status casework.ActionStatus
		switch {
		case closed:
			status = pickWeighted(r, []casework.ActionStatus{casework.ActionDone, casework.ActionCancelled}, []int{75, 25})
		case due <= 0:
			status = pickWeighted(r, []casework.ActionStatus{casework.ActionOpen, casework.ActionInProgress, casework.ActionDone}, []int{55, 35, 10})
		case due > 30:
			status = pickWeighted(r, []casework.ActionStatus{casework.ActionDone, casework.ActionCancelled, casework.ActionInProgress, casework.ActionOpen}, []int{82, 12, 3, 3})
		default:
			status = pickWeighted(r, []casework.ActionStatus{casework.ActionDone, casework.ActionCancelled, casework.ActionInProgress, casework.ActionOpen}, []int{55, 10, 17, 18})
		}
		if status == casework.ActionOpen {
			continue
		}
		a.Status = status
		if status == casework.ActionDone {
			a.Outcome = pick(r, outcomes(t.Prong))
		} else if status == casework.ActionCancelled {
			a.Outcome = "No longer needed: circumstances changed"
		}
		when := between(r, max(workTo, due-14, 1), max(created-1, workTo, 1))
		if status == casework.ActionInProgress {
			when = between(r, max(workTo, 1), max(created-1, workTo, 1))
		}
		updatedAt := g.dayAt(when)
		if updatedAt.Before(createdAt) {
			updatedAt = createdAt.Add(time.Hour)
		}
		if err := a.Validate(p.prog, drive.DateOf(updatedAt), false); err != nil {
			return fmt.Errorf("demo action update: %w", err)
		}
		if then, err = g.sd.Backdated(updatedAt); err != nil {
			return err
		}
		if err := then.UpdateAction(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// contacts logs contact with the perpetrator over the work, as often as
// his engagement allows: weekly sessions when engaged, attempts and
// partner-agency contact when he refuses or cannot be reached.
func (g *generator) contacts(ctx context.Context, c *casework.Case, p *casePlan, workTo int) error {
	r := g.rng
	end := max(workTo, 1, p.quietFor)
	for day := p.workFrom - between(r, 0, 5); day >= end; {
		var kind casework.ContactKind
		var gap int
		switch p.engagement {
		case casework.Engaged:
			kind = pickWeighted(r, []casework.ContactKind{casework.OneToOne, casework.ContactMade, casework.PartnerContact}, []int{70, 20, 10})
			gap = between(r, 5, 12)
		case casework.PartiallyEngaged:
			kind = pickWeighted(r, []casework.ContactKind{casework.OneToOne, casework.ContactAttempt, casework.ContactMade, casework.PartnerContact}, []int{45, 25, 20, 10})
			gap = between(r, 8, 18)
		case casework.InCustody:
			kind = pickWeighted(r, []casework.ContactKind{casework.PartnerContact, casework.ContactMade}, []int{60, 40})
			gap = between(r, 20, 40)
		case casework.Refused:
			kind = pickWeighted(r, []casework.ContactKind{casework.ContactAttempt, casework.PartnerContact}, []int{55, 45})
			gap = between(r, 10, 28)
		default:
			kind = pickWeighted(r, []casework.ContactKind{casework.ContactAttempt, casework.PartnerContact}, []int{75, 25})
			gap = between(r, 7, 21)
		}
		at := g.dayAt(day)
		ct := &casework.Contact{CaseID: c.ID, Kind: kind, On: drive.DateOf(at), Method: contactMethod(r, kind),
			Summary: say(pick(r, contactSummaries(kind)), p.he, pronouns{}), CreatedBy: p.manager.ID}
		then, err := g.sd.Backdated(at.Add(time.Duration(r.IntN(90)) * time.Minute))
		if err != nil {
			return err
		}
		if err := then.CreateContact(ctx, ct); err != nil {
			return fmt.Errorf("demo contact: %w", err)
		}
		day -= gap
	}
	return nil
}

// reviews records a review every interval the programme sets, with risk
// falling for most engaged cases; some open cases have missed their
// latest, so it shows as due.
func (g *generator) reviews(ctx context.Context, c *casework.Case, p *casePlan, workTo int) error {
	r := g.rng
	every := 7 * p.prog.ReviewEveryWeeks
	level := pickWeighted(r, []int{1, 2, 3}, []int{20, 55, 25}) // medium, high, very high
	var days []int
	for day := p.workFrom - every; day >= max(workTo, 1); day -= every {
		days = append(days, max(1, day-r.IntN(4)))
	}
	if p.skipReview && len(days) > 0 {
		days = days[:len(days)-1]
	}
	for _, day := range days {
		change := "unchanged"
		switch {
		case p.engagement == casework.Engaged && r.IntN(100) < 55 && level > 0:
			level--
			change = "reduced"
		case (p.engagement == casework.Refused || p.engagement == casework.Uncontactable) && r.IntN(100) < 25 && level < 3:
			level++
			change = "increased"
		}
		needs := map[string]string{}
		for _, area := range casework.NeedAreas() {
			if r.IntN(100) < 45 {
				needs[area] = pick(r, casework.NeedLevels())
			}
		}
		at := g.dayAt(day)
		rv := &casework.Review{CaseID: c.ID, On: drive.DateOf(at), RiskLevel: casework.RiskLevels()[level], RiskChange: change,
			Needs: needs, Summary: pick(r, reviewSummaries(change)), CreatedBy: p.manager.ID}
		if err := rv.Validate(p.prog, drive.DateOf(at)); err != nil {
			return fmt.Errorf("demo review: %w", err)
		}
		then, err := g.sd.Backdated(at)
		if err != nil {
			return err
		}
		if err := then.CreateReview(ctx, rv); err != nil {
			return err
		}
	}
	return nil
}

// notes writes a few case notes, and now and then a correction of one.
// Notes say what was done, never where a victim-survivor is.
func (g *generator) notes(ctx context.Context, s *siteStaff, c *casework.Case, p *casePlan, from, to int) error {
	r := g.rng
	author := s.panel.ID
	if p.workFrom > 0 {
		author = p.manager.ID
	}
	n := between(r, 0, 3)
	if p.workFrom > 0 {
		n = between(r, 1, 4)
	}
	for i := 0; i < n; i++ {
		day := between(r, max(to, 1), max(from, 1))
		at := g.dayAt(day)
		note := &casework.Note{CaseID: c.ID, Text: say(pick(r, noteTexts()), p.he, pronouns{}), CreatedBy: author}
		if at.After(g.sd.Now()) {
			return drive.Errorf(drive.EINVALID, "a record cannot be dated in the future")
		}
		g.recordNote(at, note, nil)
		if (!s.amendDone && p.workFrom > 0) || r.IntN(100) < 6 {
			fix := &casework.Note{CaseID: c.ID, CreatedBy: author,
				Text: "Correction to the note of " + drive.DateOf(at).Display() + ": " + pick(r, corrections())}
			later := at.Add(time.Duration(1+r.IntN(72)) * time.Hour)
			if !later.Before(ReferenceDate().Time()) {
				later = at.Add(time.Minute)
			}
			g.recordNote(later, fix, note)
			s.amendDone = true
		}
	}
	return nil
}

// duplicates enters two perpetrators a second time under a variant of
// their name, as happens when a referral arrives from another agency, and
// merges each into the first record, so the merge and its undo can be
// shown.
func (g *generator) duplicates(ctx context.Context, s *siteStaff) error {
	r := g.rng
	done := 0
	for _, i := range r.Perm(len(s.people)) {
		if done == 2 {
			break
		}
		keep := s.people[i]
		if keep.MergedInto != 0 || len(keep.GivenName) < 4 {
			continue
		}
		dup := *keep
		dup.ID, dup.Aliases, dup.Addresses = 0, nil, nil
		dup.GivenName = variantSpelling(keep.GivenName)
		dup.PoliceRef = ""
		at := keep.CreatedAt.Add(time.Duration(24*between(r, 20, 60)) * time.Hour)
		if !at.Before(ReferenceDate().AddDays(-7).Time()) {
			continue
		}
		then, err := g.sd.Backdated(at)
		if err != nil {
			return err
		}
		if err := then.CreatePerson(ctx, &dup); err != nil {
			return err
		}
		c := &casework.Case{SiteID: s.site.ID, PersonID: dup.ID, Programme: "drive", Source: casework.FromProbation,
			ReferredAt: drive.DateOf(at), ReferredBy: s.panel.ID, Summary: "Referred by probation at the start of a community order.",
			Evidence: programme.Evidence{DASHScore: -1, Victims: 1}}
		if err := then.CreateCase(ctx, c); err != nil {
			return err
		}
		if err := then.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: at, UserID: s.panel.ID, Event: "referred",
			ToState: casework.Referred, Detail: c.Source.Label(), SiteID: s.site.ID}); err != nil {
			return err
		}
		decided := at.Add(time.Duration(24*between(r, 2, 6)) * time.Hour)
		tr, _ := casework.Find(casework.Referred, casework.Decline)
		if err := c.Apply(tr, casework.Change{Event: casework.Decline, Reasons: "Already known: the same person as an existing referral, entered under another spelling"}, programme.Drive(), s.panel.ID, decided); err != nil {
			return err
		}
		if then, err = g.sd.Backdated(decided); err != nil {
			return err
		}
		if err := then.UpdateCase(ctx, c); err != nil {
			return err
		}
		if err := then.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: decided, UserID: s.panel.ID, Event: string(casework.Decline),
			FromState: casework.Referred, ToState: casework.Declined, Detail: c.DecisionReasons, SiteID: s.site.ID}); err != nil {
			return err
		}
		if err := then.MergePeople(ctx, keep.ID, dup.ID); err != nil {
			return err
		}
		done++
	}
	return nil
}

// variantSpelling gives the kind of misspelling that makes one man two
// records.
func variantSpelling(name string) string {
	known := map[string]string{"John": "Jon", "Jon": "John", "Stephen": "Steven", "Steven": "Stephen", "Mohammed": "Muhammad",
		"Muhammad": "Mohammed", "Philip": "Phillip", "Sean": "Shaun", "Shaun": "Sean", "Lee": "Leigh", "Carl": "Karl", "Craig": "Kraig"}
	if v, ok := known[name]; ok {
		return v
	}
	// Swap two letters in the middle.
	b := []byte(name)
	i := len(b) / 2
	b[i-1], b[i] = b[i], b[i-1]
	if string(b) == name {
		return name + "e"
	}
	return string(b)
}

func contactMethod(r *rand.Rand, k casework.ContactKind) string {
	switch k {
	case casework.OneToOne:
		return pickWeighted(r, []string{"In person", "Video"}, []int{85, 15})
	case casework.ContactAttempt:
		return pick(r, []string{"Phone", "Letter", "Home visit", "Text message"})
	case casework.PartnerContact:
		return pick(r, []string{"Phone", "Email", "Meeting"})
	}
	return pick(r, []string{"Phone", "In person", "Prison visit"})
}

// The invented text below describes what professionals did with and about
// the perpetrator. None of it names, places or gives a way to reach a
// victim-survivor or a child.

func acceptReasons(restart bool) []string {
	if restart {
		return []string{
			"Family open to children's social care; standard-risk DASH; the family wants to stay at home if the perpetrator moves out.",
			"Meets both Restart criteria: known to children's social care and DASH below the high-risk threshold.",
			"Social worker's referral accepted: early intervention could prevent escalation.",
		}
	}
	return []string{
		"Meets the MARAC criterion: heard twice in the last year.",
		"Latest DASH score 14 or more; the panel agreed high risk.",
		"Serial: abuse against two or more former partners on police records.",
		"Ranked in the site's top 20 on the police identification list.",
		"Professional judgement of the police and probation: escalating control and threats.",
		"Meets the DASH and serial criteria; probation supports a referral.",
	}
}

func declineReasons() []string {
	return []string{
		"No criterion met: DASH standard risk, no MARAC hearing, one victim known.",
		"Already being managed under MAPPA at level 2: the panel agreed Drive would duplicate the plan.",
		"Living outside the site's area: referred on to the local service.",
		"Serving a long custodial sentence: revisit on release.",
		"Information too limited to decide; the referrer was asked to refer again with police records.",
	}
}

func referralSummary(r *rand.Rand, s casework.Source) string {
	base := map[casework.Source][]string{
		casework.FromMARAC: {
			"Heard at MARAC this month after a further high-risk incident; repeat referral within 12 months.",
			"MARAC action: refer the perpetrator to Drive. Threats to kill and strangulation disclosed at the last incident.",
		},
		casework.FromPoliceList: {
			"Top of the recency, frequency and gravity list for the quarter: seven incidents in 18 months against three partners.",
			"Identified by the police analyst: serial pattern across two relationships, breaches of a non-molestation order.",
		},
		casework.FromPanel: {
			"Discussed at the multi-agency perpetrator panel; partners agree disruption and behaviour change are needed.",
		},
		casework.FromChildrensCare: {
			"Child protection plan in place; father's controlling behaviour is the main concern in the assessment.",
			"Children's social care assessment identifies coercive control; the family is open to the service.",
		},
		casework.FromProbation: {
			"On licence after a sentence for assault; probation report escalating jealousy and monitoring.",
			"Community order with a rehabilitation requirement; probation assess high risk of serious harm to partners.",
		},
		casework.FromIDVA: {
			"IDVA service referral: high-risk case, victim-survivor supported separately; the perpetrator's behaviour is escalating.",
		},
		casework.FromOther: {
			"Housing provider reports repeated anti-social behaviour linked to domestic abuse at {p.their} tenancy.",
			"Substance-use service raises concern about threats and controlling behaviour disclosed in sessions.",
		},
	}[s]
	return base[r.IntN(len(base))]
}

func judgements() []string {
	return []string{
		"Escalating stalking behaviour despite bail conditions.",
		"Recent threats to kill; access to weapons through work.",
		"Pattern of control moving into a new relationship.",
	}
}

func owners(agency string) []string {
	switch agency {
	case "Police":
		return []string{"DS Hall, domestic abuse team", "PC Young, neighbourhood team", "DC Price, public protection unit", "Police DA coordinator"}
	case "Probation":
		return []string{"Probation practitioner", "Senior probation officer"}
	case "Housing":
		return []string{"Tenancy enforcement officer", "Housing options adviser"}
	case "Children's social care":
		return []string{"Allocated social worker", "Child protection chair"}
	case "Health":
		return []string{"Community drug and alcohol team", "Community mental health team", "GP practice"}
	}
	return []string{"Job centre work coach", "Benefits adviser", "Partner agency lead"}
}

func outcomes(prong string) []string {
	switch prong {
	case "disrupt":
		return []string{"Order granted with conditions for 12 months.", "Conditions reviewed and tightened at court.",
			"Disclosure made; the partner agency confirmed it was received.", "Warrant executed; remanded for a week.",
			"Tenancy warning issued and acknowledged."}
	case "change":
		return []string{"Completed the block of sessions; attendance good.", "Accepted onto the behaviour change programme.",
			"Sessions completed on jealousy and control; recognises some patterns."}
	}
	return []string{"Referral accepted; first appointment attended.", "Moved into supported accommodation.",
		"Benefits claim sorted; debt advice booked.", "Assessment completed; treatment plan agreed."}
}

func contactSummaries(k casework.ContactKind) []string {
	switch k {
	case casework.OneToOne:
		return []string{"Session on jealousy and control: discussed the cycle and triggers.", "Session on accountability: {p.they} minimised the incident less than before.",
			"Session on emotional regulation and warning signs.", "Reviewed the action plan together; agreed the next steps."}
	case casework.ContactMade:
		return []string{"Brief check-in: reminded {p.them} of the next appointment.", "Discussed housing and {p.their} licence conditions.",
			"Spoke after the court hearing; {p.they} accepted the conditions."}
	case casework.ContactAttempt:
		return []string{"No answer; message left.", "Did not attend the appointment; letter sent.", "Home visit: no one in.",
			"Text message sent; no reply."}
	}
	return []string{"Update from police on bail conditions.", "Probation practitioner shared licence compliance.",
		"Housing officer confirmed the tenancy position.", "Discussed the case with the social worker."}
}

func reviewSummaries(change string) []string {
	switch change {
	case "reduced":
		return []string{"Risk reduced: engaging, no new incidents, conditions holding.", "Fewer concerns from partners; keep the disruption in place."}
	case "increased":
		return []string{"Risk increased: new police call-outs and non-engagement; disruption stepped up.", "Breach of conditions reported; escalated to the panel."}
	}
	return []string{"No change: plan continues.", "Mixed progress; actions carried forward."}
}

func noteTexts() []string {
	return []string{
		"Case discussed with the team leader: continue disruption with police and probation.",
		"Liaised with the IDVA service: risk information shared under the information-sharing agreement.",
		"{P.they} disclosed heavy drinking at weekends; substance-use referral offered.",
		"Attended court with {p.them} for the hearing; conditions explained afterwards.",
		"Housing officer reports tenancy arrears; benefits support discussed.",
		"Probation practitioner and I agreed a joint appointment next month.",
		"{P.they} denied the latest incident; discussed minimisation in the session.",
	}
}

func corrections() []string {
	return []string{"the joint appointment is with probation, not housing.", "the hearing was adjourned, not concluded.",
		"the referral was to the community drug and alcohol team.", "the session was by video, not in person."}
}

func maleGivenNames() []string {
	return []string{
		"Aaron", "Adam", "Adrian", "Ahmed", "Alan", "Ali", "Andrew", "Anthony", "Ashley", "Barry",
		"Ben", "Bilal", "Bradley", "Callum", "Carl", "Chris", "Connor", "Craig", "Daniel", "Darren",
		"David", "Dean", "Declan", "Dominic", "Dylan", "Gareth", "Gary", "Glen", "Hassan", "Imran",
		"Jack", "Jamal", "James", "Jamie", "Jason", "Jay", "John", "Jon", "Jordan", "Josh",
		"Kai", "Karl", "Keith", "Kevin", "Kieran", "Kyle", "Lee", "Leon", "Liam", "Luke",
		"Marcus", "Mark", "Martin", "Matthew", "Michael", "Mohammed", "Muhammad", "Nathan", "Neil", "Paul",
		"Philip", "Reece", "Rhys", "Richard", "Ricky", "Robert", "Ryan", "Sam", "Scott", "Sean",
		"Shane", "Shaun", "Simon", "Stephen", "Steven", "Stuart", "Tariq", "Terry", "Thomas", "Tom",
		"Tony", "Tyler", "Usman", "Wayne", "Zak",
	}
}

func femaleGivenNames() []string {
	return []string{"Amy", "Chelsea", "Claire", "Danielle", "Emma", "Gemma", "Jade", "Kelly", "Leanne", "Nicola", "Sarah", "Stacey"}
}

func moreFamilyNames() []string {
	return []string{
		"Atkinson", "Barker", "Bibi", "Booth", "Carter", "Cox", "Dixon", "Doyle", "Ellis", "Fletcher",
		"Gill", "Holmes", "Iqbal", "Kelly", "Kowalski", "McCarthy", "Marsh", "Mills", "Nolan", "Parry",
		"Pearce", "Quinn", "Reid", "Riley", "Saunders", "Sharma", "Stone", "Walsh", "Webb", "Yates",
	}
}

func nicknames() []string {
	return []string{"Jay", "Dee", "Robbo", "Smudge", "Tommo", "Big Dave", "Kev", "Macca", "Dazza", "Stevie"}
}

func streetNames() []string {
	return []string{
		"Mill Lane", "Canal Street", "Station Road", "Victoria Terrace", "Oak Avenue", "Chapel Row", "Foundry Close",
		"Moor View", "Albion Street", "Brook Walk", "Weavers Court", "Quarry Hill", "Orchard Way", "Tannery Yard",
	}
}

// recordNote writes a case note through the service as of at, once the
// seeding transaction has committed (see generator.later): sealed and
// screened as the service does every note, its author kept. A correction
// names the note it amends, whose id is known by then.
func (g *generator) recordNote(at time.Time, n, amends *casework.Note) {
	g.later = append(g.later, deferred{at: at, write: func(ctx context.Context, svc *service.Service) error {
		if amends != nil {
			n.Amends = amends.ID
		}
		return svc.RecordNote(ctx, demoActor(), n.CaseID, n)
	}})
}
