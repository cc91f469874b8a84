package auth

import (
	"crypto/rand"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestDefaultParamsMeetMinimum(t *testing.T) {
	p := DefaultParams()
	if p.Memory < 19456 || p.Time < 2 || p.Threads < 1 || p.SaltLen < 16 || p.KeyLen < 32 {
		t.Fatalf("DefaultParams() = %+v, below m=19456 t=2 p=1 salt=16 key=32", p)
	}
	if tp := TestParams(); tp == p || tp.Memory >= p.Memory {
		t.Fatalf("TestParams() = %+v should be cheaper than DefaultParams()", tp)
	}
	if err := p.validate(); err != nil {
		t.Fatal(err)
	}
	if err := TestParams().validate(); err != nil {
		t.Fatal(err)
	}
}

// Known answers from the reference argon2 implementation (the argon2
// command-line tool), so the encoding is checked against something other
// than this package.
func TestVerifyPasswordKnownAnswers(t *testing.T) {
	tests := []struct {
		encoded, pw string
		rehash      bool
	}{
		{"$argon2id$v=19$m=19456,t=2,p=1$ZHJpdmUtdGVzdC1zYWx0IQ$904kxiCNUGL+QgSbzmasQezeExVrRPamaOrsyJE5opg", "correct horse battery staple", false},
		{"$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$ULGAzzyRq70GL2ZpXN3WYZAPVjwkRUstjWpkgq9pnPc", "pässwörd mit ümläuten", true},
		// The same password typed with combining accents (NFD) matches.
		{"$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$ULGAzzyRq70GL2ZpXN3WYZAPVjwkRUstjWpkgq9pnPc", "pa\u0308sswo\u0308rd mit u\u0308mla\u0308uten", true},
	}
	for _, tt := range tests {
		ok, rehash, err := VerifyPassword(tt.encoded, tt.pw)
		if err != nil || !ok || rehash != tt.rehash {
			t.Errorf("VerifyPassword(%q, %q) = %v, %v, %v; want true, %v, nil", tt.encoded, tt.pw, ok, rehash, err, tt.rehash)
		}
		ok, _, err = VerifyPassword(tt.encoded, tt.pw+" ")
		if err != nil || ok {
			t.Errorf("VerifyPassword with a trailing space = %v, %v; want false, nil", ok, err)
		}
	}
}

func TestHashPasswordRoundTrip(t *testing.T) {
	tests := []struct{ name, pw string }{
		{"ascii", "correct horse battery staple"},
		{"empty", ""},
		{"unicode", "Ünïcödé ключ 鍵 🔑 phrase"},
		{"spaces only", "            "},
		{"max length", strings.Repeat("ab", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := HashPassword(seeded(1), tt.pw, TestParams())
			if err != nil {
				t.Fatal(err)
			}
			if !phcPattern.MatchString(enc) {
				t.Fatalf("hash %q is not a PHC string", enc)
			}
			ok, rehash, err := VerifyPassword(enc, tt.pw)
			if err != nil || !ok {
				t.Fatalf("VerifyPassword(own hash) = %v, %v", ok, err)
			}
			if !rehash {
				t.Errorf("needsRehash = false for a TestParams hash checked against DefaultParams")
			}
			for _, wrong := range []string{tt.pw + "x", strings.ToUpper(tt.pw) + "!", "x"} {
				if ok, _, err := VerifyPassword(enc, wrong); ok || err != nil {
					t.Errorf("VerifyPassword(wrong %q) = %v, %v; want false, nil", wrong, ok, err)
				}
			}
		})
	}
}

func TestHashPasswordSaltsDiffer(t *testing.T) {
	a, err := HashPassword(rand.Reader, "same password here", TestParams())
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashPassword(rand.Reader, "same password here", TestParams())
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two hashes of one password are equal; salt not random")
	}
}

func TestHashPasswordDefaultParams(t *testing.T) {
	enc, err := HashPassword(seeded(2), "a long enough passphrase", DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not record the default parameters", enc)
	}
	ok, rehash, err := VerifyPassword(enc, "a long enough passphrase")
	if !ok || rehash || err != nil {
		t.Fatalf("VerifyPassword = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashPasswordErrors(t *testing.T) {
	if _, err := HashPassword(failingReader{}, "a long enough passphrase", TestParams()); err == nil {
		t.Error("HashPassword with a failing random source: no error")
	}
	bad := []Params{
		{},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 7, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		{Memory: maxMemory + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	}
	for _, p := range bad {
		if _, err := HashPassword(seeded(1), "a long enough passphrase", p); err == nil {
			t.Errorf("HashPassword with %+v: no error", p)
		}
	}
	_, err := HashPassword(seeded(1), strings.Repeat("x", maxPasswordBytes+1), TestParams())
	wantCode(t, err, drive.EINVALID)
}

func TestVerifyPasswordTooLong(t *testing.T) {
	enc, err := HashPassword(seeded(1), "a long enough passphrase", TestParams())
	if err != nil {
		t.Fatal(err)
	}
	ok, _, err := VerifyPassword(enc, strings.Repeat("x", 1<<20))
	if ok || err != nil {
		t.Fatalf("VerifyPassword(1 MiB) = %v, %v; want false, nil", ok, err)
	}
}

func TestVerifyPasswordTampered(t *testing.T) {
	const pw = "a long enough passphrase"
	enc, err := HashPassword(seeded(3), pw, TestParams())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	join := func(p []string) string { return strings.Join(p, "$") }
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return join(p)
	}
	// Well-formed but altered: they parse, and the password no longer
	// matches.
	for name, s := range map[string]string{
		"hash changed":   with(5, flip(parts[5])),
		"salt changed":   with(4, flip(parts[4])),
		"memory changed": with(3, "m=72,t=1,p=1"),
		"time changed":   with(3, "m=64,t=2,p=1"),
		"hash shortened": with(5, b64().EncodeToString(mustB64(t, parts[5])[:24])),
	} {
		ok, _, err := VerifyPassword(s, pw)
		if ok || err != nil {
			t.Errorf("%s: VerifyPassword = %v, %v; want false, nil", name, ok, err)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	const salt, key = "MDEyMzQ1Njc4OWFiY2RlZg", "ULGAzzyRq70GL2ZpXN3WYZAPVjwkRUstjWpkgq9pnPc"
	tests := map[string]string{
		"empty":              "",
		"dollar only":        "$",
		"plain text":         "correct horse battery staple",
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":            "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"argon2d":            "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"no leading dollar":  "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"missing version":    "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"old version":        "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"version leading 0":  "$argon2id$v=019$m=64,t=1,p=1$" + salt + "$" + key,
		"params reordered":   "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"param missing":      "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"param extra":        "$argon2id$v=19$m=64,t=1,p=1,k=2$" + salt + "$" + key,
		"param spaces":       "$argon2id$v=19$m=64, t=1, p=1$" + salt + "$" + key,
		"leading zero":       "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"negative":           "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key,
		"plus sign":          "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key,
		"hex":                "$argon2id$v=19$m=0x40,t=1,p=1$" + salt + "$" + key,
		"overflow":           "$argon2id$v=19$m=99999999999999999999999,t=1,p=1$" + salt + "$" + key,
		"memory too large":   "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"memory below 8p":    "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + key,
		"time zero":          "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"time too large":     "$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + key,
		"threads zero":       "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"threads too many":   "$argon2id$v=19$m=2048,t=1,p=256$" + salt + "$" + key,
		"salt short":         "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$" + key,
		"salt empty":         "$argon2id$v=19$m=64,t=1,p=1$$" + key,
		"salt padded":        "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"salt not base64":    "$argon2id$v=19$m=64,t=1,p=1$" + salt[:20] + "!!$" + key,
		"salt url alphabet":  "$argon2id$v=19$m=64,t=1,p=1$" + salt[:10] + "-" + salt[11:] + "$" + key,
		"key short":          "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA",
		"key missing":        "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"non-canonical bits": "$argon2id$v=19$m=64,t=1,p=1$" + salt[:len(salt)-1] + "h$" + key,
		"extra field":        "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$",
		"trailing newline":   "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "\n",
		"leading space":      " $argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"upper-case name":    "$ARGON2ID$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"nul byte":           "$argon2id$v=19$m=64,t=1,p=1$" + salt + "\x00$" + key,
	}
	for name, enc := range tests {
		ok, rehash, err := VerifyPassword(enc, "pässwörd mit ümläuten")
		if err == nil || ok || rehash {
			t.Errorf("%s: VerifyPassword = %v, %v, %v; want false, false, an error", name, ok, rehash, err)
			continue
		}
		if !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: error %v does not wrap ErrMalformedHash", name, err)
		}
		if drive.ErrorCode(err) != drive.EINTERNAL {
			t.Errorf("%s: error code %q, want internal", name, drive.ErrorCode(err))
		}
		if strings.Contains(err.Error(), salt) || strings.Contains(err.Error(), key[:10]) {
			t.Errorf("%s: error %q quotes the stored hash", name, err)
		}
	}
}

func TestHasher(t *testing.T) {
	if _, err := NewHasher(failingReader{}, TestParams()); err == nil {
		t.Error("NewHasher with a failing random source: no error")
	}
	if _, err := NewHasher(seeded(1), Params{}); err == nil {
		t.Error("NewHasher with zero Params: no error")
	}
	h, err := NewHasher(seeded(4), TestParams())
	if err != nil {
		t.Fatal(err)
	}
	if h.Params() != TestParams() {
		t.Fatalf("Params() = %+v", h.Params())
	}
	p, _, _, err := parsePHC(h.dummy)
	if err != nil || p != TestParams() {
		t.Fatalf("dummy hash params = %+v, %v; want the Hasher's", p, err)
	}
	enc, err := h.Hash(seeded(5), "a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := h.Verify(enc, "a long enough passphrase")
	if !ok || rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	// A hash made with other parameters verifies but asks to be redone.
	old, err := HashPassword(seeded(6), "a long enough passphrase", Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err = h.Verify(old, "a long enough passphrase")
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify(old params) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	for _, pw := range []string{"", "a long enough passphrase", strings.Repeat("y", 5000)} {
		if h.DummyVerify(pw) {
			t.Errorf("DummyVerify(%.10q) = true", pw)
		}
	}
}

func TestPHCRoundTrip(t *testing.T) {
	p := Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	salt := []byte("0123456789abcdef")
	key := []byte("0123456789abcdef0123456789abcdef")
	enc := encodePHC(p, salt, key)
	gotP, gotSalt, gotKey, err := parsePHC(enc)
	if err != nil || gotP != p || string(gotSalt) != string(salt) || string(gotKey) != string(key) {
		t.Fatalf("parsePHC(encodePHC) = %+v, %q, %q, %v", gotP, gotSalt, gotKey, err)
	}
}

func BenchmarkHashPassword(b *testing.B) {
	p := DefaultParams()
	for b.Loop() {
		if _, err := HashPassword(rand.Reader, "correct horse battery staple", p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	enc, err := HashPassword(rand.Reader, "correct horse battery staple", DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := VerifyPassword(enc, "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64().DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
