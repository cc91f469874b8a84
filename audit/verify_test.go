package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

// verifyAll streams events through a new Verifier with the checkpoints.
func verifyAll(events []Event, cps ...Checkpoint) (Report, error) {
	v, err := NewVerifier(cps...)
	if err != nil {
		return Report{}, err
	}
	for _, e := range events {
		if err := v.Add(e); err != nil {
			break
		}
	}
	return v.Finish()
}

// cloneEvent copies e deeply, so that edits to the copy's hashes leave the
// original alone.
func cloneEvent(e Event) Event {
	e.PrevHash = bytes.Clone(e.PrevHash)
	e.Hash = bytes.Clone(e.Hash)
	return e
}

func cloneChain(events []Event) []Event {
	out := make([]Event, len(events))
	for i, e := range events {
		out[i] = cloneEvent(e)
	}
	return out
}

// headCheckpoint is an (unsigned) checkpoint of the newest event of events.
func headCheckpoint(events []Event) Checkpoint {
	if len(events) == 0 {
		return Checkpoint{Seq: 0, Hash: GenesisHash(), At: testTime()}
	}
	last := events[len(events)-1]
	return Checkpoint{Seq: last.Seq, Hash: bytes.Clone(last.Hash), At: testTime().Add(time.Hour)}
}

func TestVerifyIntact(t *testing.T) {
	for _, n := range []int{0, 1, 2, 50} {
		events := buildChain(t, n)
		rep, err := verifyAll(events, headCheckpoint(events))
		if err != nil {
			t.Fatalf("%d events: %v", n, err)
		}
		if rep.Events != int64(n) || rep.HeadSeq != int64(n) || rep.Checkpoints != 1 {
			t.Errorf("%d events: report %+v", n, rep)
		}
		wantHash := GenesisHash()
		if n > 0 {
			wantHash = events[n-1].Hash
			if !rep.HeadAt.Equal(events[n-1].At) {
				t.Errorf("head time %v, want %v", rep.HeadAt, events[n-1].At)
			}
		}
		if !bytes.Equal(rep.HeadHash, wantHash) {
			t.Errorf("%d events: head hash %x, want %x", n, rep.HeadHash, wantHash)
		}
		if _, err := verifyAll(events); err != nil {
			t.Errorf("%d events without a checkpoint: %v", n, err)
		}
	}
}

// forge returns e with its hash recomputed, as someone who knows the
// algorithm (it is public) and can write to the table would do.
func forge(e Event) Event { return Seal(e.PrevHash, e) }

func TestVerifyTampering(t *testing.T) {
	const n = 10
	type tamper struct {
		name       string
		change     func([]Event) []Event
		checkpoint bool // verify against a checkpoint of the original head
		wantSeq    int64
		wantKind   BreakKind
		wantFound  int64
	}
	var tests []tamper

	// Edit each field in turn, in the first, a middle and the last event.
	fields := []struct {
		name string
		edit func(*Event)
	}{
		{"seq", func(e *Event) { e.Seq += 100 }},
		{"at", func(e *Event) { e.At = e.At.Add(time.Microsecond) }},
		{"actor id", func(e *Event) { e.ActorID++ }},
		{"actor role", func(e *Event) { e.ActorRole += "x" }},
		{"action", func(e *Event) { e.Action = ActionRecordRead + "x" }},
		{"record type", func(e *Event) { e.RecordType = "child" }},
		{"record id", func(e *Event) { e.RecordID += "0" }},
		{"site id", func(e *Event) { e.SiteID += 5 }},
		{"remote", func(e *Event) { e.Remote = "203.0.113.66" }},
		{"reason", func(e *Event) { e.Reason += "." }},
		{"outcome", func(e *Event) { e.Outcome = OutcomeDenied + "x" }},
		{"prev hash", func(e *Event) { e.PrevHash[5] ^= 1 }},
		{"hash", func(e *Event) { e.Hash[31] ^= 0x80 }},
		{"hash removed", func(e *Event) { e.Hash = nil }},
		{"hash too long", func(e *Event) { e.Hash = append(e.Hash, 0) }},
	}
	for _, f := range fields {
		for _, k := range []int{1, 5, n} {
			found := int64(k)
			if f.name == "seq" {
				found += 100
			}
			tests = append(tests, tamper{
				name: "edit " + f.name + " of event " + itoa(k),
				change: func(ev []Event) []Event {
					f.edit(&ev[k-1])
					return ev
				},
				wantSeq: int64(k), wantKind: BreakEdited, wantFound: found,
			})
		}
	}

	del := func(k int) func([]Event) []Event {
		return func(ev []Event) []Event { return append(ev[:k-1], ev[k:]...) }
	}
	tests = append(tests,
		tamper{name: "delete first", change: del(1), wantSeq: 1, wantKind: BreakMissing, wantFound: 2},
		tamper{name: "delete middle", change: del(5), wantSeq: 5, wantKind: BreakMissing, wantFound: 6},
		tamper{name: "delete three", change: func(ev []Event) []Event { return append(ev[:3], ev[6:]...) },
			wantSeq: 4, wantKind: BreakMissing, wantFound: 7},
		tamper{name: "delete last with checkpoint", change: del(n), checkpoint: true,
			wantSeq: n, wantKind: BreakTruncated, wantFound: n - 1},
		tamper{name: "truncate with checkpoint", change: func(ev []Event) []Event { return ev[:4] }, checkpoint: true,
			wantSeq: 5, wantKind: BreakTruncated, wantFound: 4},
		tamper{name: "empty with checkpoint", change: func(ev []Event) []Event { return nil }, checkpoint: true,
			wantSeq: 1, wantKind: BreakTruncated, wantFound: 0},
		tamper{name: "swap adjacent", change: func(ev []Event) []Event { ev[3], ev[4] = ev[4], ev[3]; return ev },
			wantSeq: 4, wantKind: BreakMissing, wantFound: 5},
		tamper{name: "swap first and last", change: func(ev []Event) []Event { ev[0], ev[n-1] = ev[n-1], ev[0]; return ev },
			wantSeq: 1, wantKind: BreakMissing, wantFound: n},
		tamper{name: "move earlier event later", change: func(ev []Event) []Event {
			moved := ev[2]
			ev = append(ev[:2], ev[3:]...)
			return append(ev[:6], append([]Event{moved}, ev[6:]...)...)
		}, wantSeq: 3, wantKind: BreakMissing, wantFound: 4},
		tamper{name: "duplicate", change: func(ev []Event) []Event {
			return append(ev[:5], append([]Event{cloneEvent(ev[4])}, ev[5:]...)...)
		}, wantSeq: 6, wantKind: BreakOutOfOrder, wantFound: 5},
		tamper{name: "duplicate last", change: func(ev []Event) []Event { return append(ev, cloneEvent(ev[n-1])) },
			wantSeq: n + 1, wantKind: BreakOutOfOrder, wantFound: n},
		tamper{name: "replay old event at end", change: func(ev []Event) []Event { return append(ev, cloneEvent(ev[1])) },
			wantSeq: n + 1, wantKind: BreakOutOfOrder, wantFound: 2},
		tamper{name: "insert forged event", change: func(ev []Event) []Event {
			// A well-formed event numbered 5 linked to event 4: the forger
			// cannot also make the real event 5 follow it.
			fake, _ := HeadOf(ev[3]).Next(sampleEvent(99))
			return append(ev[:4], append([]Event{fake}, ev[4:]...)...)
		}, wantSeq: 6, wantKind: BreakOutOfOrder, wantFound: 5},
		tamper{name: "insert and renumber without rehashing", change: func(ev []Event) []Event {
			fake, _ := HeadOf(ev[3]).Next(sampleEvent(99))
			for i := 4; i < n; i++ {
				ev[i].Seq++
			}
			return append(ev[:4], append([]Event{fake}, ev[4:]...)...)
		}, wantSeq: 6, wantKind: BreakEdited, wantFound: 6},
		tamper{name: "insert, renumber and rehash the rest", change: func(ev []Event) []Event {
			fake, _ := HeadOf(ev[3]).Next(sampleEvent(99))
			out := append(ev[:4:4], fake)
			for _, e := range ev[4:] {
				e, _ = HeadOf(out[len(out)-1]).Next(e)
				out = append(out, e)
			}
			return out
		}, checkpoint: true, wantSeq: n, wantKind: BreakCheckpoint, wantFound: n},
		tamper{name: "replace event and rehash it", change: func(ev []Event) []Event {
			ev[4].RecordID = "9999"
			ev[4] = forge(ev[4])
			return ev
		}, wantSeq: 6, wantKind: BreakUnlinked, wantFound: 6},
		tamper{name: "replace first event's link and rehash it", change: func(ev []Event) []Event {
			ev[0].PrevHash = bytes.Repeat([]byte{7}, HashSize)
			ev[0] = forge(ev[0])
			return ev
		}, wantSeq: 1, wantKind: BreakUnlinked, wantFound: 1},
		tamper{name: "delete, renumber and rehash the rest", change: func(ev []Event) []Event {
			out := append([]Event{}, ev[:4]...)
			for _, e := range ev[5:] {
				e.Seq--
				e.PrevHash = out[len(out)-1].Hash
				out = append(out, forge(e))
			}
			return out
		}, checkpoint: true, wantSeq: n, wantKind: BreakTruncated, wantFound: n - 1},
		tamper{name: "rewrite last event with checkpoint", change: func(ev []Event) []Event {
			ev[n-1].Outcome = OutcomeDenied
			ev[n-1] = forge(ev[n-1])
			return ev
		}, checkpoint: true, wantSeq: n, wantKind: BreakCheckpoint, wantFound: n},
	)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := buildChain(t, n)
			got := tt.change(cloneChain(orig))
			var cps []Checkpoint
			if tt.checkpoint {
				cps = append(cps, headCheckpoint(orig))
			}
			rep, err := verifyAll(got, cps...)
			var be *BreakError
			if !errors.As(err, &be) {
				t.Fatalf("verify = %v, want a *BreakError", err)
			}
			if be.Seq != tt.wantSeq || be.Kind != tt.wantKind || be.Found != tt.wantFound {
				t.Errorf("break %+v (%v), want seq %d kind %s found %d", *be, be, tt.wantSeq, tt.wantKind, tt.wantFound)
			}
			if !IsBroken(err) {
				t.Error("IsBroken = false")
			}
			// The report covers exactly the part before the break.
			if rep.Events != tt.wantSeq-1 || rep.HeadSeq != tt.wantSeq-1 {
				t.Errorf("report %+v, want %d intact events", rep, tt.wantSeq-1)
			}
			if rep.HeadSeq > 0 && !bytes.Equal(rep.HeadHash, got[rep.HeadSeq-1].Hash) {
				t.Errorf("report head hash is not event %d's", rep.HeadSeq)
			}
			if !strings.HasPrefix(err.Error(), "audit log broken at event "+itoa(int(tt.wantSeq))+": ") {
				t.Errorf("message %q", err)
			}
		})
	}
}

// Without a checkpoint, what the chain cannot show: events cut off the
// end, and the newest event rewritten with its hash recomputed. This test
// documents the limit; the checkpoint cases above show the remedy.
func TestVerifyLimitsWithoutCheckpoint(t *testing.T) {
	orig := buildChain(t, 5)
	if _, err := verifyAll(orig[:3]); err != nil {
		t.Errorf("truncated log without checkpoint: %v", err)
	}
	ev := cloneChain(orig)
	ev[4].Reason = "changed"
	ev[4] = forge(ev[4])
	if _, err := verifyAll(ev); err != nil {
		t.Errorf("rewritten last event without checkpoint: %v", err)
	}
}

func TestBreakMessages(t *testing.T) {
	cp := &Checkpoint{Seq: 50, At: time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)}
	tests := []struct {
		err  BreakError
		want string
	}{
		{BreakError{Seq: 42, Kind: BreakEdited, Found: 42},
			"audit log broken at event 42: its contents do not match its hash (the event was edited)"},
		{BreakError{Seq: 42, Kind: BreakEdited, Found: 142},
			"audit log broken at event 42: the event found there is numbered 142 and its contents do not match its hash (the event was edited)"},
		{BreakError{Seq: 42, Kind: BreakMissing, Found: 43},
			"audit log broken at event 42: the event is missing and event 43 comes next (event 42 was deleted or moved)"},
		{BreakError{Seq: 42, Kind: BreakMissing, Found: 45},
			"audit log broken at event 42: events 42 to 44 are missing and event 45 comes next (the events were deleted or moved)"},
		{BreakError{Seq: 42, Kind: BreakOutOfOrder, Found: 41},
			"audit log broken at event 42: event 41 appears a second time (an event was copied or inserted)"},
		{BreakError{Seq: 42, Kind: BreakOutOfOrder, Found: 7},
			"audit log broken at event 42: an event numbered 7 appears where event 42 belongs (events were reordered, copied or inserted)"},
		{BreakError{Seq: 42, Kind: BreakUnlinked, Found: 42},
			"audit log broken at event 42: it does not link to event 41 (one of the two was replaced, or events between them were deleted or inserted)"},
		{BreakError{Seq: 1, Kind: BreakUnlinked, Found: 1},
			"audit log broken at event 1: it does not link to the start of the log (events before it were deleted and the rest renumbered, or it was replaced)"},
		{BreakError{Seq: 41, Kind: BreakTruncated, Found: 40, Checkpoint: cp},
			"audit log broken at event 41: the log ends at event 40, but the checkpoint of 2026-04-01 12:00:00 UTC covers events up to 50 (events were deleted from the end of the log)"},
		{BreakError{Seq: 1, Kind: BreakTruncated, Found: 0, Checkpoint: cp},
			"audit log broken at event 1: the log is empty, but the checkpoint of 2026-04-01 12:00:00 UTC covers events up to 50 (events were deleted from the end of the log)"},
		{BreakError{Seq: 50, Kind: BreakCheckpoint, Found: 50, Checkpoint: cp},
			"audit log broken at event 50: its hash is not the one the checkpoint of 2026-04-01 12:00:00 UTC vouches for (the log was rewritten after the checkpoint was made)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.err.Kind, got, tt.want)
		}
	}
}

func TestVerifierCheckpoints(t *testing.T) {
	events := buildChain(t, 20)
	cpAt := func(seq int64) Checkpoint {
		return Checkpoint{Seq: seq, Hash: bytes.Clone(events[seq-1].Hash), At: testTime()}
	}
	// Several checkpoints, in any order, all matched.
	rep, err := verifyAll(events, cpAt(20), cpAt(3), Checkpoint{Hash: GenesisHash(), At: testTime()}, cpAt(11), cpAt(11))
	if err != nil || rep.Checkpoints != 5 {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	// An older checkpoint catches a rewrite that a newer, forged one hides.
	forged := cloneChain(events)
	forged[4].ActorID = 1
	forged[4] = forge(forged[4])
	for i := 5; i < len(forged); i++ {
		forged[i].PrevHash = forged[i-1].Hash
		forged[i] = forge(forged[i])
	}
	_, err = verifyAll(forged, cpAt(7), headCheckpoint(forged))
	var be *BreakError
	if !errors.As(err, &be) || be.Kind != BreakCheckpoint || be.Seq != 7 || be.Checkpoint == nil || be.Checkpoint.Seq != 7 {
		t.Errorf("rewrite before an old checkpoint: %v", err)
	}
	// Truncation is reported against the newest checkpoint.
	_, err = verifyAll(events[:5], cpAt(8), cpAt(15))
	if !errors.As(err, &be) || be.Kind != BreakTruncated || be.Checkpoint.Seq != 15 {
		t.Errorf("truncation: %v", err)
	}
	// A checkpoint with a wrong hash for the empty log, or disagreeing
	// checkpoints, are refused before any event is read.
	for _, cps := range [][]Checkpoint{
		{{Seq: 0, Hash: bytes.Repeat([]byte{1}, HashSize), At: testTime()}},
		{{Seq: 3, Hash: []byte{1}, At: testTime()}},
		{cpAt(4), {Seq: 4, Hash: events[3].PrevHash, At: testTime()}},
	} {
		if _, err := NewVerifier(cps...); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("NewVerifier(%v) = %v, want EINVALID", cps, err)
		}
	}
	// The verifier keeps its own copy of checkpoint hashes.
	cp := cpAt(2)
	v, _ := NewVerifier(cp)
	cp.Hash[0] ^= 1
	for _, e := range events {
		if err := v.Add(e); err != nil {
			t.Fatalf("checkpoint changed under the verifier: %v", err)
		}
	}
}

func TestVerifierUse(t *testing.T) {
	events := buildChain(t, 4)
	v, _ := NewVerifier()
	// The verifier does not keep the caller's slices: storage may reuse
	// its scan buffers.
	for _, e := range events {
		e = cloneEvent(e)
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
		e.Hash[0] ^= 1
	}
	rep, err := v.Finish()
	if err != nil || !bytes.Equal(rep.HeadHash, events[3].Hash) {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	if err := v.Add(events[0]); err == nil || IsBroken(err) {
		t.Errorf("Add after Finish = %v, want a misuse error", err)
	}

	// The first break is sticky.
	v, _ = NewVerifier()
	bad := cloneEvent(events[0])
	bad.ActorID = 12345
	first := v.Add(bad)
	if first == nil {
		t.Fatal("edited event accepted")
	}
	if err := v.Add(events[1]); err != first {
		t.Errorf("second Add = %v, want the first break %v", err, first)
	}
	if _, err := v.Finish(); err != first {
		t.Errorf("Finish = %v, want the first break", err)
	}
}

func TestReport(t *testing.T) {
	events := buildChain(t, 3)
	rep, err := verifyAll(events)
	if err != nil {
		t.Fatal(err)
	}
	want := "3 events; the newest is event 3, recorded 2026-03-02 09:30:02 UTC, with hash " +
		hexString(events[2].Hash) + "; no checkpoint checked"
	if rep.String() != want {
		t.Errorf("String() =\n%s\nwant\n%s", rep, want)
	}
	cp := rep.Checkpoint(time.Date(2026, 3, 3, 0, 0, 0, 999, time.UTC))
	if cp.Seq != 3 || !bytes.Equal(cp.Hash, events[2].Hash) || cp.At.Nanosecond() != 0 {
		t.Errorf("Checkpoint() = %+v", cp)
	}
	rep, _ = verifyAll(nil, Checkpoint{Hash: GenesisHash(), At: testTime()})
	if rep.String() != "no events; 1 checkpoint matched" {
		t.Errorf("empty: %q", rep)
	}
	if cp := rep.Checkpoint(testTime()); cp.Validate() != nil {
		t.Errorf("checkpoint of an empty log: %v", cp.Validate())
	}
	if cp := (Report{}).Checkpoint(testTime()); !isGenesis(cp.Hash) {
		t.Errorf("zero report checkpoint hash %x", cp.Hash)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestIsBroken(t *testing.T) {
	if IsBroken(nil) || IsBroken(errors.New("database is down")) || IsBroken(drive.Errorf(drive.EINVALID, "x")) {
		t.Error("IsBroken true for an error that proves nothing")
	}
	if !IsBroken(drive.Wrap(ErrBadSignature, drive.EINVALID, "x")) {
		t.Error("IsBroken false for a bad signature")
	}
}

// Mutations applied by FuzzVerify.
const (
	mutEdit = iota
	mutDelete
	mutSwap
	mutDuplicate
	mutCount
)

// editField changes one byte of field f of e (or appends a byte to an empty
// one). x may be 0, in which case nothing changes.
func editField(e *Event, f, pos, x byte) {
	xorString := func(s string) string {
		if s == "" {
			return string([]byte{x})
		}
		b := []byte(s)
		b[int(pos)%len(b)] ^= x
		return string(b)
	}
	xorBytes := func(b []byte) []byte {
		if len(b) == 0 {
			return []byte{x}
		}
		b[int(pos)%len(b)] ^= x
		return b
	}
	xorInt := func(v int64) int64 { return v ^ int64(x)<<(8*(pos%8)) }
	switch f % 13 {
	case 0:
		e.Seq = xorInt(e.Seq)
	case 1:
		e.At = time.UnixMicro(xorInt(e.At.UnixMicro())).UTC()
	case 2:
		e.ActorID = xorInt(e.ActorID)
	case 3:
		e.ActorRole = xorString(e.ActorRole)
	case 4:
		e.Action = xorString(e.Action)
	case 5:
		e.RecordType = xorString(e.RecordType)
	case 6:
		e.RecordID = xorString(e.RecordID)
	case 7:
		e.SiteID = xorInt(e.SiteID)
	case 8:
		e.Remote = xorString(e.Remote)
	case 9:
		e.Reason = xorString(e.Reason)
	case 10:
		e.Outcome = xorString(e.Outcome)
	case 11:
		e.PrevHash = xorBytes(e.PrevHash)
	case 12:
		e.Hash = xorBytes(e.Hash)
	}
}

func sameEvent(a, b Event) bool {
	return a.Seq == b.Seq && a.At.Equal(b.At) && a.ActorID == b.ActorID && a.ActorRole == b.ActorRole &&
		a.Action == b.Action && a.RecordType == b.RecordType && a.RecordID == b.RecordID &&
		a.SiteID == b.SiteID && a.Remote == b.Remote && a.Reason == b.Reason && a.Outcome == b.Outcome &&
		bytes.Equal(a.PrevHash, b.PrevHash) && bytes.Equal(a.Hash, b.Hash)
}

// isPrefix reports whether got is the first len(got) events of orig.
func isPrefix(got, orig []Event) bool {
	if len(got) > len(orig) {
		return false
	}
	for i := range got {
		if !sameEvent(got[i], orig[i]) {
			return false
		}
	}
	return true
}

// FuzzVerify builds a valid chain, applies the mutations the fuzzer chooses
// and checks that the verifier, given a checkpoint of the original head,
// reports a break exactly when the chain differs from the original, and
// without a checkpoint exactly when it is not a prefix of the original.
func FuzzVerify(f *testing.F) {
	f.Add(uint8(10), []byte{})
	f.Add(uint8(10), []byte{mutEdit, 4, 9, 0, 1})
	f.Add(uint8(10), []byte{mutEdit, 4, 9, 0, 0})
	f.Add(uint8(10), []byte{mutDelete, 9})
	f.Add(uint8(10), []byte{mutDelete, 0})
	f.Add(uint8(10), []byte{mutSwap, 2, 3})
	f.Add(uint8(10), []byte{mutSwap, 2, 2})
	f.Add(uint8(10), []byte{mutSwap, 2, 3, mutSwap, 2, 3})
	f.Add(uint8(10), []byte{mutDuplicate, 9, 10})
	f.Add(uint8(3), []byte{mutEdit, 0, 0, 0, 0x80, mutEdit, 1, 12, 7, 3})
	f.Fuzz(func(t *testing.T, n uint8, ops []byte) {
		orig := buildChain(t, int(n%24))
		got := cloneChain(orig)
		next := func() byte {
			if len(ops) == 0 {
				return 0
			}
			b := ops[0]
			ops = ops[1:]
			return b
		}
		for steps := 0; len(ops) > 0 && steps < 16; steps++ {
			op := next() % mutCount
			if len(got) == 0 {
				break
			}
			k := int(next()) % len(got)
			switch op {
			case mutEdit:
				field, pos, x := next(), next(), next()
				editField(&got[k], field, pos, x)
			case mutDelete:
				got = append(got[:k], got[k+1:]...)
			case mutSwap:
				j := int(next()) % len(got)
				got[k], got[j] = got[j], got[k]
			case mutDuplicate:
				j := int(next()) % (len(got) + 1)
				dup := cloneEvent(got[k])
				got = append(got[:j], append([]Event{dup}, got[j:]...)...)
			}
		}

		same := len(got) == len(orig) && isPrefix(got, orig)
		_, err := verifyAll(got, headCheckpoint(orig))
		if (err == nil) != same {
			t.Fatalf("with checkpoint: chain unchanged %v, but verify = %v", same, err)
		}
		checkBreak(t, err, len(orig))

		prefix := isPrefix(got, orig)
		_, err = verifyAll(got)
		if (err == nil) != prefix {
			t.Fatalf("without checkpoint: chain is a prefix %v, but verify = %v", prefix, err)
		}
		checkBreak(t, err, len(orig))
	})
}

// checkBreak checks that a non-nil err is a well-formed *BreakError.
func checkBreak(t *testing.T, err error, n int) {
	t.Helper()
	if err == nil {
		return
	}
	var be *BreakError
	if !errors.As(err, &be) {
		t.Fatalf("error %v is not a *BreakError", err)
	}
	if be.Seq < 1 || be.Seq > int64(n)+1 {
		t.Fatalf("break at %d in a log of %d events: %v", be.Seq, n, err)
	}
	if !strings.HasPrefix(err.Error(), "audit log broken at event ") || strings.Contains(err.Error(), "the chain is broken") {
		t.Fatalf("message %q", err)
	}
}

// BenchmarkVerify1M verifies a log of 1,000,000 events, built once. Event
// fields are made on the fly from small pools, as a storage scan would
// make them, so that the log's hashes (32 MB) are all that is held.
func BenchmarkVerify1M(b *testing.B) {
	const n = 1_000_000
	samples := make([]Event, 64)
	for i := range samples {
		samples[i] = sampleEvent(i)
	}
	recordIDs := make([]string, 1000)
	for i := range recordIDs {
		recordIDs[i] = itoa(100000 + i)
	}
	start := testTime()
	eventAt := func(i int) Event {
		e := samples[i%len(samples)]
		e.Seq = int64(i + 1)
		e.At = start.Add(time.Duration(i) * time.Millisecond)
		if e.RecordID != "" {
			e.RecordID = recordIDs[i%len(recordIDs)]
		}
		return e
	}
	hashes := make([]byte, (n+1)*HashSize) // hashes[0:32] is the genesis hash
	for i := range n {
		e := Seal(hashes[i*HashSize:(i+1)*HashSize], eventAt(i))
		copy(hashes[(i+1)*HashSize:], e.Hash)
	}
	b.ResetTimer()
	for b.Loop() {
		v, _ := NewVerifier()
		for i := range n {
			e := eventAt(i)
			e.PrevHash = hashes[i*HashSize : (i+1)*HashSize]
			e.Hash = hashes[(i+1)*HashSize : (i+2)*HashSize]
			if err := v.Add(e); err != nil {
				b.Fatal(err)
			}
		}
		if rep, err := v.Finish(); err != nil || rep.Events != n {
			b.Fatalf("report %+v, err %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/event")
}
