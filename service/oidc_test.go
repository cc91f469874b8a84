package service_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// testProvider is a small OpenID Connect provider: discovery, one RS256
// key, and a token endpoint that answers a code the test granted with an
// ID token of the claims the test chose. The authorisation step (the
// person signing in at the provider) is played by the test itself.
type testProvider struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	client string

	mu     sync.Mutex
	grants map[string]map[string]any
}

func newTestProvider(t *testing.T) *testProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testProvider{key: key, client: "drive", grants: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := p.srv.URL
		json.NewEncoder(w).Encode(map[string]any{"issuer": base, "authorization_endpoint": base + "/authorize",
			"token_endpoint": base + "/token", "jwks_uri": base + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		claims, ok := p.grants[r.PostFormValue("code")]
		delete(p.grants, r.PostFormValue("code"))
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok || r.PostFormValue("code_verifier") == "" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": p.sign(t, claims)})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// sign makes a signed ID token of claims.
func (p *testProvider) sign(t *testing.T, claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Error(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// settings are sign-in settings for org at this provider.
func (p *testProvider) settings(org string, domain string, mfa ...string) service.OIDCSettings {
	return service.OIDCSettings{Organisation: org, Config: account.OIDCConfig{Issuer: p.srv.URL, ClientID: p.client, ClientSecret: "CLIENT-SECRET",
		RedirectURL: "https://drive.example.org" + account.OIDCCallbackPath, DisplayName: org + " account", Enabled: true,
		UsernameClaim: account.ClaimEmail, EmailDomains: []string{domain}, MFAMethods: mfa}}
}

// oidcSignIn starts a sign-in at organisation org, lets the provider sign
// the person with sub and email in (with amr), and finishes it in the
// browser holding the binding (or another, when binding is given).
func (f *authFixture) oidcSignIn(t *testing.T, p *testProvider, org int64, sub, email string, amr []string, binding ...string) (*service.OIDCFinish, error) {
	t.Helper()
	ctx := context.Background()
	anon := service.Anonymous(authRemote)
	start, err := f.svc.StartOIDC(ctx, anon, org)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	u, err := url.Parse(start.URL)
	if err != nil || !strings.HasPrefix(start.URL, p.srv.URL+"/authorize?") {
		t.Fatalf("start sends the browser to %s", start.URL)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Fatalf("authorisation request %v", q)
	}
	now := f.clock.Now()
	code := "code-" + sub + "-" + q.Get("state")[:8]
	p.mu.Lock()
	p.grants[code] = map[string]any{"iss": p.srv.URL, "aud": p.client, "sub": sub, "email": email, "email_verified": true, "amr": amr,
		"nonce": q.Get("nonce"), "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	p.mu.Unlock()
	b := start.Binding
	if len(binding) > 0 {
		b = binding[0]
	}
	cb := service.OIDCCallback{State: q.Get("state"), Code: code, Binding: b}
	fin, err := f.svc.FinishOIDC(ctx, anon, cb)
	if err == nil {
		// A state is spent once, whatever happened.
		var ref *service.OIDCRefusal
		if _, again := f.svc.FinishOIDC(ctx, anon, cb); !errors.As(again, &ref) || ref.Reason != "state unknown or already used" {
			t.Errorf("the state used again: %v", again)
		}
	}
	return fin, err
}

// refusedFor checks err is a refusal whose reason holds want, and that it
// was audited.
func (f *authFixture) refusedFor(t *testing.T, err error, want string) {
	t.Helper()
	var ref *service.OIDCRefusal
	if !errors.As(err, &ref) || !strings.Contains(ref.Reason, want) {
		t.Fatalf("got %v; want a refusal for %q", err, want)
	}
	es := f.events(t, f.head(t)-1)
	if len(es) != 1 || es[0].Action != "signin.failure" || es[0].Reason != "oidc: "+ref.Reason {
		t.Fatalf("the refusal was audited as %+v", es)
	}
}

// TestOIDC checks sign-in through an organisation's provider on both
// engines: settings are stored only by a national administrator and never
// for an IDVA service; a person the provider vouched for with a trusted
// second factor gets a full session and their account is linked; a state
// is spent once and only in the browser that started it; without a
// trusted second factor Drive's own code is asked for, throttled per
// sign-in; an IDVA service's account is refused even when its provider is
// configured behind the command line's back.
func TestOIDC(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			p := newTestProvider(t)
			cli := service.CommandLine()
			police := f.orgs["police"]

			f.refusedFor(t, func() error { _, err := f.svc.StartOIDC(ctx, service.Anonymous(authRemote), 0); return err }(), "no such organisation")
			f.refusedFor(t, func() error { _, err := f.svc.StartOIDC(ctx, service.Anonymous(authRemote), police.ID); return err }(), "no enabled provider")

			_, c := f.signIn(t, "casey")
			if _, _, err := f.svc.SetOIDC(ctx, c.Actor, p.settings(police.Name, "police.example", "mfa")); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a case manager configuring sign-in: %v", err)
			}
			if _, _, err := f.svc.SetOIDC(ctx, cli, p.settings(f.orgs["idva"].Name, "idva.example", "mfa")); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("an IDVA service's provider: %v", err)
			}
			head := f.head(t)
			org, cfg, err := f.svc.SetOIDC(ctx, cli, p.settings(strings.ToUpper(police.Name), "police.example", "mfa"))
			if err != nil || org.ID != police.ID || cfg.ClientSecret != "" {
				t.Fatalf("configuring: %+v %+v %v", org, cfg, err)
			}
			if got := actions(f.events(t, head)); got != "oidc.configure/ok" {
				t.Fatalf("configuring audited as %s", got)
			}
			list, err := f.svc.OIDCSettingsList(ctx, cli)
			if err != nil || len(list) != 1 || list[0].Organisation != police.Name || list[0].Config.ClientSecret != "" {
				t.Fatalf("settings listed: %+v %v", list, err)
			}
			if signins, err := f.svc.OIDCSignins(ctx); err != nil || len(signins) != 1 || signins[0].OrganisationID != police.ID {
				t.Fatalf("sign-in page list: %+v %v", signins, err)
			}

			// A trusted second factor at the provider: a full session,
			// and the account linked to the provider's subject.
			head = f.head(t)
			fin, err := f.oidcSignIn(t, p, police.ID, "sub-jo", "jo.officer@police.example", []string{"pwd", "mfa"})
			if err != nil || fin.SignedIn == nil || fin.SignedIn.Session.Stage != account.StageFull || fin.SignedIn.User.ID != f.users["jo.officer"].ID {
				t.Fatalf("sign-in with the provider's second factor: %+v %v", fin, err)
			}
			if c, _ := f.svc.SessionActor(ctx, fin.SignedIn.Token, authRemote); c == nil || c.User.ID != f.users["jo.officer"].ID {
				t.Fatal("the session does not work")
			}
			es := f.events(t, head)
			// (The second event is oidcSignIn using the state again.)
			if len(es) != 2 || es[0].Action != "signin.success" || !strings.Contains(es[0].Reason, "multi-factor") || strings.Contains(es[0].Reason, "police.example") ||
				es[1].Reason != "oidc: state unknown or already used" {
				t.Fatalf("audited as %+v", es)
			}
			// Linked: a later sign-in with another address still finds jo.
			if fin, err := f.oidcSignIn(t, p, police.ID, "sub-jo", "renamed@police.example", []string{"mfa"}); err != nil || fin.SignedIn.User.ID != f.users["jo.officer"].ID {
				t.Fatalf("a linked sign-in: %+v %v", fin, err)
			}

			_, err = f.oidcSignIn(t, p, police.ID, "sub-jo", "jo.officer@police.example", []string{"mfa"}, "drv_o_another-browser")
			f.refusedFor(t, err, "another browser")
			_, err = f.oidcSignIn(t, p, police.ID, "sub-stranger", "stranger@police.example", []string{"mfa"})
			f.refusedFor(t, err, "no Drive user has the username")

			// No trusted second factor: Drive's own code is needed.
			fin, err = f.oidcSignIn(t, p, police.ID, "sub-jo", "jo.officer@police.example", []string{"pwd"})
			if err != nil || fin.SignedIn != nil || fin.Binding == "" || !strings.EqualFold(fin.Organisation, police.Name+" account") {
				t.Fatalf("sign-in without the provider's second factor: %+v %v", fin, err)
			}
			if label, waiting, err := f.svc.OIDCWaiting(ctx, fin.Binding); !waiting || label != fin.Organisation || err != nil {
				t.Fatalf("waiting: %q %v %v", label, waiting, err)
			}
			if _, waiting, _ := f.svc.OIDCWaiting(ctx, "drv_o_another-browser"); waiting {
				t.Fatal("another browser is waiting")
			}
			anon := service.Anonymous(authRemote)
			var de *drive.Error
			if _, _, err := f.svc.OIDCSecondFactor(ctx, anon, service.OIDCCode{Binding: fin.Binding, Code: f.code(t), FormExpired: true}); drive.ErrorCode(err) != drive.EINVALID || !errors.As(err, &de) || len(de.Fields) != 0 {
				t.Fatalf("an expired form: %v", err)
			}
			if _, _, err := f.svc.OIDCSecondFactor(ctx, anon, service.OIDCCode{Binding: fin.Binding, Code: " "}); drive.ErrorCode(err) != drive.EINVALID || !errors.As(err, &de) || de.Fields["code"] == "" {
				t.Fatalf("no code: %v", err)
			}
			head = f.head(t)
			if _, _, err := f.svc.OIDCSecondFactor(ctx, anon, service.OIDCCode{Binding: fin.Binding, Code: "000000"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				t.Fatalf("a wrong code: %v", err)
			}
			f.clock.Add(30 * time.Second)
			label, in, err := f.svc.OIDCSecondFactor(ctx, anon, service.OIDCCode{Binding: fin.Binding, Code: f.code(t)})
			if err != nil || in == nil || in.Session.Stage != account.StageFull || label != fin.Organisation {
				t.Fatalf("the right code: %+v %v", in, err)
			}
			if got := actions(f.events(t, head)); got != "signin.failure/failed signin.success/ok" {
				t.Fatalf("the code form audited as %s", got)
			}
			if _, waiting, _ := f.svc.OIDCWaiting(ctx, fin.Binding); waiting {
				t.Fatal("the sign-in still waits after it finished")
			}
			_, _, err = f.svc.OIDCSecondFactor(ctx, anon, service.OIDCCode{Binding: fin.Binding, Code: f.code(t)})
			f.refusedFor(t, err, "no sign-in waiting")

			// Five wrong codes end a waiting sign-in.
			f.clock.Add(16 * time.Minute)
			fin, err = f.oidcSignIn(t, p, police.ID, "sub-jo", "jo.officer@police.example", nil)
			if err != nil || fin.SignedIn != nil {
				t.Fatalf("%+v %v", fin, err)
			}
			for i := 0; i < 4; i++ {
				if _, _, err := f.svc.OIDCSecondFactor(ctx, anon, service.OIDCCode{Binding: fin.Binding, Code: "000000"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("wrong code %d: %v", i, err)
				}
			}
			_, _, err = f.svc.OIDCSecondFactor(ctx, anon, service.OIDCCode{Binding: fin.Binding, Code: "000000"})
			f.refusedFor(t, err, "too many wrong security codes")

			// An IDVA service's provider, stored without the command
			// line's check: its staff are still refused.
			idva := f.orgs["idva"]
			err = f.db.Transact(ctx, func(tx *store.Tx) error {
				s := p.settings(idva.Name, "idva.example", "mfa").Config
				s.OrganisationID = idva.ID
				return tx.SetOrganisationOIDC(ctx, &s)
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.oidcSignIn(t, p, idva.ID, "sub-ida", "ida@idva.example", []string{"mfa"})
			f.refusedFor(t, err, "IDVA service")

			// Switched off: no new sign-in starts.
			if _, err := f.svc.SetOIDCEnabled(ctx, cli, police.Name, false); err != nil {
				t.Fatal(err)
			}
			f.refusedFor(t, func() error { _, err := f.svc.StartOIDC(ctx, anon, police.ID); return err }(), "no enabled provider")
			u, err := f.svc.UnlinkOIDC(ctx, cli, "JO.OFFICER", police.Name)
			if err != nil || u.ID != f.users["jo.officer"].ID {
				t.Fatalf("unlink: %+v %v", u, err)
			}
			if _, err := f.svc.UnlinkOIDC(ctx, cli, "jo.officer", police.Name); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("unlinking twice: %v", err)
			}
			if _, err := f.svc.UnlinkOIDC(ctx, c.Actor, "jo.officer", police.Name); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a case manager unlinking: %v", err)
			}
		})
	}
}
