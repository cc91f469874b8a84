package audit

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/drive-platform/drive"
)

func TestGenerateKey(t *testing.T) {
	seed := bytes.Repeat([]byte{3}, ed25519.SeedSize)
	pub, priv, err := GenerateKey(bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.Seed(), seed) || !pub.Equal(priv.Public()) {
		t.Error("key not made from the injected randomness")
	}
	if _, _, err := GenerateKey(nil); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("nil reader: %v", err)
	}
	if _, _, err := GenerateKey(iotest.ErrReader(errors.New("no entropy"))); drive.ErrorCode(err) != drive.EINTERNAL {
		t.Errorf("failing reader: %v", err)
	}
	if _, _, err := GenerateKey(bytes.NewReader(seed[:5])); err == nil {
		t.Error("short reader accepted")
	}
}

func TestKeyID(t *testing.T) {
	pub, _ := testKey(t)
	id := KeyID(pub)
	if !isKeyID(id) {
		t.Fatalf("KeyID = %q", id)
	}
	// The first 16 hex digits of SHA-256 over the raw key, pinned.
	if want := "56475aa75463474c"; id != want {
		t.Errorf("KeyID = %s, want %s", id, want)
	}
}

func TestKeyFiles(t *testing.T) {
	pub, priv := testKey(t)
	privPEM, err := MarshalPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(privPEM, []byte("-----BEGIN PRIVATE KEY-----\n")) || !bytes.HasPrefix(pubPEM, []byte("-----BEGIN PUBLIC KEY-----\n")) {
		t.Errorf("unexpected PEM:\n%s%s", privPEM, pubPEM)
	}
	gotPriv, err := ParsePrivateKey(privPEM)
	if err != nil || !gotPriv.Equal(priv) {
		t.Errorf("private key round trip: %v", err)
	}
	gotPub, err := ParsePublicKey(pubPEM)
	if err != nil || !gotPub.Equal(pub) {
		t.Errorf("public key round trip: %v", err)
	}

	// Keys made by OpenSSL (genpkey -algorithm ed25519; pkey -pubout).
	osslPriv, err := ParsePrivateKey(readFile(t, "testdata/openssl-ed25519.key"))
	if err != nil {
		t.Fatal(err)
	}
	osslPub, err := ParsePublicKey(readFile(t, "testdata/openssl-ed25519.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if !osslPub.Equal(osslPriv.Public()) {
		t.Error("OpenSSL key pair does not match")
	}
	cp, err := SignCheckpoint(osslPriv, testCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.VerifySignature(osslPub); err != nil {
		t.Errorf("checkpoint signed with the OpenSSL key: %v", err)
	}

	if _, err := MarshalPrivateKey(priv[:3]); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("MarshalPrivateKey(short) = %v", err)
	}
	if _, err := MarshalPublicKey(pub[:3]); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("MarshalPublicKey(short) = %v", err)
	}

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPriv, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecPub, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	privDER, _ := pem.Decode(privPEM)
	pubDER, _ := pem.Decode(pubPEM)

	badPriv := map[string]struct {
		in   []byte
		want string
	}{
		"empty":           {nil, "not a PEM file"},
		"public key":      {pubPEM, "holds a public key"},
		"two blocks":      {append(bytes.Clone(privPEM), privPEM...), "more than one"},
		"other type":      {pemOf("CERTIFICATE", privDER.Bytes), `"CERTIFICATE"`},
		"garbage DER":     {pemOf("PRIVATE KEY", []byte{1, 2, 3}), "not a valid PKCS #8"},
		"not Ed25519":     {pemOf("PRIVATE KEY", ecPriv), "not Ed25519"},
		"encrypted style": {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: privDER.Bytes}), "encrypted"},
	}
	for name, tt := range badPriv {
		_, err := ParsePrivateKey(tt.in)
		if drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(drive.ErrorMessage(err), tt.want) {
			t.Errorf("ParsePrivateKey(%s) = %v, want EINVALID mentioning %q", name, err, tt.want)
		}
	}
	badPub := map[string]struct {
		in   []byte
		want string
	}{
		"empty":       {[]byte("   "), "not a PEM file"},
		"private key": {privPEM, "holds a private key"},
		"garbage DER": {pemOf("PUBLIC KEY", []byte{1, 2, 3}), "not a valid PKIX"},
		"not Ed25519": {pemOf("PUBLIC KEY", ecPub), "not Ed25519"},
		"trailing":    {append(bytes.Clone(pubPEM), "extra"...), "more than one"},
		"other type":  {pemOf("RSA PUBLIC KEY", pubDER.Bytes), `"RSA PUBLIC KEY"`},
	}
	for name, tt := range badPub {
		_, err := ParsePublicKey(tt.in)
		if drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(drive.ErrorMessage(err), tt.want) {
			t.Errorf("ParsePublicKey(%s) = %v, want EINVALID mentioning %q", name, err, tt.want)
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzParseKeys checks that key files either fail with EINVALID or read
// into keys that write back to the same key.
func FuzzParseKeys(f *testing.F) {
	pub, priv := testKey(f)
	privPEM, _ := MarshalPrivateKey(priv)
	pubPEM, _ := MarshalPublicKey(pub)
	f.Add(privPEM)
	f.Add(pubPEM)
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if k, err := ParsePrivateKey(in); err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("ParsePrivateKey: %v is not EINVALID", err)
			}
		} else {
			out, err := MarshalPrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			if k2, err := ParsePrivateKey(out); err != nil || !k2.Equal(k) {
				t.Fatalf("private key round trip: %v", err)
			}
		}
		if k, err := ParsePublicKey(in); err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("ParsePublicKey: %v is not EINVALID", err)
			}
		} else {
			out, err := MarshalPublicKey(k)
			if err != nil {
				t.Fatal(err)
			}
			if k2, err := ParsePublicKey(out); err != nil || !k2.Equal(k) {
				t.Fatalf("public key round trip: %v", err)
			}
		}
	})
}
