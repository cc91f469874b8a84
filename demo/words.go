package demo

import "strings"

// pronouns are the words a synthetic note uses for one person, from the
// gender their record holds: a woman perpetrator's notes say "she", a man
// victim-survivor's "he", and anyone recorded otherwise, or not at all, is
// "they". A demo that called every perpetrator "he" would look like the
// work only where the work looks like that.
type pronouns struct {
	they, them, their, themselves string
	plural                        bool
}

// pronounsOf is the pronouns for a recorded gender (people.Genders).
func pronounsOf(gender string) pronouns {
	switch gender {
	case "male":
		return pronouns{"he", "him", "his", "himself", false}
	case "female":
		return pronouns{"she", "her", "her", "herself", false}
	}
	return pronouns{"they", "them", "their", "themselves", true}
}

// say fills in a note written with placeholders for the perpetrator (p)
// and the victim-survivor (v): {p.they} {p.them} {p.their}
// {p.themselves}, capitalised as {P.they} and {P.their}, and the verbs
// that agree with them, {p.is} {p.has} and {p.s} (the "s" of "wants");
// the same with v and V.
func say(text string, p, v pronouns) string {
	if !strings.Contains(text, "{") {
		return text
	}
	var pairs []string
	for _, x := range []struct {
		lower, upper string
		pr           pronouns
	}{{"p", "P", p}, {"v", "V", v}} {
		is, has, s := "is", "has", "s"
		if x.pr.plural {
			is, has, s = "are", "have", ""
		}
		pairs = append(pairs,
			"{"+x.lower+".they}", x.pr.they, "{"+x.lower+".them}", x.pr.them, "{"+x.lower+".their}", x.pr.their,
			"{"+x.lower+".themselves}", x.pr.themselves, "{"+x.upper+".they}", capital(x.pr.they), "{"+x.upper+".their}", capital(x.pr.their),
			"{"+x.lower+".is}", is, "{"+x.lower+".has}", has, "{"+x.lower+".s}", s)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// capital is s with its first letter in capitals.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
