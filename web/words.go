package web

// pronouns are the words a page uses of one person, taken from the gender
// on that person's record: a page must not call a woman perpetrator "him"
// or a man victim-survivor "her". Where the record says female or male the
// page says she or he; otherwise (non-binary, another gender, prefer not
// to say, not known) it says they.
type pronouns struct {
	// They is the subject ("she", "he", "they"), Them the object ("her",
	// "him", "them"), Their the possessive ("her", "his", "their"), Theirs
	// the possessive standing alone ("hers", "his", "theirs"), Themselves
	// the reflexive ("herself", "himself", "themselves"); each with a
	// capital for the start of a sentence where a page needs one.
	They, Them, Their, Theirs, Themselves string
	CapThey, CapTheir, CapTheirs          string
	// Plural says the verb takes its plural form ("they feel").
	Plural bool
}

// pronounsFor gives the pronouns for a gender code (people.Genders()).
func pronounsFor(gender string) pronouns {
	switch gender {
	case "female":
		return pronouns{They: "she", Them: "her", Their: "her", Theirs: "hers", Themselves: "herself", CapThey: "She", CapTheir: "Her", CapTheirs: "Hers"}
	case "male":
		return pronouns{They: "he", Them: "him", Their: "his", Theirs: "his", Themselves: "himself", CapThey: "He", CapTheir: "His", CapTheirs: "His"}
	}
	return pronouns{They: "they", Them: "them", Their: "their", Theirs: "theirs", Themselves: "themselves",
		CapThey: "They", CapTheir: "Their", CapTheirs: "Theirs", Plural: true}
}
