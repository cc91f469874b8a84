package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// auditData is what templates/audit.html shows.
type auditData struct {
	RecordType string
	RecordID   string
	Events     []auditRow
	Searched   bool
	Errors     FormErrors
}

type auditRow struct {
	Seq     int64
	At      string
	Actor   string
	Role    string
	Action  string
	Record  string
	Outcome string
	Reason  string
	Remote  string
}

// auditLog answers the data protection officer's question: who looked at
// this record, and why. It shows events for the sites the officer covers
// (all sites for a national one). Viewing the log is itself audited.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	sub := subjectOf(p.user)
	sites, national := sub.SitesFor(access.Audit, access.Read)
	d := auditData{RecordType: strings.TrimSpace(r.URL.Query().Get("record_type")), RecordID: strings.TrimSpace(r.URL.Query().Get("record_id"))}
	d.Searched = d.RecordType != "" || d.RecordID != ""
	if fields := audit.CheckRecord(d.RecordType, d.RecordID); fields != nil {
		// Shown on the search form rather than as an error page, so the
		// officer can correct the search where they typed it.
		d.Searched, d.Errors = false, formErrors(fields, "record_type", "record_id")
		return s.render(w, r, http.StatusUnprocessableEntity, "audit", s.page(r, "Audit log", d))
	}
	err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		if !d.Searched {
			return nil
		}
		names := map[int64]string{}
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			names[u.ID] = u.DisplayName + " (" + u.Username + ")"
		}
		var events []audit.Event
		scopes := sites
		if national {
			scopes = []int64{0}
		}
		for _, site := range scopes {
			evs, err := tx.AuditEvents(ctx, store.AuditFilter{RecordType: d.RecordType, RecordID: d.RecordID, SiteID: site, Limit: 500})
			if err != nil {
				return err
			}
			events = append(events, evs...)
		}
		for _, e := range events {
			actor := names[e.ActorID]
			if e.ActorID == 0 {
				actor = "Nobody signed in"
			}
			d.Events = append(d.Events, auditRow{Seq: e.Seq, At: e.At.Format("2 Jan 2006 15:04:05 UTC"), Actor: actor, Role: e.ActorRole,
				Action: e.Action, Record: e.RecordType + " " + e.RecordID, Outcome: e.Outcome, Reason: e.Reason, Remote: e.Remote})
		}
		return tx.Audit(ctx, audit.Event{Action: "audit.read", ActorID: p.user.ID, ActorRole: string(access.DPO), RecordType: d.RecordType,
			RecordID: d.RecordID, Remote: clientAddress(r), Outcome: audit.OutcomeOK, Reason: "audit search: " + strconv.Itoa(len(d.Events)) + " events"})
	})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "audit", s.page(r, "Audit log", d))
}
