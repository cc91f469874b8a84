package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
)

// FuzzParsePHC feeds arbitrary strings to the hash parser. It must never
// panic; anything it accepts must be within bounds and must be the one
// canonical spelling of what it parsed.
func FuzzParsePHC(f *testing.F) {
	for _, s := range []string{
		"$argon2id$v=19$m=19456,t=2,p=1$ZHJpdmUtdGVzdC1zYWx0IQ$904kxiCNUGL+QgSbzmasQezeExVrRPamaOrsyJE5opg",
		"$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$ULGAzzyRq70GL2ZpXN3WYZAPVjwkRUstjWpkgq9pnPc",
		"$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
		"$argon2id$v=19$m=064,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$ULGAzzyRq70GL2ZpXN3WYZAPVjwkRUstjWpkgq9pnPc",
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"$$$$$",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := parsePHC(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v does not wrap ErrMalformedHash", err)
			}
			return
		}
		if err := p.validate(); err != nil {
			t.Fatalf("accepted out-of-bounds params %+v: %v", p, err)
		}
		if int(p.SaltLen) != len(salt) || int(p.KeyLen) != len(key) {
			t.Fatalf("params %+v disagree with salt %d and key %d bytes", p, len(salt), len(key))
		}
		if again := encodePHC(p, salt, key); again != s {
			t.Fatalf("accepted a non-canonical spelling:\n in  %q\n out %q", s, again)
		}
		// Verification of cheap accepted hashes must not panic either.
		if p.Memory <= 256 && p.Time <= 2 {
			ok, _, err := VerifyPassword(s, "a long enough passphrase")
			if err != nil {
				t.Fatalf("VerifyPassword of a parsed hash: %v", err)
			}
			_ = ok
		}
	})
}

// FuzzVerifyTOTP feeds arbitrary codes, times and last steps to VerifyTOTP.
// It must never panic, accept only six digits (after removing spaces) that
// are the code of a step within one of now and after lastStep, and report
// every refusal with the right kind of error.
func FuzzVerifyTOTP(f *testing.F) {
	f.Add("287082", int64(59), int64(-1))
	f.Add("287 082", int64(59), int64(0))
	f.Add(" 081804 ", int64(1111111109), int64(37037035))
	f.Add("081804", int64(1111111109), int64(37037036))
	f.Add("１２３４５６", int64(1234567890), int64(-1))
	f.Add("", int64(0), int64(0))
	f.Add("0000000", int64(1<<40), int64(1<<62))
	f.Fuzz(func(t *testing.T, code string, unix, lastStep int64) {
		// Keep time within what the calendar and the test vectors use.
		unix = (unix%(1<<36) + (1 << 36)) % (1 << 36)
		now := time.Unix(unix, 0)
		step, err := VerifyTOTP(rfcSecret, code, now, lastStep)
		stripped := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, code)
		current := unix / 30
		if err == nil {
			if step < current-1 || step > current+1 || step <= lastStep {
				t.Fatalf("accepted step %d at current %d, lastStep %d", step, current, lastStep)
			}
			want, _ := TOTPCode(rfcSecret, time.Unix(step*30, 0))
			if stripped != want {
				t.Fatalf("accepted %q for step %d, whose code is %s", code, step, want)
			}
			return
		}
		switch drive.ErrorCode(err) {
		case drive.EINVALID:
			if isDigits(stripped, 6) {
				t.Fatalf("six digits %q refused as malformed", code)
			}
		case drive.EUNAUTHORIZED:
			if !isDigits(stripped, 6) {
				t.Fatalf("malformed %q reported as a wrong code", code)
			}
			if !errors.Is(err, ErrTOTPMismatch) && !errors.Is(err, ErrTOTPReused) {
				t.Fatalf("unauthorized error %v wraps neither sentinel", err)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzCheckPassword: the policy never panics, and refuses only with an
// EINVALID error whose field message equals its message.
func FuzzCheckPassword(f *testing.F) {
	f.Add("correct horse battery staple", "jsmith")
	f.Add("Password2024!", "")
	f.Add("\xff\xfe", "\xff")
	f.Add("            ", " ")
	f.Fuzz(func(t *testing.T, pw, user string) {
		err := CheckPassword(pw, user)
		if err == nil {
			return
		}
		var e *drive.Error
		if !errors.As(err, &e) || e.Code != drive.EINVALID || e.Fields["password"] != e.Message {
			t.Fatalf("CheckPassword error %#v", err)
		}
	})
}

// FuzzMatchRecoveryCode: matching never panics and only the issued code,
// in any case and with any spaces and dashes, matches.
func FuzzMatchRecoveryCode(f *testing.F) {
	codes, hashes, err := NewRecoveryCodes(seeded(11), 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(codes[0])
	f.Add(strings.ToUpper(codes[1]))
	f.Add("")
	f.Fuzz(func(t *testing.T, code string) {
		idx, ok := MatchRecoveryCode(code, hashes)
		if !ok {
			return
		}
		norm := strings.ToLower(strings.Map(func(r rune) rune {
			if r == '-' || unicode.IsSpace(r) {
				return -1
			}
			return r
		}, code))
		if norm != strings.ReplaceAll(codes[idx], "-", "") {
			t.Fatalf("%q matched code %d, %q", code, idx, codes[idx])
		}
	})
}

// FuzzQRCodeSVG: any text either fails cleanly or renders an SVG that
// draws exactly its QR code.
func FuzzQRCodeSVG(f *testing.F) {
	f.Add("otpauth://totp/Drive:jsmith?secret=JBSWY3DPEHPK3PXP")
	f.Add("")
	f.Add("0123456789")
	f.Add("HELLO WORLD $%*+-./:")
	f.Fuzz(func(t *testing.T, text string) {
		svg, err := QRCodeSVG(text)
		if err != nil {
			return
		}
		checkSVG(t, svg, text)
	})
}
