package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/victim"
	"github.com/drive-platform/drive/web/form"
)

// victims lists an IDVA's own victim-survivors, or everyone at the sites
// where the user may read victims' risk information (?all=1).
func (s *Server) victims(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	mine := r.URL.Query().Get("all") != "1" && a.Subject.HasRole(access.IDVA)
	rows, err := s.svc.Victims(r.Context(), a, mine)
	if err != nil {
		return err
	}
	title := "Victim-survivors"
	if mine {
		title = "My victim-survivors"
	}
	return s.render(w, r, http.StatusOK, "victims", s.page(r, title, struct {
		Rows []service.VictimRow
		Mine bool
	}{rows, mine}))
}

// victimFormData is what templates/victim-new.html shows.
type victimFormData struct {
	Form          url.Values
	Errors        FormErrors
	Sites         []siteOption
	IDVAs         []service.IDVAChoice
	Relationships []victim.Relationship
	Genders       []people.Option
	Ethnics       []people.Option
}

func (s *Server) victimFormData(r *http.Request, form url.Values) (*victimFormData, error) {
	ch, err := s.svc.VictimChoices(r.Context(), actorOf(r))
	if err != nil {
		return nil, err
	}
	d := &victimFormData{Form: form, IDVAs: ch.IDVAs, Relationships: victim.Relationships(), Genders: people.Genders(), Ethnics: people.Ethnicities()}
	for _, st := range ch.Sites {
		d.Sites = append(d.Sites, siteOption{st.ID, st.Name})
	}
	return d, nil
}

func (s *Server) victimForm(w http.ResponseWriter, r *http.Request) error {
	d, err := s.victimFormData(r, url.Values{})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "victim-new", s.page(r, "Open a victim-survivor's case", d))
}

// openVictim opens a victim-survivor's case, linked to a perpetrator case.
func (s *Server) openVictim(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return drive.Errorf(drive.EINVALID, "The form could not be read")
	}
	f := r.PostForm
	vf := form.NewVictim(f)
	var id int64
	err := vf.Validate()
	if err == nil {
		id, err = s.svc.OpenVictimCase(r.Context(), actorOf(r), service.VictimInput{Case: vf.Case(), Link: vf.Link()})
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		d, derr := s.victimFormData(r, f)
		if derr != nil {
			return derr
		}
		d.Errors = formErrors(asInvalid(err).Fields, "site", "idva", "given_name", "family_name", "date_of_birth", "perpetrator_case")
		return s.render(w, r, http.StatusUnprocessableEntity, "victim-new", s.page(r, "Error: Open a victim-survivor's case", d))
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/victims/"+strconv.FormatInt(id, 10), "victim_opened")
	return nil
}

// victimData is what templates/victim.html shows.
type victimData struct {
	*service.VictimView
	Errors       FormErrors
	Form         url.Values
	CanGlass     bool
	Categories   []risk.Category
	Tris         []risk.Tri
	RiskChanges  []risk.Rating
	SocialCare   []string
	ContactKinds []string
	// Police is the "Police records" section: the victims named by police
	// linked to her, for readers of her compartment only; nil otherwise.
	Police *service.PoliceRecords
	// Voice is her own account of her safety (web/victim_voice.go); nil
	// for readers who may not see it.
	Voice *victimVoice
	// Section is the page of her record shown: "" for the summary at
	// /victims/{id}, victimProtected for her protected details, safety
	// plan, contacts and notes at /victims/{id}/protected. One page of
	// everything ran past three screens for her IDVA.
	Section string
}

// victimProtected is the section of a victim-survivor's record that holds
// where she is and how to reach her, on a page of its own.
const victimProtected = "protected"

func (s *Server) victimPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderVictim(w, r, http.StatusOK, "", nil, nil)
}

// victimProtectedPage is her protected details, safety plan, IDVA
// contacts and notes, and the reasons given with her DASH assessments:
// the only page that opens them (service.Victim), so the only one whose
// reading is audited as a read of the compartment. The same readers may
// open it as her summary, and those who may not see the compartment see
// only who may.
func (s *Server) victimProtectedPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderVictim(w, r, http.StatusOK, victimProtected, nil, nil)
}

// victimPath is the address of a section of her record.
func victimPath(id int64, section string) string {
	p := "/victims/" + strconv.FormatInt(id, 10)
	if section != "" {
		p += "/" + section
	}
	return p
}

func (s *Server) renderVictim(w http.ResponseWriter, r *http.Request, status int, section string, errs FormErrors, form url.Values) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	a := actorOf(r)
	// Her summary shows nothing sealed, so it reads nothing sealed: only
	// the protected details page opens (and audits) the compartment.
	read := s.svc.VictimSummary
	if section == victimProtected {
		read = s.svc.Victim
	}
	v, err := read(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := victimData{VictimView: v, Section: section, Errors: errs, Form: form, Categories: risk.Categories(), Tris: risk.TriChoices(),
		RiskChanges: risk.RiskChanges(), SocialCare: victim.SocialCareStatuses(), ContactKinds: []string{"call", "visit", "message", "attempt"}}
	title := v.Case.Name()
	if section == victimProtected {
		title = "Protected details: " + title
		if v.Protected == nil {
			_, d.CanGlass = access.CanBreakGlass(a.Subject, access.VictimCompartment, v.Case.SiteID)
		}
	} else {
		// Her police records and her own account are on the summary
		// alone, so only it reads (and audits reading) them.
		if d.Police, err = s.svc.VictimPoliceRecords(r.Context(), a, id); drive.ErrorCode(err) == drive.ENOTFOUND {
			d.Police = nil
		} else if err != nil {
			return err
		}
		if d.Voice, err = s.voiceSection(r, id); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "victim", s.pageWithDone(r, title, d))
}

// victimForms handles every form on the victim-survivor's page.
func (s *Server) victimForms(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return drive.Errorf(drive.EINVALID, "The form could not be read")
	}
	f := r.PostForm
	a := actorOf(r)
	// The DASH questionnaire is a page of its own, and shows its errors
	// there.
	if r.PathValue("form") == "dash" {
		return s.saveDASH(w, r, id)
	}
	// The forms by the name in their address, each with the part of the
	// page to return to: each reads its fields (package form) and makes
	// one service call.
	// code names the confirmation, when it depends on what was asked
	// (web/confirm.go).
	code := ""
	forms := map[string]struct {
		code   string
		submit func() error
		// section is the page of her record that holds the form.
		section string
	}{
		"protected": {"protected", func() error {
			return s.svc.SetCompartment(ctx, a, id, form.NewCompartment(f).Compartment())
		}, victimProtected},
		"safety-plan": {"safety_plan", func() error { return s.svc.SetSafetyPlan(ctx, a, id, form.NewSafetyPlan(f).Plan) }, victimProtected},
		"notes": {"victim_note", func() error {
			n := form.NewVictimNote(f)
			if n.Amends != 0 {
				code = "note_corrected"
			}
			return s.addVictimEntry(ctx, a, id, n)
		}, victimProtected},
		"contacts": {"victim_contact", func() error { return s.addVictimEntry(ctx, a, id, form.NewVictimContact(f)) }, victimProtected},
		"children": {"child", func() error { return s.svc.AddChild(ctx, a, id, form.NewChild(f).Child()) }, ""},
		"behaviour": {"behaviour", func() error {
			b := form.NewBehaviour(f)
			if err := b.Validate(); err != nil {
				return err
			}
			return s.svc.AddBehaviour(ctx, a, id, b.Assessment())
		}, ""},
		"allocation": {"victim_case", func() error {
			al := form.NewAllocation(f)
			return s.svc.UpdateVictimCase(ctx, a, id, al.IDVAID, al.Open)
		}, ""},
		"held": {"held_decided", func() error {
			h := form.NewHeldDecision(f)
			return s.svc.ReviewHeldText(ctx, a, id, h.HeldID, h.Decision)
		}, victimProtected},
		"marac": {"marac", func() error {
			m := form.NewMARAC(f)
			if err := m.Validate(); err != nil {
				return err
			}
			return s.svc.AddMARAC(ctx, a, id, m.CaseID, m.Heard)
		}, ""},
		"police-link": {"", func() error {
			pl := form.NewPoliceLink(f)
			if err := pl.Validate(); err != nil {
				return err
			}
			code = linkCode(pl.Confirm)
			return s.svc.DecideVictimLink(ctx, a, id, pl.LinkID, pl.Confirm)
		}, ""},
	}
	fm, ok := forms[r.PathValue("form")]
	if !ok {
		return drive.NotFound("page")
	}
	err = fm.submit()
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderVictim(w, r, http.StatusUnprocessableEntity, fm.section, invalidErrors(err), f)
	}
	if err != nil {
		return err
	}
	if code == "" {
		code = fm.code
	}
	confirm(w, r, victimPath(id, fm.section), code)
	return nil
}

// addVictimEntry adds a note or a record of contact; the service seals
// its words.
func (s *Server) addVictimEntry(ctx context.Context, a service.Actor, id int64, e *form.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return s.svc.AddVictimEntry(ctx, a, id, e.Form, &service.VictimEntry{Kind: e.Kind, On: e.On, Amends: e.Amends}, e.Text)
}
