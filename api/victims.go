package api

import (
	"net/http"

	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/service"
)

// Victims holds the victim-survivor handlers.
type Victims struct {
	Svc *service.Service
}

// VictimSummary is a victim-survivor's case in a list.
type VictimSummary struct {
	ID       int64  `json:"id"`
	SiteID   int64  `json:"site_id"`
	Name     string `json:"name"`
	IDVA     string `json:"idva,omitempty"`
	Open     bool   `json:"open"`
	OpenedOn string `json:"opened_on"`
	Links    int    `json:"linked_cases"`
}

// ListVictims answers GET /victims: an IDVA's own victim-survivors, or
// (?all=1) everyone at her sites that she may see.
func (h *Victims) ListVictims(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	rows, err := h.Svc.Victims(r.Context(), a, r.URL.Query().Get("all") != "1")
	if err != nil {
		return err
	}
	out := []VictimSummary{}
	for _, v := range rows {
		out = append(out, VictimSummary{ID: v.Case.ID, SiteID: v.Case.SiteID, Name: v.Case.Name(), IDVA: v.IDVA, Open: v.Case.Open,
			OpenedOn: v.Case.OpenedOn.String(), Links: v.Links})
	}
	return WriteJSON(w, http.StatusOK, out)
}

// VictimBody is the body of GET /victims/{id}. Protected is present only
// for the users the policy allows to know where she is and how to reach
// her (her IDVA, her IDVA service's team leader, break-glass): everything
// that could locate or contact her is inside it, and nowhere else.
type VictimBody struct {
	ID         int64           `json:"id"`
	SiteID     int64           `json:"site_id"`
	Name       string          `json:"name"`
	IDVA       string          `json:"idva,omitempty"`
	Open       bool            `json:"open"`
	Links      []VictimLink    `json:"links"`
	DASH       []DASHBody      `json:"dash"`
	Behaviours []BehaviourBody `json:"behaviours"`
	Children   []ChildBody     `json:"children"`
	Protected  *ProtectedBody  `json:"protected,omitempty"`
}

// VictimLink is her link to a perpetrator case.
type VictimLink struct {
	CaseID         int64    `json:"case_id"`
	Relationship   string   `json:"relationship"`
	LivingTogether bool     `json:"living_together"`
	MARACDates     []string `json:"marac_dates,omitempty"`
}

// DASHBody is a scored DASH assessment.
type DASHBody struct {
	On                          string `json:"on"`
	Score                       int    `json:"score"`
	Band                        string `json:"band"`
	Level                       string `json:"level"`
	ProfessionalJudgementRaised bool   `json:"professional_judgement_raised"`
}

// BehaviourBody is a behaviour assessment.
type BehaviourBody struct {
	CaseID      int64  `json:"case_id"`
	TimePoint   string `json:"time_point"`
	On          string `json:"on"`
	Physical    string `json:"physical"`
	Sexual      string `json:"sexual"`
	Stalking    string `json:"stalking"`
	Controlling string `json:"controlling"`
	RiskChange  string `json:"risk_change,omitempty"`
}

// ChildBody is a child; the child's school is protected, never here.
type ChildBody struct {
	Name         string `json:"name"`
	DateOfBirth  string `json:"date_of_birth"`
	Relationship string `json:"relationship"`
	SocialCare   string `json:"social_care"`
}

// ProtectedBody is the compartment and the victim-side records.
type ProtectedBody struct {
	Addresses   []map[string]any `json:"addresses"`
	Phones      []string         `json:"phones"`
	Emails      []string         `json:"emails"`
	SafeContact string           `json:"safe_contact,omitempty"`
	Refuge      string           `json:"refuge,omitempty"`
	Workplace   string           `json:"workplace,omitempty"`
	GP          string           `json:"gp,omitempty"`
	Schools     []string         `json:"schools"`
	SafetyPlan  string           `json:"safety_plan,omitempty"`
	Notes       []EntryBody      `json:"notes"`
	Contacts    []EntryBody      `json:"contacts"`
	BreakGlass  bool             `json:"break_glass"`
}

// EntryBody is an IDVA note or contact.
type EntryBody struct {
	ID     int64  `json:"id"`
	On     string `json:"on"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
	Amends int64  `json:"amends,omitempty"`
}

// GetVictim answers GET /victims/{id}.
func (h *Victims) GetVictim(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	v, err := h.Svc.Victim(r.Context(), a, id)
	if err != nil {
		return err
	}
	b := VictimBody{ID: v.Case.ID, SiteID: v.Case.SiteID, Name: v.Case.Name(), IDVA: v.IDVA, Open: v.Case.Open,
		Links: []VictimLink{}, DASH: []DASHBody{}, Behaviours: []BehaviourBody{}, Children: []ChildBody{}}
	for _, l := range v.Links {
		vl := VictimLink{CaseID: l.PerpetratorCase, Relationship: string(l.Relationship), LivingTogether: l.LivingTogether}
		for _, d := range l.MARACDates {
			vl.MARACDates = append(vl.MARACDates, d.String())
		}
		b.Links = append(b.Links, vl)
	}
	for _, d := range v.DASH {
		b.DASH = append(b.DASH, DASHBody{On: d.Assessment.AssessedOn.String(), Score: d.Result.Score, Band: d.Result.Band.Code,
			Level: d.Result.EffectiveLevel.Code, ProfessionalJudgementRaised: d.Result.ProfessionalJudgementRaised})
	}
	for _, be := range v.Behaviours {
		b.Behaviours = append(b.Behaviours, BehaviourBody{CaseID: be.CaseID, TimePoint: be.TimePoint, On: be.AssessedOn.String(),
			Physical: string(be.Use(risk.CategoryPhysical)), Sexual: string(be.Use(risk.CategorySexual)),
			Stalking: string(be.Use(risk.CategoryStalking)), Controlling: string(be.Use(risk.CategoryControlling)), RiskChange: be.RiskChange})
	}
	for _, c := range v.Children {
		b.Children = append(b.Children, ChildBody{Name: c.GivenName, DateOfBirth: c.DateOfBirth.String(), Relationship: c.Relationship, SocialCare: c.SocialCare})
	}
	if p := v.Protected; p != nil {
		pb := &ProtectedBody{Phones: p.Compartment.Phones, Emails: p.Compartment.Emails, SafeContact: p.Compartment.SafeContact,
			Refuge: p.Compartment.Refuge, Workplace: p.Compartment.Workplace, GP: p.Compartment.GP, Schools: p.Compartment.Schools,
			SafetyPlan: p.SafetyPlan, Notes: []EntryBody{}, Contacts: []EntryBody{}, Addresses: []map[string]any{}, BreakGlass: v.BreakGlass}
		for _, ad := range p.Compartment.Addresses {
			pb.Addresses = append(pb.Addresses, map[string]any{"line1": ad.Line1, "line2": ad.Line2, "town": ad.Town, "postcode": ad.Postcode, "current": ad.Current})
		}
		for _, e := range p.Notes {
			pb.Notes = append(pb.Notes, EntryBody{ID: e.ID, On: e.On.String(), Kind: e.Kind, Text: e.Text, Amends: e.Amends})
		}
		for _, e := range p.Contacts {
			pb.Contacts = append(pb.Contacts, EntryBody{ID: e.ID, On: e.On.String(), Kind: e.Kind, Text: e.Text})
		}
		b.Protected = pb
	}
	return WriteJSON(w, http.StatusOK, b)
}
