package programme

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestDefaultsAreValid(t *testing.T) {
	for _, p := range []*Programme{Drive(), Restart()} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Code, err)
		}
		back, err := Parse(p.JSON())
		if err != nil {
			t.Fatalf("%s: round trip: %v", p.Code, err)
		}
		if string(back.JSON()) != string(p.JSON()) {
			t.Errorf("%s: JSON round trip changed the settings", p.Code)
		}
	}
}

func TestParseRefusesBadSettings(t *testing.T) {
	for name, in := range map[string]string{
		"not json":       `{`,
		"unknown field":  `{"code":"x","nonsense":1}`,
		"bad rule":       `{"code":"x","name":"X","match":"any","eligibility":[{"kind":"astrology"}],"time_points":[{"code":"T1"}],"closure_reasons":[{"code":"a"}],"review_every_weeks":1,"caseload_limit":1,"no_contact_days":1}`,
		"no eligibility": `{"code":"x","name":"X","match":"any","time_points":[{"code":"T1"}],"closure_reasons":[{"code":"a"}],"review_every_weeks":1,"caseload_limit":1,"no_contact_days":1}`,
		"bad prong":      `{"code":"x","name":"X","match":"any","eligibility":[{"kind":"serial"}],"actions":[{"code":"a","prong":"hope"}],"time_points":[{"code":"T1"}],"closure_reasons":[{"code":"a"}],"review_every_weeks":1,"caseload_limit":1,"no_contact_days":1}`,
	} {
		if _, err := Parse([]byte(in)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err %v; want invalid", name, err)
		}
	}
}

func TestAssessDrive(t *testing.T) {
	on := drive.MustDate("2026-06-01")
	p := Drive()
	for name, tc := range map[string]struct {
		e        Evidence
		eligible bool
		met      []RuleKind
	}{
		"nothing":          {Evidence{DASHScore: -1}, false, nil},
		"MARAC 11 months":  {Evidence{DASHScore: -1, LastMARAC: drive.MustDate("2025-07-01")}, true, []RuleKind{MARACWithin}},
		"MARAC 13 months":  {Evidence{DASHScore: -1, LastMARAC: drive.MustDate("2025-05-01")}, false, nil},
		"DASH 14":          {Evidence{DASHScore: 14}, true, []RuleKind{DASHAtLeast}},
		"DASH 13":          {Evidence{DASHScore: 13}, false, nil},
		"serial":           {Evidence{DASHScore: -1, Victims: 2}, true, []RuleKind{Serial}},
		"rank 20":          {Evidence{DASHScore: -1, IdentificationRank: 20}, true, []RuleKind{IdentificationTop}},
		"rank 21":          {Evidence{DASHScore: -1, IdentificationRank: 21}, false, nil},
		"judgement":        {Evidence{DASHScore: -1, ProfessionalJudgement: "Escalating stalking"}, true, []RuleKind{ProfessionalJudgement}},
		"several criteria": {Evidence{DASHScore: 17, Victims: 3}, true, []RuleKind{DASHAtLeast, Serial}},
	} {
		a := p.Assess(tc.e, on)
		if a.Eligible != tc.eligible {
			t.Errorf("%s: eligible=%v; want %v", name, a.Eligible, tc.eligible)
		}
		var met []RuleKind
		for _, r := range a.Results {
			if r.Met {
				met = append(met, r.Rule.Kind)
			}
			if r.Evidence == "" {
				t.Errorf("%s: rule %s has no evidence text", name, r.Rule.Kind)
			}
		}
		if len(met) != len(tc.met) {
			t.Errorf("%s: met %v; want %v", name, met, tc.met)
		}
	}
	// Restart needs all of its rules.
	r := Restart()
	if r.Assess(Evidence{DASHScore: 8}, on).Eligible {
		t.Error("Restart accepted a family not known to children's social care")
	}
	if !r.Assess(Evidence{DASHScore: 8, KnownToChildrensSocialCare: true}, on).Eligible {
		t.Error("Restart refused an eligible family")
	}
	if r.Assess(Evidence{DASHScore: 15, KnownToChildrensSocialCare: true}, on).Eligible {
		t.Error("Restart accepted a high-risk case")
	}
}

// TestCloneSharesNothing: changing a clone's lists leaves the original
// as it was, so a parsed programme kept for reuse cannot be changed by
// one of its readers.
func TestCloneSharesNothing(t *testing.T) {
	p := Drive()
	before := string(p.JSON())
	c := p.Clone()
	if string(c.JSON()) != before {
		t.Fatal("the clone differs from the original")
	}
	c.Name = "Changed"
	c.Eligibility[0].Label = "changed"
	c.TimePoints[0].Code = "X"
	c.Actions[0].Label = "changed"
	c.Closure[0].Label = "changed"
	c.Actions = append(c.Actions, ActionType{Code: "extra"})
	if string(p.JSON()) != before {
		t.Errorf("changing the clone changed the original:\n%s", p.JSON())
	}
}
