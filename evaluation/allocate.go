package evaluation

import (
	"crypto/sha256"
	"encoding/binary"
	"io"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/outcomes"
)

// The two arms of a trial, allocated 1:1.
const (
	ArmIntervention = outcomes.ArmIntervention
	ArmComparison   = outcomes.ArmComparison
)

// Risk bands a trial is stratified by.
const (
	BandHigh     = "high"
	BandMedium   = "medium"
	BandStandard = "standard"
)

// Stratum is a site and risk band: allocation is balanced within each.
// The zero Stratum is never a real stratum: Balance reports the totals of
// all strata under it.
type Stratum struct {
	Site int64
	Band string
}

// Allocation is one referral's arm and where it sits in its stratum's
// sequence: the Seq-th referral of the stratum, at Position (from 1) in its
// Block (from 1).
type Allocation struct {
	Stratum  Stratum
	Seq      int
	Arm      string
	Block    int
	Position int
	BlockLen int // 4 or 6
}

// Allocator allocates referrals for a trial. It holds the trial's seed,
// which stays with the service: anyone with the seed can predict the
// sequence, so it is never shown until the trial is over and audited.
type Allocator struct {
	seed uint64
}

// NewAllocator returns the allocator for a trial's seed.
func NewAllocator(seed uint64) *Allocator { return &Allocator{seed: seed} }

// NewSeed draws a trial seed from r (pass crypto/rand.Reader).
// Errors: EINTERNAL when r fails.
func NewSeed(r io.Reader) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, drive.Wrap(err, drive.EINTERNAL, "could not draw an allocation seed")
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// Allocate returns the allocation of the seq-th (from 1) eligible referral
// of band at site. The answer depends only on the seed, the stratum and
// seq, so any allocation can be recomputed for audit and calling order does
// not matter; nothing is computed ahead or kept. Errors: EINVALID for an
// unknown band, a site id below 1 or seq below 1.
func (a *Allocator) Allocate(site int64, band string, seq int) (Allocation, error) {
	f := map[string]string{}
	switch band {
	case BandHigh, BandMedium, BandStandard:
	default:
		f["band"] = "Choose a risk band: high, medium or standard"
	}
	if site < 1 {
		f["site"] = "Choose a site"
	}
	if seq < 1 {
		f["seq"] = "The referral's place in its stratum starts at 1"
	}
	if len(f) > 0 {
		return Allocation{}, drive.Invalid("Check the allocation", f)
	}
	st := Stratum{site, band}
	start := 1 // the seq of the block's first place
	for block := 1; ; block++ {
		arms := a.block(st, block)
		if seq < start+len(arms) {
			pos := seq - start + 1
			return Allocation{Stratum: st, Seq: seq, Arm: arms[pos-1], Block: block, Position: pos, BlockLen: len(arms)}, nil
		}
		start += len(arms)
	}
}

// block returns the arms of a stratum's block, in order: 4 or 6 places,
// half of each arm. The randomness is SHA-256 of the seed, the stratum and
// the block's number, spelled out here rather than taken from math/rand so
// the sequence is the same under every Go version and can be recomputed
// from this description alone.
func (a *Allocator) block(st Stratum, block int) []string {
	s := &stream{}
	s.prefix = binary.BigEndian.AppendUint64([]byte("drive-allocation\x00"), a.seed)
	s.prefix = binary.BigEndian.AppendUint64(s.prefix, uint64(st.Site))
	s.prefix = append(append(s.prefix, st.Band...), 0)
	s.prefix = binary.BigEndian.AppendUint64(s.prefix, uint64(block))
	n := 4
	if s.below(2) == 1 {
		n = 6
	}
	arms := make([]string, n)
	for i := range arms {
		if i < n/2 {
			arms[i] = ArmIntervention
		} else {
			arms[i] = ArmComparison
		}
	}
	for i := n - 1; i > 0; i-- { // Fisher-Yates
		j := s.below(i + 1)
		arms[i], arms[j] = arms[j], arms[i]
	}
	return arms
}

// stream is a deterministic byte stream: SHA-256(prefix, counter) for
// counter 0, 1, 2...
type stream struct {
	prefix  []byte
	counter uint64
	buf     []byte
}

func (s *stream) byte() byte {
	if len(s.buf) == 0 {
		sum := sha256.Sum256(binary.BigEndian.AppendUint64(append([]byte(nil), s.prefix...), s.counter))
		s.counter++
		s.buf = sum[:]
	}
	b := s.buf[0]
	s.buf = s.buf[1:]
	return b
}

// below returns a uniform integer in [0, n) for 1 <= n <= 256, rejecting
// the bytes that would bias it.
func (s *stream) below(n int) int {
	limit := 256 - 256%n
	for {
		if b := int(s.byte()); b < limit {
			return b % n
		}
	}
}

// Counts is how many referrals were allocated to each arm, and the
// difference between them.
type Counts struct {
	Intervention int
	Comparison   int
	Imbalance    int // |Intervention - Comparison|
}

// Balance counts allocations per arm in each stratum and, under the zero
// Stratum{}, across all of them.
func Balance(allocs []Allocation) map[Stratum]Counts {
	out := map[Stratum]Counts{{}: {}}
	add := func(k Stratum, arm string) {
		c := out[k]
		switch arm {
		case ArmIntervention:
			c.Intervention++
		case ArmComparison:
			c.Comparison++
		}
		c.Imbalance = c.Intervention - c.Comparison
		if c.Imbalance < 0 {
			c.Imbalance = -c.Imbalance
		}
		out[k] = c
	}
	for _, a := range allocs {
		add(a.Stratum, a.Arm)
		add(Stratum{}, a.Arm)
	}
	return out
}

// String and GoString keep the seed out of logs: whoever reads it can
// predict the allocations still to come.
func (a *Allocator) String() string   { return "evaluation.Allocator(seed withheld)" }
func (a *Allocator) GoString() string { return a.String() }
