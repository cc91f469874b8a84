package browsertest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSharedBrowserKeepsTestsApart holds what sharing one Chromium (Main)
// must keep: each Browser is a fresh private window, so a cookie one test
// set is not sent by the next, while both run in the same browser.
func TestSharedBrowserKeepsTestsApart(t *testing.T) {
	sharing.Store(true)
	defer sharing.Store(false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "who", Value: "first", Path: "/"})
		}
		cookie := "none"
		if c, err := r.Cookie("who"); err == nil {
			cookie = c.Value
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="en"><title>c</title><p id="c">` + cookie + `</p></html>`))
	}))
	defer srv.Close()

	read := func(b *Browser, path string) string {
		t.Helper()
		if _, err := b.Navigate(srv.URL + path); err != nil {
			t.Fatal(err)
		}
		text, err := RunValue(b, chromedp.Text(chromedp.CSS("#c")))
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	t.Run("first", func(t *testing.T) {
		b := New(t)
		read(b, "/set")
		if got := read(b, "/"); got != "first" {
			t.Fatalf("the cookie the page set was not sent back: %q", got)
		}
	})
	first := shared.ctx
	t.Run("second", func(t *testing.T) {
		b := New(t)
		if got := read(b, "/"); got != "none" {
			t.Fatalf("a test's browser sent the cookie an earlier test's set: %q", got)
		}
	})
	if shared.ctx != first || first == nil || first.Err() != nil {
		t.Fatal("the second test did not use the browser the first started")
	}
	shared.mu.Lock()
	shared.stop()
	shared.ctx, shared.stop = nil, nil
	shared.mu.Unlock()
}
