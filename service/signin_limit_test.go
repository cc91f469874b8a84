package service_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestRefusedSigninHashesNothing holds sign-in and re-authentication to
// refusing a locked account or a throttled address before any password is
// hashed, counted by the server's own hasher (auth.Hasher.Computed), so a
// flood of guesses cannot spend the CPU other people's sign-ins need. The
// attempts that lead up to the lock are each hashed once, which shows the
// count is live.
func TestRefusedSigninHashesNothing(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			h := f.svc.Hasher
			lock := auth.DefaultLockout()

			// The account: five failures lock it, each one hashed.
			anon := service.Anonymous(authRemote)
			before := h.Computed()
			for i := 0; i < lock.AccountFailures; i++ {
				if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: "wrong", Code: "000000"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			if got := h.Computed() - before; got != uint64(lock.AccountFailures) {
				t.Fatalf("%d wrong passwords computed %d hashes; want one each", lock.AccountFailures, got)
			}
			before = h.Computed()
			for i := 0; i < 50; i++ {
				_, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: authPassword, Code: f.code(t)})
				if drive.ErrorCode(err) != drive.ETOOMANY {
					t.Fatalf("attempt %d on a locked account: %v; want ETOOMANY", i, err)
				}
			}
			if got := h.Computed() - before; got != 0 {
				t.Errorf("50 attempts on a locked account computed %d password hashes; want none", got)
			}

			// The address: twenty failures from one address, over names
			// that match nobody (each spends a dummy hash), throttle it for
			// every name, an existing one included.
			flood := service.Anonymous("198.51.100.7")
			for i := 0; i < lock.AddressFailures; i++ {
				if _, err := f.svc.SignIn(ctx, flood, service.Credentials{Username: fmt.Sprintf("nobody%d", i), Password: "guess"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("address failure %d: %v", i, err)
				}
			}
			before = h.Computed()
			for _, name := range []string{"ida", "someone-new", "newbie"} {
				if _, err := f.svc.SignIn(ctx, flood, service.Credentials{Username: name, Password: authPassword}); drive.ErrorCode(err) != drive.ETOOMANY {
					t.Fatalf("%s from a throttled address: %v; want ETOOMANY", name, err)
				}
			}
			if got := h.Computed() - before; got != 0 {
				t.Errorf("attempts from a throttled address computed %d password hashes; want none", got)
			}
			// Someone else, elsewhere, still signs in, with one hash.
			before = h.Computed()
			if _, err := f.svc.SignIn(ctx, service.Anonymous("203.0.113.5"), service.Credentials{Username: "ida", Password: authPassword, Code: f.code(t)}); err != nil {
				t.Fatalf("ida from another address: %v", err)
			}
			if got := h.Computed() - before; got != 1 {
				t.Errorf("a good sign-in computed %d hashes; want 1", got)
			}

			// Re-authentication on a form: locked after five wrong
			// passwords, then refused without hashing.
			_, caller := f.signIn(t, "jo.officer")
			for i := 0; i < lock.AccountFailures; i++ {
				if err := f.svc.Reauthenticate(ctx, caller.Actor, "wrong", "test form"); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("reauth failure %d: %v", i, err)
				}
			}
			before = h.Computed()
			for i := 0; i < 10; i++ {
				if err := f.svc.Reauthenticate(ctx, caller.Actor, authPassword, "test form"); drive.ErrorCode(err) != drive.ETOOMANY {
					t.Fatalf("reauth while locked: %v; want ETOOMANY", err)
				}
			}
			if got := h.Computed() - before; got != 0 {
				t.Errorf("10 locked re-authentications computed %d hashes; want none", got)
			}
		})
	}
}

// BenchmarkSigninRefused compares what one sign-in attempt costs the
// server with production password parameters (auth.DefaultParams): a
// wrong password, which is hashed, against an attempt from an address
// the lockout throttles, which is refused from the failures table. Both
// include the transaction and the audit write. On SQLite.
//
//	go test ./service -run '^$' -bench BenchmarkSigninRefused -benchmem
func BenchmarkSigninRefused(b *testing.B) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := storetest.OpenSQLite(b, storetest.FixedClock(at))
	h, err := auth.NewHasher(rand.Reader, auth.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	hash, err := h.Hash(rand.Reader, authPassword)
	if err != nil {
		b.Fatal(err)
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		s := &account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, s); err != nil {
			return err
		}
		o := &account.Organisation{Name: "Provider", Kind: account.Provider, SiteIDs: []int64{s.ID}}
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		return tx.CreateUser(ctx, &account.User{Username: "casey", DisplayName: "Casey", PasswordHash: hash, OrganisationID: o.ID, TOTPSecret: authTOTP})
	})
	if err != nil {
		b.Fatal(err)
	}
	// The limits of the "hashed" service are out of reach, so every one
	// of its attempts is checked; the "refused" service has the
	// production limits and its address has used them up.
	open := &service.Service{DB: db, Hasher: h, Lockout: auth.Lockout{AccountFailures: 1 << 30, AddressFailures: 1 << 30, Window: time.Minute, AccountLockFor: time.Minute, AddressLockFor: time.Minute}}
	limited := &service.Service{DB: db, Hasher: h}
	flood := service.Anonymous("198.51.100.7")
	for i := 0; i < auth.DefaultLockout().AddressFailures; i++ {
		if _, err := limited.SignIn(ctx, flood, service.Credentials{Username: fmt.Sprintf("nobody%d", i), Password: "guess"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
			b.Fatal(err)
		}
	}
	b.Run("hashed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := open.SignIn(ctx, service.Anonymous("203.0.113.5"), service.Credentials{Username: "casey", Password: "wrong", Code: "000000"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				b.Fatal(err)
			}
		}
	})
	b.Run("refused", func(b *testing.B) {
		before := h.Computed()
		for i := 0; i < b.N; i++ {
			if _, err := limited.SignIn(ctx, flood, service.Credentials{Username: "casey", Password: "wrong", Code: "000000"}); drive.ErrorCode(err) != drive.ETOOMANY {
				b.Fatal(err)
			}
		}
		if n := h.Computed() - before; n != 0 {
			b.Fatalf("refused attempts computed %d hashes", n)
		}
	})
}
