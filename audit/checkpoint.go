package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// Checkpoint vouches that, at time At, the newest event in the log was
// number Seq with hash Hash. It is signed with the Ed25519 key named by
// KeyID.
//
// The chain alone proves that events have not been changed in place, but
// someone with write access to the database can cut events off the end of
// the log, or rewrite the tail and recompute every hash after the change. A
// checkpoint kept away from the database catches both: the log must still
// reach Seq, and the event there must still have Hash. The signature lets
// the checkpoint file be stored and passed around in places that are not
// themselves trusted (a backup, an e-mail to the data protection officer):
// without the private key nobody can make a checkpoint that verifies.
type Checkpoint struct {
	Seq       int64     // number of the newest event covered; 0 for an empty log
	Hash      []byte    // hash of event Seq; the genesis hash when Seq is 0
	At        time.Time // when the checkpoint was made, UTC, microseconds
	KeyID     string    // KeyID of the signing key
	Signature []byte    // Ed25519 signature over the checkpoint's encoding
}

// ErrBadSignature is in the chain of every error VerifySignature returns
// because the checkpoint cannot be trusted (unsigned, signed by another key,
// or altered after signing), as opposed to the caller's input being unusable.
// A checkpoint that fails this way is evidence of tampering or of a mix-up of
// files, and a verification that relies on it has not proved anything.
var ErrBadSignature = errors.New("audit: checkpoint signature does not verify")

// Validate reports whether cp is well formed: a non-negative event number, a
// hash of the right size (the genesis hash for an empty log), a time, and a
// key ID and signature of the right shape if present. It does not check the
// signature; VerifySignature does. Errors are drive.EINVALID.
func (cp Checkpoint) Validate() error {
	var problem string
	switch {
	case cp.Seq < 0:
		problem = "its event number is negative"
	case len(cp.Hash) != HashSize:
		problem = fmt.Sprintf("its hash is %d bytes, not %d", len(cp.Hash), HashSize)
	case cp.Seq == 0 && !isGenesis(cp.Hash):
		problem = "it covers no events but its hash is not the genesis hash"
	case cp.At.IsZero():
		problem = "it has no time"
	case cp.At.UTC().Year() < 1 || cp.At.UTC().Year() > 9999:
		problem = "its time is outside the years 1 to 9999"
	case cp.KeyID != "" && !isKeyID(cp.KeyID):
		problem = "its key ID is not 16 lower-case hexadecimal digits"
	case len(cp.Signature) != 0 && len(cp.Signature) != ed25519.SignatureSize:
		problem = fmt.Sprintf("its signature is %d bytes, not %d", len(cp.Signature), ed25519.SignatureSize)
	default:
		return nil
	}
	return drive.Errorf(drive.EINVALID, "The checkpoint is not valid: %s.", problem)
}

// SignCheckpoint returns cp with At in UTC truncated to microseconds, KeyID
// set to the key ID of priv's public key, and Signature computed with priv.
// It returns a drive.EINVALID error if priv is not an Ed25519 private key or
// cp is not valid.
//
// Make cp from a Report whose verification succeeded (Report.Checkpoint), so
// that a checkpoint never vouches for a log that was already broken.
func SignCheckpoint(priv ed25519.PrivateKey, cp Checkpoint) (Checkpoint, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Checkpoint{}, drive.Errorf(drive.EINVALID, "The signing key is not an Ed25519 private key.")
	}
	cp.At = normalTime(cp.At)
	cp.Hash = bytes.Clone(cp.Hash)
	cp.KeyID = KeyID(priv.Public().(ed25519.PublicKey))
	cp.Signature = nil
	if err := cp.Validate(); err != nil {
		return Checkpoint{}, err
	}
	cp.Signature = ed25519.Sign(priv, cp.signedBytes())
	return cp, nil
}

// VerifySignature checks that cp was signed by the private key matching pub
// and has not changed since. It returns a drive.EINVALID error if pub is not
// an Ed25519 public key or cp is malformed, and an error wrapping
// ErrBadSignature if cp is unsigned, names a different key, or its
// signature does not match its contents.
func (cp Checkpoint) VerifySignature(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return drive.Errorf(drive.EINVALID, "The public key is not an Ed25519 public key.")
	}
	if err := cp.Validate(); err != nil {
		return err
	}
	if len(cp.Signature) == 0 {
		return drive.Wrap(ErrBadSignature, drive.EINVALID, "The checkpoint is not signed.")
	}
	if id := KeyID(pub); cp.KeyID != id {
		return drive.Wrap(ErrBadSignature, drive.EINVALID, fmt.Sprintf(
			"The checkpoint was signed with key %s, but the public key given is key %s.", cp.KeyID, id))
	}
	if !ed25519.Verify(pub, cp.signedBytes(), cp.Signature) {
		return drive.Wrap(ErrBadSignature, drive.EINVALID,
			"The checkpoint's signature does not match its contents: the checkpoint was altered after it was signed.")
	}
	return nil
}

// signedBytes is the canonical encoding that the signature covers, laid out
// like an event encoding (see Seal) with its own tag:
//
//	version  1 byte, EncodingVersion
//	tag      string "drive/audit/checkpoint"
//	Seq      8 bytes
//	Hash     string
//	At       8 bytes, Unix microseconds
//	KeyID    string
//
// KeyID is covered so that a signature cannot be relabelled as another
// key's.
func (cp Checkpoint) signedBytes() []byte {
	buf := make([]byte, 0, 128)
	buf = append(buf, EncodingVersion)
	buf = appendString(buf, checkpointTag)
	buf = binary.BigEndian.AppendUint64(buf, uint64(cp.Seq))
	buf = appendString(buf, string(cp.Hash))
	buf = binary.BigEndian.AppendUint64(buf, uint64(cp.At.UnixMicro()))
	buf = appendString(buf, cp.KeyID)
	return buf
}

// checkpointFormat is the value of the "format" member of a checkpoint file.
const checkpointFormat = "drive-audit-checkpoint/1"

// maxCheckpointFile bounds what ParseCheckpoint reads; a real file is about
// 300 bytes.
const maxCheckpointFile = 64 << 10

// checkpointFile is the JSON form of a checkpoint file.
type checkpointFile struct {
	Format    string `json:"format"`
	Seq       *int64 `json:"seq"`
	Hash      string `json:"hash"`
	At        string `json:"at"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// MarshalFile returns cp as a checkpoint file: a JSON object
//
//	{
//	  "format": "drive-audit-checkpoint/1",
//	  "seq": 1042,
//	  "hash": "<64 lower-case hex digits: the hash of event seq>",
//	  "at": "<RFC 3339 time in UTC, to the microsecond>",
//	  "key_id": "<16 lower-case hex digits>",
//	  "signature": "<standard base64 of the 64-byte Ed25519 signature>"
//	}
//
// followed by a newline. Only signed checkpoints can be written, because an
// unsigned one proves nothing once it leaves the process. It returns a
// drive.EINVALID error if cp is not valid or not signed.
func (cp Checkpoint) MarshalFile() ([]byte, error) {
	if err := cp.Validate(); err != nil {
		return nil, err
	}
	if len(cp.Signature) == 0 || cp.KeyID == "" {
		return nil, drive.Errorf(drive.EINVALID, "The checkpoint is not signed.")
	}
	seq := cp.Seq
	f := checkpointFile{
		Format:    checkpointFormat,
		Seq:       &seq,
		Hash:      hex.EncodeToString(cp.Hash),
		At:        normalTime(cp.At).Format(time.RFC3339Nano),
		KeyID:     cp.KeyID,
		Signature: base64.StdEncoding.EncodeToString(cp.Signature),
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "The checkpoint could not be written.")
	}
	return append(data, '\n'), nil
}

// ParseCheckpoint reads a checkpoint file written by MarshalFile. It is
// strict, because a checkpoint is evidence: unknown members, missing
// members, trailing data, times more precise than a microsecond and
// malformed values are all refused with a drive.EINVALID error saying what
// is wrong. It does not check the signature; call VerifySignature with the
// public key you trust.
func ParseCheckpoint(data []byte) (Checkpoint, error) {
	bad := func(format string, args ...any) (Checkpoint, error) {
		return Checkpoint{}, drive.Errorf(drive.EINVALID, "The checkpoint file is not valid: "+format+".", args...)
	}
	if len(data) > maxCheckpointFile {
		return bad("it is larger than %d bytes", maxCheckpointFile)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f checkpointFile
	if err := dec.Decode(&f); err != nil {
		return bad("it is not a checkpoint JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("there is more after the checkpoint")
	}
	if f.Format != checkpointFormat {
		return bad("its format is not %q", checkpointFormat)
	}
	if f.Seq == nil {
		return bad("seq is missing")
	}
	hash, err := hex.DecodeString(f.Hash)
	if err != nil || len(hash) != HashSize {
		return bad("hash is not %d hexadecimal digits", 2*HashSize)
	}
	at, err := time.Parse(time.RFC3339Nano, f.At)
	if err != nil {
		return bad("at is not an RFC 3339 time")
	}
	if !normalTime(at).Equal(at) {
		return bad("at is more precise than a microsecond")
	}
	if f.KeyID == "" {
		return bad("key_id is missing")
	}
	if f.Signature == "" {
		return bad("signature is missing")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(f.Signature)
	if err != nil || strings.ContainsAny(f.Signature, "\r\n") {
		return bad("signature is not base64")
	}
	cp := Checkpoint{Seq: *f.Seq, Hash: hash, At: normalTime(at), KeyID: f.KeyID, Signature: sig}
	if err := cp.Validate(); err != nil {
		return Checkpoint{}, err
	}
	return cp, nil
}

// isKeyID reports whether s has the shape KeyID returns.
func isKeyID(s string) bool {
	if len(s) != keyIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
