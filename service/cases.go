package service

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// caseResource is the policy's view of a case for a data class: its
// site, its case manager, and the attendees its meetings admit to it now
// (the panel relationship), as the store read them with the case.
func caseResource(c *casework.Case, class access.DataClass) access.Resource {
	r := access.Resource{Class: class, RecordType: "case", RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, PanelUserIDs: c.PanelUserIDs()}
	if c.CaseManagerID != 0 {
		r.AllocatedUserIDs = []int64{c.CaseManagerID}
	}
	return r
}

// decideCase decides access to a case. When the holding site's staff are
// refused, a case waiting for another site to accept its transfer is also
// open to that site's team leaders (casework.ReceivingRoles), who must see
// it to decide; receiving is then true, and the caller shows them only the
// decision view (TransferDecision). Everyone else at the receiving site is
// refused, exactly as for any record they may not see, until the case is
// accepted and so becomes their site's.
func (s *Service) decideCase(ctx context.Context, tx *store.Tx, a Actor, want access.Action, c *casework.Case, class access.DataClass) (access.Decision, bool, error) {
	// The IDVAs of the victim-survivors linked to the case are allocated
	// to it too: they read the perpetrator's case (the policy gives them
	// read, never write, on perpetrator cases).
	// A failed read is the decision's failure, not a smaller list of
	// readers: carrying on would decide on what was not read.
	idvas, err := tx.CaseVictimIDVAs(ctx, c.ID)
	if err != nil {
		return access.Decision{}, false, err
	}
	return decideCaseFor(a, want, c, class, idvas, tx.Now)
}

// decideCaseFor is decideCase with the IDVAs of the case's linked
// victim-survivors already read, for a use case that decides on one case
// more than once.
func decideCaseFor(a Actor, want access.Action, c *casework.Case, class access.DataClass, idvas []int64, now time.Time) (access.Decision, bool, error) {
	r := caseResource(c, class)
	r.AllocatedUserIDs = append(r.AllocatedUserIDs, idvas...)
	d := access.Decide(a.Subject, want, r, now)
	if d.Allowed {
		return d, false, nil
	}
	if c.State == casework.Transferred && c.TransferToSiteID != 0 {
		r := caseResource(c, class)
		r.SiteID, r.AllocatedUserIDs = c.TransferToSiteID, nil
		// Only the grants of the deciding roles at the receiving site
		// count: the policy still decides, but for no one else.
		deciders := a.Subject
		deciders.Grants = nil
		for _, g := range a.Subject.Grants {
			if g.SiteID == c.TransferToSiteID && slices.Contains(casework.ReceivingRoles(), g.Role) {
				deciders.Grants = append(deciders.Grants, g)
			}
		}
		if d := access.Decide(deciders, want, r, now); d.Allowed {
			return d, true, nil
		}
	}
	return d, false, drive.NotFound("case")
}

// ListCases returns the cases the actor may list, filtered and sorted, and
// the total matching: ListCasePage without the cursors.
func (s *Service) ListCases(ctx context.Context, a Actor, f CaseFilter) ([]CaseRow, int, error) {
	p, err := s.ListCasePage(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	return p.Rows, p.Total, nil
}

// ListCasePage returns the page of cases f.Cursor starts (the first page
// without one), filtered and sorted, the total matching, and the cursors
// of the pages either side. Only sites where the actor may read cases are
// searched, so a list can never include another site's case. The list is
// audited (how many rows, whether it was a search; never the words).
// Errors: EINVALID for a cursor that is not one of ours.
func (s *Service) ListCasePage(ctx context.Context, a Actor, f CaseFilter) (*CasePage, error) {
	cur, back, err := parseCaseCursor(f.Cursor)
	if err != nil {
		return nil, err
	}
	sites, national := a.Subject.SitesFor(access.PerpetratorCase, access.Read)
	if len(f.SiteIDs) > 0 {
		sites = intersect(f.SiteIDs, sites, national)
	}
	if len(sites) == 0 {
		return &CasePage{}, nil
	}
	what := "list"
	if f.Query != "" {
		what = "search" // the words themselves are never recorded
	}
	if f.Download {
		what += " downloaded"
	}
	sf := f.storeFilter(sites)
	sf.After, sf.Back = cur, back
	var page store.CasePage
	var arms map[int64]string
	err = s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if page, err = tx.CasesPage(ctx, sf, drive.DateOf(tx.Now)); err != nil {
			return err
		}
		ids := make([]int64, len(page.Rows))
		for i, r := range page.Rows {
			ids[i] = r.Case.ID
		}
		if arms, err = tx.CaseArms(ctx, ids); err != nil {
			return err
		}
		return listedIn(ctx, tx, a, "case", what, len(page.Rows))
	})
	if err != nil {
		return nil, err
	}
	out := &CasePage{Rows: caseRows(page.Rows), Total: page.Total, Over: page.Over}
	for i := range out.Rows {
		if arm, ok := arms[out.Rows[i].Case.ID]; ok {
			out.Rows[i].Trial = ArmLabel(arm)
		}
	}
	if n := len(page.Rows); n > 0 {
		// Read forwards, more after means a next page, and a cursor means
		// there was a page before; read back, the other way round.
		hasNext, hasPrev := page.More, cur != nil
		if back {
			hasNext, hasPrev = true, page.More
		}
		if hasNext {
			out.Next = caseCursorString(store.CaseCursorAt(f.Sort, page.Rows[n-1]), false)
		}
		if hasPrev {
			out.Prev = caseCursorString(store.CaseCursorAt(f.Sort, page.Rows[0]), true)
		}
	}
	return out, nil
}

// listed records that a list of person-level records was shown: which
// kind, how many rows, whether it was a search; never the rows or the
// search words.
func (s *Service) listed(ctx context.Context, a Actor, recordType, what string, n int) error {
	return s.DB.Read(ctx, func(tx *store.Tx) error { return listedIn(ctx, tx, a, recordType, what, n) })
}

// listedIn is listed inside the transaction that read the list, so the
// list and its audit event stand or fall together.
func listedIn(ctx context.Context, tx *store.Tx, a Actor, recordType, what string, n int) error {
	return tx.Audit(ctx, audit.Event{Action: "record.list", ActorID: a.UserID, RecordType: recordType, Remote: a.Remote,
		Outcome: audit.OutcomeOK, Reason: what + ": " + strconv.Itoa(n) + " rows"})
}

func intersect(want, have []int64, national bool) []int64 {
	if national {
		return want
	}
	var out []int64
	for _, w := range want {
		for _, h := range have {
			if w == h {
				out = append(out, w)
			}
		}
	}
	return out
}

// SetCaseSearch keeps the words of the actor's case search with their
// session, so a name typed into the search box travels in a form body and
// is held server-side, never in a URL. Words past 200 bytes are dropped.
// Only the actor's own session may be changed (ENOTFOUND otherwise). The
// words are not audited: the list they produce is (ListCases), without
// them.
func (s *Service) SetCaseSearch(ctx context.Context, a Actor, sess *account.Session, words string) error {
	if sess == nil || sess.UserID != a.UserID || a.UserID == 0 {
		return drive.NotFound("session")
	}
	words = strings.TrimSpace(words)
	if len(words) > 200 {
		words = words[:200]
	}
	sess.Search = words
	return s.DB.Transact(ctx, func(tx *store.Tx) error { return tx.UpdateSession(ctx, sess) })
}

// Caseload is a case manager's open cases and their limit.
type Caseload struct {
	Rows  []CaseRow
	Limit int
	Over  bool
	// OverdueAssessments counts the behaviour assessments past their due
	// date over every case on the caseload.
	OverdueAssessments int
}

// MyCaseload returns the open cases allocated to the actor, each with its
// assessment schedule, against a limit weighed from each case's own
// programme (loadLimit): a Restart case counts against Restart's limit,
// not Drive's.
func (s *Service) MyCaseload(ctx context.Context, a Actor) (*Caseload, error) {
	return s.caseload(ctx, a, false)
}

// DownloadCaseload is MyCaseload for a file: the same cases, audited as a
// list that was downloaded.
func (s *Service) DownloadCaseload(ctx context.Context, a Actor) (*Caseload, error) {
	return s.caseload(ctx, a, true)
}

func (s *Service) caseload(ctx context.Context, a Actor, download bool) (*Caseload, error) {
	rows, _, err := s.ListCases(ctx, a, CaseFilter{CaseManagerID: a.UserID,
		States: []casework.State{casework.Allocated, casework.Active, casework.Closing, casework.Transferred}, Sort: "name", Limit: 1000,
		Download: download})
	if err != nil {
		return nil, err
	}
	cl := &Caseload{Rows: rows}
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		progs := newProgrammes(tx)
		fallback := programme.Drive().CaseloadLimit
		for _, g := range a.Subject.Grants {
			if g.Role == access.CaseManager && g.SiteID != 0 {
				if p, err := tx.SiteProgramme(ctx, g.SiteID, programme.Drive().Code); err == nil {
					fallback = p.CaseloadLimit
				}
			}
		}
		counts := map[int]int{}
		for _, r := range rows {
			p, err := progs.of(ctx, r.Case.SiteID, r.Case.Programme)
			if err != nil {
				return err
			}
			counts[p.CaseloadLimit]++
		}
		cl.Limit, cl.Over = loadLimit(counts, fallback)
		today := drive.DateOf(tx.Now)
		if err := withSchedules(ctx, tx, progs, cl.Rows, today); err != nil {
			return err
		}
		for _, r := range cl.Rows {
			cl.OverdueAssessments += r.Assessments.Overdue
		}
		return nil
	})
	return cl, err
}

// Dashboard returns the team leader's view of a site, audited as a list.
// Each case is held to its own programme's settings: the no-contact period
// and the caseload limit of a Restart case are Restart's. Errors:
// ENOTFOUND unless the actor may manage the site's cases.
func (s *Service) Dashboard(ctx context.Context, a Actor, siteID int64) (*Dashboard, error) {
	return s.dashboardFor(ctx, a, siteID, dashboardCut)
}

// DashboardLists is Dashboard with every case on each of its lists, for
// the pages that show one list whole, a page at a time; audited as a list.
// Errors: ENOTFOUND unless the actor may manage the site's cases.
func (s *Service) DashboardLists(ctx context.Context, a Actor, siteID int64) (*Dashboard, error) {
	return s.dashboardFor(ctx, a, siteID, dashboardWhole)
}

// dashboardMode says how much of each list the dashboard keeps and how
// the read is audited.
type dashboardMode int

const (
	dashboardCut      dashboardMode = iota // the first DashboardRows of each list
	dashboardWhole                         // every case, for a list's own pages
	dashboardDownload                      // every case, for a file
)

// DownloadDashboard is Dashboard for a file: every case on each of its
// lists, not only the first DashboardRows, audited as a download.
func (s *Service) DownloadDashboard(ctx context.Context, a Actor, siteID int64) (*Dashboard, error) {
	return s.dashboardFor(ctx, a, siteID, dashboardDownload)
}

func (s *Service) dashboardFor(ctx context.Context, a Actor, siteID int64, mode dashboardMode) (*Dashboard, error) {
	var out *Dashboard
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.PerpetratorCase, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		if _, err := s.decide(ctx, tx, a, access.Write, r, "site"); err != nil {
			return err
		}
		run, err := tx.SiteProgrammes(ctx, siteID)
		if err != nil {
			return err
		}
		if len(run) == 0 {
			run = []*programme.Programme{programme.Drive()}
		}
		// The store lists cases without contact for the shortest period
		// any programme here sets; each case is then held to its own.
		shortest, drivesLimit := run[0].NoContactDays, run[0].CaseloadLimit
		for _, p := range run {
			shortest = min(shortest, p.NoContactDays)
			if p.Code == programme.Drive().Code {
				drivesLimit = p.CaseloadLimit
			}
		}
		today := drive.DateOf(tx.Now)
		dash, err := tx.TeamDashboard(ctx, siteID, today, shortest, drivesLimit)
		if err != nil {
			return err
		}
		// Transfers waiting for the site are for those who decide them.
		if !slices.ContainsFunc(a.Subject.Grants, func(g access.Grant) bool {
			return g.SiteID == siteID && slices.Contains(casework.ReceivingRoles(), g.Role)
		}) {
			dash.TransfersIn = nil
		}
		out = dashboard(dash)
		out.Programmes = limits(run)
		// A trial's comparison referrals are followed up, never allocated:
		// they are not waiting for a case manager.
		comparison, err := tx.ComparisonCaseIDs(ctx, siteID)
		if err != nil {
			return err
		}
		out.Unallocated = slices.DeleteFunc(out.Unallocated, func(r CaseRow) bool { return slices.Contains(comparison, r.Case.ID) })
		progs := newProgrammes(tx)
		for _, p := range run {
			progs.add(siteID, p)
		}
		var noContact []CaseRow
		for _, row := range out.NoContact {
			p, err := progs.of(ctx, row.Case.SiteID, row.Case.Programme)
			if err != nil {
				return err
			}
			last := row.Case.LastContactAt
			if last == nil {
				last = row.Case.AllocatedAt
			}
			if last != nil && last.Before(today.AddDays(1-p.NoContactDays).Time()) {
				noContact = append(noContact, row)
			}
		}
		out.NoContact = noContact
		// The site's held cases, read once: they give each case manager's
		// mix of programmes (only someone who also holds cases at another
		// site needs a query of their own) and the assessment schedules.
		heldStates := []casework.State{casework.Allocated, casework.Active, casework.Closing, casework.Transferred}
		held, err := allCases(ctx, tx, store.CaseFilter{SiteIDs: []int64{siteID}, States: heldStates, Sort: "state"}, today)
		if err != nil {
			return err
		}
		byManager := map[int64][]store.CaseRow{}
		for _, h := range held {
			byManager[h.Case.CaseManagerID] = append(byManager[h.Case.CaseManagerID], h)
		}
		for i, l := range out.Caseloads {
			theirs := byManager[l.UserID]
			if len(theirs) != l.Open {
				if theirs, err = allCases(ctx, tx, store.CaseFilter{AllSites: true, CaseManagerID: l.UserID, States: heldStates, Sort: "state"}, today); err != nil {
					return err
				}
			}
			counts := map[int]int{}
			for _, h := range theirs {
				p, err := progs.of(ctx, h.Case.SiteID, h.Case.Programme)
				if err != nil {
					return err
				}
				counts[p.CaseloadLimit]++
			}
			out.Caseloads[i].Limit, out.Caseloads[i].Over = loadLimit(counts, drivesLimit)
		}
		var open []store.CaseRow
		for _, h := range held {
			if h.Case.State != casework.Transferred {
				open = append(open, h)
			}
		}
		if err := s.dashboardSchedules(ctx, tx, progs, open, today, out); err != nil {
			return err
		}
		switch mode {
		case dashboardDownload:
			out.shorten(0)
			return listedIn(ctx, tx, a, "case", "team dashboard downloaded", dash.OpenCases)
		case dashboardWhole:
			out.shorten(0)
			return listedIn(ctx, tx, a, "case", "team dashboard list", dash.OpenCases)
		}
		out.shorten(DashboardRows)
		return listedIn(ctx, tx, a, "case", "team dashboard", dash.OpenCases)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// allCases reads every case f selects, a page at a time: for work that
// must count each open case (caseload limits, assessment schedules), where
// a single page would silently stop at the store's page limit. Sort by
// "state" for a filter on open states: no index gives that order, so the
// planner reads the states' cases through (site, state) and sorts them,
// rather than walking every case the site ever held in another index's
// order.
func allCases(ctx context.Context, tx *store.Tx, f store.CaseFilter, today drive.Date) ([]store.CaseRow, error) {
	const page = 1000
	var out []store.CaseRow
	for f.After, f.Back, f.Limit = nil, false, page; ; {
		p, err := tx.CasesPage(ctx, f, today)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Rows...)
		if !p.More {
			return out, nil
		}
		next := store.CaseCursorAt(f.Sort, p.Rows[len(p.Rows)-1])
		f.After = &next
	}
}

// dashboardSchedules adds to the dashboard those of the site's open cases
// with overdue assessments, and those where a linked victim-survivor has
// no open IDVA case or no IDVA.
func (s *Service) dashboardSchedules(ctx context.Context, tx *store.Tx, progs *programmes, open []store.CaseRow, today drive.Date, out *Dashboard) error {
	rows := caseRows(open)
	if err := withSchedules(ctx, tx, progs, rows, today); err != nil {
		return err
	}
	without, err := tx.CasesWithoutIDVA(ctx, caseIDs(open))
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Assessments.Overdue > 0 {
			out.AssessmentsOverdue = append(out.AssessmentsOverdue, r)
			out.OverdueAssessments += r.Assessments.Overdue
		}
		if without[r.Case.ID] {
			out.WithoutIDVA = append(out.WithoutIDVA, r)
		}
	}
	sort.SliceStable(out.AssessmentsOverdue, func(i, j int) bool {
		a, b := out.AssessmentsOverdue[i].Assessments, out.AssessmentsOverdue[j].Assessments
		if a.Overdue != b.Overdue {
			return a.Overdue > b.Overdue
		}
		return a.Next.Due.Before(b.Next.Due)
	})
	return nil
}

// CaseView is everything the case page and the API's case resource show.
type CaseView struct {
	Case        *casework.Case
	Person      *people.Person
	Programme   *programme.Programme
	Assessment  programme.Assessment
	Actions     []casework.Action
	Contacts    []casework.Contact
	Reviews     []casework.Review
	Notes       []casework.Note
	History     []casework.HistoryEntry
	Users       map[int64]string // names of everyone who appears
	CaseManager string
	SiteName    string
	// What the actor may do.
	Transitions  []casework.Transition
	CanWrite     bool
	CanReadNotes bool
	CanNote      bool
	CanNeeds     bool
	// EscalateTo is the programme the actor may escalate the case to
	// (Drive, for a Restart case), or nil.
	EscalateTo   *programme.Programme
	CaseManagers []account.User // who the case may be allocated to
	Sites        []account.Site // where it may be transferred
	Today        drive.Date
	// Due is what is due on the case today, by the definitions every
	// list and route shares (casework.Due).
	Due casework.Due
	// Restricted is set when the case has moved to another site: the
	// view holds only what the actor's own site's staff wrote on it
	// (their notes, contacts and history), and nothing else.
	Restricted bool
	// RiskFacts are the linked victim-survivors' risk facts, when the
	// actor may read them: never where she is or how to reach her.
	RiskFacts []victim.RiskFacts
	// CanReadRisk: the actor may read the linked victim-survivors' risk
	// facts, so the case offers its "Victims' risk" page, though only
	// CasePage reads them (and audits each read).
	CanReadRisk bool
	// Scores are the identification scores at entry and exit, for a case
	// referred from the identification list, when the actor may read
	// police intelligence on it.
	Scores []CaseScore
	// ScoreChange is the percentage change from entry to exit; set only
	// when both exist and the entry is above zero.
	ScoreChange *float64
	// PoliceHistory: the actor may read the case's police history
	// (PoliceHistory), so the page links to it.
	PoliceHistory bool
	// Arm is the referral's arm when a trial allocated it; nil otherwise.
	Arm *CaseArm
	// Transfer is set, and nothing else but Case (its id, state and
	// sites), Person (name and date of birth) and Transitions, when the
	// actor is a team leader of the site a pending transfer is for.
	Transfer *TransferDecision
}

// TransferDecision is what the receiving site's team leaders see of a case
// whose transfer to their site is pending: enough to accept or decline it,
// and nothing of the work on it. Notes, contacts, actions, reviews, the
// history, police intelligence and the victim-survivors' risk facts stay
// with the sending site until the transfer is accepted, because until then
// the case is not the receiving site's to work.
type TransferDecision struct {
	FromSite string
	ToSite   string
	// Reason is what the sending team leader gave for the transfer, or
	// victim.WithheldText when the screen held it back.
	Reason      string
	RequestedAt time.Time
	RequestedBy string
	PersonName  string
	// Age is the person's age today in whole years; HasAge is false when
	// the date of birth is not known.
	Age    int
	HasAge bool
	// RiskLevel is the level at the case's latest review (RiskSource
	// "review", reviewed on ReviewedOn) or, before any review, the band of
	// the DASH score the referral was made on (RiskSource "referral"):
	// "standard", "medium", "high" or "very_high"; empty when neither is
	// known. A band, never a victim-survivor's answers or score history.
	RiskLevel  string
	RiskSource string
	ReviewedOn drive.Date
}

// Case returns a case the actor may read, with everything on its page but
// the victim-survivors' risk facts, and records the read. Errors:
// ENOTFOUND for a missing or hidden case.
func (s *Service) Case(ctx context.Context, a Actor, id int64) (*CaseView, error) {
	return s.caseView(ctx, a, id, CaseEverything)
}

// CaseParts names the lists of a case a page shows beyond what every
// page of the case shows (the case, its person and programme, its
// actions, scores and trial arm, and what the reader may do), so that a
// page reads only the lists it shows: each is a statement, and the notes
// are unsealed one by one. The read is audited the same whichever parts
// are asked for.
type CaseParts uint8

const (
	CaseContacts CaseParts = 1 << iota
	CaseReviews
	CaseNotes
	CaseHistory
	// CaseRiskFacts reads the linked victim-survivors' risk facts when
	// the actor may, auditing a read of each one's record (CasePage).
	CaseRiskFacts
	// CaseEverything is every list but the risk facts: what Case reads.
	CaseEverything = CaseContacts | CaseReviews | CaseNotes | CaseHistory
)

// CaseSection is Case reading only the lists parts names (the others are
// left empty), for a page of the case that shows only those. Permissions,
// audit and errors as Case, and CasePage when parts has CaseRiskFacts.
func (s *Service) CaseSection(ctx context.Context, a Actor, id int64, parts CaseParts) (*CaseView, error) {
	return s.caseView(ctx, a, id, parts)
}

// CasePage is Case with the linked victim-survivors' risk facts too, when
// the actor may read them, for the case page that shows them. Each
// victim-survivor whose facts are returned gets her own audit event (a read
// of her record, with the reason "risk facts on case N"), so that the log
// answers "who has seen her risk facts" and not only "who opened his case".
func (s *Service) CasePage(ctx context.Context, a Actor, id int64) (*CaseView, error) {
	return s.caseView(ctx, a, id, CaseEverything|CaseRiskFacts)
}

func (s *Service) caseView(ctx context.Context, a Actor, id int64, parts CaseParts) (*CaseView, error) {
	v := &CaseView{Users: map[int64]string{}}
	// An audited read: the page's reads run beside other requests, and
	// its audit events join the next group commit (store.DB.Read).
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, id)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.NotFound("case")
		}
		if err != nil {
			return err
		}
		// The linked victim-survivors' IDVAs are read once for the
		// three decisions on the case below.
		idvas, err := tx.CaseVictimIDVAs(ctx, c.ID)
		if err != nil {
			return err
		}
		d, receiving, err := decideCaseFor(a, access.Read, c, access.PerpetratorCase, idvas, tx.Now)
		if err != nil {
			return s.ownWriting(ctx, tx, a, c, v)
		}
		if receiving {
			return s.transferDecision(ctx, tx, a, d, c, v)
		}
		v.Case, v.Today = c, drive.DateOf(tx.Now)
		if v.Person, err = tx.Person(ctx, c.PersonID); err != nil {
			return err
		}
		if v.Programme, err = tx.SiteProgramme(ctx, c.SiteID, c.Programme); err != nil {
			if drive.ErrorCode(err) != drive.ENOTFOUND {
				return err
			}
			v.Programme = builtInProgramme(c.Programme)
		}
		v.Assessment = v.Programme.Assess(c.Evidence, c.ReferredAt)
		if v.Actions, err = tx.Actions(ctx, id); err != nil {
			return err
		}
		v.Due = casework.DueOf(c, v.Actions, v.Today)
		if parts&CaseContacts != 0 {
			if v.Contacts, err = tx.Contacts(ctx, id); err != nil {
				return err
			}
		}
		if parts&CaseReviews != 0 {
			if v.Reviews, err = tx.Reviews(ctx, id); err != nil {
				return err
			}
		}
		if v.CanReadNotes = access.Decide(a.Subject, access.Read, caseResource(c, access.Notes), tx.Now).Allowed; v.CanReadNotes && parts&CaseNotes != 0 {
			if v.Notes, err = s.notes(ctx, tx, id); err != nil {
				return err
			}
		}
		if parts&CaseHistory != 0 {
			if v.History, err = tx.History(ctx, id); err != nil {
				return err
			}
		}
		rd := access.Decide(a.Subject, access.Read, caseResource(c, access.VictimRisk), tx.Now)
		v.CanReadRisk = rd.Allowed
		if parts&CaseRiskFacts != 0 && rd.Allowed {
			var victims []int64
			if v.RiskFacts, victims, err = s.riskFacts(ctx, tx, id); err != nil {
				return err
			}
			for _, vid := range victims {
				e := audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(rd.Role), RecordType: "victim",
					RecordID: strconv.FormatInt(vid, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed,
					Reason: "risk facts on case " + strconv.FormatInt(id, 10)}
				if err := tx.Audit(ctx, e); err != nil {
					return err
				}
			}
		}
		if access.Decide(a.Subject, access.Read, caseResource(c, access.PoliceIntel), tx.Now).Allowed {
			scores, err := tx.CaseScores(ctx, id)
			if err != nil {
				return err
			}
			v.Scores = caseScores(scores)
			// A change is only meaningful between scores of one strategy.
			if len(v.Scores) == 2 && v.Scores[0].Total > 0 && v.Scores[0].StrategyCode == v.Scores[1].StrategyCode &&
				v.Scores[0].StrategyVersion == v.Scores[1].StrategyVersion {
				ch := (v.Scores[1].Total - v.Scores[0].Total) / v.Scores[0].Total * 100
				v.ScoreChange = &ch
			}
		}
		_, v.PoliceHistory = mayReadPoliceHistoryFor(a, c, idvas, tx.Now)
		v.CanWrite = access.Decide(a.Subject, access.Write, caseResource(c, access.PerpetratorCase), tx.Now).Allowed
		v.CanNote = access.Decide(a.Subject, access.Write, caseResource(c, access.Notes), tx.Now).Allowed
		v.CanNeeds = access.Decide(a.Subject, access.Write, caseResource(c, access.HealthNeeds), tx.Now).Allowed
		if v.Arm, err = caseArm(ctx, tx, id); err != nil {
			return err
		}
		if v.CanWrite {
			v.Transitions = casework.Allowed(c.State, a.RolesAt(c.SiteID), false)
			if v.Arm != nil && v.Arm.Arm == evaluation.ArmComparison {
				v.Transitions = slices.DeleteFunc(v.Transitions, func(t casework.Transition) bool { return t.Event == casework.Allocate })
			}
			if slices.ContainsFunc(a.RolesAt(c.SiteID), func(r access.Role) bool { return slices.Contains(casework.EscalationRoles(), r) }) {
				// A case already in Drive escalates nowhere
				// (CanEscalate), so Drive's settings are not read again.
				if c.Programme != programme.Drive().Code {
					if to, err := tx.SiteProgramme(ctx, c.SiteID, programme.Drive().Code); err == nil && c.CanEscalate(v.Programme, to) {
						v.EscalateTo = to
					}
				}
			}
		}
		if err := s.names(ctx, tx, v); err != nil {
			return err
		}
		held, err := tx.CaseHeldTexts(ctx, id)
		if err != nil {
			return err
		}
		withhold(v, held, a.UserID)
		return recordCase(ctx, tx, a, d, audit.ActionRecordRead, c)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "case", id)
	}
	return v, err
}

// recordCase records an action on a case; a read through a meeting's
// panel names the meeting, so the log answers "what did this partner open
// under that meeting".
func recordCase(ctx context.Context, tx *store.Tx, a Actor, d access.Decision, action string, c *casework.Case) error {
	if d.Relationship != access.Panel {
		return record(ctx, tx, a, d, action, "case", c.ID, c.SiteID, "")
	}
	return record(ctx, tx, a, d, action, "case", c.ID, c.SiteID, "under meeting "+strconv.FormatInt(c.PanelMeeting(a.UserID), 10))
}

// transferDecision fills v with the decision view of a case pending
// transfer to the actor's site (see TransferDecision), and records the
// read against the case's site with the reason "transfer decision".
func (s *Service) transferDecision(ctx context.Context, tx *store.Tx, a Actor, d access.Decision, c *casework.Case, v *CaseView) error {
	today := drive.DateOf(tx.Now)
	p, err := tx.Person(ctx, c.PersonID)
	if err != nil {
		return err
	}
	t := &TransferDecision{PersonName: p.Name()}
	if !p.DateOfBirth.IsZero() {
		t.Age, t.HasAge = p.DateOfBirth.AgeOn(today), true
	}
	history, err := tx.History(ctx, c.ID)
	if err != nil {
		return err
	}
	held, err := tx.CaseHeldTexts(ctx, c.ID)
	if err != nil {
		return err
	}
	heldSet := victim.NewHeldSet(held)
	var requester int64
	for _, h := range history {
		if h.Event == string(casework.Transfer) {
			t.Reason, t.RequestedAt, requester = h.Detail, h.At, h.UserID
			if t.Reason != "" && heldSet.Hidden(victim.HeldHistory, h.ID, a.UserID) {
				t.Reason = victim.WithheldText
			}
		}
	}
	reviews, err := tx.Reviews(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, r := range reviews {
		if t.RiskSource == "" || !r.On.Before(t.ReviewedOn) {
			t.RiskLevel, t.RiskSource, t.ReviewedOn = r.RiskLevel, "review", r.On
		}
	}
	if t.RiskSource == "" && c.Evidence.DASHScore >= 0 {
		t.RiskLevel, t.RiskSource = dashBand(c.Evidence.DASHScore), "referral"
	}
	if requester != 0 {
		if u, err := tx.User(ctx, requester); err == nil {
			t.RequestedBy = u.DisplayName
		}
	}
	for _, id := range []int64{c.SiteID, c.TransferToSiteID} {
		st, err := tx.Site(ctx, id)
		if err != nil {
			return err
		}
		if id == c.SiteID {
			t.FromSite = st.Name
		} else {
			t.ToSite = st.Name
		}
	}
	v.Transfer, v.Today = t, today
	v.Case = &casework.Case{ID: c.ID, SiteID: c.SiteID, TransferToSiteID: c.TransferToSiteID, State: c.State, Programme: c.Programme}
	v.Person = &people.Person{GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth}
	v.Programme = programme.Drive()
	v.Transitions = casework.Allowed(c.State, a.RolesAt(c.TransferToSiteID), true)
	e := audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "case",
		RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "transfer decision"}
	return tx.Audit(ctx, e)
}

// dashBand is the SafeLives DASH band of a score (ARCHITECTURE.md §3):
// 14 or more high, 10 to 13 medium, below that standard.
func dashBand(score int) string {
	switch {
	case score >= 14:
		return "high"
	case score >= 10:
		return "medium"
	}
	return "standard"
}

// ownWriting builds the restricted view of a case that has moved to
// another site: only what staff of the actor's own sites wrote on it
// (notes, contacts, history entries) stays visible to them. If they wrote
// nothing, the case is "not found" as usual.
func (s *Service) ownWriting(ctx context.Context, tx *store.Tx, a Actor, c *casework.Case, v *CaseView) error {
	sites, _ := a.Subject.SitesFor(access.PerpetratorCase, access.Read)
	var former []int64
	for _, site := range sites {
		if site != c.SiteID {
			former = append(former, site)
		}
	}
	staff, err := tx.StaffOfSites(ctx, former)
	if err != nil || len(staff) == 0 {
		return drive.NotFound("case")
	}
	history, err := tx.History(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, h := range history {
		if contains(former, h.SiteID) {
			v.History = append(v.History, h)
		}
	}
	if len(v.History) == 0 {
		return drive.NotFound("case")
	}
	notes, err := s.notes(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, n := range notes {
		if staff[n.CreatedBy] {
			v.Notes = append(v.Notes, n)
		}
	}
	contacts, err := tx.Contacts(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, ct := range contacts {
		if staff[ct.CreatedBy] {
			v.Contacts = append(v.Contacts, ct)
		}
	}
	held, err := tx.CaseHeldTexts(ctx, c.ID)
	if err != nil {
		return err
	}
	withhold(v, held, a.UserID)
	v.Restricted, v.CanReadNotes = true, true
	v.Case = &casework.Case{ID: c.ID, State: casework.Transferred}
	v.Person = &people.Person{}
	v.Programme = programme.Drive()
	v.Today = drive.DateOf(tx.Now)
	users, err := tx.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		v.Users[u.ID] = u.DisplayName
	}
	return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, RecordType: "case",
		RecordID: strconv.FormatInt(c.ID, 10), Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "own site's records after transfer"})
}

// names fills in the people, sites and choices the case page shows: the
// names of those who wrote on the case and, for a writer, the site's case
// managers to allocate to. It reads those accounts, not every account,
// which at national scale (hundreds of staff) was most of a case page's
// work.
func (s *Service) names(ctx context.Context, tx *store.Tx, v *CaseView) error {
	ids := []int64{v.Case.CaseManagerID, v.Case.ReferredBy, v.Case.DecidedBy}
	for _, h := range v.History {
		ids = append(ids, h.UserID)
	}
	for _, c := range v.Contacts {
		ids = append(ids, c.CreatedBy)
	}
	for _, r := range v.Reviews {
		ids = append(ids, r.CreatedBy)
	}
	for _, n := range v.Notes {
		ids = append(ids, n.CreatedBy)
	}
	for _, a := range v.Actions {
		ids = append(ids, a.CreatedBy)
	}
	names, err := tx.UserNames(ctx, ids)
	if err != nil {
		return err
	}
	maps.Copy(v.Users, names)
	v.CaseManager = v.Users[v.Case.CaseManagerID]
	if v.CanWrite {
		if v.CaseManagers, err = tx.UserNamesWithRole(ctx, access.CaseManager, v.Case.SiteID); err != nil {
			return err
		}
	}
	sites, err := tx.Sites(ctx)
	if err != nil {
		return err
	}
	for _, st := range sites {
		if st.ID == v.Case.SiteID {
			v.SiteName = st.Name
		} else {
			v.Sites = append(v.Sites, st)
		}
	}
	sort.Slice(v.CaseManagers, func(i, j int) bool { return v.CaseManagers[i].DisplayName < v.CaseManagers[j].DisplayName })
	return nil
}

// writeCase loads a case the actor may write for class, runs fn on it in
// the same transaction, and audits the write with the part of the case it
// changed (audit.PartPlan, ...), never what was written, so the audit log
// can say "changed perpetrator case 12 (a logged session)". Errors:
// ENOTFOUND for a missing or hidden case, and whatever fn returns.
func (s *Service) writeCase(ctx context.Context, a Actor, id int64, class access.DataClass, allowReceiving bool, part string, fn func(tx *store.Tx, c *casework.Case, d access.Decision, receiving bool) error) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, id)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.NotFound("case")
		}
		if err != nil {
			return err
		}
		d, receiving, err := s.decideCase(ctx, tx, a, access.Write, c, class)
		if err != nil {
			return err
		}
		if receiving && !allowReceiving {
			return drive.NotFound("case")
		}
		if err := fn(tx, c, d, receiving); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "case", id, c.SiteID, "", part)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "case", id)
	}
	return err
}

func (s *Service) programmeOf(ctx context.Context, tx *store.Tx, c *casework.Case) (*programme.Programme, error) {
	p, err := tx.SiteProgramme(ctx, c.SiteID, c.Programme)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return builtInProgramme(c.Programme), nil
	}
	return p, err
}

// Move applies a state change to a case: the state machine decides whether
// the actor's role may make it, the programme's rules what it needs.
func (s *Service) Move(ctx context.Context, a Actor, id int64, ch casework.Change) error {
	return s.writeCase(ctx, a, id, access.PerpetratorCase, true, changedBy(ch.Event), func(tx *store.Tx, c *casework.Case, d access.Decision, receiving bool) error {
		return s.moveCase(ctx, tx, a, c, ch, receiving)
	})
}

// changedBy is the part of a case a state change changes, as the audit
// log names it.
func changedBy(e casework.Event) string {
	switch e {
	case casework.Accept, casework.Decline:
		return audit.PartPanelDecision
	case casework.Allocate, casework.Reallocate:
		return audit.PartAllocation
	case casework.Start:
		return audit.PartStart
	case casework.BeginClosure, casework.Resume, casework.Close:
		return audit.PartClosure
	case casework.Transfer, casework.AcceptTransfer, casework.RejectTransfer:
		return audit.PartTransfer
	case casework.Reopen:
		return audit.PartReopening
	}
	// An event the state machine refuses changes nothing; the write is
	// not recorded.
	return ""
}

// moveCase is Move inside a transaction that has already decided the
// actor may write the case: a meeting's decision moves a referral too.
func (s *Service) moveCase(ctx context.Context, tx *store.Tx, a Actor, c *casework.Case, ch casework.Change, receiving bool) error {
	site := c.SiteID
	if receiving {
		site = c.TransferToSiteID
	}
	t, err := casework.Check(c.State, ch.Event, a.RolesAt(site), receiving)
	if err != nil {
		return err
	}
	prog, err := s.programmeOf(ctx, tx, c)
	if err != nil {
		return err
	}
	if ch.CaseManagerID != 0 {
		u, err := tx.User(ctx, ch.CaseManagerID)
		ok := err == nil && !u.Disabled()
		if ok {
			ok = false
			for _, r := range u.Roles {
				ok = ok || (r.Role == access.CaseManager && r.SiteID == c.SiteID)
			}
		}
		if !ok {
			return drive.Invalid("The case could not be moved", map[string]string{"case_manager": "Choose a case manager at this site"})
		}
	}
	if ch.SiteID != 0 {
		if _, err := tx.Site(ctx, ch.SiteID); err != nil {
			return drive.Invalid("The case could not be moved", map[string]string{"site": "Choose the site the case is moving to"})
		}
	}
	if ch.Reasons != "" {
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
	}
	if err := refuseComparisonWork(ctx, tx, c, ch.Event); err != nil {
		return err
	}
	from := c.State
	if err := c.Apply(t, ch, prog, a.UserID, tx.Now); err != nil {
		return err
	}
	if err := tx.UpdateCase(ctx, c); err != nil {
		return err
	}
	if err := closeScore(ctx, tx, c); err != nil {
		return err
	}
	detail := ch.Reasons
	if r, ok := prog.ClosureReason(ch.ClosureReason); ok {
		detail = r.Label
	}
	h := &casework.HistoryEntry{CaseID: c.ID, At: tx.Now, UserID: a.UserID, Event: string(ch.Event),
		FromState: from, ToState: c.State, Detail: detail, SiteID: site}
	if err := tx.AddHistory(ctx, h); err != nil {
		return err
	}
	// A referral the panel accepts while a trial runs is allocated to an
	// arm now, once the decision is recorded, and never before.
	if ch.Event == casework.Accept {
		role := access.Role("")
		for _, r := range a.RolesAt(site) {
			if role == "" && slices.Contains(t.Roles, r) {
				role = r
			}
		}
		if err := s.allocateReferral(ctx, tx, a, role, c); err != nil {
			return err
		}
	}
	if ch.Reasons == "" {
		return nil
	}
	refs := []heldRef{{victim.HeldHistory, h.ID}}
	if ch.Event == casework.Accept || ch.Event == casework.Decline {
		refs = append(refs, heldRef{victim.HeldDecision, c.ID})
	}
	return s.screen(ctx, tx, a, c, refs, ch.Reasons)
}

// SetEngagement records how the perpetrator is engaging.
func (s *Service) SetEngagement(ctx context.Context, a Actor, id int64, e casework.Engagement) error {
	if !e.Valid() {
		return drive.Invalid("Check the engagement", map[string]string{"engagement": "Choose how the person is engaging"})
	}
	return s.writeCase(ctx, a, id, access.PerpetratorCase, false, audit.PartEngagement, func(tx *store.Tx, c *casework.Case, _ access.Decision, _ bool) error {
		if !c.State.Open() {
			return drive.Errorf(drive.EINVALID, "Engagement can only change while the case is open")
		}
		if c.Engagement == e {
			return nil
		}
		from := c.Engagement
		c.Engagement = e
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		return tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: tx.Now, UserID: a.UserID, Event: "engagement",
			FromState: c.State, ToState: c.State, Detail: from.Label() + " → " + e.Label(), SiteID: c.SiteID})
	})
}

// AddAction adds a step to the intervention plan.
func (s *Service) AddAction(ctx context.Context, a Actor, id int64, act *casework.Action) error {
	return s.writeCase(ctx, a, id, access.PerpetratorCase, false, audit.PartPlan, func(tx *store.Tx, c *casework.Case, _ access.Decision, _ bool) error {
		if !c.State.Open() {
			return drive.Errorf(drive.EINVALID, "Actions can only be added while the case is open")
		}
		prog, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		act.CaseID, act.CreatedBy = c.ID, a.UserID
		if err := act.Validate(prog, drive.DateOf(tx.Now), true); err != nil {
			return err
		}
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateAction(ctx, act); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, c.ID); err != nil {
			return err
		}
		return s.screen(ctx, tx, a, c, []heldRef{{victim.HeldAction, act.ID}}, act.Owner, act.Agency, act.Outcome)
	})
}

// UpdateAction changes an action's status, owner, due date or outcome.
func (s *Service) UpdateAction(ctx context.Context, a Actor, id, actionID int64, update func(*casework.Action)) error {
	return s.writeCase(ctx, a, id, access.PerpetratorCase, false, audit.PartAction, func(tx *store.Tx, c *casework.Case, _ access.Decision, _ bool) error {
		act, err := tx.Action(ctx, actionID)
		if err != nil || act.CaseID != c.ID {
			return drive.NotFound("action")
		}
		prog, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		update(act)
		if err := act.Validate(prog, drive.DateOf(tx.Now), false); err != nil {
			return err
		}
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.UpdateAction(ctx, act); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, c.ID); err != nil {
			return err
		}
		return s.screen(ctx, tx, a, c, []heldRef{{victim.HeldAction, act.ID}}, act.Owner, act.Agency, act.Outcome)
	})
}

// AddContact logs a contact, attempt or session.
func (s *Service) AddContact(ctx context.Context, a Actor, id int64, ct *casework.Contact) error {
	return s.writeCase(ctx, a, id, access.PerpetratorCase, false, contactPart(ct.Kind), func(tx *store.Tx, c *casework.Case, _ access.Decision, _ bool) error {
		ct.CaseID, ct.CreatedBy = c.ID, a.UserID
		if err := ct.Validate(drive.DateOf(tx.Now)); err != nil {
			return err
		}
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateContact(ctx, ct); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, c.ID); err != nil {
			return err
		}
		return s.screen(ctx, tx, a, c, []heldRef{{victim.HeldContact, ct.ID}}, ct.Summary, ct.Method)
	})
}

// contactPart is the part of a case a logged contact of this kind is, as
// the audit log names it.
func contactPart(k casework.ContactKind) string {
	switch k {
	case casework.OneToOne:
		return audit.PartSession
	case casework.ContactAttempt:
		return audit.PartContactAttempt
	case casework.PartnerContact:
		return audit.PartAgencyContact
	}
	return audit.PartContact
}

// AddReview records a case review with risk and needs.
func (s *Service) AddReview(ctx context.Context, a Actor, id int64, r *casework.Review) error {
	return s.writeCase(ctx, a, id, access.HealthNeeds, false, audit.PartReview, func(tx *store.Tx, c *casework.Case, _ access.Decision, _ bool) error {
		if c.State != casework.Active && c.State != casework.Closing {
			return drive.Errorf(drive.EINVALID, "Reviews are recorded while the case is active")
		}
		prog, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		r.CaseID, r.CreatedBy = c.ID, a.UserID
		if err := r.Validate(prog, drive.DateOf(tx.Now)); err != nil {
			return err
		}
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateReview(ctx, r); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, c.ID); err != nil {
			return err
		}
		return s.screen(ctx, tx, a, c, []heldRef{{victim.HeldReview, r.ID}}, r.Summary)
	})
}

// AddNote appends a note, or a correction of an earlier one.
func (s *Service) AddNote(ctx context.Context, a Actor, id int64, n *casework.Note) error {
	part := audit.PartNote
	if n.Amends != 0 {
		part = audit.PartNoteCorrection
	}
	return s.writeCase(ctx, a, id, access.Notes, false, part, func(tx *store.Tx, c *casework.Case, _ access.Decision, _ bool) error {
		n.CaseID, n.CreatedBy = c.ID, a.UserID
		if err := n.Validate(); err != nil {
			return err
		}
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateNote(ctx, n, func(id int64) (store.SealedValue, error) { return s.seal([]byte(n.Text), aadCaseNote(id)) }); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, c.ID); err != nil {
			return err
		}
		return s.screen(ctx, tx, a, c, []heldRef{{victim.HeldNote, n.ID}}, n.Text)
	})
}

// ReferralInput is a new referral: an existing person or a new one.
type ReferralInput struct {
	SiteID    int64
	Programme string
	PersonID  int64          // an existing person, or 0
	Person    *people.Person // a new person when PersonID is 0
	// NotDuplicate: the user has seen the possible duplicates and says
	// this is someone new.
	NotDuplicate bool
	Case         casework.Case
	// Entry is the identification score the person is referred with,
	// kept as the case's entry score; nil for other referrals.
	Entry *store.CaseScore
}

// Referral is the result of Refer: the new case, or the possible
// duplicates the user must look at first.
type Referral struct {
	CaseID     int64
	PersonID   int64
	Duplicates []people.Candidate
}

// Refer records a referral. A new person is first checked against the
// people the actor may see at the site: if any may be the same individual,
// nothing is stored and the candidates are returned, unless the user has
// said this is someone new.
func (s *Service) Refer(ctx context.Context, a Actor, in ReferralInput) (*Referral, error) {
	return s.refer(ctx, a, in, access.PerpetratorCase)
}

// refer records a referral that the actor must be allowed to write as
// class at the site: a case (PerpetratorCase) for a referral of anyone,
// or a referral from the identification list (ListReferral), which those
// who may not write cases may make.
func (s *Service) refer(ctx context.Context, a Actor, in ReferralInput, class access.DataClass) (*Referral, error) {
	out := &Referral{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: class, RecordType: "site", RecordID: strconv.FormatInt(in.SiteID, 10), SiteID: in.SiteID}
		d, err := s.decide(ctx, tx, a, access.Write, r, "site")
		if err != nil {
			return drive.Invalid("The referral could not be saved", map[string]string{"site": "Choose a site where you take referrals"})
		}
		prog, err := tx.SiteProgramme(ctx, in.SiteID, in.Programme)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			prog = nil
		} else if err != nil {
			return err
		}
		today := drive.DateOf(tx.Now)
		c := in.Case
		c.SiteID, c.ReferredBy = in.SiteID, a.UserID
		if prog != nil {
			c.Programme = prog.Code
		}
		personID := in.PersonID
		if personID != 0 {
			p, err := tx.Person(ctx, personID)
			if err != nil || p.SiteID != in.SiteID || p.MergedInto != 0 {
				return drive.Invalid("The referral could not be saved", map[string]string{"person": "Choose a person at this site"})
			}
		} else {
			if in.Person == nil {
				return drive.Invalid("The referral could not be saved", map[string]string{"person": "Enter the person being referred"})
			}
			in.Person.SiteID = in.SiteID
			if err := in.Person.Validate(today); err != nil {
				return err
			}
			if !in.NotDuplicate {
				// With a date of birth only records near it can be
				// candidates (people.BirthDatesNear), found by index;
				// without one, every record's names must be compared.
				var existing []*people.Person
				if in.Person.DateOfBirth.IsZero() {
					existing, err = tx.PeopleAtSites(ctx, []int64{in.SiteID})
				} else {
					existing, err = tx.PeopleNear(ctx, []int64{in.SiteID}, people.BirthDatesNear(in.Person.DateOfBirth), in.Person.PoliceRef)
				}
				if err != nil {
					return err
				}
				if dups := people.Duplicates(in.Person, existing); len(dups) > 0 {
					out.Duplicates = dups
					// Validate the rest so all problems show at once.
					c.PersonID = -1
					if err := c.ValidateReferral(today, prog); err != nil && !onlyPerson(err) {
						return err
					}
					return nil
				}
			}
			c.PersonID = 1 // placeholder for validation; set below
		}
		if personID != 0 {
			c.PersonID = personID
		}
		if err := c.ValidateReferral(today, prog); err != nil {
			return err
		}
		if personID == 0 {
			if err := tx.CreatePerson(ctx, in.Person); err != nil {
				return err
			}
			personID = in.Person.ID
			if err := record(ctx, tx, a, d, audit.ActionRecordWrite, "person", personID, in.SiteID, "", audit.PartReferral); err != nil {
				return err
			}
		}
		c.PersonID = personID
		if err := tx.CreateCase(ctx, &c); err != nil {
			return err
		}
		out.CaseID, out.PersonID = c.ID, personID
		if in.Entry != nil {
			in.Entry.CaseID = c.ID
			if err := tx.SetCaseScore(ctx, *in.Entry); err != nil {
				return err
			}
		}
		// The person is linked to the site's police people at once, so an
		// incident imported tomorrow already reaches his case.
		if err := linkReferred(ctx, tx, in.SiteID, personID); err != nil {
			return err
		}
		if err := tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: tx.Now, UserID: a.UserID, Event: "referred",
			ToState: casework.Referred, Detail: c.Source.Label(), SiteID: in.SiteID}); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "case", c.ID, in.SiteID, "", audit.PartReferral)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func onlyPerson(err error) bool {
	var de *drive.Error
	if e, ok := err.(*drive.Error); ok {
		de = e
	}
	if de == nil {
		return false
	}
	for f := range de.Fields {
		if f != "person" {
			return false
		}
	}
	return true
}

// Person returns a person record the actor may see: one at a site where
// they may read cases. Errors: ENOTFOUND.
func (s *Service) Person(ctx context.Context, a Actor, id int64) (*people.Person, []CaseRow, error) {
	var p *people.Person
	var rows []store.CaseRow
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.Person(ctx, id)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.NotFound("person")
		}
		if err != nil {
			return err
		}
		r := access.Resource{Class: access.PerpetratorCase, RecordType: "person", RecordID: strconv.FormatInt(id, 10), SiteID: p.SiteID}
		d, err := s.decide(ctx, tx, a, access.Read, r, "person")
		if err != nil {
			return err
		}
		// Every case, read by person: a page of the site's cases filtered
		// here would drop the person's older cases once the site holds
		// more newer ones than a page.
		if rows, err = tx.PersonCases(ctx, p.SiteID, id, drive.DateOf(tx.Now)); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordRead, "person", id, p.SiteID, "")
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "person", id)
	}
	return p, caseRows(rows), err
}

// Merge folds person mergeID into keepID (both at a site where the actor
// may write cases); Unmerge undoes it. Both are audited.
func (s *Service) Merge(ctx context.Context, a Actor, keepID, mergeID int64) error {
	return s.personWrite(ctx, a, []int64{keepID, mergeID}, "person.merge", func(tx *store.Tx) error {
		return tx.MergePeople(ctx, keepID, mergeID)
	})
}

// Unmerge undoes the latest merge of mergedID.
func (s *Service) Unmerge(ctx context.Context, a Actor, mergedID int64) error {
	return s.personWrite(ctx, a, []int64{mergedID}, "person.unmerge", func(tx *store.Tx) error {
		p, err := tx.Person(ctx, mergedID)
		if err != nil {
			return err
		}
		if p.MergedInto == 0 {
			return drive.Errorf(drive.EINVALID, "This record is not merged into another, so there is nothing to undo")
		}
		return tx.UnmergePerson(ctx, mergedID)
	})
}

func (s *Service) personWrite(ctx context.Context, a Actor, ids []int64, action string, fn func(tx *store.Tx) error) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			p, err := tx.Person(ctx, id)
			if err != nil {
				return drive.NotFound("person")
			}
			r := access.Resource{Class: access.PerpetratorCase, RecordType: "person", RecordID: strconv.FormatInt(id, 10), SiteID: p.SiteID}
			d, err := s.decide(ctx, tx, a, access.Write, r, "person")
			if err != nil {
				return err
			}
			if err := tx.Audit(ctx, audit.Event{Action: action, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "person",
				RecordID: strconv.FormatInt(id, 10), SiteID: p.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK}); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// ReferralSites lists the sites where the actor may take referrals, with
// their programmes.
func (s *Service) ReferralSites(ctx context.Context, a Actor) ([]account.Site, map[int64][]*programme.Programme, error) {
	sites, national := a.Subject.SitesFor(access.PerpetratorCase, access.Write)
	progs := map[int64][]*programme.Programme{}
	var out []account.Site
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		for _, st := range all {
			if national || contains(sites, st.ID) {
				out = append(out, st)
				if progs[st.ID], err = tx.SiteProgrammes(ctx, st.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, progs, err
}

func contains(xs []int64, x int64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// UpdatePerson changes a person's details (names, equality fields,
// references, addresses) at a site where the actor may write cases.
// change edits the stored record; it is then validated and saved, or
// nothing changes. Errors: ENOTFOUND, EINVALID.
func (s *Service) UpdatePerson(ctx context.Context, a Actor, id int64, change func(p *people.Person)) (*people.Person, error) {
	var out *people.Person
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		p, err := tx.Person(ctx, id)
		if err != nil {
			return drive.NotFound("person")
		}
		r := access.Resource{Class: access.PerpetratorCase, RecordType: "person", RecordID: strconv.FormatInt(id, 10), SiteID: p.SiteID}
		d, err := s.decide(ctx, tx, a, access.Write, r, "person")
		if err != nil {
			return err
		}
		before := *p
		before.Aliases, before.Addresses = slices.Clone(p.Aliases), slices.Clone(p.Addresses)
		change(p)
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return err
		}
		out = p
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "person", id, p.SiteID, "", personParts(&before, p)...)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "person", id)
	}
	return out, err
}

// personParts names the parts of a person's record a change touched, for
// the audit log ("the name, the agency references"), never the values.
func personParts(before, after *people.Person) []string {
	var parts []string
	for _, f := range []struct {
		changed bool
		part    string
	}{
		{before.GivenName != after.GivenName || before.FamilyName != after.FamilyName, audit.PartName},
		{!slices.Equal(before.Aliases, after.Aliases), audit.PartAliases},
		{before.DateOfBirth != after.DateOfBirth, audit.PartDateOfBirth},
		{before.Gender != after.Gender || before.Ethnicity != after.Ethnicity || before.SexualOrientation != after.SexualOrientation ||
			before.Disability != after.Disability, audit.PartEquality},
		{before.PoliceRef != after.PoliceRef || before.SocialCareRef != after.SocialCareRef || before.ProbationRef != after.ProbationRef,
			audit.PartAgencyReferences},
		{!slices.Equal(before.Addresses, after.Addresses), audit.PartAddresses},
	} {
		if f.changed {
			parts = append(parts, f.part)
		}
	}
	return parts
}

// notes returns a case's notes with their text opened.
func (s *Service) notes(ctx context.Context, tx *store.Tx, caseID int64) ([]casework.Note, error) {
	stored, err := tx.Notes(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]casework.Note, len(stored))
	for i, n := range stored {
		out[i] = n.Note
		if n.Body.IsZero() {
			continue // written before notes were sealed, and not sealed yet
		}
		plain, err := s.open(n.Body, aadCaseNote(n.ID))
		if err != nil {
			return nil, err
		}
		out[i].Text = string(plain)
	}
	return out, nil
}

// SealNotes seals every note on perpetrators' cases still held in the
// clear (written before notes were sealed at rest), in batches, each in
// its own transaction, and returns how many it sealed. `drive serve`
// runs it at start-up, so an existing database is sealed in place.
func (s *Service) SealNotes(ctx context.Context) (int, error) {
	if s.Keys == nil {
		return 0, drive.Errorf(drive.EUNAVAILABLE, "Notes cannot be sealed: the service has no encryption keys configured")
	}
	total := 0
	for {
		n := 0
		err := s.DB.Transact(ctx, func(tx *store.Tx) error {
			notes, err := tx.UnsealedNotes(ctx, 500)
			if err != nil {
				return err
			}
			for _, note := range notes {
				sv, err := s.seal([]byte(note.Text), aadCaseNote(note.ID))
				if err != nil {
					return err
				}
				if err := tx.SetNoteBody(ctx, note.ID, sv); err != nil {
					return err
				}
			}
			n = len(notes)
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 500 {
			return total, nil
		}
	}
}

// Escalate moves a case whose risk has outgrown its programme (a Restart
// case) up to Drive, in one transaction: it closes the case with the
// closure reason "escalated-drive" and makes a Drive referral of the same
// person at the same site, with the same referral source and evidence,
// linked to the same victim-survivors (with their MARAC hearings), and
// carrying the case's history. The referral's history opens with
// "escalated from Restart case N" and the closed case's ends with the
// referral's number, so each leads to the other. The reasons are screened
// like any free text on a case, on both cases; a history entry held back
// for a victim-survivor's review on the old case is held back on the new
// one too. Both writes are audited. The referral goes to the panel like
// any other. Errors: ENOTFOUND for a missing or hidden case; EINVALID
// when the actor is not its case manager or a team leader, the case
// cannot be escalated (closed, pending transfer, or of a programme that
// does not escalate), the site does not run Drive, or the reasons are
// missing.
func (s *Service) Escalate(ctx context.Context, a Actor, id int64, reasons string) (int64, error) {
	var newID int64
	err := s.writeCase(ctx, a, id, access.PerpetratorCase, false, audit.PartEscalation, func(tx *store.Tx, c *casework.Case, d access.Decision, _ bool) error {
		from, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		to, err := tx.SiteProgramme(ctx, c.SiteID, programme.Drive().Code)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			to = nil
		} else if err != nil {
			return err
		}
		if strings.TrimSpace(reasons) != "" {
			if err := s.limitText(ctx, tx, a); err != nil {
				return err
			}
		}
		old := *c
		ref, err := c.Escalate(from, to, a.UserID, a.RolesAt(c.SiteID), reasons, tx.Now)
		if err != nil {
			return err
		}
		reasons = strings.TrimSpace(reasons)
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		if err := closeScore(ctx, tx, c); err != nil {
			return err
		}
		if err := tx.CreateCase(ctx, ref); err != nil {
			return err
		}
		newID = ref.ID
		links, err := tx.CaseVictimLinks(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, l := range links {
			l.PerpetratorCase = ref.ID
			if err := tx.LinkVictim(ctx, l); err != nil {
				return err
			}
		}
		if err := s.carryHistory(ctx, tx, &old, ref, from); err != nil {
			return err
		}
		closed := &casework.HistoryEntry{CaseID: c.ID, At: tx.Now, UserID: a.UserID, Event: casework.Escalated, FromState: old.State,
			ToState: c.State, Detail: "Escalated to " + to.Name + ": referral case " + strconv.FormatInt(ref.ID, 10) + ". " + reasons, SiteID: c.SiteID}
		if err := tx.AddHistory(ctx, closed); err != nil {
			return err
		}
		opened := &casework.HistoryEntry{CaseID: ref.ID, At: tx.Now, UserID: a.UserID, Event: casework.EscalatedFrom, ToState: casework.Referred,
			Detail: "Escalated from " + from.Name + " case " + strconv.FormatInt(c.ID, 10) + ". " + reasons, SiteID: c.SiteID}
		if err := tx.AddHistory(ctx, opened); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, a, c, []heldRef{{victim.HeldHistory, closed.ID}}, reasons); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, a, ref, []heldRef{{victim.HeldHistory, opened.ID}}, reasons); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "case", ref.ID, ref.SiteID, "", audit.PartReferral)
	})
	if err != nil {
		return 0, err
	}
	return newID, nil
}

// carryHistory copies the history of case from onto its escalation ref,
// each entry at its own time and by its own author, its detail marked with
// the case it came from. An entry held back for a victim-survivor on the
// old case (and not released) is held back for her on the new one, so the
// copy cannot show what the original hides.
func (s *Service) carryHistory(ctx context.Context, tx *store.Tx, from, ref *casework.Case, prog *programme.Programme) error {
	history, err := tx.History(ctx, from.ID)
	if err != nil {
		return err
	}
	held, err := tx.CaseHeldTexts(ctx, from.ID)
	if err != nil {
		return err
	}
	prefix := prog.Name + " case " + strconv.FormatInt(from.ID, 10)
	for _, h := range history {
		c := h
		c.ID, c.CaseID = 0, ref.ID
		if c.Detail != "" {
			c.Detail = prefix + ": " + c.Detail
		} else {
			c.Detail = prefix
		}
		if err := tx.AddHistory(ctx, &c); err != nil {
			return err
		}
		for _, ht := range held {
			if ht.RecordType != victim.HeldHistory || ht.RecordID != h.ID || ht.Status == victim.Released {
				continue
			}
			hold := &victim.HeldText{CaseID: ref.ID, SiteID: ref.SiteID, RecordType: victim.HeldHistory, RecordID: c.ID,
				VictimCaseID: ht.VictimCaseID, AuthorID: ht.AuthorID}
			if err := tx.HoldText(ctx, hold); err != nil {
				return err
			}
			if err := tx.Audit(ctx, audit.Event{Action: ActionTextHeld, ActorRole: "system", RecordType: "held_text",
				RecordID: strconv.FormatInt(hold.ID, 10), SiteID: ref.SiteID, Outcome: audit.OutcomeOK,
				Reason: "history of case " + strconv.FormatInt(from.ID, 10) + " carried to case " + strconv.FormatInt(ref.ID, 10) + " held for review"}); err != nil {
				return err
			}
		}
	}
	return nil
}
