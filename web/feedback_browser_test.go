package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestFeedbackInBrowser is the survivor route as she meets it, in
// headless Chromium with no session: the first page in English and Welsh,
// a code her IDVA issued, her answers reaching her IDVA's case (joined)
// or only the anonymous counts (anonymous), the same code refused a
// second time, and "Exit this page" leaving for a neutral page both by
// its button and by Shift pressed three times. axe checks every page in
// both languages, errors included.
func TestFeedbackInBrowser(t *testing.T) {
	w := newWall(t, storetest.OneEngine())
	neutral := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = rw.Write([]byte(`<!DOCTYPE html><html lang="en"><head><title>Weather</title></head><body><h1>Weather</h1></body></html>`))
	}))
	t.Cleanup(neutral.Close)
	w.srv.cfg.ExitURL = neutral.URL + "/weather"
	b := browsertest.New(t)

	visit := func(path string, want int) string {
		t.Helper()
		status, err := b.Navigate(w.ts.URL + path)
		if err != nil || status != want {
			t.Fatalf("%s: %d %v", path, status, err)
		}
		b.AssertAccessible(t)
		html, _ := b.HTML()
		return html
	}
	submit := func(selector string, want int) string {
		t.Helper()
		status, err := b.Submit(selector)
		if err != nil || status != want {
			html, _ := b.HTML()
			t.Fatalf("submitting %s: %d %v\n%s", selector, status, err, html)
		}
		b.AssertAccessible(t)
		html, _ := b.HTML()
		return html
	}
	title := func(want string) {
		t.Helper()
		if got, _ := b.Title(); got != want {
			t.Errorf("title %q; want %q", got, want)
		}
	}
	enterCode := func(code string, want int) string {
		t.Helper()
		if err := b.Fill("#code", code); err != nil {
			t.Fatal(err)
		}
		return submit("form[action='/feedback'] button", want)
	}
	answer := func(clicks ...string) {
		t.Helper()
		for _, c := range clicks {
			if err := b.Click(c); err != nil {
				t.Fatalf("clicking %s: %v", c, err)
			}
		}
	}
	send := "form[action='/feedback/answers'] button"

	// Joined, in Welsh.
	code := w.issueCode(t, "T2")
	visit("/feedback", 200)
	title("Your views")
	submit("a[hreflang='cy']", 200)
	title("Eich barn")
	if html := enterCode(code, 200); !strings.Contains(html, "Ychydig o gwestiynau") {
		t.Fatalf("questions not in Welsh: %s", html)
	}
	// Nothing answered: every problem listed, in Welsh.
	if html := submit(send, 422); !strings.Contains(html, "Mae problem wedi codi") || !strings.Contains(html, "Dewiswch pwy all weld eich atebion") {
		t.Fatalf("errors not in Welsh: %s", html)
	}
	title("Gwall: Eich barn")
	answer("#physical-1", "#sexual-2", "#stalking", "#controlling-1", "#feels_safe-7", "#quality_of_life-3", "#confidence-4", "#share", "#listened", "#safer-1")
	if err := b.Run(chromedp.SendKeys(chromedp.CSS("#free_text"), "CANARY-HER-WORDS diolch")); err != nil {
		t.Fatal(err)
	}
	if html := submit(send, 200); !strings.Contains(html, "Diolch") {
		t.Fatalf("not thanked: %s", html)
	}
	_, page := w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10))
	if !strings.Contains(page, "By herself") || !strings.Contains(page, "T2 (") {
		t.Fatal("her answers did not reach her IDVA's case")
	}
	// The same code again is refused.
	visit("/feedback", 200)
	if html := enterCode(code, 422); !strings.Contains(html, "has been used or has expired") {
		t.Fatalf("second use: %s", html)
	}

	// Anonymous, in English: only the anonymous counts change.
	code2 := w.issueCode(t, "T3")
	visit("/feedback", 200)
	enterCode(code2, 200)
	answer("#physical", "#sexual-1", "#stalking-1", "#controlling-1", "#feels_safe-9", "#share-1")
	if html := submit(send, 200); !strings.Contains(html, "Thank you") {
		t.Fatalf("not thanked: %s", html)
	}
	_, page = w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10))
	if strings.Count(page, "By herself") != 1 {
		t.Error("anonymous answers reached her case")
	}
	if _, views := w.get(t, "tia.idvalead", "/victim-views"); !strings.Contains(views, "Answers about safety given anonymously: [c]") {
		t.Error("the anonymous answers are not counted")
	}

	// Exit this page: the button, then Shift three times, each leaves for
	// the neutral page.
	left := func(how string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if u, _ := b.URL(); strings.HasPrefix(u, neutral.URL) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		u, _ := b.URL()
		t.Errorf("%s: still at %s", how, u)
	}
	for _, lang := range []string{"en", "cy"} {
		visit("/feedback?lang="+lang, 200)
		if err := b.Click(".govuk-exit-this-page__button"); err != nil {
			t.Fatal(err)
		}
		left("the button (" + lang + ")")
		visit("/feedback?lang="+lang, 200)
		for i := 0; i < 3; i++ {
			err := b.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
					p := input.DispatchKeyEventParams{Type: typ, Key: "Shift", Code: "ShiftLeft", WindowsVirtualKeyCode: 16, NativeVirtualKeyCode: 16, Location: 1}
					if typ == input.DispatchKeyEventTypeRawKeyDown {
						p.Modifiers = 8
					}
					if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, p); err != nil {
						return err
					}
				}
				return nil
			}))
			if err != nil {
				t.Fatal(err)
			}
		}
		left("Shift three times (" + lang + ")")
	}
	b.AssertNoConsoleErrors(t)

	// Without JavaScript, on any phone: the whole route works, and the
	// exit button is a plain link to the neutral page.
	nojs := browsertest.New(t, browsertest.WithoutJavaScript(), browsertest.WindowSize(360, 740))
	code3 := w.issueCode(t, "T1")
	if status, err := nojs.Navigate(w.ts.URL + "/feedback?lang=cy"); err != nil || status != 200 {
		t.Fatalf("no JavaScript: %d %v", status, err)
	}
	if err := nojs.Fill("#code", code3); err != nil {
		t.Fatal(err)
	}
	if status, err := nojs.Submit("form[action='/feedback'] button"); err != nil || status != 200 {
		t.Fatalf("no JavaScript, code: %d %v", status, err)
	}
	for _, c := range []string{"#physical-1", "#sexual-1", "#stalking-1", "#controlling-1", "#feels_safe-10", "#share"} {
		if err := nojs.Click(c); err != nil {
			t.Fatal(err)
		}
	}
	if status, err := nojs.Submit(send); err != nil || status != 200 {
		t.Fatalf("no JavaScript, answers: %d %v", status, err)
	}
	nojs.AssertAccessible(t)
	if html, _ := nojs.HTML(); !strings.Contains(html, "Diolch") {
		t.Fatal("no JavaScript: not thanked")
	}
	if status, err := nojs.Submit(".govuk-exit-this-page__button"); err != nil || status != 200 {
		t.Fatalf("no JavaScript, exit: %d %v", status, err)
	}
	if u, _ := nojs.URL(); !strings.HasPrefix(u, neutral.URL) {
		t.Errorf("no JavaScript, exit went to %s", u)
	}
}
