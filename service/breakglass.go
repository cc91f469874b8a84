package service

import (
	"context"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// GlassRecord is a kind of record that break-glass can open: what to call
// it and how to find the policy's view of one by its id.
type GlassRecord struct {
	Label   string
	Resolve func(ctx context.Context, tx *store.Tx, id string) (access.Resource, error)
}

// glassRecords are the kinds break-glass opens: a victim-survivor's
// compartment, the class it exists for.
var glassRecords = map[string]GlassRecord{
	"victim": {Label: "Victim-survivor", Resolve: func(ctx context.Context, tx *store.Tx, id string) (access.Resource, error) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return access.Resource{}, drive.NotFound("record")
		}
		v, err := tx.VictimCase(ctx, n)
		if err != nil {
			return access.Resource{}, drive.NotFound("record")
		}
		return VictimResource(ctx, tx, v, access.VictimCompartment), nil
	}},
}

// glassRecord finds a kind of record, the service's own (Glass) first.
func (s *Service) glassRecord(typ string) (GlassRecord, bool) {
	if k, ok := s.Glass[typ]; ok {
		return k, true
	}
	k, ok := glassRecords[typ]
	return k, ok
}

// GlassTarget resolves the record a break-glass request names and returns
// its label, answering "not found" unless the actor may break glass on it
// (so the form itself reveals nothing about records out of reach).
func (s *Service) GlassTarget(ctx context.Context, a Actor, typ, id string) (string, access.Resource, error) {
	kind, ok := s.glassRecord(typ)
	if !ok {
		return "", access.Resource{}, drive.NotFound("record")
	}
	var res access.Resource
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		res, err = kind.Resolve(ctx, tx, id)
		return err
	})
	if err != nil {
		return kind.Label, res, err
	}
	if _, ok := access.CanBreakGlass(a.Subject, res.Class, res.SiteID); !ok {
		return kind.Label, res, drive.NotFound("record")
	}
	return kind.Label, res, nil
}

// BreakGlass opens time-limited read access to one record outside the
// actor's normal access, with a stated reason: stored, audited with the
// reason, and raised as an alert to the site's data protection officers,
// in one transaction. Errors: ENOTFOUND (as GlassTarget), EINVALID for the
// reason or duration (access.OpenGlass).
func (s *Service) BreakGlass(ctx context.Context, a Actor, typ, id, reason string, hours int) (access.Resource, error) {
	_, res, err := s.GlassTarget(ctx, a, typ, id)
	if err != nil {
		return res, err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		glass, role, err := access.OpenGlass(a.Subject, res, reason, time.Duration(hours)*time.Hour, tx.Now)
		if err != nil {
			return err
		}
		if err := tx.CreateBreakGlass(ctx, a.UserID, role, res.SiteID, glass); err != nil {
			return err
		}
		if err := tx.CreateAlert(ctx, &account.Alert{SiteID: res.SiteID, Kind: "break_glass", UserID: a.UserID,
			RecordType: res.RecordType, RecordID: res.RecordID, Reason: glass.Reason}); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionBreakGlassOpen, ActorID: a.UserID, ActorRole: string(role),
			RecordType: res.RecordType, RecordID: res.RecordID, SiteID: res.SiteID, Remote: a.Remote,
			Reason: glass.Reason, Outcome: audit.OutcomeAllowed})
	})
	return res, err
}

// AlertView is one alert as a data protection officer sees it.
type AlertView struct {
	At     time.Time
	Who    string
	Record string
	Reason string
	Site   string
}

// Alerts lists the newest 200 alerts (break-glass, account changes on the
// victim side, bursts of held texts) for the sites the actor audits.
func (s *Service) Alerts(ctx context.Context, a Actor) ([]AlertView, error) {
	sites, national := a.Subject.SitesFor(access.Audit, access.Read)
	var out []AlertView
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		as, err := tx.Alerts(ctx, sites, national, 200)
		if err != nil {
			return err
		}
		all, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		siteNames := map[int64]string{}
		for _, st := range all {
			siteNames[st.ID] = st.Name
		}
		for _, al := range as {
			who := "user " + strconv.FormatInt(al.UserID, 10)
			if u, err := tx.User(ctx, al.UserID); err == nil {
				who = u.DisplayName + " (" + u.Username + ")"
			}
			out = append(out, AlertView{At: al.CreatedAt, Who: who, Record: al.RecordType + " " + al.RecordID,
				Reason: al.Reason, Site: siteNames[al.SiteID]})
		}
		return nil
	})
	return out, err
}
