package service

import (
	"context"
	"sort"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// Actions owned by agencies. An action a meeting agrees names the
// organisation that owns it; that organisation's partner users see and
// update it between meetings (the policy's Team relationship on an
// action), and unfinished ones come back on the next agenda.

// AgencyAction is an action with what its owner needs to act on it.
type AgencyAction struct {
	casework.Action
	SiteID     int64
	SiteName   string
	PersonName string
	CaseState  casework.State
	// AgencyName is the owning organisation's name.
	AgencyName string
	// TypeLabel names the action's type from the programmes' catalogue.
	TypeLabel string
}

func agencyAction(oa store.OrganisationAction, names *nameBook) AgencyAction {
	return AgencyAction{Action: oa.Action, SiteID: oa.SiteID, SiteName: names.sites[oa.SiteID], PersonName: oa.PersonName,
		CaseState: oa.CaseState, AgencyName: names.orgs[oa.OrganisationID], TypeLabel: actionLabel(oa.Type)}
}

// actionLabel names an action type from the built-in catalogues, or gives
// the code for a type a site added itself.
func actionLabel(code string) string {
	for _, p := range []*programme.Programme{programme.Drive(), programme.Restart()} {
		if t, ok := p.Action(code); ok {
			return t.Label
		}
	}
	return code
}

// actionResource is the policy's view of an action: part of its case's
// perpetrator record, owned by its organisation (for the Team
// relationship, through which partner users reach their agency's
// actions and nothing else of the case).
func actionResource(a *casework.Action, siteID int64) access.Resource {
	r := access.Resource{Class: access.PerpetratorCase, RecordType: "action", RecordID: strconv.FormatInt(a.ID, 10), SiteID: siteID}
	if a.OrganisationID != 0 {
		r.AllocatedOrganisationIDs = []int64{a.OrganisationID}
	}
	return r
}

// AgencyActions lists the actions the actor's organisation owns at the
// sites where the actor holds a role: unfinished ones, soonest due first,
// or all of them. Each is one the policy lets the actor read as its
// owner. The list is audited.
func (s *Service) AgencyActions(ctx context.Context, a Actor, all bool) ([]AgencyAction, error) {
	if a.OrganisationID == 0 {
		return nil, nil
	}
	var sites []int64
	for _, g := range a.Subject.Grants {
		if g.SiteID != 0 {
			sites = append(sites, g.SiteID)
		}
	}
	var out []AgencyAction
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		acts, err := tx.OrganisationActions(ctx, a.OrganisationID, sites, false, all)
		if err != nil {
			return err
		}
		names, err := s.nameBook(ctx, tx)
		if err != nil {
			return err
		}
		for _, oa := range acts {
			if access.Decide(a.Subject, access.Read, actionResource(&oa.Action, oa.SiteID), tx.Now).Allowed {
				out = append(out, agencyAction(oa, names))
			}
		}
		return listedIn(ctx, tx, a, "action", "agency actions", len(out))
	})
	return out, err
}

// ActionReport is what an owning agency reports on its action.
type ActionReport struct {
	Status     casework.ActionStatus
	ReportedOn drive.Date
	Outcome    string
}

// ReportAction records an owning agency's report on its action: status,
// the date reported and the outcome. Only users the policy lets write the
// action as its owner (or the case's own writers) may. Errors: EINVALID,
// ENOTFOUND.
func (s *Service) ReportAction(ctx context.Context, a Actor, actionID int64, rep ActionReport) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		act, err := tx.Action(ctx, actionID)
		if err != nil {
			return drive.NotFound("action")
		}
		c, err := tx.Case(ctx, act.CaseID)
		if err != nil {
			return err
		}
		d := access.Decide(a.Subject, access.Write, actionResource(act, c.SiteID), tx.Now)
		if !d.Allowed {
			if d, _, err = s.decideCase(ctx, tx, a, access.Write, c, access.PerpetratorCase); err != nil {
				return drive.NotFound("action")
			}
		}
		prog, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		act.Status, act.ReportedOn, act.Outcome = rep.Status, rep.ReportedOn, rep.Outcome
		if act.ReportedOn.IsZero() {
			act.ReportedOn = drive.DateOf(tx.Now)
		}
		if err := act.Validate(prog, drive.DateOf(tx.Now), false); err != nil {
			return err
		}
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.UpdateAction(ctx, act); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, a, c, []heldRef{{"action", act.ID}}, act.Outcome); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "action", act.ID, c.SiteID, "reported "+string(act.Status), audit.PartAgencyReport)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "action", actionID)
	}
	return err
}

// AgencyOverdue counts one agency's overdue actions at a site.
type AgencyOverdue struct {
	OrganisationID int64
	Agency         string
	Overdue        int
	OldestDue      drive.Date
}

// OverdueByAgency counts the overdue actions each agency owns at the
// sites where the actor reads perpetrator cases (coordinators' and team
// leaders' dashboards), most overdue first.
func (s *Service) OverdueByAgency(ctx context.Context, a Actor) ([]AgencyOverdue, error) {
	sites, national := a.Subject.SitesFor(access.PerpetratorCase, access.Read)
	if national || len(sites) == 0 {
		return nil, nil
	}
	var out []AgencyOverdue
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		acts, err := tx.OverdueActionsAt(ctx, sites, drive.DateOf(tx.Now))
		if err != nil {
			return err
		}
		names, err := s.nameBook(ctx, tx)
		if err != nil {
			return err
		}
		by := map[int64]*AgencyOverdue{}
		for _, act := range acts {
			o := by[act.OrganisationID]
			if o == nil {
				o = &AgencyOverdue{OrganisationID: act.OrganisationID, Agency: names.orgs[act.OrganisationID], OldestDue: act.DueOn}
				by[act.OrganisationID] = o
			}
			o.Overdue++
			if act.DueOn.Before(o.OldestDue) {
				o.OldestDue = act.DueOn
			}
		}
		for _, o := range by {
			out = append(out, *o)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Overdue != out[j].Overdue {
				return out[i].Overdue > out[j].Overdue
			}
			return out[i].Agency < out[j].Agency
		})
		return nil
	})
	return out, err
}
