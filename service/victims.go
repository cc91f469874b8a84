package service

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/schedule"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// seal encrypts plaintext for a place. Errors: EUNAVAILABLE when no keys
// are configured.
func (s *Service) seal(plaintext, aad []byte) (store.SealedValue, error) {
	if s.Keys == nil {
		return store.SealedValue{}, drive.Errorf(drive.EUNAVAILABLE, "Protected details cannot be saved: the service has no encryption keys configured")
	}
	v, err := s.Keys.Seal(s.random(), plaintext, aad)
	if err != nil {
		return store.SealedValue{}, err
	}
	return store.SealedValue{Data: v.Marshal(), KeyID: v.KeyID}, nil
}

// open decrypts a stored value. A value that fails to open (altered,
// moved, or sealed with a key that is not configured) is an internal
// error: the request fails loudly and the cause is logged; garbage is
// never shown.
func (s *Service) open(v store.SealedValue, aad []byte) ([]byte, error) {
	if s.Keys == nil {
		return nil, drive.Errorf(drive.EUNAVAILABLE, "Protected details cannot be shown: the service has no encryption keys configured")
	}
	sv, err := sealed.ParseSealed(v.Data)
	if err != nil {
		return nil, drive.Wrap(fmt.Errorf("stored value at %s: %w", aad, err), drive.EINTERNAL, "protected details could not be read")
	}
	plain, err := s.Keys.Open(sv, aad)
	if err != nil {
		return nil, drive.Wrap(fmt.Errorf("stored value at %s (key %s): %w", aad, v.KeyID, err), drive.EINTERNAL, "protected details could not be read")
	}
	return plain, nil
}

// VictimResource is the policy's view of a victim-survivor's record: it
// belongs to her site and is allocated to her IDVA (and, for the Team
// relationship, to the IDVA's organisation).
func VictimResource(ctx context.Context, tx *store.Tx, v *victim.Case, class access.DataClass) access.Resource {
	r := access.Resource{Class: class, RecordType: "victim", RecordID: strconv.FormatInt(v.ID, 10), SiteID: v.SiteID}
	if v.IDVAID != 0 {
		r.AllocatedUserIDs = []int64{v.IDVAID}
		if u, err := tx.User(ctx, v.IDVAID); err == nil {
			r.AllocatedOrganisationIDs = []int64{u.OrganisationID}
		}
	}
	return r
}

// VictimRow is a victim-survivor's case in a list.
type VictimRow struct {
	Case  victim.Case
	IDVA  string
	Links int
	// ToReview counts texts on linked perpetrators' cases held back for
	// her review; counted only for those who may review them.
	ToReview int
	// Assessments sums up her DASH reviews and the behaviour assessments
	// made with her (victimSchedules): what is next, how many overdue.
	Assessments schedule.Status
	// DASH is her DASH history: its Latest is the latest DASH, by the one
	// definition (risk.Latest) her page and the case manager's risk
	// table use; HasDASH is false when none is recorded.
	DASH    risk.History
	HasDASH bool
	// NextStep is what her IDVA is to do next, in words (victim.NextStep).
	NextStep string
}

// Victims lists the victim-survivors' cases the actor may see: an IDVA's
// own when mine is true, otherwise every case at the sites where they may
// read victims' risk information.
func (s *Service) Victims(ctx context.Context, a Actor, mine bool) ([]VictimRow, error) {
	return s.victimList(ctx, a, mine, "list")
}

// DownloadVictims is Victims for a file: the same rows, audited as a list
// that was downloaded.
func (s *Service) DownloadVictims(ctx context.Context, a Actor, mine bool) ([]VictimRow, error) {
	return s.victimList(ctx, a, mine, "list downloaded")
}

func (s *Service) victimList(ctx context.Context, a Actor, mine bool, what string) ([]VictimRow, error) {
	f := store.VictimFilter{OpenOnly: mine, Limit: 1000}
	if mine {
		f.IDVAID = a.UserID
		for _, g := range a.Subject.Grants {
			if g.Role == access.IDVA {
				f.SiteIDs = append(f.SiteIDs, g.SiteID)
			}
		}
	} else {
		f.SiteIDs, _ = a.Subject.SitesFor(access.VictimRisk, access.Read)
	}
	if len(f.SiteIDs) == 0 {
		return nil, nil
	}
	var out []VictimRow
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		cases, _, err := tx.VictimCases(ctx, f)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		progs := newProgrammes(tx)
		for _, v := range cases {
			if !victimSide(a, tx, ctx, &v) {
				continue
			}
			if v.IDVAID != 0 && names[v.IDVAID] == "" {
				if u, err := tx.User(ctx, v.IDVAID); err == nil {
					names[v.IDVAID] = u.DisplayName
				}
			}
			links, err := tx.VictimLinks(ctx, v.ID)
			if err != nil {
				return err
			}
			row := VictimRow{Case: v, IDVA: names[v.IDVAID], Links: len(links)}
			scs, _, err := victimSchedules(ctx, tx, progs, &v)
			if err != nil {
				return err
			}
			today := drive.DateOf(tx.Now)
			row.Assessments = schedule.StatusOf(today, scs...)
			stored, err := tx.DASHAssessments(ctx, v.ID)
			if err != nil {
				return err
			}
			row.DASH, row.HasDASH = risk.Trend(dashPoints(stored)), len(stored) > 0
			row.NextStep = victim.NextStep(&v, row.HasDASH, row.Assessments, today)
			if access.Decide(a.Subject, access.Write, VictimResource(ctx, tx, &v, access.VictimCompartment), tx.Now).Allowed {
				held, err := tx.VictimHeldTexts(ctx, v.ID)
				if err != nil {
					return err
				}
				for _, h := range held {
					if h.Status == victim.Withheld {
						row.ToReview++
					}
				}
			}
			out = append(out, row)
		}
		return listedIn(ctx, tx, a, "victim", what, len(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// victimSide reports whether the actor works on the victim-survivors' side
// for this record: an IDVA at her site (IDVAs cover for each other), a
// team leader of her IDVA's service, or someone with break-glass open.
// Perpetrator-side staff, even where the policy lets them read risk
// information, get it anonymised on the perpetrator's case page, never her
// own record: her name and history stay with the IDVA service.
func victimSide(a Actor, tx *store.Tx, ctx context.Context, v *victim.Case) bool {
	for _, g := range a.Subject.Grants {
		if g.Role == access.IDVA && g.SiteID == v.SiteID {
			return true
		}
	}
	if access.Decide(a.Subject, access.Write, VictimResource(ctx, tx, v, access.VictimRisk), tx.Now).Allowed {
		return true
	}
	return access.Decide(a.Subject, access.Read, VictimResource(ctx, tx, v, access.VictimCompartment), tx.Now).Allowed
}

// DASHEntry is one DASH assessment with its score.
type DASHEntry struct {
	Assessment risk.Assessment
	Result     risk.Result
	Comments   map[string]string // only when the compartment may be read
	// HasComments says comments were given, without opening them: her
	// summary points to the protected details page for them.
	HasComments bool
	// Labelled are the Comments with their questions, in the order asked.
	Labelled []risk.QuestionComment
}

// dashPoints are stored DASH assessments as points of a history.
func dashPoints(stored []store.StoredDASH) []risk.Dated {
	points := make([]risk.Dated, 0, len(stored))
	for _, sd := range stored {
		points = append(points, risk.Dated{On: sd.Assessment.AssessedOn, Result: sd.Result})
	}
	return points
}

// DASHNewestFirst is her DASH history as her page lists it, newest first.
func (v *VictimView) DASHNewestFirst() []DASHEntry {
	out := make([]DASHEntry, len(v.DASH))
	for i, e := range v.DASH {
		out[len(out)-1-i] = e
	}
	return out
}

// VictimView is what the victim-survivor's page and API resource show.
// Protected is nil unless the actor may read the compartment.
type VictimView struct {
	Case       *victim.Case
	IDVA       string
	Links      []victim.Link
	Children   []victim.Child
	DASH       []DASHEntry
	Trend      risk.History
	Behaviours []risk.BehaviourAssessment
	Protected  *Protected
	CanWrite   bool // risk information
	CanProtect bool // the compartment
	BreakGlass bool // the compartment is open only by break-glass
	// MayOpenProtected says the actor may open the compartment on its own
	// page (VictimSummary never opens it): a decision of the policy, not a
	// read.
	MayOpenProtected bool
	// Held are texts written on a linked perpetrator's case that may
	// reveal her details, held back for review (with the compartment).
	Held  []HeldView
	IDVAs []IDVAChoice
	Today drive.Date
}

// Protected is the compartment and the victim-side records sealed with it.
type Protected struct {
	Compartment victim.Compartment
	SafetyPlan  string
	Notes       []OpenEntry
	Contacts    []OpenEntry
}

// OpenEntry is a victim-side note or contact, opened.
type OpenEntry struct {
	ID        int64
	On        drive.Date
	Kind      string
	Text      string
	Amends    int64
	CreatedBy string
}

// IDVAChoice is an IDVA a case may be allocated to.
type IDVAChoice struct {
	ID   int64
	Name string
}

// Victim returns a victim-survivor's record as the actor may see it, with
// her protected details: the protected details page and the API. Her
// risk information needs VictimRisk; the protected compartment, safety
// plan, IDVA notes and contacts, and the reasons given with her DASH
// assessments need VictimCompartment (her IDVA, a team leader of the
// IDVA's service, or break-glass). Every read is audited, the
// compartment's separately. Errors: ENOTFOUND.
func (s *Service) Victim(ctx context.Context, a Actor, id int64) (*VictimView, error) {
	return s.victim(ctx, a, id, true)
}

// VictimSummary is her record without her protected details: what her
// summary page (and the DASH form) shows, so reading it opens nothing
// sealed and is audited as a read of her record alone, never of the
// compartment. Professional judgement reasons, held with the
// compartment, are left out too. MayOpenProtected says whether the
// actor may open them on the protected details page. Needs VictimRisk on
// the victim-survivors' side. Errors: ENOTFOUND.
func (s *Service) VictimSummary(ctx context.Context, a Actor, id int64) (*VictimView, error) {
	return s.victim(ctx, a, id, false)
}

func (s *Service) victim(ctx context.Context, a Actor, id int64, protected bool) (*VictimView, error) {
	view := &VictimView{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		v, err := tx.VictimCase(ctx, id)
		if err != nil {
			return drive.NotFound("victim-survivor")
		}
		d, err := s.decide(ctx, tx, a, access.Read, VictimResource(ctx, tx, v, access.VictimRisk), "victim-survivor")
		if err != nil {
			return err
		}
		if !victimSide(a, tx, ctx, v) {
			return drive.NotFound("victim-survivor")
		}
		view.Case, view.Today = v, drive.DateOf(tx.Now)
		view.CanWrite = access.Decide(a.Subject, access.Write, VictimResource(ctx, tx, v, access.VictimRisk), tx.Now).Allowed
		if v.IDVAID != 0 {
			if u, err := tx.User(ctx, v.IDVAID); err == nil {
				view.IDVA = u.DisplayName
			}
		}
		if view.Links, err = tx.VictimLinks(ctx, id); err != nil {
			return err
		}
		if view.Children, err = tx.Children(ctx, id); err != nil {
			return err
		}
		stored, err := tx.DASHAssessments(ctx, id)
		if err != nil {
			return err
		}
		for _, sd := range stored {
			view.DASH = append(view.DASH, DASHEntry{Assessment: sd.Assessment, Result: sd.Result, HasComments: len(sd.Comments.Data) > 0})
		}
		view.Trend = risk.Trend(dashPoints(stored))
		if view.Behaviours, err = tx.Behaviours(ctx, id); err != nil {
			return err
		}
		if err := s.idvaChoices(ctx, tx, a, v, view); err != nil {
			return err
		}
		if err := record(ctx, tx, a, d, audit.ActionRecordRead, "victim", id, v.SiteID, ""); err != nil {
			return err
		}
		pd := access.Decide(a.Subject, access.Read, VictimResource(ctx, tx, v, access.VictimCompartment), tx.Now)
		view.MayOpenProtected = pd.Allowed
		if !pd.Allowed || !protected {
			for i := range view.DASH {
				view.DASH[i].Assessment.JudgementReason = ""
			}
			return nil
		}
		view.BreakGlass = pd.BreakGlass
		view.CanProtect = !pd.BreakGlass && access.Decide(a.Subject, access.Write, VictimResource(ctx, tx, v, access.VictimCompartment), tx.Now).Allowed
		if view.Protected, err = s.openProtected(ctx, tx, v, stored, view); err != nil {
			return err
		}
		if view.Held, err = s.heldViews(ctx, tx, id); err != nil {
			return err
		}
		e := audit.Event{Action: "compartment.read", ActorID: a.UserID, ActorRole: string(pd.Role), RecordType: "victim",
			RecordID: strconv.FormatInt(id, 10), SiteID: v.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed}
		if pd.BreakGlass {
			e.Reason = "break-glass"
		}
		return tx.Audit(ctx, e)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "victim", id)
	}
	return view, err
}

func (s *Service) idvaChoices(ctx context.Context, tx *store.Tx, a Actor, v *victim.Case, view *VictimView) error {
	users, err := tx.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		for _, r := range u.Roles {
			if r.Role == access.IDVA && r.SiteID == v.SiteID && !u.Disabled() {
				view.IDVAs = append(view.IDVAs, IDVAChoice{u.ID, u.DisplayName})
			}
		}
	}
	sort.Slice(view.IDVAs, func(i, j int) bool { return view.IDVAs[i].Name < view.IDVAs[j].Name })
	return nil
}

// openProtected opens the compartment and the victim-side records.
func (s *Service) openProtected(ctx context.Context, tx *store.Tx, v *victim.Case, stored []store.StoredDASH, view *VictimView) (*Protected, error) {
	p := &Protected{}
	if sv, err := tx.Compartment(ctx, v.ID); err == nil {
		plain, err := s.open(sv, aadCompartment(v.ID))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(plain, &p.Compartment); err != nil {
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
		p.SafetyPlan = string(plain)
	} else if drive.ErrorCode(err) != drive.ENOTFOUND {
		return nil, err
	}
	names := map[int64]string{}
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		names[u.ID] = u.DisplayName
	}
	for _, kind := range []string{"note", "contact"} {
		var entries []store.SealedEntry
		if kind == "note" {
			entries, err = tx.VictimNotes(ctx, v.ID)
		} else {
			entries, err = tx.IDVAContacts(ctx, v.ID)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			plain, err := s.open(e.Body, aadVictim(v.ID, kind))
			if err != nil {
				return nil, err
			}
			oe := OpenEntry{ID: e.ID, On: e.On, Kind: e.Kind, Text: string(plain), Amends: e.Amends, CreatedBy: names[e.CreatedBy]}
			if kind == "note" {
				p.Notes = append(p.Notes, oe)
			} else {
				p.Contacts = append(p.Contacts, oe)
			}
		}
	}
	for i, sd := range stored {
		if len(sd.Comments.Data) == 0 {
			continue
		}
		plain, err := s.open(sd.Comments, aadVictim(v.ID, "dash"))
		if err != nil {
			return nil, err
		}
		var comments map[string]string
		if err := json.Unmarshal(plain, &comments); err == nil {
			view.DASH[i].Comments = comments
			view.DASH[i].Labelled = risk.DASH2009().LabelComments(comments)
		}
	}
	return p, nil
}

// VictimChoices are what the form that opens a victim-survivor's case
// offers: the sites where the actor is an IDVA or team leader, and the
// IDVAs (not disabled) at those sites.
type VictimChoices struct {
	Sites []account.Site
	IDVAs []IDVAChoice // named "Name (Site)"
}

// VictimChoices lists the sites and IDVAs the actor may open a
// victim-survivor's case with. Only IDVAs and team leaders open cases, so
// anyone else is answered ENOTFOUND, as for a page they cannot see.
// Opening the case itself is decided and audited by OpenVictimCase.
func (s *Service) VictimChoices(ctx context.Context, a Actor) (*VictimChoices, error) {
	if !a.Subject.HasRole(access.IDVA) && !a.Subject.HasRole(access.TeamLeader) {
		return nil, drive.NotFound("page")
	}
	out := &VictimChoices{}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, st := range sites {
			held := false
			for _, g := range a.Subject.Grants {
				held = held || ((g.Role == access.IDVA || g.Role == access.TeamLeader) && g.SiteID == st.ID)
			}
			if !held {
				continue
			}
			out.Sites = append(out.Sites, st)
			for _, u := range users {
				for _, ro := range u.Roles {
					if ro.Role == access.IDVA && ro.SiteID == st.ID && !u.Disabled() {
						out.IDVAs = append(out.IDVAs, IDVAChoice{ID: u.ID, Name: u.DisplayName + " (" + st.Name + ")"})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// VictimInput opens a victim-survivor's case.
type VictimInput struct {
	Case victim.Case
	// Link is the perpetrator case she is linked to (CaseID 0: none yet).
	Link victim.Link
}

// OpenVictimCase opens a victim-survivor's case: an IDVA opens it for
// herself; a team leader of the IDVA service for one of their IDVAs.
// Errors: EINVALID, ENOTFOUND (a site or case the actor may not use).
func (s *Service) OpenVictimCase(ctx context.Context, a Actor, in VictimInput) (int64, error) {
	var id int64
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		v := in.Case
		v.Open = true
		if a.Subject.HasRole(access.IDVA) && v.IDVAID == 0 {
			v.IDVAID = a.UserID
		}
		if v.IDVAID == 0 {
			return drive.Invalid("The case could not be opened", map[string]string{"idva": "Choose the IDVA for the victim-survivor"})
		}
		u, err := tx.User(ctx, v.IDVAID)
		ok := err == nil && !u.Disabled()
		if ok {
			ok = false
			for _, r := range u.Roles {
				ok = ok || (r.Role == access.IDVA && r.SiteID == v.SiteID)
			}
		}
		if !ok {
			return drive.Invalid("The case could not be opened", map[string]string{"idva": "Choose an IDVA at this site"})
		}
		d, err := s.decide(ctx, tx, a, access.Write, VictimResource(ctx, tx, &v, access.VictimRisk), "site")
		if err != nil {
			return drive.Invalid("The case could not be opened", map[string]string{"site": "Choose a site where you support victim-survivors"})
		}
		if err := tx.CreateVictimCase(ctx, &v); err != nil {
			return err
		}
		id = v.ID
		if in.Link.PerpetratorCase != 0 {
			c, err := tx.Case(ctx, in.Link.PerpetratorCase)
			if err != nil || c.SiteID != v.SiteID {
				return drive.Invalid("The case could not be opened", map[string]string{"perpetrator_case": "Enter the number of a perpetrator case at this site"})
			}
			in.Link.VictimCaseID = v.ID
			if err := tx.LinkVictim(ctx, in.Link); err != nil {
				return err
			}
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "victim", v.ID, v.SiteID, "", audit.PartNewVictimCase)
	})
	return id, err
}

// writeVictim runs fn on a victim-survivor's case the actor may write for
// class, in one transaction with its audit event, which names the part
// of the case that changed (audit.PartSafetyPlan), never what it says, so
// the audit log can say what changed.
func (s *Service) writeVictim(ctx context.Context, a Actor, id int64, class access.DataClass, part string, fn func(tx *store.Tx, v *victim.Case) error) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		v, err := tx.VictimCase(ctx, id)
		if err != nil {
			return drive.NotFound("victim-survivor")
		}
		d, err := s.decide(ctx, tx, a, access.Write, VictimResource(ctx, tx, v, class), "victim-survivor")
		if err != nil {
			return err
		}
		if err := fn(tx, v); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "victim", id, v.SiteID, "", part)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "victim", id)
	}
	return err
}

// SetCompartment replaces her protected details, sealed under a fresh data key.
func (s *Service) SetCompartment(ctx context.Context, a Actor, id int64, c victim.Compartment) error {
	return s.writeVictim(ctx, a, id, access.VictimCompartment, audit.PartProtected, func(tx *store.Tx, v *victim.Case) error {
		if err := c.Validate(); err != nil {
			return err
		}
		plain, err := json.Marshal(c)
		if err != nil {
			return err
		}
		sv, err := s.seal(plain, aadCompartment(id))
		if err != nil {
			return err
		}
		return tx.SetCompartment(ctx, id, sv, a.UserID)
	})
}

// SetSafetyPlan replaces her safety plan (victim-side, sealed).
func (s *Service) SetSafetyPlan(ctx context.Context, a Actor, id int64, plan string) error {
	return s.writeVictim(ctx, a, id, access.VictimCompartment, audit.PartSafetyPlan, func(tx *store.Tx, v *victim.Case) error {
		if len(plan) > 20000 {
			return drive.Invalid("Check the safety plan", map[string]string{"safety_plan": "Keep the safety plan to 20,000 characters"})
		}
		sv, err := s.seal([]byte(plan), aadVictim(id, "safety_plan"))
		if err != nil {
			return err
		}
		return tx.SetSafetyPlan(ctx, id, sv, a.UserID)
	})
}

// VictimEntry is a new IDVA note or contact as the form gives it; its
// text is passed beside it and stored only sealed, so this type never
// holds the words.
type VictimEntry struct {
	// Kind is the kind of contact (call, visit, message, attempt); for a
	// note, "note".
	Kind string
	On   drive.Date
	// Amends is the earlier note this one corrects (notes are never
	// edited in place), or 0.
	Amends int64
	// ID is set once the entry is stored (with Kind and On as stored:
	// a note's kind and today when left empty).
	ID int64
}

// AddVictimEntry appends an IDVA note (kind "note") or contact (kind
// "contact": call, visit, message, attempt in e.Kind), sealed. It needs
// the compartment (her IDVA, a team leader of the IDVA's service, or
// break-glass). Errors: ENOTFOUND, EINVALID, EUNAVAILABLE without keys.
func (s *Service) AddVictimEntry(ctx context.Context, a Actor, id int64, kind string, e *VictimEntry, text string) error {
	return s.writeVictim(ctx, a, id, access.VictimCompartment, victimEntryPart(kind), func(tx *store.Tx, v *victim.Case) error {
		if text == "" || len(text) > 20000 {
			return drive.Invalid("Check the entry", map[string]string{kind + "_text": "Write the " + kind + " (up to 20,000 characters)"})
		}
		sv, err := s.seal([]byte(text), aadVictim(id, kind))
		if err != nil {
			return err
		}
		se := &store.SealedEntry{VictimCaseID: id, Kind: e.Kind, On: e.On, Amends: e.Amends, CreatedBy: a.UserID, Body: sv}
		if kind == "note" {
			err = tx.AddVictimNote(ctx, se)
		} else {
			err = tx.AddIDVAContact(ctx, se)
		}
		e.ID, e.Kind, e.On = se.ID, se.Kind, se.On
		return err
	})
}

// victimEntryPart is the part of her case an IDVA note or contact is.
func victimEntryPart(kind string) string {
	if kind == "note" {
		return audit.PartNote
	}
	return audit.PartIDVAContact
}

// AddChild records a child linked to her (and to a perpetrator case).
func (s *Service) AddChild(ctx context.Context, a Actor, id int64, ch *victim.Child) error {
	return s.writeVictim(ctx, a, id, access.Child, audit.PartChild, func(tx *store.Tx, v *victim.Case) error {
		ch.VictimCaseID = id
		if ch.PerpetratorCase != 0 && !linked(tx, ctx, id, ch.PerpetratorCase) {
			return drive.Invalid("Check the child's details", map[string]string{"child_case": "Choose a perpetrator case the victim-survivor is linked to"})
		}
		return tx.CreateChild(ctx, ch)
	})
}

func linked(tx *store.Tx, ctx context.Context, victimID, caseID int64) bool {
	links, err := tx.VictimLinks(ctx, victimID)
	if err != nil {
		return false
	}
	for _, l := range links {
		if l.PerpetratorCase == caseID {
			return true
		}
	}
	return false
}

// AddDASH records a DASH risk assessment: scored from its answers,
// professional judgement kept apart, comments sealed (they may say where
// she is).
func (s *Service) AddDASH(ctx context.Context, a Actor, id int64, as *risk.Assessment) error {
	q := risk.DASH2009()
	return s.writeVictim(ctx, a, id, access.VictimRisk, audit.PartDASH, func(tx *store.Tx, v *victim.Case) error {
		as.VictimID, as.AssessedBy = id, a.UserID
		as.Questionnaire, as.Version = q.Code, q.Version
		if err := as.Validate(q, drive.DateOf(tx.Now)); err != nil {
			return err
		}
		res := q.Score(*as)
		var comments store.SealedValue
		if len(as.Comments) > 0 {
			plain, err := json.Marshal(as.Comments)
			if err != nil {
				return err
			}
			if comments, err = s.seal(plain, aadVictim(id, "dash")); err != nil {
				return err
			}
		}
		return tx.SaveDASH(ctx, as, res, comments)
	})
}

// AddBehaviour records a behaviour assessment at a time point for her and
// one linked perpetrator case.
func (s *Service) AddBehaviour(ctx context.Context, a Actor, id int64, b *risk.BehaviourAssessment) error {
	return s.writeVictim(ctx, a, id, access.VictimRisk, audit.PartBehaviour, func(tx *store.Tx, v *victim.Case) error {
		if !linked(tx, ctx, id, b.CaseID) {
			return drive.Invalid("Check the assessment", map[string]string{"case": "Choose a perpetrator case the victim-survivor is linked to"})
		}
		c, err := tx.Case(ctx, b.CaseID)
		if err != nil {
			return drive.NotFound("case")
		}
		prog, err := s.programmeOf(ctx, tx, c)
		if err != nil {
			return err
		}
		var codes []string
		exit := ""
		for _, tp := range prog.TimePoints {
			codes = append(codes, tp.Code)
			if tp.WeeksAfterStart < 0 {
				exit = tp.Code
			}
		}
		b.VictimID, b.AssessedBy = id, a.UserID
		if err := b.Validate(drive.DateOf(tx.Now), codes, exit); err != nil {
			return err
		}
		return tx.SaveBehaviour(ctx, b)
	})
}

// riskFacts returns what the perpetrator's case manager may know about
// each linked victim-survivor: risk, never location or contact. It reads
// nothing from the compartment. ids[i] is the record id of the
// victim-survivor whose facts are facts[i], for the audit log; it is
// never shown to the reader.
func (s *Service) riskFacts(ctx context.Context, tx *store.Tx, caseID int64) (facts []victim.RiskFacts, ids []int64, err error) {
	links, err := tx.CaseVictimLinks(ctx, caseID)
	if err != nil {
		return nil, nil, err
	}
	children, err := tx.CaseChildren(ctx, caseID)
	if err != nil {
		return nil, nil, err
	}
	today := drive.DateOf(tx.Now)
	var out []victim.RiskFacts
	for i, l := range links {
		f := victim.RiskFacts{VictimLabel: "Victim-survivor " + strconv.Itoa(i+1), Relationship: l.Relationship,
			LivingTogether: l.LivingTogether, DASHScore: -1, MARACDates: l.MARACDates}
		v, err := tx.VictimCase(ctx, l.VictimCaseID)
		if err == nil {
			f.IDVAAllocated = v.IDVAID != 0
		}
		if dash, err := tx.DASHAssessments(ctx, l.VictimCaseID); err == nil && len(dash) > 0 {
			latest, _ := risk.Latest(dashPoints(dash))
			last := latest.Result
			f.DASHScore, f.DASHBand, f.ProfessionalJudgment = last.Score, last.EffectiveLevel.Label, last.ProfessionalJudgementRaised
		}
		if bs, err := tx.Behaviours(ctx, l.VictimCaseID); err == nil {
			var latest *risk.BehaviourAssessment
			for i := range bs {
				if bs[i].CaseID == caseID && (latest == nil || bs[i].AssessedOn.After(latest.AssessedOn)) {
					latest = &bs[i]
				}
			}
			if latest != nil {
				for _, cat := range risk.Categories() {
					if latest.Use(cat.Code) == risk.Used {
						f.Behaviours = append(f.Behaviours, cat.Label)
					}
				}
			}
		}
		for _, ch := range children {
			if ch.VictimCaseID == l.VictimCaseID && !ch.DateOfBirth.IsZero() {
				f.ChildrenAges = append(f.ChildrenAges, ch.DateOfBirth.AgeOn(today))
			}
		}
		out = append(out, f)
		ids = append(ids, l.VictimCaseID)
	}
	return out, ids, nil
}

// UpdateVictimCase gives her case to another IDVA at her site (a team
// leader of the IDVA service), or closes (today) or reopens it.
func (s *Service) UpdateVictimCase(ctx context.Context, a Actor, id int64, idvaID int64, open bool) error {
	return s.writeVictim(ctx, a, id, access.VictimRisk, audit.PartIDVAOrOpen, func(tx *store.Tx, v *victim.Case) error {
		if idvaID != 0 && idvaID != v.IDVAID {
			u, err := tx.User(ctx, idvaID)
			ok := err == nil && !u.Disabled()
			if ok {
				ok = false
				for _, r := range u.Roles {
					ok = ok || (r.Role == access.IDVA && r.SiteID == v.SiteID)
				}
			}
			if !ok {
				return drive.Invalid("Check the case", map[string]string{"idva": "Choose an IDVA at the victim-survivor's site"})
			}
			v.IDVAID = idvaID
		}
		if open != v.Open {
			v.Open = open
			if open {
				v.ClosedOn = drive.Date{}
			} else {
				v.ClosedOn = drive.DateOf(tx.Now)
			}
		}
		return tx.UpdateVictimCase(ctx, v)
	})
}

// AddMARAC records a MARAC hearing of her case against a linked
// perpetrator: the case manager sees the dates among the risk facts.
func (s *Service) AddMARAC(ctx context.Context, a Actor, id, caseID int64, heard drive.Date) error {
	return s.writeVictim(ctx, a, id, access.VictimRisk, audit.PartMARACHearing, func(tx *store.Tx, v *victim.Case) error {
		if heard.IsZero() || heard.After(drive.DateOf(tx.Now)) {
			return drive.Invalid("Check the MARAC date", map[string]string{"marac_on": "Enter the date the case was heard, not in the future"})
		}
		if !linked(tx, ctx, id, caseID) {
			return drive.Invalid("Check the MARAC date", map[string]string{"marac_case": "Choose a perpetrator case the victim-survivor is linked to"})
		}
		return tx.AddMARACDate(ctx, id, caseID, heard)
	})
}
