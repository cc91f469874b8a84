package audit

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// testKey is a fixed signing key, so that signatures and files are
// reproducible. It signs nothing outside these tests.
func testKey(tb testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	tb.Helper()
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	pub, priv, err := GenerateKey(bytes.NewReader(seed))
	if err != nil {
		tb.Fatal(err)
	}
	return pub, priv
}

func testCheckpoint() Checkpoint {
	return Checkpoint{
		Seq:  1042,
		Hash: bytes.Repeat([]byte{0x5a, 0xc3}, HashSize/2),
		At:   time.Date(2026, 3, 31, 23, 59, 58, 123456789, time.FixedZone("BST", 3600)),
	}
}

func TestSignCheckpoint(t *testing.T) {
	pub, priv := testKey(t)
	in := testCheckpoint()
	cp, err := SignCheckpoint(priv, in)
	if err != nil {
		t.Fatal(err)
	}
	if cp.KeyID != KeyID(pub) || len(cp.KeyID) != 16 {
		t.Errorf("KeyID = %q, want %q", cp.KeyID, KeyID(pub))
	}
	if cp.At.Location() != time.UTC || cp.At.Nanosecond() != 123456000 || !cp.At.Equal(in.At.Truncate(time.Microsecond)) {
		t.Errorf("At = %v, want UTC to the microsecond", cp.At)
	}
	if err := cp.VerifySignature(pub); err != nil {
		t.Fatalf("VerifySignature: %v", err)
	}
	// Signing does not share the caller's hash.
	in.Hash[0] ^= 1
	if err := cp.VerifySignature(pub); err != nil {
		t.Errorf("caller's slice changed the checkpoint: %v", err)
	}

	otherPub, otherPriv := func() (ed25519.PublicKey, ed25519.PrivateKey) {
		p, k, _ := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
		return p, k
	}()
	tampers := []struct {
		name    string
		change  func(*Checkpoint)
		pub     ed25519.PublicKey
		broken  bool   // the error wraps ErrBadSignature
		message string // part of the message
	}{
		{"seq", func(c *Checkpoint) { c.Seq-- }, pub, true, "altered"},
		{"hash", func(c *Checkpoint) { c.Hash = bytes.Clone(c.Hash); c.Hash[3] ^= 1 }, pub, true, "altered"},
		{"time", func(c *Checkpoint) { c.At = c.At.Add(time.Microsecond) }, pub, true, "altered"},
		{"signature", func(c *Checkpoint) { c.Signature = bytes.Clone(c.Signature); c.Signature[0] ^= 1 }, pub, true, "altered"},
		{"key id relabelled", func(c *Checkpoint) { c.KeyID = KeyID(otherPub) }, pub, true, "signed with key"},
		{"other key", func(c *Checkpoint) {}, otherPub, true, "signed with key " + KeyID(pub)},
		{"re-signed by other key", func(c *Checkpoint) {
			c2, _ := SignCheckpoint(otherPriv, *c)
			*c = c2
		}, pub, true, "signed with key " + KeyID(otherPub)},
		{"unsigned", func(c *Checkpoint) { c.Signature = nil }, pub, true, "not signed"},
		{"malformed key id", func(c *Checkpoint) { c.KeyID = "ABC" }, pub, false, "key ID"},
		{"short signature", func(c *Checkpoint) { c.Signature = c.Signature[:10] }, pub, false, "signature"},
		{"not a public key", func(c *Checkpoint) {}, pub[:5], false, "public key"},
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			c := cp
			tt.change(&c)
			err := c.VerifySignature(tt.pub)
			if err == nil {
				t.Fatal("verified")
			}
			if errors.Is(err, ErrBadSignature) != tt.broken {
				t.Errorf("errors.Is(ErrBadSignature) = %v, want %v: %v", !tt.broken, tt.broken, err)
			}
			if drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(drive.ErrorMessage(err), tt.message) {
				t.Errorf("error %v, want EINVALID mentioning %q", err, tt.message)
			}
		})
	}

	if _, err := SignCheckpoint(priv[:10], testCheckpoint()); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("short private key: %v", err)
	}
	bad := testCheckpoint()
	bad.Hash = bad.Hash[:5]
	if _, err := SignCheckpoint(priv, bad); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("short hash: %v", err)
	}
}

func TestCheckpointValidate(t *testing.T) {
	good := testCheckpoint()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Checkpoint{
		"negative seq":      {Seq: -1, Hash: GenesisHash(), At: testTime()},
		"no hash":           {Seq: 1, At: testTime()},
		"empty not genesis": {Seq: 0, Hash: good.Hash, At: testTime()},
		"no time":           {Seq: 1, Hash: good.Hash},
		"year 10000":        {Seq: 1, Hash: good.Hash, At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"key id":            {Seq: 1, Hash: good.Hash, At: testTime(), KeyID: "0123456789abcdeg"},
		"signature":         {Seq: 1, Hash: good.Hash, At: testTime(), Signature: []byte{1}},
	} {
		if err := c.Validate(); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestCheckpointFile(t *testing.T) {
	pub, priv := testKey(t)
	cp, err := SignCheckpoint(priv, testCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	data, err := cp.MarshalFile()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "checkpoint.golden.json")
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("checkpoint file changed (run with -update if on purpose):\n%s\nwant\n%s", data, want)
	}

	got, err := ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if !sameCheckpoint(got, cp) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, cp)
	}
	if err := got.VerifySignature(pub); err != nil {
		t.Errorf("parsed checkpoint: %v", err)
	}

	// Whitespace and member order are free; times in another offset are
	// read as the same instant.
	loose := `
	{"signature": "` + b64(cp.Signature) + `", "key_id": "` + cp.KeyID + `",
	 "at": "2026-03-31T22:59:58.123456Z", "hash": "` + strings.ToUpper(hexString(cp.Hash)) + `",
	 "seq": 1042, "format": "drive-audit-checkpoint/1"}

`
	if got, err := ParseCheckpoint([]byte(loose)); err != nil || !sameCheckpoint(got, cp) {
		t.Errorf("loose file: %+v, %v", got, err)
	}
	offset := strings.Replace(string(data), "2026-03-31T22:59:58.123456Z", "2026-03-31T23:59:58.123456+01:00", 1)
	if got, err := ParseCheckpoint([]byte(offset)); err != nil || !sameCheckpoint(got, cp) || got.At.Location() != time.UTC {
		t.Errorf("offset time: %+v, %v", got, err)
	}

	unsigned := testCheckpoint()
	if _, err := unsigned.MarshalFile(); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("MarshalFile(unsigned) = %v", err)
	}

	good := string(data)
	bad := map[string]string{
		"empty":             "",
		"not json":          "seq=1",
		"array":             "[]",
		"null":              "null",
		"trailing":          good + "{}",
		"trailing garbage":  good + "x",
		"unknown member":    strings.Replace(good, `"seq"`, `"extra": 1, "seq"`, 1),
		"wrong format":      strings.Replace(good, "checkpoint/1", "checkpoint/2", 1),
		"no format":         strings.Replace(good, `"format": "drive-audit-checkpoint/1",`, "", 1),
		"no seq":            strings.Replace(good, `"seq": 1042,`, "", 1),
		"seq as string":     strings.Replace(good, `1042`, `"1042"`, 1),
		"fractional seq":    strings.Replace(good, `1042`, `1042.5`, 1),
		"negative seq":      strings.Replace(good, `1042`, `-1`, 1),
		"huge seq":          strings.Replace(good, `1042`, `9223372036854775808`, 1),
		"short hash":        strings.Replace(good, hexString(cp.Hash), hexString(cp.Hash)[:62], 1),
		"hash not hex":      strings.Replace(good, hexString(cp.Hash), "zz"+hexString(cp.Hash)[2:], 1),
		"no time":           strings.Replace(good, "2026-03-31T22:59:58.123456Z", "", 1),
		"date only":         strings.Replace(good, "2026-03-31T22:59:58.123456Z", "2026-03-31", 1),
		"nanoseconds":       strings.Replace(good, "58.123456Z", "58.123456789Z", 1),
		"no key id":         strings.Replace(good, cp.KeyID, "", 1),
		"bad key id":        strings.Replace(good, cp.KeyID, "XYZ", 1),
		"no signature":      strings.Replace(good, b64(cp.Signature), "", 1),
		"signature not b64": strings.Replace(good, b64(cp.Signature), "!!!!", 1),
		"short signature":   strings.Replace(good, b64(cp.Signature), "AAAA", 1),
		"signature newline": strings.Replace(good, b64(cp.Signature), b64(cp.Signature)[:40]+`\n`+b64(cp.Signature)[40:], 1),
		"too large":         good + strings.Repeat(" ", maxCheckpointFile),
	}
	for name, in := range bad {
		if _, err := ParseCheckpoint([]byte(in)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: ParseCheckpoint = %v, want EINVALID", name, err)
		} else if !strings.HasPrefix(drive.ErrorMessage(err), "The checkpoint") {
			t.Errorf("%s: message %q", name, drive.ErrorMessage(err))
		}
	}
}

func sameCheckpoint(a, b Checkpoint) bool {
	return a.Seq == b.Seq && bytes.Equal(a.Hash, b.Hash) && a.At.Equal(b.At) && a.KeyID == b.KeyID && bytes.Equal(a.Signature, b.Signature)
}

func b64(b []byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out []byte
	for i := 0; i < len(b); i += 3 {
		var chunk [3]byte
		n := copy(chunk[:], b[i:])
		v := uint(chunk[0])<<16 | uint(chunk[1])<<8 | uint(chunk[2])
		for j := 0; j < 4; j++ {
			if j > n {
				out = append(out, '=')
			} else {
				out = append(out, alphabet[v>>(18-6*j)&63])
			}
		}
	}
	return string(out)
}

// FuzzParseCheckpoint checks that any input is either refused or read into
// a checkpoint that writes back to a file which reads to the same
// checkpoint, and that writing is then stable.
func FuzzParseCheckpoint(f *testing.F) {
	_, priv := testKey(f)
	cp, err := SignCheckpoint(priv, testCheckpoint())
	if err != nil {
		f.Fatal(err)
	}
	data, _ := cp.MarshalFile()
	f.Add(data)
	empty, _ := SignCheckpoint(priv, Checkpoint{Hash: GenesisHash(), At: testTime()})
	data, _ = empty.MarshalFile()
	f.Add(data)
	f.Add([]byte(`{"format":"drive-audit-checkpoint/1","seq":1,"hash":"","at":"","key_id":"","signature":""}`))
	f.Add([]byte(`{"seq":-9223372036854775808}`))
	f.Add([]byte("{}"))
	f.Add([]byte("\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		cp, err := ParseCheckpoint(in)
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		out, err := cp.MarshalFile()
		if err != nil {
			t.Fatalf("parsed checkpoint %+v does not write: %v", cp, err)
		}
		again, err := ParseCheckpoint(out)
		if err != nil {
			t.Fatalf("written file does not parse: %v\n%s", err, out)
		}
		if !sameCheckpoint(cp, again) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", again, cp)
		}
		if out2, _ := again.MarshalFile(); !bytes.Equal(out, out2) {
			t.Fatalf("writing is not stable:\n%s\n%s", out, out2)
		}
	})
}
