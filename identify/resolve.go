package identify

import (
	"context"
	"strconv"

	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/linkage"
)

// Resolve turns incident records into scoring input: the suspects named
// across the incidents are linked into people with the record linker
// (the same man under several spellings and dates of birth becomes one
// suspect), and so are the victims, so that "distinct victims" counts
// people, not mentions. Suspect and victim keys are "S<n>" and "V<n>",
// stable for the same input and seed.
func Resolve(ctx context.Context, recs []incident.Record, seed uint64) ([]Incident, error) {
	out, _, err := ResolveWithModel(ctx, recs, seed)
	return out, err
}

// SuspectFields are the fields the suspects are linked on, in the order of
// the learned model's fields: never the victim's, so that what explains a
// suspect's link says nothing of her.
var SuspectFields = []linkage.Field{{Name: "given", Kind: linkage.KindGiven}, {Name: "family", Kind: linkage.KindSurname},
	{Name: "dob", Kind: linkage.KindDate}, {Name: "postcode", Kind: linkage.KindPostcode}}

// SuspectValues are a suspect's values in the order of SuspectFields.
func SuspectValues(p incident.Person) []string {
	return []string{p.GivenName, p.FamilyName, p.DOB.String(), p.Postcode}
}

// ResolveWithModel is Resolve that also returns the model the linker
// learned for the suspects, to explain a pair of their records later
// (linkage.Model.ExplainPair); nil when there were fewer than two records
// to learn from.
func ResolveWithModel(ctx context.Context, recs []incident.Record, seed uint64) ([]Incident, *linkage.Model, error) {
	suspects, model, err := cluster(ctx, recs, seed, func(r incident.Record) (incident.Person, bool) { return r.Suspect, true })
	if err != nil {
		return nil, nil, err
	}
	victims, err := resolveVictims(ctx, recs, suspects, seed)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Incident, len(recs))
	for i, r := range recs {
		in := Incident{Ref: r.Ref, On: r.On, Type: r.Type, Crime: r.Crime, SuspectID: "S" + strconv.Itoa(suspects[i])}
		if v := victims[i]; v > 0 {
			key := "V" + strconv.Itoa(v)
			in.VictimIDs = []string{key}
			if r.Victim.Age > 0 {
				in.VictimAges = map[string]int{key: r.Victim.Age}
			}
		}
		out[i] = in
	}
	return out, model, nil
}

// cluster links the people pick returns for each record; records with no
// person get 0. It returns the learned model too (nil for fewer than two
// people).
func cluster(ctx context.Context, recs []incident.Record, seed uint64, pick func(incident.Record) (incident.Person, bool)) ([]int, *linkage.Model, error) {
	t, err := linkage.NewTable(SuspectFields)
	if err != nil {
		return nil, nil, err
	}
	var rows []int
	for i, r := range recs {
		p, ok := pick(r)
		if !ok {
			continue
		}
		if err := t.Add(0, strconv.Itoa(i), SuspectValues(p)); err != nil {
			return nil, nil, err
		}
		rows = append(rows, i)
	}
	out := make([]int, len(recs))
	switch len(rows) {
	case 0:
		return out, nil, nil
	case 1: // one mention is one person; the linker needs two to learn from
		out[rows[0]] = 1
		return out, nil, nil
	}
	res, err := linkage.Link(ctx, t, linkage.Options{Seed: seed})
	if err != nil {
		return nil, nil, err
	}
	for j, i := range rows {
		out[i] = res.Cluster[j]
	}
	return out, res.Model, nil
}
