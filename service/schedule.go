package service

import (
	"context"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/schedule"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// The assessment schedule: when a perpetrator's case's behaviour
// assessments and a victim-survivor's DASH reviews fall due (package
// schedule), as the caseload, the team dashboard and the IDVA's list show
// it, and what falls due on a day for the notifications.

// programmes looks up each site's programme settings once per transaction:
// a list of a thousand cases asks for the same few.
type programmes struct {
	tx *store.Tx
	m  map[string]*programme.Programme
}

func newProgrammes(tx *store.Tx) *programmes {
	return &programmes{tx: tx, m: map[string]*programme.Programme{}}
}

// of returns the settings the site holds for code. A programme the site no
// longer runs falls back to the built-in one of that code (or Drive's), so
// a case never loses its schedule or limits because settings changed.
func (p *programmes) of(ctx context.Context, siteID int64, code string) (*programme.Programme, error) {
	k := strconv.FormatInt(siteID, 10) + "/" + code
	if prog, ok := p.m[k]; ok {
		return prog, nil
	}
	prog, err := p.tx.SiteProgramme(ctx, siteID, code)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		prog, err = builtInProgramme(code), nil
	}
	if err != nil {
		return nil, err
	}
	p.m[k] = prog
	return prog, nil
}

// builtInProgramme is the built-in programme of that code, Drive's for a
// code with none: what a case is held to when its site no longer holds
// settings for its programme. A Restart case keeps Restart's defaults
// rather than falling under Drive's.
func builtInProgramme(code string) *programme.Programme {
	if code == programme.Restart().Code {
		return programme.Restart()
	}
	return programme.Drive()
}

// add keeps settings already read for a site.
func (p *programmes) add(siteID int64, prog *programme.Programme) {
	p.m[strconv.FormatInt(siteID, 10)+"/"+prog.Code] = prog
}

// caseCourse is the span a perpetrator's case's time points count from:
// the start of work, or the allocation while work has not started (the
// baseline is due as soon as a case manager holds the case).
func caseCourse(c *casework.Case) schedule.Course {
	var co schedule.Course
	switch {
	case c.StartedAt != nil:
		co.Start = drive.DateOf(*c.StartedAt)
	case c.AllocatedAt != nil:
		co.Start = drive.DateOf(*c.AllocatedAt)
	}
	if c.ClosedAt != nil {
		co.Closed = drive.DateOf(*c.ClosedAt)
	}
	return co
}

// caseSchedule is the behaviour-assessment schedule of a perpetrator's
// case, given the time points assessed (store.AssessedTimePoints). A time
// point is done once any linked victim-survivor's assessment at it is
// recorded, as the outcome measures count it (DOMAIN.md).
func caseSchedule(ctx context.Context, progs *programmes, c *casework.Case, done map[string]drive.Date) (schedule.Schedule, error) {
	co := caseCourse(c)
	if co.Start.IsZero() {
		return schedule.Schedule{}, nil
	}
	prog, err := progs.of(ctx, c.SiteID, c.Programme)
	if err != nil {
		return schedule.Schedule{}, err
	}
	return schedule.Behaviours(prog, co, done), nil
}

// caseIDs are the ids of rows' cases.
func caseIDs(rows []store.CaseRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Case.ID
	}
	return ids
}

// withSchedules fills each row's Assessments as of today, reading what
// was assessed for the whole list at once.
func withSchedules(ctx context.Context, tx *store.Tx, progs *programmes, rows []CaseRow, today drive.Date) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Case.ID
	}
	done, err := tx.AssessedTimePoints(ctx, ids)
	if err != nil {
		return err
	}
	for i := range rows {
		sc, err := caseSchedule(ctx, progs, &rows[i].Case, done[rows[i].Case.ID])
		if err != nil {
			return err
		}
		rows[i].Assessments = schedule.StatusOf(today, sc)
	}
	return nil
}

// victimSchedules are a victim-survivor's schedules: her DASH reviews,
// counted from the opening of her IDVA case at the time points of the
// programme of the first perpetrator's case she is linked to (Drive's
// when she is linked to none), and the behaviour assessments made with
// her for each linked case, counted as that case's own schedule.
func victimSchedules(ctx context.Context, tx *store.Tx, progs *programmes, v *victim.Case) ([]schedule.Schedule, []int64, error) {
	links, err := tx.VictimLinks(ctx, v.ID)
	if err != nil {
		return nil, nil, err
	}
	dashProg, err := progs.of(ctx, v.SiteID, programme.Drive().Code)
	if err != nil {
		return nil, nil, err
	}
	mine, err := tx.Behaviours(ctx, v.ID)
	if err != nil {
		return nil, nil, err
	}
	var out []schedule.Schedule
	var caseIDs []int64
	for i, l := range links {
		c, err := tx.Case(ctx, l.PerpetratorCase)
		if err != nil {
			return nil, nil, err
		}
		prog, err := progs.of(ctx, c.SiteID, c.Programme)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			dashProg = prog
		}
		done := map[string]drive.Date{}
		for _, b := range mine {
			if b.CaseID == c.ID {
				if d, ok := done[b.TimePoint]; !ok || b.AssessedOn.Before(d) {
					done[b.TimePoint] = b.AssessedOn
				}
			}
		}
		out = append(out, schedule.Behaviours(prog, caseCourse(c), done))
		caseIDs = append(caseIDs, c.ID)
	}
	stored, err := tx.DASHAssessments(ctx, v.ID)
	if err != nil {
		return nil, nil, err
	}
	var days []drive.Date
	for _, d := range stored {
		days = append(days, d.Assessment.AssessedOn)
	}
	co := schedule.Course{Start: v.OpenedOn}
	if !v.Open {
		co.Closed = v.ClosedOn
		if co.Closed.IsZero() {
			co.Closed = drive.DateOf(v.UpdatedAt)
		}
	}
	dash := schedule.DASHReviews(dashProg, co, days)
	return append([]schedule.Schedule{dash}, out...), append([]int64{0}, caseIDs...), nil
}

// DueAssessment is an assessment that falls due on a day, with who is to
// see that it is done: what a notification "an assessment falls due" is
// made from.
type DueAssessment struct {
	Kind  schedule.Kind
	Code  string // the time point, "T2"
	Label string // "Mid-point"
	Due   drive.Date
	// UserID is who is responsible: the case manager of a perpetrator's
	// case, or the IDVA of a victim-survivor's case.
	UserID int64
	SiteID int64
	// CaseID is the perpetrator's case. For an item on the IDVA's side it
	// is the case a behaviour assessment is made for, or 0 for a DASH
	// review.
	CaseID int64
	// VictimCaseID is the victim-survivor's case, set only on the IDVA's
	// side: an item for a case manager never names her, so a notification
	// made from it cannot lead the perpetrator's side to her record.
	VictimCaseID int64
}

// DueAssessments returns the assessments that fall due on asOf and are not
// yet done, one item per responsible user and time point: a behaviour
// assessment to the case manager of each perpetrator's case (allocated,
// active, closing or closed: the exit and follow-up points fall due at and
// after closure), and to the IDVA of each linked victim-survivor, with whom
// it is made; a DASH review to her IDVA. A case or victim-survivor with no
// one allocated yields nothing, since there is no one to tell. Only a
// trusted entry point may ask (the notifications are raised by the system
// each day). The list is audited as the entry point's, with how many items
// and never which. Errors: ENOTFOUND for any other actor.
func (s *Service) DueAssessments(ctx context.Context, a Actor, asOf drive.Date) ([]DueAssessment, error) {
	if err := trusted(a, "case"); err != nil {
		return nil, err
	}
	var out []DueAssessment
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		progs := newProgrammes(tx)
		states := []casework.State{casework.Allocated, casework.Active, casework.Closing, casework.Closed, casework.Transferred}
		f := store.CaseFilter{AllSites: true, States: states, Sort: "referred", Limit: 1000}
		for {
			page, err := tx.CasesPage(ctx, f, asOf)
			if err != nil {
				return err
			}
			rows := page.Rows
			done, err := tx.AssessedTimePoints(ctx, caseIDs(rows))
			if err != nil {
				return err
			}
			for _, r := range rows {
				c := r.Case
				if c.CaseManagerID == 0 {
					continue
				}
				sc, err := caseSchedule(ctx, progs, &c, done[c.ID])
				if err != nil {
					return err
				}
				for _, p := range sc.DueOn(asOf) {
					out = append(out, DueAssessment{Kind: p.Kind, Code: p.Code, Label: p.Label, Due: p.Due, UserID: c.CaseManagerID,
						SiteID: c.SiteID, CaseID: c.ID})
				}
			}
			if !page.More {
				break
			}
			next := store.CaseCursorAt(f.Sort, rows[len(rows)-1])
			f.After = &next
		}
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		var siteIDs []int64
		for _, st := range sites {
			siteIDs = append(siteIDs, st.ID)
		}
		for after := int64(0); len(siteIDs) > 0; {
			vs, _, err := tx.VictimCases(ctx, store.VictimFilter{SiteIDs: siteIDs, Limit: 1000, AfterID: after})
			if err != nil {
				return err
			}
			for i := range vs {
				v := &vs[i]
				if v.IDVAID == 0 {
					continue
				}
				scs, caseIDs, err := victimSchedules(ctx, tx, progs, v)
				if err != nil {
					return err
				}
				for j, sc := range scs {
					for _, p := range sc.DueOn(asOf) {
						out = append(out, DueAssessment{Kind: p.Kind, Code: p.Code, Label: p.Label, Due: p.Due, UserID: v.IDVAID,
							SiteID: v.SiteID, CaseID: caseIDs[j], VictimCaseID: v.ID})
					}
				}
			}
			if len(vs) < 1000 {
				break
			}
			after = vs[len(vs)-1].ID
		}
		return tx.Audit(ctx, audit.Event{Action: "record.list", ActorRole: actorRole(a, ""), RecordType: "case", Remote: a.Remote,
			Outcome: audit.OutcomeOK, Reason: "assessments due " + asOf.String() + ": " + strconv.Itoa(len(out)) + " items"})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
