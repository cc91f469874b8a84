package web

import (
	"net/http"
)

// Failing returns a handler, adapted exactly as routes are, whose work
// fails with err (or panics when err is nil). Tests use it to check what a
// user and the log see when something breaks; it is not in the route list.
func (s *Server) Failing(routeKind string, err error) http.Handler {
	k := pageRoute
	if routeKind == "api" {
		k = apiRoute
	}
	rt := route{method: "GET", path: "/x", kind: k, handle: func(w http.ResponseWriter, r *http.Request) error {
		if err == nil {
			panic("deliberate failure")
		}
		return err
	}}
	return s.securityHeaders(s.adapt(rt))
}
