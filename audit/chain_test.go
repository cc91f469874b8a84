package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

// buildChain appends n sample events to an empty log.
func buildChain(tb testing.TB, n int) []Event {
	tb.Helper()
	var h Head
	events := make([]Event, 0, n)
	for i := range n {
		e, err := h.Next(sampleEvent(i))
		if err != nil {
			tb.Fatalf("Next(sample %d): %v", i, err)
		}
		events = append(events, e)
		h = HeadOf(e)
	}
	return events
}

// TestEncodingLayout rebuilds the encoding of one event byte by byte from
// the layout documented on Seal, so that the documentation (which outside
// verifiers rely on) and the code cannot drift apart.
func TestEncodingLayout(t *testing.T) {
	e := Event{
		Seq: 3, At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ActorID: 9, ActorRole: "idva",
		Action: "record.read", RecordType: "victim_case", RecordID: "77", SiteID: 2,
		Remote: "192.0.2.9", Reason: "", Outcome: "allowed", PrevHash: bytes.Repeat([]byte{0xab}, 32),
	}
	var want []byte
	u64 := func(v uint64) { want = binary.BigEndian.AppendUint64(want, v) }
	str := func(s string) { u64(uint64(len(s))); want = append(want, s...) }
	want = append(want, 1)
	str("drive/audit/event")
	u64(3)
	u64(uint64(e.At.UnixMicro()))
	u64(9)
	str("idva")
	str("record.read")
	str("victim_case")
	str("77")
	u64(2)
	str("192.0.2.9")
	str("")
	str("allowed")
	str(string(e.PrevHash))
	if got := appendEvent(nil, e); !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	sealed := Seal(e.PrevHash, e)
	if sum := sha256.Sum256(want); !bytes.Equal(sealed.Hash, sum[:]) {
		t.Fatalf("hash %x, want %x", sealed.Hash, sum)
	}
}

// TestHashStable pins the hash of a known event. If it fails, the encoding
// has changed and every stored log would appear broken: change
// EncodingVersion and keep the old encoding instead.
func TestHashStable(t *testing.T) {
	e := Seal(nil, Event{
		Seq: 1, At: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), ActorID: 42, ActorRole: "case_manager",
		Action: ActionRecordRead, RecordType: "perpetrator_case", RecordID: "1042", SiteID: 3,
		Remote: "198.51.100.7", Outcome: OutcomeAllowed,
	})
	const want = "b296a323290861cfd3da67c87081c5f1934fde8ed2688b8b8e2e336292659f1c"
	if got := hex.EncodeToString(e.Hash); got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
}

func TestSeal(t *testing.T) {
	e := sampleEvent(0)
	e.Seq = 1
	e.At = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", 3600))
	s := Seal(nil, e)
	if !bytes.Equal(s.PrevHash, GenesisHash()) {
		t.Errorf("first event links to %x, want the genesis hash", s.PrevHash)
	}
	if len(s.Hash) != HashSize {
		t.Fatalf("hash is %d bytes", len(s.Hash))
	}
	if s.At.Location() != time.UTC || s.At.Nanosecond() != 123456000 {
		t.Errorf("At = %v, want UTC truncated to microseconds", s.At)
	}
	if !bytes.Equal(Seal([]byte{}, e).Hash, s.Hash) {
		t.Error("an empty prev differs from nil")
	}
	// The time zone a database returns At in does not change the hash.
	if r := s; true {
		r.At = r.At.In(time.FixedZone("Y", -5*3600))
		if !bytes.Equal(Seal(r.PrevHash, r).Hash, s.Hash) {
			t.Error("hash depends on the time zone")
		}
	}
	// Seal copies prev: changing the caller's slice later changes nothing.
	prev := bytes.Repeat([]byte{1}, HashSize)
	s2 := Seal(prev, e)
	prev[0] = 9
	if s2.PrevHash[0] != 1 {
		t.Error("Seal kept the caller's prev slice")
	}
	// Genesis hashes are fresh slices.
	g := GenesisHash()
	g[0] = 1
	if !isGenesis(GenesisHash()) {
		t.Error("GenesisHash shares its slice")
	}
}

func TestHeadNext(t *testing.T) {
	events := buildChain(t, 3)
	for i, e := range events {
		if e.Seq != int64(i+1) {
			t.Errorf("event %d has number %d", i, e.Seq)
		}
		if i > 0 && !bytes.Equal(e.PrevHash, events[i-1].Hash) {
			t.Errorf("event %d does not link to the one before", e.Seq)
		}
	}
	// Chain fields the caller set are replaced.
	e := sampleEvent(0)
	e.Seq, e.PrevHash, e.Hash = 99, []byte("x"), []byte("y")
	got, err := HeadOf(events[2]).Next(e)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 4 || !bytes.Equal(got.PrevHash, events[2].Hash) || bytes.Equal(got.Hash, []byte("y")) {
		t.Errorf("Next did not assign the chain fields: %+v", got)
	}
	// A zero Head and a Head holding the genesis hash are both an empty log.
	a, _ := Head{}.Next(sampleEvent(0))
	b, _ := Head{Hash: GenesisHash()}.Next(sampleEvent(0))
	if !bytes.Equal(a.Hash, b.Hash) || !bytes.Equal(a.Hash, events[0].Hash) {
		t.Error("empty heads disagree")
	}

	if _, err := (Head{}).Next(Event{}); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("invalid event: %v, want EINVALID", err)
	}
	for _, h := range []Head{
		{Seq: -1},
		{Seq: 0, Hash: bytes.Repeat([]byte{1}, HashSize)},
		{Seq: 5, Hash: nil},
		{Seq: 5, Hash: []byte{1, 2}},
		{Seq: 1<<63 - 1, Hash: GenesisHash()},
	} {
		_, err := h.Next(sampleEvent(0))
		var de *drive.Error
		if !errors.As(err, &de) || de.Code != drive.EINTERNAL {
			t.Errorf("head %+v: %v, want EINTERNAL", h, err)
		}
	}
}

// FuzzEncoding checks that the encoding is unambiguous: two events with the
// same encoding are the same event.
func FuzzEncoding(f *testing.F) {
	f.Add(int64(1), int64(0), "ab", "c", "record.read", "", int64(1), int64(0), "ab", "c", "record.read")
	f.Add(int64(1), int64(0), "a", "bc", "record.read", "", int64(1), int64(0), "ab", "c", "record.read")
	f.Add(int64(2), int64(5), "", "", "", "x", int64(2), int64(5), "", "", "x")
	f.Fuzz(func(t *testing.T, seq1, at1 int64, role1, rtype1, action1, reason1 string, seq2, at2 int64, role2, rtype2, action2 string) {
		a := Event{Seq: seq1, At: time.UnixMicro(at1).UTC(), ActorRole: role1, RecordType: rtype1, Action: action1, Reason: reason1, PrevHash: []byte(role2)}
		b := Event{Seq: seq2, At: time.UnixMicro(at2).UTC(), ActorRole: role2, RecordType: rtype2, Action: action2, Reason: reason1, PrevHash: []byte(role1)}
		same := a.Seq == b.Seq && a.At.Equal(b.At) && a.ActorRole == b.ActorRole && a.RecordType == b.RecordType &&
			a.Action == b.Action && a.Reason == b.Reason && bytes.Equal(a.PrevHash, b.PrevHash)
		if enc := bytes.Equal(appendEvent(nil, a), appendEvent(nil, b)); enc != same {
			t.Fatalf("events equal %v but encodings equal %v:\n%+v\n%+v", same, enc, a, b)
		}
	})
}

// TestRequestIDSealed: an event's request id is covered by its hash when
// set, and an event without one hashes exactly as before ids existed
// (TestHashStable pins that hash), so a chain mixing both verifies and a
// changed or removed id breaks it.
func TestRequestIDSealed(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	var h Head
	var events []Event
	for i, id := range []string{"", "9f2c4e7a1b3d5f60", "", "0a1b2c3d4e5f6071"} {
		e, err := h.Next(Event{At: at.Add(time.Duration(i) * time.Second), Action: ActionRecordRead, Outcome: OutcomeAllowed, RequestID: id})
		if err != nil {
			t.Fatal(err)
		}
		h = Head{Seq: e.Seq, Hash: e.Hash}
		events = append(events, e)
	}
	without := Seal(events[1].PrevHash, Event{Seq: events[1].Seq, At: events[1].At, Action: events[1].Action, Outcome: events[1].Outcome})
	if bytes.Equal(without.Hash, events[1].Hash) {
		t.Fatal("the request id is not covered by the hash")
	}
	verify := func(evs []Event) error {
		v, err := NewVerifier()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if err := v.Add(e); err != nil {
				return err
			}
		}
		_, err = v.Finish()
		return err
	}
	if err := verify(events); err != nil {
		t.Fatalf("a chain mixing events with and without ids: %v", err)
	}
	for _, change := range []string{"", "ffffffffffffffff"} {
		tampered := append([]Event(nil), events...)
		tampered[3].RequestID = change
		if err := verify(tampered); err == nil {
			t.Errorf("changing a request id to %q went unnoticed", change)
		}
	}
	if err := (Event{At: at, Action: ActionRecordRead, Outcome: OutcomeOK, RequestID: "has space"}).Validate(); err == nil {
		t.Error("a request id with a space was accepted")
	}
}
