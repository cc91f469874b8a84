package web

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// gate says who may reach a route.
type gate int

const (
	public    gate = iota // anyone, signed in or not
	enrolled              // a full session (password and second factor) or an API token
	enrolling             // a session that has passed the password but not yet set up its second factor
)

// principal is who is making the request: the signed-in user and either
// their browser session or their API token.
type principal struct {
	user    *identity.User
	session *identity.Session
	token   *identity.APIToken
	// subject is the policy's view of the user, with any open
	// break-glass, built once per request.
	subject access.Subject
}

const principalKey ctxKey = 1

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey).(*principal)
	return p
}

// sessionCookie is the cookie's name. With TLS it takes the __Host-
// prefix, which browsers accept only when Secure, on this host, for path /.
func (s *Server) sessionCookie() string {
	if s.cfg.Secure {
		return "__Host-drive_session"
	}
	return "drive_session"
}

func (s *Server) preSigninCookie() string {
	if s.cfg.Secure {
		return "__Host-drive_signin"
	}
	return "drive_signin"
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode,
	})
}

// clientAddress is the caller's IP address, for audit and throttling.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// identify finds the principal of a request: a bearer token on API routes,
// the session cookie elsewhere. It returns nil when there is none or it
// is no longer valid; an expired session is deleted.
func (s *Server) identify(r *http.Request, k kind) (*principal, error) {
	ctx := r.Context()
	now := s.cfg.Now().UTC()
	if k == apiRoute {
		h := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return nil, nil
		}
		var p *principal
		err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
			t, err := tx.APITokenByHash(ctx, auth.HashToken(strings.TrimSpace(token)))
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				return nil
			}
			if err != nil {
				return err
			}
			if !t.Usable(now) {
				return nil
			}
			u, err := tx.User(ctx, t.UserID)
			if err != nil {
				return err
			}
			if u.Disabled() {
				return nil
			}
			if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
				if err := tx.TouchAPIToken(ctx, t.ID); err != nil {
					return err
				}
			}
			p = &principal{user: u, token: t, subject: subjectOf(u)}
			p.subject.BreakGlass, err = tx.ActiveBreakGlass(ctx, u.ID)
			return err
		})
		return p, err
	}
	c, err := r.Cookie(s.sessionCookie())
	if err != nil || c.Value == "" {
		return nil, nil
	}
	var p *principal
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		sess, err := tx.SessionByTokenHash(ctx, auth.HashToken(c.Value))
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if !s.sessions.Alive(sess, now) {
			return tx.DeleteSession(ctx, sess.ID)
		}
		u, err := tx.User(ctx, sess.UserID)
		if err != nil {
			return err
		}
		if u.Disabled() {
			return tx.DeleteSession(ctx, sess.ID)
		}
		// Record activity at most once a minute: enough for a 30-minute
		// idle timeout without a write on every request.
		if now.Sub(sess.LastSeenAt) > time.Minute {
			sess.LastSeenAt = now
			if err := tx.UpdateSession(ctx, sess); err != nil {
				return err
			}
		}
		p = &principal{user: u, session: sess, subject: subjectOf(u)}
		p.subject.BreakGlass, err = tx.ActiveBreakGlass(ctx, u.ID)
		return err
	})
	return p, err
}

// checkCSRF refuses a state-changing form post whose token does not match
// the session's. (Cross-origin posts are also stopped earlier by the
// Sec-Fetch-Site/Origin check, and cookies are SameSite=Strict.)
func checkCSRF(r *http.Request, p *principal) error {
	if p == nil || p.session == nil {
		return nil
	}
	got := r.PostFormValue("csrf_token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(p.session.CSRF)) != 1 {
		return drive.Errorf(drive.EINVALID, "This form has expired or did not come from Drive. Go back, reload the page and try again.")
	}
	return nil
}

func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// endOtherSessions ends every session of the user except the current one,
// and revokes their API tokens: it follows a change of password or second
// factor, after which nothing made with the old credential (perhaps by
// whoever learnt it) may go on working.
func (s *Server) endOtherSessions(ctx context.Context, tx *store.Tx, p *principal) error {
	var keep int64
	if p.session != nil {
		keep = p.session.ID
	}
	_, _, err := service.EndAccess(ctx, tx, p.user.ID, keep)
	return err
}
