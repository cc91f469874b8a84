package browsertest

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestSubmitClicksAgainOnlyWhenNothingStarted holds Submit's second click:
// a click that starts nothing (here the page swallows the first, as a
// click that lands beside a button that moved would) is made once more,
// and a form whose answer is slow, past the point of the second click, is
// waited for and sent once.
func TestSubmitClicksAgainOnlyWhenNothingStarted(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodPost {
			posts.Add(1)
			if r.URL.Path == "/slow" {
				time.Sleep(5 * time.Second)
			}
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`<!doctype html><html lang="en"><title>answer</title><p>answered</p></html>`))
			return
		}
		_, _ = w.Write([]byte(`<!doctype html><html lang="en"><title>form</title>
<form method="post" action="` + r.URL.Path + `"><button id="go">Send</button></form>
<script>
let clicks = 0;
document.getElementById("go").addEventListener("click", e => { if (location.pathname === "/swallow" && clicks++ === 0) e.preventDefault() });
</script></html>`))
	}))
	defer srv.Close()

	for _, tc := range []struct {
		path  string
		posts int32
	}{
		{"/swallow", 1}, // the first click is swallowed: clicked again, sent once
		{"/slow", 1},    // answered after the second click would be due: not clicked again
		{"/plain", 1},
	} {
		t.Run(tc.path, func(t *testing.T) {
			posts.Store(0)
			// The browser starts within the usual timeout (a busy machine
			// needs it); Submit's own is shortened, to 9 s, so its second
			// click is due after 3 s and the slow answer comes after 5.
			b := New(t)
			b.timeout = 9 * time.Second
			if _, err := b.Navigate(srv.URL + tc.path); err != nil {
				t.Fatal(err)
			}
			status, err := b.Submit("#go")
			if err != nil || status != http.StatusUnprocessableEntity {
				t.Fatalf("Submit = %d, %v; want 422", status, err)
			}
			if title, _ := b.Title(); title != "answer" {
				t.Fatalf("after Submit the page is %q, want the answer", title)
			}
			if got := posts.Load(); got != tc.posts {
				t.Fatalf("the form was sent %d times, want %d", got, tc.posts)
			}
		})
	}
}

// TestSetCookie holds SetCookie: the cookie reaches the site with the
// first request, with no page open before it, and replaces one of the
// same name that the site set HttpOnly (which script could not).
func TestSetCookie(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "drive_session", Value: "from-the-site", Path: "/", HttpOnly: true})
		}
		got := "none"
		if c, err := r.Cookie("drive_session"); err == nil {
			got = c.Value
		}
		_, _ = w.Write([]byte(`<!doctype html><html lang="en"><title>` + got + `</title></html>`))
	}))
	defer srv.Close()
	b := New(t)
	for _, step := range []struct{ value, path, why string }{
		{"first", "/set", "want the cookie set before any page"},
		{"second", "/look", "after the site's HttpOnly cookie, want the one set after it"},
	} {
		if err := b.SetCookie(srv.URL, "drive_session", step.value); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Navigate(srv.URL + step.path); err != nil {
			t.Fatal(err)
		}
		if title, _ := b.Title(); title != step.value {
			t.Fatalf("%s carried %q; %s", step.path, title, step.why)
		}
	}
}
