package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// Suspect is one line of a site's identification list: the score with
// its reasons, how the person was last written on an incident, and what
// an analyst has ruled about who he is.
type Suspect struct {
	identify.Score
	PersonID  int64
	Latest    incident.Person
	Confirmed bool
	// OtherSites says the same man is known to police at another site too;
	// which one and what they hold is not shown at this site.
	OtherSites bool
	// MARAC counts the hearings naming him as perpetrator in the 12
	// months to the list's date; LastMARAC is the latest.
	MARAC     int
	LastMARAC drive.Date
}

// personKey is the key a police person has in scoring input.
func personKey(id int64) string { return strconv.FormatInt(id, 10) }

// ScoringInput turns stored incidents into scoring input with their
// resolved people; incidents not resolved yet are left without a suspect,
// so scoring skips them.
func ScoringInput(rows []store.PoliceIncident) []identify.Incident {
	out := make([]identify.Incident, len(rows))
	for i, r := range rows {
		in := identify.Incident{Ref: r.Ref, On: r.On, Type: r.Type, Crime: r.Crime}
		if r.SuspectPerson != 0 {
			in.SuspectID = personKey(r.SuspectPerson)
		}
		if r.VictimPerson != 0 {
			k := personKey(r.VictimPerson)
			in.VictimIDs = []string{k}
			if r.Victim.Age > 0 {
				in.VictimAges = map[string]int{k: r.Victim.Age}
			}
		}
		out[i] = in
	}
	return out
}

// IdentificationList ranks a site's suspects from its imported and
// resolved police incidents, scored with the default strategy as of
// today, and returns the first top (all for 0). With an
// IdentificationCache the site's list is ranked once for each version of
// the police data and each day, and served from memory between. Needs
// police intelligence read at the site; every view is audited. Errors:
// ENOTFOUND for a site the actor may not see.
func (s *Service) IdentificationList(ctx context.Context, a Actor, siteID int64, top int) ([]Suspect, error) {
	return s.identificationList(ctx, a, siteID, top, "list")
}

// DownloadIdentificationList is IdentificationList for a file: the same
// ranked suspects, audited as a list that was downloaded.
func (s *Service) DownloadIdentificationList(ctx context.Context, a Actor, siteID int64, top int) ([]Suspect, error) {
	return s.identificationList(ctx, a, siteID, top, "list downloaded")
}

func (s *Service) identificationList(ctx context.Context, a Actor, siteID int64, top int, what string) ([]Suspect, error) {
	strategy := identify.Default()
	asOf := s.Today()
	var list []Suspect
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.PoliceIntel, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		if _, err := s.decide(ctx, tx, a, access.Read, r, "site"); err != nil {
			return err
		}
		// The version is read before the data, in the same transaction:
		// data read afterwards is at least as new as the version, so a
		// list is never kept under a version newer than its data.
		version, err := tx.PoliceDataVersion(ctx)
		if err != nil {
			return err
		}
		key := identificationKey(siteID, version, asOf, strategy.Code+"/"+strategy.Version)
		if l, ok := s.Identification.get(key); ok {
			list = l
			return nil
		}
		if list, err = rankSite(ctx, tx, strategy, siteID, asOf); err != nil {
			return err
		}
		s.Identification.put(key, list)
		return nil
	})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	if top > 0 && top < len(list) {
		list = list[:top]
	}
	out := slices.Clone(list)
	return out, s.listed(ctx, a, "identification", what, len(out))
}

// rankSite reads a site's incidents in the strategy's window, its MARAC
// hearings of the last year and its suspects, and ranks every suspect.
func rankSite(ctx context.Context, tx *store.Tx, strategy *identify.Strategy, siteID int64, asOf drive.Date) ([]Suspect, error) {
	rows, err := tx.SitePoliceIncidents(ctx, siteID, asOf.AddMonths(-strategy.WindowMonths))
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	hearings, err := tx.SiteMARAC(ctx, siteID, asOf.AddMonths(-12))
	if err != nil {
		return nil, err
	}
	people, err := tx.SitePolicePeople(ctx, siteID, string(identify.SuspectRole))
	if err != nil {
		return nil, err
	}
	byID := map[int64]store.PolicePerson{}
	for _, p := range people {
		byID[p.ID] = p
	}
	latest := map[int64]incident.Person{}
	for _, r := range rows {
		latest[r.SuspectPerson] = r.Suspect // oldest first: the last one wins
	}
	marac, lastMARAC := map[int64]int{}, map[int64]drive.Date{}
	for _, h := range hearings {
		if !h.HeardOn.After(asOf) {
			marac[h.PerpetratorPerson]++
			lastMARAC[h.PerpetratorPerson] = h.HeardOn // oldest first
		}
	}
	var out []Suspect
	for _, sc := range strategy.Rank(ScoringInput(rows), asOf, 0) {
		id, _ := strconv.ParseInt(sc.Suspect, 10, 64)
		p := byID[id]
		out = append(out, Suspect{Score: sc, PersonID: id, Latest: latest[id], Confirmed: p.ConfirmedAt != nil, OtherSites: p.NationalMatch != 0,
			MARAC: marac[id], LastMARAC: lastMARAC[id]})
	}
	return out, nil
}

// ReferSuspect refers a suspect from the identification list to the
// panel: a referral from the police identification list, with the score,
// its reasons, the rank and the number of victims as evidence, and the
// score kept as the case's entry score. name guards against the list
// having changed since the user saw it. The actor needs the right to
// refer from the list (access.ListReferral), not to write cases: an
// analyst puts a man forward, and the referral waits for the site's team
// leaders and panel coordinators as any other does.
func (s *Service) ReferSuspect(ctx context.Context, a Actor, siteID int64, key, name string, notDuplicate bool) (*Referral, error) {
	list, err := s.IdentificationList(ctx, a, siteID, 0)
	if err != nil {
		return nil, err
	}
	for _, sus := range list {
		if sus.Suspect != key {
			continue
		}
		full := strings.TrimSpace(sus.Latest.GivenName + " " + sus.Latest.FamilyName)
		if full != name {
			break
		}
		entry := caseScore("entry", sus.PersonID, sus.Score)
		in := ReferralInput{SiteID: siteID, Programme: "drive", NotDuplicate: notDuplicate, Entry: &entry,
			Person: &people.Person{GivenName: sus.Latest.GivenName, FamilyName: sus.Latest.FamilyName, DateOfBirth: sus.Latest.DOB},
			Case: casework.Case{Source: casework.FromPoliceList, ReferredAt: s.Today(),
				Summary: fmt.Sprintf("Police identification list: rank %d, score %.1f (strategy %s %s). %s",
					sus.Rank, sus.Total, sus.StrategyCode, sus.StrategyVersion, strings.Join(sus.Reasons, " ")),
				Evidence: programme.Evidence{DASHScore: -1, Victims: sus.DistinctVictims, IdentificationRank: sus.Rank, LastMARAC: sus.LastMARAC}}}
		return s.refer(ctx, a, in, access.ListReferral)
	}
	return nil, drive.Errorf(drive.EINVALID, "The identification list has changed since you opened it: reload it and refer again")
}

// caseScore keeps a score on a case, with its parts for explaining it
// later.
func caseScore(kind string, person int64, sc identify.Score) store.CaseScore {
	parts, _ := json.Marshal(map[string]any{"recency": sc.Recency, "frequency": sc.Frequency, "gravity": sc.Gravity,
		"victims": sc.Victims, "distinct_victims": sc.DistinctVictims, "serial": sc.Serial, "escalating": sc.Escalating, "reasons": sc.Reasons})
	return store.CaseScore{Kind: kind, PolicePerson: person, ScoredOn: sc.AsOf, StrategyCode: sc.StrategyCode,
		StrategyVersion: sc.StrategyVersion, Total: sc.Total, Components: string(parts), Incidents: sc.Incidents}
}

// scorePerson scores one police suspect alone as of a date, from what is
// stored now: the exit score of a case is his score on the day it closed.
// A man with no incident in the window scores zero.
func scorePerson(ctx context.Context, tx *store.Tx, personID int64, asOf drive.Date) (identify.Score, error) {
	strategy := identify.Default()
	personID, err := tx.CurrentPerson(ctx, personID)
	if err != nil {
		return identify.Score{}, err
	}
	rows, err := tx.PersonIncidents(ctx, personID)
	if err != nil {
		return identify.Score{}, err
	}
	rows = slices.DeleteFunc(rows, func(r store.PoliceIncident) bool { return r.SuspectPerson != personID })
	if list := strategy.Rank(ScoringInput(rows), asOf, 1); len(list) == 1 {
		list[0].Rank = 0
		return list[0], nil
	}
	return identify.Score{Suspect: personKey(personID), StrategyCode: strategy.Code, StrategyVersion: strategy.Version, AsOf: asOf,
		Reasons: []string{"No police-recorded incident in the window."}}, nil
}

// closeScore keeps a closing case's exit score, when the case came from
// the identification list with an entry score. Called in the transaction
// that closes the case.
func closeScore(ctx context.Context, tx *store.Tx, c *casework.Case) error {
	if c.State != casework.Closed {
		return nil
	}
	scores, err := tx.CaseScores(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, sc := range scores {
		if sc.Kind != "entry" {
			continue
		}
		exit, err := scorePerson(ctx, tx, sc.PolicePerson, drive.DateOf(tx.Now))
		if err != nil {
			return err
		}
		person := sc.PolicePerson
		if id, err := strconv.ParseInt(exit.Suspect, 10, 64); err == nil {
			person = id // the person who holds his mentions now
		}
		cs := caseScore("exit", person, exit)
		cs.CaseID = c.ID
		return tx.SetCaseScore(ctx, cs)
	}
	return nil
}

// importIncidents stores a validated police extract for a site with the
// people it names, in the caller's transaction (see importIncidentStream).
func (s *Service) importIncidents(ctx context.Context, tx *store.Tx, siteID int64, recs []incident.Record, progress func(string)) (inserted, skipped int, err error) {
	return s.importIncidentStream(ctx, tx, siteID, len(recs), func(each func(incident.Record) error) error {
		for _, r := range recs {
			if err := each(r); err != nil {
				return err
			}
		}
		return nil
	}, progress)
}

// newIncidents keeps the incidents of recs whose reference is not in held,
// nor repeats one earlier in recs (held gains each kept reference), and
// counts those it skips. It keeps them in recs's own array, which its
// callers do not read again: a copy would be one more array the size of
// the import's first part (50,000 records, 11 MB) held through its full
// resolution.
func newIncidents(recs []incident.Record, held map[string]bool) (fresh []incident.Record, skipped int) {
	fresh = recs[:0]
	for _, r := range recs {
		if held[r.Ref] {
			skipped++
			continue
		}
		held[r.Ref] = true
		fresh = append(fresh, r)
	}
	clear(recs[len(fresh):]) // what was skipped is let go
	return fresh, skipped
}

// importWhole stores new incidents for a site with the people it names,
// in the caller's transaction, resolving the site's people again over
// what it held and the new incidents together: the new incidents are
// stored with their people, and the held ones whose people changed are
// updated. Incidents whose reference the site already holds (or that
// repeat one earlier in recs) are skipped.
func importWhole(ctx context.Context, tx *store.Tx, siteID int64, recs []incident.Record, say func(string, ...any)) (inserted, skipped int, err error) {
	held, err := tx.IncidentRefs(ctx, siteID)
	if err != nil {
		return 0, 0, err
	}
	fresh, skipped := newIncidents(recs, held)
	say("%d new incidents (%d already held); linking people", len(fresh), skipped)
	res, sus, vic, err := resolveSite(ctx, tx, siteID, fresh)
	if err != nil {
		return 0, 0, err
	}
	say("%d suspects and %d victims at the site; storing", res.Suspects, res.Victims)
	if err := tx.InsertIncidents(ctx, siteID, fresh, sus, vic, func(done int) { say("%d of %d stored", done, len(fresh)) }); err != nil {
		return 0, 0, err
	}
	return len(fresh), skipped, nil
}

// Resolution says what resolving a site's people found.
type Resolution struct {
	Incidents, Suspects, Victims int
	// Moved counts incidents whose suspect or victim changed.
	Moved int
}

// resolveSite links every person named at a site into people again (the
// suspects and victims of its police incidents, and the perpetrators and
// victims of its MARAC hearings, together, so a man heard at MARAC is the
// same person as on his incidents), replays the analysts' rulings over the
// linker's answer, and stores the people. People keep their ids where the
// new answer agrees with the old (identify.StableIDs), so a page, a
// referral or a case's score that names a person still finds him.
//
// Fresh incidents, not stored yet, are resolved with the stored ones: it
// stores the people of what is stored, and returns the suspect and victim
// of each fresh incident for the caller to store with it.
func resolveSite(ctx context.Context, tx *store.Tx, siteID int64, fresh []incident.Record) (res *Resolution, freshSuspects, freshVictims []int64, err error) {
	if err := tx.LockSitePeople(ctx, siteID); err != nil {
		return nil, nil, nil, err
	}
	// Only a full resolution touches every page of the site's records:
	// the larger cache is for it alone (store.Tx.ResolveCache).
	restore, err := tx.ResolveCache(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	defer restore()
	rows, err := tx.SitePoliceIncidents(ctx, siteID, drive.Date{})
	if err != nil {
		return nil, nil, nil, err
	}
	hearings, err := tx.SiteMARAC(ctx, siteID, drive.Date{})
	if err != nil {
		return nil, nil, nil, err
	}
	// Records a retention run has anonymised are not compared again: they
	// have nothing left to compare, and keep the people they were given.
	rows = slices.DeleteFunc(rows, func(r store.PoliceIncident) bool { return r.Anonymised })
	hearings = slices.DeleteFunc(hearings, func(h store.MARACHearing) bool { return h.Anonymised })
	res = &Resolution{Incidents: len(rows) + len(fresh)}
	n := len(rows) + len(fresh) + len(hearings)
	if n == 0 {
		return res, nil, nil, nil
	}
	// Mentions: the stored incidents, the fresh ones, then the hearings,
	// each as a record of a suspect (perpetrator) and a victim.
	recs := make([]incident.Record, 0, n)
	prevSus, prevVic := make([]int64, 0, n), make([]int64, 0, n)
	pos := make(map[int64]int, len(rows))
	for i, r := range rows {
		recs, pos[r.ID] = append(recs, r.Record), i
		prevSus, prevVic = append(prevSus, r.SuspectPerson), append(prevVic, r.VictimPerson)
	}
	for _, r := range fresh {
		recs = append(recs, r)
		prevSus, prevVic = append(prevSus, 0), append(prevVic, 0)
	}
	for _, h := range hearings {
		recs = append(recs, incident.Record{Ref: h.Ref, On: h.HeardOn, Suspect: h.Perpetrator, Victim: h.Victim})
		prevSus, prevVic = append(prevSus, h.PerpetratorPerson), append(prevVic, h.VictimPerson)
	}
	incs, model, err := identify.ResolveWithModel(ctx, recs, 1)
	if err != nil {
		return nil, nil, nil, err
	}
	if model != nil {
		raw, err := json.Marshal(model)
		if err != nil {
			return nil, nil, nil, drive.Wrap(err, drive.EINTERNAL, "keeping the linker's model")
		}
		if err := tx.SetLinkageModel(ctx, siteID, string(identify.SuspectRole), string(raw)); err != nil {
			return nil, nil, nil, err
		}
	}
	stored, err := tx.Rulings(ctx, siteID)
	if err != nil {
		return nil, nil, nil, err
	}
	var ds []identify.Decision
	for _, d := range stored {
		dd := identify.Decision{Role: identify.Role(d.Role), Kind: identify.DecisionKind(d.Kind)}
		for _, id := range d.Incidents {
			if i, ok := pos[id]; ok {
				dd.Mentions = append(dd.Mentions, i)
			}
		}
		ds = append(ds, dd)
	}
	identify.Apply(incs, ds)

	suspects, victims := make([]int64, n), make([]int64, n)
	for _, role := range []identify.Role{identify.SuspectRole, identify.VictimRole} {
		prev, out, keys := prevSus, suspects, make([]string, n)
		if role == identify.VictimRole {
			prev, out = prevVic, victims
		}
		for i := range incs {
			if role == identify.SuspectRole {
				keys[i] = incs[i].SuspectID
			} else if len(incs[i].VictimIDs) > 0 {
				keys[i] = incs[i].VictimIDs[0]
			}
		}
		ids := identify.StableIDs(prev, keys)
		var newKeys []string
		for k, id := range ids {
			if id == 0 {
				newKeys = append(newKeys, k)
			}
		}
		slices.Sort(newKeys) // new ids in a fixed order
		newIDs, err := tx.NewPolicePeople(ctx, siteID, string(role), len(newKeys))
		if err != nil {
			return nil, nil, nil, err
		}
		for j, k := range newKeys {
			ids[k] = newIDs[j]
		}
		for i, k := range keys {
			if k != "" {
				out[i] = ids[k]
			}
		}
		if role == identify.SuspectRole {
			res.Suspects = len(ids)
		} else {
			res.Victims = len(ids)
		}
	}
	var changed, changedHearings []store.PersonAssignment
	for i := range recs {
		if i >= len(rows) && i < len(rows)+len(fresh) {
			continue // stored by the caller
		}
		if prevSus[i] == suspects[i] && prevVic[i] == victims[i] {
			continue
		}
		if i < len(rows) {
			changed = append(changed, store.PersonAssignment{Incident: rows[i].ID, Suspect: suspects[i], Victim: victims[i]})
		} else {
			j := i - len(rows) - len(fresh)
			changedHearings = append(changedHearings, store.PersonAssignment{Incident: hearings[j].ID, Suspect: suspects[i], Victim: victims[i]})
		}
	}
	res.Moved = len(changed) + len(changedHearings)
	// A person left with no mention is retired into the person most of his
	// mentions went to, so a case's entry score or a bookmarked page that
	// names him still finds him.
	inUse := map[int64]bool{}
	for i := range recs {
		inUse[suspects[i]], inUse[victims[i]] = true, true
	}
	went := map[int64]map[int64]int{}
	for i := range recs {
		for _, pv := range [][2]int64{{prevSus[i], suspects[i]}, {prevVic[i], victims[i]}} {
			if pv[0] == 0 || inUse[pv[0]] || pv[1] == 0 {
				continue
			}
			if went[pv[0]] == nil {
				went[pv[0]] = map[int64]int{}
			}
			went[pv[0]][pv[1]]++
		}
	}
	merged := make(map[int64]int64, len(went))
	for old, to := range went {
		best, bestN := int64(0), 0
		for id, k := range to {
			if k > bestN || (k == bestN && id < best) {
				best, bestN = id, k
			}
		}
		merged[old] = best
	}
	if err := tx.SetMergedInto(ctx, merged, nil); err != nil {
		return nil, nil, nil, err
	}
	if err := tx.AssignPeople(ctx, changed); err != nil {
		return nil, nil, nil, err
	}
	if err := tx.AssignHearingPeople(ctx, changedHearings); err != nil {
		return nil, nil, nil, err
	}
	lo, hi := len(rows), len(rows)+len(fresh)
	return res, suspects[lo:hi], victims[lo:hi], nil
}

// importMARAC stores a validated MARAC list for a site and resolves the
// site's people again, in the caller's transaction, so each hearing's
// perpetrator is the same person as on his police incidents.
func importMARAC(ctx context.Context, tx *store.Tx, siteID int64, hs []incident.Hearing, progress func(string)) (inserted, skipped int, err error) {
	inserted, skipped, err = tx.ImportMARAC(ctx, siteID, hs, func(done int) {
		if progress != nil {
			progress(fmt.Sprintf("%d of %d stored", done, len(hs)))
		}
	})
	if err != nil {
		return 0, 0, err
	}
	if progress != nil {
		progress(fmt.Sprintf("stored %d new hearings (%d already held); linking people", inserted, skipped))
	}
	if _, _, _, err := resolveSite(ctx, tx, siteID, nil); err != nil {
		return 0, 0, err
	}
	if _, err := linkSite(ctx, tx, siteID); err != nil {
		return 0, 0, err
	}
	return inserted, skipped, nil
}

// ReferredFromList returns the police people of a site whom a referral
// from the identification list names (by the id their entry score
// keeps), so the list can say who has been put forward already rather
// than offer to refer them twice. It says something of the site's cases
// (that one came from the list), so it answers only an actor who may
// read them; anyone else gets nil (no marks) and no error, and the list
// shows as it did. The read is audited as a list.
func (s *Service) ReferredFromList(ctx context.Context, a Actor, siteID int64) (map[int64]bool, error) {
	r := access.Resource{Class: access.PerpetratorCase, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
	var out map[int64]bool
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		if d := access.Decide(a.Subject, access.Read, r, tx.Now); !d.Allowed {
			return nil
		}
		out = map[int64]bool{}
		listed, err := tx.ListedSuspects(ctx, siteID)
		if err != nil {
			return err
		}
		for _, police := range listed {
			for _, id := range police {
				out[id] = true
			}
		}
		return listedIn(ctx, tx, a, "identification", "people referred from the list", len(out))
	})
	return out, err
}
