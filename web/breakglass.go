package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/store"
)

// recordKind is a kind of record that break-glass can open: how to find
// the policy's view of one, what to call it, and where it lives.
type recordKind struct {
	label   string
	resolve func(ctx context.Context, tx *store.Tx, id string) (access.Resource, error)
	href    func(id string) string
}

// glassData is what templates/break-glass.html shows.
type glassData struct {
	Type     string
	ID       string
	Label    string
	Reason   string
	Duration string
	Errors   FormErrors
}

// glassTarget resolves the record named by the request, and answers "not
// found" unless the user may break glass on it.
func (s *Server) glassTarget(ctx context.Context, sub access.Subject, typ, id string) (recordKind, access.Resource, error) {
	kind, ok := s.records[typ]
	if !ok {
		return recordKind{}, access.Resource{}, drive.NotFound("record")
	}
	var res access.Resource
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		res, err = kind.resolve(ctx, tx, id)
		return err
	})
	if err != nil {
		return kind, res, err
	}
	if _, ok := access.CanBreakGlass(sub, res.Class, res.SiteID); !ok {
		return kind, res, drive.NotFound("record")
	}
	return kind, res, nil
}

func (s *Server) breakGlassForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	typ, id := r.URL.Query().Get("type"), r.URL.Query().Get("id")
	kind, _, err := s.glassTarget(ctx, p.subject, typ, id)
	if err != nil {
		return err
	}
	d := glassData{Type: typ, ID: id, Label: kind.label, Duration: "1"}
	return s.render(w, r, http.StatusOK, "break-glass", s.page(r, "Break glass", d))
}

// breakGlass opens time-limited read access to one record outside the
// user's normal access, with a stated reason: it is stored, audited with
// the reason, and raises an alert to the site's data protection officers.
func (s *Server) breakGlass(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	typ, id := r.PostFormValue("type"), r.PostFormValue("id")
	kind, res, err := s.glassTarget(ctx, p.subject, typ, id)
	if err != nil {
		return err
	}
	d := glassData{Type: typ, ID: id, Label: kind.label, Reason: r.PostFormValue("reason"), Duration: r.PostFormValue("duration")}
	hours, convErr := strconv.Atoi(strings.TrimSpace(d.Duration))
	if convErr != nil {
		hours = 0
	}
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		glass, role, err := access.OpenGlass(p.subject, res, d.Reason, time.Duration(hours)*time.Hour, tx.Now)
		if err != nil {
			return err
		}
		if err := tx.CreateBreakGlass(ctx, p.user.ID, role, res.SiteID, glass); err != nil {
			return err
		}
		if err := tx.CreateAlert(ctx, &identity.Alert{SiteID: res.SiteID, Kind: "break_glass", UserID: p.user.ID,
			RecordType: res.RecordType, RecordID: res.RecordID, Reason: glass.Reason}); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionBreakGlassOpen, ActorID: p.user.ID, ActorRole: string(role),
			RecordType: res.RecordType, RecordID: res.RecordID, SiteID: res.SiteID, Remote: clientAddress(r),
			Reason: glass.Reason, Outcome: audit.OutcomeAllowed})
	})
	if drive.ErrorCode(err) == drive.EINVALID {
		de := asInvalid(err)
		d.Errors = formErrors(de.Fields, "reason", "duration")
		if len(d.Errors) == 0 {
			d.Errors = FormErrors{{"", de.Message}}
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "break-glass", s.page(r, "Error: Break glass", d))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, kind.href(id), http.StatusSeeOther)
	return nil
}

func asInvalid(err error) *drive.Error {
	var de *drive.Error
	if asDriveError(err, &de) {
		return de
	}
	return &drive.Error{Code: drive.EINVALID, Message: drive.ErrorMessage(err)}
}

// alertsData is what templates/alerts.html shows.
type alertsData struct {
	Alerts []alertRow
}

type alertRow struct {
	When   string
	Who    string
	Record string
	Reason string
	Site   string
}

// alerts shows data protection officers the break-glass alerts for the
// sites they cover.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	sites, national := p.subject.SitesFor(access.Audit, access.Read)
	var d alertsData
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		as, err := tx.Alerts(ctx, sites, national, 200)
		if err != nil {
			return err
		}
		siteNames, _, err := lookups(ctx, tx)
		if err != nil {
			return err
		}
		for _, a := range as {
			who := "user " + strconv.FormatInt(a.UserID, 10)
			if u, err := tx.User(ctx, a.UserID); err == nil {
				who = u.DisplayName + " (" + u.Username + ")"
			}
			d.Alerts = append(d.Alerts, alertRow{When: a.CreatedAt.Format("2 Jan 2006 15:04 UTC"), Who: who,
				Record: a.RecordType + " " + a.RecordID, Reason: a.Reason, Site: siteNames[a.SiteID]})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "alerts", s.page(r, "Alerts", d))
}
