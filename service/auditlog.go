package service

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// AuditRow is one event of an audit search, with the actor named and
// the event said in words.
type AuditRow struct {
	audit.Event
	Actor string // "Name (username)", or "Nobody signed in"
	// Sentence is what happened in words (audit.Sentence).
	Sentence string
	// Site is the name of the site whose data was touched, or "".
	Site string
}

// AuditQuery is a data protection officer's search of the audit log. Every
// part is optional; what is given must all match.
type AuditQuery struct {
	// User is a username, or part of a user's name: events by any user it
	// matches (case does not matter).
	User string
	// RecordType and RecordID name a record ("victim" and "17" for IDVA
	// case 17); a type alone finds every record of that type.
	RecordType string
	RecordID   string
	// Action is one of audit.Actions, or "" for any.
	Action string
	// Part is one of audit.Parts, or "" for any: only changes that name
	// it ("who changed the safety plans").
	Part string
	// From and To are the first and last days searched, inclusive.
	From, To drive.Date
}

// Empty reports whether q asks for nothing, so there is nothing to search.
func (q AuditQuery) Empty() bool {
	return q == AuditQuery{}
}

// auditLimit is the most events one search returns, newest first.
const auditLimit = 500

// SearchAudit answers the data protection officer's questions: who looked
// at this record, what did this user do, who broke glass last week. It
// returns the newest 500 events q matches at the sites the actor audits
// (every site for a national officer), each said in words; a site's
// officer also sees the signing in and out of the site's own staff, which
// touch no site's data. The search is itself audited. Errors: EINVALID
// naming the field (user, record_type, record_id, action, part, from, to) that
// cannot be searched for.
func (s *Service) SearchAudit(ctx context.Context, a Actor, q AuditQuery) ([]AuditRow, error) {
	q.User, q.RecordType, q.RecordID = strings.TrimSpace(q.User), strings.TrimSpace(q.RecordType), strings.TrimSpace(q.RecordID)
	fields := audit.CheckRecord(q.RecordType, q.RecordID)
	if fields == nil {
		fields = map[string]string{}
	}
	if q.Action != "" && !slices.ContainsFunc(audit.Actions(), func(p [2]string) bool { return p[0] == q.Action }) {
		fields["action"] = "Choose what was done from the list"
	}
	if q.Part != "" && !audit.IsPart(q.Part) {
		fields["part"] = "Choose the part that changed from the list"
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		fields["to"] = "The last day must be on or after the first day"
	}
	if len(q.User) > 200 {
		fields["user"] = "Enter a username or part of a name, at most 200 characters"
	}
	sites, national := a.Subject.SitesFor(access.Audit, access.Read)
	var out []AuditRow
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		names, plain := map[int64]string{}, map[int64]string{}
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		var actors []int64
		for _, u := range users {
			names[u.ID], plain[u.ID] = u.DisplayName+" ("+u.Username+")", u.DisplayName
			if q.User != "" && (strings.EqualFold(u.Username, q.User) || strings.Contains(strings.ToLower(u.DisplayName), strings.ToLower(q.User))) {
				actors = append(actors, u.ID)
			}
		}
		if q.User != "" && len(actors) == 0 {
			fields["user"] = "No user has that username or a name containing it"
		}
		if len(fields) > 0 {
			return drive.Invalid("Check the search", fields)
		}
		siteNames := map[int64]string{}
		all, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		for _, st := range all {
			siteNames[st.ID] = st.Name
		}
		f := store.AuditFilter{RecordType: q.RecordType, RecordID: q.RecordID, ActorIDs: actors, Part: q.Part, Limit: auditLimit}
		if q.Action != "" {
			f.Actions = []string{q.Action}
		}
		if !q.From.IsZero() {
			f.From = q.From.Time()
		}
		if !q.To.IsZero() {
			f.To = q.To.AddDays(1).Time()
		}
		scopes := sites
		if national {
			scopes = []int64{0}
		}
		seen := map[int64]bool{}
		for _, site := range scopes {
			f.SiteID, f.WithSignIns = site, site != 0
			evs, err := tx.AuditEvents(ctx, f)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if seen[e.Seq] {
					continue // a user with roles at two of the officer's sites
				}
				seen[e.Seq] = true
				actor := names[e.ActorID]
				if e.ActorID == 0 {
					actor = "Nobody signed in"
				}
				out = append(out, AuditRow{Event: e, Actor: actor, Sentence: audit.Sentence(e, plain[e.ActorID]), Site: siteNames[e.SiteID]})
			}
		}
		// Several sites' answers merge newest first, and keep the limit.
		slices.SortFunc(out, func(x, y AuditRow) int { return cmp.Compare(y.Seq, x.Seq) })
		if len(out) > auditLimit {
			out = out[:auditLimit]
		}
		return tx.Audit(ctx, audit.Event{Action: "audit.read", ActorID: a.UserID, ActorRole: string(access.DPO), RecordType: q.RecordType,
			RecordID: q.RecordID, Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: auditSearchReason(q, actors, len(out))})
	})
	return out, err
}

// auditSearchReason records what a search asked for by identifiers only:
// the users matched by number, never the words typed.
func auditSearchReason(q AuditQuery, actors []int64, n int) string {
	r := "audit search: " + strconv.Itoa(n) + " events"
	if len(actors) > 0 {
		ids := make([]string, len(actors))
		for i, id := range actors {
			ids[i] = strconv.FormatInt(id, 10)
		}
		r += "; users " + strings.Join(ids, ", ")
	}
	if q.Action != "" {
		r += "; action " + q.Action
	}
	if q.Part != "" {
		// The part's words are fixed (audit.Parts), never typed, and are
		// kept apart from Part's own marking so the search is not
		// itself found as a change to that part.
		r += "; part changed " + q.Part
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		r += "; from " + q.From.String() + " to " + q.To.String()
	}
	return r
}

// AuditCheck is the outcome of reading the whole audit log through a
// Verifier.
type AuditCheck struct {
	Report audit.Report
	// Broken is the *audit.BreakError when the log is broken, else nil.
	Broken error
	// Found is the stored event at the break, when the break is at an
	// event rather than at the end of the log.
	Found *audit.Event
}

// CheckAuditLog streams every event of the log, in order, through v,
// calling progress (if not nil) after every `every` events. The error is
// for a check that could not be completed (the database failed); a broken
// log is reported in the result. Checking reads nothing personal and
// changes nothing, so it is neither policed nor audited: it is the
// operator's check that the log itself can be trusted.
func (s *Service) CheckAuditLog(ctx context.Context, v *audit.Verifier, every int64, progress func(seen, seq int64)) (AuditCheck, error) {
	var res AuditCheck
	var seen int64
	err := s.DB.EachAuditEvent(ctx, func(e audit.Event) error {
		if err := v.Add(e); err != nil {
			res.Found = &e
			return err
		}
		seen++
		if progress != nil && every > 0 && seen%every == 0 {
			progress(seen, e.Seq)
		}
		return nil
	})
	var be *audit.BreakError
	if err != nil && !errors.As(err, &be) {
		return AuditCheck{}, err
	}
	res.Report, res.Broken = v.Finish()
	if res.Broken == nil {
		res.Found = nil
	}
	return res, nil
}
