package risk

// DASH code and version of the default questionnaire.
const (
	DASHCode    = "dash"
	DASHVersion = "2009"
)

// DASH2009 returns the default questionnaire: the 24 topics of the
// SafeLives DASH risk checklist in their standard order, with the 11
// stalking screening topics that follow a "yes" to question 8, and the
// bands of DOMAIN.md (0-9 standard, 10-13 medium, 14 and over high).
//
// The wording is a short plain-English paraphrase of each topic, written
// for this service; practitioners trained on the checklist ask the
// questions in their own words and record the answer. Each call returns a
// fresh copy, so a caller may change it without affecting anyone else.
func DASH2009() *Questionnaire {
	return &Questionnaire{
		Code:    DASHCode,
		Version: DASHVersion,
		Name:    "DASH risk checklist (SafeLives, 2009)",
		Description: "Risk identification for adult victim-survivors of domestic abuse, stalking and honour-based abuse. " +
			"Score one point for each yes; 14 or more is high risk and meets the MARAC referral threshold. " +
			"Professional judgement may raise the level and is recorded apart from the score.",
		Questions: []Question{
			{ID: "q1", Text: "Were you hurt in the latest incident?", Hint: "Note what the injury was and whether it is the first."},
			{ID: "q2", Text: "Are you very scared?", Hint: "Note how they describe their fear, in their own words."},
			{ID: "q3", Text: "Are you afraid of more violence or injury?", Hint: "Note what they think the abuser might do, and to whom, children included."},
			{ID: "q4", Text: "Are you cut off from family or friends?", Hint: "For example, being kept from seeing family, friends, a doctor or others."},
			{ID: "q5", Text: "Do you feel depressed, or have you had thoughts of suicide?"},
			{ID: "q6", Text: "In the last 12 months, have you left the abuser or tried to?"},
			{ID: "q7", Text: "Is there disagreement about contact with the children?"},
			{ID: "q8", Text: "Does the abuser keep calling, messaging, following, stalking or harassing you?", Hint: "If yes, go on to the stalking questions.", Stalking: true},
			{ID: "q9", Text: "Are you pregnant, or have you had a baby in the last 18 months?"},
			{ID: "q10", Text: "Is the abuse happening more frequently?"},
			{ID: "q11", Text: "Is the abuse becoming more serious?"},
			{ID: "q12", Text: "Does the abuser try to control all you do, or act with extreme jealousy?", Hint: "For example, over who they see or what they wear, or watching them at home. Consider honour-based abuse."},
			{ID: "q13", Text: "Has the abuser ever hurt you with a weapon or an object?"},
			{ID: "q14", Text: "Has the abuser ever threatened to kill you or someone else, and did you believe it?"},
			{ID: "q15", Text: "Has the abuser ever tried to strangle, choke, suffocate or drown you?"},
			{ID: "q16", Text: "Does the abuser do or say sexual things that hurt you or make you feel bad?", Hint: "Include sexual abuse of anyone else."},
			{ID: "q17", Text: "Is anyone else threatening you, or is there anyone else you are afraid of?", Hint: "For example, members of the abuser's family."},
			{ID: "q18", Text: "Do you know of the abuser hurting anyone else?", Hint: "For example, children, brothers or sisters, older relatives, a stranger or a former partner."},
			{ID: "q19", Text: "Has the abuser ever been cruel to an animal or a pet?"},
			{ID: "q20", Text: "Are there money problems?", Hint: "For example, relying on the abuser for money, or the abuser recently losing a job."},
			{ID: "q21", Text: "In the past year, have drugs, alcohol or mental health problems disrupted the abuser's daily life?"},
			{ID: "q22", Text: "Has the abuser ever threatened or attempted suicide?"},
			{ID: "q23", Text: "Has the abuser ever broken bail, an injunction or an agreement about seeing you or the children?"},
			{ID: "q24", Text: "Has the abuser been in trouble with the police, or do they have a criminal record?"},
		},
		Bands: []Band{
			{Code: "standard", Label: "Standard risk", Min: 0, Max: 9},
			{Code: "medium", Label: "Medium risk", Min: 10, Max: 13},
			{Code: "high", Label: "High risk", Min: 14, Max: 24},
		},
		Supplementary: []Question{
			{ID: "s1", Text: "Does the stalking leave you very frightened?"},
			{ID: "s2", Text: "Has the abuser harassed you, or anyone else, before?"},
			{ID: "s3", Text: "Has the abuser damaged or destroyed anything of yours?"},
			{ID: "s4", Text: "Does the abuser turn up at your home, work or elsewhere more than three times a week?"},
			{ID: "s5", Text: "Has the abuser hung around near your home, work or other places you go?"},
			{ID: "s6", Text: "During this harassment, has the abuser threatened physical or sexual violence?"},
			{ID: "s7", Text: "Since it began, has the abuser harassed people around you?", Hint: "For example, family, children, friends, colleagues, a new partner or neighbours."},
			{ID: "s8", Text: "Has the abuser been violent towards anyone during this stalking?"},
			{ID: "s9", Text: "Has the abuser got other people to help, whether they knew it or not?"},
			{ID: "s10", Text: "Is the abuser known to misuse drugs or alcohol?"},
			{ID: "s11", Text: "Has the abuser been violent in the past, physically or psychologically?"},
		},
	}
}

// Defaults returns the questionnaires every site has without loading a
// file.
func Defaults() []*Questionnaire { return []*Questionnaire{DASH2009()} }
