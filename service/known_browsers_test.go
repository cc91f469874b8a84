package service_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestKnownBrowserSparesTheAddress holds, on both engines, the count
// behind the known-browser exemption: failures from a known browser of
// the account count against the name but not the address (two of them
// and nineteen others from the address leave it one short of its limit
// of twenty); a browser's token stops being honoured at the end of its
// lifetime; and an account keeps only its policy's number of browsers.
func TestKnownBrowserSparesTheAddress(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			anon := service.Anonymous(authRemote)
			casey, _ := f.signIn(t, "casey")
			if casey.Browser == "" || casey.BrowserFor != auth.DefaultKnownBrowsers().Lifetime {
				t.Fatalf("a full sign-in gave the browser %q for %v", casey.Browser, casey.BrowserFor)
			}
			for i := 0; i < 2; i++ {
				_, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: "wrong", Code: "000000", Browser: casey.Browser})
				if drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("failure %d from casey's browser: %v", i+1, err)
				}
			}
			limit := auth.DefaultLockout().AddressFailures
			for i := 0; i < limit-1; i++ {
				_, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "guess." + strconv.Itoa(i), Password: "wrong"})
				if drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("guess %d: %v", i+1, err)
				}
			}
			// One short of the limit: an unknown browser still gets in.
			ida, _ := f.signIn(t, "ida")
			// The next failure reaches it.
			if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "guess.last", Password: "wrong"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				t.Fatalf("the twentieth failure: %v", err)
			}
			f.clock.Add(30 * time.Second)
			if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "jo.officer", Password: authPassword, Code: f.code(t)}); drive.ErrorCode(err) != drive.ETOOMANY {
				t.Fatalf("an unknown browser at the limit: %v; want ETOOMANY", err)
			}
			in, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "ida", Password: authPassword, Code: f.code(t), Browser: ida.Browser})
			if err != nil || in.Browser == "" || in.Browser == ida.Browser {
				t.Fatalf("ida's known browser at the limit: %v; want a session and a new token", err)
			}

			// At the end of its lifetime a token is an unknown browser's.
			f.clock.Add(auth.DefaultKnownBrowsers().Lifetime)
			for i := 0; i < limit; i++ {
				f.svc.SignIn(ctx, anon, service.Credentials{Username: "guess." + strconv.Itoa(i), Password: "wrong"})
			}
			f.clock.Add(30 * time.Second)
			if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "ida", Password: authPassword, Code: f.code(t), Browser: in.Browser}); drive.ErrorCode(err) != drive.ETOOMANY {
				t.Fatalf("an expired token during a flood: %v; want ETOOMANY", err)
			}

			// An account keeps PerUser browsers: the least recently used
			// beyond them is forgotten.
			f.clock.Add(16 * time.Minute)
			f.svc.KnownBrowsers = auth.KnownBrowsers{Lifetime: time.Hour, Failures: 3, PerUser: 2}
			var tokens []string
			for i := 0; i < 3; i++ {
				in, _ := f.signIn(t, "jo.officer")
				tokens = append(tokens, in.Browser)
			}
			for i := 0; i < limit; i++ {
				f.svc.SignIn(ctx, anon, service.Credentials{Username: "guess." + strconv.Itoa(i), Password: "wrong"})
			}
			for i, tok := range tokens {
				f.clock.Add(30 * time.Second)
				_, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "jo.officer", Password: authPassword, Code: f.code(t), Browser: tok})
				if want := i > 0; (err == nil) != want {
					t.Errorf("jo's browser %d during a flood: %v; want known %v", i+1, err, want)
				}
			}
		})
	}
}

// TestAdministratorResetForgetsBrowsersAndUnlocks checks an
// administrator's password reset on both engines: it forgets the
// account's known browsers, audited with why, and clears the failures that
// locked the name, so the new password works at once.
func TestAdministratorResetForgetsBrowsersAndUnlocks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			anon := service.Anonymous(authRemote)
			casey, _ := f.signIn(t, "casey")
			for i := 0; i < auth.DefaultLockout().AccountFailures; i++ {
				f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: "wrong", Code: "000000"})
			}
			f.clock.Add(30 * time.Second)
			if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: authPassword, Code: f.code(t)}); drive.ErrorCode(err) != drive.ETOOMANY {
				t.Fatalf("casey after five failures: %v; want locked", err)
			}
			head := f.head(t)
			out, err := f.svc.ChangeAccount(ctx, service.CommandLine(), service.AccountChange{Kind: account.RequestResetPass, UserID: f.users["casey"].ID})
			if err != nil || out.Password == "" {
				t.Fatalf("reset: %v", err)
			}
			var forgotten []audit.Event
			for _, ev := range f.events(t, head) {
				if ev.Action == "signin.browser_forgotten" {
					forgotten = append(forgotten, ev)
				}
			}
			if len(forgotten) != 1 || forgotten[0].RecordID != strconv.FormatInt(f.users["casey"].ID, 10) ||
				!strings.Contains(forgotten[0].Reason, "reset by an administrator") {
				t.Fatalf("browsers forgotten on reset: %+v", forgotten)
			}
			f.clock.Add(30 * time.Second)
			if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: out.Password, Code: f.code(t), Browser: casey.Browser}); err != nil {
				t.Fatalf("the new password straight after the reset: %v", err)
			}
		})
	}
}
