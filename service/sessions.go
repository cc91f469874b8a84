package service

import (
	"context"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/store"
)

// Caller is who a request comes from: the actor the service acts for, with
// the account and the browser session or API token that proved it.
// Exactly one of Session and Token is set.
type Caller struct {
	Actor   Actor
	User    *account.User
	Session *account.Session
	Token   *account.APIToken
	// Unread is how many of the user's notifications were unread when
	// the session was read, for the page's header, when UnreadKnown: it
	// is read with the session, in the same statement, to save every
	// page a transaction of its own.
	Unread      int
	UnreadKnown bool
}

// signedInActor is the policy's view of a signed-in user, with any
// break-glass they have open. It carries the kind of the user's
// organisation because only staff of an IDVA service ever reach the victim
// compartment.
func signedInActor(ctx context.Context, tx *store.Tx, u *account.User, remote string) (Actor, error) {
	glass, err := tx.ActiveBreakGlass(ctx, u.ID)
	return userActor(u, glass, remote), err
}

// userActor is the policy's view of u with the break-glass grants they
// have open.
func userActor(u *account.User, glass []access.Glass, remote string) Actor {
	sub := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind, BreakGlass: glass}
	for _, r := range u.Roles {
		sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
	}
	return Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: sub, Remote: remote}
}

// SessionActor finds who a browser request comes from by the secret in
// its session cookie. It answers nil (and no error) when the secret names
// no session, or one that has run out (idle or absolute timeout) or
// belongs to a disabled account; such a session is deleted. Activity is
// recorded at most once a minute: enough for the idle timeout without a
// write on every request.
//
// The session is read in a read-only transaction, so a request that needs
// no write (nearly all: every request of a user active in the last
// minute) never queues for SQLite's one writer; only a touch or a
// deletion takes a write transaction of its own.
func (s *Service) SessionActor(ctx context.Context, secret, remote string) (*Caller, error) {
	if secret == "" {
		return nil, nil
	}
	policy := s.sessionPolicy()
	var (
		c       *Caller
		touched bool
		ended   string // why the session has ended, if it has
		sess    *account.Session
		now     time.Time
	)
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		c, ended, touched, now = nil, "", false, tx.Now
		p, err := tx.SessionPrincipalByTokenHash(ctx, auth.HashToken(secret))
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		sess = p.Session
		u := p.User
		if ended = policy.Ended(sess, tx.Now); ended == "" && u.Disabled() {
			ended = "account disabled"
		}
		if ended != "" {
			return nil
		}
		if tx.Now.Sub(sess.LastSeenAt) > time.Minute {
			sess.LastSeenAt, touched = tx.Now, true
		}
		a := userActor(u, p.BreakGlass, remote)
		a.SessionID = sess.ID
		c = &Caller{Actor: a, User: u, Session: sess, Unread: p.Unread, UnreadKnown: true}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case ended != "":
		// Ended by the clock or by its account being disabled: deleted and
		// audited like a sign-out, by whichever request found it first.
		return nil, s.DB.Transact(ctx, func(tx *store.Tx) error {
			deleted, err := tx.DeleteSession(ctx, sess.ID)
			if err != nil || !deleted {
				return err
			}
			return tx.Audit(ctx, sessionEnd(Actor{Remote: remote}, sess.UserID, ended))
		})
	case touched:
		// Only the time of last activity is written, so a concurrent
		// request's change to the session's stage or search stands.
		err := s.DB.Transact(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, sess.ID, now) })
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			// Signed out (or ended) since it was read.
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// TokenActor finds who an API request comes from by its bearer token. It
// answers nil (and no error) for a token that is unknown, revoked or
// expired, or whose user is disabled. Use is recorded at most once a
// minute, in a write transaction of its own; the token is read in a
// read-only one, as SessionActor reads a session.
func (s *Service) TokenActor(ctx context.Context, token, remote string) (*Caller, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, nil
	}
	var (
		c       *Caller
		touched bool
	)
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		c, touched = nil, false
		t, err := tx.APITokenByHash(ctx, auth.HashToken(token))
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if !t.Usable(tx.Now) {
			return nil
		}
		u, err := tx.User(ctx, t.UserID)
		if err != nil {
			return err
		}
		if u.Disabled() {
			return nil
		}
		touched = t.LastUsedAt == nil || tx.Now.Sub(*t.LastUsedAt) > time.Minute
		a, err := signedInActor(ctx, tx, u, remote)
		if err != nil {
			return err
		}
		c = &Caller{Actor: a, User: u, Token: t}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if touched {
		if err := s.DB.Transact(ctx, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, c.Token.ID) }); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// SignOut ends the actor's browser session on the server, not just in the
// browser, audited (session.end). An actor with no session has nothing to
// end.
func (s *Service) SignOut(ctx context.Context, a Actor) error {
	if a.SessionID == 0 {
		return nil
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		deleted, err := tx.DeleteSession(ctx, a.SessionID)
		if err != nil || !deleted {
			return err
		}
		return tx.Audit(ctx, sessionEnd(a, a.UserID, ""))
	})
}

// sessionEnd is the audit event for the end of one of userID's sessions:
// why is empty for a sign-out and otherwise says what ended it (a timeout,
// the account disabled, a credential changed). The event is the session
// owner's whoever ended it, so it sits in their trail beside their
// sign-in and the site's data protection officer sees both; a change made
// by someone else is audited as theirs as well (user.disable and the
// like).
func sessionEnd(a Actor, userID int64, why string) audit.Event {
	return userEvent(a, userID, "session.end", audit.OutcomeOK, why)
}

// RefuseRoute records that the actor asked for a route their roles do not
// reach (route names it). They are answered as for an address that does
// not exist; the data protection officer sees the attempt in the audit
// log.
func (s *Service) RefuseRoute(ctx context.Context, a Actor, route string) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: audit.ActionAccessDenied, ActorID: a.UserID, RecordType: "route",
			RecordID: route, Remote: a.Remote, Outcome: audit.OutcomeDenied})
	})
}
