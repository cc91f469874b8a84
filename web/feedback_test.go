package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/voice"
)

// anon sends a request with no session, as she would from her phone.
func (w *wall) anon(t *testing.T, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, w.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// issueCode has her IDVA make a code on her case page and reads it off
// the card.
func (w *wall) issueCode(t *testing.T, timePoint string) string {
	t.Helper()
	status, body := w.post(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10)+"/feedback-code", url.Values{"code_time_point": {timePoint}})
	m := regexp.MustCompile(`id="feedback-code">([A-Z0-9-]+)<`).FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("issuing a code: %d, no code on the card", status)
	}
	return m[1]
}

// fullAnswers is a complete set of her answers.
func fullAnswers(lang, code, share, text string) url.Values {
	return url.Values{"lang": {lang}, "code": {code}, "physical": {"no"}, "sexual": {"not_said"}, "stalking": {"yes"}, "controlling": {"no"},
		"feels_safe": {"8"}, "quality_of_life": {"4"}, "confidence": {"5"}, "share": {share}, "listened": {"yes"}, "safer": {"partly"}, "free_text": {text}}
}

// visibleText is a page less its markup and the addresses of its assets,
// which are not shown to anyone.
func visibleText(body string) string {
	body = regexp.MustCompile(`(?s)<head>.*</head>`).ReplaceAllString(body, "")
	return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
}

// TestFeedbackRoute walks the survivor route with no session in both
// languages: what each page says and does not say, that nothing is stored
// in her browser, that a code works once, and that bad answers keep it.
func TestFeedbackRoute(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			banned := regexp.MustCompile(`(?i)abuse|violen|victim|perpetrat|drive|idva|domestic`)
			check := func(what string, resp *http.Response, body string) {
				t.Helper()
				if resp.Header.Get("Cache-Control") != "no-store" || len(resp.Header.Values("Set-Cookie")) > 0 {
					t.Errorf("%s: Cache-Control %q, cookies %v; want no-store and none", what, resp.Header.Get("Cache-Control"), resp.Header.Values("Set-Cookie"))
				}
				title := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(body)
				if title == nil || banned.MatchString(title[1]) {
					t.Errorf("%s: title %v", what, title)
				}
				for _, h := range regexp.MustCompile(`(?s)<h[12][^>]*>(.*?)</h[12]>`).FindAllStringSubmatch(body, -1) {
					if banned.MatchString(h[1]) {
						t.Errorf("%s: heading %q", what, h[1])
					}
				}
				if l := banned.FindAllString(visibleText(body), -1); len(l) > 0 {
					t.Errorf("%s: the page says %v", what, l)
				}
				if !strings.Contains(body, `data-module="govuk-exit-this-page"`) {
					t.Errorf("%s: no Exit this page", what)
				}
			}
			resp, body := w.anon(t, "GET", "/feedback", nil)
			check("start", resp, body)
			if resp.StatusCode != 200 || !strings.Contains(body, "<title>Your views</title>") || !strings.Contains(body, `lang="en"`) {
				t.Fatalf("start: %d %s", resp.StatusCode, body)
			}
			for _, a := range []string{"/feedback/style.css", "/feedback/script.js"} {
				r, b := w.anon(t, "GET", a, nil)
				if r.StatusCode != 200 || len(b) < 1000 || r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("ETag") != "" {
					t.Errorf("%s: %d, %d bytes, Cache-Control %q, ETag %q", a, r.StatusCode, len(b), r.Header.Get("Cache-Control"), r.Header.Get("ETag"))
				}
			}
			if strings.Contains(body, "/assets/") {
				t.Error("the route's page loads assets that browsers cache")
			}
			resp, body = w.anon(t, "GET", "/feedback?lang=cy", nil)
			check("start in Welsh", resp, body)
			if !strings.Contains(body, "<title>Eich barn</title>") || !strings.Contains(body, `<html lang="cy"`) || !strings.Contains(body, "Gadael y dudalen hon") {
				t.Fatalf("Welsh start page: %s", body)
			}

			// A wrong code, in Welsh, says so in Welsh and changes nothing.
			resp, body = w.anon(t, "POST", "/feedback", url.Values{"lang": {"cy"}, "code": {"ABCDE-FGHJK"}})
			check("wrong code", resp, body)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Nid yw&#39;r cod hwn yn gywir") || !strings.Contains(body, "<title>Gwall: Eich barn</title>") {
				t.Fatalf("wrong code: %d %s", resp.StatusCode, body)
			}

			code := w.issueCode(t, "T2")
			resp, body = w.anon(t, "POST", "/feedback", url.Values{"lang": {"cy"}, "code": {strings.ToLower(code)}})
			check("questions", resp, body)
			if resp.StatusCode != 200 || !strings.Contains(body, "a wnaeth rhywun eich brifo&#39;n gorfforol?") || !strings.Contains(body, `name="lang" value="cy"`) {
				t.Fatalf("questions in Welsh: %d %s", resp.StatusCode, body)
			}
			// Missing answers: every problem at once, in Welsh, and the
			// code still works.
			bad := fullAnswers("cy", code, "", "")
			bad.Del("physical")
			bad.Set("feels_safe", "12")
			resp, body = w.anon(t, "POST", "/feedback/answers", bad)
			check("bad answers", resp, body)
			for _, want := range []string{"Dewiswch ateb", "Dewiswch rif o 0 i 10", "Dewiswch pwy all weld eich atebion", `href="#physical"`} {
				if !strings.Contains(body, want) {
					t.Errorf("bad answers: no %q in %d %s", want, resp.StatusCode, body)
				}
			}
			resp, body = w.anon(t, "POST", "/feedback/answers", fullAnswers("cy", code, "joined", "CANARY-HER-WORDS the support was good"))
			check("done", resp, body)
			if resp.StatusCode != 200 || !strings.Contains(body, "Diolch") {
				t.Fatalf("answers: %d %s", resp.StatusCode, body)
			}
			// Her answers reach her case, as hers.
			_, page := w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10))
			if !strings.Contains(page, "By herself") || !strings.Contains(page, "T2 (") {
				t.Errorf("her IDVA's page does not show her answers")
			}
			_, js := w.get(t, "ida.idva", "/api/v1/victims/"+strconv.FormatInt(w.victimID, 10)+"/reported-outcomes")
			if !strings.Contains(js, `"source":"herself"`) || !strings.Contains(js, `"feels_safe":8`) || !strings.Contains(js, `"time_point":"T2"`) {
				t.Errorf("API: %s", js)
			}
			// The same code a second time is refused.
			resp, body = w.anon(t, "POST", "/feedback/answers", fullAnswers("en", code, "joined", ""))
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "has been used or has expired") {
				t.Errorf("second use: %d", resp.StatusCode)
			}
			// Anonymous: only the counts and text of the site's views.
			code2 := w.issueCode(t, "T3")
			if resp, body := w.anon(t, "POST", "/feedback/answers", fullAnswers("en", code2, "anonymous", "")); resp.StatusCode != 200 || !strings.Contains(body, "Thank you") {
				t.Fatalf("anonymous answers: %d", resp.StatusCode)
			}
			_, page = w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10))
			if strings.Count(page, "By herself") != 1 {
				t.Errorf("anonymous answers reached her case")
			}
			_, views := w.get(t, "tia.idvalead", "/victim-views")
			if !strings.Contains(views, "Answers about safety given anonymously: [c]") || !strings.Contains(views, "CANARY-HER-WORDS") {
				t.Errorf("the IDVA service's team leader: %s", views)
			}
			if status, views := w.get(t, "nat.national", "/victim-views"); status != 200 || strings.Contains(views, "CANARY-HER-WORDS") {
				t.Errorf("national: %d, free text shown %v", status, strings.Contains(views, "CANARY-HER-WORDS"))
			}
			for _, name := range []string{"cal.manager", "tom.providerlead", "com.commissioner", "pat.partner"} {
				if status, _ := w.get(t, name, "/victim-views"); status != http.StatusNotFound {
					t.Errorf("%s: /victim-views answers %d", name, status)
				}
			}
			// The API issues codes too: 201 with the code and its expiry,
			// and the code works on the route.
			req, _ := http.NewRequest("POST", w.ts.URL+"/api/v1/victims/"+strconv.FormatInt(w.victimID, 10)+"/feedback-codes", strings.NewReader(`{"time_point":"T1"}`))
			req.Header.Set("Authorization", "Bearer "+w.users["ida.idva"].apiToken)
			req.Header.Set("Content-Type", "application/json")
			apiResp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var issued struct {
				Code      string `json:"code"`
				ExpiresAt string `json:"expires_at"`
			}
			err = json.NewDecoder(apiResp.Body).Decode(&issued)
			apiResp.Body.Close()
			if err != nil || apiResp.StatusCode != http.StatusCreated || issued.Code == "" || issued.ExpiresAt != "2026-12-21T10:00:00Z" {
				t.Fatalf("API code: %d %+v %v", apiResp.StatusCode, issued, err)
			}
			if resp, _ := w.anon(t, "POST", "/feedback", url.Values{"code": {issued.Code}}); resp.StatusCode != 200 {
				t.Errorf("the API's code on the route: %d", resp.StatusCode)
			}

			// Errors on the route stay on its own page, in her language.
			resp, body = w.anon(t, "GET", "/feedback/nothing?lang=cy", nil)
			check("not found", resp, body)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Heb ddod o hyd i&#39;r dudalen") {
				t.Errorf("unknown page under /feedback: %d %s", resp.StatusCode, body)
			}
			// Guessing codes is stopped: after ten wrong codes, even a
			// good code is refused for a while, on whichever replica.
			good := w.issueCode(t, "T1")
			for i := 0; i < voice.CodeGuesses; i++ {
				w.anon(t, "POST", "/feedback", url.Values{"code": {"ABCDE-FGHJ" + string(rune('A'+i))}})
			}
			resp, body = w.anon(t, "POST", "/feedback", url.Values{"code": {good}})
			check("throttled", resp, body)
			if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many tries") {
				t.Errorf("after %d wrong codes: %d", voice.CodeGuesses, resp.StatusCode)
			}
		})
	}
}
