package linkage

import (
	"math"
	"slices"
)

// Households.
//
// The model adds the evidence of each field as if the fields were
// independent among pairs of different people. For most fields they nearly
// are, but not for a surname and a postcode: the people of one household
// share both. Two different people picked at random agree on a postcode
// about once in millions of pairs and on a surname once in a hundred, and
// the product says that agreeing on both happens once in hundreds of
// millions; yet every household of two or more holds such a pair. Counted
// as independent, a shared surname and address outweigh a differing date
// of birth, and a mother and daughter of one name (or a record with little
// but a surname and an address) join one person.
//
// The household adjustment measures that dependence in the data at hand and
// takes it back: when both the surname and the postcode agree exactly, the
// match weight gets log2(u(surname) u(postcode) / u(both)), where u(both) is
// the share of pairs of different people agreeing on both, counted from the
// records. The adjustment is never positive; in a file without households
// (each surname and postcode drawn on its own) it is about zero.

// householdFields returns the fields the adjustment reads: the first surname
// and postcode fields, and the given-name and date fields that tell the
// members of a household apart. ok is false when one is absent.
type householdFields struct {
	surname, postcode, given, date int
}

func findHouseholdFields(t *Table) (householdFields, bool) {
	h := householdFields{-1, -1, -1, -1}
	for f, fl := range t.fields {
		switch {
		case fl.Kind == KindSurname && h.surname < 0:
			h.surname = f
		case fl.Kind == KindPostcode && h.postcode < 0:
			h.postcode = f
		case fl.Kind == KindGiven && h.given < 0:
			h.given = f
		case fl.Kind == KindDate && h.date < 0:
			h.date = f
		}
	}
	return h, h.surname >= 0 && h.postcode >= 0 && h.given >= 0 && h.date >= 0
}

// householdBlockLimit bounds the records of one surname and postcode that
// are compared when counting household pairs: a larger group is not a
// household but a data error (a placeholder postcode), and is left out.
const householdBlockLimit = 100

// householdPseudoPairs is the weight, in pairs, of the assumption that
// surname and postcode are independent: the dependence is taken from the
// data only as far as more pairs than this show it.
const householdPseudoPairs = 10

// estimateHousehold returns the household adjustment in bits (see above),
// or 0 when the table lacks the fields or the data show no dependence.
//
// u(both) is counted from the pairs agreeing on surname and postcode whose
// given names and dates of birth both plainly differ (the given name at
// "different", the date "different" or "far apart"). Among pairs of
// different people those two levels are common and, for members of a
// household as for anyone, about independent of the address, so dividing
// their count by their chance u gives the pairs of different people
// agreeing on surname and postcode. The few pairs of one person whose
// given name and date both differ are taken off first, as the model
// expects them (lambda m m m m). All shares are among the records holding
// all four fields.
func estimateHousehold(t *Table, cmp *comparer, m, u [][]float64, prior float64) float64 {
	hf, ok := findHouseholdFields(t)
	if !ok {
		return 0
	}
	nf := len(t.fields)
	type keyed struct {
		key uint64
		rec uint32
	}
	var entries []keyed // by surname<<32 | postcode
	for i := 0; i < t.Len(); i++ {
		v := t.vals[i*nf : i*nf+nf]
		if v[hf.surname] == 0 || v[hf.postcode] == 0 || v[hf.given] == 0 || v[hf.date] == 0 {
			continue
		}
		entries = append(entries, keyed{uint64(v[hf.surname])<<32 | uint64(v[hf.postcode]), uint32(i)})
	}
	n := float64(len(entries))
	if n < 2 {
		return 0
	}
	slices.SortFunc(entries, func(x, y keyed) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return int(x.rec) - int(y.rec)
	})
	var differ float64 // pairs agreeing on both whose given name and date differ
	for lo := 0; lo < len(entries); {
		hi := lo + 1
		for hi < len(entries) && entries[hi].key == entries[lo].key {
			hi++
		}
		if hi-lo <= householdBlockLimit {
			for x := lo; x < hi; x++ {
				va := t.vals[int(entries[x].rec)*nf : int(entries[x].rec)*nf+nf]
				for y := x + 1; y < hi; y++ {
					vb := t.vals[int(entries[y].rec)*nf : int(entries[y].rec)*nf+nf]
					if cmp.level(nil, hf.given, va, vb) != nameOther {
						continue
					}
					if l := cmp.level(nil, hf.date, va, vb); l == dateOther || l == dateFar {
						differ++
					}
				}
			}
		}
		lo = hi
	}
	pairs := n * (n - 1) / 2
	lambda := math.Exp2(prior) / (1 + math.Exp2(prior))
	mDiffer := m[hf.given][nameOther] * (m[hf.date][dateOther] + m[hf.date][dateFar])
	uDiffer := u[hf.given][nameOther] * (u[hf.date][dateOther] + u[hf.date][dateFar])
	differ -= lambda * pairs * m[hf.surname][nameExact] * m[hf.postcode][postExact] * mDiffer
	independent := u[hf.surname][nameExact] * u[hf.postcode][postExact]
	// expected is the count of such pairs if surname and postcode were
	// independent. The ratio of the count to it is shrunk towards one by
	// householdPseudoPairs, so that a small file, where a handful of pairs
	// decide the count, shows no dependence it cannot support.
	expected := (1 - lambda) * pairs * uDiffer * independent
	ratio := (max(differ, 0) + householdPseudoPairs) / (expected + householdPseudoPairs)
	return max(min(-math.Log2(ratio), 0), -maxWeight)
}
