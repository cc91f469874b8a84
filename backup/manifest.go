// Package backup describes a Drive backup: the manifest that says what a
// backup holds (every table's row count and digest, the schema, the audit
// log's head and a signed checkpoint of it, the fingerprint of the key file
// its sealed values need) and the archive that carries it with the data.
//
// The manifest is what a restore is checked against, so it is signed with
// the same Ed25519 key as audit checkpoints (docs/audit.md): a backup
// whose data was altered, or whose manifest was rewritten to match, fails
// the check. Package backup holds no SQL and reads no clock; the store
// takes the snapshot and the service puts the pieces together.
package backup

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
)

// Format is the manifest's "format" member. The number after the slash is
// the version of the backup format.
const Format = "drive-backup/1"

// Table is one table of a backup: how many rows it holds and the SHA-256
// of its rows in the engine's canonical listing (see store.TableDigests).
// Digests are comparable only between databases of the same engine.
type Table struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// KeyFingerprint names the key-encryption keys the backup's sealed values
// were written under, by key ID: enough to find the right key file, never
// the keys themselves (docs/encryption.md).
type KeyFingerprint struct {
	Current string   `json:"current"`
	KeyIDs  []string `json:"key_ids"`
}

// Manifest says what a backup holds.
type Manifest struct {
	Format string `json:"format"`
	// Engine is "sqlite" or "postgres": a backup restores into the same
	// engine only, because the data is in the engine's own form.
	Engine string `json:"engine"`
	// MadeAt is when the snapshot was taken, UTC.
	MadeAt time.Time `json:"made_at"`
	// Schema lists the migrations applied to the database backed up.
	Schema []int `json:"schema"`
	// Tables lists every table but the migrations table, by name.
	Tables []Table `json:"tables"`
	// Data says how a PostgreSQL backup holds its rows: DataPgDump for
	// a pg_dump archive (PgDumpEntry), empty for an entry a table in COPY
	// text format (TableEntry) or for a SQLite database file.
	Data string `json:"data,omitempty"`
	// Keys is the key file's fingerprint; empty if the service that made
	// the backup had no key file.
	Keys KeyFingerprint `json:"keys"`
	// AuditHead is the newest audit event in the backup.
	AuditSeq  int64  `json:"audit_seq"`
	AuditHash string `json:"audit_hash"`
	// Checkpoint is the signed audit checkpoint of the backup's head, as
	// a checkpoint file (audit.Checkpoint.MarshalFile).
	Checkpoint json.RawMessage `json:"checkpoint"`
	// Signature is the Ed25519 signature over the manifest's signed
	// bytes (SignedBytes), standard base64; KeyID names the key.
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// signTag separates manifest signatures from checkpoint signatures made
// with the same key: a checkpoint's signed bytes start with the version
// byte 0x01, a manifest's with this tag, so neither can pass for the other.
const signTag = "drive/backup/manifest\x00"

// SignedBytes is what the signature covers: the tag followed by the
// manifest's JSON with Signature empty (KeyID is covered).
func (m Manifest) SignedBytes() ([]byte, error) {
	m.Signature = ""
	body, err := json.Marshal(m)
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "the backup manifest could not be encoded")
	}
	return append([]byte(signTag), body...), nil
}

// Sign returns m with KeyID and Signature set by priv. It returns a
// drive.EINVALID error if priv is not an Ed25519 private key.
func (m Manifest) Sign(priv ed25519.PrivateKey) (Manifest, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Manifest{}, drive.Errorf(drive.EINVALID, "The signing key is not an Ed25519 private key.")
	}
	m.KeyID = audit.KeyID(priv.Public().(ed25519.PublicKey))
	msg, err := m.SignedBytes()
	if err != nil {
		return Manifest{}, err
	}
	m.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, msg))
	return m, nil
}

// ErrBadSignature is in the chain of the errors that mean a backup cannot
// be trusted: its manifest or its checkpoint was not signed by the key
// given, or was altered after signing.
var ErrBadSignature = errors.New("backup: manifest signature does not verify")

// VerifySignature checks that m was signed with the private key of pub and
// that its checkpoint was too, and returns the checkpoint. Errors wrap
// ErrBadSignature (or audit.ErrBadSignature) when the signature is wrong,
// and are drive.EINVALID when the manifest is malformed.
func (m Manifest) VerifySignature(pub ed25519.PublicKey) (audit.Checkpoint, error) {
	if len(pub) != ed25519.PublicKeySize {
		return audit.Checkpoint{}, drive.Errorf(drive.EINVALID, "The public key is not an Ed25519 public key.")
	}
	if id := audit.KeyID(pub); m.KeyID != id {
		return audit.Checkpoint{}, drive.Wrap(ErrBadSignature, drive.EINVALID, fmt.Sprintf(
			"The backup was signed with key %s, but the public key given is key %s.", m.KeyID, id))
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(m.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return audit.Checkpoint{}, drive.Wrap(ErrBadSignature, drive.EINVALID, "The backup's manifest is not signed.")
	}
	msg, err := m.SignedBytes()
	if err != nil {
		return audit.Checkpoint{}, err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return audit.Checkpoint{}, drive.Wrap(ErrBadSignature, drive.EINVALID,
			"The backup's manifest does not match its signature: it was altered after the backup was made.")
	}
	cp, err := audit.ParseCheckpoint(m.Checkpoint)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	if err := cp.VerifySignature(pub); err != nil {
		return audit.Checkpoint{}, err
	}
	if cp.Seq != m.AuditSeq || hex.EncodeToString(cp.Hash) != m.AuditHash {
		return audit.Checkpoint{}, drive.Errorf(drive.EINVALID, "The backup's checkpoint is not of the audit head its manifest names.")
	}
	return cp, nil
}

// Validate reports whether m is well formed. Errors are drive.EINVALID.
func (m Manifest) Validate() error {
	var problem string
	switch {
	case m.Format != Format:
		problem = fmt.Sprintf("its format is not %q", Format)
	case m.Engine != "sqlite" && m.Engine != "postgres":
		problem = "it names no database engine Drive knows"
	case m.MadeAt.IsZero():
		problem = "it has no time"
	case len(m.Schema) == 0:
		problem = "it lists no migrations"
	case m.AuditSeq < 0:
		problem = "its audit head is negative"
	case m.Data != "" && (m.Data != DataPgDump || m.Engine != "postgres"):
		problem = "it says its data is in a form Drive does not know"
	}
	if problem == "" {
		seen := map[string]bool{}
		for _, t := range m.Tables {
			if !validName(t.Name) || seen[t.Name] || t.Rows < 0 || len(t.SHA256) != 64 {
				problem = "its list of tables is malformed"
				break
			}
			seen[t.Name] = true
		}
	}
	if problem == "" {
		return nil
	}
	return drive.Errorf(drive.EINVALID, "The backup's manifest is not valid: %s.", problem)
}

// validName reports whether s is a plain SQL table name: lower-case
// letters, digits and underscores. Names come from the manifest, which a
// restore reads before trusting, so anything else is refused rather than
// put into SQL.
func validName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ValidName reports whether s can be a table of a backup.
func ValidName(s string) bool { return validName(s) }

// Marshal returns m as indented JSON ending in a newline.
func (m Manifest) Marshal() ([]byte, error) {
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "the backup manifest could not be encoded")
	}
	return append(out, '\n'), nil
}

// maxManifest bounds what ParseManifest reads.
const maxManifest = 4 << 20

// ParseManifest reads a manifest written by Marshal, strictly: unknown
// members and trailing data are refused. It does not check the signature.
func ParseManifest(data []byte) (Manifest, error) {
	if len(data) > maxManifest {
		return Manifest{}, drive.Errorf(drive.EINVALID, "The backup's manifest is larger than %d bytes.", maxManifest)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, drive.Errorf(drive.EINVALID, "The backup's manifest is not a manifest JSON object.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Manifest{}, drive.Errorf(drive.EINVALID, "The backup's manifest has more after its JSON object.")
	}
	if err := m.Validate(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// Table returns the named table of the manifest.
func (m Manifest) Table(name string) (Table, bool) {
	for _, t := range m.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// Compare checks the tables found in a restored database against the
// manifest's: the same tables, each with the same number of rows and the
// same digest. It returns nil if they all match, or a drive.EINVALID error
// listing every difference (by table name and count, never data).
func (m Manifest) Compare(got []Table) error {
	want := map[string]Table{}
	for _, t := range m.Tables {
		want[t.Name] = t
	}
	have := map[string]Table{}
	for _, t := range got {
		have[t.Name] = t
	}
	var diffs []string
	for name, w := range want {
		h, ok := have[name]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("table %s is missing", name))
		case h.Rows != w.Rows:
			diffs = append(diffs, fmt.Sprintf("table %s has %d rows, the backup %d", name, h.Rows, w.Rows))
		case h.SHA256 != w.SHA256:
			diffs = append(diffs, fmt.Sprintf("table %s has the right number of rows (%d) but different contents", name, h.Rows))
		}
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("table %s is not in the backup", name))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	sort.Strings(diffs)
	return drive.Errorf(drive.EINVALID, "The restored database does not match the backup: %s.", strings.Join(diffs, "; "))
}

// SameSchema reports whether a and b list the same migrations.
func SameSchema(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Digest hashes a table's canonical listing as it is written: Write the
// listing, then Table gives the name, row count and SHA-256. The store
// decides what a row's bytes are; Digest only counts rows by RowDone.
type Digest struct {
	name string
	rows int64
	h    hashWriter
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

// NewDigest starts the digest of table name.
func NewDigest(name string) *Digest { return &Digest{name: name, h: sha256.New()} }

// Write adds bytes of the listing.
func (d *Digest) Write(p []byte) (int, error) { return d.h.Write(p) }

// RowDone counts n more rows.
func (d *Digest) RowDone(n int64) { d.rows += n }

// Table returns the finished digest.
func (d *Digest) Table() Table {
	return Table{Name: d.name, Rows: d.rows, SHA256: hex.EncodeToString(d.h.Sum(nil))}
}
