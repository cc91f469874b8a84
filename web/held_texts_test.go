package web

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// Her real protected values, as a probing writer would try them, and near
// misses that are not hers. The wall's victim-survivor is Sam Example of
// 12 Canaryline Crescent, Northmoor, CN9 9QZ (newWall).
var (
	revealing = []string{
		"She lives at 12 Canaryline Crescent now", "Canaryline Crescent", "canaryline cres", "Canaryline, Northmoor",
		"CN9 9QZ", "cn99qz", "07700 900917", "+44 7700 900917", "canary.victim@example.org", "Canary Refuge House",
		"Canary Works Ltd", "Canary Surgery", "Canary Brook Primary", "CANARY-SAFE-TIME weekdays",
		"said CANARY-SAFETY-PLAN: code word agreed", "Sam Example",
	}
	nearMisses = []string{
		"Canaryline Close", "CN9 9QY", "07700 900918", "canary.victim@example.com", "Canary Refuge Home",
		"Canary Brook Secondary", "Sam Sample", "Bail conditions reviewed with police",
	}
)

// answer is what a writer can observe of one write: the status, the body
// with the text itself and record numbers taken out, and the audit events
// written as them.
type answer struct {
	status int
	body   string
	events string
}

var digitsRE = regexp.MustCompile(`[0-9]+`)

func (w *wall) since(t *testing.T, user string, seq int64) string {
	t.Helper()
	var out []string
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEvents(context.Background(), store.AuditFilter{ActorID: w.users[user].user.ID, Limit: 50})
		for i := len(es) - 1; i >= 0; i-- {
			if e := es[i]; e.Seq > seq {
				out = append(out, strings.Join([]string{e.Action, e.ActorRole, e.RecordType, e.Outcome, e.Reason, strconv.FormatInt(e.SiteID, 10)}, "|"))
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

func (w *wall) head(t *testing.T) int64 {
	t.Helper()
	var seq int64
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEvents(context.Background(), store.AuditFilter{Limit: 1})
		if len(es) > 0 {
			seq = es[0].Seq
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// unescapePlus undoes html/template's escaping of "+", which
// html.EscapeString leaves alone.
func unescapePlus(s string) string { return strings.ReplaceAll(s, "&#43;", "+") }

// call sends a JSON API request with the user's token.
func (w *wall) call(t *testing.T, name, method, path string, body any) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, w.ts.URL+"/api/v1"+path, strings.NewReader(string(mustJSON(body))))
	req.Header.Set("Authorization", "Bearer "+w.users[name].apiToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// linkedCase opens another active case for the wall's perpetrator,
// allocated to the case manager and linked to her, for writes that move a
// case on (one case per write).
func (w *wall) linkedCase(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		old, err := tx.Case(ctx, w.caseID)
		if err != nil {
			return err
		}
		c := &casework.Case{SiteID: old.SiteID, PersonID: w.personID, Programme: "drive", Source: casework.FromMARAC,
			ReferredAt: drive.DateOf(tx.Now), Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		at := tx.Now
		c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", old.DecidedBy, &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = old.CaseManagerID, &at, &at
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		id = c.ID
		return tx.LinkVictim(ctx, victim.Link{VictimCaseID: w.victimID, PerpetratorCase: c.ID, Relationship: victim.ExPartner})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestFreeTextScreenIsNoOracle writes her real protected details and near
// misses through every free-text route, on pages and the API, as the case
// manager and the provider's team leader, and finds every answer the same
// in status, body and audit; then checks that other perpetrator-side
// readers see the matching texts withheld, their author sees them as
// written, and her IDVA has them to review.
func TestFreeTextScreenIsNoOracle(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			// Hundreds of writes from one user: the rate limit has its own test.
			w.srv.svc.TextLimit = 10000
			// Each writer writes on a case of their own, so that what one
			// reads of the other's writing is clear.
			caseOf := map[string]string{"cal.manager": strconv.FormatInt(w.caseID, 10), "tom.providerlead": strconv.FormatInt(w.linkedCase(t), 10)}
			cid, cpath := caseOf["cal.manager"], "/cases/"+caseOf["cal.manager"]
			actionType := programme.Drive().Actions[0].Code
			today := "2026-11-23"
			closure := programme.Drive().Closure[0].Code
			actionID := func(t *testing.T, user string) string {
				// An action of the writer's own, for the update routes.
				st, body := w.call(t, user, "POST", "/cases/"+caseOf[user]+"/actions", map[string]any{"type": actionType, "owner": "PC Ellis", "due_on": "2026-12-20"})
				if st != 201 && st != 200 {
					t.Fatalf("action for updates: %d %s", st, body)
				}
				var a struct{ ID int64 }
				_ = json.Unmarshal([]byte(body), &a)
				return strconv.FormatInt(a.ID, 10)
			}
			type route struct {
				name string
				send func(t *testing.T, user, text string) (int, string)
			}
			routes := []route{
				{"page note", func(t *testing.T, u, text string) (int, string) {
					return w.post(t, u, "/cases/"+caseOf[u]+"/notes", url.Values{"text": {text}})
				}},
				{"page contact", func(t *testing.T, u, text string) (int, string) {
					return w.post(t, u, "/cases/"+caseOf[u]+"/contacts", url.Values{"kind": {"contact"}, "method": {"in person"}, "contact_summary": {text}, "contact_on": {today}})
				}},
				{"page action", func(t *testing.T, u, text string) (int, string) {
					return w.post(t, u, "/cases/"+caseOf[u]+"/actions", url.Values{"type": {actionType}, "agency": {"Police"}, "owner": {text}, "due_on": {"2026-12-20"}})
				}},
				{"page action outcome", func(t *testing.T, u, text string) (int, string) {
					return w.post(t, u, "/cases/"+caseOf[u]+"/action-status", url.Values{"action": {actionID(t, u)}, "status": {"in_progress"}, "outcome": {text}})
				}},
				{"page review", func(t *testing.T, u, text string) (int, string) {
					return w.post(t, u, "/cases/"+caseOf[u]+"/reviews", url.Values{"risk_level": {"high"}, "risk_change": {"unchanged"}, "review_summary": {text}, "review_on": {today}})
				}},
				{"page transition", func(t *testing.T, u, text string) (int, string) {
					id := strconv.FormatInt(w.linkedCase(t), 10)
					return w.post(t, u, "/cases/"+id+"/move", url.Values{"event": {"begin_closure"}, "closure_reason": {closure}, "reasons": {text}})
				}},
				{"API note", func(t *testing.T, u, text string) (int, string) {
					return w.call(t, u, "POST", "/cases/"+caseOf[u]+"/notes", map[string]any{"text": text})
				}},
				{"API contact", func(t *testing.T, u, text string) (int, string) {
					return w.call(t, u, "POST", "/cases/"+caseOf[u]+"/contacts", map[string]any{"kind": "contact", "on": today, "method": "phone", "summary": text})
				}},
				{"API action", func(t *testing.T, u, text string) (int, string) {
					return w.call(t, u, "POST", "/cases/"+caseOf[u]+"/actions", map[string]any{"type": actionType, "owner": "PC Ellis", "agency": text, "due_on": "2026-12-20"})
				}},
				{"API action outcome", func(t *testing.T, u, text string) (int, string) {
					return w.call(t, u, "POST", "/cases/"+caseOf[u]+"/actions/"+actionID(t, u), map[string]any{"status": "done", "outcome": text})
				}},
				{"API review", func(t *testing.T, u, text string) (int, string) {
					return w.call(t, u, "POST", "/cases/"+caseOf[u]+"/reviews", map[string]any{"on": today, "risk_level": "high", "risk_change": "reduced", "summary": text})
				}},
				{"API transition", func(t *testing.T, u, text string) (int, string) {
					id := strconv.FormatInt(w.linkedCase(t), 10)
					return w.call(t, u, "POST", "/cases/"+id+"/transitions", map[string]any{"event": "begin_closure", "closure_reason": closure, "reasons": text})
				}},
			}
			writers := []string{"cal.manager", "tom.providerlead"}
			for _, writer := range writers {
				for _, rt := range routes {
					var first *answer
					for _, text := range append(append([]string{}, nearMisses...), revealing...) {
						seq := w.head(t)
						status, body := rt.send(t, writer, text)
						for _, form := range []string{text, html.EscapeString(text), strings.Trim(string(mustJSON(text)), `"`)} {
							body = strings.ReplaceAll(body, form, "TEXT")
						}
						got := answer{status, digitsRE.ReplaceAllString(body, "N"), w.since(t, writer, seq)}
						if got.status >= 400 {
							t.Fatalf("%s by %s, %q: status %d: %s", rt.name, writer, text, got.status, body)
						}
						if first == nil {
							first = &got
							continue
						}
						if got != *first {
							t.Fatalf("%s by %s: %q answered differently from %q:\n%+v\n%+v", rt.name, writer, text, nearMisses[0], got, *first)
						}
					}
				}
			}

			// Every other reader on the perpetrator side sees the matching
			// texts withheld; the author sees them as written.
			_, mine := w.get(t, "cal.manager", cpath+"/timeline")
			_, leads := w.get(t, "tom.providerlead", cpath+"/timeline")
			mine, leads = unescapePlus(mine), unescapePlus(leads)
			_, leadsAPI := w.get(t, "tom.providerlead", "/api/v1/cases/"+cid+"/notes")
			for _, text := range revealing {
				esc := html.EscapeString(text)
				if !strings.Contains(mine, esc) {
					t.Errorf("the case manager does not see his own text %q as written", text)
				}
				if strings.Contains(strings.ToLower(leads), strings.ToLower(esc)) || strings.Contains(strings.ToLower(leadsAPI), strings.ToLower(text)) {
					t.Errorf("the provider team leader sees the case manager's %q", text)
				}
			}
			if !strings.Contains(leads, html.EscapeString(victim.WithheldText)) || !strings.Contains(leadsAPI, victim.WithheldText) {
				t.Error("the provider team leader is not told the texts are withheld")
			}
			if !strings.Contains(leads, "Bail conditions reviewed with police") {
				t.Error("an ordinary note is withheld from the team leader")
			}
			// A partner and the IDVA reading the perpetrator's case do not see it either.
			for _, name := range []string{"ida.idva", "pat.partner", "cat.othermanager"} {
				_, body := w.get(t, name, cpath+"/timeline")
				if strings.Contains(body, "Canaryline Crescent now") {
					t.Errorf("%s reads a held text on the perpetrator's case", name)
				}
			}

			// Her IDVA has every held text to review, and none of the near
			// misses; the IDVA service's team leader too.
			vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)
			for _, name := range []string{"ida.idva", "tia.idvalead"} {
				_, page := w.get(t, name, vpath+"/protected")
				page = unescapePlus(page)
				held := page[strings.Index(page, `id="held"`):strings.Index(page, `id="safety-plan"`)]
				for _, text := range revealing {
					if !strings.Contains(held, html.EscapeString(text)) {
						t.Errorf("%s: %q is not raised for review", name, text)
					}
				}
				for _, text := range nearMisses {
					if strings.Contains(held, html.EscapeString(text)) {
						t.Errorf("%s: the near miss %q is raised for review", name, text)
					}
				}
			}

			// She releases one: the team leader then sees it; she keeps
			// another back. Both are audited.
			var views []service.HeldView
			v, err := w.srv.svc.Victim(context.Background(), w.actor("ida.idva"), w.victimID)
			if err != nil {
				t.Fatal(err)
			}
			views = v.Held
			var release, keep *service.HeldView
			for i := range views {
				switch {
				case views[i].RecordType == victim.HeldNote && views[i].Text == "Canary Surgery" && views[i].AuthorID == w.users["cal.manager"].user.ID:
					release = &views[i]
				case views[i].RecordType == victim.HeldNote && views[i].Text == "cn99qz" && views[i].AuthorID == w.users["cal.manager"].user.ID:
					keep = &views[i]
				}
			}
			if release == nil || keep == nil {
				t.Fatal("held notes not found for review")
			}
			if st, _ := w.post(t, "cal.manager", vpath+"/held", url.Values{"held": {strconv.FormatInt(release.ID, 10)}, "decision": {"released"}}); st != 404 {
				t.Fatalf("the case manager reviews a held text: %d", st)
			}
			if st, body := w.post(t, "ida.idva", vpath+"/held", url.Values{"held": {strconv.FormatInt(release.ID, 10)}, "decision": {"released"}}); st != 303 {
				t.Fatalf("release: %d %s", st, body)
			}
			if st, _ := w.post(t, "ida.idva", vpath+"/held", url.Values{"held": {strconv.FormatInt(keep.ID, 10)}, "decision": {"kept"}}); st != 303 {
				t.Fatalf("keep: %d", st)
			}
			_, leads = w.get(t, "tom.providerlead", cpath+"/timeline")
			leads = unescapePlus(leads)
			if !strings.Contains(leads, "Canary Surgery") || strings.Contains(leads, "cn99qz") {
				t.Error("after review the team leader should see the released text and not the kept one")
			}
			var actions []string
			_ = w.db.View(context.Background(), func(tx *store.Tx) error {
				es, err := tx.AuditEvents(context.Background(), store.AuditFilter{RecordType: "held_text", Limit: 1000})
				for _, e := range es {
					actions = append(actions, e.Action)
				}
				return err
			})
			joined := strings.Join(actions, " ")
			for _, want := range []string{service.ActionTextHeld, service.ActionTextReleased, service.ActionTextKept} {
				if !strings.Contains(joined, want) {
					t.Errorf("no %s audit event", want)
				}
			}
			// So many held writes by one user alerted the data protection officer.
			var alerts int
			_ = w.db.View(context.Background(), func(tx *store.Tx) error {
				as, err := tx.Alerts(context.Background(), nil, true, 500)
				for _, a := range as {
					if a.Kind == service.AlertHeldBurst && a.UserID == w.users["cal.manager"].user.ID {
						alerts++
					}
				}
				return err
			})
			if alerts == 0 {
				t.Error("a burst of held writes did not alert the data protection officer")
			}
		})
	}
}

// TestFreeTextRateLimit: past the limit every free-text write is refused
// alike, whatever it says, and nothing is stored.
func TestFreeTextRateLimit(t *testing.T) {
	w := newWall(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
	for i := 0; i < service.MaxTextWrites; i++ {
		if st, _ := w.post(t, "cal.manager", cpath+"/notes", url.Values{"text": {"Routine note " + strconv.Itoa(i)}}); st != 303 {
			t.Fatalf("note %d: %d", i, st)
		}
	}
	st1, b1 := w.post(t, "cal.manager", cpath+"/notes", url.Values{"text": {"One more ordinary note"}})
	st2, b2 := w.post(t, "cal.manager", cpath+"/notes", url.Values{"text": {"12 Canaryline Crescent"}})
	if st1 != 429 || st2 != 429 || strings.ReplaceAll(b1, "One more ordinary note", "T") != strings.ReplaceAll(b2, "12 Canaryline Crescent", "T") {
		t.Fatalf("past the limit: %d and %d; want the same 429", st1, st2)
	}
	_, page := w.get(t, "cal.manager", cpath+"/timeline")
	if strings.Contains(page, "One more ordinary note") {
		t.Error("a refused note was stored")
	}
}

// TestHeldTextsCountedOnHerList: her IDVA's list says how many texts wait
// for her review.
func TestHeldTextsCountedOnHerList(t *testing.T) {
	w := newWall(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
	for _, text := range []string{"Seen near Canaryline Crescent", "Canary Surgery again", "Routine note"} {
		if st, _ := w.post(t, "cal.manager", cpath+"/notes", url.Values{"text": {text}}); st != 303 {
			t.Fatalf("note: %d", st)
		}
	}
	if _, body := w.get(t, "ida.idva", "/victims"); !strings.Contains(body, "2 held texts to review") {
		t.Error("her IDVA's list does not count the held texts")
	}
	if _, body := w.get(t, "ivy.otheridva", "/victims?all=1"); strings.Contains(body, "to review") {
		t.Error("another IDVA is told of held texts on a case not hers")
	}
}

// BenchmarkHeldTextWrite times a note that the screen holds back against
// one it lets through, through the whole HTTP stack on SQLite, written in
// turn on the same case; it reports the median and 95th percentile of
// each, which must not differ by more than noise.
//
//	go test ./web -run '^$' -bench BenchmarkHeldTextWrite -benchtime 400x
func BenchmarkHeldTextWrite(b *testing.B) {
	w := newWall(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	w.srv.svc.TextLimit = 1 << 30
	path := "/cases/" + strconv.FormatInt(w.caseID, 10) + "/notes"
	u := w.users["cal.manager"]
	send := func(text string) time.Duration {
		form := url.Values{"text": {text}, "csrf_token": {u.csrf}}
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "drive_session="+u.session)
		req.Header.Set("Origin", "http://example.com")
		req.Host = "example.com"
		rec := httptest.NewRecorder()
		start := time.Now()
		w.srv.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("status %d", rec.Code)
		}
		return d
	}
	var held, plain []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			held = append(held, send("Seen outside 12 Canaryline Crescent again, visit "+strconv.Itoa(i)))
		} else {
			plain = append(plain, send("Seen outside the probation office again, visit "+strconv.Itoa(i)))
		}
	}
	b.StopTimer()
	for name, ds := range map[string][]time.Duration{"held": held, "plain": plain} {
		if len(ds) == 0 {
			continue
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, name+"-p95-ms")
	}
}
