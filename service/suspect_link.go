package service

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/store"
)

// LinkStep is one row of a link's waterfall: a field's comparison level
// and weight in bits, and the running total after it.
type LinkStep struct {
	Field    string // the linker's name for it
	Label    string // its name for a reader
	A, B     string // the values as written; "" when missing
	Withheld bool   // the values are not shown (a postcode)
	Level    string
	Weight   float64 // the field's weight, term frequency included
	Running  float64
	Deferred bool
}

// LinkExplanation is why the linker put two of a suspect's incidents
// together: the evidence of each field in bits, from the prior to the
// match weight, and the same in words. Only the suspect's own fields are
// compared; nothing of the victim is.
type LinkExplanation struct {
	A, B        store.PoliceIncident
	Prior       float64
	Steps       []LinkStep
	Weight      float64
	Probability float64
	Threshold   float64
	Words       []string
	// Weakest is set when the pair was not asked for but chosen: the
	// incident least like any other of his, with the one most like it.
	Weakest bool
}

// maxExplainedIncidents bounds the incidents searched for the weakest
// link: every pair of them is explained, and a prolific man has hundreds.
const maxExplainedIncidents = 60

// SuspectLink explains why two of a suspect's incidents (ids a and b) are
// the same man, with the model the linker learned at the site's last
// resolution. With a or b zero it explains his weakest link: the incident
// whose best match among his newest maxExplainedIncidents is the poorest,
// with that match. It returns nil, and no error, when there is no pair to
// explain (fewer than two incidents) or no model kept yet (the site has
// not been resolved since models were kept). Errors: ENOTFOUND for a
// person the actor may not see; EINVALID for an incident not his.
func (s *Service) SuspectLink(ctx context.Context, a Actor, id, incA, incB int64) (*LinkExplanation, error) {
	var out *LinkExplanation
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		p, d, err := s.policePerson(ctx, tx, a, access.Read, id)
		if err != nil {
			return err
		}
		rows, err := tx.PersonIncidents(ctx, id)
		if err != nil {
			return err
		}
		rows = slices.DeleteFunc(rows, func(r store.PoliceIncident) bool { return r.SuspectPerson != id })
		if err := record(ctx, tx, a, d, audit.ActionRecordRead, "police_person", id, p.SiteID, ""); err != nil {
			return err
		}
		raw, err := tx.LinkageModel(ctx, p.SiteID, string(identify.SuspectRole))
		if drive.ErrorCode(err) == drive.ENOTFOUND || len(rows) < 2 {
			return nil
		} else if err != nil {
			return err
		}
		var m linkage.Model
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return drive.Wrap(err, drive.EINTERNAL, "reading the linker's model")
		}
		var x, y store.PoliceIncident
		weakest := incA == 0 || incB == 0
		var e linkage.Explanation
		if !weakest {
			i := slices.IndexFunc(rows, func(r store.PoliceIncident) bool { return r.ID == incA })
			j := slices.IndexFunc(rows, func(r store.PoliceIncident) bool { return r.ID == incB })
			if i < 0 || j < 0 || i == j {
				return drive.Invalid("That pair cannot be explained", map[string]string{"pair": "Choose two different incidents from this man's list"})
			}
			x, y = rows[i], rows[j]
			ex, err := explainer(&m, []store.PoliceIncident{x, y})
			if err != nil {
				return err
			}
			e = ex.Explain(0, 1)
		} else {
			newest := rows[max(0, len(rows)-maxExplainedIncidents):]
			ex, err := explainer(&m, newest)
			if err != nil {
				return err
			}
			worst, wi, wj := 0.0, -1, -1
			for i := range newest {
				best, at := 0.0, -1
				for j := range newest {
					if i == j {
						continue
					}
					if w := ex.Explain(i, j).Weight; at < 0 || w > best {
						best, at = w, j
					}
				}
				if wi < 0 || best < worst {
					worst, wi, wj = best, i, at
				}
			}
			wi, wj = min(wi, wj), max(wi, wj) // older first, as rows are
			x, y, e = newest[wi], newest[wj], ex.Explain(wi, wj)
		}
		e.SameCluster = true // both are his
		out = linkExplanation(e, x, y, weakest)
		return nil
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "police_person", id)
	}
	return out, err
}

// stepLabels name the suspect fields (identify.SuspectFields) for a
// reader.
var stepLabels = map[string]string{"given": "Given name", "family": "Family name", "dob": "Date of birth", "postcode": "Postcode"}

// explainer reads incidents' suspects for explaining their pairs under m.
func explainer(m *linkage.Model, rows []store.PoliceIncident) (*linkage.Explainer, error) {
	ids, vals := make([]string, len(rows)), make([][]string, len(rows))
	for i, r := range rows {
		ids[i], vals[i] = strconv.FormatInt(r.ID, 10), identify.SuspectValues(r.Suspect)
	}
	x, err := m.NewExplainer(ids, vals)
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "the kept model does not fit the incidents")
	}
	return x, nil
}

// linkExplanation lays an explanation out as a waterfall. Postcodes are
// compared but not shown: a man's postcode may be the home he shared with
// a victim. Dates of birth are compared as the linker reads them
// (YYYY-MM-DD) but shown, in the table and the words, as people read them:
// the explanation is for an analyst on a page, not for a program.
func linkExplanation(e linkage.Explanation, x, y store.PoliceIncident, weakest bool) *LinkExplanation {
	out := &LinkExplanation{A: x, B: y, Prior: e.Prior, Weight: e.Weight, Probability: e.Probability, Threshold: e.Threshold, Weakest: weakest}
	running := e.Prior
	for i, f := range e.Fields {
		for _, v := range []*string{&e.Fields[i].A, &e.Fields[i].B} {
			switch {
			case *v == "":
			case f.Field.Kind == linkage.KindPostcode:
				*v = "(not shown)"
			case f.Field.Kind == linkage.KindDate:
				if d, err := drive.ParseDate(*v); err == nil {
					*v = d.Display()
				}
			}
		}
		f = e.Fields[i]
		running += f.Total()
		out.Steps = append(out.Steps, LinkStep{Field: f.Field.Name, Label: stepLabels[f.Field.Name], A: f.A, B: f.B, Withheld: f.Field.Kind == linkage.KindPostcode,
			Level: f.Level, Weight: f.Total(), Running: running, Deferred: f.Deferred})
	}
	out.Words = e.Words()
	if e.Probability >= e.Threshold {
		out.Words = append(out.Words, "The linker joined these two incidents as one person on this evidence alone.")
	} else {
		out.Words = append(out.Words, "The linker joined these two incidents as one person through the suspect's other incidents, or an analyst's decision did, not on this evidence alone.")
	}
	return out
}
