package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// fromProxy gives a request that came through one of the trusted reverse
// proxies (Config.TrustedProxies) the address of the client the proxy
// served, from X-Forwarded-For, so audit events, sign-in throttling and
// lockouts see people rather than the proxy. The header is read right to
// left, skipping the trusted proxies' own addresses: the first other
// address is the one the nearest trusted proxy saw. A request from
// anywhere else keeps its own address whatever headers it sends, so no
// client can choose the address it is recorded under.
func (s *Server) fromProxy(r *http.Request) *http.Request {
	if len(s.cfg.TrustedProxies) == 0 {
		return r
	}
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok || !s.trusted(peer) {
		return r
	}
	hops := r.Header.Values("X-Forwarded-For")
	var all []string
	for _, h := range hops {
		all = append(all, strings.Split(h, ",")...)
	}
	for i := len(all) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(all[i]))
		if err != nil {
			return r // a malformed chain: keep the proxy's own address
		}
		a = a.Unmap()
		if s.trusted(a) {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.RemoteAddr = net.JoinHostPort(a.String(), "0")
		return r2
	}
	return r
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func parseAddr(hostport string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
