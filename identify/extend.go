package identify

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/linkage"
)

// Extending a site's people with new mentions, a batch at a time.
//
// Resolving a site links every mention it holds again (Resolve), which
// needs the linker's tables, candidate pairs and clusters for all of
// them at once: memory that grows with everything the site holds. A large
// extract is therefore resolved in full only up to a size (the service
// chooses it); past it, each further batch of mentions is linked against
// the people the site holds already, under the model the last full
// resolution learned (linkage.Model), by Extend:
//
//   - identical mentions are compared once (police extracts write the same
//     man the same way on dozens of incidents);
//   - each distinct new mention is compared with the held mentions and the
//     other new ones that share a blocking key with it (the same date of
//     birth; the same family name and given initial; the same given name
//     and year of birth), which the caller finds in the database, so only
//     the candidates of one batch are ever in memory;
//   - a pair links when its match probability under the kept model
//     reaches the model's threshold; a new mention joins the held person it
//     links to, or with the other new mentions it links to forms a new
//     person;
//   - a new mention that links to two held people bridges them, and they
//     are merged, as the full resolution would have joined them, unless
//     their dates of birth plainly differ or an analyst has ruled on either
//     (Fixed): then the mention joins the one it matches best.
//
// The answers are close to a full resolution's, not identical: the kept
// model has no term-frequency adjustments (a rare name that agrees counts
// as an average one), its probabilities were learned from the mentions of
// the last full resolution rather than all of them, and the linker's
// clustering checks (a cluster must cohere) are not repeated for held
// people. The test TestExtendAgreesWithFullResolution measures and bounds
// the difference on a synthetic force.

// Known is one distinct way a held person is written, with his id.
type Known struct {
	Person incident.Person
	ID     int64
	// Context is the suspect the mention was recorded with, for victims
	// (see ExtendOptions.Context); 0 otherwise.
	Context int64
}

// ExtendOptions tune Extend for the role linked.
type ExtendOptions struct {
	// Context, if set, holds each fresh mention's context (for victims:
	// the suspect of its incident; 0 for none). A fresh and a held mention
	// in one context (Known.Context) are two victims of one man, where the
	// prior that they are one person is even rather than the model's (see
	// victimContextPrior); their dates of birth must then not differ.
	Context []int64
	// Fixed says an analyst has ruled on a held person: he is never
	// merged with another by a bridging mention.
	Fixed func(id int64) bool
}

// Extension is what Extend found.
type Extension struct {
	// Into holds, for each fresh mention, the held person it joins (an id
	// above 0), or -k for the k-th new person (k from 1).
	Into []int64
	// New is the number of new people.
	New int
	// Merged maps each held person that a fresh mention bridged into
	// another to the person who keeps both (the lower id).
	Merged map[int64]int64
	// Pairs counts the pairs compared.
	Pairs int
}

// BlockingKeys are the keys Extend finds candidates by, for one person:
// the caller looks up held mentions that share any of them (the date of
// birth; the family name with the given initial; the given name with the
// year of birth). Names are folded to lower case for ASCII letters only,
// as the database's indexes fold them on either engine.
func BlockingKeys(p incident.Person) (dob drive.Date, familyInitial [2]string, given string, year int) {
	g, f := FoldASCII(strings.TrimSpace(p.GivenName)), FoldASCII(strings.TrimSpace(p.FamilyName))
	if !p.DOB.IsZero() {
		dob = p.DOB
		if g != "" {
			given, year = g, p.DOB.Year
		}
	}
	if f != "" && g != "" {
		r := []rune(g)
		familyInitial = [2]string{f, string(r[:1])}
	}
	return dob, familyInitial, given, year
}

// FoldASCII is s with the ASCII capitals made small, and nothing else
// changed: what lower() does on both engines under the indexes' collation.
func FoldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// blockKeys are BlockingKeys as strings, for an index in memory.
func blockKeys(p incident.Person) []string {
	dob, fi, given, year := BlockingKeys(p)
	var out []string
	if !dob.IsZero() {
		out = append(out, "d\x00"+dob.String())
	}
	if fi[0] != "" {
		out = append(out, "f\x00"+fi[0]+"\x00"+fi[1])
	}
	if given != "" {
		out = append(out, "g\x00"+given+"\x00"+strconv.Itoa(year))
	}
	return out
}

// mentionKey is what makes two mentions identical for Extend: the values
// the linker compares, letter case and spaces around them aside.
func mentionKey(p incident.Person) string {
	return strings.ToLower(strings.TrimSpace(p.GivenName)) + "\x00" + strings.ToLower(strings.TrimSpace(p.FamilyName)) + "\x00" +
		p.DOB.String() + "\x00" + strings.ToUpper(strings.ReplaceAll(p.Postcode, " ", ""))
}

// maxBlock bounds the records one blocking key brings together: a key
// shared by thousands (a placeholder name, a default date of birth) says
// little, and comparing every pair in it would not be bounded.
const maxBlock = 2000

// Extend links fresh mentions to the held people known (the held mentions
// that share a blocking key with any fresh one, BlockingKeys) under model,
// as described above. Fresh mentions with no name at all are left out
// (Into 0). Errors: EINVALID for a model that does not fit the fields.
func Extend(model *linkage.Model, known []Known, fresh []incident.Person, opt ExtendOptions) (*Extension, error) {
	out := &Extension{Into: make([]int64, len(fresh)), Merged: map[int64]int64{}}
	// Distinct fresh mentions (in their context, if any), each compared
	// once for all the fresh mentions that write it so.
	distinct := map[string]int{}
	var reps []int // fresh index of each distinct mention
	of := make([]int, len(fresh))
	for i, p := range fresh {
		if p.GivenName == "" && p.FamilyName == "" {
			of[i] = -1
			continue
		}
		k := mentionKey(p)
		if opt.Context != nil {
			k += "\x00" + strconv.FormatInt(opt.Context[i], 10)
		}
		d, ok := distinct[k]
		if !ok {
			d = len(reps)
			distinct[k] = d
			reps = append(reps, i)
		}
		of[i] = d
	}
	nk := len(known)
	ids := make([]string, 0, nk+len(reps))
	vals := make([][]string, 0, nk+len(reps))
	for j, k := range known {
		ids, vals = append(ids, "k"+strconv.Itoa(j)), append(vals, SuspectValues(k.Person))
	}
	for d, i := range reps {
		ids, vals = append(ids, "f"+strconv.Itoa(d)), append(vals, SuspectValues(fresh[i]))
	}
	if len(reps) == 0 {
		return out, nil
	}
	x, err := model.NewExplainer(ids, vals)
	if err != nil {
		return nil, err
	}
	// Blocks over the held and fresh records together.
	blocks := map[string][]int{}
	person := func(r int) incident.Person {
		if r < nk {
			return known[r].Person
		}
		return fresh[reps[r-nk]]
	}
	for r := range nk + len(reps) {
		for _, k := range blockKeys(person(r)) {
			blocks[k] = append(blocks[k], r)
		}
	}
	type link struct {
		a, b   int // records: a fresh, b held or fresh (b < a when fresh)
		weight float64
	}
	var links []link
	threshold := weightOf(model.Threshold)
	var cands []int
	for d := range reps {
		a := nk + d
		cands = cands[:0]
		for _, k := range blockKeys(person(a)) {
			if blk := blocks[k]; len(blk) <= maxBlock {
				cands = append(cands, blk...)
			}
		}
		slices.Sort(cands)
		for _, b := range slices.Compact(cands) {
			if b == a || (b >= nk && b > a) {
				continue // each fresh pair once, from its later record
			}
			out.Pairs++
			w, apart := x.Weigh(a, b)
			if c := contextOf(opt.Context, reps[d]); b < nk && c != 0 && known[b].Context == c {
				if apart {
					continue
				}
				w += victimContextPrior - model.Prior
			}
			if w >= threshold {
				links = append(links, link{a: a, b: b, weight: w})
			}
		}
	}
	// Strongest links first, so that a mention that cannot join both of
	// two held people joins the one it matches best.
	slices.SortFunc(links, func(p, q link) int {
		return cmp.Or(cmp.Compare(q.weight, p.weight), cmp.Compare(p.a, q.a), cmp.Compare(p.b, q.b))
	})
	// Union-find over records; each root remembers the held people in its
	// set.
	parent := make([]int, nk+len(reps))
	for i := range parent {
		parent[i] = i
	}
	held := make(map[int][]int, len(links)) // root -> held records, one per person
	for j := range known {
		held[j] = []int{j}
	}
	// Records of one held person start joined.
	first := map[int64]int{}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for j, k := range known {
		if f, ok := first[k.ID]; ok {
			parent[find(j)] = find(f)
			delete(held, j)
		} else {
			first[k.ID] = j
		}
	}
	for _, l := range links {
		ra, rb := find(l.a), find(l.b)
		if ra == rb {
			continue
		}
		ha, hb := held[ra], held[rb]
		if len(ha) > 0 && len(hb) > 0 && !mayMerge(x, known, ha, hb, opt.Fixed) {
			continue
		}
		parent[ra] = rb
		held[rb] = append(hb, ha...)
		delete(held, ra)
	}
	// Each set's person: the lowest held id in it, the others merged into
	// him; or a new person, numbered in order of first fresh mention.
	newNo := map[int]int64{}
	for i, d := range of {
		if d < 0 {
			continue
		}
		r := find(nk + d)
		if hs := held[r]; len(hs) > 0 {
			low := known[hs[0]].ID
			for _, h := range hs {
				low = min(low, known[h].ID)
			}
			for _, h := range hs {
				if id := known[h].ID; id != low {
					out.Merged[id] = low
				}
			}
			out.Into[i] = low
			continue
		}
		if _, ok := newNo[r]; !ok {
			out.New++
			newNo[r] = -int64(out.New)
		}
		out.Into[i] = newNo[r]
	}
	return out, nil
}

func contextOf(ctx []int64, i int) int64 {
	if ctx == nil {
		return 0
	}
	return ctx[i]
}

// mayMerge says whether two sets of held people may become one: neither
// ruled on by an analyst, and no pair of their mentions with dates of
// birth that plainly differ.
func mayMerge(x *linkage.Explainer, known []Known, ha, hb []int, fixed func(int64) bool) bool {
	if fixed != nil {
		for _, h := range append(slices.Clone(ha), hb...) {
			if fixed(known[h].ID) {
				return false
			}
		}
	}
	for _, a := range ha {
		for _, b := range hb {
			if _, apart := x.Weigh(a, b); apart {
				return false
			}
		}
	}
	return true
}

// weightOf is the log2 odds of probability p.
func weightOf(p float64) float64 {
	if p <= 0 || p >= 1 {
		return math.Inf(1)
	}
	return math.Log2(p / (1 - p))
}

// ParseModel reads a model kept by a full resolution. Errors: EINVALID
// for one that cannot be read.
func ParseModel(raw string) (*linkage.Model, error) {
	var m linkage.Model
	if err := json.Unmarshal([]byte(raw), &m); err != nil || len(m.Fields) != len(SuspectFields) {
		return nil, drive.Errorf(drive.EINVALID, "the kept linkage model cannot be read")
	}
	return &m, nil
}
