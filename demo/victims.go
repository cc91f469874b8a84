package demo

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/victim"
)

// The victim-survivors' side of the demo. Every perpetrator case gets
// linked victim-survivors (about 1.1 a case, as the programme has seen:
// mostly one, two or three for some serial perpetrators, and a few women
// linked to two perpetrators), each with an IDVA of the site, children
// (about 2 a case), a sealed compartment of invented addresses and
// contact details, DASH assessments, behaviour assessments at the case's
// time points, IDVA contacts, notes and a safety plan.
//
// Everything protected (her compartment, safety plan, DASH comments, IDVA
// contacts and notes) is written through the service's use cases, as her
// IDVA on the day it happened, so it is sealed exactly as the service
// seals it; the rest is seeded (Service.Seed). Invented places are kept apart from the perpetrators': victims'
// streets come from their own list and their postcodes from districts 10
// to 29 (perpetrators' are 1 to 9), so no compartment value can turn up on
// the perpetrator's side by coincidence, and the demo test can prove that
// none does.

// victimSite is what the victim-survivors' side needs of one site.
type victimSite struct {
	site     account.Site
	idvas    []*account.User
	load     map[int64]int // IDVA -> open cases allocated
	towns    []string
	postcode string
	outcomes caseOutcomes // what became of each case, drawn once
}

// victimPlan is one victim-survivor decided before anything is written.
type victimPlan struct {
	site    *victimSite
	c       victim.Case
	links   []*linkPlan
	opened  int // days before the reference date
	closed  int // days before the reference date; 0 while open
	primary *casework.Case
	dash    int // DASH score at referral
	comp    victim.Compartment
	kids    []victim.Child
}

type linkPlan struct {
	c      *casework.Case
	rel    victim.Relationship
	living bool
	at     int // days ago the link was made
}

// victimKeys chooses what the protected values are sealed with: the
// keyring given in Options, with fresh randomness, or, with none, a
// throwaway keyring and randomness from the seeded stream. The stream is
// drawn from either way, so the data are the same with or without a
// keyring.
func (g *generator) victimKeys() error {
	var seed [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(seed[i*8:], g.rng.Uint64())
	}
	if g.keyring != nil {
		g.sealKeys, g.sealRandom = g.keyring, crand.Reader
		return nil
	}
	stream := rand.NewChaCha8(seed)
	keys, err := sealed.NewKeyring(stream)
	if err != nil {
		return err
	}
	g.sealKeys, g.sealRandom = keys, stream
	return nil
}

// daysAgo is how many days d is before the reference date.
func daysAgo(d drive.Date) int { return d.DaysUntil(ReferenceDate()) }

func timeAgo(t *time.Time) int {
	if t == nil {
		return 0
	}
	return daysAgo(drive.DateOf(*t))
}

// victims fills in the victim-survivors of every perpetrator case the
// casework made.
func (g *generator) victims(ctx context.Context) error {
	if err := g.victimKeys(); err != nil {
		return err
	}
	sites, err := g.victimSites(ctx)
	if err != nil {
		return err
	}
	cases, err := g.allCases(ctx)
	if err != nil {
		return err
	}
	surnames := map[int64]string{}
	for _, c := range cases {
		if _, ok := surnames[c.PersonID]; !ok {
			person, err := g.sd.Person(ctx, c.PersonID)
			if err != nil {
				return err
			}
			surnames[c.PersonID] = person.FamilyName
		}
	}
	plans := g.planVictims(sites, cases, surnames)
	phones := g.rng.Perm(1000)
	for i, p := range plans {
		p.comp = g.compartment(p, phones[i%len(phones)], phones[(i+500)%len(phones)])
		if err := g.writeVictim(ctx, p); err != nil {
			return err
		}
	}
	return g.policeHistory(ctx, cases)
}

// victimSites finds each site's IDVAs: users with the IDVA role there.
func (g *generator) victimSites(ctx context.Context) (map[int64]*victimSite, error) {
	users, err := g.sd.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]*victimSite{}
	g.idvas = map[int64]*account.User{}
	for _, site := range g.res.Sites {
		vs := &victimSite{site: site, load: map[int64]int{}, outcomes: caseOutcomes{}}
		vs.towns, vs.postcode = siteTowns(site.Code)
		for _, u := range users {
			for _, r := range u.Roles {
				if r.Role == access.IDVA && r.SiteID == site.ID {
					vs.idvas = append(vs.idvas, u)
					g.idvas[u.ID] = u
				}
			}
		}
		if len(vs.idvas) == 0 {
			return nil, fmt.Errorf("demo site %s has no IDVAs", site.Code)
		}
		sort.Slice(vs.idvas, func(i, j int) bool { return vs.idvas[i].ID < vs.idvas[j].ID })
		out[site.ID] = vs
	}
	return out, nil
}

// allCases reads back every perpetrator case, in the order they were made.
func (g *generator) allCases(ctx context.Context) ([]*casework.Case, error) {
	out, err := g.sd.AllCases(ctx, ReferenceDate())
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// planVictims decides who the victim-survivors are and which cases each
// is linked to. A man referred twice (a duplicate record merged into the
// first) has the same victim-survivors on both cases.
func (g *generator) planVictims(sites map[int64]*victimSite, cases []*casework.Case, surnames map[int64]string) []*victimPlan {
	r := g.rng
	var plans []*victimPlan
	byPerson := map[int64][]*victimPlan{}
	for _, c := range cases {
		site := sites[c.SiteID]
		if earlier := byPerson[c.PersonID]; len(earlier) > 0 {
			for _, p := range earlier {
				if p.site == site {
					first := p.links[0]
					p.links = append(p.links, &linkPlan{c: c, rel: first.rel, living: first.living, at: daysAgo(c.ReferredAt)})
				}
			}
			continue
		}
		n := 1
		if c.Programme != "restart" && c.Evidence.Victims >= 2 {
			n = pickWeighted(r, []int{1, 2, 3}, []int{82, 15, 3})
		}
		for i := 0; i < n; i++ {
			p := g.planVictim(site, c, i == 0, surnames[c.PersonID])
			plans = append(plans, p)
			byPerson[c.PersonID] = append(byPerson[c.PersonID], p)
		}
	}
	// A few women are victim-survivors of two perpetrators at the same
	// site: a former partner and a later one.
	for _, site := range g.res.Sites {
		var here []*victimPlan
		var siteCases []*casework.Case
		for _, p := range plans {
			if p.site.site.ID == site.ID && len(p.links) == 1 && p.c.Gender == "female" {
				here = append(here, p)
			}
		}
		for _, c := range cases {
			if c.SiteID == site.ID {
				siteCases = append(siteCases, c)
			}
		}
		shared := 0
		for _, i := range r.Perm(len(here)) {
			if shared == 5 {
				break
			}
			p := here[i]
			other := siteCases[r.IntN(len(siteCases))]
			if other.PersonID == p.primary.PersonID {
				continue
			}
			p.links[0].rel = victim.ExPartner
			p.links[0].living = false
			rel := pickWeighted(r, []victim.Relationship{victim.CurrentPartner, victim.ExPartner}, []int{40, 60})
			p.links = append(p.links, &linkPlan{c: other, rel: rel, living: rel == victim.CurrentPartner && r.IntN(100) < 40,
				at: min(daysAgo(other.ReferredAt), p.opened)})
			shared++
		}
	}
	return plans
}

// planVictim invents one victim-survivor of case c: the first of a case
// is usually his current or former partner; another of a serial
// perpetrator is usually a former partner.
func (g *generator) planVictim(site *victimSite, c *casework.Case, first bool, his string) *victimPlan {
	r := g.rng
	referred := daysAgo(c.ReferredAt)
	p := &victimPlan{site: site, primary: c, opened: referred + between(r, 5, 60)}
	var rel victim.Relationship
	if first {
		rel = pickWeighted(r, victim.Relationships(), []int{42, 48, 7, 3})
	} else {
		rel = pickWeighted(r, victim.Relationships(), []int{8, 86, 2, 4})
	}
	living := false
	switch rel {
	case victim.CurrentPartner:
		living = r.IntN(100) < 45
	case victim.FamilyMember:
		living = r.IntN(100) < 50
	case victim.ExPartner:
		living = r.IntN(100) < 2
	}
	p.links = []*linkPlan{{c: c, rel: rel, living: living, at: referred}}

	v := &p.c
	v.SiteID = site.site.ID
	v.Gender = pickWeighted(r, []string{"female", "male", "non_binary", "other", "prefer_not_to_say", "not_known"}, []int{880, 90, 10, 4, 6, 10})
	switch v.Gender {
	case "female":
		v.GivenName = pick(r, victimWomenNames())
	case "male":
		v.GivenName = pick(r, victimMenNames())
	default:
		v.GivenName = pick(r, unisexNames())
	}
	v.FamilyName = pick(r, append(familyNames(), moreFamilyNames()...))
	if his != "" && ((rel == victim.FamilyMember && r.IntN(100) < 60) || (rel != victim.FamilyMember && r.IntN(100) < 18)) {
		v.FamilyName = his
	}
	age := 19 + r.IntN(14) + r.IntN(28)
	if rel == victim.FamilyMember {
		age = 40 + r.IntN(35)
	}
	v.DateOfBirth = ReferenceDate().AddDays(-(referred + age*365 + r.IntN(365)))
	v.Ethnicity = pickWeighted(r, []string{"white", "asian", "black", "mixed", "other", "prefer_not_to_say", "not_known"}, []int{74, 9, 6, 4, 2, 2, 3})
	v.SexualOrientation = pickWeighted(r, []string{"heterosexual", "gay_lesbian", "bisexual", "other", "prefer_not_to_say", "not_known"}, []int{80, 4, 3, 1, 5, 7})
	v.Disability = pickWeighted(r, []string{"no", "yes", "prefer_not_to_say", "not_known"}, []int{60, 26, 4, 10})

	// Her case closes some weeks after his does, or after a declined
	// referral once the support has run its course; most stay open while
	// his case is open.
	switch {
	case c.State == casework.Closed && c.ClosedAt != nil:
		if at := timeAgo(c.ClosedAt) - between(r, 0, 45); at >= 1 && r.IntN(100) < 85 {
			p.closed = at
		}
	case c.State == casework.Declined && c.DecidedAt != nil:
		if d := timeAgo(c.DecidedAt); d > 100 && r.IntN(100) < 80 {
			p.closed = d - between(r, 20, 90)
		}
	}
	if p.closed == 0 {
		v.IDVAID = g.leastLoadedIDVA(site)
		site.load[v.IDVAID]++
	} else {
		v.IDVAID = site.idvas[r.IntN(len(site.idvas))].ID
	}

	// The DASH score at referral. A referral that gives a DASH score gives
	// the first victim-survivor's, so her first recorded DASH is the one
	// the panel decided on (the eligibility evidence and her risk history
	// never disagree about it); where the referral gave none, hers is
	// drawn afresh, giving about half at 14 or more overall.
	switch {
	case first && c.Evidence.DASHScore >= 0:
		p.dash = c.Evidence.DASHScore
	case c.Programme == "restart":
		p.dash = between(r, 3, 13)
	case r.IntN(100) < 33:
		p.dash = between(r, 14, 22)
	default:
		p.dash = between(r, 4, 13)
	}
	p.kids = g.planChildren(p, age, c.Evidence.KnownToChildrensSocialCare || c.Programme == "restart")
	return p
}

// leastLoadedIDVA allocates open cases evenly between the site's IDVAs.
func (g *generator) leastLoadedIDVA(site *victimSite) int64 {
	best := site.idvas[g.rng.IntN(len(site.idvas))].ID
	for _, u := range site.idvas {
		if site.load[u.ID] < site.load[best] {
			best = u.ID
		}
	}
	return best
}

// planChildren gives a victim-survivor 0 to 5 children under 18 (1.8 on
// average, about 2 a perpetrator case), none born before she was 16.
func (g *generator) planChildren(p *victimPlan, age int, knownToCare bool) []victim.Child {
	r := g.rng
	n := pickWeighted(r, []int{0, 1, 2, 3, 4, 5}, []int{24, 20, 26, 18, 8, 4})
	if p.links[0].rel == victim.FamilyMember {
		n = pickWeighted(r, []int{0, 1}, []int{80, 20})
	}
	ref := ReferenceDate()
	maxAge := min(17, age-16)
	if maxAge < 0 {
		return nil
	}
	var kids []victim.Child
	for i := 0; i < n; i++ {
		ch := victim.Child{GivenName: pick(r, childNames())}
		ch.DateOfBirth = ref.AddDays(-(r.IntN(maxAge+1)*365 + r.IntN(365) + 1))
		ch.Relationship = pickWeighted(r, []string{"both", "victim", "perpetrator"}, []int{60, 33, 7})
		weights := []int{35, 12, 18, 20, 5, 10}
		if knownToCare {
			weights = []int{8, 12, 30, 38, 6, 6}
		}
		ch.SocialCare = pickWeighted(r, victim.SocialCareStatuses(), weights)
		kids = append(kids, ch)
	}
	sort.Slice(kids, func(i, j int) bool { return kids[i].DateOfBirth.Before(kids[j].DateOfBirth) })
	return kids
}

// compartment invents where she lives and how to reach her. Phone numbers
// are in Ofcom's range for drama (07700 900000 to 900999), emails at
// example.org, and streets and postcode districts are the victims' own
// (see the package comment above).
func (g *generator) compartment(p *victimPlan, phone, safePhone int) victim.Compartment {
	r := g.rng
	site := p.site
	var c victim.Compartment
	town := pick(r, site.towns)
	home := victim.Address{Line1: fmt.Sprintf("%d %s", 1+r.IntN(160), pick(r, victimStreets())), Town: town,
		Postcode: g.victimPostcode(site), Current: true}
	if r.IntN(100) < 25 {
		home.Line2 = home.Line1
		home.Line1 = fmt.Sprintf("Flat %d, %s", 1+r.IntN(24), pick(r, victimBuildings()))
	}
	if r.IntN(100) < 7 {
		// In refuge: the refuge's address is held by the refuge service,
		// so only its name is recorded, beside the home she left.
		c.Refuge = pick(r, refuges()) + ", " + pick(r, site.towns)
		home.Current = false
		home.Note = "Left for refuge; the perpetrator knows this address"
		c.Addresses = []victim.Address{home}
	} else {
		c.Addresses = []victim.Address{home}
		if r.IntN(100) < 30 {
			c.Addresses = append(c.Addresses, victim.Address{Line1: fmt.Sprintf("%d %s", 1+r.IntN(160), pick(r, victimStreets())),
				Town: pick(r, site.towns), Postcode: g.victimPostcode(site), Note: "Previous address, shared with the perpetrator"})
		}
	}
	c.Phones = []string{fmt.Sprintf("07700 900%03d", phone)}
	if r.IntN(100) < 15 {
		c.Phones = append(c.Phones, fmt.Sprintf("07700 900%03d", safePhone))
	}
	if r.IntN(100) < 55 {
		c.Emails = []string{fmt.Sprintf("%s.%s%02d@example.org", emailPart(p.c.GivenName), emailPart(p.c.FamilyName), r.IntN(100))}
	}
	c.SafeContact = pick(r, safeContacts())
	if r.IntN(100) < 30 {
		c.Workplace = pick(r, site.towns) + " " + pick(r, workplaces())
	}
	if r.IntN(100) < 75 {
		c.GP = pick(r, gpNames()) + ", " + town
	}
	seen := map[string]bool{}
	for _, k := range p.kids {
		age := k.DateOfBirth.AgeOn(ReferenceDate())
		var school string
		switch {
		case age >= 11:
			school = pick(r, schoolNames()) + " " + pick(r, []string{"Academy", "High School"})
		case age >= 4:
			school = pick(r, schoolNames()) + " Primary School"
		default:
			continue
		}
		if !seen[school] {
			seen[school] = true
			c.Schools = append(c.Schools, school+", "+town)
		}
	}
	return c
}

// victimPostcode is a postcode in one of the site's districts 10 to 29.
func (g *generator) victimPostcode(site *victimSite) string {
	r := g.rng
	letters := "ABDEFGHJLNPQRSTUWXYZ"
	return fmt.Sprintf("%s%d %d%c%c", site.postcode, 10+r.IntN(20), r.IntN(10), letters[r.IntN(len(letters))], letters[r.IntN(len(letters))])
}

func emailPart(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// backdated is the seeder with its clock on a working-hours instant the
// given number of days before the reference date, and that instant.
func (g *generator) backdated(ago int) (*service.Seeder, time.Time, error) {
	at := g.dayAt(max(ago, 1))
	sd, err := g.sd.Backdated(at)
	return sd, at, err
}

// asIDVA writes, at the given instant, through the service as the IDVA
// with id: once the seeding transaction has committed, in the order
// asked (see generator.later).
func (g *generator) asIDVA(at time.Time, idva int64, write func(ctx context.Context, svc *service.Service, a service.Actor) error) {
	a := actorOf(g.idvas[idva])
	g.later = append(g.later, deferred{at: at, write: func(ctx context.Context, svc *service.Service) error { return write(ctx, svc, a) }})
}

// writeVictim writes one victim-survivor: her case, links, compartment,
// children, assessments, contacts, notes and safety plan, each dated when
// it happened, and closes her case if it has closed.
func (g *generator) writeVictim(ctx context.Context, p *victimPlan) error {
	r := g.rng
	ref := ReferenceDate()
	if err := p.comp.Validate(); err != nil {
		return fmt.Errorf("demo compartment: %w", err)
	}
	v := &p.c
	v.OpenedOn = ref.AddDays(-p.opened)
	then, opened, err := g.backdated(p.opened)
	if err != nil {
		return err
	}
	if err := then.CreateVictimCase(ctx, v); err != nil {
		return fmt.Errorf("demo victim-survivor: %w", err)
	}
	idva := v.IDVAID
	until := max(p.closed, 1) // the last day work is recorded on
	comp := p.comp
	g.asIDVA(opened, idva, func(ctx context.Context, svc *service.Service, a service.Actor) error {
		return svc.SetCompartment(ctx, a, v.ID, comp)
	})

	for i, l := range p.links {
		at := min(l.at, p.opened)
		link := victim.Link{VictimCaseID: v.ID, PerpetratorCase: l.c.ID, Relationship: l.rel, LivingTogether: l.living}
		if i == 0 && !l.c.Evidence.LastMARAC.IsZero() && daysAgo(l.c.Evidence.LastMARAC) >= at {
			heard := l.c.Evidence.LastMARAC
			if r.IntN(100) < 25 {
				link.MARACDates = append(link.MARACDates, heard.AddDays(-between(r, 120, 330)))
			}
			link.MARACDates = append(link.MARACDates, heard)
		}
		then, _, err := g.backdated(at)
		if err != nil {
			return err
		}
		if err := then.LinkVictim(ctx, link); err != nil {
			return fmt.Errorf("demo link: %w", err)
		}
		// A repeat hearing within a year of closure, for some closed cases.
		if ago := repeatHearing(l.c, g.outcomeOf(p.site.outcomes, l.c)); i == 0 && ago > 0 {
			then, _, err := g.backdated(ago)
			if err != nil {
				return err
			}
			if err := then.AddMARACDate(ctx, v.ID, l.c.ID, ref.AddDays(-ago)); err != nil {
				return err
			}
		}
		// A repeat hearing since the referral, for a few open cases.
		if i == 0 && p.closed == 0 && at > 30 && r.IntN(100) < 12 {
			heard := between(r, 5, min(at-7, 150))
			then, _, err := g.backdated(heard)
			if err != nil {
				return err
			}
			if err := then.AddMARACDate(ctx, v.ID, l.c.ID, ref.AddDays(-heard)); err != nil {
				return err
			}
		}
	}

	for _, ch := range p.kids {
		ch.VictimCaseID = v.ID
		if ch.Relationship != "victim" || p.links[0].living {
			ch.PerpetratorCase = p.links[0].c.ID
		}
		// Recorded when her case opened, or after the birth of a baby
		// born since.
		at := p.opened
		if born := daysAgo(ch.DateOfBirth); born < at {
			at = born - between(r, 1, 20)
		}
		then, _, err := g.backdated(at)
		if err != nil {
			return err
		}
		if err := then.CreateChild(ctx, &ch); err != nil {
			return fmt.Errorf("demo child: %w", err)
		}
	}

	// DASH at referral, and again at exit when his case has closed.
	firstDash := max(p.opened-between(r, 0, 4), until)
	if err := g.dash(p, p.dash, firstDash, idva); err != nil {
		return err
	}
	if c := p.primary; c.State == casework.Closed && c.ClosedAt != nil {
		exit := max(timeAgo(c.ClosedAt)+between(r, 0, 10), until)
		if exit < firstDash {
			score := max(0, p.dash-between(r, 2, 11))
			if r.IntN(100) < 15 {
				score = min(24, p.dash+between(r, 0, 3))
			}
			if err := g.dash(p, score, exit, idva); err != nil {
				return err
			}
		}
	}

	for _, l := range p.links {
		if err := g.behaviour(ctx, v.ID, l.c, idva, g.outcomeOf(p.site.outcomes, l.c)); err != nil {
			return err
		}
	}
	g.herVoice(v.ID, idva, p.opened, until)
	g.idvaContacts(p, idva, until)
	g.victimNotes(p, idva, until)
	if r.IntN(100) < 90 {
		at := max(p.opened-between(r, 1, 14), until)
		plan := g.words(p, safetyPlan(r, &p.comp))
		g.asIDVA(g.dayAt(max(at, 1)), idva, func(ctx context.Context, svc *service.Service, a service.Actor) error {
			return svc.SetSafetyPlan(ctx, a, v.ID, plan)
		})
	}
	if p.closed > 0 {
		v.Open, v.ClosedOn = false, ref.AddDays(-p.closed)
		then, _, err := g.backdated(p.closed)
		if err != nil {
			return err
		}
		if err := then.UpdateVictimCase(ctx, v); err != nil {
			return fmt.Errorf("demo victim-survivor closure: %w", err)
		}
	}
	return nil
}

// dashWeights are how often each DASH question is answered yes in the
// demo, so that the yes answers of a given score fall where they
// typically do: fear, control and escalation far more than cruelty to
// animals.
var dashWeights = map[string]int{
	"q1": 60, "q2": 80, "q3": 85, "q4": 60, "q5": 55, "q6": 60, "q7": 40, "q8": 60, "q9": 20, "q10": 60, "q11": 60, "q12": 85,
	"q13": 35, "q14": 45, "q15": 40, "q16": 30, "q17": 25, "q18": 35, "q19": 15, "q20": 50, "q21": 55, "q22": 25, "q23": 35, "q24": 60,
}

// dash records a DASH assessment with the given score on the day ago days
// before the reference date, with sealed comments, some of which say
// where she is.
func (g *generator) dash(p *victimPlan, score, ago int, by int64) error {
	r := g.rng
	q := risk.DASH2009()
	a := &risk.Assessment{VictimID: p.c.ID, Questionnaire: q.Code, Version: q.Version, AssessedOn: ReferenceDate().AddDays(-ago),
		AssessedBy: by, Answers: map[string]risk.Answer{}, Comments: map[string]string{}}
	remaining := make([]string, 0, len(q.Questions))
	for _, x := range q.Questions {
		remaining = append(remaining, x.ID)
	}
	for i := 0; i < score && len(remaining) > 0; i++ {
		weights := make([]int, len(remaining))
		for j, id := range remaining {
			weights[j] = dashWeights[id]
		}
		k := pickWeighted(r, indexes(len(remaining)), weights)
		a.Answers[remaining[k]] = risk.Yes
		remaining = append(remaining[:k], remaining[k+1:]...)
	}
	for _, id := range remaining {
		a.Answers[id] = pickWeighted(r, []risk.Answer{risk.No, risk.DontKnow}, []int{93, 7})
	}
	if a.Answers["q8"] == risk.Yes {
		for _, x := range q.Supplementary {
			switch n := r.IntN(10); {
			case n < 5:
				a.Answers[x.ID] = risk.Yes
			case n < 9:
				a.Answers[x.ID] = risk.No
			}
		}
	}
	for _, x := range q.Questions {
		if a.Answers[x.ID] == risk.Yes && r.IntN(100) < 30 {
			a.Comments[x.ID] = g.words(p, dashComment(r, x.ID, &p.comp))
		}
	}
	if band, _ := q.BandFor(score); band.Code == "medium" && r.IntN(100) < 15 {
		a.ProfessionalJudgement = "high"
		a.JudgementReason = pick(r, []string{
			"Recent non-fatal strangulation and threats to kill: judged high risk despite the score.",
			"Escalating stalking since separation and a breach of bail: judged high risk.",
			"She is pregnant and the abuse has become more frequent: judged high risk.",
		})
		if p.c.Gender != "female" && strings.HasPrefix(a.JudgementReason, "She is pregnant") {
			// Chosen after the draw, so the rest of the demo is the same.
			a.JudgementReason = g.words(p, "Threats to kill since {v.they} left, and the abuse has become more frequent: judged high risk.")
		}
	}
	id := p.c.ID
	g.asIDVA(g.dayAt(max(ago, 1)), by, func(ctx context.Context, svc *service.Service, actor service.Actor) error {
		if err := svc.AddDASH(ctx, actor, id, a); err != nil {
			return fmt.Errorf("demo DASH: %w", err)
		}
		return nil
	})
	return nil
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// behaviour records the baseline (T1) once work on his case started, and
// the exit (T3) once it closed, as the case's outcome says (outcomeOf:
// every victim-survivor of a case tells the same story, now and then
// with an answer not known), leaving out an exit the outcome says was
// never taken.
func (g *generator) behaviour(ctx context.Context, victimID int64, c *casework.Case, by int64, o *caseOutcome) error {
	r := g.rng
	if c.StartedAt == nil {
		return nil
	}
	ref := ReferenceDate()
	t1 := max(timeAgo(c.StartedAt)-between(r, 0, 14), 1)
	b1 := &risk.BehaviourAssessment{VictimID: victimID, CaseID: c.ID, TimePoint: "T1", AssessedOn: ref.AddDays(-t1), AssessedBy: by}
	for i, a := range []*risk.Tri{&b1.Physical, &b1.Sexual, &b1.Stalking, &b1.Controlling} {
		*a = g.answer(o.uses[0][i])
	}
	then, _, err := g.backdated(t1)
	if err != nil {
		return err
	}
	if err := then.SaveBehaviour(ctx, b1); err != nil {
		return fmt.Errorf("demo behaviour T1: %w", err)
	}
	if c.State != casework.Closed || c.ClosedAt == nil || o.noT3 {
		return nil
	}
	t3 := timeAgo(c.ClosedAt) + between(r, 0, 7)
	if t3 >= t1 {
		t3 = t1 - 1
	}
	if t3 < 1 {
		return nil
	}
	b3 := &risk.BehaviourAssessment{VictimID: victimID, CaseID: c.ID, TimePoint: "T3", AssessedOn: ref.AddDays(-t3), AssessedBy: by}
	for i, a := range []*risk.Tri{&b3.Physical, &b3.Sexual, &b3.Stalking, &b3.Controlling} {
		*a = g.answer(o.uses[1][i])
	}
	b3.RiskChange = g.riskRating(o)
	if then, _, err = g.backdated(t3); err != nil {
		return err
	}
	if err := then.SaveBehaviour(ctx, b3); err != nil {
		return fmt.Errorf("demo behaviour T3: %w", err)
	}
	return nil
}

// idvaContacts records the IDVA's contacts with her, about two a month
// while her case is open, in the first months most of all.
func (g *generator) idvaContacts(p *victimPlan, by int64, until int) {
	r := g.rng
	span := p.opened - until
	n := min(max(3, span/25+r.IntN(3)), 14)
	days := make([]int, n)
	for i := range days {
		// Squared, so contacts bunch towards the start of the support.
		f := r.Float64()
		days[i] = p.opened - int(f*f*float64(span))
	}
	sort.Sort(sort.Reverse(sort.IntSlice(days)))
	id := p.c.ID
	for _, day := range days {
		kind := pickWeighted(r, service.IDVAContactKinds(), []int{45, 15, 20, 20})
		text := g.words(p, idvaContactText(r, kind, &p.comp))
		on := ReferenceDate().AddDays(-max(day, 1))
		g.asIDVA(g.dayAt(max(day, 1)), by, func(ctx context.Context, svc *service.Service, a service.Actor) error {
			if err := svc.AddVictimEntry(ctx, a, id, "contact", &service.VictimEntry{On: on, Kind: kind}, text); err != nil {
				return fmt.Errorf("demo IDVA contact: %w", err)
			}
			return nil
		})
	}
}

// victimNotes writes a few sealed notes, now and then with a correction.
func (g *generator) victimNotes(p *victimPlan, by int64, until int) {
	r := g.rng
	id := p.c.ID
	for n := between(r, 1, 4); n > 0; n-- {
		day := between(r, until, p.opened)
		kind := pickWeighted(r, []string{"note", "safeguarding", "marac"}, []int{70, 20, 10})
		text := g.words(p, victimNoteText(r, kind, &p.comp))
		at := g.dayAt(max(day, 1))
		note := &service.VictimEntry{Kind: kind}
		g.asIDVA(at, by, func(ctx context.Context, svc *service.Service, a service.Actor) error {
			if err := svc.AddVictimEntry(ctx, a, id, "note", note, text); err != nil {
				return fmt.Errorf("demo victim note: %w", err)
			}
			return nil
		})
		if r.IntN(100) < 10 && day > 1 {
			// The note is dated the day it is written.
			fix := "Correction to the note of " + drive.DateOf(at).Display() + ": " + pick(r, victimCorrections())
			g.asIDVA(g.dayAt(day-1), by, func(ctx context.Context, svc *service.Service, a service.Actor) error {
				amend := &service.VictimEntry{Kind: kind, Amends: note.ID}
				if err := svc.AddVictimEntry(ctx, a, id, "note", amend, fix); err != nil {
					return fmt.Errorf("demo victim note correction: %w", err)
				}
				return nil
			})
		}
	}
}

// words fills in a victim-survivor's text with the pronouns of her record
// and of the perpetrator of her primary case.
func (g *generator) words(p *victimPlan, text string) string {
	he := pronouns{"they", "them", "their", "themselves", true}
	if p.primary != nil {
		if pr, ok := g.perpetrators[p.primary.PersonID]; ok {
			he = pr
		}
	}
	return say(text, he, pronounsOf(p.c.Gender))
}

// place is somewhere the compartment says she is, for the sealed texts
// that mention it.
func place(c *victim.Compartment) string {
	if c.Refuge != "" {
		return c.Refuge
	}
	for _, a := range c.Addresses {
		if a.Current {
			if a.Line2 != "" {
				return a.Line1 + ", " + a.Line2
			}
			return a.Line1
		}
	}
	return "the address on file"
}

func dashComment(r *rand.Rand, id string, c *victim.Compartment) string {
	switch id {
	case "q1":
		return pick(r, []string{"Bruising to both arms; seen at A&E.", "Cut lip and a sprained wrist; photographs taken by police."})
	case "q3":
		return "Afraid {p.they} will come back to " + place(c) + " when {p.they} {p.is} released."
	case "q7":
		return "{P.they} want{p.s} contact every weekend; the handovers have been where the incidents happen."
	case "q8":
		return pick(r, []string{"{P.they} {p.has} been seen outside " + place(c) + " three times this week.",
			"Dozens of calls a day; {p.they} found out {v.their} new number " + c.Phones[0] + " within a week."})
	case "q12":
		return "Checks {v.their} phone and bank account; tells {v.them} what to wear."
	case "q14":
		return "Said {p.they} would kill {v.them} and then {p.themselves}; {v.they} believe{v.s} {p.them}."
	case "q15":
		return "Strangled during the incident in the spring; {v.they} lost consciousness briefly."
	case "q23":
		return "Breached the non-molestation order by coming to " + place(c) + "."
	}
	return pick(r, []string{"Disclosed during the assessment.", "Confirmed by police records.", "{V.they} described this in {v.their} own words."})
}

func idvaContactText(r *rand.Rand, kind string, c *victim.Compartment) string {
	switch kind {
	case "call":
		return pick(r, []string{
			"Called on " + c.Phones[len(c.Phones)-1] + " within the safe times. No contact from {p.them} since the bail conditions; {v.they} feel{v.s} a little safer.",
			"Safety planning call: went through what to do if {p.they} turn{p.s} up; {v.they} {v.has} the police marker reference.",
			"Called to prepare {v.them} for the MARAC; {v.their} views will be shared by the IDVA.",
		})
	case "visit":
		return pick(r, []string{
			"Home visit at " + place(c) + " with the police officer: target hardening booked, locks to be changed.",
			"Met at the children's centre; went through the court process for the protective order.",
		})
	case "message":
		return pick(r, []string{"Text sent within the agreed times; {v.they} replied that {v.they} {v.is} fine.",
			"Sent the date of the court hearing by text, as {v.they} asked."})
	}
	return pick(r, []string{"No answer on " + c.Phones[0] + "; no message left, as agreed in the safety plan.",
		"Tried to call twice; will try again tomorrow in the safe window."})
}

func victimNoteText(r *rand.Rand, kind string, c *victim.Compartment) string {
	switch kind {
	case "safeguarding":
		if len(c.Schools) > 0 {
			return "Spoke to the designated safeguarding lead at " + c.Schools[0] + ": only {v.they} and {v.their} mother may collect the children."
		}
		return "Police marker placed on " + place(c) + "; the response officer knows the history."
	case "marac":
		return "MARAC actions fed back to {v.them}: police to review bail, housing to prioritise a move, a marker on " + place(c) + "."
	}
	return pick(r, []string{
		"{V.they} want{v.s} to stay where {v.they} {v.is} with extra security; sanctuary scheme referral made.",
		"Discussed the perpetrator programme {p.their} case manager is running; {v.they} {v.is} cautiously hopeful.",
		"Benefits advice booked; {v.they} {v.is} worried about the rent now {v.they} {v.is} on {v.their} own.",
		"{V.they} {v.is} sleeping better since the order; the children have settled.",
	})
}

func safetyPlan(r *rand.Rand, c *victim.Compartment) string {
	lines := []string{
		"Safe contact: " + c.SafeContact,
		"Code word agreed with {v.their} sister and the IDVA: " + pick(r, []string{"blue umbrella", "pancakes", "Aunt Jean", "the library book"}) + ".",
		"Emergency: call 999; if {v.they} cannot speak, press 55 when prompted.",
		"Police marker on " + place(c) + ".",
	}
	if len(c.Schools) > 0 {
		lines = append(lines, "School ("+strings.Join(c.Schools, "; ")+") has a copy of the order and the collection list.")
	}
	if r.IntN(2) == 0 {
		lines = append(lines, "Bag with documents, medication and spare keys kept at a neighbour's.")
	}
	return strings.Join(lines, "\n")
}

func victimCorrections() []string {
	return []string{"the hearing is next Tuesday, not Thursday.", "the sanctuary referral went to the council, not the housing association.",
		"it was the police officer, not the social worker, who visited with me."}
}

func victimWomenNames() []string {
	return []string{
		"Abigail", "Aisha", "Alison", "Amanda", "Amy", "Angela", "Bethany", "Caroline", "Charlotte", "Chelsea",
		"Claire", "Danielle", "Donna", "Eleanor", "Emma", "Fatima", "Gemma", "Georgia", "Hannah", "Hayley",
		"Holly", "Jade", "Jasmine", "Jennifer", "Joanne", "Julie", "Karen", "Katie", "Kelly", "Kirsty",
		"Laura", "Lauren", "Leanne", "Lisa", "Louise", "Lucy", "Maria", "Megan", "Michelle", "Naomi",
		"Natalie", "Nicola", "Nosheen", "Olivia", "Priya", "Rachel", "Rebecca", "Samantha", "Sarah", "Shabana",
		"Sophie", "Stacey", "Stephanie", "Tanya", "Tracey", "Vicky", "Yasmin", "Zoe", "Agnieszka", "Chidinma",
	}
}

func victimMenNames() []string {
	return []string{"Adam", "Ben", "Callum", "Daniel", "Gareth", "Imran", "James", "Liam", "Mark", "Owen", "Paul", "Ryan", "Tom"}
}

func unisexNames() []string {
	return []string{"Alex", "Charlie", "Jordan", "Morgan", "Robin", "Sam", "Jess", "Frankie"}
}

func childNames() []string {
	return []string{
		"Alfie", "Amelia", "Archie", "Ava", "Ayaan", "Charlie", "Ella", "Evie", "Freddie", "George",
		"Grace", "Harper", "Harry", "Isabella", "Isla", "Jack", "Jacob", "Layla", "Leo", "Lily",
		"Logan", "Maisie", "Mia", "Mohammed", "Noah", "Oliver", "Oscar", "Poppy", "Riley", "Rosie",
		"Ruby", "Sophia", "Theo", "Tommy", "Zainab", "Zara",
	}
}

// victimStreets are the victim-survivors' streets: none is a street of
// the perpetrators' list (streetNames).
func victimStreets() []string {
	return []string{
		"Larkspur Close", "Kestrel Drive", "Primrose Gardens", "Heather Bank", "Foxglove Way", "Sandpiper Court",
		"Bluebell Rise", "Linnet Grove", "Alder Crescent", "Meadowsweet Lane", "Hawthorn Mews", "Campion Road",
		"Wagtail Street", "Juniper Walk", "Skylark Avenue", "Cowslip Lane", "Plover Way", "Rowan Gardens",
	}
}

func victimBuildings() []string {
	return []string{"Beacon Court", "Greystone House", "Riverside Mill", "Holly Lodge", "St Mary's Court"}
}

func refuges() []string {
	return []string{"Harbour House refuge", "Beacon House refuge", "Haven Lodge refuge", "Willow Place refuge"}
}

func safeContacts() []string {
	return []string{
		"Text first from a withheld number; calls only 10:00 to 14:00 on weekdays while he is at work.",
		"Call her mobile any time; never leave a voicemail.",
		"Only the safe phone; if a man answers, say it is the dentist's surgery.",
		"Email only; she checks it at work. No letters to the house.",
		"Call between 09:30 and 11:30 after the school run; text before visiting.",
	}
}

func workplaces() []string {
	return []string{"Leisure Centre", "Library", "Garden Centre", "Care Home", "Community Hospital", "Sorting Office", "Retail Park"}
}

func gpNames() []string {
	return []string{"Larkhill Medical Centre", "Beechwood Surgery", "Parkview Health Centre", "Marketgate Medical Practice", "Fernlea Surgery", "Greenbank Family Practice"}
}

func schoolNames() []string {
	return []string{"Brookfield", "Ashfield", "Moorgate", "Holly Bank", "Greenway", "Castle View", "Westfield", "St Anne's"}
}
