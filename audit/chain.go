package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"

	"github.com/drive-platform/drive"
)

// HashSize is the length in bytes of an event hash (SHA-256).
const HashSize = sha256.Size

// EncodingVersion is the version of the canonical encoding that event
// hashes and checkpoint signatures are computed over. It is the first byte
// of every encoding, so that a future encoding can never produce the same
// bytes as this one. A new version would need a stored column saying which
// version each event was sealed with; events without one are version 1.
const EncodingVersion = 1

// Domain tags, written after the version byte, keep an event encoding from
// ever being mistaken for a checkpoint encoding or the other way round.
const (
	eventTag      = "drive/audit/event"
	checkpointTag = "drive/audit/checkpoint"
)

// GenesisHash returns the hash that event 1 links to: 32 zero bytes. It
// returns a new slice each time so that no caller can change it for others.
func GenesisHash() []byte { return make([]byte, HashSize) }

// isGenesis reports whether h is the genesis hash.
func isGenesis(h []byte) bool {
	if len(h) != HashSize {
		return false
	}
	for _, b := range h {
		if b != 0 {
			return false
		}
	}
	return true
}

// Seal returns e with PrevHash set to prev, At in UTC truncated to
// microseconds, and Hash computed. A nil or empty prev means e is the first
// event and links to the genesis hash. Seal trusts e.Seq and does not
// validate; Head.Next is the checked way to append.
//
// The hash is SHA-256 over this encoding, in this order (integers are
// big-endian; "string" is an 8-byte big-endian length followed by the bytes):
//
//	version      1 byte, EncodingVersion
//	tag          string "drive/audit/event"
//	Seq          8 bytes, two's complement
//	At           8 bytes, Unix microseconds, two's complement
//	ActorID      8 bytes
//	ActorRole    string
//	Action       string
//	RecordType   string
//	RecordID     string
//	SiteID       8 bytes
//	Remote       string
//	Reason       string
//	Outcome      string
//	PrevHash     string
//	RequestID    string "request_id", then string RequestID: only when set
//
// The request id comes last, and only when set, so an event without one
// (every event written before ids were recorded) has the same encoding,
// and so the same hash, as before; the length prefixes keep an event with
// one from sharing an encoding with any event without.
//
// Every variable-length field carries its length, so no two different
// events share an encoding (moving a character from one field to the next
// changes the lengths), and every field, including Seq and PrevHash, is
// covered: renumbering an event or relinking it breaks its hash.
func Seal(prev []byte, e Event) Event {
	if len(prev) == 0 {
		prev = GenesisHash()
	}
	e.PrevHash = bytes.Clone(prev)
	e.At = normalTime(e.At)
	sum := sha256.Sum256(appendEvent(nil, e))
	e.Hash = sum[:]
	return e
}

// appendEvent appends the canonical encoding of e (without e.Hash) to buf.
func appendEvent(buf []byte, e Event) []byte {
	buf = append(buf, EncodingVersion)
	buf = appendString(buf, eventTag)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.Seq))
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.At.UnixMicro()))
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.ActorID))
	buf = appendString(buf, e.ActorRole)
	buf = appendString(buf, e.Action)
	buf = appendString(buf, e.RecordType)
	buf = appendString(buf, e.RecordID)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.SiteID))
	buf = appendString(buf, e.Remote)
	buf = appendString(buf, e.Reason)
	buf = appendString(buf, e.Outcome)
	buf = appendString(buf, string(e.PrevHash))
	if e.RequestID != "" {
		buf = appendString(buf, "request_id")
		buf = appendString(buf, e.RequestID)
	}
	return buf
}

// appendString appends s with its length as an 8-byte big-endian prefix.
func appendString(buf []byte, s string) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(s)))
	return append(buf, s...)
}

// Head is the newest event of a log: its number and hash. The zero Head is
// an empty log, whose next event is number 1.
type Head struct {
	Seq  int64
	Hash []byte
}

// HeadOf returns the head of a log whose newest event is e.
func HeadOf(e Event) Head { return Head{Seq: e.Seq, Hash: bytes.Clone(e.Hash)} }

// Next returns e ready to append after h: validated, numbered h.Seq+1,
// linked to h.Hash and sealed. Any Seq, PrevHash or Hash already in e is
// replaced.
//
// It returns a drive.EINVALID error if e fails Validate, and a
// drive.EINTERNAL error if h is not a possible head (a negative number, or a
// hash of the wrong length), which means the storage layer read it wrongly.
func (h Head) Next(e Event) (Event, error) {
	switch {
	case h.Seq < 0:
		return Event{}, drive.Errorf(drive.EINTERNAL, "audit: head event number %d is negative", h.Seq)
	case h.Seq == math.MaxInt64:
		return Event{}, drive.Errorf(drive.EINTERNAL, "audit: the log has run out of event numbers")
	case h.Seq == 0 && len(h.Hash) != 0 && !isGenesis(h.Hash):
		return Event{}, drive.Errorf(drive.EINTERNAL, "audit: an empty log has a head hash that is not the genesis hash")
	case h.Seq > 0 && len(h.Hash) != HashSize:
		return Event{}, drive.Errorf(drive.EINTERNAL, "audit: head hash of event %d is %d bytes, not %d", h.Seq, len(h.Hash), HashSize)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	e.Seq = h.Seq + 1
	return Seal(h.Hash, e), nil
}
