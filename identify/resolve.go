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
	suspects, err := cluster(ctx, recs, seed, func(r incident.Record) (incident.Person, bool) { return r.Suspect, true })
	if err != nil {
		return nil, err
	}
	victims, err := resolveVictims(ctx, recs, suspects, seed)
	if err != nil {
		return nil, err
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
	return out, nil
}

// cluster links the people pick returns for each record; records with no
// person get 0.
func cluster(ctx context.Context, recs []incident.Record, seed uint64, pick func(incident.Record) (incident.Person, bool)) ([]int, error) {
	fields := []linkage.Field{{Name: "given", Kind: linkage.KindGiven}, {Name: "family", Kind: linkage.KindSurname},
		{Name: "dob", Kind: linkage.KindDate}, {Name: "postcode", Kind: linkage.KindPostcode}}
	t, err := linkage.NewTable(fields)
	if err != nil {
		return nil, err
	}
	var rows []int
	for i, r := range recs {
		p, ok := pick(r)
		if !ok {
			continue
		}
		if err := t.Add(0, strconv.Itoa(i), []string{p.GivenName, p.FamilyName, p.DOB.String(), p.Postcode}); err != nil {
			return nil, err
		}
		rows = append(rows, i)
	}
	out := make([]int, len(recs))
	switch len(rows) {
	case 0:
		return out, nil
	case 1: // one mention is one person; the linker needs two to learn from
		out[rows[0]] = 1
		return out, nil
	}
	res, err := linkage.Link(ctx, t, linkage.Options{Seed: seed})
	if err != nil {
		return nil, err
	}
	for j, i := range rows {
		out[i] = res.Cluster[j]
	}
	return out, nil
}
