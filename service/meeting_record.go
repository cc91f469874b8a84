package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// meetingKey names a meeting in a notification's source key, so the
// notification links to it.
func meetingKey(id int64, what string) string {
	return "meeting:" + strconv.FormatInt(id, 10) + ":" + what
}

// meetingOfKey is the meeting a source key names, or 0.
func meetingOfKey(key string) int64 {
	rest, ok := strings.CutPrefix(key, "meeting:")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, ":")
	id, _ := strconv.ParseInt(num, 10, 64)
	return id
}

// changeMeeting runs fn on a meeting the actor coordinates, in one
// transaction, and records the write. Errors: ENOTFOUND.
func (s *Service) changeMeeting(ctx context.Context, a Actor, id int64, action string, fn func(tx *store.Tx, m *meeting.Meeting) error) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		m, err := tx.Meeting(ctx, id)
		if err != nil {
			return drive.NotFound("meeting")
		}
		d, err := s.coordinates(ctx, tx, a, m.SiteID, m.ID)
		if err != nil {
			return err
		}
		if err := fn(tx, m); err != nil {
			return err
		}
		return record(ctx, tx, a, d, action, "meeting", m.ID, m.SiteID, "")
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "meeting", id)
	}
	return err
}

func editable(m *meeting.Meeting) error {
	if m.State == meeting.Held || m.State == meeting.Cancelled {
		return drive.Errorf(drive.EINVALID, "This meeting is %s: its agenda can no longer change", strings.ToLower(m.State.Label()))
	}
	return nil
}

// CandidateRow is a case proposed for an agenda, with what the
// coordinator needs to choose.
type CandidateRow struct {
	meeting.Candidate
	PersonName string
	State      casework.State
	OnAgenda   bool
}

// AgendaCandidates gathers the cases proposed for a meeting's agenda:
// referrals awaiting a decision, the top of the site's identification
// list, active cases due review by the meeting, cases transferring in,
// repeats (a new incident or referral within 12 months of the last
// hearing) and cases 12 months past their last hearing. Cases with
// children come first. Only the meeting's coordinators may ask. Errors:
// ENOTFOUND.
func (s *Service) AgendaCandidates(ctx context.Context, a Actor, id int64) ([]CandidateRow, error) {
	var out []CandidateRow
	err := s.changeMeeting(ctx, a, id, audit.ActionRecordRead, func(tx *store.Tx, m *meeting.Meeting) error {
		facts, err := tx.AgendaFacts(ctx, m.SiteID, m.Kind, m.HeldOn)
		if err != nil {
			return err
		}
		items, err := tx.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		cs := candidates(facts, m.HeldOn, IdentificationTop)
		meeting.SortCandidates(cs)
		for _, c := range cs {
			cc, err := tx.Case(ctx, c.CaseID)
			if err != nil {
				return err
			}
			p, err := tx.Person(ctx, cc.PersonID)
			if err != nil {
				return err
			}
			out = append(out, CandidateRow{Candidate: c, PersonName: p.Name(), State: cc.State,
				OnAgenda: slices.ContainsFunc(items, func(it meeting.Item) bool { return it.CaseID == c.CaseID })})
		}
		return nil
	})
	return out, err
}

// IdentificationTop is how far down a site's identification list a
// referred perpetrator is proposed for the agenda.
const IdentificationTop = 10

// candidates turns agenda facts into candidates, leaving out cases with
// no reason to be heard.
func candidates(facts []store.AgendaFact, on drive.Date, top int) []meeting.Candidate {
	var out []meeting.Candidate
	for _, f := range facts {
		c := meeting.Candidate{CaseID: f.CaseID, Children: f.Children > 0, Rank: f.Rank, LastHeard: f.LastHeard}
		if f.State == casework.Referred {
			c.Add(meeting.AwaitingDecision)
			if f.Rank > 0 && f.Rank <= top {
				c.Add(meeting.Identified)
			}
		}
		if (f.State == casework.Active || f.State == casework.Allocated || f.State == casework.Closing) &&
			!f.NextReviewDue.IsZero() && !f.NextReviewDue.After(on) {
			c.Add(meeting.ReviewDue)
		}
		if f.TransferIn {
			c.Add(meeting.TransferredIn)
		}
		if meeting.IsRepeat(f.LastHeard, f.Events) {
			c.Add(meeting.Repeat)
		}
		if meeting.AnniversaryDue(f.LastHeard, on) {
			c.Add(meeting.Anniversary)
		}
		if len(c.Reasons) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// AddToAgenda puts cases on a meeting's agenda, each with the reasons it
// was proposed (or "added by the coordinator"), the children and repeat
// flags, and the series' time per item; the agenda is then put in order
// (cases with children first). A case must be one the coordinator may
// read at the meeting's site. Errors: EINVALID, ENOTFOUND.
func (s *Service) AddToAgenda(ctx context.Context, a Actor, id int64, caseIDs []int64) error {
	if len(caseIDs) == 0 {
		return drive.Invalid("Nothing was added", map[string]string{"cases": "Choose at least one case to add"})
	}
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if err := editable(m); err != nil {
			return err
		}
		x, err := tx.Series(ctx, m.SeriesID)
		if err != nil {
			return err
		}
		facts, err := tx.AgendaFacts(ctx, m.SiteID, m.Kind, m.HeldOn)
		if err != nil {
			return err
		}
		known := map[int64]meeting.Candidate{}
		for _, c := range candidates(facts, m.HeldOn, IdentificationTop) {
			known[c.CaseID] = c
		}
		children := map[int64]bool{}
		for _, f := range facts {
			children[f.CaseID] = f.Children > 0
		}
		items, err := tx.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		next := len(items) + 10
		for _, cid := range caseIDs {
			c, err := tx.Case(ctx, cid)
			if err != nil || (c.SiteID != m.SiteID && c.TransferToSiteID != m.SiteID) {
				return drive.Invalid("Nothing was added", map[string]string{"cases": "Choose cases of this meeting's site"})
			}
			if slices.ContainsFunc(items, func(it meeting.Item) bool { return it.CaseID == cid }) {
				continue
			}
			cand, ok := known[cid]
			if !ok {
				cand = meeting.Candidate{CaseID: cid, Children: children[cid]}
				cand.Add(meeting.ByHand)
			}
			it := &meeting.Item{MeetingID: m.ID, Ord: next, Kind: meeting.CaseItem, CaseID: cid, Reasons: cand.Reasons,
				Children: cand.Children, Repeat: cand.Repeat, Minutes: x.MinutesPerItem}
			next++
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
			items = append(items, *it)
		}
		return reorder(ctx, tx, items)
	})
}

// reorder saves the agenda's order (meeting.Order).
func reorder(ctx context.Context, tx *store.Tx, items []meeting.Item) error {
	for _, it := range meeting.Order(items) {
		if err := tx.UpdateItem(ctx, &it); err != nil {
			return err
		}
	}
	return nil
}

// RemoveFromAgenda takes a case off an agenda that has not been held,
// when nothing has been recorded against it. Errors: EINVALID, ENOTFOUND.
func (s *Service) RemoveFromAgenda(ctx context.Context, a Actor, id, itemID int64) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if err := editable(m); err != nil {
			return err
		}
		it, err := tx.Item(ctx, itemID)
		if err != nil || it.MeetingID != m.ID {
			return drive.NotFound("agenda item")
		}
		if it.Kind != meeting.CaseItem {
			return drive.Errorf(drive.EINVALID, "Standing items stay on every agenda")
		}
		if it.Decision != "" {
			return drive.Errorf(drive.EINVALID, "A decision has been recorded on this case: it stays on the agenda")
		}
		if err := tx.DeleteItem(ctx, itemID); err != nil {
			if drive.ErrorCode(err) == drive.EINVALID {
				return drive.Errorf(drive.EINVALID, "Information or actions have been recorded on this case: it stays on the agenda")
			}
			return err
		}
		items, err := tx.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		return reorder(ctx, tx, items)
	})
}

// SetItemMinutes changes the time an item has on the agenda. Errors:
// EINVALID, ENOTFOUND.
func (s *Service) SetItemMinutes(ctx context.Context, a Actor, id, itemID int64, minutes int) error {
	if minutes < 1 || minutes > 120 {
		return drive.Invalid("Check the time", map[string]string{"minutes": "Give the item between 1 and 120 minutes"})
	}
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if err := editable(m); err != nil {
			return err
		}
		it, err := tx.Item(ctx, itemID)
		if err != nil || it.MeetingID != m.ID {
			return drive.NotFound("agenda item")
		}
		it.Minutes = minutes
		return tx.UpdateItem(ctx, it)
	})
}

// Invite adds an attendee: a user (whose agency is their organisation) or
// a named person without an account for an agency. Errors: EINVALID,
// ENOTFOUND.
func (s *Service) Invite(ctx context.Context, a Actor, id int64, at meeting.Attendee) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if err := editable(m); err != nil {
			return err
		}
		at.MeetingID, at.Status, at.ConfidentialityAt = m.ID, meeting.Invited, nil
		if at.UserID != 0 {
			u, err := tx.User(ctx, at.UserID)
			if err != nil || u.Disabled() {
				return drive.Invalid("Check the attendee", map[string]string{"user": "Choose a person from the list"})
			}
			at.OrganisationID, at.Name = u.OrganisationID, ""
		}
		if err := at.Validate(); err != nil {
			return err
		}
		if err := tx.CreateAttendee(ctx, &at); err != nil {
			if drive.ErrorCode(err) == drive.ECONFLICT {
				return drive.Invalid("Check the attendee", map[string]string{"user": "They are already invited"})
			}
			return err
		}
		if m.State == meeting.Published && at.UserID != 0 {
			return s.announce(ctx, tx, m, []int64{at.UserID})
		}
		return nil
	})
}

// Uninvite takes an attendee off the list before the meeting is held.
// Errors: EINVALID, ENOTFOUND.
func (s *Service) Uninvite(ctx context.Context, a Actor, id, attendeeID int64) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if err := editable(m); err != nil {
			return err
		}
		atts, err := tx.Attendees(ctx, m.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(atts, func(x meeting.Attendee) bool { return x.ID == attendeeID }) {
			return drive.NotFound("attendee")
		}
		return tx.DeleteAttendee(ctx, attendeeID)
	})
}

// RecordAttendance records how an attendee took part. Errors: EINVALID,
// ENOTFOUND.
func (s *Service) RecordAttendance(ctx context.Context, a Actor, id, attendeeID int64, status meeting.Attendance) error {
	if !status.Valid() {
		return drive.Invalid("Check the attendance", map[string]string{"status": "Choose how they took part"})
	}
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if m.State == meeting.Cancelled || m.State == meeting.Held {
			return drive.Errorf(drive.EINVALID, "Attendance can change only until the minutes are published")
		}
		atts, err := tx.Attendees(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, at := range atts {
			if at.ID == attendeeID {
				at.Status = status
				return tx.UpdateAttendee(ctx, &at)
			}
		}
		return drive.NotFound("attendee")
	})
}

// PublishAgenda publishes a draft agenda: attendees are told in the
// platform, and those with an account may open the cases once they accept
// the confidentiality statement. Errors: EINVALID, ENOTFOUND.
func (s *Service) PublishAgenda(ctx context.Context, a Actor, id int64) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingPublish, func(tx *store.Tx, m *meeting.Meeting) error {
		items, err := tx.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		if err := m.Publish(items, tx.Now); err != nil {
			return err
		}
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		atts, err := tx.Attendees(ctx, m.ID)
		if err != nil {
			return err
		}
		var users []int64
		for _, at := range atts {
			if at.UserID != 0 && at.UserID != a.UserID {
				users = append(users, at.UserID)
			}
		}
		return s.announce(ctx, tx, m, users)
	})
}

// announce tells users in the platform that a meeting's agenda is
// published. The notification names the meeting, its date and how many
// cases it hears; never a case.
func (s *Service) announce(ctx context.Context, tx *store.Tx, m *meeting.Meeting, users []int64) error {
	items, err := tx.Items(ctx, m.ID)
	if err != nil {
		return err
	}
	n := 0
	for _, it := range items {
		if it.Kind == meeting.CaseItem {
			n++
		}
	}
	var ns []store.Notification
	for _, u := range users {
		ns = append(ns, store.Notification{UserID: u, SiteID: m.SiteID, Kind: KindMeetingPublished, SourceKey: meetingKey(m.ID, "published"),
			Summary: fmt.Sprintf("Agenda published: %s on %s at %s, %s", m.Name, m.HeldOn.Display(), m.StartsAt, plural(n, "case", "cases"))})
	}
	_, _, err = s.raise(ctx, tx, ns)
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// AcceptConfidentiality records that the actor, invited to a published
// meeting whose window is open, accepts its confidentiality statement;
// the meeting's cases open to them. Errors: ENOTFOUND.
func (s *Service) AcceptConfidentiality(ctx context.Context, a Actor, id int64) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		m, err := tx.Meeting(ctx, id)
		if err != nil {
			return drive.NotFound("meeting")
		}
		_, me, err := s.meetingAccess(ctx, tx, a, m)
		if err != nil {
			return err
		}
		if me == nil || !m.PanelOpen(tx.Now) {
			return drive.NotFound("meeting")
		}
		if me.ConfidentialityAt != nil {
			return nil
		}
		now := tx.Now
		me.ConfidentialityAt = &now
		if err := tx.UpdateAttendee(ctx, me); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: ActionMeetingAccept, ActorID: a.UserID, ActorRole: string(actingRole(a, m.SiteID, false)),
			RecordType: "meeting", RecordID: strconv.FormatInt(m.ID, 10), SiteID: m.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK,
			Reason: "confidentiality statement accepted"})
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "meeting", id)
	}
	return err
}

// caseItem loads a case item of a meeting for writing something against
// its case in class, as the policy allows the actor (a coordinator at the
// site, or a partner on the meeting's panel). Errors: ENOTFOUND.
func (s *Service) caseItem(ctx context.Context, tx *store.Tx, a Actor, id, itemID int64, class access.DataClass) (*meeting.Meeting, *meeting.Item, *casework.Case, access.Decision, error) {
	m, err := tx.Meeting(ctx, id)
	if err != nil {
		return nil, nil, nil, access.Decision{}, drive.NotFound("meeting")
	}
	it, err := tx.Item(ctx, itemID)
	if err != nil || it.MeetingID != m.ID || it.Kind != meeting.CaseItem {
		return nil, nil, nil, access.Decision{}, drive.NotFound("agenda item")
	}
	c, err := tx.Case(ctx, it.CaseID)
	if err != nil {
		return nil, nil, nil, access.Decision{}, err
	}
	d, _, err := s.decideCase(ctx, tx, a, access.Write, c, class)
	if err != nil {
		return nil, nil, nil, d, drive.NotFound("agenda item")
	}
	if m.State != meeting.Published {
		return nil, nil, nil, d, drive.Errorf(drive.EINVALID, "Information, decisions and actions are recorded while the meeting's agenda is published and before its minutes are")
	}
	return m, it, c, d, nil
}

// RecordShare records what an agency shared about a case on the agenda,
// with its lawful basis and whether the victim-survivor was told. A
// partner records for their own agency; a coordinator for any agency on
// the meeting. The text is screened by the barrier. Errors: EINVALID,
// ENOTFOUND.
func (s *Service) RecordShare(ctx context.Context, a Actor, id, itemID int64, sh *meeting.Share) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		m, it, c, d, err := s.caseItem(ctx, tx, a, id, itemID, access.PoliceIntel)
		if err != nil {
			return err
		}
		if d.Relationship == access.Panel || sh.OrganisationID == 0 {
			sh.OrganisationID = a.OrganisationID
		}
		sh.ItemID, sh.RecordedBy = it.ID, a.UserID
		if err := sh.Validate(); err != nil {
			return err
		}
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateShare(ctx, sh); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, a, c, []heldRef{{victim.HeldShare, sh.ID}}, sh.Text); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "case", c.ID, c.SiteID, "information shared at meeting "+strconv.FormatInt(m.ID, 10),
			audit.PartSharedAtMeeting)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "meeting", id)
	}
	return err
}

// DecideItem records a meeting's decision on a case, with reasons and the
// eligibility evidence as it stood. At a Drive panel, accepting or
// declining a referral also moves the case, exactly as a decision on the
// case page would. Only the meeting's coordinators decide. Errors:
// EINVALID, ENOTFOUND.
func (s *Service) DecideItem(ctx context.Context, a Actor, id, itemID int64, decision meeting.Decision, reasons string) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if m.State != meeting.Published {
			return drive.Errorf(drive.EINVALID, "Decisions are recorded while the meeting's agenda is published and before its minutes are")
		}
		it, err := tx.Item(ctx, itemID)
		if err != nil || it.MeetingID != m.ID {
			return drive.NotFound("agenda item")
		}
		it.Decision, it.DecisionReasons = decision, reasons
		if err := it.ValidateDecision(m.Kind); err != nil {
			return err
		}
		c, err := tx.Case(ctx, it.CaseID)
		if err != nil {
			return err
		}
		prog, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		it.Evidence = evidenceWords(prog.Assess(c.Evidence, c.ReferredAt), c)
		now := tx.Now
		it.DecidedBy, it.DecidedAt = a.UserID, &now
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.UpdateItem(ctx, it); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, a, c, []heldRef{{victim.HeldItemDecision, it.ID}}, it.DecisionReasons); err != nil {
			return err
		}
		if m.Kind == meeting.DrivePanel && c.State == casework.Referred && (decision == meeting.Accept || decision == meeting.Decline) {
			event := casework.Accept
			if decision == meeting.Decline {
				event = casework.Decline
			}
			d, _, err := s.decideCase(ctx, tx, a, access.Write, c, access.PerpetratorCase)
			if err != nil {
				return err
			}
			if err := s.moveCase(ctx, tx, a, c, casework.Change{Event: event, Reasons: reasons}, false); err != nil {
				return err
			}
			return record(ctx, tx, a, d, audit.ActionRecordWrite, "case", c.ID, c.SiteID, "", changedBy(event))
		}
		return nil
	})
}

// evidenceWords says which eligibility criteria the case met, for the
// record of the decision.
func evidenceWords(as programme.Assessment, c *casework.Case) string {
	var met []string
	for _, r := range as.Results {
		if r.Met {
			met = append(met, r.Rule.Label)
		}
	}
	var parts []string
	if c.Evidence.DASHScore >= 0 {
		parts = append(parts, "DASH score "+strconv.Itoa(c.Evidence.DASHScore))
	}
	if c.Evidence.Victims > 0 {
		parts = append(parts, plural(c.Evidence.Victims, "victim", "victims"))
	}
	if !c.Evidence.LastMARAC.IsZero() {
		parts = append(parts, "last MARAC "+c.Evidence.LastMARAC.Display())
	}
	if c.Evidence.IdentificationRank > 0 {
		parts = append(parts, "identification rank "+strconv.Itoa(c.Evidence.IdentificationRank))
	}
	out := strings.Join(parts, "; ")
	if len(met) > 0 {
		out += ". Criteria met: " + strings.Join(met, ", ")
	} else {
		out += ". No criterion met"
	}
	return out
}

// AgreeAction records an action a meeting agreed on a case, owned by an
// agency: it joins the case's disrupt/change/support plan and the
// agency's partner users see it. Errors: EINVALID, ENOTFOUND.
func (s *Service) AgreeAction(ctx context.Context, a Actor, id, itemID int64, act *casework.Action) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if m.State != meeting.Published {
			return drive.Errorf(drive.EINVALID, "Actions are agreed while the meeting's agenda is published and before its minutes are")
		}
		it, err := tx.Item(ctx, itemID)
		if err != nil || it.MeetingID != m.ID || it.Kind != meeting.CaseItem {
			return drive.NotFound("agenda item")
		}
		c, err := tx.Case(ctx, it.CaseID)
		if err != nil {
			return err
		}
		if !c.State.Open() {
			return drive.Errorf(drive.EINVALID, "Actions can only be agreed on an open case")
		}
		org, err := tx.Organisation(ctx, act.OrganisationID)
		if err != nil {
			return drive.Invalid("Check the action", map[string]string{"organisation": "Choose the agency that owns the action"})
		}
		prog, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		act.CaseID, act.CreatedBy, act.MeetingItemID, act.Agency = c.ID, a.UserID, it.ID, org.Name
		if err := act.Validate(prog, drive.DateOf(tx.Now), true); err != nil {
			return err
		}
		act.Agency = org.Name // Validate may fill the catalogue's agency; the owner is the organisation chosen
		if err := s.limitText(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateAction(ctx, act); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, a, c, []heldRef{{victim.HeldAction, act.ID}}, act.Owner, act.Outcome); err != nil {
			return err
		}
		return s.recordAtMeeting(ctx, tx, a, m, c, "action agreed", audit.PartPlan)
	})
}

// recordAtMeeting records a change a meeting made to a case on its agenda
// (an action agreed, a MARAC hearing) as a write of the case, with the
// part it changed, in the coordinator's role: the meeting's own event
// says the meeting changed, this one lets the case's trail show it.
func (s *Service) recordAtMeeting(ctx context.Context, tx *store.Tx, a Actor, m *meeting.Meeting, c *casework.Case, what, part string) error {
	d, err := s.coordinates(ctx, tx, a, m.SiteID, m.ID)
	if err != nil {
		return err
	}
	return record(ctx, tx, a, d, audit.ActionRecordWrite, "case", c.ID, c.SiteID, what+" at meeting "+strconv.FormatInt(m.ID, 10), part)
}

// PublishMinutes records that the meeting was held: every case has a
// decision, the minutes are published, and at a MARAC each case heard
// becomes a MARAC hearing on the case and on each linked victim-survivor's
// case (the date the eligibility rules and the repeat measure read).
// Errors: EINVALID, ENOTFOUND.
func (s *Service) PublishMinutes(ctx context.Context, a Actor, id int64) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingMinutes, func(tx *store.Tx, m *meeting.Meeting) error {
		items, err := tx.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		if err := m.Hold(items, tx.Now); err != nil {
			return err
		}
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		if m.Kind != meeting.MARAC {
			return nil
		}
		for _, it := range items {
			if it.Kind != meeting.CaseItem {
				continue
			}
			c, err := hearCase(ctx, tx, it.CaseID, m.HeldOn)
			if err != nil {
				return err
			}
			if err := s.recordAtMeeting(ctx, tx, a, m, c, "heard", audit.PartMARACHearing); err != nil {
				return err
			}
		}
		return nil
	})
}

// hearCase records a MARAC hearing of a case on a date.
func hearCase(ctx context.Context, tx *store.Tx, caseID int64, on drive.Date) (*casework.Case, error) {
	c, err := tx.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if on.After(c.Evidence.LastMARAC) {
		c.Evidence.LastMARAC = on
		if err := tx.UpdateCase(ctx, c); err != nil {
			return nil, err
		}
	}
	links, err := tx.CaseVictimLinks(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if err := tx.AddMARACDate(ctx, l.VictimCaseID, caseID, on); err != nil && drive.ErrorCode(err) != drive.ECONFLICT {
			return nil, err
		}
	}
	return c, nil
}

// CancelMeeting cancels a meeting not yet held; its cases close to its
// attendees at once. Errors: EINVALID, ENOTFOUND.
func (s *Service) CancelMeeting(ctx context.Context, a Actor, id int64) error {
	return s.changeMeeting(ctx, a, id, ActionMeetingWrite, func(tx *store.Tx, m *meeting.Meeting) error {
		if err := m.Cancel(); err != nil {
			return err
		}
		return tx.UpdateMeeting(ctx, m)
	})
}
