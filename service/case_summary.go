package service

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// A case summary is the case page on paper, for a worker who takes a case
// to a meeting or a supervision: it is built from the same view as the page
// (CasePage), so it holds exactly what the page shows the reader and no
// more. The linked victim-survivors appear only as their risk facts, never
// where they are or how to reach them, because the page never has them.

// CaseSummaryPDF returns a printable summary of a case the actor may read,
// as an accessible PDF, and its file name (from the case number only). The
// read is audited as CasePage audits it, and the file leaving the system is
// audited as an export of the case. Errors: ENOTFOUND for a missing or
// hidden case, or one the actor sees only in part (a case moved to another
// site, or one whose transfer they are deciding).
func (s *Service) CaseSummaryPDF(ctx context.Context, a Actor, id int64) ([]byte, string, error) {
	v, err := s.CasePage(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	if v.Transfer != nil || v.Restricted || v.Case == nil {
		return nil, "", drive.NotFound("case")
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordExport, ActorID: a.UserID, ActorRole: actorRole(a, ""), RecordType: "case",
			RecordID: strconv.FormatInt(v.Case.ID, 10), SiteID: v.Case.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "case summary PDF"})
	})
	if err != nil {
		return nil, "", err
	}
	b, err := pdf.Render(summaryDocument(v, s.Now()))
	if err != nil {
		return nil, "", drive.Wrap(err, drive.EINTERNAL, "the case summary could not be written as a PDF")
	}
	return b, "case-summary-" + strconv.FormatInt(v.Case.ID, 10) + ".pdf", nil
}

// summaryDocument lays out a case view as a PDF document.
func summaryDocument(v *CaseView, created time.Time) pdf.Document {
	c := v.Case
	manager := v.CaseManager
	if manager == "" {
		manager = "Not allocated"
	}
	born := ""
	if !v.Person.DateOfBirth.IsZero() {
		born = v.Person.DateOfBirth.Display()
	}
	kv := [][2]string{{"Person", v.Person.Name()}, {"Date of birth", orNone(born, "Not recorded")}, {"Site", v.SiteName},
		{"Programme", v.Programme.Name}, {"State", c.State.Label()}, {"Referred", c.ReferredAt.Display() + " by " + c.Source.Label()},
		{"Reason for referral", orNone(c.Summary, "Not recorded")}, {"Case manager", manager}, {"Engagement", c.Engagement.Label()}}
	last := "No contact yet"
	if v.Due.LastContact != nil {
		last = v.Due.LastContact.Format("2 January 2006")
	}
	kv = append(kv, [2]string{"Last contact", last})
	if !v.Due.NextReview.IsZero() {
		next := v.Due.NextReview.Display()
		if v.Due.ReviewOverdue {
			next += " (overdue)"
		}
		kv = append(kv, [2]string{"Next review", next})
	}
	kv = append(kv, [2]string{"Actions", strconv.Itoa(v.Due.OpenActions) + " open, " + strconv.Itoa(v.Due.OverdueActions) + " overdue"})
	if c.ClosureReason != "" {
		r, _ := v.Programme.ClosureReason(c.ClosureReason)
		kv = append(kv, [2]string{"Closure reason", orNone(r.Label, c.ClosureReason)})
	}
	if c.DecisionReasons != "" {
		kv = append(kv, [2]string{"Panel decision", c.DecisionReasons})
	}
	b := []pdf.Block{pdf.KeyValues{Rows: kv}}

	if len(v.RiskFacts) > 0 {
		b = append(b, pdf.Heading{Level: 2, Text: "Victim-survivors: risk"},
			pdf.Paragraph{Text: "Risk information shared with the case manager. Where they are and how to reach them is held by their IDVA and is never in this summary."})
		var rows [][]string
		for _, f := range v.RiskFacts {
			who := f.VictimLabel
			if !f.IDVAAllocated {
				who += " (no IDVA)"
			}
			rel := f.Relationship.Label()
			if f.LivingTogether {
				rel += ", living together"
			}
			dash := "None"
			if f.DASHScore >= 0 {
				dash = strconv.Itoa(f.DASHScore) + " (" + f.DASHBand + ")"
				if f.ProfessionalJudgment {
					dash += ", raised by professional judgement"
				}
			}
			ages := make([]string, len(f.ChildrenAges))
			for i, a := range f.ChildrenAges {
				ages[i] = strconv.Itoa(a)
			}
			marac := make([]string, len(f.MARACDates))
			for i, d := range f.MARACDates {
				marac[i] = d.Display()
			}
			rows = append(rows, []string{who, rel, dash, strings.Join(f.Behaviours, ", "), strings.Join(ages, ", "), strings.Join(marac, ", ")})
		}
		b = append(b, pdf.Table{Caption: "Risk of each linked victim-survivor",
			Header: []string{"Victim-survivor", "Relationship", "Latest DASH", "Behaviours", "Children's ages", "MARAC"}, Rows: rows})
	}

	b = append(b, pdf.Heading{Level: 2, Text: "Intervention plan"})
	if len(v.Actions) == 0 {
		b = append(b, pdf.Paragraph{Text: "No actions yet."})
	}
	for _, p := range programme.Prongs() {
		var rows [][]string
		for _, act := range v.Actions {
			if act.Prong != p {
				continue
			}
			label := act.Type
			if t, ok := v.Programme.Action(act.Type); ok {
				label = t.Label
			}
			due := ""
			if !act.DueOn.IsZero() {
				due = act.DueOn.Display()
			}
			rows = append(rows, []string{label, act.Agency, act.Owner, due, act.Status.Label(), act.Outcome})
		}
		if len(rows) > 0 {
			b = append(b, pdf.Table{Caption: programme.ProngLabel(p), Header: []string{"Action", "Agency", "Owner", "Due", "Status", "Outcome"}, Rows: rows})
		}
	}

	b = append(b, pdf.Heading{Level: 2, Text: "Contacts"})
	if len(v.Contacts) == 0 {
		b = append(b, pdf.Paragraph{Text: "No contacts recorded."})
	} else {
		contacts := append([]casework.Contact(nil), v.Contacts...)
		sort.SliceStable(contacts, func(i, j int) bool { return contacts[j].On.Before(contacts[i].On) })
		var rows [][]string
		for _, ct := range contacts {
			rows = append(rows, []string{ct.On.Display(), ct.Kind.Label(), ct.Method, ct.Summary, v.Users[ct.CreatedBy]})
		}
		b = append(b, pdf.Table{Caption: "Contacts, newest first", Header: []string{"Date", "Kind", "Method", "Summary", "Recorded by"}, Rows: rows})
	}

	b = append(b, pdf.Heading{Level: 2, Text: "Reviews"})
	if len(v.Reviews) == 0 {
		b = append(b, pdf.Paragraph{Text: "No reviews recorded."})
	}
	for _, r := range v.Reviews {
		rkv := [][2]string{{"Risk level", strings.ReplaceAll(r.RiskLevel, "_", " ")}, {"Risk change", r.RiskChange}}
		var needs []string
		for _, area := range casework.NeedAreas() {
			if lvl, ok := r.Needs[area]; ok {
				needs = append(needs, casework.NeedAreaLabel(area)+": "+lvl)
			}
		}
		if len(needs) > 0 {
			rkv = append(rkv, [2]string{"Needs", strings.Join(needs, "; ")})
		}
		rkv = append(rkv, [2]string{"Summary", orNone(r.Summary, "None")})
		if !r.NextDue.IsZero() {
			rkv = append(rkv, [2]string{"Next review due", r.NextDue.Display()})
		}
		b = append(b, pdf.Heading{Level: 3, Text: "Review on " + r.On.Display()}, pdf.KeyValues{Rows: rkv})
	}

	if v.CanReadNotes {
		b = append(b, pdf.Heading{Level: 2, Text: "Notes"})
		if len(v.Notes) == 0 {
			b = append(b, pdf.Paragraph{Text: "No notes."})
		}
		for _, n := range v.Notes {
			head := "Note " + strconv.FormatInt(n.ID, 10) + ", " + n.CreatedAt.Format("2 January 2006") + ", " + v.Users[n.CreatedBy]
			if n.Amends != 0 {
				head += " (corrects note " + strconv.FormatInt(n.Amends, 10) + ")"
			}
			b = append(b, pdf.Heading{Level: 3, Text: head}, pdf.Paragraph{Text: n.Text})
		}
	}

	if len(v.History) > 0 {
		b = append(b, pdf.Heading{Level: 2, Text: "Decisions and changes"})
		var rows [][]string
		for _, h := range v.History {
			rows = append(rows, []string{h.At.Format("2 January 2006"), historyWords(h), h.Detail, v.Users[h.UserID]})
		}
		b = append(b, pdf.Table{Caption: "The case's history", Header: []string{"Date", "Change", "Detail", "By"}, Rows: rows})
	}
	b = append(b, pdf.Paragraph{Text: "Printed on " + drive.DisplayTime(created) +
		". This summary is personal data: keep it and destroy it as you would the record itself."})
	return pdf.Document{Title: "Case summary: case " + strconv.FormatInt(c.ID, 10), Author: v.SiteName, Lang: "en-GB",
		Marking: Marking, Subject: "Case summary", Blocks: b, Created: created}
}

func orNone(s, none string) string {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return s
}

// historyWords names a history entry as the case's timeline does.
func historyWords(h casework.HistoryEntry) string {
	switch h.Event {
	case "referred":
		return "Referred"
	case "engagement":
		return "Engagement changed"
	case casework.Escalated:
		return "Escalated: referred on"
	case casework.EscalatedFrom:
		return "Referred on escalation"
	case TrialAllocationEvent:
		return "Allocated by the trial"
	}
	if t, ok := casework.Find(h.FromState, casework.Event(h.Event)); ok {
		return t.Label
	}
	return h.ToState.Label()
}
