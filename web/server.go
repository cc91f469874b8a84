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
	"net/netip"
	"sync"

	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/web/static"
	"golang.org/x/text/message/catalog"
)

// Config is everything the server needs; cmd/drive builds it once.
type Config struct {
	// Service is the one door to every use case: pages and the JSON API
	// only parse requests, call it and show its answers. Its clock is
	// the server's, its keys seal victim-survivors' details, and its
	// password parameters and session lifetimes are the server's.
	Service *service.Service
	Log     *slog.Logger
	Rand    io.Reader // nil means crypto/rand
	Version string
	// Secure marks cookies Secure and sends Strict-Transport-Security:
	// set it whenever users reach the service over TLS.
	Secure bool
	// ExitURL is where "Exit this page" on the survivor route (/feedback)
	// sends her: a neutral page; empty means defaultExitURL.
	ExitURL string
	// MetricsToken, when set, is the bearer token /metrics asks for: the
	// figures name no person, but they say how busy each page and import
	// is, which is nobody else's business.
	MetricsToken string
	// MetricsElsewhere says /metrics is served on a separate listen
	// address (MetricsHandler) and not on the service's own.
	MetricsElsewhere bool
	// TrustedProxies are the reverse proxies in front of the service:
	// only from them is X-Forwarded-For believed (fromProxy).
	TrustedProxies []netip.Prefix
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
	apiImports *api.Imports
	metrics    *metrics
	errlog     *errorLog
	handler    http.Handler
	routes     []route
	// menuRoutes are the routes menu links to, item by item
	// (menuRouteList), found once rather than on every page.
	menuRoutes []menuRoute
	// records are the kinds of record break-glass can open, by record
	// type. Each record-holding part of the service registers its own.
	// glassHrefs adds pages for kinds of record break-glass opens (tests
	// register their own kinds with the service's Glass).
	glassHrefs map[string]func(id string) string
	// uploadLimit is the body limit of the upload route: maxUpload,
	// lowered by tests so that refusing an oversized file is cheap.
	uploadLimit int64
	// voiceText is the survivor route's words in English and Welsh.
	voiceText *catalog.Builder
	// pageBuffers holds the buffers pages are rendered into, so a page
	// does not grow a new one from nothing on every request.
	pageBuffers sync.Pool
}

// New builds a server: it parses every template and hashes every asset up
// front, so a broken template stops start-up instead of a page view.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil || cfg.Service.DB == nil {
		return nil, errors.New("web: Config.Service (with its database) is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
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
		svc:        cfg.Service,
		metrics:    newMetrics(),
		errlog:     newErrorLog(),
		glassHrefs: map[string]func(id string) string{},

		uploadLimit: maxUpload,
	}
	s.api = &api.API{Svc: s.svc, Version: cfg.Version}
	// A password check needs a hasher, and making one costs a hash (its
	// dummy, for unknown usernames): the server makes it once.
	if s.svc.Hasher == nil {
		params := s.svc.PasswordParams
		if params == (auth.Params{}) {
			params = auth.DefaultParams()
		}
		if s.svc.Hasher, err = auth.NewHasher(cfg.Rand, params); err != nil {
			return nil, err
		}
	}
	if s.voiceText, err = feedbackCatalog(); err != nil {
		return nil, err
	}
	s.apiCases = &api.Cases{Svc: s.svc}
	s.apiVictims = &api.Victims{Svc: s.svc}
	s.apiImports = &api.Imports{Svc: s.svc, Limit: func() int64 { return s.uploadLimit }}
	if s.pages, err = s.parsePages(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.routes = s.routeList()
	s.menuRoutes = s.menuRouteList()
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
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, s.fromProxy(r))
}

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

// requestIDFrom is the id of the request being served. It travels under
// the audit package's key (audit.WithRequestID), so every audit event the
// request writes records the id its log lines give.
func requestIDFrom(ctx context.Context) string {
	return audit.RequestIDFrom(ctx)
}
