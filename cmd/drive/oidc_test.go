package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// discoveryServer publishes a discovery document naming itself as the
// issuer: enough for drive oidc set to check the issuer it is given.
func discoveryServer(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
			"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestOIDCCommands drives drive oidc set, list, disable, enable and unlink
// against a database: what each prints, what it refuses (an IDVA
// service, a first setting without a secret, an issuer that does not
// answer), that the client secret is never printed, and the audit event
// each change writes.
func TestOIDCCommands(t *testing.T) {
	f := newCLIFixture(t)
	ctx := context.Background()
	idp := discoveryServer(t)
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("CLIENT-SECRET-CANARY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var user *account.User
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		idva := &account.Organisation{Name: "Northmoor IDVA Service", Kind: account.IDVAService}
		if err := tx.CreateOrganisation(ctx, idva); err != nil {
			return err
		}
		orgs, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.Name == "Severnvale Police" {
				user = &account.User{Username: "jo.officer", DisplayName: "Jo Officer", PasswordHash: "x", OrganisationID: o.ID}
			}
		}
		return tx.CreateUser(ctx, user)
	})
	if err != nil {
		t.Fatal(err)
	}
	set := func(extra ...string) (int, string, string) {
		args := append([]string{"--organisation", "severnvale police", "--issuer", idp.URL, "--client-id", "drive",
			"--redirect-url", "https://drive.example.org" + account.OIDCCallbackPath, "--display", "Severnvale Police account",
			"--email-domain", "police.example"}, extra...)
		return f.drive("oidc", "set", args...)
	}

	if code, _, errOut := set(); code == 0 || !strings.Contains(errOut, "--client-secret-file") {
		t.Fatalf("a first setting without a secret: exit %d, %q", code, errOut)
	}
	code, _, errOut := f.drive("oidc", "set", "--organisation", "Northmoor IDVA Service", "--issuer", idp.URL, "--client-id", "drive",
		"--client-secret-file", secretFile, "--redirect-url", "https://drive.example.org"+account.OIDCCallbackPath,
		"--display", "IDVA account", "--email-domain", "idva.example")
	if code == 0 || !strings.Contains(errOut, "IDVA service") {
		t.Fatalf("an IDVA service: exit %d, %q", code, errOut)
	}
	if code, _, errOut := set("--client-secret-file", secretFile, "--issuer", "http://127.0.0.1:1"); code == 0 || !strings.Contains(errOut, "--skip-check") {
		t.Fatalf("an issuer that does not answer: exit %d, %q", code, errOut)
	}
	if code, _, errOut := f.drive("oidc", "set", "--organisation", "Nobody", "--issuer", idp.URL, "--client-id", "drive",
		"--client-secret-file", secretFile, "--redirect-url", "https://drive.example.org"+account.OIDCCallbackPath, "--display", "X",
		"--email-domain", "police.example"); code == 0 || !strings.Contains(errOut, `"Severnvale Police"`) {
		t.Fatalf("an unknown organisation: exit %d, %q", code, errOut)
	}
	if got := f.oidcEvents(t, "oidc."); len(got) != 0 {
		t.Fatalf("refusals wrote %v", got)
	}

	out := f.mustDrive("oidc", "set", "--organisation", "severnvale police", "--issuer", idp.URL, "--client-id", "drive",
		"--client-secret-file", secretFile, "--redirect-url", "https://drive.example.org"+account.OIDCCallbackPath,
		"--display", "Severnvale Police account", "--email-domain", "police.example", "--mfa-amr", "mfa")
	for _, want := range []string{"is switched on", "Register this redirect URI", "police.example", "an amr of mfa"} {
		if !strings.Contains(out, want) {
			t.Errorf("oidc set printed %q; want %q", out, want)
		}
	}
	// Again without the secret: the stored one is kept.
	if code, out, errOut := set("--skip-check", "--disabled"); code != 0 || !strings.Contains(out, "switched off") {
		t.Fatalf("oidc set keeping the secret: exit %d, %q %q", code, out, errOut)
	}
	err = f.db.View(ctx, func(tx *store.Tx) error {
		cfg, err := tx.OrganisationOIDC(ctx, user.OrganisationID)
		if err == nil && (cfg.ClientSecret != "CLIENT-SECRET-CANARY" || cfg.Enabled) {
			t.Errorf("stored settings: enabled %v, secret kept %v", cfg.Enabled, cfg.ClientSecret == "CLIENT-SECRET-CANARY")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out = f.mustDrive("oidc", "list")
	if !strings.Contains(out, "Severnvale Police") || !strings.Contains(out, idp.URL) || strings.Contains(out, "CANARY") {
		t.Fatalf("oidc list: %q", out)
	}
	if out := f.mustDrive("oidc", "enable", "--organisation", "Severnvale Police"); !strings.Contains(out, "can sign in") {
		t.Fatalf("oidc enable: %q", out)
	}
	if out := f.mustDrive("oidc", "disable", "--organisation", "Severnvale Police"); !strings.Contains(out, "can no longer sign in") {
		t.Fatalf("oidc disable: %q", out)
	}
	if code, _, errOut := f.drive("oidc", "enable", "--organisation", "Northmoor Drive Service"); code == 0 || !strings.Contains(errOut, "no sign-in settings") {
		t.Fatalf("enabling without settings: exit %d, %q", code, errOut)
	}
	if code, _, errOut := f.drive("oidc", "unlink", "--username", "jo.officer", "--organisation", "Severnvale Police"); code == 0 || !strings.Contains(errOut, "has not signed in") {
		t.Fatalf("unlinking a user with no link: exit %d, %q", code, errOut)
	}
	if err := f.db.Transact(ctx, func(tx *store.Tx) error { return tx.LinkOIDCSubject(ctx, user.ID, user.OrganisationID, "sub-1") }); err != nil {
		t.Fatal(err)
	}
	if out := f.mustDrive("oidc", "unlink", "--username", "Jo.Officer", "--organisation", "Severnvale Police"); !strings.Contains(out, "Forgot jo.officer's provider account") {
		t.Fatalf("oidc unlink: %q", out)
	}
	want := []string{"oidc.configure", "oidc.configure", "oidc.enable", "oidc.disable", "oidc.unlink"}
	if got := f.oidcEvents(t, "oidc."); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("audit events %v; want %v", got, want)
	}
}

// oidcEvents returns the actions of the command line's audit events whose
// action starts with prefix, oldest first, checking each was written as
// the system from the command line.
func (f *cliFixture) oidcEvents(t *testing.T, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := f.db.View(ctx, func(tx *store.Tx) error {
		es, err := tx.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
		for i := len(es) - 1; i >= 0; i-- {
			e := es[i]
			if !strings.HasPrefix(e.Action, prefix) {
				continue
			}
			if e.Remote != "cli" || e.ActorRole != "system" || e.ActorID != 0 {
				t.Errorf("%s: remote %q role %q actor %d", e.Action, e.Remote, e.ActorRole, e.ActorID)
			}
			out = append(out, e.Action)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
