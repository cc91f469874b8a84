package web

import (
	"net/http"
	"strings"
)

// kind says how a route's errors are rendered and how it is cached.
type kind int

const (
	pageRoute  kind = iota // HTML for people; errors as branded pages
	apiRoute               // JSON under /api/v1; errors as JSON
	probeRoute             // plain text for orchestrators and monitoring
	assetRoute             // immutable static files
)

// route is one entry of the route list.
type route struct {
	method string // "" matches any method
	path   string // a net/http ServeMux path pattern
	kind   kind
	gate   gate
	handle func(w http.ResponseWriter, r *http.Request) error
}

func (rt route) pattern() string {
	if rt.method == "" {
		return rt.path
	}
	return rt.method + " " + rt.path
}

// routeList is every route the server answers, top to bottom. Nothing is
// registered anywhere else.
func (s *Server) routeList() []route {
	return []route{
		// Probes and monitoring.
		{"GET", "/healthz", probeRoute, public, s.healthz},
		{"GET", "/readyz", probeRoute, public, s.readyz},
		{"GET", "/metrics", probeRoute, public, s.serveMetrics},

		// Static assets under content-hashed names.
		{"GET", "/assets/", assetRoute, public, s.serveAsset},

		// Signing in and out.
		{"GET", "/signin", pageRoute, public, s.signinForm},
		{"POST", "/signin", pageRoute, public, s.signin},
		{"GET", "/enrol", pageRoute, enrolling, s.enrolForm},
		{"POST", "/enrol", pageRoute, enrolling, s.enrol},
		{"POST", "/signout", pageRoute, public, s.signout},

		// Pages.
		{"GET", "/{$}", pageRoute, enrolled, s.home},
		{"GET", "/accessibility", pageRoute, public, s.accessibility},
		{"GET", "/privacy", pageRoute, public, s.privacy},

		// JSON API.
		{"GET", "/api/v1/openapi.json", apiRoute, public, s.api.OpenAPI},
		{"GET", "/api/v1/version", apiRoute, public, s.api.GetVersion},
		{"GET", "/api/v1/me", apiRoute, enrolled, s.apiMe},

		// Everything else is not found, in the style of its part of the site.
		{"", "/api/", apiRoute, public, notFound},
		{"", "/", pageRoute, public, notFound},
	}
}

// APIRoutes returns "METHOD /path" for every JSON API operation, so a test
// can hold the OpenAPI document to the routes actually served.
func (s *Server) APIRoutes() []string {
	var out []string
	for _, rt := range s.routes {
		if rt.kind == apiRoute && rt.method != "" && strings.HasPrefix(rt.path, "/api/v1/") {
			out = append(out, rt.method+" "+rt.path)
		}
	}
	return out
}
