package service

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/store"
)

// API token lifetimes. A token is a long-lived credential that skips the
// second factor, so it always expires; a year is the most an integration
// may go without its token being replaced.
const (
	MinTokenLife = time.Minute
	MaxTokenLife = 365 * 24 * time.Hour
	// MaxTokenName keeps a token's name a short label.
	MaxTokenName = 100
)

// Token is an API token as its listing shows it: never the token or its
// hash.
type Token struct {
	ID     int64
	UserID int64
	Name   string
	// Status is "active", "revoked" or "expired".
	Status     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

func tokenOf(t *account.APIToken, now time.Time) Token {
	status := "active"
	switch {
	case t.RevokedAt != nil:
		status = "revoked"
	case !t.Usable(now):
		status = "expired"
	}
	return Token{ID: t.ID, UserID: t.UserID, Name: t.Name, Status: status, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt}
}

// TokenName trims a token's name and checks it is a short label that
// prints on one line (an empty one is stored as "token").
// Errors: EINVALID saying what a name may be.
func TokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxTokenName || strings.ContainsFunc(name, unicode.IsControl) {
		return "", drive.Errorf(drive.EINVALID, "give a label of at most %d characters without tabs or line breaks, saying what the token is for", MaxTokenName)
	}
	return name, nil
}

// CreateToken makes an API token for the account, working for life, and
// returns it: it is shown only now, for only its hash is kept. Audited as
// token.create.
//
// A token is a way into the account held by whoever asked for it, so it
// is refused for a disabled account (it would not work) and for an IDVA
// service's account: those reach victim-survivors' records, and are never
// handed out this way (the same reason an administrator's reset of such an
// account waits for the service's approval).
//
// Errors: ENOTFOUND when the actor may not manage the account (or it does
// not exist); EINVALID for the name, the lifetime, or an account refused.
func (s *Service) CreateToken(ctx context.Context, a Actor, userID int64, name string, life time.Duration) (string, *Token, error) {
	name, err := TokenName(name)
	if err != nil {
		return "", nil, err
	}
	if life < MinTokenLife || life > MaxTokenLife {
		return "", nil, drive.Errorf(drive.EINVALID, "A token works for at least a minute and at most 365 days")
	}
	token, hash, err := auth.NewToken(s.random(), auth.APITokenPrefix)
	if err != nil {
		return "", nil, err
	}
	var out Token
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		u, err := s.managed(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if u.Disabled() {
			return drive.Errorf(drive.EINVALID, "%s is disabled, so a token for them would not work: enable them first with drive user enable", u.Username)
		}
		org, err := tx.Organisation(ctx, u.OrganisationID)
		if err != nil {
			return err
		}
		if org.VictimSide() {
			return drive.Errorf(drive.EINVALID, "%s is an account of %s, an IDVA service: API tokens for victim-side accounts are not issued from the command line, because whoever ran it would hold a way into victim-survivors' records", u.Username, org.Name)
		}
		t := &account.APIToken{UserID: u.ID, Name: name, TokenHash: hash, ExpiresAt: tx.Now.Add(life)}
		if err := tx.CreateAPIToken(ctx, t); err != nil {
			return err
		}
		out = tokenOf(t, tx.Now)
		return tx.Audit(ctx, tokenEvent(a, "token.create", t.ID))
	})
	if err != nil {
		return "", nil, err
	}
	return token, &out, nil
}

func tokenEvent(a Actor, action string, id int64) audit.Event {
	return audit.Event{Action: action, ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: "api_token",
		RecordID: strconv.FormatInt(id, 10), Remote: a.Remote, Outcome: audit.OutcomeOK}
}

// Tokens lists the account's API tokens, newest first.
// Errors: ENOTFOUND when the actor may not see the account (or it does not
// exist).
func (s *Service) Tokens(ctx context.Context, a Actor, userID int64) ([]Token, error) {
	out := []Token{}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		u, err := reachable(a, access.Read, tx.Now)(tx.User(ctx, userID))
		if err != nil {
			return err
		}
		tokens, err := tx.APITokens(ctx, u.ID)
		for _, t := range tokens {
			out = append(out, tokenOf(t, tx.Now))
		}
		return err
	})
	return out, err
}

// RevokeToken ends one of the account's live API tokens, audited as
// token.revoke.
// Errors: ENOTFOUND when the actor may not manage the account, or it has
// no such token that is not already revoked.
func (s *Service) RevokeToken(ctx context.Context, a Actor, userID, tokenID int64) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		u, err := s.managed(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		err = tx.RevokeAPIToken(ctx, u.ID, tokenID)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.Errorf(drive.ENOTFOUND, "%s has no token %d that is not already revoked", u.Username, tokenID)
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, tokenEvent(a, "token.revoke", tokenID))
	})
}
