package web

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/service"
)

// gate says who may reach a route.
type gate int

const (
	public    gate = iota // anyone, signed in or not
	enrolled              // a full session (password and second factor) or an API token
	enrolling             // a session that has passed the password but not yet set up its second factor
	feedOnly              // a feed's token (service.FeedActor), and nothing else: the import routes
)

// principal is who is making the request: the signed-in user and either
// their browser session or their API token.
type principal struct {
	user    *account.User
	session *account.Session
	token   *account.APIToken
	// subject is the policy's view of the user, with any open
	// break-glass, built once per request.
	subject access.Subject
	// actor is who the service acts for, as the service found them.
	actor service.Actor
	// unread is the user's unread notifications count, read with the
	// session, when unreadKnown.
	unread      int
	unreadKnown bool
}

const principalKey ctxKey = 1

// feedKey holds the feed admitFeed let in (a *service.FeedCaller).
const feedKey ctxKey = 2

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

// knownBrowserCookie is the name of the cookie that marks a browser
// remembered after a full sign-in (auth.KnownBrowsers). It holds a random
// token and nothing about the person.
func (s *Server) knownBrowserCookie() string {
	if s.cfg.Secure {
		return "__Host-drive_browser"
	}
	return "drive_browser"
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	// #nosec G124 -- HttpOnly and SameSite always; Secure whenever drive serve runs behind TLS (--secure, with the __Host- prefix); plain HTTP is only the local demo
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

// principalOf finds the principal of a request: a bearer token on API routes,
// the session cookie elsewhere. It returns nil when there is none or it
// is no longer valid (the service deletes an expired session).
func (s *Server) principalOf(r *http.Request, k kind) (*principal, error) {
	ctx := r.Context()
	var (
		c   *service.Caller
		err error
	)
	if k == apiRoute {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			return nil, nil
		}
		c, err = s.svc.TokenActor(ctx, token, clientAddress(r))
	} else {
		cookie, cerr := r.Cookie(s.sessionCookie())
		if cerr != nil || cookie.Value == "" {
			return nil, nil
		}
		c, err = s.svc.SessionActor(ctx, cookie.Value, clientAddress(r))
	}
	if err != nil || c == nil {
		return nil, err
	}
	return &principal{user: c.User, session: c.Session, token: c.Token, subject: c.Actor.Subject, actor: c.Actor,
		unread: c.Unread, unreadKnown: c.UnreadKnown}, nil
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
