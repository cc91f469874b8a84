package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestFromProxy: X-Forwarded-For is believed only from a trusted proxy,
// read right to left past the trusted hops; from anyone else, or with a
// malformed chain, the request keeps its own address.
func TestFromProxy(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("2001:db8::1/128")}}}
	tests := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no header", "10.0.0.5:4000", nil, "10.0.0.5"},
		{"from the proxy", "10.0.0.5:4000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"client's own claim ignored", "10.0.0.5:4000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"two trusted hops", "10.0.0.5:4000", []string{"198.51.100.7, 10.0.0.9"}, "198.51.100.7"},
		{"several headers", "10.0.0.5:4000", []string{"6.6.6.6", "198.51.100.8"}, "198.51.100.8"},
		{"IPv6 proxy", "[2001:db8::1]:443", []string{"2001:db8::77"}, "2001:db8::77"},
		{"not a proxy", "203.0.113.9:5000", []string{"198.51.100.7"}, "203.0.113.9"},
		{"malformed chain", "10.0.0.5:4000", []string{"198.51.100.7, not-an-address"}, "10.0.0.5"},
		{"only proxies", "10.0.0.5:4000", []string{"10.0.0.3"}, "10.0.0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			for _, h := range tt.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := clientAddress(s.fromProxy(r)); got != tt.want {
				t.Errorf("client address %q, want %q", got, tt.want)
			}
		})
	}
	none := &Server{}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.5:4000"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	if got := clientAddress(none.fromProxy(r)); got != "10.0.0.5" {
		t.Errorf("with no trusted proxy configured: %q", got)
	}
}
