package linkage

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestParseBlockingRule(t *testing.T) {
	tests := []struct {
		in   string
		want BlockingRule
		back string
	}{
		{"surname", BlockingRule{[]BlockingKey{{[]string{"surname"}, ""}}}, "surname"},
		{"given|surname:phonetic+dob:year", BlockingRule{[]BlockingKey{{[]string{"given", "surname"}, "phonetic"}, {[]string{"dob"}, "year"}}}, "given|surname:phonetic+dob:year"},
		{" postcode:District + surname ", BlockingRule{[]BlockingKey{{[]string{"postcode"}, "district"}, {[]string{"surname"}, ""}}}, "postcode:district+surname"},
	}
	for _, tt := range tests {
		got, err := ParseBlockingRule(tt.in)
		if err != nil {
			t.Errorf("ParseBlockingRule(%q): %v", tt.in, err)
			continue
		}
		if got.String() != tt.back || len(got.Keys) != len(tt.want.Keys) {
			t.Errorf("ParseBlockingRule(%q) = %v, want %v", tt.in, got, tt.back)
		}
	}
	for _, bad := range []string{"", "+dob", "a|b|c", "dob+"} {
		if _, err := ParseBlockingRule(bad); err == nil {
			t.Errorf("ParseBlockingRule(%q) succeeded, want an error", bad)
		}
	}
}

func TestCompileRulesErrors(t *testing.T) {
	tb, _ := NewTable([]Field{{"given", KindGiven}, {"dob", KindDate}, {"town", KindPlace}})
	tests := []struct{ rule, want string }{
		{"surname", "names \"surname\", which is not a compared field"},
		{"dob:phonetic", "transform \"phonetic\" does not apply to date field \"dob\""},
		{"given:soundex", "unknown transform \"soundex\""},
		{"given|town", "cannot be compared"},
		{"dob:prefix", "transform \"prefix\" does not apply to date field \"dob\""},
	}
	for _, tt := range tests {
		r, err := ParseBlockingRule(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		_, err = compileRules(tb, []BlockingRule{r})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("rule %q: error %v, want one containing %q", tt.rule, err, tt.want)
		}
	}
}

func TestDefaultBlockingRules(t *testing.T) {
	rules := func(fields ...Field) []string {
		var out []string
		for _, r := range DefaultBlockingRules(fields) {
			out = append(out, r.String())
		}
		return out
	}
	people := rules(Field{"g", KindGiven}, Field{"s", KindSurname}, Field{"d", KindDate}, Field{"p", KindPostcode}, Field{"t", KindPlace}, Field{"nhs", KindExact})
	want := []string{
		"g|s:phonetic+d:year", "g|s:phonetic+d:monthday", "d+s:phonetic", "d+g:phonetic",
		"d+p:district", "g|s:phonetic+p:district", "nhs", "d", "g|s:phonetic",
		"g:phonetic+d:year", "s:phonetic+d:year", "g:phonetic+p:district", "s:phonetic+p:district",
		"nhs:prefix",
	}
	if !slices.Equal(people, want) {
		t.Errorf("rules for people =\n%q\nwant\n%q", people, want)
	}
	// Every table gets at least one rule, whatever its fields.
	for _, fields := range [][]Field{
		{{"e", KindExact}},
		{{"x", KindText}},
		{{"f", KindFullName}},
		{{"p", KindPlace}},
		{{"d", KindDate}},
		{{"s", KindSurname}, {"t", KindPlace}},
	} {
		if len(DefaultBlockingRules(fields)) == 0 {
			t.Errorf("no default rules for %v", fields)
		}
	}
}

// TestPrefixKey checks the prefix transform: values sharing their first four
// normalised characters share a key, whatever follows; shorter values have
// keys of their own; a missing value has none.
func TestPrefixKey(t *testing.T) {
	tb, err := NewTable([]Field{{"email", KindText}})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"e.shaw@smith-hall.biz", "e.shaw@smith-hall.lbiz", "E.SHAW@elsewhere.org", "e.sh", "e.s", "robert25@smith.net", ""} {
		if err := tb.Add(0, string(rune('a'+i)), []string{v}); err != nil {
			t.Fatal(err)
		}
	}
	key := func(i int) uint64 { return tb.keyPart(i, 0, "prefix") }
	if key(0) == 0 || key(0) != key(1) || key(0) != key(2) {
		t.Errorf("values sharing four leading characters have keys %x, %x, %x; want one key", key(0), key(1), key(2))
	}
	if key(3) != key(0) {
		t.Errorf("a four-character value has key %x, want its longer neighbours' %x", key(3), key(0))
	}
	if key(4) == key(0) || key(4) == 0 {
		t.Errorf("a three-character value has key %x, want one of its own", key(4))
	}
	if key(5) == key(0) {
		t.Errorf("different prefixes share key %x", key(5))
	}
	if key(6) != 0 {
		t.Errorf("a missing value has key %x, want none", key(6))
	}
}

// TestCandidatesAreTheUnionOfBlocks checks that visiting candidates yields
// exactly the union of the pairs of every kept block, each pair once, with
// the set of rules that hold it.
func TestCandidatesAreTheUnionOfBlocks(t *testing.T) {
	tb, _ := synthTestTable(t, 3000)
	rules, err := compileRules(tb, DefaultBlockingRules(tb.fields))
	if err != nil {
		t.Fatal(err)
	}
	b := buildBlocks(tb, rules, 50, 20_000, 2)
	want := map[[2]uint32]uint32{}
	for r := range rules {
		starts := b.starts[r]
		for blk := 0; blk+1 < len(starts); blk++ {
			m := b.members[r][starts[blk]:starts[blk+1]]
			for i := range m {
				for j := i + 1; j < len(m); j++ {
					want[[2]uint32{min(m[i], m[j]), max(m[i], m[j])}] |= 1 << r
				}
			}
		}
	}
	var mu sync.Mutex
	got := map[[2]uint32]uint32{}
	err = visitCandidates(context.Background(), tb, b, 2, false, func(_ int, x, y uint32, mask uint32) {
		mu.Lock()
		defer mu.Unlock()
		k := [2]uint32{x, y}
		if x >= y {
			t.Errorf("pair (%d, %d) is not ordered", x, y)
		}
		if _, dup := got[k]; dup {
			t.Errorf("pair (%d, %d) visited twice", x, y)
		}
		got[k] = mask
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("visited %d pairs, want %d", len(got), len(want))
	}
	for k, mask := range want {
		if got[k] != mask {
			t.Errorf("pair %v: rule set %b, want %b", k, got[k], mask)
		}
	}
	for r := range rules {
		if b.pairs[r] > 20_000 {
			t.Errorf("rule %d has %d pairs, over its budget", r, b.pairs[r])
		}
	}
}

// synthTestTable builds a table from the synthetic generator.
func synthTestTable(t testing.TB, n int) (*Table, []string) {
	t.Helper()
	tb, err := NewTable([]Field{{"given", KindGiven}, {"surname", KindSurname}, {"dob", KindDate}, {"postcode", KindPostcode}, {"town", KindPlace}})
	if err != nil {
		t.Fatal(err)
	}
	var truth []string
	for _, r := range synthRecords(n) {
		if err := tb.Add(0, r[0], r[1:6]); err != nil {
			t.Fatal(err)
		}
		truth = append(truth, r[6])
	}
	return tb, truth
}

// A rule over its pair budget splits its largest blocks by a tighter key
// instead of skipping them: every kept block still shares the rule's key,
// the budget holds, and more of the true pairs are kept than by skipping.
func TestLargeBlocksAreSplit(t *testing.T) {
	tb, truth := synthTestTable(t, 3000)
	rule, err := ParseBlockingRule("given:phonetic+dob:year")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := compileRules(tb, []BlockingRule{rule})
	if err != nil {
		t.Fatal(err)
	}
	if rules[0].finer == nil || rules[0].finer.rule.String() != "given:phonetic+dob:yearmonth" {
		t.Fatalf("finer rule %v, want given:phonetic+dob:yearmonth", rules[0].finer)
	}
	truePairs := func(b *blocks) int {
		n := 0
		for blk := 0; blk+1 < len(b.starts[0]); blk++ {
			m := b.members[0][b.starts[0][blk]:b.starts[0][blk+1]]
			key := tb.blockKey(int(m[0]), &rules[0], 0)
			for i := range m {
				if tb.blockKey(int(m[i]), &rules[0], 0) != key {
					t.Fatalf("block %d holds records of different keys", blk)
				}
				if i > 0 && m[i] <= m[i-1] {
					t.Fatalf("block %d is not in record order", blk)
				}
				for j := i + 1; j < len(m); j++ {
					if truth[m[i]] == truth[m[j]] {
						n++
					}
				}
			}
		}
		return n
	}
	const budget = 2000
	split := buildBlocks(tb, rules, 1000, budget, 1)
	if split.pairs[0] > budget || split.split[0] == 0 {
		t.Fatalf("%d pairs, %d blocks split; want at most %d pairs and some blocks split", split.pairs[0], split.split[0], budget)
	}
	if again := buildBlocks(tb, rules, 1000, budget, 2); !slices.Equal(again.members[0], split.members[0]) || !slices.Equal(again.starts[0], split.starts[0]) {
		t.Error("the blocks differ with two workers")
	}
	rules[0].finer = nil
	skip := buildBlocks(tb, rules, 1000, budget, 1)
	t.Logf("split: %d pairs, %d blocks, %d split, %d skipped; skip: %d pairs, %d blocks, %d skipped", split.pairs[0], len(split.starts[0])-1, split.split[0], split.skipped[0], skip.pairs[0], len(skip.starts[0])-1, skip.skipped[0])
	if got, was := truePairs(split), truePairs(skip); got <= was {
		t.Errorf("splitting keeps %d true pairs, skipping %d; want more", got, was)
	}
}
