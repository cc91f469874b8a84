package evaluation

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"io"
	"strings"

	"github.com/drive-platform/drive"
)

// SecretSize is the length in bytes of a project's pseudonym secret.
const SecretSize = 32

// Kinds of record, used as the pseudonym's prefix so a reader of an extract
// can tell a perpetrator's pseudonym from a child's, and so one record id
// gives unrelated pseudonyms in two tables.
const (
	KindPerpetrator    = "p"
	KindVictimSurvivor = "v"
	KindChild          = "c"
	KindCase           = "k"
	KindAssessment     = "a"
	KindAction         = "t"
	KindContact        = "n"
	KindIncident       = "i"
	KindHearing        = "h"
	KindMeeting        = "m"
)

// pseudonymLen is the length of the hashed part: 16 base32 characters are
// 80 bits, far beyond any chance of two records colliding.
const pseudonymLen = 16

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Pseudonymiser turns record ids into a project's pseudonyms. It holds the
// project's secret and must never be shown to an evaluator.
type Pseudonymiser struct {
	key []byte
}

// NewSecret reads a new project secret of SecretSize bytes from r (pass
// crypto/rand.Reader). Errors: EINTERNAL when r fails.
func NewSecret(r io.Reader) ([]byte, error) {
	b := make([]byte, SecretSize)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "could not draw a pseudonym secret")
	}
	return b, nil
}

// NewPseudonymiser returns the pseudonymiser for a project's secret.
// Errors: EINVALID when the secret is not SecretSize bytes, since a short
// key would let pseudonyms be reversed by trying every id.
func NewPseudonymiser(secret []byte) (*Pseudonymiser, error) {
	if len(secret) != SecretSize {
		return nil, drive.Errorf(drive.EINVALID, "a pseudonym secret must be %d bytes", SecretSize)
	}
	return &Pseudonymiser{key: append([]byte(nil), secret...)}, nil
}

// Pseudonym returns the pseudonym of the record of kind with id: kind, an
// underscore and 16 lowercase base32 characters of HMAC-SHA256(secret,
// kind, id). The same secret always gives the same pseudonym. kind must be
// lowercase letters (use the Kind constants); anything else is a fault in
// the caller and panics.
func (p *Pseudonymiser) Pseudonym(kind string, id int64) string {
	if kind == "" || strings.Trim(kind, "abcdefghijklmnopqrstuvwxyz") != "" {
		panic("evaluation: pseudonym kind must be lowercase letters: " + kind)
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(kind))
	m.Write([]byte{0}) // kind is letters only, so the separator makes the input unambiguous
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	m.Write(b[:])
	return kind + "_" + lowerBase32.EncodeToString(m.Sum(nil))[:pseudonymLen]
}

// String and GoString keep the secret out of logs and error messages.
func (p *Pseudonymiser) String() string   { return "evaluation.Pseudonymiser(secret withheld)" }
func (p *Pseudonymiser) GoString() string { return p.String() }
