// Package service is the application layer between the HTTP adapters (web
// pages and the JSON API) and storage: each use case loads what it needs,
// asks the access policy, applies the domain rules, stores the result and
// writes the audit event, all in one transaction. It knows nothing of HTTP;
// web and api call the same methods, so a rule cannot hold on one channel
// and not on the other.
package service

import (
	"context"
	"crypto/rand"
	"github.com/drive-platform/drive/retention"
	"io"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
)

// Actor is the signed-in user making a request, as the policy sees them.
type Actor struct {
	UserID         int64
	OrganisationID int64
	Subject        access.Subject
	Remote         string
	// SessionID is the browser session the actor acts through (0 for an
	// API token, the command line or someone not yet signed in): signing
	// out, enrolling a second factor and changing a credential act on it.
	SessionID int64
	// System names a trusted entry point acting on its own account (the
	// command line, the demo), or is empty for a person; see actors.go.
	System string
}

// Roles lists the roles the actor holds at site (or nationally).
func (a Actor) RolesAt(siteID int64) []access.Role {
	var out []access.Role
	for _, g := range a.Subject.Grants {
		if g.SiteID == siteID || g.SiteID == 0 {
			out = append(out, g.Role)
		}
	}
	return out
}

// Service holds what the use cases need.
type Service struct {
	DB *store.DB
	// Keys seal and open victim-survivors' protected details. Without it
	// those details can be neither stored nor shown.
	Keys *sealed.Keyring
	// Rand is the randomness for data keys and nonces; nil means
	// crypto/rand.
	Rand io.Reader
	// TextLimit is how many free-text writes on perpetrators' cases a
	// user may make within TextWriteWindow; 0 means MaxTextWrites.
	TextLimit int
	// Glass adds kinds of record that break-glass can open to the
	// service's own (a victim-survivor's compartment), or replaces them.
	Glass map[string]GlassRecord
	// PasswordParams are the argon2id parameters for passwords the
	// service sets; zero means auth.DefaultParams.
	PasswordParams auth.Params
	// Sessions are the session lifetimes; zero means
	// account.DefaultSessionPolicy.
	Sessions account.SessionPolicy
	// Lockout throttles password and code guessing; zero means
	// auth.DefaultLockout.
	Lockout auth.Lockout
	// KnownBrowsers is the policy for browsers remembered after a full
	// sign-in, which the address limit does not stop; zero means
	// auth.DefaultKnownBrowsers.
	KnownBrowsers auth.KnownBrowsers
	// Hasher checks passwords at sign-in. Making one costs a password
	// hash (its dummy), so a server makes it once; nil means one is made
	// from PasswordParams for each check.
	Hasher *auth.Hasher
	// Mail, if set, announces new notifications by e-mail (that one is
	// waiting, never what it says); see notifications.go.
	Mail *Mail
	// Reports, if set, keeps computed outcome reports for a short while
	// (see ReportCache); nil computes every report afresh.
	Reports *ReportCache
	// Resolve says when an import resolves a site's people in full and
	// how many incidents it links at a time past that; zero means
	// FullResolveLimit and ExtendChunk (see identify_extend.go).
	Resolve ResolveSizes
	// Identification, if set, keeps each site's ranked identification
	// list until the police data changes or the day turns (see
	// IdentificationCache); nil ranks the list on every view.
	Identification *IdentificationCache
	// Schedule is the retention schedule in force (drive serve's
	// --retention-schedule), shown on the records of processing; nil
	// means retention.DefaultSchedule.
	Schedule *retention.Schedule
}

// RetentionSchedule is the retention schedule in force.
func (s *Service) RetentionSchedule() retention.Schedule {
	if s.Schedule != nil {
		return *s.Schedule
	}
	return retention.DefaultSchedule()
}

// Now is the service's clock: the time a transaction begun now carries
// (tx.Now). It is the one clock of the application; the demo reads
// another through Backdated, and tests freeze it when they open the
// database. Adapters ask it for today rather than reading time.Now.
func (s *Service) Now() time.Time { return s.DB.Now() }

// Today is the date by the service's clock.
func (s *Service) Today() drive.Date { return drive.DateOf(s.DB.Now()) }

func (s *Service) random() io.Reader {
	if s.Rand == nil {
		return rand.Reader
	}
	return s.Rand
}

// decide asks the policy and, when it refuses, records the refusal and
// answers "not found" (the record's existence is not revealed).
func (s *Service) decide(ctx context.Context, tx *store.Tx, a Actor, want access.Action, r access.Resource, what string) (access.Decision, error) {
	d := access.Decide(a.Subject, want, r, tx.Now)
	if !d.Allowed {
		return d, drive.NotFound(what)
	}
	return d, nil
}

// denied writes the audit event for a refusal in its own transaction: the
// caller's transaction is about to roll back with the error. The event
// carries the site of the record refused (refusedSite), so that site's data
// protection officer sees who tried to reach its records; the user refused
// is told "not found" either way and never sees the event.
func (s *Service) denied(ctx context.Context, a Actor, recordType string, id int64) {
	_ = s.DB.Transact(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: audit.ActionAccessDenied, ActorID: a.UserID, RecordType: recordType,
			RecordID: strconv.FormatInt(id, 10), SiteID: refusedSite(ctx, tx, recordType, id), Remote: a.Remote, Outcome: audit.OutcomeDenied})
	})
}

// refusedSite is the site the refused record belongs to, or 0 when there
// is no such record (an id that does not exist belongs to no site).
func refusedSite(ctx context.Context, tx *store.Tx, recordType string, id int64) int64 {
	switch recordType {
	case "case":
		if c, err := tx.Case(ctx, id); err == nil {
			return c.SiteID
		}
	case "person":
		if p, err := tx.Person(ctx, id); err == nil {
			return p.SiteID
		}
	case "police_person":
		if p, err := tx.PolicePerson(ctx, id); err == nil {
			return p.SiteID
		}
	case "victim":
		if v, err := tx.VictimCase(ctx, id); err == nil {
			return v.SiteID
		}
	case "site":
		if st, err := tx.Site(ctx, id); err == nil {
			return st.ID
		}
	case "trial":
		if t, err := tx.Trial(ctx, id); err == nil {
			return t.SiteID
		}
	}
	return 0
}

// record writes the audit event for an allowed read or write: every use
// case's event is built here, so each says the same things the same way.
// detail is fixed words about the event (the meeting a partner acted
// under, the trial that allocated), never anything typed, or "". parts
// name the parts of the record a write changed (audit.PartPlan, ...),
// never what was written, so the audit log can say "changed perpetrator
// case 12 (a logged session)"; a read names none. A read or write by
// break-glass says so first.
func record(ctx context.Context, tx *store.Tx, a Actor, d access.Decision, action, recordType string, id, siteID int64, detail string, parts ...string) error {
	var glass string
	if d.BreakGlass {
		glass = "break-glass"
	}
	e := audit.Event{Action: action, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: recordType,
		RecordID: strconv.FormatInt(id, 10), SiteID: siteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed,
		Reason: audit.Reason(glass, detail, audit.Part(parts...))}
	return tx.Audit(ctx, e)
}

// SealCredentials seals the second-factor secrets and OpenID Connect
// client secrets written before they were sealed at rest, in one
// transaction (there are at most a few thousand), and returns how many it
// sealed. `drive serve` runs it at start-up with SealNotes. The store
// seals with the keys it was opened with.
func (s *Service) SealCredentials(ctx context.Context) (int, error) {
	var n int
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.SealCredentials(ctx)
		return err
	})
	return n, err
}

// Engine names the database engine the service runs on ("sqlite" or
// "postgres"), for the version endpoint: integrations check what they are
// talking to without the adapters holding the database.
func (s *Service) Engine() string { return s.DB.Engine() }

// Ping checks the database answers, for the readiness probe.
func (s *Service) Ping(ctx context.Context) error { return s.DB.Ping(ctx) }
