package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/store"
)

var tokenLine = regexp.MustCompile(`^drv_t_[A-Za-z0-9_-]{43}\n$`)

func newTokenFixture(t *testing.T) *cliFixture {
	f := newCLIFixture(t)
	f.mustDrive("user", "add", "--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "Northmoor Drive Service", "--role", "analyst@NMR")
	f.mustDrive("user", "add", "--username", "sam", "--name", "Sam Other", "--organisation", "Northmoor Drive Service", "--role", "analyst@NMR")
	f.mustDrive("user", "add", "--username", "gone", "--name", "Gone Away", "--organisation", "Northmoor Drive Service", "--role", "analyst@NMR")
	f.mustDrive("user", "disable", "--username", "gone")
	// An IDVA in an IDVA service: the victim side of the wall.
	err := f.db.Transact(context.Background(), func(tx *store.Tx) error {
		org := &account.Organisation{Name: "Northmoor IDVA Service", Kind: account.IDVAService}
		if err := tx.CreateOrganisation(context.Background(), org); err != nil {
			return err
		}
		return tx.CreateUser(context.Background(), &account.User{Username: "ida.idva", DisplayName: "Ida IDVA", OrganisationID: org.ID, PasswordHash: "x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *cliFixture) tokenByValue(token string) *account.APIToken {
	f.t.Helper()
	ctx := context.Background()
	var t *account.APIToken
	if err := f.db.View(ctx, func(tx *store.Tx) error {
		var err error
		t, err = tx.APITokenByHash(ctx, auth.HashToken(token))
		return err
	}); err != nil {
		f.t.Fatalf("token by hash: %v", err)
	}
	return t
}

func TestTokenCreate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		ttl    time.Duration
		label  string
		stderr string
	}{
		{name: "default", args: []string{"--user", "jo.bloggs"}, ttl: 24 * time.Hour, label: "token"},
		{name: "hours and name", args: []string{"--user", "Jo.Bloggs", "--ttl", "1h", "--name", "nightly export"}, ttl: time.Hour, label: "nightly export"},
		{name: "days", args: []string{"--user", "jo.bloggs", "--ttl", "30d"}, ttl: 30 * 24 * time.Hour, label: "token"},
		{name: "a year", args: []string{"--user", "jo.bloggs", "--ttl", "365d"}, ttl: 365 * 24 * time.Hour, label: "token"},

		{name: "disabled user", args: []string{"--user", "gone"}, code: 1, stderr: "gone is disabled"},
		{name: "victim-side account", args: []string{"--user", "ida.idva"}, code: 1, stderr: "not issued from the command line"},
		{name: "unknown user", args: []string{"--user", "nobody"}, code: 1, stderr: `no user "nobody"`},
		{name: "over a year", args: []string{"--user", "jo.bloggs", "--ttl", "366d"}, code: 2, stderr: "at most 365d"},
		{name: "over a year in hours", args: []string{"--user", "jo.bloggs", "--ttl", "8761h"}, code: 2, stderr: "at most 365d"},
		{name: "zero", args: []string{"--user", "jo.bloggs", "--ttl", "0s"}, code: 2},
		{name: "negative", args: []string{"--user", "jo.bloggs", "--ttl", "-1h"}, code: 2},
		{name: "nonsense", args: []string{"--user", "jo.bloggs", "--ttl", "soon"}, code: 2},
		{name: "name with line break", args: []string{"--user", "jo.bloggs", "--name", "a\nb"}, code: 2},
		{name: "no user", args: nil, code: 2, stderr: "--user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTokenFixture(t)
			before := f.state()
			start := time.Now()
			code, out, errOut := f.drive("token", "create", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errOut)
			}
			if tc.code != 0 {
				if out != "" {
					t.Errorf("stdout = %q, want nothing", out)
				}
				if after := f.state(); !reflect.DeepEqual(before, after) {
					t.Errorf("refused command changed the database:\nbefore %+v\nafter  %+v", before, after)
				}
				return
			}
			if !tokenLine.MatchString(out) {
				t.Fatalf("stdout = %q, want only the token and a line break", out)
			}
			token := strings.TrimSpace(out)
			if strings.Contains(errOut, token) {
				t.Error("the token was printed on stderr too")
			}
			if !strings.Contains(errOut, "Authorization: Bearer") {
				t.Errorf("stderr does not say how to use the token:\n%s", errOut)
			}
			stored := f.tokenByValue(token)
			if stored.UserID != f.user("jo.bloggs").ID || stored.Name != tc.label {
				t.Errorf("stored token: user %d name %q, want jo.bloggs and %q", stored.UserID, stored.Name, tc.label)
			}
			if bytes.Contains(stored.TokenHash, []byte(token)) || len(stored.TokenHash) != 32 {
				t.Error("the token itself was stored rather than its hash")
			}
			if lo, hi := start.Add(tc.ttl-time.Second), time.Now().Add(tc.ttl+time.Second); stored.ExpiresAt.Before(lo) || stored.ExpiresAt.After(hi) {
				t.Errorf("expires %v, want about %v from now", stored.ExpiresAt, tc.ttl)
			}
			if !strings.Contains(errOut, "--id "+strconv.FormatInt(stored.ID, 10)) {
				t.Errorf("stderr does not give the token's id:\n%s", errOut)
			}
			f.wantEvent("token.create", "api_token", stored.ID)
			if after := f.state(); after.Tokens != before.Tokens+1 || after.Events != before.Events+1 {
				t.Errorf("tokens %d→%d, events %d→%d; want one more of each", before.Tokens, after.Tokens, before.Events, after.Events)
			}
		})
	}
}

func TestTokenListAndRevoke(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	if out := f.mustDrive("token", "list", "--user", "jo.bloggs"); !strings.Contains(out, "no API tokens") {
		t.Errorf("empty list: %q", out)
	}
	first := strings.TrimSpace(f.mustDrive("token", "create", "--user", "jo.bloggs", "--name", "first"))
	second := strings.TrimSpace(f.mustDrive("token", "create", "--user", "jo.bloggs", "--name", "second", "--ttl", "2h"))
	samToken := strings.TrimSpace(f.mustDrive("token", "create", "--user", "sam"))
	t1, t2, ts := f.tokenByValue(first), f.tokenByValue(second), f.tokenByValue(samToken)
	if err := f.db.Transact(ctx, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, t1.ID) }); err != nil {
		t.Fatal(err)
	}

	// Revoking checks whose token it is, and that it is still live.
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"another user's token", []string{"--user", "jo.bloggs", "--id", strconv.FormatInt(ts.ID, 10)}, 1},
		{"no such token", []string{"--user", "jo.bloggs", "--id", "999"}, 1},
		{"unknown user", []string{"--user", "nobody", "--id", strconv.FormatInt(t1.ID, 10)}, 1},
		{"no id", []string{"--user", "jo.bloggs"}, 2},
		{"id not a number", []string{"--user", "jo.bloggs", "--id", "first"}, 2},
	} {
		before := f.state()
		code, _, errOut := f.drive("token", "revoke", tc.args...)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, tc.code, errOut)
		}
		if after := f.state(); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: the database changed", tc.name)
		}
	}

	out := f.mustDrive("token", "revoke", "--user", "jo.bloggs", "--id", strconv.FormatInt(t2.ID, 10))
	if !strings.Contains(out, "Revoked API token "+strconv.FormatInt(t2.ID, 10)) {
		t.Errorf("revoke output: %s", out)
	}
	if f.tokenByValue(second).RevokedAt == nil {
		t.Error("the token is not revoked")
	}
	if f.tokenByValue(first).RevokedAt != nil || f.tokenByValue(samToken).RevokedAt != nil {
		t.Error("another token was revoked")
	}
	f.wantEvent("token.revoke", "api_token", t2.ID)
	code, _, errOut := f.drive("token", "revoke", "--user", "jo.bloggs", "--id", strconv.FormatInt(t2.ID, 10))
	if code != 1 || !strings.Contains(errOut, "already revoked") {
		t.Errorf("revoking twice: exit %d, stderr %q", code, errOut)
	}

	table := f.mustDrive("token", "list", "--user", "jo.bloggs")
	jsonOut := f.mustDrive("token", "list", "--user", "jo.bloggs", "--json")
	for _, tok := range []*account.APIToken{t1, t2} {
		for _, secret := range []string{first, second, hex.EncodeToString(tok.TokenHash), base64.StdEncoding.EncodeToString(tok.TokenHash)} {
			if strings.Contains(table, secret) || strings.Contains(jsonOut, secret) {
				t.Errorf("token list shows a token or its hash")
			}
		}
	}
	for _, want := range []string{"ID", "LAST USED", "first", "second", "active", "revoked", "UTC"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	var list []tokenListing
	if err := json.Unmarshal([]byte(jsonOut), &list); err != nil {
		t.Fatalf("--json: %v\n%s", err, jsonOut)
	}
	if len(list) != 2 || list[0].ID != t2.ID || list[1].ID != t1.ID {
		t.Fatalf("listed %+v, want tokens %d and %d, newest first", list, t2.ID, t1.ID)
	}
	if list[0].Status != "revoked" || list[0].RevokedAt == nil || list[0].LastUsedAt != nil {
		t.Errorf("second token listed as %+v", list[0])
	}
	if list[1].Status != "active" || list[1].RevokedAt != nil || list[1].LastUsedAt == nil || list[1].Name != "first" {
		t.Errorf("first token listed as %+v", list[1])
	}

	// Listing an unknown user's tokens fails clearly.
	if code, _, errOut := f.drive("token", "list", "--user", "nobody"); code != 1 || !strings.Contains(errOut, `no user "nobody"`) {
		t.Errorf("unknown user: exit %d, stderr %q", code, errOut)
	}
}

func TestTokenExpiredStatus(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	jo := f.user("jo.bloggs")
	_, hash, err := auth.NewToken(bytes.NewReader(bytes.Repeat([]byte{1}, 64)), auth.APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateAPIToken(ctx, &account.APIToken{UserID: jo.ID, Name: "old", TokenHash: hash, ExpiresAt: tx.Now.Add(-time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
	var list []tokenListing
	if err := json.Unmarshal([]byte(f.mustDrive("token", "list", "--user", "jo.bloggs", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != "expired" {
		t.Errorf("listed %+v, want one expired token", list)
	}
}
