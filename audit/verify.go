package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// BreakKind says how the chain is broken.
type BreakKind string

// The ways a chain can break, each with what it protects against.
const (
	// BreakEdited: an event's contents do not match its stored hash. Catches
	// any change to a field of a stored event (including its number and its
	// link) made without recomputing the hash.
	BreakEdited BreakKind = "edited"
	// BreakMissing: the numbers jump forward. Catches deletion of events
	// from the start or the middle of the log (and events moved later).
	BreakMissing BreakKind = "missing"
	// BreakOutOfOrder: a number goes backwards or repeats. Catches events
	// that were reordered, copied, or inserted under a number in use.
	BreakOutOfOrder BreakKind = "out_of_order"
	// BreakUnlinked: an event's PrevHash is not the hash of the event before
	// it. Catches an event replaced wholesale with its hash recomputed, and
	// events deleted or inserted with the rest renumbered and rehashed: the
	// forger has to stop rehashing somewhere, and the link breaks there.
	BreakUnlinked BreakKind = "unlinked"
	// BreakTruncated: the log ends before the newest event a checkpoint
	// covers. Catches events cut off the end of the log, which the chain
	// alone cannot show.
	BreakTruncated BreakKind = "truncated"
	// BreakCheckpoint: the event a checkpoint covers has a different hash
	// from the one the checkpoint vouches for. Catches a log rewritten and
	// rehashed from some point on, which the chain alone cannot show.
	BreakCheckpoint BreakKind = "checkpoint_mismatch"
)

// BreakError says where and how an audit log is broken. Its message is
// written for the operator who runs the check, for example:
//
//	audit log broken at event 42: its contents do not match its hash (the event was edited)
//
// Everything before Seq was checked and found intact.
type BreakError struct {
	// Seq is the number of the event where the break is: the position in
	// the log, which for BreakMissing and BreakOutOfOrder is the number that
	// was expected there, and for BreakTruncated the first missing number.
	Seq  int64
	Kind BreakKind
	// Found is the number of the event found at position Seq, when it is
	// not Seq (BreakMissing, BreakOutOfOrder, and BreakEdited when the number
	// itself was changed); for BreakTruncated, the number of the last event
	// in the log (0 if it is empty).
	Found int64
	// Checkpoint is the checkpoint that showed the break, for
	// BreakTruncated and BreakCheckpoint.
	Checkpoint *Checkpoint
}

func (e *BreakError) Error() string {
	return fmt.Sprintf("audit log broken at event %d: %s", e.Seq, e.Detail())
}

// Detail is the message without the "audit log broken at event N" prefix.
func (e *BreakError) Detail() string {
	cpAt := ""
	cpSeq := int64(0)
	if e.Checkpoint != nil {
		cpAt = e.Checkpoint.At.UTC().Format("2006-01-02 15:04:05 UTC")
		cpSeq = e.Checkpoint.Seq
	}
	switch e.Kind {
	case BreakEdited:
		if e.Found != e.Seq {
			return fmt.Sprintf("the event found there is numbered %d and its contents do not match its hash (the event was edited)", e.Found)
		}
		return "its contents do not match its hash (the event was edited)"
	case BreakMissing:
		if e.Found == e.Seq+1 {
			return fmt.Sprintf("the event is missing and event %d comes next (event %d was deleted or moved)", e.Found, e.Seq)
		}
		return fmt.Sprintf("events %d to %d are missing and event %d comes next (the events were deleted or moved)", e.Seq, e.Found-1, e.Found)
	case BreakOutOfOrder:
		if e.Found == e.Seq-1 {
			return fmt.Sprintf("event %d appears a second time (an event was copied or inserted)", e.Found)
		}
		return fmt.Sprintf("an event numbered %d appears where event %d belongs (events were reordered, copied or inserted)", e.Found, e.Seq)
	case BreakUnlinked:
		if e.Seq == 1 {
			return "it does not link to the start of the log (events before it were deleted and the rest renumbered, or it was replaced)"
		}
		return fmt.Sprintf("it does not link to event %d (one of the two was replaced, or events between them were deleted or inserted)", e.Seq-1)
	case BreakTruncated:
		ends := "the log is empty"
		if e.Found > 0 {
			ends = fmt.Sprintf("the log ends at event %d", e.Found)
		}
		return fmt.Sprintf("%s, but the checkpoint of %s covers events up to %d (events were deleted from the end of the log)", ends, cpAt, cpSeq)
	case BreakCheckpoint:
		return fmt.Sprintf("its hash is not the one the checkpoint of %s vouches for (the log was rewritten after the checkpoint was made)", cpAt)
	default:
		return "the chain is broken"
	}
}

// IsBroken reports whether err shows that the log cannot be trusted: the
// chain is broken (a *BreakError), or the checkpoint it was checked against
// failed its signature check (ErrBadSignature). Any other error means the
// check could not be made, which proves nothing either way.
func IsBroken(err error) bool {
	var b *BreakError
	return errors.As(err, &b) || errors.Is(err, ErrBadSignature)
}

// Report is the result of a verification.
type Report struct {
	// Events is the number of events checked and found intact. After a
	// break, it counts the events before the break.
	Events int64
	// HeadSeq, HeadHash and HeadAt describe the newest intact event:
	// 0, the genesis hash and the zero time for an empty log.
	HeadSeq  int64
	HeadHash []byte
	HeadAt   time.Time
	// Checkpoints is the number of checkpoints the log was found to match.
	Checkpoints int
}

// Checkpoint returns an unsigned checkpoint for the head of the verified
// log, made at at, ready for SignCheckpoint. Only make one from a Report
// whose verification succeeded.
func (r Report) Checkpoint(at time.Time) Checkpoint {
	hash := bytes.Clone(r.HeadHash)
	if len(hash) == 0 {
		hash = GenesisHash()
	}
	return Checkpoint{Seq: r.HeadSeq, Hash: hash, At: normalTime(at)}
}

// String describes the report in a sentence for the operator.
func (r Report) String() string {
	var b strings.Builder
	if r.Events == 0 {
		b.WriteString("no events")
	} else {
		plural := "s"
		if r.Events == 1 {
			plural = ""
		}
		fmt.Fprintf(&b, "%d event%s; the newest is event %d, recorded %s, with hash %s",
			r.Events, plural, r.HeadSeq, r.HeadAt.UTC().Format("2006-01-02 15:04:05 UTC"), hex.EncodeToString(r.HeadHash))
	}
	switch r.Checkpoints {
	case 0:
		b.WriteString("; no checkpoint checked")
	case 1:
		b.WriteString("; 1 checkpoint matched")
	default:
		fmt.Fprintf(&b, "; %d checkpoints matched", r.Checkpoints)
	}
	return b.String()
}

// Verifier checks an audit log streamed through it one event at a time, in
// order of number, from event 1. It keeps only the newest event's number
// and hash, so it checks a log of any length in constant memory.
//
//	v, err := audit.NewVerifier(checkpoints...)
//	for each stored event e, in order of Seq {
//		if err := v.Add(e); err != nil {
//			break // the log is broken at err.(*audit.BreakError).Seq
//		}
//	}
//	report, err := v.Finish()
//
// A Verifier is not safe for concurrent use.
type Verifier struct {
	cps      []Checkpoint // sorted by Seq
	next     int          // index of the first checkpoint not yet reached
	matched  int
	events   int64
	headSeq  int64
	headHash [HashSize]byte
	headAt   time.Time
	buf      []byte // reused encoding buffer
	err      error  // the first break; sticky
	finished bool
}

// NewVerifier returns a Verifier for a log that must contain every
// checkpoint given: the log must reach each checkpoint's number, and the
// event there must have the checkpoint's hash. With no checkpoints only the
// chain is checked, which cannot detect events cut off the end of the log.
//
// NewVerifier does not check signatures: call VerifySignature on each
// checkpoint with the trusted public key first. It returns a drive.EINVALID
// error if a checkpoint is malformed or two checkpoints disagree about the
// same event.
func NewVerifier(checkpoints ...Checkpoint) (*Verifier, error) {
	v := &Verifier{buf: make([]byte, 0, 512)}
	for _, cp := range checkpoints {
		if err := cp.Validate(); err != nil {
			return nil, err
		}
		if cp.Seq == 0 {
			// Vouches only for the genesis hash, which Validate checked.
			v.matched++
			continue
		}
		cp.Hash = bytes.Clone(cp.Hash)
		cp.Signature = bytes.Clone(cp.Signature)
		v.cps = append(v.cps, cp)
	}
	sort.SliceStable(v.cps, func(i, j int) bool { return v.cps[i].Seq < v.cps[j].Seq })
	for i := 1; i < len(v.cps); i++ {
		if v.cps[i].Seq == v.cps[i-1].Seq && !bytes.Equal(v.cps[i].Hash, v.cps[i-1].Hash) {
			return nil, drive.Errorf(drive.EINVALID, "The checkpoints disagree about the hash of event %d; at most one of them can be genuine.", v.cps[i].Seq)
		}
	}
	return v, nil
}

// Add checks the next event of the log. It returns a *BreakError at the
// first event that breaks the chain or contradicts a checkpoint; after
// that, and after Finish, it returns the same error without checking more.
// e is not retained.
func (v *Verifier) Add(e Event) error {
	if v.err != nil {
		return v.err
	}
	if v.finished {
		return drive.Errorf(drive.EINTERNAL, "audit: event added to a finished verification")
	}
	want := v.headSeq + 1

	// Contents first: an event whose number was edited should be reported
	// as edited, not as a deletion or a reordering.
	v.buf = appendEvent(v.buf[:0], e)
	if sum := sha256.Sum256(v.buf); len(e.Hash) != HashSize || !bytes.Equal(sum[:], e.Hash) {
		return v.fail(&BreakError{Seq: want, Kind: BreakEdited, Found: e.Seq})
	}
	switch {
	case e.Seq > want:
		return v.fail(&BreakError{Seq: want, Kind: BreakMissing, Found: e.Seq})
	case e.Seq < want:
		return v.fail(&BreakError{Seq: want, Kind: BreakOutOfOrder, Found: e.Seq})
	}
	if !bytes.Equal(e.PrevHash, v.headHash[:]) {
		return v.fail(&BreakError{Seq: want, Kind: BreakUnlinked, Found: e.Seq})
	}
	for ; v.next < len(v.cps) && v.cps[v.next].Seq == e.Seq; v.next++ {
		if !bytes.Equal(v.cps[v.next].Hash, e.Hash) {
			cp := v.cps[v.next]
			return v.fail(&BreakError{Seq: want, Kind: BreakCheckpoint, Found: e.Seq, Checkpoint: &cp})
		}
		v.matched++
	}
	v.events++
	v.headSeq = e.Seq
	copy(v.headHash[:], e.Hash)
	v.headAt = e.At
	return nil
}

// fail records the first break.
func (v *Verifier) fail(err *BreakError) error {
	v.err = err
	return err
}

// Finish ends the verification. It returns the report and nil if the log
// is intact and reaches every checkpoint; otherwise the report of the intact
// part before the break, and the *BreakError. A log that ends before a
// checkpoint's event is reported as BreakTruncated.
func (v *Verifier) Finish() (Report, error) {
	v.finished = true
	r := Report{
		Events:      v.events,
		HeadSeq:     v.headSeq,
		HeadHash:    bytes.Clone(v.headHash[:]),
		HeadAt:      v.headAt,
		Checkpoints: v.matched,
	}
	if v.err != nil {
		return r, v.err
	}
	if v.next < len(v.cps) {
		cp := v.cps[len(v.cps)-1]
		return r, v.fail(&BreakError{Seq: v.headSeq + 1, Kind: BreakTruncated, Found: v.headSeq, Checkpoint: &cp})
	}
	return r, nil
}
