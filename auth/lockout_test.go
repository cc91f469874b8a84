package auth

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

func TestLockoutCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(offsets ...time.Duration) []time.Time {
		ts := make([]time.Time, len(offsets))
		for i, o := range offsets {
			ts[i] = t0.Add(o)
		}
		return ts
	}
	every := func(n int, gap time.Duration) []time.Time {
		ts := make([]time.Time, n)
		for i := range ts {
			ts[i] = t0.Add(time.Duration(i) * gap)
		}
		return ts
	}
	m := time.Minute
	l := DefaultLockout()
	tests := []struct {
		name      string
		policy    Lockout
		account   []time.Time
		address   []time.Time
		now       time.Time
		wantScope LockScope // ScopeNone: allowed
		wantUntil time.Time
	}{
		{"no failures", l, nil, nil, t0, ScopeNone, time.Time{}},
		{"four failures", l, every(4, m), nil, t0.Add(4 * m), ScopeNone, time.Time{}},
		{"five failures", l, every(5, m), nil, t0.Add(5 * m), ScopeAccount, t0.Add(19 * m)},
		{"five at once", l, at(0, 0, 0, 0, 0), nil, t0, ScopeAccount, t0.Add(15 * m)},
		{"five, unsorted", l, at(4*m, 0, 3*m, m, 2*m), nil, t0.Add(5 * m), ScopeAccount, t0.Add(19 * m)},
		{"five spanning exactly the window", l, at(0, m, 2*m, 3*m, 15*m), nil, t0.Add(16 * m), ScopeAccount, t0.Add(30 * m)},
		{"five spanning more than the window", l, at(0, m, 2*m, 3*m, 15*m+time.Second), nil, t0.Add(16 * m), ScopeNone, time.Time{}},
		{"lock just before it ends", l, every(5, m), nil, t0.Add(19*m - time.Nanosecond), ScopeAccount, t0.Add(19 * m)},
		{"lock at the moment it ends", l, every(5, m), nil, t0.Add(19 * m), ScopeNone, time.Time{}},
		{"one more failure after the lock", l, append(every(5, m), t0.Add(20*m)), nil, t0.Add(21 * m), ScopeNone, time.Time{}},
		{"a later burst locks again", l, append(every(5, m), at(20*m, 21*m, 22*m, 23*m, 24*m)...), nil, t0.Add(25 * m), ScopeAccount, t0.Add(39 * m)},
		{"old failures only", l, every(10, m), nil, t0.Add(2 * time.Hour), ScopeNone, time.Time{}},
		{"19 from an address", l, nil, every(19, 30*time.Second), t0.Add(10 * m), ScopeNone, time.Time{}},
		{"20 from an address", l, nil, every(20, 30*time.Second), t0.Add(10 * m), ScopeAddress, t0.Add(9*m + 30*time.Second + 15*m)},
		{"both, address ends later", l, every(5, m), every(20, 20*time.Second), t0.Add(7 * m), ScopeAddress, t0.Add(380*time.Second + 15*m)},
		{"both, account ends later", l, at(4*m, 5*m, 6*m, 7*m, 8*m), every(20, 10*time.Second), t0.Add(9 * m), ScopeAccount, t0.Add(23 * m)},
		{"future timestamps count", l, at(m, m, m, m, m), nil, t0, ScopeAccount, t0.Add(16 * m)},
		{"account check off", Lockout{AddressFailures: 20, Window: 15 * m, AddressLockFor: 15 * m}, at(0, 0, 0, 0, 0, 0), nil, t0, ScopeNone, time.Time{}},
		{"zero policy allows", Lockout{}, every(100, time.Second), every(100, time.Second), t0, ScopeNone, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc := slices.Clone(tt.account)
			d := tt.policy.Check(tt.account, tt.address, tt.now)
			if !slices.Equal(acc, tt.account) {
				t.Fatal("Check modified its argument")
			}
			if d.Allowed != (tt.wantScope == ScopeNone) || d.Scope != tt.wantScope || !d.Until.Equal(tt.wantUntil) {
				t.Fatalf("Check = %+v; want scope %q until %v", d, tt.wantScope, tt.wantUntil)
			}
		})
	}
}

func TestLockoutSince(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := DefaultLockout()
	since := l.Since(now)
	if want := now.Add(-30 * time.Minute); !since.Equal(want) {
		t.Fatalf("Since = %v, want %v", since, want)
	}
	// A burst that starts just after Since still locks at now; one that
	// starts at Since no longer does.
	burst := func(start time.Time) []time.Time {
		ts := make([]time.Time, 5)
		for i := range ts {
			ts[i] = start.Add(time.Duration(i) * 15 * time.Minute / 4)
		}
		return ts
	}
	if d := l.Check(burst(since.Add(time.Second)), nil, now); d.Allowed {
		t.Error("burst just inside Since should still lock")
	}
	if d := l.Check(burst(since), nil, now); !d.Allowed {
		t.Error("burst starting at Since should have expired")
	}
}

func TestDecisionErr(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := (Decision{Allowed: true}).Err(now); err != nil {
		t.Fatalf("allowed: Err = %v", err)
	}
	tests := []struct {
		wait time.Duration
		want string
	}{
		{15 * time.Minute, "Wait 15 minutes"},
		{14*time.Minute + time.Second, "Wait 15 minutes"},
		{90 * time.Second, "Wait 2 minutes"},
		{time.Minute, "Wait 1 minute,"},
		{time.Second, "Wait 1 minute,"},
		{-time.Second, "Wait 1 minute,"},
	}
	for _, tt := range tests {
		for _, scope := range []LockScope{ScopeAccount, ScopeAddress} {
			err := Decision{Until: now.Add(tt.wait), Scope: scope}.Err(now)
			e := wantCode(t, err, drive.ETOOMANY)
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("wait %v: message %q, want %q", tt.wait, e.Message, tt.want)
			}
			if strings.Contains(e.Message, string(scope)) {
				t.Errorf("message %q reveals the scope", e.Message)
			}
		}
	}
	// The zero Decision is not an allowance.
	wantCode(t, Decision{}.Err(now), drive.ETOOMANY)
}
