package service_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestTokens checks API tokens through the service on both engines: a
// token is made for an account the actor manages, shown once and stored
// only as its hash, expiring when asked; it is refused for a disabled
// account, an IDVA service's account, a lifetime over a year and a name
// that is not a one-line label, writing nothing; listing gives each
// token's status and never the token; revoking ends one live token of
// that account only. Every change is audited.
func TestTokens(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cli := service.CommandLine()
			admin := w.addAdmin(t)
			cm, other := w.users["cm"].ID, w.users["otherCM"].ID
			if _, err := w.svc.DisableUser(ctx, cli, w.users["lead"].ID); err != nil {
				t.Fatal(err)
			}

			head := w.head(t)
			for name, c := range map[string]struct {
				actor service.Actor
				user  int64
				label string
				life  time.Duration
				code  string
				says  string
			}{
				"disabled account":  {cli, w.users["lead"].ID, "", time.Hour, drive.EINVALID, "is disabled"},
				"IDVA service":      {cli, w.users["idva"].ID, "", time.Hour, drive.EINVALID, "IDVA service"},
				"over a year":       {cli, cm, "", service.MaxTokenLife + time.Hour, drive.EINVALID, "365 days"},
				"under a minute":    {cli, cm, "", time.Second, drive.EINVALID, "at least a minute"},
				"name on two lines": {cli, cm, "a\nb", time.Hour, drive.EINVALID, "line breaks"},
				"name too long":     {cli, cm, strings.Repeat("x", service.MaxTokenName+1), time.Hour, drive.EINVALID, "at most"},
				"another site":      {admin, other, "", time.Hour, drive.ENOTFOUND, ""},
				"by a case manager": {w.actor(t, "cm"), cm, "", time.Hour, drive.ENOTFOUND, ""},
				"no such account":   {cli, 99999, "", time.Hour, drive.ENOTFOUND, ""},
			} {
				token, _, err := w.svc.CreateToken(ctx, c.actor, c.user, c.label, c.life)
				if drive.ErrorCode(err) != c.code || !strings.Contains(drive.ErrorMessage(err), c.says) || token != "" {
					t.Errorf("%s: %q, %v; want %s saying %q", name, token, err, c.code, c.says)
				}
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("refusals wrote %s", summary(es))
			}

			token, made, err := w.svc.CreateToken(ctx, admin, cm, "  nightly export ", 30*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(token, auth.APITokenPrefix) || made.Name != "nightly export" || made.Status != "active" ||
				!made.ExpiresAt.Equal(now.Add(30*24*time.Hour)) || made.UserID != cm {
				t.Errorf("made %q: %+v", token, made)
			}
			var stored *account.APIToken
			err = w.db.View(ctx, func(tx *store.Tx) error {
				stored, err = tx.APITokenByHash(ctx, auth.HashToken(token))
				return err
			})
			if err != nil || stored.ID != made.ID || bytes.Contains(stored.TokenHash, []byte(token)) {
				t.Errorf("stored %+v, %v: want the token's hash alone", stored, err)
			}
			second, _, err := w.svc.CreateToken(ctx, cli, cm, "", time.Hour)
			if err != nil || second == token {
				t.Fatalf("a second token: %v", err)
			}
			otherToken, _, err := w.svc.CreateToken(ctx, cli, other, "", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			es := w.events(t, head)
			if summary(es) != "token.create admin api_token ok\ntoken.create system api_token ok\ntoken.create system api_token ok" || es[0].ActorID != admin.UserID {
				t.Errorf("creating audited as %s", summary(es))
			}

			// An expired token is listed as such.
			_, oldHash, err := auth.NewToken(bytes.NewReader(bytes.Repeat([]byte{1}, 64)), auth.APITokenPrefix)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.db.Transact(ctx, func(tx *store.Tx) error {
				return tx.CreateAPIToken(ctx, &account.APIToken{UserID: cm, Name: "old", TokenHash: oldHash, ExpiresAt: tx.Now.Add(-time.Hour)})
			}); err != nil {
				t.Fatal(err)
			}
			list, err := w.svc.Tokens(ctx, admin, cm)
			if err != nil || len(list) != 3 {
				t.Fatalf("listed %+v, %v; want three", list, err)
			}
			statuses := map[string]string{}
			for _, tok := range list {
				statuses[tok.Name] = tok.Status
			}
			if statuses["old"] != "expired" || statuses["nightly export"] != "active" || statuses["token"] != "active" {
				t.Errorf("statuses = %v", statuses)
			}
			if _, err := w.svc.Tokens(ctx, admin, other); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("site A's administrator listing site B's tokens: %v, want not found", err)
			}

			// Revoking: only a live token of that account.
			head = w.head(t)
			otherID := w.tokenID(t, otherToken)
			for name, try := range map[string]func() error{
				"another account's token": func() error { return w.svc.RevokeToken(ctx, cli, cm, otherID) },
				"no such token":           func() error { return w.svc.RevokeToken(ctx, cli, cm, 99999) },
				"another site's account":  func() error { return w.svc.RevokeToken(ctx, admin, other, otherID) },
			} {
				if err := try(); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("revoking %s: %v, want not found", name, err)
				}
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("refused revocations wrote %s", summary(es))
			}
			if err := w.svc.RevokeToken(ctx, admin, cm, made.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RevokeToken(ctx, admin, cm, made.ID); drive.ErrorCode(err) != drive.ENOTFOUND || !strings.Contains(drive.ErrorMessage(err), "already revoked") {
				t.Errorf("revoking twice: %v", err)
			}
			es = w.events(t, head)
			if summary(es) != "token.revoke admin api_token ok" || es[0].RecordID != strconv.FormatInt(made.ID, 10) {
				t.Errorf("revoking audited as %s", summary(es))
			}
			list, _ = w.svc.Tokens(ctx, cli, cm)
			for _, tok := range list {
				if (tok.ID == made.ID) != (tok.Status == "revoked") || (tok.ID == made.ID && tok.RevokedAt == nil) {
					t.Errorf("after revoking %d: %+v", made.ID, tok)
				}
			}
		})
	}
}

func (w *world) tokenID(t *testing.T, token string) int64 {
	t.Helper()
	var id int64
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		tok, err := tx.APITokenByHash(context.Background(), auth.HashToken(token))
		if err == nil {
			id = tok.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
