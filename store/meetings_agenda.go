package store

import (
	"context"
	"database/sql"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
)

// AgendaFact is what the agenda builder needs to know about one open case
// of a site (or one coming to it): enough to say why it might be heard,
// never more than the perpetrator side holds.
type AgendaFact struct {
	CaseID        int64
	PersonID      int64
	State         casework.State
	ReferredOn    drive.Date
	Rank          int
	NextReviewDue drive.Date
	TransferIn    bool
	// LastHeard is the case's last hearing at a meeting of the kind being
	// planned: for a MARAC, every MARAC hearing the platform knows of
	// (held here, imported, or recorded on a victim-survivor's case).
	LastHeard drive.Date
	Children  int
	// Events are the dates of police incidents naming the perpetrator as
	// suspect since two years before the meeting, and of later referrals.
	Events []drive.Date
}

// AgendaFacts returns the facts for every open case of a site and every
// case waiting to transfer to it, for a meeting of kind on date on.
func (tx *Tx) AgendaFacts(ctx context.Context, siteID int64, kind meeting.Kind, on drive.Date) ([]AgendaFact, error) {
	heard := `(SELECT max(m.held_on) FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id JOIN meeting_series s ON s.id = m.series_id
		WHERE i.case_id = c.id AND m.state = 'held' AND s.kind = ?)`
	args := []any{string(kind)}
	marac := `NULL`
	var maracImported = `NULL`
	if kind == meeting.MARAC {
		marac = `(SELECT max(d.heard_on) FROM victim_marac_dates d WHERE d.case_id = c.id)`
		maracImported = `(SELECT max(h.heard_on) FROM marac_hearings h JOIN person_police_links l ON l.police_person = h.perpetrator_person
			WHERE l.person_id = c.person_id AND l.status = 'linked')`
	}
	rows, err := tx.query(ctx, `SELECT c.id, c.person_id, c.state, c.referred_on, c.identification_rank, c.next_review_due,
		c.transfer_to_site_id IS NOT NULL AND c.transfer_to_site_id = ?, c.last_marac_on, `+heard+`, `+marac+`, `+maracImported+`,
		(SELECT count(*) FROM victim_children ch JOIN victim_links vl ON vl.victim_case_id = ch.victim_case_id WHERE vl.case_id = c.id)
		FROM cases c
		WHERE (c.site_id = ? AND c.state IN ('referred', 'accepted', 'allocated', 'active', 'closing')) OR c.transfer_to_site_id = ?
		ORDER BY c.id`, append([]any{siteID}, append(args, siteID, siteID)...)...)
	if err != nil {
		return nil, err
	}
	var out []AgendaFact
	byPerson := map[int64][]int{}
	for rows.Next() {
		var f AgendaFact
		var state string
		var lastMARAC, heardHere, heardVictim, heardImported drive.Date
		var transferIn sql.NullBool
		if err := rows.Scan(&f.CaseID, &f.PersonID, &state, &f.ReferredOn, &f.Rank, &f.NextReviewDue, &transferIn, &lastMARAC,
			&heardHere, &heardVictim, &heardImported, &f.Children); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		f.State, f.TransferIn = casework.State(state), transferIn.Bool
		f.LastHeard = heardHere
		if kind == meeting.MARAC {
			for _, d := range []drive.Date{lastMARAC, heardVictim, heardImported} {
				if d.After(f.LastHeard) {
					f.LastHeard = d
				}
			}
		}
		byPerson[f.PersonID] = append(byPerson[f.PersonID], len(out))
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, tx.d.mapError(err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	// Incidents naming each person as suspect, through the confirmed links
	// between Drive's people and the police's, and every referral of the
	// person (a new referral is a new event too).
	since := on.AddMonths(-24)
	persons := make([]int64, 0, len(byPerson))
	for p := range byPerson {
		persons = append(persons, p)
	}
	for rest := persons; len(rest) > 0; {
		k := min(len(rest), batchRows)
		part := rest[:k]
		rest = rest[k:]
		q := `SELECT l.person_id, i.occurred_on FROM person_police_links l JOIN incidents i ON i.suspect_person = l.police_person
			WHERE l.status = 'linked' AND i.occurred_on >= ? AND l.person_id IN (` + placeholders(len(part)) + `)
			UNION ALL SELECT c.person_id, c.referred_on FROM cases c WHERE c.referred_on >= ? AND c.person_id IN (` + placeholders(len(part)) + `)`
		qargs := append([]any{since}, int64Args(part)...)
		qargs = append(qargs, since)
		qargs = append(qargs, int64Args(part)...)
		rows, err := tx.query(ctx, q, qargs...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p int64
			var d drive.Date
			if err := rows.Scan(&p, &d); err != nil {
				rows.Close()
				return nil, tx.d.mapError(err)
			}
			for _, i := range byPerson[p] {
				out[i].Events = append(out[i].Events, d)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, tx.d.mapError(err)
		}
	}
	return out, nil
}

// DataReturnFacts returns what the quarterly MARAC data return counts for
// a site between two dates (inclusive): the MARAC meetings held, and each
// case heard at them with its referral source, the children linked to
// it, its victim-survivors' equality characteristics (no names) and the
// perpetrator's age at the hearing.
func (tx *Tx) DataReturnFacts(ctx context.Context, siteID int64, from, to drive.Date) (meetings int, cases []meeting.HeardCase, err error) {
	if err := tx.queryRow(ctx, `SELECT count(*) FROM meetings m JOIN meeting_series s ON s.id = m.series_id
		WHERE m.site_id = ? AND s.kind = 'marac' AND m.state = 'held' AND m.held_on >= ? AND m.held_on <= ?`, siteID, from, to).Scan(&meetings); err != nil {
		return 0, nil, tx.d.mapError(err)
	}
	rows, err := tx.query(ctx, `SELECT i.case_id, m.id, m.held_on, i.is_repeat, c.source, p.date_of_birth,
		(SELECT count(*) FROM victim_children ch JOIN victim_links vl ON vl.victim_case_id = ch.victim_case_id WHERE vl.case_id = c.id)
		FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id JOIN meeting_series s ON s.id = m.series_id
		JOIN cases c ON c.id = i.case_id JOIN people p ON p.id = c.person_id
		WHERE m.site_id = ? AND s.kind = 'marac' AND m.state = 'held' AND m.held_on >= ? AND m.held_on <= ? AND i.kind = 'case'
		ORDER BY m.held_on, i.ord`, siteID, from, to)
	if err != nil {
		return 0, nil, err
	}
	var caseIDs []int64
	for rows.Next() {
		var h meeting.HeardCase
		var caseID int64
		var dob drive.Date
		if err := rows.Scan(&caseID, &h.MeetingID, &h.HeardOn, &h.Repeat, &h.ReferringAgency, &dob, &h.Children); err != nil {
			rows.Close()
			return 0, nil, tx.d.mapError(err)
		}
		h.PerpetratorAge = -1
		if !dob.IsZero() {
			h.PerpetratorAge = dob.AgeOn(h.HeardOn)
		}
		caseIDs = append(caseIDs, caseID)
		cases = append(cases, h)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return 0, nil, tx.d.mapError(err)
	}
	for i, id := range caseIDs {
		vs, err := tx.query(ctx, `SELECT v.gender, v.ethnicity, v.sexual_orientation, v.disability, v.date_of_birth
			FROM victim_links l JOIN victim_cases v ON v.id = l.victim_case_id WHERE l.case_id = ? ORDER BY v.id`, id)
		if err != nil {
			return 0, nil, err
		}
		for vs.Next() {
			var v meeting.Victim
			var dob drive.Date
			if err := vs.Scan(&v.Gender, &v.Ethnicity, &v.SexualOrientation, &v.Disability, &dob); err != nil {
				vs.Close()
				return 0, nil, tx.d.mapError(err)
			}
			v.Age = -1
			if !dob.IsZero() {
				v.Age = dob.AgeOn(cases[i].HeardOn)
			}
			cases[i].Victims = append(cases[i].Victims, v)
		}
		err = vs.Err()
		vs.Close()
		if err != nil {
			return 0, nil, tx.d.mapError(err)
		}
	}
	return meetings, cases, nil
}
