package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/service"
)

// contentSecurityPolicy allows only our own scripts and styles: no inline
// script or style anywhere, no framing, forms post only to us.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every response carries, including
// 404s and assets.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		if s.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		// Personal data must never sit in a browser or proxy cache.
		// Assets override this with long-lived caching of their own.
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// adapt turns a route into an http.Handler: request id, panic recovery,
// error rendering, metrics and one log line. The log line carries the
// route pattern, never the path or query, so ids and search terms stay
// out of logs.
func (s *Server) adapt(rt route) http.Handler {
	pattern := rt.pattern()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := s.requestID()
		r = r.WithContext(audit.WithRequestID(r.Context(), reqID))
		sw := &statusWriter{ResponseWriter: w}
		func() {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					s.fail(sw, r, rt.kind, panicError{p})
				}
			}()
			req, err := s.admit(sw, r, rt)
			if req != nil {
				r = req
			}
			if err == nil && req != nil {
				err = rt.handle(sw, r)
			}
			if err != nil {
				s.fail(sw, r, rt.kind, err)
			}
		}()
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.observe(pattern, r.Method, status, elapsed)
		if rt.kind != probeRoute && rt.kind != assetRoute {
			s.log.Info("request", slog.String("request_id", reqID), slog.String("method", r.Method),
				slog.String("route", pattern), slog.Int("status", status), slog.Duration("duration", elapsed))
		}
	})
}

// admit identifies the caller and applies the route's gate and the
// anti-forgery check. It returns a nil request when it has already
// answered (a redirect to sign in).
func (s *Server) admit(w http.ResponseWriter, r *http.Request, rt route) (*http.Request, error) {
	if rt.kind != pageRoute && rt.kind != apiRoute && rt.kind != survivorRoute {
		return r, nil
	}
	// A path that is not text names no record: ids in paths are numbers
	// and other segments are fixed words, so it is simply not found.
	if !drive.TextOK(r.URL.Path) {
		return r, drive.NotFound("page")
	}
	limit := int64(formLimit)
	switch {
	case rt.documentUploadRoute():
		limit = documentUpload
	case rt.upload():
		limit = s.uploadLimit
	case rt.kind == apiRoute:
		limit = api.MaxBody
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if rt.gate == feedOnly {
		return s.admitFeed(r)
	}
	var p *principal
	var err error
	// The survivor route never looks at a session: whoever is signed in
	// on the same browser, her answers are not theirs.
	if rt.kind != survivorRoute {
		if p, err = s.principalOf(r, rt.kind); err != nil {
			return r, err
		}
	}
	if p != nil {
		r = r.WithContext(context.WithValue(r.Context(), principalKey, p))
	}
	stage := ""
	if p != nil && p.session != nil {
		stage = p.session.Stage
	}
	switch rt.gate {
	case enrolled:
		if p != nil && (p.token != nil || stage == account.StageFull) {
			break
		}
		if rt.kind == apiRoute {
			return r, drive.Errorf(drive.EUNAUTHORIZED, "Send a valid API token in the Authorization header: Authorization: Bearer TOKEN")
		}
		target := "/signin"
		if stage == account.StageEnrol {
			target = "/enrol"
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil, nil
	case enrolling:
		if stage != account.StageEnrol {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return nil, nil
		}
	}
	if rt.need != none && p != nil && !holds(subjectOf(p.user), rt.need) {
		// The route does not exist for this user: the same answer as an
		// unknown address, and a record in the audit log.
		if err := s.svc.RefuseRoute(r.Context(), p.actor, routeID(rt.pattern())); err != nil {
			return r, err
		}
		return r, drive.NotFound("page")
	}
	if rt.kind == apiRoute {
		// JSON bodies are checked as they are decoded (api.Decode).
		return r, checkValues(r.URL.Query())
	}
	if err := readForm(r, limit, rt.upload() || rt.documentUploadRoute()); err != nil {
		return r, err
	}
	if isUnsafe(r.Method) {
		if err := checkCSRF(r, p); err != nil {
			return r, err
		}
	}
	return r, checkForm(r)
}

// admitFeed lets in a feed presenting its token, and no one else: a
// user's session or API token is no feed's, and is refused as any bad
// token is (401).
func (s *Server) admitFeed(r *http.Request) (*http.Request, error) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f, err := s.svc.FeedActor(r.Context(), token, clientAddress(r))
	if err != nil {
		return r, err
	}
	if f == nil {
		return r, drive.Errorf(drive.EUNAUTHORIZED, "Send the feed's token in the Authorization header: Authorization: Bearer TOKEN")
	}
	r = r.WithContext(context.WithValue(r.Context(), feedKey, f))
	return r, checkValues(r.URL.Query())
}

// feedAs calls a feed's handler with the feed admitFeed let in.
func (s *Server) feedAs(h api.FeedHandler) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, ok := r.Context().Value(feedKey).(*service.FeedCaller)
		if !ok {
			return drive.Errorf(drive.EUNAUTHORIZED, "Send the feed's token in the Authorization header: Authorization: Bearer TOKEN")
		}
		return h(w, r, f)
	}
}

// routeID turns a route pattern into an audit record identifier.
func routeID(pattern string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, pattern)
}

// holds reports whether sub may perform n.act on n.class anywhere: at one
// of their sites or nationally.
func holds(sub access.Subject, n need) bool {
	sites, national := sub.SitesFor(n.class, n.act)
	return national || len(sites) > 0
}

// panicError carries a recovered panic to the error renderer as an
// internal error.
type panicError struct{ v any }

func (p panicError) Error() string { return "panic: " + stringify(p.v) }

func stringify(v any) string {
	switch x := v.(type) {
	case error:
		return x.Error()
	case string:
		return x
	}
	return "unknown value"
}
