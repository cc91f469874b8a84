package auth

import (
	"encoding/base32"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

// rfcSecret is the SHA-1 seed of RFC 6238 appendix B, "12345678901234567890",
// in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// RFC 6238 appendix B, the SHA-1 rows.
var rfcVectors = []struct {
	unix int64
	step int64
	code string // eight digits, as in the RFC
}{
	{59, 0x1, "94287082"},
	{1111111109, 0x23523EC, "07081804"},
	{1111111111, 0x23523ED, "14050471"},
	{1234567890, 0x273EF07, "89005924"},
	{2000000000, 0x3F940AA, "69279037"},
	{20000000000, 0x27BC86AA, "65353130"},
}

func TestTOTPRFC6238(t *testing.T) {
	if got := base32.StdEncoding.EncodeToString([]byte("12345678901234567890")); got != rfcSecret {
		t.Fatalf("rfcSecret should be %s", got)
	}
	key, err := decodeTOTPSecret(rfcSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rfcVectors {
		now := time.Unix(v.unix, 0).UTC()
		step, err := totpStep(now)
		if err != nil || step != v.step {
			t.Errorf("totpStep(%d) = %d, %v; want %d", v.unix, step, err, v.step)
		}
		if got := hotp(key, uint64(v.step), 8); got != v.code {
			t.Errorf("8-digit code at %d = %s, want %s", v.unix, got, v.code)
		}
		// Six digits are the last six of the eight.
		code, err := TOTPCode(rfcSecret, now)
		if err != nil || code != v.code[2:] {
			t.Errorf("TOTPCode at %d = %s, %v; want %s", v.unix, code, err, v.code[2:])
		}
		got, err := VerifyTOTP(rfcSecret, v.code[2:], now, -1)
		if err != nil || got != v.step {
			t.Errorf("VerifyTOTP(RFC code at %d) = %d, %v; want %d", v.unix, got, err, v.step)
		}
	}
}

func TestNewTOTPSecret(t *testing.T) {
	a, err := NewTOTPSecret(seeded(1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewTOTPSecret(seeded(2))
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two secrets from different sources are equal")
	}
	if len(a) != 32 || strings.Contains(a, "=") || strings.ToUpper(a) != a {
		t.Fatalf("secret %q: want 32 upper-case base32 characters, no padding", a)
	}
	key, err := decodeTOTPSecret(a)
	if err != nil || len(key) != 20 {
		t.Fatalf("secret decodes to %d bytes, %v; want 20", len(key), err)
	}
	if _, err := NewTOTPSecret(failingReader{}); err == nil {
		t.Fatal("NewTOTPSecret with a failing random source: no error")
	}
}

func TestTOTPSecretDecoding(t *testing.T) {
	now := time.Unix(1111111111, 0)
	for _, s := range []string{
		rfcSecret,
		strings.ToLower(rfcSecret),
		"GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
		rfcSecret + "======", // 32 characters need none, but some tools add it
	} {
		if code, err := TOTPCode(s, now); err != nil || code != "050471" {
			t.Errorf("TOTPCode(%q) = %q, %v; want 050471", s, code, err)
		}
	}
	for name, s := range map[string]string{
		"empty":         "",
		"not base32":    "GEZDGNBVGY3TQOJQ1890GEZDGNBVGY3T",
		"80-bit secret": "GEZDGNBVGY3TQOJQGEZA",
		"bad length":    rfcSecret[:30],
	} {
		if _, err := TOTPCode(s, now); err == nil {
			t.Errorf("%s: TOTPCode(%q): no error", name, s)
		}
		if _, err := VerifyTOTP(s, "123456", now, -1); err == nil || drive.ErrorCode(err) != drive.EINTERNAL {
			t.Errorf("%s: VerifyTOTP error = %v, want a plain (internal) error", name, err)
		}
	}
	if _, err := TOTPCode(rfcSecret, time.Unix(-1, 0)); err == nil {
		t.Error("TOTPCode before 1970: no error")
	}
	if _, err := VerifyTOTP(rfcSecret, "123456", time.Unix(-31, 0), -1); err == nil {
		t.Error("VerifyTOTP before 1970: no error")
	}
}

func TestVerifyTOTP(t *testing.T) {
	// now is 10 s into step s.
	const s = int64(40000000)
	now := time.Unix(s*30+10, 0)
	code := func(step int64) string {
		c, err := TOTPCode(rfcSecret, time.Unix(step*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	spaced := code(s)[:3] + " " + code(s)[3:]
	tests := []struct {
		name     string
		code     string
		lastStep int64
		want     int64
		wantErr  error  // sentinel wrapped, if any
		wantCode string // drive code, if an error
	}{
		{"current", code(s), -1, s, nil, ""},
		{"previous step", code(s - 1), -1, s - 1, nil, ""},
		{"next step", code(s + 1), -1, s + 1, nil, ""},
		{"two steps back", code(s - 2), -1, 0, ErrTOTPMismatch, drive.EUNAUTHORIZED},
		{"two steps ahead", code(s + 2), -1, 0, ErrTOTPMismatch, drive.EUNAUTHORIZED},
		{"after an older use", code(s), s - 1, s, nil, ""},
		{"replayed", code(s), s, 0, ErrTOTPReused, drive.EUNAUTHORIZED},
		{"earlier code after a later one", code(s - 1), s, 0, ErrTOTPReused, drive.EUNAUTHORIZED},
		{"current after next was used", code(s), s + 1, 0, ErrTOTPReused, drive.EUNAUTHORIZED},
		{"next after current was used", code(s + 1), s, s + 1, nil, ""},
		{"space in the middle", spaced, -1, s, nil, ""},
		{"spaces around", "  " + code(s) + " \t", -1, s, nil, ""},
		{"spaces everywhere", strings.Join(strings.Split(code(s), ""), " "), -1, s, nil, ""},
		{"wrong", wrongCode(code(s-1), code(s), code(s+1)), -1, 0, ErrTOTPMismatch, drive.EUNAUTHORIZED},
		{"empty", "", -1, 0, nil, drive.EINVALID},
		{"five digits", code(s)[:5], -1, 0, nil, drive.EINVALID},
		{"seven digits", code(s) + "0", -1, 0, nil, drive.EINVALID},
		{"letter", code(s)[:5] + "a", -1, 0, nil, drive.EINVALID},
		{"dash", code(s)[:3] + "-" + code(s)[3:], -1, 0, nil, drive.EINVALID},
		{"sign", "+" + code(s)[1:], -1, 0, nil, drive.EINVALID},
		{"full-width digits", "１２３４５６", -1, 0, nil, drive.EINVALID},
		{"arabic-indic digits", "١٢٣٤٥٦", -1, 0, nil, drive.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyTOTP(rfcSecret, tt.code, now, tt.lastStep)
			if tt.wantCode == "" {
				if err != nil || got != tt.want {
					t.Fatalf("VerifyTOTP = %d, %v; want %d, nil", got, err, tt.want)
				}
				return
			}
			wantCode(t, err, tt.wantCode)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v does not wrap %v", err, tt.wantErr)
			}
			if got != 0 {
				t.Fatalf("step = %d on error, want 0", got)
			}
		})
	}
}

// wrongCode returns a six-digit code equal to none of the given ones.
func wrongCode(codes ...string) string {
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		match := false
		for _, d := range codes {
			match = match || c == d
		}
		if !match {
			return c
		}
	}
	panic("unreachable")
}

// The window is exactly one step either side: at the first and last second
// of step s, codes of s-1 and s+1 pass and s-2 and s+2 fail.
func TestVerifyTOTPWindowBoundaries(t *testing.T) {
	const s = int64(50000000)
	key, err := decodeTOTPSecret(rfcSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{time.Unix(s*30, 0), time.Unix(s*30+29, 999999999)} {
		for d := int64(-2); d <= 2; d++ {
			c := hotp(key, uint64(s+d), 6)
			got, err := VerifyTOTP(rfcSecret, c, now, -1)
			accept := d >= -1 && d <= 1
			if accept && (err != nil || got != s+d) {
				t.Errorf("now %v, step %+d: %d, %v; want accepted", now.Unix(), d, got, err)
			}
			if !accept && err == nil {
				// A code of s±2 may by chance equal one of s-1..s+1;
				// then acceptance is right.
				if c != hotp(key, uint64(s-1), 6) && c != hotp(key, uint64(s), 6) && c != hotp(key, uint64(s+1), 6) {
					t.Errorf("now %v, step %+d: accepted", now.Unix(), d)
				}
			}
		}
	}
	// One nanosecond before step s begins, s+1 is two steps ahead.
	now := time.Unix(s*30, 0).Add(-time.Nanosecond)
	if _, err := VerifyTOTP(rfcSecret, hotp(key, uint64(s+1), 6), now, -1); err == nil {
		t.Error("code two steps ahead accepted just before the boundary")
	}
}

// At the very start of the epoch there is no step -1 to try.
func TestVerifyTOTPEpoch(t *testing.T) {
	c, err := TOTPCode(rfcSecret, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := VerifyTOTP(rfcSecret, c, time.Unix(5, 0), -1); err != nil || got != 0 {
		t.Fatalf("VerifyTOTP at step 0 = %d, %v", got, err)
	}
}

func TestProvisioningURI(t *testing.T) {
	tests := []struct {
		issuer, account, secret string
		want                    string
	}{
		{"Drive", "jane.smith@example.org", "JBSWY3DPEHPK3PXP",
			"otpauth://totp/Drive:jane.smith%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Drive&algorithm=SHA1&digits=6&period=30"},
		{"Drive Test", "a:b c", "JBSWY3DPEHPK3PXP",
			"otpauth://totp/Drive%20Test:a%3Ab%20c?secret=JBSWY3DPEHPK3PXP&issuer=Drive%20Test&algorithm=SHA1&digits=6&period=30"},
		{"", "jsmith", "JBSWY3DPEHPK3PXP",
			"otpauth://totp/jsmith?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30"},
		{"D&rive?", "x/y#z", "JBSWY3DPEHPK3PXP",
			"otpauth://totp/D%26rive%3F:x%2Fy%23z?secret=JBSWY3DPEHPK3PXP&issuer=D%26rive%3F&algorithm=SHA1&digits=6&period=30"},
	}
	for _, tt := range tests {
		got := ProvisioningURI(tt.issuer, tt.account, tt.secret)
		if got != tt.want {
			t.Errorf("ProvisioningURI(%q, %q)\n got %s\nwant %s", tt.issuer, tt.account, got, tt.want)
			continue
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("secret") != tt.secret || q.Get("issuer") != tt.issuer {
			t.Errorf("parsed %q: scheme %q host %q query %v", got, u.Scheme, u.Host, q)
		}
		wantLabel := tt.issuer + ":" + tt.account
		if tt.issuer == "" {
			wantLabel = tt.account
		}
		if label := strings.TrimPrefix(u.Path, "/"); label != wantLabel {
			t.Errorf("label %q, want %q", label, wantLabel)
		}
	}
}
