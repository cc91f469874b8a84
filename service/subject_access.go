package service

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

// Subject access (docs/data-protection.md): the data protection officer
// records a request about a person known to Drive as a perpetrator,
// assembles the pack of everything held about him with third parties
// withheld, withholds more on review, and a second person approves it
// before it is released as JSON and PDF. A perpetrator's pack never holds
// a victim-survivor's name or anything from her compartment: every free
// text is screened against the victim-survivors and children linked to
// his cases (the barrier's own screen, victim.Reveals, and their names),
// and a text that matches is withheld whole.

// subjectAccessAt asks the policy for the actor's right to handle subject
// access requests about a person at siteID: a data protection officer of
// that site, or a national one.
func (s *Service) subjectAccessAt(ctx context.Context, tx *store.Tx, a Actor, siteID int64) error {
	_, err := s.decide(ctx, tx, a, access.Write, access.Resource{Class: access.SubjectAccess, RecordType: "subject_access_request", SiteID: siteID}, "subject access request")
	return err
}

// subjectAccessAnywhere reports whether the actor may handle subject
// access requests at any site, so that anyone else is told "not found"
// before their input is even read.
func subjectAccessAnywhere(a Actor, now time.Time) bool {
	for _, g := range a.Subject.Grants {
		r := access.Resource{Class: access.SubjectAccess, RecordType: "subject_access_request", SiteID: g.SiteID}
		if access.Decide(a.Subject, access.Write, r, now).Allowed {
			return true
		}
	}
	return false
}

// MayHandleSubjectAccess says whether the actor handles subject access
// requests at any site, so an API can refuse others ("not found") before
// checking the fields they sent.
func (s *Service) MayHandleSubjectAccess(a Actor) bool {
	return subjectAccessAnywhere(a, s.Now())
}

// subjectAccessRequest loads request id if the actor may handle it: one
// about a subject at a site where they may.
func (s *Service) subjectAccessRequest(ctx context.Context, tx *store.Tx, a Actor, id int64) (*subjectaccess.Request, error) {
	if !subjectAccessAnywhere(a, tx.Now) {
		return nil, drive.NotFound("subject access request")
	}
	r, err := tx.SubjectAccessRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	sites, err := subjectSites(ctx, tx, r.Kind, r.SubjectID)
	if err != nil {
		return nil, err
	}
	for _, site := range sites {
		if err := s.subjectAccessAt(ctx, tx, a, site); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// mayHandleAt reports, without auditing, whether the actor may handle
// requests about a subject held at every one of sites.
func mayHandleAt(a Actor, sites []int64, now time.Time) bool {
	for _, site := range sites {
		r := access.Resource{Class: access.SubjectAccess, RecordType: "subject_access_request", SiteID: site}
		if !access.Decide(a.Subject, access.Write, r, now).Allowed {
			return false
		}
	}
	return true
}

// subjectSites is where the subject of a request is held, for the
// policy: a person's or victim-survivor's site, a child's victim-survivor's
// site, and every site where a member of staff holds a role (0 for a role
// held nationally), so that only an officer who may handle requests at
// all of them handles a staff member's. Errors: ENOTFOUND.
func subjectSites(ctx context.Context, tx *store.Tx, kind subjectaccess.Kind, id int64) ([]int64, error) {
	switch kind {
	case subjectaccess.Person, "":
		p, err := tx.Person(ctx, id)
		if err != nil {
			return nil, err
		}
		return []int64{p.SiteID}, nil
	case subjectaccess.Victim:
		v, err := tx.VictimCase(ctx, id)
		if err != nil {
			return nil, err
		}
		return []int64{v.SiteID}, nil
	case subjectaccess.Child:
		ch, err := tx.Child(ctx, id)
		if err != nil {
			return nil, err
		}
		v, err := tx.VictimCase(ctx, ch.VictimCaseID)
		if err != nil {
			return nil, err
		}
		return []int64{v.SiteID}, nil
	case subjectaccess.Staff:
		return staffSites(ctx, tx, id)
	}
	return nil, drive.NotFound("subject")
}

// sarEvent is the audit event of a use case on request id.
func sarEvent(a Actor, action string, id int64, reason string) audit.Event {
	return audit.Event{Action: action, ActorID: a.UserID, ActorRole: actorRole(a, access.DPO), RecordType: "subject_access_request",
		RecordID: strconv.FormatInt(id, 10), Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: reason}
}

// RecordSubjectAccessRequest records a request about a person, with its
// deadline one month after receipt. Errors: ENOTFOUND (not the data
// protection officer, or no such person), EINVALID.
func (s *Service) RecordSubjectAccessRequest(ctx context.Context, a Actor, r *subjectaccess.Request) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if !subjectAccessAnywhere(a, tx.Now) {
			return drive.NotFound("subject access request")
		}
		if err := r.Validate(drive.DateOf(tx.Now)); err != nil {
			return err
		}
		// A number that names no one and one held where the actor may
		// not handle requests are answered alike, so the answer does not
		// tell whether a record exists elsewhere.
		noOne := drive.Invalid("The request cannot be recorded.", map[string]string{"person": "There is no " + strings.ToLower(r.Kind.Label()) + " with that number at your sites."})
		sites, err := subjectSites(ctx, tx, r.Kind, r.SubjectID)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return noOne
		}
		if err != nil {
			return err
		}
		for _, site := range sites {
			if err := s.subjectAccessAt(ctx, tx, a, site); err != nil {
				return noOne
			}
		}
		r.RecordedBy = a.UserID
		if err := tx.CreateSubjectAccessRequest(ctx, r); err != nil {
			return err
		}
		return tx.Audit(ctx, sarEvent(a, "subject_access.record", r.ID, ""))
	})
}

// ExtendSubjectAccessRequest moves a request's deadline to months (2 or
// 3) after receipt, with the reason. Errors: ENOTFOUND, EINVALID.
func (s *Service) ExtendSubjectAccessRequest(ctx context.Context, a Actor, id int64, months int, reason string) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		r, err := s.subjectAccessRequest(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := r.Extend(months, reason); err != nil {
			return err
		}
		if err := tx.ExtendSubjectAccessRequest(ctx, r); err != nil {
			return err
		}
		return tx.Audit(ctx, sarEvent(a, "subject_access.extend", id, "due "+r.DueOn.String()))
	})
}

// SubjectAccessRequests lists the requests, open ones first by deadline.
// Errors: ENOTFOUND for anyone but the data protection officer.
func (s *Service) SubjectAccessRequests(ctx context.Context, a Actor) ([]subjectaccess.Request, error) {
	var out []subjectaccess.Request
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if !subjectAccessAnywhere(a, tx.Now) {
			return drive.NotFound("subject access request")
		}
		all, err := tx.SubjectAccessRequests(ctx)
		if err != nil {
			return err
		}
		for _, r := range all {
			sites, err := subjectSites(ctx, tx, r.Kind, r.SubjectID)
			if err != nil {
				return err
			}
			if mayHandleAt(a, sites, tx.Now) {
				out = append(out, r)
			}
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: actorRole(a, access.DPO),
			RecordType: "subject_access_request", Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: fmt.Sprintf("list: %d requests", len(out))})
	})
	return out, err
}

// SubjectAccessReview is a request with its pack as it stands, for the
// review screen.
type SubjectAccessReview struct {
	Request    subjectaccess.Request
	Pack       subjectaccess.Pack
	Redactions []subjectaccess.Redaction
	// CanApprove: the actor is a second person who may approve it.
	CanApprove bool
}

// ReviewSubjectAccess assembles request id's pack as it would be
// released, with every automatic and review redaction applied. Reading it
// is audited. Errors: ENOTFOUND.
func (s *Service) ReviewSubjectAccess(ctx context.Context, a Actor, id int64) (*SubjectAccessReview, error) {
	var out *SubjectAccessReview
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.review(ctx, tx, a, id)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, sarEvent(a, audit.ActionRecordRead, id, fmt.Sprintf("pack: %d items withheld", out.Pack.Withheld)))
	})
	return out, err
}

func (s *Service) review(ctx context.Context, tx *store.Tx, a Actor, id int64) (*SubjectAccessReview, error) {
	r, err := s.subjectAccessRequest(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	pack, err := s.assemble(ctx, tx, r)
	if err != nil {
		return nil, err
	}
	xs, err := tx.Redactions(ctx, id)
	if err != nil {
		return nil, err
	}
	pack.Withhold(xs)
	return &SubjectAccessReview{Request: *r, Pack: *pack, Redactions: xs, CanApprove: r.CanApprove(a.UserID, xs)}, nil
}

// RedactSubjectAccess withholds one more item of request id's pack, with
// the reason, or (x.Release) releases an item withheld under the
// crime-prevention exemption, recording why the exemption does not
// apply. Errors: ENOTFOUND, EINVALID (no such item, no reason, an item
// that is not withheld under the exemption to release, the pack already
// approved), ECONFLICT (already decided on review).
func (s *Service) RedactSubjectAccess(ctx context.Context, a Actor, x *subjectaccess.Redaction) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		rv, err := s.review(ctx, tx, a, x.RequestID)
		if err != nil {
			return err
		}
		if err := x.Validate(); err != nil {
			return err
		}
		what, action := "The item cannot be withheld.", "subject_access.redact"
		if x.Release {
			what, action = "The item cannot be released.", "subject_access.release"
		}
		if rv.Request.State != subjectaccess.Open {
			return drive.Invalid(what, map[string]string{"item": "The pack has been approved and no longer changes."})
		}
		it, ok := rv.Pack.Item(x.Item)
		if !ok {
			return drive.Invalid(what, map[string]string{"item": "The pack has no such item."})
		}
		if x.Release && !it.Releasable() {
			return drive.Invalid(what, map[string]string{"item": "Only an item withheld under the crime-prevention exemption can be released; information about another person is never released."})
		}
		x.RedactedBy = a.UserID
		if err := tx.AddRedaction(ctx, x); err != nil {
			return err
		}
		return tx.Audit(ctx, sarEvent(a, action, x.RequestID, "item "+x.Item))
	})
}

// ApproveSubjectAccess approves request id's pack for release. The
// approver must be a second person: not who recorded the request nor who
// withheld any item on review. Errors: ENOTFOUND, EINVALID.
func (s *Service) ApproveSubjectAccess(ctx context.Context, a Actor, id int64) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		rv, err := s.review(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !rv.CanApprove {
			return drive.Invalid("The pack cannot be approved.", map[string]string{"approval": "A second person approves the pack: not whoever recorded the request or withheld items in it, and only while it is open."})
		}
		if err := tx.ApproveSubjectAccessRequest(ctx, id, a.UserID); err != nil {
			return err
		}
		return tx.Audit(ctx, sarEvent(a, "subject_access.approve", id, ""))
	})
}

// SubjectAccessFiles is a released pack in its two forms.
type SubjectAccessFiles struct {
	JSON []byte
	PDF  []byte
}

// ReleaseSubjectAccess returns request id's approved pack as JSON (for
// machines) and as an accessible PDF, audited as an export. Errors:
// ENOTFOUND, EINVALID if the pack is not yet approved.
func (s *Service) ReleaseSubjectAccess(ctx context.Context, a Actor, id int64) (*SubjectAccessFiles, error) {
	var out *SubjectAccessFiles
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		rv, err := s.review(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if rv.Request.State != subjectaccess.Approved {
			return drive.Invalid("The pack cannot be released yet.", map[string]string{"approval": "A second person must approve the pack first."})
		}
		rv.Pack.Approved = true
		js, err := json.MarshalIndent(rv.Pack, "", "  ")
		if err != nil {
			return drive.Wrap(err, drive.EINTERNAL, "the pack could not be written")
		}
		doc, err := pdf.Render(packDocument(rv.Pack))
		if err != nil {
			return err
		}
		out = &SubjectAccessFiles{JSON: append(js, '\n'), PDF: doc}
		return tx.Audit(ctx, sarEvent(a, audit.ActionRecordExport, id, fmt.Sprintf("pack released: %d items withheld", rv.Pack.Withheld)))
	})
	return out, err
}

// assemble builds the pack for r's subject, by kind.
func (s *Service) assemble(ctx context.Context, tx *store.Tx, r *subjectaccess.Request) (*subjectaccess.Pack, error) {
	switch r.Kind {
	case subjectaccess.Victim:
		return s.assembleVictim(ctx, tx, r)
	case subjectaccess.Staff:
		return s.assembleStaff(ctx, tx, r)
	case subjectaccess.Child:
		return s.assembleChild(ctx, tx, r)
	}
	return s.assemblePerson(ctx, tx, r)
}

// assemblePerson builds the pack for r's person: his own record, each of
// his cases with its notes and actions, and who has read them; every free
// text screened against the third parties linked to his cases.
func (s *Service) assemblePerson(ctx context.Context, tx *store.Tx, r *subjectaccess.Request) (*subjectaccess.Pack, error) {
	p, err := tx.Person(ctx, r.SubjectID)
	if err != nil {
		return nil, err
	}
	pack := &subjectaccess.Pack{RequestID: r.ID, Kind: subjectaccess.Person, Note: subjectaccess.PackNote, Generated: drive.DateOf(tx.Now).String()}
	pack.Person = [][2]string{{"Name", p.GivenName + " " + p.FamilyName}}
	if len(p.Aliases) > 0 {
		pack.Person = append(pack.Person, [2]string{"Other names", strings.Join(p.Aliases, ", ")})
	}
	pack.Person = append(pack.Person, aboutRows(p.DateOfBirth, p.Gender, p.Ethnicity, p.SexualOrientation, p.Disability)...)
	for _, ref := range [][2]string{{"Police reference", p.PoliceRef}, {"Children's social care reference", p.SocialCareRef}, {"Probation reference", p.ProbationRef}} {
		if ref[1] != "" {
			pack.Person = append(pack.Person, ref)
		}
	}
	for _, ad := range p.Addresses {
		pack.Person = append(pack.Person, [2]string{"Address", strings.TrimSpace(ad.Line1 + ", " + ad.Town + " " + ad.Postcode)})
	}

	caseIDs, err := tx.PersonCaseIDs(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	// Everyone on the other side of the wall from him, across his cases.
	var sought []victim.Sought
	var names []string
	for _, id := range caseIDs {
		so, err := s.sought(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		sought = append(sought, so...)
		for _, v := range so {
			names = append(names, v.GivenName, v.FamilyName)
			kids, err := tx.Children(ctx, v.VictimCaseID)
			if err != nil {
				return nil, err
			}
			for _, k := range kids {
				names = append(names, k.GivenName)
			}
		}
		kids, err := tx.CaseChildren(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			names = append(names, k.GivenName)
		}
	}
	screen := func(it subjectaccess.Item, held bool) subjectaccess.Item {
		if held || len(victim.Reveals(it.Title+"\n"+it.Text, sought)) > 0 || subjectaccess.MentionsAny(it.Title+"\n"+it.Text, names) {
			it.Text, it.Withheld = "", subjectaccess.WithheldThirdParty
		}
		return it
	}

	var cases, notes, actions, contacts, appointments, documents subjectaccess.Section
	cases.Title, notes.Title, actions.Title, contacts.Title = "Your cases", "Notes on your cases", "Actions on your cases", "Contacts with you"
	appointments.Title, documents.Title = "Appointments on your cases", "Documents on your cases"
	var caseKeys, actionKeys, appointmentKeys, documentKeys []string
	for _, id := range caseIDs {
		c, err := tx.Case(ctx, id)
		if err != nil {
			return nil, err
		}
		caseKeys = append(caseKeys, strconv.FormatInt(id, 10))
		heldTexts, err := tx.CaseHeldTexts(ctx, id)
		if err != nil {
			return nil, err
		}
		held := map[string]bool{}
		for _, h := range heldTexts {
			if h.Status != victim.Released {
				held[h.RecordType+":"+strconv.FormatInt(h.RecordID, 10)] = true
			}
		}
		site, err := tx.Site(ctx, c.SiteID)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Programme: %s. Referred from %s on %s. State: %s.", c.Programme, strings.ToLower(c.Source.Label()), c.ReferredAt.Display(), strings.ToLower(c.State.Label()))
		if c.Summary != "" {
			fmt.Fprintf(&b, "\nSummary: %s", c.Summary)
		}
		if c.DecisionReasons != "" {
			fmt.Fprintf(&b, "\nPanel decision: %s", c.DecisionReasons)
		}
		if c.ClosureReason != "" {
			fmt.Fprintf(&b, "\nClosed: %s", c.ClosureReason)
		}
		cases.Items = append(cases.Items, screen(subjectaccess.Item{Key: "case:" + strconv.FormatInt(id, 10), Kind: "case",
			On: c.ReferredAt.String(), Title: fmt.Sprintf("Case %d at %s", id, site.Name), Text: b.String()}, held["decision:"+strconv.FormatInt(id, 10)]))

		stored, err := tx.Notes(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, n := range stored {
			text := n.Text
			if !n.Body.IsZero() {
				plain, err := s.open(n.Body, aadCaseNote(n.ID))
				if err != nil {
					return nil, err
				}
				text = string(plain)
			}
			notes.Items = append(notes.Items, screen(subjectaccess.Item{Key: "note:" + strconv.FormatInt(n.ID, 10), Kind: "note",
				On: drive.DateOf(n.CreatedAt).String(), Title: fmt.Sprintf("Note on case %d", id), Text: text}, held["note:"+strconv.FormatInt(n.ID, 10)]))
		}
		acts, err := tx.Actions(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, ac := range acts {
			actionKeys = append(actionKeys, strconv.FormatInt(ac.ID, 10))
			text := fmt.Sprintf("%s action (%s) by %s, due %s: %s.", ac.Prong, strings.ReplaceAll(ac.Type, "-", " "), ac.Agency, ac.DueOn.Display(), strings.ToLower(ac.Status.Label()))
			if ac.Outcome != "" {
				text += " Outcome: " + ac.Outcome
			}
			actions.Items = append(actions.Items, screen(subjectaccess.Item{Key: "action:" + strconv.FormatInt(ac.ID, 10), Kind: "action",
				On: ac.DueOn.String(), Title: fmt.Sprintf("Action on case %d", id), Text: text}, held["action:"+strconv.FormatInt(ac.ID, 10)]))
		}
		// Contacts and attempts to reach him: what the practitioner
		// wrote of them is screened like a note, since a summary of a
		// session may speak of her.
		cts, err := tx.Contacts(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, ct := range cts {
			text := ct.Kind.Label()
			if ct.Method != "" {
				text += " (" + ct.Method + ")"
			}
			text += "."
			if ct.Summary != "" {
				text += " " + ct.Summary
			}
			contacts.Items = append(contacts.Items, screen(subjectaccess.Item{Key: "contact:" + strconv.FormatInt(ct.ID, 10), Kind: "contact",
				On: ct.On.String(), Title: fmt.Sprintf("Contact on case %d", id), Text: text}, held["contact:"+strconv.FormatInt(ct.ID, 10)]))
		}
		// His case's own appointments and documents only: those on a
		// victim-survivor's case are hers and never read here.
		aps, err := tx.CaseAppointments(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, ap := range aps {
			appointmentKeys = append(appointmentKeys, strconv.FormatInt(ap.ID, 10))
			appointments.Items = append(appointments.Items, screen(appointmentItem(ap, fmt.Sprintf("Appointment on case %d", id)), false))
		}
		docs, err := tx.CaseDocuments(ctx, id)
		if err != nil {
			return nil, err
		}
		items, err := documentItems(ctx, tx, docs, fmt.Sprintf("Document on case %d", id))
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			documentKeys = append(documentKeys, strconv.FormatInt(docs[i].ID, 10))
			documents.Items = append(documents.Items, screen(it, false))
		}
	}

	// Who has read or changed his records: role and when, never the
	// reason typed (free text) or the staff member's identity.
	seen := subjectaccess.Section{Title: "Who has seen or changed your records"}
	events, err := tx.AuditEventsFor(ctx, "case", caseKeys)
	if err != nil {
		return nil, err
	}
	personEvents, err := tx.AuditEventsFor(ctx, "person", []string{strconv.FormatInt(p.ID, 10)})
	if err != nil {
		return nil, err
	}
	events = append(events, personEvents...)
	actionEvents, err := tx.AuditEventsFor(ctx, "action", actionKeys)
	if err != nil {
		return nil, err
	}
	events = append(events, actionEvents...)
	for _, r := range []struct {
		recordType string
		ids        []string
	}{{"appointment", appointmentKeys}, {"document", documentKeys}} {
		more, err := tx.AuditEventsFor(ctx, r.recordType, r.ids)
		if err != nil {
			return nil, err
		}
		events = append(events, more...)
	}
	seen.Items = accessItems(events)
	pack.Sections = []subjectaccess.Section{cases, notes, actions, contacts, appointments, documents, seen}
	return pack, nil
}

// accessItems lists audit events as who has read or changed the records,
// oldest first: the role and when, never the reason typed (free text) or
// the staff member's identity.
func accessItems(events []audit.Event) []subjectaccess.Item {
	sort.SliceStable(events, func(i, j int) bool { return events[i].Seq < events[j].Seq })
	var out []subjectaccess.Item
	for _, e := range events {
		who := e.ActorRole
		if who == "" {
			who = "not signed in"
		}
		out = append(out, subjectaccess.Item{Key: "access:" + strconv.FormatInt(e.Seq, 10), Kind: "access",
			On: drive.DateOf(e.At).String(), Title: strings.ReplaceAll(fmt.Sprintf("%s of %s %s", e.Action, e.RecordType, e.RecordID), "_", " "), Text: fmt.Sprintf("By a %s (%s).", strings.ReplaceAll(who, "_", " "), e.Outcome)})
	}
	return out
}

// aboutRows are a pack's "About you" rows in words: the date of birth as
// people write it, each monitoring answer by its label, "Not recorded"
// where there is none.
func aboutRows(born drive.Date, gender, ethnicity, orientation, disability string) [][2]string {
	var rows [][2]string
	if !born.IsZero() {
		rows = append(rows, [2]string{"Date of birth", born.Display()})
	}
	for _, r := range []struct {
		label, code string
		opts        []people.Option
	}{{"Gender", gender, people.Genders()}, {"Ethnicity", ethnicity, people.Ethnicities()},
		{"Sexual orientation", orientation, people.SexualOrientations()}, {"Disability", disability, people.Disabilities()}} {
		value := "Not recorded"
		if r.code != "" {
			value = people.Label(r.code, r.opts)
		}
		rows = append(rows, [2]string{r.label, value})
	}
	return rows
}

// packDocument lays the pack out as an accessible PDF: a summary of the
// person, then each section as a table whose withheld rows say why.
func packDocument(p subjectaccess.Pack) pdf.Document {
	d := pdf.Document{Title: "Your information held by Drive", Subject: "Subject access request " + strconv.FormatInt(p.RequestID, 10),
		Author: "Drive", Marking: "PERSONAL - for the requester only"}
	d.Blocks = append(d.Blocks, pdf.Paragraph{Text: p.Note})
	for _, rel := range p.Released {
		d.Blocks = append(d.Blocks, pdf.Paragraph{Text: rel})
	}
	d.Blocks = append(d.Blocks, pdf.Heading{Level: 1, Text: "About you"}, pdf.KeyValues{Rows: p.Person})
	for _, sec := range p.Sections {
		d.Blocks = append(d.Blocks, pdf.Heading{Level: 1, Text: sec.Title})
		if len(sec.Items) == 0 {
			d.Blocks = append(d.Blocks, pdf.Paragraph{Text: "Nothing is held."})
			continue
		}
		t := pdf.Table{Header: []string{"Date", "Record", "What it says"}}
		for _, it := range sec.Items {
			text := it.Text
			if it.Withheld != "" {
				text = "[Withheld] " + it.Withheld
			}
			t.Rows = append(t.Rows, []string{subjectaccess.Day(it.On), it.Title, text})
		}
		d.Blocks = append(d.Blocks, t)
	}
	return d
}
