package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/victim"
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
	fields := map[string]string{}
	in := service.VictimInput{Case: victim.Case{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"),
		Gender: f.Get("gender"), Ethnicity: f.Get("ethnicity")}}
	in.Case.SiteID, _ = strconv.ParseInt(f.Get("site"), 10, 64)
	in.Case.IDVAID, _ = strconv.ParseInt(f.Get("idva"), 10, 64)
	if v := strings.TrimSpace(f.Get("date_of_birth")); v != "" {
		d, err := drive.ParseDate(v)
		if err != nil {
			fields["date_of_birth"] = "Enter a real date of birth, for example 1990-05-01"
		}
		in.Case.DateOfBirth = d
	}
	if v := strings.TrimSpace(f.Get("perpetrator_case")); v != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(v, "#"), 10, 64)
		if err != nil {
			fields["perpetrator_case"] = "Enter the perpetrator's case number, for example 1042"
		}
		in.Link = victim.Link{PerpetratorCase: id, Relationship: victim.Relationship(f.Get("relationship")), LivingTogether: f.Get("living_together") == "yes"}
	}
	var id int64
	var err error
	if len(fields) == 0 {
		id, err = s.svc.OpenVictimCase(r.Context(), actorOf(r), in)
	} else {
		err = drive.Invalid("Check her details", fields)
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
	http.Redirect(w, r, "/victims/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
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
}

func (s *Server) victimPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderVictim(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderVictim(w http.ResponseWriter, r *http.Request, status int, errs FormErrors, form url.Values) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	a := actorOf(r)
	v, err := s.svc.Victim(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := victimData{VictimView: v, Errors: errs, Form: form, Categories: risk.Categories(), Tris: risk.TriChoices(),
		RiskChanges: risk.RiskChanges(), SocialCare: victim.SocialCareStatuses(), ContactKinds: []string{"call", "visit", "message", "attempt"}}
	if v.Protected == nil {
		_, d.CanGlass = access.CanBreakGlass(a.Subject, access.VictimCompartment, v.Case.SiteID)
	}
	title := v.Case.Name()
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "victim", s.page(r, title, d))
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
	anchor := ""
	switch r.PathValue("form") {
	case "protected":
		c := victim.Compartment{
			Addresses:   []victim.Address{{Line1: f.Get("address_line1"), Line2: f.Get("address_line2"), Town: f.Get("address_town"), Postcode: f.Get("address_postcode"), Current: true}},
			Phones:      splitLines(f.Get("phones")),
			Emails:      splitLines(f.Get("emails")),
			SafeContact: f.Get("safe_contact"), Refuge: f.Get("refuge"), Workplace: f.Get("workplace"), GP: f.Get("gp"),
			Schools: splitLines(f.Get("schools")),
		}
		if c.Addresses[0].Line1 == "" && c.Addresses[0].Postcode == "" && c.Addresses[0].Town == "" {
			c.Addresses = nil
		}
		err, anchor = s.svc.SetCompartment(ctx, a, id, c), "#protected"
	case "safety-plan":
		err, anchor = s.svc.SetSafetyPlan(ctx, a, id, strings.TrimSpace(f.Get("safety_plan"))), "#safety-plan"
	case "notes", "contacts":
		kind := "note"
		e := &service.VictimEntry{Kind: "note"}
		if r.PathValue("form") == "contacts" {
			kind = "contact"
			e.Kind = f.Get("contact_kind")
			e.On, err = dateField(f, "contact_on")
		} else {
			e.Amends, _ = strconv.ParseInt(f.Get("amends"), 10, 64)
			e.On = drive.DateOf(s.cfg.Now())
		}
		if err == nil {
			err = s.svc.AddVictimEntry(ctx, a, id, kind, e, strings.TrimSpace(f.Get(kind+"_text")))
		}
		anchor = "#" + r.PathValue("form")
	case "children":
		ch := &victim.Child{GivenName: f.Get("child_name"), Relationship: f.Get("child_relationship"), SocialCare: f.Get("child_social_care")}
		ch.PerpetratorCase, _ = strconv.ParseInt(f.Get("child_case"), 10, 64)
		if v := strings.TrimSpace(f.Get("child_dob")); v != "" {
			ch.DateOfBirth, _ = drive.ParseDate(v)
		}
		err, anchor = s.svc.AddChild(ctx, a, id, ch), "#children"
	case "behaviour":
		b := &risk.BehaviourAssessment{TimePoint: f.Get("time_point"), Physical: risk.Tri(f.Get("physical")), Sexual: risk.Tri(f.Get("sexual")),
			Stalking: risk.Tri(f.Get("stalking")), Controlling: risk.Tri(f.Get("controlling")), RiskChange: f.Get("risk_change")}
		b.CaseID, _ = strconv.ParseInt(f.Get("behaviour_case"), 10, 64)
		b.AssessedOn, err = dateField(f, "assessed_on")
		if err == nil {
			err = s.svc.AddBehaviour(ctx, a, id, b)
		}
		anchor = "#behaviour"
	case "dash":
		return s.saveDASH(w, r, id)
	case "allocation":
		idva, _ := strconv.ParseInt(f.Get("idva"), 10, 64)
		err, anchor = s.svc.UpdateVictimCase(ctx, a, id, idva, f.Get("open") != "no", drive.DateOf(s.cfg.Now())), ""
	case "held":
		held, _ := strconv.ParseInt(f.Get("held"), 10, 64)
		err, anchor = s.svc.ReviewHeldText(ctx, a, id, held, victim.HeldStatus(f.Get("decision"))), "#held"
	case "marac":
		caseID, _ := strconv.ParseInt(f.Get("marac_case"), 10, 64)
		var heard drive.Date
		heard, err = dateField(f, "marac_on")
		if err == nil {
			err = s.svc.AddMARAC(ctx, a, id, caseID, heard)
		}
	default:
		return drive.NotFound("page")
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		de := asInvalid(err)
		errs := formErrors(de.Fields)
		if len(errs) == 0 {
			errs = FormErrors{{"", de.Message}}
		}
		return s.renderVictim(w, r, http.StatusUnprocessableEntity, errs, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/victims/"+strconv.FormatInt(id, 10)+anchor, http.StatusSeeOther)
	return nil
}

// dashData is what templates/dash.html shows.
type dashData struct {
	VictimID      int64
	Name          string
	Questionnaire *risk.Questionnaire
	Form          url.Values
	Errors        FormErrors
	Answers       []risk.Answer
}

func (s *Server) dashForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	v, err := s.svc.Victim(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if !v.CanWrite {
		return drive.NotFound("page")
	}
	d := dashData{VictimID: id, Name: v.Case.Name(), Questionnaire: risk.DASH2009(), Form: url.Values{"assessed_on": {drive.DateOf(s.cfg.Now()).String()}}, Answers: risk.AnswerChoices()}
	return s.render(w, r, http.StatusOK, "dash", s.page(r, "DASH risk assessment", d))
}

func (s *Server) saveDASH(w http.ResponseWriter, r *http.Request, id int64) error {
	f := r.PostForm
	q := risk.DASH2009()
	as := &risk.Assessment{Answers: map[string]risk.Answer{}, Comments: map[string]string{},
		ProfessionalJudgement: f.Get("professional_judgement"), JudgementReason: f.Get("judgement_reason")}
	for _, qu := range q.Questions {
		if v := f.Get("answer_" + qu.ID); v != "" {
			as.Answers[qu.ID] = risk.Answer(v)
		}
		if c := strings.TrimSpace(f.Get("comment_" + qu.ID)); c != "" {
			as.Comments[qu.ID] = c
		}
	}
	var err error
	as.AssessedOn, err = dateField(f, "assessed_on")
	if err == nil {
		err = s.svc.AddDASH(r.Context(), actorOf(r), id, as)
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		de := asInvalid(err)
		var errs FormErrors
		for _, qu := range q.Questions {
			if m, ok := de.Fields["answers."+qu.ID]; ok {
				errs = append(errs, FieldError{"answer_" + qu.ID, m})
			}
		}
		for _, k := range []string{"assessed_on", "professional_judgement", "judgement_reason"} {
			if m, ok := de.Fields[k]; ok {
				errs = append(errs, FieldError{k, m})
			}
		}
		if len(errs) == 0 {
			errs = FormErrors{{"", de.Message}}
		}
		d := dashData{VictimID: id, Questionnaire: q, Form: f, Errors: errs, Answers: risk.AnswerChoices()}
		return s.render(w, r, http.StatusUnprocessableEntity, "dash", s.page(r, "Error: DASH risk assessment", d))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/victims/"+strconv.FormatInt(id, 10)+"#risk", http.StatusSeeOther)
	return nil
}
