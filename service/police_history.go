package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/store"
)

// PoliceHistory is a perpetrator case's police history: what police
// recorded about the person before and since the case, so that the case
// manager and team leader can see whether the work is followed by less
// abuse. It names a victim only by a letter ("victim A"), as the
// identification pages do: nothing in it says who she is or where.
type PoliceHistory struct {
	CaseID     int64
	SiteID     int64
	PersonName string
	State      casework.State
	Today      drive.Date
	// PoliceRecords is how many police people the history is drawn from:
	// the person's confirmed links and the case's scored police person.
	PoliceRecords int
	// Incidents and Hearings are oldest first.
	Incidents []HistoryIncident
	Hearings  []HistoryHearing
	// Quarters are the calendar quarters from the first incident or
	// hearing (at most MaxHistoryQuarters back) to today's, oldest first,
	// for the timeline chart and its table.
	Quarters []HistoryQuarter
	// Scores are the identification scores at entry and exit, entry
	// first; ScoreChange is the percentage change between them when both
	// exist under one strategy and the entry is above zero.
	Scores      []CaseScore
	ScoreChange *float64
	// Escalation compares equal periods before and since allocation; nil
	// while the case has not been allocated.
	Escalation *Escalation
}

// HistoryIncident is one police incident naming the person as suspect.
type HistoryIncident struct {
	Ref string
	On  drive.Date
	// Type is the incident type code as the force recorded it; TypeLabel
	// is its name in the gravity table, or the code when it is not there.
	Type      string
	TypeLabel string
	Crime     bool
	// Gravity is the points the default identification strategy gives
	// the type.
	Gravity float64
	// Victim is "A", "B", ... for each distinct victim, in the order they
	// first appear in his history; empty when the incident names none.
	Victim string
	// SinceAllocation: the incident is on or after the day the case was
	// allocated.
	SinceAllocation bool
}

// HistoryHearing is one MARAC hearing naming the person as perpetrator.
type HistoryHearing struct {
	On drive.Date
	// Victim is the letter of the victim the hearing was about, shared
	// with the incidents; empty when not resolved.
	Victim          string
	SinceAllocation bool
}

// HistoryQuarter is one calendar quarter of the timeline.
type HistoryQuarter struct {
	Label     string // "Jan to Mar 2026"
	Short     string // "Q1 2026"
	From, To  drive.Date
	Incidents int
	Crimes    int
	Hearings  int
	// Allocated: the case was allocated in this quarter.
	Allocated bool
}

// Escalation compares the person's police record in two equal periods:
// the days since allocation (to today, or to closure for a closed case)
// and as many days just before it.
type Escalation struct {
	AllocatedOn drive.Date
	Days        int
	Before      EscalationPeriod
	After       EscalationPeriod
}

// EscalationPeriod is what police recorded in one period.
type EscalationPeriod struct {
	From, To  drive.Date
	Incidents int
	Crimes    int
	Hearings  int
	// Gravity is the sum of the incidents' gravity points; MostSerious
	// the highest.
	Gravity     float64
	MostSerious float64
}

// MaxHistoryQuarters is how far back the timeline chart reaches: ten
// years, beyond which bars become too thin to read. The tables still
// list everything.
const MaxHistoryQuarters = 40

// PoliceHistory returns the police history of a perpetrator case, and
// records the read. Needs read on the case and on its police intelligence
// (access.PoliceIntel: the case manager allocated to the case and the
// IDVAs of its victim-survivors, and the site's team leaders, panel
// coordinators and analysts). Errors: ENOTFOUND for a missing case, one
// the actor may not see, or whose police intelligence they may not read;
// a case pending transfer is not yet the receiving site's to read.
func (s *Service) PoliceHistory(ctx context.Context, a Actor, caseID int64) (*PoliceHistory, error) {
	var h *PoliceHistory
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.NotFound("case")
		}
		if err != nil {
			return err
		}
		d, ok := s.mayReadPoliceHistory(ctx, tx, a, c)
		if !ok {
			return drive.NotFound("case")
		}
		p, err := tx.Person(ctx, c.PersonID)
		if err != nil {
			return err
		}
		h = &PoliceHistory{CaseID: c.ID, SiteID: c.SiteID, PersonName: p.Name(), State: c.State, Today: drive.DateOf(tx.Now)}
		if err := policeHistory(ctx, tx, c, h); err != nil {
			return err
		}
		e := audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "case",
			RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "police history"}
		if d.BreakGlass {
			e.Reason = "police history, break-glass"
		}
		return tx.Audit(ctx, e)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "case", caseID)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return h, nil
}

// mayReadPoliceHistory decides whether a may read c's police history: read
// on the case itself and on its police intelligence, with the case's
// allocation as decideCase sees it (its case manager and the IDVAs of its
// victim-survivors). A team leader deciding a transfer to their site sees
// only the decision view, not the police history. The case page asks it
// too, so its link appears only for those the page will answer.
func (s *Service) mayReadPoliceHistory(ctx context.Context, tx *store.Tx, a Actor, c *casework.Case) (access.Decision, bool) {
	idvas, err := tx.CaseVictimIDVAs(ctx, c.ID)
	if err != nil {
		return access.Decision{}, false
	}
	return mayReadPoliceHistoryFor(a, c, idvas, tx.Now)
}

// mayReadPoliceHistoryFor is mayReadPoliceHistory with the IDVAs of the
// case's linked victim-survivors already read (decideCaseFor).
func mayReadPoliceHistoryFor(a Actor, c *casework.Case, idvas []int64, now time.Time) (access.Decision, bool) {
	if _, receiving, err := decideCaseFor(a, access.Read, c, access.PerpetratorCase, idvas, now); err != nil || receiving {
		return access.Decision{}, false
	}
	d, receiving, err := decideCaseFor(a, access.Read, c, access.PoliceIntel, idvas, now)
	if err != nil || receiving {
		return access.Decision{}, false
	}
	return d, true
}

// policeHistory fills h from the police people linked to c's person and
// the one its scores were made on. Only police people of the case's own
// site are read: the decision was for this site's intelligence, and
// another site's records of the same man stay with that site.
func policeHistory(ctx context.Context, tx *store.Tx, c *casework.Case, h *PoliceHistory) error {
	ids, err := tx.PoliceHistoryPeople(ctx, c.PersonID)
	if err != nil {
		return err
	}
	scores, err := tx.CaseScores(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, sc := range scores {
		ids = append(ids, sc.PolicePerson)
	}
	people := map[int64]bool{}
	for _, id := range ids {
		// A resolution may since have given his mentions to another
		// person: follow them there.
		cur, err := tx.CurrentPerson(ctx, id)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		pp, err := tx.PolicePerson(ctx, cur)
		if err != nil {
			return err
		}
		if pp.SiteID == c.SiteID && pp.Role == string(identify.SuspectRole) {
			people[cur] = true
		}
	}
	h.PoliceRecords = len(people)

	var incidents []store.PoliceIncident
	var hearings []store.MARACHearing
	seen := map[int64]bool{}
	for _, id := range sortedKeys(people) {
		rows, err := tx.PersonIncidents(ctx, id)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.SuspectPerson == id && !seen[r.ID] {
				seen[r.ID] = true
				incidents = append(incidents, r)
			}
		}
		hs, err := tx.PersonHearings(ctx, id)
		if err != nil {
			return err
		}
		hearings = append(hearings, hs...)
	}
	slices.SortFunc(incidents, func(x, y store.PoliceIncident) int {
		return cmp.Or(x.On.Time().Compare(y.On.Time()), cmp.Compare(x.ID, y.ID))
	})
	slices.SortFunc(hearings, func(x, y store.MARACHearing) int {
		return cmp.Or(x.HeardOn.Time().Compare(y.HeardOn.Time()), cmp.Compare(x.ID, y.ID))
	})
	hearings = slices.CompactFunc(hearings, func(x, y store.MARACHearing) bool { return x.ID == y.ID })

	var allocated drive.Date
	if c.AllocatedAt != nil {
		allocated = drive.DateOf(*c.AllocatedAt)
	}
	since := func(d drive.Date) bool { return !allocated.IsZero() && !d.Before(allocated) }

	// Victims are lettered in the order they first appear, incidents and
	// hearings together, so the same letter is the same woman in both.
	strategy := identify.Default()
	gravity := gravityTable(strategy)
	letters := map[int64]string{}
	letter := func(victim int64) string {
		if victim == 0 {
			return ""
		}
		if l, ok := letters[victim]; ok {
			return l
		}
		letters[victim] = victimLabel(len(letters))
		return letters[victim]
	}
	i, j := 0, 0
	for i < len(incidents) || j < len(hearings) {
		if j == len(hearings) || (i < len(incidents) && !hearings[j].HeardOn.Before(incidents[i].On)) {
			r := incidents[i]
			g, ok := gravity[r.Type]
			label := r.Type
			if ok {
				label = g.Label
			} else {
				g.Points = strategy.DefaultGravity
			}
			h.Incidents = append(h.Incidents, HistoryIncident{Ref: r.Ref, On: r.On, Type: r.Type, TypeLabel: label, Crime: r.Crime,
				Gravity: g.Points, Victim: letter(r.VictimPerson), SinceAllocation: since(r.On)})
			i++
			continue
		}
		hh := hearings[j]
		h.Hearings = append(h.Hearings, HistoryHearing{On: hh.HeardOn, Victim: letter(hh.VictimPerson), SinceAllocation: since(hh.HeardOn)})
		j++
	}

	h.Scores = caseScores(scores)
	if len(h.Scores) == 2 && h.Scores[0].Total > 0 && h.Scores[0].StrategyCode == h.Scores[1].StrategyCode &&
		h.Scores[0].StrategyVersion == h.Scores[1].StrategyVersion {
		ch := (h.Scores[1].Total - h.Scores[0].Total) / h.Scores[0].Total * 100
		h.ScoreChange = &ch
	}
	h.Quarters = historyQuarters(h, allocated)
	if !allocated.IsZero() {
		end := h.Today
		if c.ClosedAt != nil && c.State == casework.Closed {
			end = drive.DateOf(*c.ClosedAt)
		}
		if !end.Before(allocated) {
			h.Escalation = escalation(h, allocated, end)
		}
	}
	return nil
}

// gravityTable indexes a strategy's gravity table by incident type.
func gravityTable(st *identify.Strategy) map[string]identify.GravityType {
	out := make(map[string]identify.GravityType, len(st.Gravity))
	for _, g := range st.Gravity {
		out[g.Type] = g
	}
	return out
}

// sortedKeys returns a set's members in ascending order, so that reads
// happen in the same order every time.
func sortedKeys(set map[int64]bool) []int64 {
	out := make([]int64, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// quarterStart is the first day of the calendar quarter holding d.
func quarterStart(d drive.Date) drive.Date {
	return drive.Date{Year: d.Year, Month: d.Month - (d.Month-1)%3, Day: 1}
}

// historyQuarters counts incidents and hearings by calendar quarter, from
// the first one's quarter (or the allocation's, if earlier) to today's,
// keeping the latest MaxHistoryQuarters. No incident and no hearing gives
// no quarters: there is nothing to chart.
func historyQuarters(h *PoliceHistory, allocated drive.Date) []HistoryQuarter {
	if len(h.Incidents) == 0 && len(h.Hearings) == 0 {
		return nil
	}
	first := h.Today
	if len(h.Incidents) > 0 && h.Incidents[0].On.Before(first) {
		first = h.Incidents[0].On
	}
	if len(h.Hearings) > 0 && h.Hearings[0].On.Before(first) {
		first = h.Hearings[0].On
	}
	if !allocated.IsZero() && allocated.Before(first) {
		first = allocated
	}
	last := quarterStart(h.Today)
	// Records dated after today (an extract's typing error) still count,
	// in their own quarter.
	for _, in := range h.Incidents {
		if q := quarterStart(in.On); q.After(last) {
			last = q
		}
	}
	for _, hh := range h.Hearings {
		if q := quarterStart(hh.On); q.After(last) {
			last = q
		}
	}
	start := quarterStart(first)
	if earliest := last.AddMonths(-3 * (MaxHistoryQuarters - 1)); start.Before(earliest) {
		start = earliest
	}
	var qs []HistoryQuarter
	index := map[drive.Date]int{}
	for q := start; !q.After(last); q = q.AddMonths(3) {
		index[q] = len(qs)
		n := (int(q.Month)-1)/3 + 1
		to := q.AddMonths(3).AddDays(-1)
		qs = append(qs, HistoryQuarter{
			Label: fmt.Sprintf("%s to %s %d", q.Time().Format("Jan"), to.Time().Format("Jan"), q.Year),
			Short: fmt.Sprintf("Q%d %d", n, q.Year), From: q, To: to,
			Allocated: !allocated.IsZero() && quarterStart(allocated) == q,
		})
	}
	for _, in := range h.Incidents {
		if k, ok := index[quarterStart(in.On)]; ok {
			qs[k].Incidents++
			if in.Crime {
				qs[k].Crimes++
			}
		}
	}
	for _, hh := range h.Hearings {
		if k, ok := index[quarterStart(hh.On)]; ok {
			qs[k].Hearings++
		}
	}
	return qs
}

// escalation compares the days from allocated to end (both counted) with
// as many days just before allocation.
func escalation(h *PoliceHistory, allocated, end drive.Date) *Escalation {
	days := allocated.DaysUntil(end) + 1
	e := &Escalation{AllocatedOn: allocated, Days: days,
		Before: EscalationPeriod{From: allocated.AddDays(-days), To: allocated.AddDays(-1)},
		After:  EscalationPeriod{From: allocated, To: end}}
	in := func(d drive.Date, p *EscalationPeriod) bool { return !d.Before(p.From) && !d.After(p.To) }
	for _, r := range h.Incidents {
		for _, p := range []*EscalationPeriod{&e.Before, &e.After} {
			if in(r.On, p) {
				p.Incidents++
				if r.Crime {
					p.Crimes++
				}
				p.Gravity += r.Gravity
				p.MostSerious = max(p.MostSerious, r.Gravity)
			}
		}
	}
	for _, hh := range h.Hearings {
		for _, p := range []*EscalationPeriod{&e.Before, &e.After} {
			if in(hh.On, p) {
				p.Hearings++
			}
		}
	}
	return e
}
