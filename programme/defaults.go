package programme

// Drive returns the default Drive programme: high-risk, high-harm and
// serial perpetrators, about ten months, the rules and lists of DOMAIN.md.
func Drive() *Programme {
	return &Programme{
		Code:        "drive",
		Name:        "Drive",
		Description: "Intervention with high-risk, high-harm and serial perpetrators of domestic abuse: disrupt, change and support, with an IDVA for every victim-survivor.",
		Match:       Any,
		Eligibility: []Rule{
			{Kind: MARACWithin, Months: 12, Label: "An associated victim's case was heard at MARAC in the last 12 months"},
			{Kind: DASHAtLeast, Threshold: 14, Label: "The latest DASH score of an associated victim is 14 or more"},
			{Kind: Serial, Label: "Serial perpetrator: abuse against two or more different victims"},
			{Kind: IdentificationTop, Threshold: 20, Label: "In the site's top 20 on the police identification list"},
			{Kind: ProfessionalJudgement, Label: "Professional judgement (reason required)"},
		},
		TimePoints: []TimePoint{
			{Code: "T1", Label: "Baseline", WeeksAfterStart: 0},
			{Code: "T2", Label: "Mid-point", WeeksAfterStart: 20},
			{Code: "T3", Label: "Exit", WeeksAfterStart: -1},
			{Code: "F", Label: "Follow-up", WeeksAfterStart: 52 + 44},
		},
		Actions: []ActionType{
			{Code: "dvpn-dvpo", Prong: "disrupt", Label: "DVPN/DVPO application", Agency: "Police"},
			{Code: "dapo", Prong: "disrupt", Label: "Domestic abuse protection order application", Agency: "Police"},
			{Code: "bail-review", Prong: "disrupt", Label: "Bail condition review", Agency: "Police"},
			{Code: "licence-review", Prong: "disrupt", Label: "Licence condition review or recall", Agency: "Probation"},
			{Code: "clares-law", Prong: "disrupt", Label: "Clare's Law disclosure", Agency: "Police"},
			{Code: "warrant-enforcement", Prong: "disrupt", Label: "Warrant or enforcement action", Agency: "Police"},
			{Code: "tenancy-enforcement", Prong: "disrupt", Label: "Tenancy enforcement", Agency: "Housing"},
			{Code: "child-protection", Prong: "disrupt", Label: "Child protection planning", Agency: "Children's social care"},
			{Code: "one-to-one", Prong: "change", Label: "One-to-one session block", Agency: "Drive"},
			{Code: "behaviour-programme", Prong: "change", Label: "Referral to a behaviour change programme", Agency: "Drive"},
			{Code: "parenting", Prong: "change", Label: "Parenting work", Agency: "Children's social care"},
			{Code: "housing-referral", Prong: "support", Label: "Housing referral", Agency: "Housing"},
			{Code: "substance-use", Prong: "support", Label: "Substance-use referral", Agency: "Health"},
			{Code: "mental-health", Prong: "support", Label: "Mental health referral", Agency: "Health"},
			{Code: "employment", Prong: "support", Label: "Employment and benefits support", Agency: "Other"},
		},
		Closure: []Reason{
			{"completed", "Intervention completed"},
			{"risk-reduced", "Risk reduced"},
			{"custody", "Custody"},
			{"moved-away", "Moved out of area"},
			{"transferred", "Transferred to another site"},
			{"deceased", "Deceased"},
			{"not-eligible", "No longer eligible"},
			{"disengaged", "Disengaged with disruption exhausted"},
		},
		ReviewEveryWeeks: 6,
		ReopenWithinDays: 90,
		ExpectedWeeks:    44,
		CaseloadLimit:    12,
		NoContactDays:    14,
	}
}

// Restart returns an earlier-intervention programme for low-to-medium risk
// perpetrators in families known to children's social care: 4-8 weeks of
// one-to-one work, check-ins with the (ex-)partner, and a housing pathway
// that moves the perpetrator out so the family can stay safely at home.
func Restart() *Programme {
	return &Programme{
		Code:        "restart",
		Name:        "Restart",
		Description: "Earlier intervention for low-to-medium risk perpetrators in families known to children's social care, with a housing pathway so the family can stay at home.",
		Match:       All,
		Eligibility: []Rule{
			{Kind: ChildrensSocialCare, Label: "The family is known to children's social care"},
			{Kind: DASHAtMost, Threshold: 13, Label: "The latest DASH score is 13 or less (standard or medium risk)"},
		},
		TimePoints: []TimePoint{
			{Code: "T1", Label: "Baseline", WeeksAfterStart: 0},
			{Code: "T3", Label: "Exit", WeeksAfterStart: -1},
			{Code: "F", Label: "Follow-up", WeeksAfterStart: 26},
		},
		Actions: []ActionType{
			{Code: "one-to-one", Prong: "change", Label: "One-to-one sessions (4-8 weeks)", Agency: "Restart"},
			{Code: "partner-check-in", Prong: "support", Label: "Check-in with the (ex-)partner", Agency: "Restart"},
			{Code: "housing-move", Prong: "disrupt", Label: "Housing pathway: perpetrator moves out", Agency: "Housing"},
			{Code: "child-plan", Prong: "disrupt", Label: "Child in need or protection plan review", Agency: "Children's social care"},
			{Code: "substance-use", Prong: "support", Label: "Substance-use referral", Agency: "Health"},
		},
		Closure: []Reason{
			{"completed", "Intervention completed"},
			{"escalated-drive", "Risk escalated: referred to Drive"},
			{"moved-away", "Moved out of area"},
			{"disengaged", "Disengaged"},
			{"not-eligible", "No longer eligible"},
		},
		ReviewEveryWeeks: 2,
		ReopenWithinDays: 60,
		ExpectedWeeks:    8,
		CaseloadLimit:    15,
		NoContactDays:    7,
	}
}
