package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// Every case's person is linked to the police people the site's extracts
// name, whatever the case's source, so that a new incident can raise an
// alert and the police outcome measures can be computed; likewise each
// open IDVA case's victim-survivor to the victims named in incidents and
// MARAC lists, on the IDVA side of the wall. The rules are the linker's
// (linkage.Index): at or above linkage.LinkAt a pair is linked, from
// linkage.SuggestAt it is suggested until an analyst or team leader (on
// the victim side, a reader of the victim compartment) decides it.
// Linking runs at referral, after every import, and for a whole database
// by `drive link-cases`; each run replays what people decided.

// The sides of the wall links are on, for adapters that do not reach
// the store: a person on a case, or a victim-survivor's IDVA case.
const (
	PersonLinks = store.PersonSide
	VictimLinks = store.VictimSide
)

// LinkFound is one pair a linking run recorded, for the command line's
// report: the Drive record (a person, or a victim case), the police
// person and what the pair is now.
type LinkFound struct {
	Side         store.LinkSide
	SiteID       int64
	Subject      int64
	PolicePerson int64
	Status       linkage.LinkStatus
	Weight       float64
	Evidence     string
}

// LinkRun is what a linking run found, over one site or all of them.
type LinkRun struct {
	// Pairs are the linked and suggested pairs of the records linked, by
	// side, site and record.
	Pairs []LinkFound
	// People and Victims count the records linked on each side.
	People, Victims int
}

// Count returns how many pairs of a side have a status.
func (r *LinkRun) Count(side store.LinkSide, st linkage.LinkStatus) int {
	n := 0
	for _, p := range r.Pairs {
		if p.Side == side && p.Status == st {
			n++
		}
	}
	return n
}

// LinkCases links the people of every open case and every open IDVA case
// at the site with code siteCode (every site for ""), as `drive
// link-cases` does for a database that held cases before linking came.
// Audited as "police_links.run" for each site. Only a trusted entry point
// may ask. Errors: ENOTFOUND for another actor or no such site.
func (s *Service) LinkCases(ctx context.Context, a Actor, siteCode string) (*LinkRun, error) {
	if err := trusted(a, "site"); err != nil {
		return nil, err
	}
	out := &LinkRun{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var sites []int64
		if siteCode != "" {
			id, err := systemSite(ctx, tx, a, siteCode)
			if err != nil {
				return err
			}
			sites = []int64{id}
		} else {
			all, err := tx.Sites(ctx)
			if err != nil {
				return err
			}
			for _, st := range all {
				sites = append(sites, st.ID)
			}
		}
		for _, id := range sites {
			run, err := linkSite(ctx, tx, id)
			if err != nil {
				return err
			}
			out.Pairs = append(out.Pairs, run.Pairs...)
			out.People += run.People
			out.Victims += run.Victims
			if err := tx.Audit(ctx, systemEvent(a, "police_links.run", id, fmt.Sprintf("%d people and %d victim-survivors: %d linked, %d suggested",
				run.People, run.Victims, run.Count(store.PersonSide, linkage.Linked)+run.Count(store.VictimSide, linkage.Linked),
				run.Count(store.PersonSide, linkage.Suggested)+run.Count(store.VictimSide, linkage.Suggested)))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out.Pairs, func(x, y LinkFound) int {
		return cmp.Or(cmp.Compare(x.SiteID, y.SiteID), cmp.Compare(x.Side, y.Side), cmp.Compare(x.Subject, y.Subject),
			cmp.Compare(y.Weight, x.Weight), cmp.Compare(x.PolicePerson, y.PolicePerson))
	})
	return out, nil
}

// linkSite links every open case's person and every open IDVA case's
// victim-survivor at a site, in the caller's transaction. Imports call it
// after resolving the site's people.
func linkSite(ctx context.Context, tx *store.Tx, siteID int64) (*LinkRun, error) {
	ids, err := tx.OpenCasePeople(ctx, siteID)
	if err != nil {
		return nil, err
	}
	run := &LinkRun{}
	if len(ids) > 0 {
		if err := linkPeople(ctx, tx, siteID, ids, run); err != nil {
			return nil, err
		}
	}
	vs, err := tx.OpenVictimCases(ctx, siteID)
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		if err := linkVictims(ctx, tx, siteID, vs, run); err != nil {
			return nil, err
		}
	}
	return run, nil
}

// linkReferred links the person of a new referral, in the referral's
// transaction.
func linkReferred(ctx context.Context, tx *store.Tx, siteID, personID int64) error {
	return linkPeople(ctx, tx, siteID, []int64{personID}, &LinkRun{})
}

// linkPeople links people of a site to its suspects. A person referred
// from the identification list is linked to the suspect he was referred
// as (his case's entry score names him), whatever the rules say.
func linkPeople(ctx context.Context, tx *store.Tx, siteID int64, ids []int64, run *LinkRun) error {
	ms, err := tx.SuspectMentions(ctx, siteID)
	if err != nil {
		return err
	}
	listed, err := listedSuspects(ctx, tx, siteID, ids)
	if err != nil {
		return err
	}
	if len(ms) == 0 && len(listed) == 0 {
		run.People += len(ids)
		return nil
	}
	ix := linkage.NewIndex(mentionsOf(ms))
	all, err := tx.PeopleAtSites(ctx, []int64{siteID})
	if err != nil {
		return err
	}
	byID := make(map[int64]*people.Person, len(all))
	for _, p := range all {
		byID[p.ID] = p
	}
	for _, id := range ids {
		p := byID[id]
		if p == nil {
			continue // merged away since
		}
		found := ix.Match(personWho(p))
		for _, police := range listed[id] {
			i := slices.IndexFunc(found, func(f linkage.Found) bool { return f.Person == police })
			if i < 0 {
				found = append(found, linkage.Found{Person: police, Weight: linkage.LinkAt})
				i = len(found) - 1
			}
			found[i].Status = linkage.Linked
			found[i].Evidence = append([]string{"identification list"}, found[i].Evidence...)
		}
		if err := putLinks(ctx, tx, store.PersonSide, siteID, id, found, run); err != nil {
			return err
		}
		run.People++
	}
	return nil
}

// listedSuspects returns, for people on cases referred from the
// identification list, the police people their entry scores name, as
// they stand now (after any merge).
func listedSuspects(ctx context.Context, tx *store.Tx, siteID int64, ids []int64) (map[int64][]int64, error) {
	all, err := tx.ListedSuspects(ctx, siteID)
	if err != nil {
		return nil, err
	}
	out := map[int64][]int64{}
	for _, id := range ids {
		for _, police := range all[id] {
			cur, err := tx.CurrentPerson(ctx, police)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(out[id], cur) {
				out[id] = append(out[id], cur)
			}
		}
	}
	return out, nil
}

// linkVictims links a site's open IDVA cases to the victims its incidents
// and MARAC lists name. A victim-survivor's addresses are never compared:
// extracts keep no victim address, and hers stay sealed.
func linkVictims(ctx context.Context, tx *store.Tx, siteID int64, vs []victim.Case, run *LinkRun) error {
	ms, err := tx.VictimMentions(ctx, siteID)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		run.Victims += len(vs)
		return nil
	}
	ix := linkage.NewIndex(mentionsOf(ms))
	for _, v := range vs {
		found := ix.Match(linkage.Who{Names: []linkage.Name{{Given: v.GivenName, Family: v.FamilyName}}, DOB: v.DateOfBirth})
		if err := putLinks(ctx, tx, store.VictimSide, siteID, v.ID, found, run); err != nil {
			return err
		}
		run.Victims++
	}
	return nil
}

func mentionsOf(ms []store.PoliceMention) []linkage.Mention {
	out := make([]linkage.Mention, len(ms))
	for i, m := range ms {
		out[i] = linkage.Mention{Person: m.Person, Who: linkage.Who{Names: []linkage.Name{{Given: m.GivenName, Family: m.FamilyName}}, DOB: m.DOB}}
		if m.Postcode != "" {
			out[i].Postcodes = []string{m.Postcode}
		}
	}
	return out
}

// personWho is what the rules compare of a Drive person: names and other
// names, date of birth and the postcodes of his addresses.
func personWho(p *people.Person) linkage.Who {
	w := linkage.Who{Names: []linkage.Name{{Given: p.GivenName, Family: p.FamilyName}}, DOB: p.DateOfBirth}
	for _, al := range p.Aliases {
		if n := linkage.ParseAlias(al); n != (linkage.Name{}) {
			w.Names = append(w.Names, n)
		}
	}
	for _, ad := range p.Addresses {
		if ad.Postcode != "" {
			w.Postcodes = append(w.Postcodes, ad.Postcode)
		}
	}
	return w
}

// putLinks replays one record's links over what the rules found now:
// links pointing at a police person a resolution has merged away move to
// the person who holds his mentions (a decision goes with them); decided
// links stay as decided (a rejected pair is never suggested again, a
// confirmed one never undone); undecided links take the new answer, and
// those the rules no longer find are removed.
func putLinks(ctx context.Context, tx *store.Tx, side store.LinkSide, siteID, subject int64, found []linkage.Found, run *LinkRun) error {
	held, err := tx.PoliceLinks(ctx, side, subject)
	if err != nil {
		return err
	}
	byPolice := map[int64]*store.PoliceLink{}
	for i := range held {
		l := &held[i]
		cur, err := tx.CurrentPerson(ctx, l.PolicePerson)
		if err != nil {
			return err
		}
		if cur != l.PolicePerson {
			if other := byPolice[cur]; other != nil {
				// Two links now name one man: keep the decided one.
				drop, keep := l, other
				if other.DecidedBy == 0 && l.DecidedBy != 0 {
					drop, keep = other, l
				}
				if err := tx.DeletePoliceLink(ctx, side, drop.ID); err != nil {
					return err
				}
				if keep == l {
					if err := tx.MovePoliceLink(ctx, side, l.ID, cur); err != nil {
						return err
					}
				}
				l.PolicePerson, byPolice[cur] = cur, keep
				continue
			}
			if err := tx.MovePoliceLink(ctx, side, l.ID, cur); err != nil {
				return err
			}
			l.PolicePerson = cur
		}
		if other := byPolice[cur]; other != nil && other.ID != l.ID {
			// An earlier link was moved onto this one's man.
			drop := other
			if other.DecidedBy != 0 && l.DecidedBy == 0 {
				drop = l
			}
			if err := tx.DeletePoliceLink(ctx, side, drop.ID); err != nil {
				return err
			}
			if drop == other {
				byPolice[cur] = l
			}
			continue
		}
		byPolice[cur] = l
	}
	seen := map[int64]bool{}
	for _, f := range found {
		seen[f.Person] = true
		ev := strings.Join(f.Evidence, "; ")
		if l := byPolice[f.Person]; l != nil && (l.DecidedBy != 0 || l.Status == string(f.Status) && l.Score == f.Weight && l.Evidence == ev) {
			continue // decided, or as it was
		}
		l := store.PoliceLink{SiteID: siteID, Subject: subject, PolicePerson: f.Person, Status: string(f.Status), Score: f.Weight, Evidence: ev}
		if err := tx.PutPoliceLink(ctx, side, &l); err != nil {
			return err
		}
	}
	for police, l := range byPolice {
		if l.DecidedBy == 0 && !seen[police] {
			if err := tx.DeletePoliceLink(ctx, side, l.ID); err != nil {
				return err
			}
		}
	}
	// What the record's links are now: the decided ones as decided, the
	// rest as found.
	for police, l := range byPolice {
		if l.DecidedBy != 0 && l.Status != string(linkage.Rejected) {
			run.Pairs = append(run.Pairs, LinkFound{Side: side, SiteID: siteID, Subject: subject, PolicePerson: police,
				Status: linkage.LinkStatus(l.Status), Weight: l.Score, Evidence: l.Evidence})
		}
	}
	for _, f := range found {
		if l := byPolice[f.Person]; l == nil || l.DecidedBy == 0 {
			run.Pairs = append(run.Pairs, LinkFound{Side: side, SiteID: siteID, Subject: subject, PolicePerson: f.Person,
				Status: f.Status, Weight: f.Weight, Evidence: strings.Join(f.Evidence, "; ")})
		}
	}
	return nil
}

// PoliceRecord is one police person linked or suggested for a Drive
// record, as the case or victim page shows it: how the person was last
// written and how many incidents and hearings name him or her. Nothing
// about anyone else on those incidents is carried.
type PoliceRecord struct {
	LinkID       int64
	PolicePerson int64
	Status       linkage.LinkStatus
	Weight       float64
	Evidence     string
	// Decided is set when someone confirmed the link; DecidedBy names them.
	Decided   bool
	DecidedBy string
	DecidedAt *time.Time
	Name      string
	DOB       drive.Date
	Incidents int
	Hearings  int
	Last      drive.Date
}

// PoliceRecords is the "Police records" section of a case or victim page.
type PoliceRecords struct {
	Records []PoliceRecord // linked first, then suggested, best first
	// CanDecide: the actor may confirm or reject suggestions.
	CanDecide bool
	// CanOpen: the actor may open a suspect's identification page.
	CanOpen bool
}

// CasePoliceRecords returns the police people linked or suggested for a
// case's person. Needs police intelligence read on the case (its case
// manager, the site's team leaders and analysts, the IDVAs of linked
// victim-survivors); the case page's read is audited with the page.
// Errors: ENOTFOUND for a case the actor may not see.
func (s *Service) CasePoliceRecords(ctx context.Context, a Actor, caseID int64) (*PoliceRecords, error) {
	out := &PoliceRecords{}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return drive.NotFound("case")
		}
		if _, _, err := s.decideCase(ctx, tx, a, access.Read, c, access.PoliceIntel); err != nil {
			return err
		}
		out.CanDecide = mayDecideCaseLinks(tx, a, c)
		out.CanOpen = access.Decide(a.Subject, access.Read, access.Resource{Class: access.PoliceIntel, RecordType: "site",
			RecordID: strconv.FormatInt(c.SiteID, 10), SiteID: c.SiteID}, tx.Now).Allowed
		person, err := caseSubject(ctx, tx, c)
		if err != nil {
			return err
		}
		out.Records, err = policeRecords(ctx, tx, store.PersonSide, person)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// VictimPoliceRecords returns the police victims linked or suggested for
// a victim-survivor's case. Only readers of the victim compartment (her
// IDVA, their IDVA service's team leader) see them. Errors: ENOTFOUND for
// a case the actor may not see.
func (s *Service) VictimPoliceRecords(ctx context.Context, a Actor, victimCaseID int64) (*PoliceRecords, error) {
	out := &PoliceRecords{}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		v, err := tx.VictimCase(ctx, victimCaseID)
		if err != nil {
			return drive.NotFound("victim")
		}
		if !access.Decide(a.Subject, access.Read, VictimResource(ctx, tx, v, access.VictimCompartment), tx.Now).Allowed {
			return drive.NotFound("victim")
		}
		out.CanDecide = true
		out.Records, err = policeRecords(ctx, tx, store.VictimSide, v.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// caseSubject is the person a case's links hang on: the case's person,
// or the record he was merged into.
func caseSubject(ctx context.Context, tx *store.Tx, c *casework.Case) (int64, error) {
	p, err := tx.Person(ctx, c.PersonID)
	if err != nil {
		return 0, err
	}
	if p.MergedInto != 0 {
		return p.MergedInto, nil
	}
	return p.ID, nil
}

// mayDecideCaseLinks: an analyst (police intelligence write at the site)
// or a team leader of the case's site decides its suggestions.
func mayDecideCaseLinks(tx *store.Tx, a Actor, c *casework.Case) bool {
	if access.Decide(a.Subject, access.Write, caseResource(c, access.PoliceIntel), tx.Now).Allowed {
		return true
	}
	leaders := a.Subject
	leaders.Grants = nil
	for _, g := range a.Subject.Grants {
		if g.Role == access.TeamLeader && g.SiteID == c.SiteID {
			leaders.Grants = append(leaders.Grants, g)
		}
	}
	return len(leaders.Grants) > 0 && access.Decide(leaders, access.Write, caseResource(c, access.PerpetratorCase), tx.Now).Allowed
}

func policeRecords(ctx context.Context, tx *store.Tx, side store.LinkSide, subject int64) ([]PoliceRecord, error) {
	ls, err := tx.PoliceLinks(ctx, side, subject)
	if err != nil {
		return nil, err
	}
	var out []PoliceRecord
	names := map[int64]string{}
	for _, l := range ls {
		if l.Status == string(linkage.Rejected) {
			continue
		}
		r := PoliceRecord{LinkID: l.ID, PolicePerson: l.PolicePerson, Status: linkage.LinkStatus(l.Status), Weight: l.Score,
			Evidence: l.Evidence, Decided: l.DecidedBy != 0, DecidedAt: l.DecidedAt}
		if l.DecidedBy != 0 {
			if _, ok := names[l.DecidedBy]; !ok {
				if u, err := tx.User(ctx, l.DecidedBy); err == nil {
					names[l.DecidedBy] = u.DisplayName
				}
			}
			r.DecidedBy = names[l.DecidedBy]
		}
		rows, err := tx.PersonIncidents(ctx, l.PolicePerson)
		if err != nil {
			return nil, err
		}
		for _, in := range rows {
			who := in.Suspect
			if side == store.VictimSide {
				if in.VictimPerson != l.PolicePerson {
					continue
				}
				who = in.Victim
			} else if in.SuspectPerson != l.PolicePerson {
				continue
			}
			r.Incidents++
			r.Name, r.DOB = strings.TrimSpace(who.GivenName+" "+who.FamilyName), who.DOB // oldest first: the latest wins
			if in.On.After(r.Last) {
				r.Last = in.On
			}
		}
		hs, err := tx.PersonHearings(ctx, l.PolicePerson)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			who := h.Perpetrator
			if side == store.VictimSide {
				if h.VictimPerson != l.PolicePerson {
					continue
				}
				who = h.Victim
			} else if h.PerpetratorPerson != l.PolicePerson {
				continue
			}
			r.Hearings++
			if r.Name == "" {
				r.Name, r.DOB = strings.TrimSpace(who.GivenName+" "+who.FamilyName), who.DOB
			}
			if h.HeardOn.After(r.Last) {
				r.Last = h.HeardOn
			}
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(x, y PoliceRecord) int {
		return cmp.Or(cmp.Compare(statusOrder(x.Status), statusOrder(y.Status)), cmp.Compare(y.Weight, x.Weight))
	})
	return out, nil
}

func statusOrder(s linkage.LinkStatus) int {
	if s == linkage.Linked {
		return 0
	}
	return 1
}

// DecideCaseLink confirms (confirm true) or rejects a link between a
// case's person and a police person. The decision is kept: later runs
// never suggest a rejected pair again, nor undo a confirmed one. Only an
// analyst at the case's site or one of its team leaders may decide.
// Audited as a write of the "person_police_link". Errors: ENOTFOUND for a
// case the actor may not see or decide on (as for any write they may not
// make), or a link not of this case; ECONFLICT for a link someone has
// decided already.
func (s *Service) DecideCaseLink(ctx context.Context, a Actor, caseID, linkID int64, confirm bool) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return drive.NotFound("case")
		}
		d, _, err := s.decideCase(ctx, tx, a, access.Read, c, access.PoliceIntel)
		if err != nil {
			return err
		}
		if !mayDecideCaseLinks(tx, a, c) {
			return drive.NotFound("case")
		}
		person, err := caseSubject(ctx, tx, c)
		if err != nil {
			return err
		}
		return decideLink(ctx, tx, a, d, store.PersonSide, person, c.SiteID, linkID, confirm)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "case", caseID)
	}
	return err
}

// DecideVictimLink confirms or rejects a link between a victim-survivor's
// case and a victim named by police, on the IDVA side: only readers of her
// compartment may. Audited as a write of the "victim_police_link".
// Errors: ENOTFOUND for a case the actor may not see or a link not of this
// case; ECONFLICT for a link decided already.
func (s *Service) DecideVictimLink(ctx context.Context, a Actor, victimCaseID, linkID int64, confirm bool) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		v, err := tx.VictimCase(ctx, victimCaseID)
		if err != nil {
			return drive.NotFound("victim")
		}
		d := access.Decide(a.Subject, access.Read, VictimResource(ctx, tx, v, access.VictimCompartment), tx.Now)
		if !d.Allowed {
			return drive.NotFound("victim")
		}
		return decideLink(ctx, tx, a, d, store.VictimSide, v.ID, v.SiteID, linkID, confirm)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "victim", victimCaseID)
	}
	return err
}

func decideLink(ctx context.Context, tx *store.Tx, a Actor, d access.Decision, side store.LinkSide, subject, siteID, linkID int64, confirm bool) error {
	l, err := tx.PoliceLink(ctx, side, linkID)
	if err != nil || l.Subject != subject {
		return drive.NotFound("link")
	}
	if l.DecidedBy != 0 {
		return drive.Errorf(drive.ECONFLICT, "Someone has decided this link already: reload the page")
	}
	status := linkage.Rejected
	if confirm {
		status = linkage.Linked
	}
	if err := tx.DecidePoliceLink(ctx, side, l.ID, string(status), a.UserID); err != nil {
		return err
	}
	return record(ctx, tx, a, d, audit.ActionRecordWrite, string(side)+"_police_link", l.ID, siteID, "", audit.PartPoliceLink)
}
