// Package web is the HTTP adapter: the one route list, the middleware that
// every response passes through, the error renderer, and the HTML pages.
// JSON handlers live in package api; this package mounts them.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/web/static"
)

// Config is everything the server needs; cmd/drive builds it once.
type Config struct {
	DB      *store.DB
	Log     *slog.Logger
	Now     func() time.Time // nil means time.Now
	Rand    io.Reader        // nil means crypto/rand
	Version string
	// PasswordParams are the argon2id parameters; zero means
	// auth.DefaultParams. Tests use cheaper ones.
	PasswordParams auth.Params
	// Sessions are the session lifetimes; zero means the defaults.
	Sessions identity.SessionPolicy
	// Keys seal and open victim-survivors' protected details. Required to
	// serve; tests of pages that never touch them may leave it nil.
	Keys *sealed.Keyring
	// Secure marks cookies Secure and sends Strict-Transport-Security:
	// set it whenever users reach the service over TLS.
	Secure bool
}

// Server serves the Drive web UI and JSON API.
type Server struct {
	cfg        Config
	log        *slog.Logger
	assets     *static.Assets
	pages      map[string]*template.Template
	api        *api.API
	svc        *service.Service
	apiCases   *api.Cases
	apiVictims *api.Victims
	metrics    *metrics
	hasher     *auth.Hasher
	sessions   identity.SessionPolicy
	lockout    auth.Lockout
	handler    http.Handler
	routes     []route
	// records are the kinds of record break-glass can open, by record
	// type. Each record-holding part of the service registers its own.
	// glassHrefs adds pages for kinds of record break-glass opens (tests
	// register their own kinds with the service's Glass).
	glassHrefs map[string]func(id string) string
	// uploadLimit is the body limit of the upload route: maxUpload,
	// lowered by tests so that refusing an oversized file is cheap.
	uploadLimit int64
}

// New builds a server: it parses every template and hashes every asset up
// front, so a broken template stops start-up instead of a page view.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("web: Config.DB is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	assets, err := static.New()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		log:        cfg.Log,
		assets:     assets,
		svc:        &service.Service{DB: cfg.DB, Keys: cfg.Keys, Rand: cfg.Rand, PasswordParams: cfg.PasswordParams},
		metrics:    newMetrics(),
		glassHrefs: map[string]func(id string) string{},

		uploadLimit: maxUpload,
	}
	s.api = &api.API{Svc: s.svc, Version: cfg.Version}
	params := cfg.PasswordParams
	if params == (auth.Params{}) {
		params = auth.DefaultParams()
	}
	if s.hasher, err = auth.NewHasher(cfg.Rand, params); err != nil {
		return nil, err
	}
	s.sessions = cfg.Sessions
	if s.sessions == (identity.SessionPolicy{}) {
		s.sessions = identity.DefaultSessionPolicy()
	}
	s.lockout = auth.DefaultLockout()
	s.svc.Hasher, s.svc.Sessions, s.svc.Lockout = s.hasher, s.sessions, s.lockout
	s.apiCases = &api.Cases{Svc: s.svc}
	s.apiVictims = &api.Victims{Svc: s.svc}
	if s.pages, err = s.parsePages(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.routes = s.routeList()
	for _, rt := range s.routes {
		mux.Handle(rt.pattern(), s.adapt(rt))
	}
	// Browsers say where a request came from (Sec-Fetch-Site, Origin):
	// refuse cross-site state changes before any handler runs. Tokens in
	// forms are checked too, for browsers that send neither header.
	s.handler = s.securityHeaders(http.NewCrossOriginProtection().Handler(mux))
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// requestID returns a random identifier that ties a user's error page to
// the log line that explains it, without putting anything personal in
// either.
func (s *Server) requestID() string {
	var b [8]byte
	if _, err := io.ReadFull(s.cfg.Rand, b[:]); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(b[:])
}

type ctxKey int

const requestIDKey ctxKey = iota

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// lookups returns site names and organisation names by id, for the
// identification pages, which still read the store themselves.
func lookups(ctx context.Context, tx *store.Tx) (sites, orgs map[int64]string, err error) {
	sites, orgs = map[int64]string{}, map[int64]string{}
	ss, err := tx.Sites(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range ss {
		sites[st.ID] = st.Name
	}
	os, err := tx.Organisations(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range os {
		orgs[o.ID] = o.Name
	}
	return sites, orgs, nil
}
