package service

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// Minutes and transfer packs. Both are built for one reader from what the
// policy lets that reader see: a victim-survivor's safety information
// (her compartment) appears only in the copy of someone who may read her
// compartment, her IDVA; every other copy is built without it, not
// redacted after. Every download is audited.

// Marking is printed at the top and bottom of every page of a minutes
// file or transfer pack.
const Marking = "RESTRICTED: personal data shared for safeguarding. Do not forward or copy beyond the agreed actions."

// Minutes returns the minutes of a held meeting as the actor may see
// them. Errors: ENOTFOUND (also for a meeting not yet held).
func (s *Service) Minutes(ctx context.Context, a Actor, id int64) (*MeetingView, error) {
	return s.meetingView(ctx, a, id, true)
}

// IDVACopy reports whether the view carries any victim-survivor's safety
// information, so it must be marked as her IDVA's copy.
func (v *MeetingView) IDVACopy() bool {
	for _, it := range v.Items {
		if len(it.Safety) > 0 {
			return true
		}
	}
	return false
}

// MinutesPDF returns the minutes of a held meeting as a PDF for the actor,
// and records the download. Errors: ENOTFOUND.
func (s *Service) MinutesPDF(ctx context.Context, a Actor, id int64) ([]byte, string, error) {
	v, err := s.Minutes(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	doc := minutesDocument(v, s.Now())
	b, err := pdf.Render(doc)
	if err != nil {
		return nil, "", drive.Wrap(err, drive.EINTERNAL, "the minutes could not be written as a PDF")
	}
	if err := s.downloaded(ctx, a, "meeting", v.Meeting.ID, v.Meeting.SiteID, "minutes PDF"); err != nil {
		return nil, "", err
	}
	return b, "minutes-" + strconv.FormatInt(v.Meeting.ID, 10) + ".pdf", nil
}

// downloaded records a download in its own transaction.
func (s *Service) downloaded(ctx context.Context, a Actor, recordType string, id, siteID int64, what string) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Event{Action: ActionMinutesDownload, ActorID: a.UserID, RecordType: recordType,
			RecordID: strconv.FormatInt(id, 10), SiteID: siteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: what})
	})
}

// minutesDocument lays out a minutes view as a document.
func minutesDocument(v *MeetingView, created time.Time) pdf.Document {
	m := v.Meeting
	title := m.Name + " minutes, " + m.HeldOn.Display()
	if v.IDVACopy() {
		title += " (IDVA copy)"
	}
	doc := pdf.Document{Title: title, Author: v.Series.SiteName, Lang: "en-GB", Marking: Marking, Subject: m.Kind.Label() + " minutes", Created: created}
	if m.HeldAt != nil {
		doc.Created = *m.HeldAt
	}
	var b []pdf.Block
	kv := [][2]string{
		{"Meeting", m.Kind.Label() + ": " + m.Name},
		{"Date and time", m.HeldOn.Display() + " at " + m.StartsAt},
		{"Chair", v.Series.Chair},
		{"Coordinator", v.Series.Coordinator},
	}
	if v.Series.Venue != "" {
		kv = append(kv, [2]string{"Venue", v.Series.Venue})
	}
	b = append(b, pdf.KeyValues{Rows: kv})
	if v.IDVACopy() {
		b = append(b, pdf.Paragraph{Text: "This is an IDVA's copy. It holds where victim-survivors are and how to reach them safely. Never share it with a perpetrator-facing worker or agency."})
	}
	b = append(b, pdf.Heading{Level: 2, Text: "Attendance"})
	var att [][]string
	for _, at := range v.Attendees {
		att = append(att, []string{at.Agency, at.Person, at.Status.Label()})
	}
	if len(att) > 0 {
		b = append(b, pdf.Table{Caption: "Who attended", Header: []string{"Agency", "Name", "Attendance"}, Rows: att})
	}
	b = append(b, pdf.Paragraph{Text: "Confidentiality statement: " + meeting.ConfidentialityStatement})
	for i, it := range v.Items {
		b = append(b, itemBlocks(v, i, it)...)
	}
	doc.Blocks = b
	return doc
}

func itemBlocks(v *MeetingView, i int, it ItemView) []pdf.Block {
	head := "Item " + strconv.Itoa(i+1) + ": " + it.Kind.Label()
	if it.Kind != meeting.CaseItem {
		out := []pdf.Block{pdf.Heading{Level: 2, Text: head}}
		if it.Kind == meeting.ActionsReview {
			if len(v.Outstanding) == 0 {
				out = append(out, pdf.Paragraph{Text: "No actions were outstanding from the last meeting."})
			} else {
				out = append(out, actionsTable("Actions outstanding from the last meeting", v.Outstanding))
			}
		}
		return out
	}
	if !it.Open {
		return []pdf.Block{pdf.Heading{Level: 2, Text: head}, pdf.Paragraph{Text: "A case you may not see."}}
	}
	out := []pdf.Block{pdf.Heading{Level: 2, Text: head + " " + strconv.FormatInt(it.CaseID, 10) + ", " + it.PersonName}}
	var why []string
	for _, r := range it.Reasons {
		why = append(why, r.Label())
	}
	kv := [][2]string{{"Why heard", strings.Join(why, "; ")}, {"Case state", it.CaseState.Label()}}
	if it.Repeat {
		kv = append(kv, [2]string{"Repeat", "Yes"})
	}
	if it.Risk >= 0 {
		kv = append(kv, [2]string{"DASH score at referral", strconv.Itoa(it.Risk)})
	}
	if it.Children >= 0 {
		kv = append(kv, [2]string{"Children linked", strconv.Itoa(it.Children)})
	}
	if it.Decision != "" {
		kv = append(kv, [2]string{"Decision", it.Decision.Label()}, [2]string{"Reasons", it.DecisionReasons})
		if it.Evidence != "" {
			kv = append(kv, [2]string{"Evidence as it stood", it.Evidence})
		}
	}
	out = append(out, pdf.KeyValues{Rows: kv})
	if len(it.Shares) > 0 {
		var rows [][]string
		for _, sh := range it.Shares {
			told := "No"
			if sh.VictimTold {
				told = "Yes"
			}
			rows = append(rows, []string{sh.Agency, sh.Basis.Label(), told, sh.Text})
		}
		out = append(out, pdf.Table{Caption: "Information shared", Header: []string{"Agency", "Lawful basis", "Victim-survivor told", "Information"}, Rows: rows})
	}
	if len(it.Actions) > 0 {
		out = append(out, actionsTable("Actions agreed", it.Actions))
	}
	for _, n := range it.Safety {
		out = append(out, pdf.Heading{Level: 3, Text: "Safety information (IDVA copy only)"}, pdf.KeyValues{Rows: n.rows()})
	}
	return out
}

// rows lays a safety note out as label and value rows, leaving out what
// her compartment does not hold.
func (n SafetyNote) rows() [][2]string {
	rows := [][2]string{{"Victim-survivor", n.Name}}
	for _, kv := range [][2]string{{"Safe contact", n.SafeContact}, {"Refuge", n.Refuge}, {"Address", n.Address}} {
		if kv[1] != "" {
			rows = append(rows, kv)
		}
	}
	return rows
}

func actionsTable(caption string, acts []AgencyAction) pdf.Table {
	var rows [][]string
	for _, a := range acts {
		rows = append(rows, []string{a.Agency, a.TypeLabel, a.Owner, a.DueOn.Display(), a.Status.Label(), a.Outcome})
	}
	return pdf.Table{Caption: caption, Header: []string{"Agency", "Action", "Owner", "Due", "Status", "Outcome"}, Rows: rows}
}

// TransferPack is what goes with a case when it moves to another area's
// MARAC: the case, every hearing of it here with what was shared and
// decided, and its actions. Built for one reader like the minutes.
type TransferPack struct {
	CaseID     int64
	PersonName string
	SiteName   string
	State      string
	Summary    string
	Hearings   []PackHearing
	Actions    []AgencyAction
	Safety     []SafetyNote
}

// PackHearing is one hearing of the case in a transfer pack.
type PackHearing struct {
	Meeting meeting.Meeting
	Item    meeting.Item
	Shares  []ShareView
}

// TransferPackPDF builds a case's transfer pack for the actor as a PDF and
// records the download. Anyone who may read the case may make one; her
// IDVA's copy carries her safety information. Errors: ENOTFOUND.
func (s *Service) TransferPackPDF(ctx context.Context, a Actor, caseID int64) ([]byte, string, error) {
	var p TransferPack
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return drive.NotFound("case")
		}
		d, receiving, err := s.decideCase(ctx, tx, a, access.Read, c, access.PerpetratorCase)
		if err != nil || receiving {
			return drive.NotFound("case")
		}
		person, err := tx.Person(ctx, c.PersonID)
		if err != nil {
			return err
		}
		names, err := s.nameBook(ctx, tx)
		if err != nil {
			return err
		}
		p = TransferPack{CaseID: c.ID, PersonName: person.Name(), SiteName: names.sites[c.SiteID], State: c.State.Label(), Summary: c.Summary}
		held, err := tx.CaseHeldTexts(ctx, c.ID)
		if err != nil {
			return err
		}
		set := victim.NewHeldSet(held)
		items, err := tx.CaseItems(ctx, c.ID)
		if err != nil {
			return err
		}
		intel := s.allowed(tx, a, c, access.PoliceIntel, access.Read)
		shares, err := tx.CaseShares(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			m, err := tx.Meeting(ctx, it.MeetingID)
			if err != nil {
				return err
			}
			if m.State != meeting.Held {
				continue
			}
			if set.Hidden(victim.HeldItemDecision, it.ID, a.UserID) && it.DecisionReasons != "" {
				it.DecisionReasons = victim.WithheldText
			}
			h := PackHearing{Meeting: *m, Item: it}
			for _, sh := range shares {
				if sh.ItemID == it.ID && intel {
					if set.Hidden(victim.HeldShare, sh.ID, a.UserID) {
						sh.Text = victim.WithheldText
					}
					h.Shares = append(h.Shares, ShareView{Share: sh, Agency: names.orgs[sh.OrganisationID]})
				}
			}
			p.Hearings = append(p.Hearings, h)
		}
		acts, err := tx.Actions(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, act := range acts {
			if set.Hidden(victim.HeldAction, act.ID, a.UserID) {
				act.Owner, act.Agency, act.Outcome = victim.WithheldText, victim.WithheldText, victim.WithheldText
			}
			p.Actions = append(p.Actions, AgencyAction{Action: act, SiteID: c.SiteID, PersonName: p.PersonName, CaseState: c.State, AgencyName: act.Agency, TypeLabel: actionLabel(act.Type)})
		}
		if p.Safety, err = s.safetyNotes(ctx, tx, a, c); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: ActionMinutesDownload, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "case",
			RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "transfer pack"})
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "case", caseID)
	}
	if err != nil {
		return nil, "", err
	}
	b, err := pdf.Render(transferDocument(&p, s.Now()))
	if err != nil {
		return nil, "", drive.Wrap(err, drive.EINTERNAL, "the transfer pack could not be written as a PDF")
	}
	return b, "transfer-pack-" + strconv.FormatInt(caseID, 10) + ".pdf", nil
}

func transferDocument(p *TransferPack, created time.Time) pdf.Document {
	title := "MARAC transfer pack: case " + strconv.FormatInt(p.CaseID, 10)
	if len(p.Safety) > 0 {
		title += " (IDVA copy)"
	}
	var b []pdf.Block
	b = append(b, pdf.KeyValues{Rows: [][2]string{{"Perpetrator", p.PersonName}, {"From", p.SiteName}, {"Case state", p.State}, {"Summary", p.Summary}}})
	b = append(b, pdf.Heading{Level: 2, Text: "Hearings"})
	if len(p.Hearings) == 0 {
		b = append(b, pdf.Paragraph{Text: "The case has not been heard at a meeting here."})
	}
	for _, h := range p.Hearings {
		kv := [][2]string{{"Meeting", h.Meeting.Kind.Label() + ": " + h.Meeting.Name}, {"Date", h.Meeting.HeldOn.Display()}}
		if h.Item.Repeat {
			kv = append(kv, [2]string{"Repeat", "Yes"})
		}
		if h.Item.Decision != "" {
			kv = append(kv, [2]string{"Decision", h.Item.Decision.Label()}, [2]string{"Reasons", h.Item.DecisionReasons})
		}
		b = append(b, pdf.Heading{Level: 3, Text: h.Meeting.Name + ", " + h.Meeting.HeldOn.Display()}, pdf.KeyValues{Rows: kv})
		if len(h.Shares) > 0 {
			var rows [][]string
			for _, sh := range h.Shares {
				rows = append(rows, []string{sh.Agency, sh.Basis.Label(), sh.Text})
			}
			b = append(b, pdf.Table{Caption: "Information shared", Header: []string{"Agency", "Lawful basis", "Information"}, Rows: rows})
		}
	}
	if len(p.Actions) > 0 {
		b = append(b, pdf.Heading{Level: 2, Text: "Actions"}, actionsTable("The case's actions", p.Actions))
	}
	for _, n := range p.Safety {
		b = append(b, pdf.Heading{Level: 2, Text: "Safety information (IDVA copy only)"}, pdf.KeyValues{Rows: n.rows()})
	}
	return pdf.Document{Title: title, Author: p.SiteName, Lang: "en-GB", Marking: Marking, Subject: "MARAC transfer pack", Blocks: b, Created: created}
}
