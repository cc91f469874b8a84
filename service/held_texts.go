package service

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// The barrier's screen on free text written on a perpetrator's case
// (ARCHITECTURE.md §2). It never refuses a text and never tells the writer
// anything: a refusal, a different message, a different status or a
// different audit trail for text that matches a victim-survivor's details
// would be an oracle, and a few guesses would recover her postcode. It
// decides who else may read the text: a match is stored as written, shown
// to its author as written, and held back from every other reader of the
// case until her IDVA (or a team leader of her IDVA service) reviews it.

// Limits on free-text writes on perpetrators' cases, per user. They count
// every write alike, held or not, so reaching one tells the writer
// nothing; they slow a probe down and make it visible.
const (
	// MaxTextWrites is how many free-text writes a user may make within
	// TextWriteWindow: far more than a practitioner writes by hand.
	MaxTextWrites   = 60
	TextWriteWindow = 10 * time.Minute
	// HeldBurst held writes by one user within HeldBurstWindow alert the
	// data protection officer (and every further HeldBurst again).
	HeldBurst       = 3
	HeldBurstWindow = time.Hour
)

// Audit actions of the screen and its review.
const (
	ActionTextHeld     = "barrier.hold"    // a text was held back for review (the system acts)
	ActionTextScreened = "barrier.screen"  // a text was screened and not held (the system acts)
	ActionTextReleased = "barrier.release" // her IDVA released a held text
	ActionTextKept     = "barrier.keep"    // her IDVA kept a held text back
)

// AlertHeldBurst is the kind of the data protection officer's alert when
// one user's writes are held again and again: someone may be probing.
const AlertHeldBurst = "held_text_burst"

// heldRef names a record whose free text is screened.
type heldRef struct {
	kind string
	id   int64
}

// limitText refuses a free-text write when the actor has made too many
// within the window. It runs after the request's own validation and
// before anything is screened, and counts every write alike.
func (s *Service) limitText(ctx context.Context, tx *store.Tx, a Actor) error {
	n, _, err := tx.TextWrites(ctx, a.UserID, tx.Now.Add(-TextWriteWindow))
	if err != nil {
		return err
	}
	limit := s.TextLimit
	if limit <= 0 {
		limit = MaxTextWrites
	}
	if n >= limit {
		return drive.Errorf(drive.ETOOMANY, "You have saved a lot of text in the last %d minutes. Wait a few minutes, then save again: this was not saved.",
			int(TextWriteWindow/time.Minute))
	}
	return nil
}

// sought gathers what the screen looks for on a case: each linked
// victim-survivor's name, protected details and safety plan, opened from
// their seals. Nothing it returns may leave the service.
func (s *Service) sought(ctx context.Context, tx *store.Tx, caseID int64) ([]victim.Sought, error) {
	links, err := tx.CaseVictimLinks(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var out []victim.Sought
	for _, l := range links {
		v, err := tx.VictimCase(ctx, l.VictimCaseID)
		if err != nil {
			return nil, err
		}
		so := victim.Sought{VictimCaseID: v.ID, GivenName: v.GivenName, FamilyName: v.FamilyName}
		if sv, err := tx.Compartment(ctx, v.ID); err == nil {
			plain, err := s.open(sv, aadCompartment(v.ID))
			if err != nil {
				return nil, err
			}
			if err := json.Unmarshal(plain, &so.Compartment); err != nil {
				return nil, drive.Wrap(err, drive.EINTERNAL, "protected details could not be read")
			}
		} else if drive.ErrorCode(err) != drive.ENOTFOUND {
			return nil, err
		}
		if sv, err := tx.SafetyPlan(ctx, v.ID); err == nil {
			plain, err := s.open(sv, aadVictim(v.ID, "safety_plan"))
			if err != nil {
				return nil, err
			}
			so.SafetyPlan = string(plain)
		} else if drive.ErrorCode(err) != drive.ENOTFOUND {
			return nil, err
		}
		out = append(out, so)
	}
	return out, nil
}

// screen checks the free text just stored on case c for the records refs
// and holds every record back for each linked victim-survivor it may
// reveal. It changes nothing the writer can observe: the text is stored
// either way, the caller's answer and audit event do not depend on it,
// and the hold, its audit event (the system's, on the hold) and any alert
// are not visible on the perpetrator's side.
func (s *Service) screen(ctx context.Context, tx *store.Tx, a Actor, c *casework.Case, refs []heldRef, texts ...string) error {
	sought, err := s.sought(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	var victims []int64
	seen := map[int64]bool{}
	for _, t := range texts {
		for _, id := range victim.Reveals(t, sought) {
			if !seen[id] {
				seen[id] = true
				victims = append(victims, id)
			}
		}
	}
	held := len(victims) > 0
	if err := tx.RecordTextWrite(ctx, a.UserID, c.SiteID, held); err != nil {
		return err
	}
	if !held {
		// The same work as a hold, so that the time a write takes does not
		// depend on what it says: a look for the record's holds, and the
		// system's audit event that it was screened.
		if _, err := tx.CaseHeldTexts(ctx, c.ID); err != nil {
			return err
		}
		for _, r := range refs {
			if err := tx.Audit(ctx, audit.Event{Action: ActionTextScreened, ActorRole: "system", RecordType: r.kind,
				RecordID: strconv.FormatInt(r.id, 10), SiteID: c.SiteID, Outcome: audit.OutcomeOK}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, vid := range victims {
		for _, r := range refs {
			h := &victim.HeldText{CaseID: c.ID, SiteID: c.SiteID, RecordType: r.kind, RecordID: r.id, VictimCaseID: vid, AuthorID: a.UserID}
			if err := tx.HoldText(ctx, h); err != nil {
				return err
			}
			if err := tx.Audit(ctx, audit.Event{Action: ActionTextHeld, ActorRole: "system", RecordType: "held_text",
				RecordID: strconv.FormatInt(h.ID, 10), SiteID: c.SiteID, Outcome: audit.OutcomeOK,
				Reason: "text on case " + strconv.FormatInt(c.ID, 10) + " by user " + strconv.FormatInt(a.UserID, 10) + " held for review"}); err != nil {
				return err
			}
		}
	}
	_, n, err := tx.TextWrites(ctx, a.UserID, tx.Now.Add(-HeldBurstWindow))
	if err != nil || n%HeldBurst != 0 {
		return err
	}
	return tx.CreateAlert(ctx, &account.Alert{SiteID: c.SiteID, Kind: AlertHeldBurst, UserID: a.UserID, RecordType: "case",
		RecordID: strconv.FormatInt(c.ID, 10), Reason: strconv.Itoa(n) + " texts by this user held back within " +
			strconv.Itoa(int(HeldBurstWindow/time.Minute)) + " minutes as possibly revealing a victim-survivor's details: check for probing"})
}

// withhold replaces, in a case view, every held text the reader may not
// see with victim.WithheldText. Its author sees it as written.
func withhold(v *CaseView, hs []victim.HeldText, reader int64) {
	if len(hs) == 0 {
		return
	}
	set := victim.NewHeldSet(hs)
	hide := func(s *string) {
		if *s != "" {
			*s = victim.WithheldText
		}
	}
	if v.Case != nil && set.Hidden(victim.HeldDecision, v.Case.ID, reader) {
		hide(&v.Case.DecisionReasons)
	}
	for i := range v.Notes {
		if set.Hidden(victim.HeldNote, v.Notes[i].ID, reader) {
			hide(&v.Notes[i].Text)
		}
	}
	for i := range v.Contacts {
		if ct := &v.Contacts[i]; set.Hidden(victim.HeldContact, ct.ID, reader) {
			hide(&ct.Summary)
			hide(&ct.Method)
		}
	}
	for i := range v.Actions {
		if act := &v.Actions[i]; set.Hidden(victim.HeldAction, act.ID, reader) {
			hide(&act.Owner)
			hide(&act.Agency)
			hide(&act.Outcome)
		}
	}
	for i := range v.Reviews {
		if set.Hidden(victim.HeldReview, v.Reviews[i].ID, reader) {
			hide(&v.Reviews[i].Summary)
		}
	}
	for i := range v.History {
		if set.Hidden(victim.HeldHistory, v.History[i].ID, reader) {
			hide(&v.History[i].Detail)
		}
	}
}

// HeldView is a held text as her IDVA reviews it: the text as written,
// where and by whom.
type HeldView struct {
	victim.HeldText
	What      string // "Note", "Contact", …
	Text      string
	Author    string
	DecidedBy string
}

// heldViews opens the held texts raised for a victim-survivor, for her
// IDVA's review on her page.
func (s *Service) heldViews(ctx context.Context, tx *store.Tx, victimCaseID int64) ([]HeldView, error) {
	hs, err := tx.VictimHeldTexts(ctx, victimCaseID)
	if err != nil || len(hs) == 0 {
		return nil, err
	}
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.DisplayName
	}
	var out []HeldView
	for _, h := range hs {
		hv := HeldView{HeldText: h, Author: names[h.AuthorID], DecidedBy: names[h.DecidedBy]}
		if hv.What, hv.Text, err = s.heldContent(ctx, tx, h); err != nil {
			return nil, err
		}
		out = append(out, hv)
	}
	return out, nil
}

// heldContent reads the text a hold keeps back, from where it was written.
func (s *Service) heldContent(ctx context.Context, tx *store.Tx, h victim.HeldText) (what, text string, err error) {
	join := func(parts ...string) string {
		out := ""
		for _, p := range parts {
			if p != "" {
				if out != "" {
					out += " · "
				}
				out += p
			}
		}
		return out
	}
	switch h.RecordType {
	case victim.HeldNote:
		ns, err := s.notes(ctx, tx, h.CaseID)
		for _, n := range ns {
			if n.ID == h.RecordID {
				return "Note", n.Text, err
			}
		}
		return "Note", "", err
	case victim.HeldContact:
		cs, err := tx.Contacts(ctx, h.CaseID)
		for _, c := range cs {
			if c.ID == h.RecordID {
				return "Contact", join(c.Method, c.Summary), err
			}
		}
		return "Contact", "", err
	case victim.HeldAction:
		act, err := tx.Action(ctx, h.RecordID)
		if err != nil {
			return "Action", "", err
		}
		return "Action", join(act.Agency, act.Owner, act.Outcome), nil
	case victim.HeldReview:
		rs, err := tx.Reviews(ctx, h.CaseID)
		for _, r := range rs {
			if r.ID == h.RecordID {
				return "Review", r.Summary, err
			}
		}
		return "Review", "", err
	case victim.HeldHistory:
		hs, err := tx.History(ctx, h.CaseID)
		for _, e := range hs {
			if e.ID == h.RecordID {
				return "Reasons for a change of state", e.Detail, err
			}
		}
		return "Reasons for a change of state", "", err
	case victim.HeldDecision:
		c, err := tx.Case(ctx, h.CaseID)
		if err != nil {
			return "Panel decision", "", err
		}
		return "Panel decision", c.DecisionReasons, nil
	case victim.HeldShare:
		sh, err := tx.Share(ctx, h.RecordID)
		if err != nil {
			return "Information shared at a meeting", "", err
		}
		return "Information shared at a meeting", sh.Text, nil
	case victim.HeldItemDecision:
		it, err := tx.Item(ctx, h.RecordID)
		if err != nil {
			return "A meeting's reasons for its decision", "", err
		}
		return "A meeting's reasons for its decision", it.DecisionReasons, nil
	}
	return h.RecordType, "", nil
}

// ReviewHeldText records her IDVA's review of a held text: release it to
// the perpetrator's side, or keep it back. Only those who may write her
// protected details (her IDVA, a team leader of her IDVA service) may
// review. Errors: ENOTFOUND for a hold not raised for her, or a record the
// actor may not write; EINVALID for another decision.
func (s *Service) ReviewHeldText(ctx context.Context, a Actor, victimCaseID, heldID int64, decision victim.HeldStatus) error {
	if !decision.Decision() {
		return drive.Invalid("Choose what to do with the text", map[string]string{"decision": "Choose release or keep withheld"})
	}
	return s.writeVictim(ctx, a, victimCaseID, access.VictimCompartment, audit.PartWithheldText, func(tx *store.Tx, v *victim.Case) error {
		h, err := tx.HeldText(ctx, heldID)
		if err != nil || h.VictimCaseID != v.ID {
			return drive.NotFound("held text")
		}
		if err := tx.DecideHeldText(ctx, heldID, decision, a.UserID); err != nil {
			return err
		}
		action := ActionTextKept
		if decision == victim.Released {
			action = ActionTextReleased
		}
		d := access.Decide(a.Subject, access.Write, VictimResource(ctx, tx, v, access.VictimCompartment), tx.Now)
		return tx.Audit(ctx, audit.Event{Action: action, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "held_text",
			RecordID: strconv.FormatInt(heldID, 10), SiteID: h.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
}
