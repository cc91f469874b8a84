package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestReauthThrottledAndAudited guesses the current password on the
// forms that ask for it again, on both engines: every attempt is audited
// (success and failure) without the password, the fifth failure within the
// window locks both forms for that user (even the right password is
// refused), signing in is not locked by it, and the lock ends.
func TestReauthThrottledAndAudited(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			h := newAuthHarness(t, e, true)
			b := h.browser(t)
			if resp, _ := b.signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
				t.Fatalf("sign-in: %d", resp.StatusCode)
			}
			const wrong = "WRONG-PASSWORD-CANARY"
			post := func(path string, form url.Values) int {
				t.Helper()
				form.Set("csrf_token", b.csrf("/account"))
				resp, _ := b.do("POST", path, form, nil)
				return resp.StatusCode
			}
			changeWith := func(current string) url.Values {
				return url.Values{"current_password": {current}, "new_password": {"NEW-PASSWORD-CANARY-long-enough"}, "confirm_password": {"NEW-PASSWORD-CANARY-long-enough"}}
			}
			// Four failures on the two forms between them: refused, not locked.
			for i, path := range []string{"/account/password", "/account/second-factor", "/account/password", "/account/second-factor"} {
				form := changeWith(wrong)
				if strings.HasSuffix(path, "second-factor") {
					form = url.Values{"password": {wrong}}
				}
				if status := post(path, form); status != http.StatusUnprocessableEntity {
					t.Fatalf("failure %d on %s: %d; want 422", i+1, path, status)
				}
			}
			if status := post("/account/password", changeWith(wrong)); status != http.StatusUnprocessableEntity {
				t.Fatalf("fifth failure: %d; want 422", status)
			}
			// Locked: even the right password is not checked.
			if status := post("/account/password", changeWith(testPassword)); status != http.StatusTooManyRequests {
				t.Fatalf("the right password while locked: %d; want 429", status)
			}
			if status := post("/account/second-factor", url.Values{"password": {testPassword}}); status != http.StatusTooManyRequests {
				t.Fatalf("the second-factor form while locked: %d; want 429", status)
			}
			// Signing in has its own budget (a fresh code: codes are single-use).
			h.clock.Add(31 * time.Second)
			if resp, _ := h.browser(t).signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
				t.Fatalf("sign-in while the forms are locked: %d", resp.StatusCode)
			}
			h.clock.Add(16 * time.Minute)
			b = h.browser(t)
			if resp, _ := b.signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
				t.Fatalf("signing in again after the lock: %d", resp.StatusCode)
			}
			if status := post("/account/password", changeWith(testPassword)); status != http.StatusOK {
				t.Fatalf("the right password after the lock ends: %d", status)
			}

			counts := map[string]int{}
			var reasons []string
			err := h.db.View(context.Background(), func(tx *store.Tx) error {
				evs, err := tx.AuditEvents(context.Background(), store.AuditFilter{ActorID: h.user.ID, Limit: 500})
				for _, e := range evs {
					if strings.HasPrefix(e.Action, "reauth.") {
						counts[e.Action+" "+e.Outcome]++
						reasons = append(reasons, e.Reason)
						if e.RecordType != "user" || e.RecordID != strconv.FormatInt(h.user.ID, 10) || e.Remote == "" {
							t.Errorf("re-authentication event %+v does not name the user and address", e)
						}
					}
					for _, field := range []string{e.Reason, e.RecordID, e.Remote, e.ActorRole} {
						if strings.Contains(field, "CANARY") || strings.Contains(field, testPassword) {
							t.Errorf("a password is in the audit log: %+v", e)
						}
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"reauth.failure " + audit.OutcomeFailed: 5, "reauth.throttled " + audit.OutcomeDenied: 2, "reauth.success " + audit.OutcomeOK: 1}
			for k, n := range want {
				if counts[k] != n {
					t.Errorf("%d %q events; want %d (all: %v)", counts[k], k, n, counts)
				}
			}
			joined := strings.Join(reasons, ",")
			if !strings.Contains(joined, "password change") || !strings.Contains(joined, "second factor reset") {
				t.Errorf("the events do not say which form: %v", reasons)
			}
		})
	}
}
