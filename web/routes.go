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
		{"GET", "/healthz", probeRoute, s.healthz},
		{"GET", "/readyz", probeRoute, s.readyz},
		{"GET", "/metrics", probeRoute, s.serveMetrics},

		// Static assets under content-hashed names.
		{"GET", "/assets/", assetRoute, s.serveAsset},

		// Pages.
		{"GET", "/{$}", pageRoute, s.home},
		{"GET", "/signin", pageRoute, s.signinForm},
		{"GET", "/accessibility", pageRoute, s.accessibility},
		{"GET", "/privacy", pageRoute, s.privacy},

		// JSON API.
		{"GET", "/api/v1/openapi.json", apiRoute, s.api.OpenAPI},
		{"GET", "/api/v1/version", apiRoute, s.api.GetVersion},

		// Everything else is not found, in the style of its part of the site.
		{"", "/api/", apiRoute, notFound},
		{"", "/", pageRoute, notFound},
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
