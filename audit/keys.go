package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"

	"github.com/drive-platform/drive"
)

// keyIDLen is the number of hexadecimal digits in a key ID.
const keyIDLen = 16

// PEM block types of key files. They are the standard ones, so keys made by
// OpenSSL (openssl genpkey -algorithm ed25519) work and keys made here can be
// inspected with it.
const (
	privateKeyBlock = "PRIVATE KEY" // PKCS #8
	publicKeyBlock  = "PUBLIC KEY"  // PKIX SubjectPublicKeyInfo
)

// GenerateKey makes a new checkpoint signing key pair from random, which
// must be a cryptographically secure source (crypto/rand.Reader) outside
// tests. It returns a drive.EINVALID error if random is nil and a
// drive.EINTERNAL error if it cannot be read.
func GenerateKey(random io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	if random == nil {
		return nil, nil, drive.Errorf(drive.EINVALID, "audit: no source of randomness for the signing key")
	}
	pub, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return nil, nil, drive.Wrap(err, drive.EINTERNAL, "The signing key could not be generated.")
	}
	return pub, priv, nil
}

// KeyID returns the short name of a public key written into checkpoints:
// the first 16 hexadecimal digits of the SHA-256 of the 32-byte key. It lets
// an operator see which key a checkpoint needs without opening any key file;
// it is a label, not a security check (the signature is the check).
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:keyIDLen]
}

// MarshalPrivateKey returns priv as a PEM "PRIVATE KEY" (PKCS #8) file. The
// file is a secret: write it with mode 0600 and keep it off the database
// server, since whoever can read it can sign checkpoints for a rewritten log.
// It returns a drive.EINVALID error if priv is not an Ed25519 private key.
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, drive.Errorf(drive.EINVALID, "The signing key is not an Ed25519 private key.")
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "The signing key could not be encoded.")
	}
	return pem.EncodeToMemory(&pem.Block{Type: privateKeyBlock, Bytes: der}), nil
}

// ParsePrivateKey reads a PEM "PRIVATE KEY" (PKCS #8) file holding an
// Ed25519 key, as written by MarshalPrivateKey or OpenSSL. It returns a
// drive.EINVALID error saying what is wrong otherwise; the message never
// quotes the file, which is a secret.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, err := onePEMBlock(data, privateKeyBlock)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The signing key file is not a valid PKCS #8 private key.")
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, drive.Errorf(drive.EINVALID, "The signing key file holds a private key that is not Ed25519.")
	}
	return priv, nil
}

// MarshalPublicKey returns pub as a PEM "PUBLIC KEY" (PKIX) file. The file
// is not secret; give it to whoever verifies checkpoints. It returns a
// drive.EINVALID error if pub is not an Ed25519 public key.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, drive.Errorf(drive.EINVALID, "The public key is not an Ed25519 public key.")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "The public key could not be encoded.")
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicKeyBlock, Bytes: der}), nil
}

// ParsePublicKey reads a PEM "PUBLIC KEY" (PKIX) file holding an Ed25519
// key, as written by MarshalPublicKey or OpenSSL. It returns a
// drive.EINVALID error saying what is wrong otherwise.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	block, err := onePEMBlock(data, publicKeyBlock)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The public key file is not a valid PKIX public key.")
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, drive.Errorf(drive.EINVALID, "The public key file holds a key that is not Ed25519.")
	}
	return pub, nil
}

// onePEMBlock returns the single PEM block of the wanted type in data. A
// file with a second block is refused rather than half read, and the
// commonest mix-up (a private key given where the public key belongs, or the
// reverse) gets a message that says so.
func onePEMBlock(data []byte, want string) (*pem.Block, error) {
	what := "public key"
	if want == privateKeyBlock {
		what = "signing key"
	}
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, drive.Errorf(drive.EINVALID, "The %s file is not a PEM file.", what)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, drive.Errorf(drive.EINVALID, "The %s file holds more than one PEM block.", what)
	}
	if len(block.Headers) != 0 {
		// Headers mark legacy encrypted keys, which x509 cannot read.
		return nil, drive.Errorf(drive.EINVALID, "The %s file is encrypted or has PEM headers; give an unencrypted key file.", what)
	}
	switch {
	case block.Type == want:
		return block, nil
	case want == publicKeyBlock && block.Type == privateKeyBlock:
		return nil, drive.Errorf(drive.EINVALID, "The public key file holds a private key; give the public key instead, and keep the private key secret.")
	case want == privateKeyBlock && block.Type == publicKeyBlock:
		return nil, drive.Errorf(drive.EINVALID, "The signing key file holds a public key; checkpoints are signed with the private key.")
	default:
		return nil, drive.Errorf(drive.EINVALID, "The %s file holds a %q PEM block, not %q.", what, block.Type, want)
	}
}
