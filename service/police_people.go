package service

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/store"
)

// SuspectIncident is one of a suspect's incidents on his page, with a
// letter for the victim the linker found (A, B, ...), so an analyst can
// see which incidents it thinks share a victim.
type SuspectIncident struct {
	store.PoliceIncident
	VictimLabel string
}

// SuspectView is what an analyst reads to judge who a suspect is: every
// incident that names him, as written, his score now, and the rulings
// made on him.
type SuspectView struct {
	Person    store.PolicePerson
	Score     identify.Score
	Incidents []SuspectIncident // newest first
	Decisions []store.Ruling
	// Hearings are the MARAC hearings naming him as perpetrator, newest
	// first.
	Hearings []store.MARACHearing
	Users    map[int64]string
	// CanDecide: the actor may confirm or split this identity.
	CanDecide bool
	// MovedTo is set, and nothing else, when a resolution gave all his
	// mentions to another person: the person who holds them now.
	MovedTo int64
}

// policePerson loads a suspect the actor may read or write. Victims
// resolved from police data have no page of their own. Errors: ENOTFOUND.
func (s *Service) policePerson(ctx context.Context, tx *store.Tx, a Actor, want access.Action, id int64) (*store.PolicePerson, access.Decision, error) {
	p, err := tx.PolicePerson(ctx, id)
	if err != nil || p.Role != string(identify.SuspectRole) {
		return nil, access.Decision{}, drive.NotFound("person")
	}
	r := access.Resource{Class: access.PoliceIntel, RecordType: "police_person", RecordID: strconv.FormatInt(id, 10), SiteID: p.SiteID}
	d, err := s.decide(ctx, tx, a, want, r, "person")
	return p, d, err
}

// Suspect returns a suspect's page as of a date, and records the read.
// Errors: ENOTFOUND for a person the actor may not see.
func (s *Service) Suspect(ctx context.Context, a Actor, id int64) (*SuspectView, error) {
	v := &SuspectView{Users: map[int64]string{}}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		p, d, err := s.policePerson(ctx, tx, a, access.Read, id)
		if err != nil {
			return err
		}
		v.Person = *p
		if p.MergedInto != 0 {
			// His mentions are someone else's now: send the reader there.
			v.MovedTo, err = tx.CurrentPerson(ctx, id)
			return err
		}
		rows, err := tx.PersonIncidents(ctx, id)
		if err != nil {
			return err
		}
		rows = slices.DeleteFunc(rows, func(r store.PoliceIncident) bool { return r.SuspectPerson != id })
		labels := map[int64]string{}
		for _, r := range rows {
			if _, ok := labels[r.VictimPerson]; !ok && r.VictimPerson != 0 {
				labels[r.VictimPerson] = victimLabel(len(labels))
			}
		}
		for i := len(rows) - 1; i >= 0; i-- {
			v.Incidents = append(v.Incidents, SuspectIncident{rows[i], labels[rows[i].VictimPerson]})
		}
		if v.Score, err = scorePerson(ctx, tx, id, drive.DateOf(tx.Now)); err != nil {
			return err
		}
		hs, err := tx.PersonHearings(ctx, id)
		if err != nil {
			return err
		}
		for i := len(hs) - 1; i >= 0; i-- {
			v.Hearings = append(v.Hearings, hs[i])
		}
		all, err := tx.Rulings(ctx, p.SiteID)
		if err != nil {
			return err
		}
		for _, dd := range all {
			if dd.PersonID == id {
				v.Decisions = append(v.Decisions, dd)
			}
		}
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			v.Users[u.ID] = u.DisplayName
		}
		r := access.Resource{Class: access.PoliceIntel, RecordType: "police_person", RecordID: strconv.FormatInt(id, 10), SiteID: p.SiteID}
		v.CanDecide = access.Decide(a.Subject, access.Write, r, tx.Now).Allowed
		return record(ctx, tx, a, d, audit.ActionRecordRead, "police_person", id, p.SiteID, "")
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "police_person", id)
	}
	return v, err
}

// victimLabel names the n-th distinct victim: A, B, ..., Z, AA, AB, ...
func victimLabel(n int) string {
	if n < 26 {
		return string(rune('A' + n))
	}
	return victimLabel(n/26-1) + string(rune('A'+n%26))
}

// Ruling is what an analyst asks for on a suspect's page.
type Ruling struct {
	Role      identify.Role
	Kind      identify.DecisionKind
	Incidents []int64
	Reason    string
}

// Rule applies an analyst's ruling on a suspect at once and
// keeps it, so every later resolution replays it:
//   - confirm, suspect: all his incidents are him (the identity is marked
//     confirmed);
//   - split, suspect: the chosen incidents are another man (a new person);
//   - confirm, victim: the victims of the chosen incidents are one woman
//     (every incident naming any of them moves to one victim);
//   - split, victim: the victim of the chosen incidents is someone else
//     than the linker thought.
//
// It returns the person the chosen incidents now belong to. Errors:
// ENOTFOUND for a person the actor may not change; EINVALID for a ruling
// that does not fit his incidents.
func (s *Service) Rule(ctx context.Context, a Actor, id int64, in Ruling) (int64, error) {
	var result int64
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		p, d, err := s.policePerson(ctx, tx, a, access.Write, id)
		if err != nil {
			return err
		}
		if err := tx.LockSitePeople(ctx, p.SiteID); err != nil {
			return err
		}
		in.Reason = strings.TrimSpace(in.Reason)
		if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 2000 || !utf8.ValidString(in.Reason) || strings.ContainsRune(in.Reason, 0) {
			return drive.Invalid("The decision was not saved", map[string]string{"reason": "Say why, in up to 2,000 characters: what tells you who this is"})
		}
		if err := (identify.Decision{Role: in.Role, Kind: in.Kind, Mentions: make([]int, len(in.Incidents))}).Validate(); err != nil {
			return err
		}
		rows, err := tx.PersonIncidents(ctx, id)
		if err != nil {
			return err
		}
		his := map[int64]store.PoliceIncident{}
		for _, r := range rows {
			if r.SuspectPerson == id {
				his[r.ID] = r
			}
		}
		chosen := map[int64]bool{}
		for _, iid := range in.Incidents {
			r, ok := his[iid]
			if !ok {
				return drive.Invalid("The decision was not saved", map[string]string{"incidents": "Choose incidents from this person's list"})
			}
			if in.Role == identify.VictimRole && r.VictimPerson == 0 {
				return drive.Invalid("The decision was not saved", map[string]string{"incidents": "Choose incidents that name a victim"})
			}
			chosen[iid] = true
		}
		var moves []store.PersonAssignment
		move := func(to int64) {
			for iid := range chosen {
				r := his[iid]
				a := store.PersonAssignment{Incident: iid, Suspect: r.SuspectPerson, Victim: r.VictimPerson}
				if in.Role == identify.SuspectRole {
					a.Suspect = to
				} else {
					a.Victim = to
				}
				moves = append(moves, a)
			}
			slices.SortFunc(moves, func(x, y store.PersonAssignment) int { return cmp.Compare(x.Incident, y.Incident) })
		}
		switch {
		case in.Role == identify.SuspectRole && in.Kind == identify.Confirm:
			if len(chosen) != len(his) {
				return drive.Invalid("The decision was not saved", map[string]string{"incidents": "To confirm who this person is, keep every incident ticked; to say some are someone else, split them off"})
			}
			if err := tx.SetConfirmed(ctx, id, a.UserID); err != nil {
				return err
			}
			result = id
		case in.Role == identify.SuspectRole:
			if len(chosen) == len(his) {
				return drive.Invalid("The decision was not saved", map[string]string{"incidents": "Leave at least one incident with this person: split off only the ones that are someone else"})
			}
			ids, err := tx.NewPolicePeople(ctx, p.SiteID, string(identify.SuspectRole), 1)
			if err != nil {
				return err
			}
			result = ids[0]
			move(result)
			if err := tx.SetConfirmed(ctx, id, 0); err != nil {
				return err
			}
		case in.Kind == identify.Confirm:
			// The victims the ticked incidents name are one woman: every
			// incident naming any of them, with this man or another,
			// moves to the victim of the earliest ticked incident.
			victims := map[int64]bool{}
			for iid := range chosen {
				victims[his[iid].VictimPerson] = true
			}
			if len(victims) < 2 {
				return drive.Invalid("The decision was not saved", map[string]string{"incidents": "Tick incidents naming two or more of the victims (different letters) that are the same woman"})
			}
			result = his[slices.Min(in.Incidents)].VictimPerson
			for v := range victims {
				rows, err := tx.PersonIncidents(ctx, v)
				if err != nil {
					return err
				}
				for _, r := range rows {
					if r.VictimPerson == v {
						his[r.ID], chosen[r.ID] = r, true
					}
				}
			}
			move(result)
		default:
			ids, err := tx.NewPolicePeople(ctx, p.SiteID, string(identify.VictimRole), 1)
			if err != nil {
				return err
			}
			result = ids[0]
			move(result)
		}
		if err := tx.AssignPeople(ctx, moves); err != nil {
			return err
		}
		ids := make([]int64, 0, len(chosen))
		for iid := range chosen {
			ids = append(ids, iid)
		}
		slices.Sort(ids)
		if err := tx.AddRuling(ctx, &store.Ruling{SiteID: p.SiteID, Role: string(in.Role), Kind: string(in.Kind),
			PersonID: id, Incidents: ids, Reason: in.Reason, UserID: a.UserID}); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "police_person", id, p.SiteID, "")
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "police_person", id)
	}
	return result, err
}

// MovePrior is the share of suspects known at one site that are taken to
// be known at some other site too, before any comparison: the prior of a
// cross-site match. Men who abuse move between partners and areas; one in
// twenty is a cautious figure that lets an exact name and date of birth
// through while a common name with no date of birth stays apart.
const MovePrior = 0.05

// CrossSiteOdds are the odds at or above which two sites' suspects are
// taken to be one man: nine to one, the linker's own default threshold.
const CrossSiteOdds = 9.0

// matchAcrossSites finds the suspects known to police at more than one
// site. Each site's suspects are written as up to RepresentativeLines
// lines each (the ways he is most often written: name and date of birth,
// with his latest postcode) and linked all together. Linking within sites
// too is deliberate: a man's own lines are true matches the linker learns
// from how names and dates vary between two records of one person, which
// pairs across sites alone are far too few to teach it (the learned
// weights then describe "shares a given name", not "is the same man").
// Only pairs across sites are then judged, with a prior that fits the
// question: of a man known at one site, about MovePrior are known at some
// other site too, spread over that site's suspects; pairs at CrossSiteOdds
// or better join their suspects into a group, and a date of birth that
// plainly differs keeps two men apart. It replaces the previous answer and
// returns the number of suspects in groups, and each of them.
func matchAcrossSites(ctx context.Context, tx *store.Tx) (int, []MatchedSuspect, error) {
	sites, err := tx.Sites(ctx)
	if err != nil {
		return 0, nil, err
	}
	if len(sites) > 255 {
		return 0, nil, drive.Errorf(drive.EINTERNAL, "matching across sites handles up to 255 sites")
	}
	// With fewer than two sites holding incidents nobody can be known at
	// two, and reading every incident (which grows with the sites' data)
	// would find nothing: the previous answer is cleared.
	if n, err := tx.SitesWithIncidents(ctx); err != nil {
		return 0, nil, err
	} else if n < 2 {
		return 0, nil, tx.SetNationalMatches(ctx, map[int64]int64{})
	}
	t, err := linkage.NewTable([]linkage.Field{{Name: "given", Kind: linkage.KindGiven}, {Name: "family", Kind: linkage.KindSurname},
		{Name: "dob", Kind: linkage.KindDate}, {Name: "postcode", Kind: linkage.KindPostcode}})
	if err != nil {
		return 0, nil, err
	}
	var owner []int            // each line's suspect, as an index into people
	var people, siteOf []int64 // each suspect, and his site
	perSite := map[int]int{}   // suspects per source
	withData := 0
	for n, site := range sites {
		rows, err := tx.SitePoliceIncidents(ctx, site.ID, drive.Date{})
		if err != nil {
			return 0, nil, err
		}
		// Anonymised records have no names left to match on.
		rows = slices.DeleteFunc(rows, func(r store.PoliceIncident) bool { return r.Anonymised })
		if len(rows) > 0 {
			withData++
		}
		for _, rep := range representatives(rows) {
			perSite[n+1]++
			for k, line := range rep.lines {
				if err := t.Add(n+1, strconv.FormatInt(rep.id, 10)+"/"+strconv.Itoa(k), []string{line.GivenName, line.FamilyName, line.DOB.String(), line.Postcode}); err != nil {
					return 0, nil, err
				}
				owner = append(owner, len(people))
			}
			people, siteOf = append(people, rep.id), append(siteOf, site.ID)
		}
	}
	groups := map[int64]int64{}
	var matched []MatchedSuspect
	if withData >= 2 && t.Len() >= 2 {
		res, err := linkage.Link(ctx, t, linkage.Options{Seed: 1, Threshold: 0.01})
		if err != nil {
			return 0, nil, err
		}
		members := map[int][]int{}
		for i, c := range res.Cluster {
			members[c] = append(members[c], i)
		}
		parent := make([]int, len(people))
		for i := range parent {
			parent[i] = i
		}
		find := func(i int) int {
			for parent[i] != i {
				parent[i] = parent[parent[i]]
				i = parent[i]
			}
			return i
		}
		const dob = 2 // the field index of the date of birth
		for _, m := range members {
			for x, i := range m {
				for _, j := range m[x+1:] {
					if t.Source(i) == t.Source(j) || res.DatesDiffer(i, j, dob) {
						continue
					}
					prior := math.Log2(MovePrior / float64(max(perSite[t.Source(i)], perSite[t.Source(j)])))
					if res.Evidence(i, j)+prior >= math.Log2(CrossSiteOdds) {
						parent[find(owner[i])] = find(owner[j])
					}
				}
			}
		}
		byRoot := map[int][]int{}
		for i := range people {
			byRoot[find(i)] = append(byRoot[find(i)], i)
		}
		for _, m := range byRoot {
			if len(m) < 2 {
				continue
			}
			low := people[m[0]]
			for _, i := range m {
				low = min(low, people[i])
			}
			for _, i := range m {
				groups[people[i]] = low
				matched = append(matched, MatchedSuspect{PersonID: people[i], SiteID: siteOf[i], Group: low})
			}
		}
	}
	slices.SortFunc(matched, func(x, y MatchedSuspect) int {
		return cmp.Or(cmp.Compare(x.Group, y.Group), cmp.Compare(x.PersonID, y.PersonID))
	})
	return len(groups), matched, tx.SetNationalMatches(ctx, groups)
}

// MatchedSuspect is a suspect known at more than one site: his police
// person at one site, and his group (the lowest person id among the
// group's members, the same at every site).
type MatchedSuspect struct {
	PersonID, SiteID, Group int64
}

// RepresentativeLines is how many ways of writing a suspect matching
// across sites compares: enough to carry the usual variants (a nickname, a
// mistyped date), few enough that a prolific man's dozens of incidents do
// not swamp the table.
const RepresentativeLines = 3

type representative struct {
	id    int64
	lines []incident.Person
}

// representatives gives each suspect at a site the ways he is most often
// written (name and date of birth, most frequent first, the latest on a
// tie), each with his latest postcode.
func representatives(rows []store.PoliceIncident) []representative {
	type variant struct {
		p     incident.Person
		n     int
		order int
	}
	type tally struct {
		variants map[string]*variant
		postcode string
	}
	by := map[int64]*tally{}
	var order []int64
	for i, r := range rows { // oldest first
		if r.SuspectPerson == 0 {
			continue
		}
		t := by[r.SuspectPerson]
		if t == nil {
			t = &tally{variants: map[string]*variant{}}
			by[r.SuspectPerson] = t
			order = append(order, r.SuspectPerson)
		}
		key := r.Suspect.GivenName + "\x00" + r.Suspect.FamilyName + "\x00" + r.Suspect.DOB.String()
		v := t.variants[key]
		if v == nil {
			v = &variant{p: incident.Person{GivenName: r.Suspect.GivenName, FamilyName: r.Suspect.FamilyName, DOB: r.Suspect.DOB}}
			t.variants[key] = v
		}
		v.n, v.order = v.n+1, i
		if r.Suspect.Postcode != "" {
			t.postcode = r.Suspect.Postcode
		}
	}
	out := make([]representative, len(order))
	for i, id := range order {
		t := by[id]
		vs := make([]*variant, 0, len(t.variants))
		for _, v := range t.variants {
			vs = append(vs, v)
		}
		slices.SortFunc(vs, func(a, b *variant) int {
			if r := cmp.Compare(b.n, a.n); r != 0 {
				return r
			}
			return cmp.Compare(b.order, a.order)
		})
		rep := representative{id: id}
		for _, v := range vs[:min(len(vs), RepresentativeLines)] {
			v.p.Postcode = t.postcode
			rep.lines = append(rep.lines, v.p)
		}
		out[i] = rep
	}
	return out
}

// NationalSite is what the national team sees of a cross-site suspect at
// one site: counts and flags, never who he is or what he did.
type NationalSite struct {
	SiteID          int64
	SiteName        string
	Incidents       int
	DistinctVictims int
	Serial          bool
	Escalating      bool
	Total           float64
	LastIncident    drive.Date
}

// NationalMatch is one man known to police at two or more sites.
type NationalMatch struct {
	Group int
	Sites []NationalSite
	// Serial across sites: his distinct victims at all sites together
	// reach the strategy's serial threshold, though perhaps at no one
	// site alone.
	Serial  bool
	Victims int
}

// CanSeeNationalMatches says whether a user may see the suspects known at
// more than one site: the national team, with national aggregate access.
func CanSeeNationalMatches(sub access.Subject) bool {
	_, national := sub.SitesFor(access.Aggregates, access.Read)
	if !national {
		return false
	}
	for _, g := range sub.Grants {
		if g.Role == access.National && g.SiteID == 0 {
			return true
		}
	}
	return false
}

// NationalMatches lists the suspects known at more than one site for the
// national team, each site's part scored as of today, most victims first.
// It needs aggregate read nationally. Errors: ENOTFOUND otherwise.
//
// Each match is one man, so it is more than an aggregate: only the
// national team sees it (not commissioners or evaluators, whose national
// access is to totals), and it never carries who he is.
func (s *Service) NationalMatches(ctx context.Context, a Actor) ([]NationalMatch, error) {
	if !CanSeeNationalMatches(a.Subject) {
		return nil, drive.NotFound("page")
	}
	strategy := identify.Default()
	var out []NationalMatch
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		people, err := tx.NationalMatchPeople(ctx)
		if err != nil {
			return err
		}
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, st := range sites {
			names[st.ID] = st.Name
		}
		index := map[int64]int{}
		for _, p := range people {
			sc, err := scorePerson(ctx, tx, p.ID, drive.DateOf(tx.Now))
			if err != nil {
				return err
			}
			k, ok := index[p.NationalMatch]
			if !ok {
				k = len(out)
				index[p.NationalMatch] = k
				out = append(out, NationalMatch{})
			}
			m := &out[k]
			m.Victims += sc.DistinctVictims
			if n := len(m.Sites); n > 0 && m.Sites[n-1].SiteID == p.SiteID {
				ns := &m.Sites[n-1] // two people at one site in one group
				ns.Incidents += sc.Incidents
				ns.DistinctVictims += sc.DistinctVictims
				ns.Serial, ns.Escalating = ns.Serial || sc.Serial, ns.Escalating || sc.Escalating
				ns.Total = max(ns.Total, sc.Total)
				if sc.LastIncident.After(ns.LastIncident) {
					ns.LastIncident = sc.LastIncident
				}
				continue
			}
			m.Sites = append(m.Sites, NationalSite{SiteID: p.SiteID, SiteName: names[p.SiteID], Incidents: sc.Incidents,
				DistinctVictims: sc.DistinctVictims, Serial: sc.Serial, Escalating: sc.Escalating, Total: sc.Total, LastIncident: sc.LastIncident})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Serial = out[i].Victims >= strategy.SerialMinVictims
	}
	slices.SortStableFunc(out, func(x, y NationalMatch) int {
		if r := cmp.Compare(y.Victims, x.Victims); r != 0 {
			return r
		}
		return cmp.Compare(len(y.Sites), len(x.Sites))
	})
	for i := range out {
		out[i].Group = i + 1
	}
	return out, s.listed(ctx, a, "identification", "national matches", len(out))
}
