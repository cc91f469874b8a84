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
}

// signedInActor is the policy's view of a signed-in user, with any
// break-glass they have open. It carries the kind of the user's
// organisation because only staff of an IDVA service ever reach the victim
// compartment.
func signedInActor(ctx context.Context, tx *store.Tx, u *account.User, remote string) (Actor, error) {
	sub := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}
	for _, r := range u.Roles {
		sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
	}
	var err error
	sub.BreakGlass, err = tx.ActiveBreakGlass(ctx, u.ID)
	return Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: sub, Remote: remote}, err
}

// SessionActor finds who a browser request comes from by the secret in
// its session cookie. It answers nil (and no error) when the secret names
// no session, or one that has run out (idle or absolute timeout) or
// belongs to a disabled account; such a session is deleted. Activity is
// recorded at most once a minute: enough for the idle timeout without a
// write on every request.
func (s *Service) SessionActor(ctx context.Context, secret, remote string) (*Caller, error) {
	if secret == "" {
		return nil, nil
	}
	policy := s.sessionPolicy()
	var c *Caller
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		sess, err := tx.SessionByTokenHash(ctx, auth.HashToken(secret))
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if !policy.Alive(sess, tx.Now) {
			return tx.DeleteSession(ctx, sess.ID)
		}
		u, err := tx.User(ctx, sess.UserID)
		if err != nil {
			return err
		}
		if u.Disabled() {
			return tx.DeleteSession(ctx, sess.ID)
		}
		if tx.Now.Sub(sess.LastSeenAt) > time.Minute {
			sess.LastSeenAt = tx.Now
			if err := tx.UpdateSession(ctx, sess); err != nil {
				return err
			}
		}
		a, err := signedInActor(ctx, tx, u, remote)
		if err != nil {
			return err
		}
		a.SessionID = sess.ID
		c = &Caller{Actor: a, User: u, Session: sess}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// TokenActor finds who an API request comes from by its bearer token. It
// answers nil (and no error) for a token that is unknown, revoked or
// expired, or whose user is disabled. Use is recorded at most once a
// minute.
func (s *Service) TokenActor(ctx context.Context, token, remote string) (*Caller, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, nil
	}
	var c *Caller
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
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
		if t.LastUsedAt == nil || tx.Now.Sub(*t.LastUsedAt) > time.Minute {
			if err := tx.TouchAPIToken(ctx, t.ID); err != nil {
				return err
			}
		}
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
		if err := tx.DeleteSession(ctx, a.SessionID); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(a, a.UserID, "session.end", audit.OutcomeOK, ""))
	})
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
