// Package voice holds what a victim-survivor says in her own words about
// her safety and about the service: her reported outcomes at the
// programme's time points, the one-time codes that let her answer without
// an account, and her views of the service. It is pure: no SQL, no HTTP,
// no clock (today and randomness are passed in).
//
// Everything here lives on the IDVA side of the wall. Nothing on the
// perpetrator side may learn what she said, nor that she answered.
package voice

import (
	"strings"

	"github.com/drive-platform/drive"
)

// TimePoint is when she is asked: at intake, at the mid-point and at
// exit, the programme's T1, T2 and T3.
type TimePoint struct {
	Code  string
	Label string
}

// TimePoints are the three times she is asked, in order.
func TimePoints() []TimePoint {
	return []TimePoint{{"T1", "Intake"}, {"T2", "Mid-point"}, {"T3", "Exit"}}
}

// ValidTimePoint reports whether code is one of TimePoints.
func ValidTimePoint(code string) bool {
	for _, tp := range TimePoints() {
		if tp.Code == code {
			return true
		}
	}
	return false
}

// Source says who put her answers into the record.
type Source string

// Her IDVA, recording them with her; or herself, through the code.
const (
	FromIDVA    Source = "idva"
	FromHerself Source = "herself"
)

// Happened is her answer to "has this happened since the last time?".
// She may always decline to say.
type Happened string

// Her answers about each kind of abuse.
const (
	Yes          Happened = "yes"
	No           Happened = "no"
	RatherNotSay Happened = "not_said"
)

// Valid reports whether h is one of the three answers.
func (h Happened) Valid() bool { return h == Yes || h == No || h == RatherNotSay }

// Kind is one of the four kinds of abuse the evaluation measures, with the
// question put to her in plain words that name none of them.
type Kind struct {
	Code     string // as in risk.Categories: physical, sexual, stalking, controlling
	Label    string // for staff
	Question string // for her
}

// Kinds are the four kinds, in the evaluation's order.
func Kinds() []Kind {
	return []Kind{
		{"physical", "Physical", "Since last time, did anyone hurt you physically?"},
		{"sexual", "Sexual", "Since last time, did anyone make you do sexual things you did not want to do?"},
		{"stalking", "Stalking and harassment", "Since last time, did anyone follow you, watch you or keep contacting you when you did not want them to?"},
		{"controlling", "Jealous and controlling", "Since last time, did anyone try to control what you do, who you see or your money?"},
	}
}

// Outcome is what she reports at one time point.
type Outcome struct {
	ID           int64
	VictimCaseID int64
	TimePoint    string
	ReportedOn   drive.Date
	Source       Source
	// Happened holds her answer for each Kind code.
	Physical, Sexual, Stalking, Controlling Happened
	// FeelsSafe is how safe she feels, 0 (not at all) to 10 (completely).
	FeelsSafe int
	// QualityOfLife and Confidence are 1 to 5 on the platform's short
	// scales (ScaleLabels), or 0 when she chose not to answer.
	QualityOfLife int
	Confidence    int
	// RecordedBy is her IDVA when Source is FromIDVA; 0 otherwise.
	RecordedBy int64
}

// Answer returns her answer for a Kind code.
func (o *Outcome) Answer(code string) Happened {
	switch code {
	case "physical":
		return o.Physical
	case "sexual":
		return o.Sexual
	case "stalking":
		return o.Stalking
	case "controlling":
		return o.Controlling
	}
	return ""
}

// SetAnswer sets her answer for a Kind code.
func (o *Outcome) SetAnswer(code string, h Happened) {
	switch code {
	case "physical":
		o.Physical = h
	case "sexual":
		o.Sexual = h
	case "stalking":
		o.Stalking = h
	case "controlling":
		o.Controlling = h
	}
}

// The messages Validate gives, kept as constants so the pages she sees can
// translate them (they are the keys of the Welsh catalogue).
const (
	MsgCheckAnswers = "Check your answers"
	MsgAnswerEach   = "Choose an answer, or I would rather not say"
	MsgFeelsSafe    = "Choose a number from 0 to 10"
	MsgScale        = "Choose one of the answers"
	MsgTimePoint    = "Choose intake, mid-point or exit"
	MsgReportedOn   = "Enter the date these answers were given, not in the future"
)

// Validate checks an outcome as it will be stored. Field names are the
// Kind codes, feels_safe, quality_of_life, confidence, time_point and
// reported_on. Errors: EINVALID.
func (o *Outcome) Validate(today drive.Date) error {
	f := map[string]string{}
	if !ValidTimePoint(o.TimePoint) {
		f["time_point"] = MsgTimePoint
	}
	if o.ReportedOn.IsZero() || o.ReportedOn.After(today) {
		f["reported_on"] = MsgReportedOn
	}
	if o.Source != FromIDVA && o.Source != FromHerself {
		f["source"] = "Say who recorded these answers"
	}
	for _, k := range Kinds() {
		if !o.Answer(k.Code).Valid() {
			f[k.Code] = MsgAnswerEach
		}
	}
	if o.FeelsSafe < 0 || o.FeelsSafe > 10 {
		f["feels_safe"] = MsgFeelsSafe
	}
	if o.QualityOfLife < 0 || o.QualityOfLife > 5 {
		f["quality_of_life"] = MsgScale
	}
	if o.Confidence < 0 || o.Confidence > 5 {
		f["confidence"] = MsgScale
	}
	if len(f) > 0 {
		return drive.Invalid(MsgCheckAnswers, f)
	}
	return nil
}

// Scale is one of the short 1-to-5 scales, in the platform's own words.
type Scale struct {
	Code     string
	Label    string   // for staff
	Question string   // for her
	Choices  []string // 1 to 5, worst first
}

// Scales are her quality of life and her confidence to get help.
func Scales() []Scale {
	return []Scale{
		{"quality_of_life", "Quality of life", "How are things for you day to day at the moment?",
			[]string{"Very hard", "Hard", "Getting by", "Good", "Very good"}},
		{"confidence", "Confidence to get help", "If you needed help, how sure are you that you could get it?",
			[]string{"Not at all sure", "Not very sure", "Fairly sure", "Sure", "Very sure"}},
	}
}

// Change is how her answers moved between two time points, for the IDVA
// case page.
type Change struct {
	From, To *Outcome
	// Stopped lists the Kind labels she said had happened at From and not
	// at To.
	Stopped []string
	// Started lists those she said had not happened at From and had at To.
	Started []string
	// SafeBy is the change in how safe she feels.
	SafeBy int
}

// Compare describes the change from a to b.
func Compare(a, b *Outcome) Change {
	c := Change{From: a, To: b, SafeBy: b.FeelsSafe - a.FeelsSafe}
	for _, k := range Kinds() {
		switch {
		case a.Answer(k.Code) == Yes && b.Answer(k.Code) == No:
			c.Stopped = append(c.Stopped, k.Label)
		case a.Answer(k.Code) == No && b.Answer(k.Code) == Yes:
			c.Started = append(c.Started, k.Label)
		}
	}
	return c
}

// Month returns the month of a date as YYYY-MM: all an anonymous answer
// keeps of when it was given.
func Month(d drive.Date) string {
	s := d.String()
	if len(s) < 7 {
		return ""
	}
	return s[:7]
}

// cleanText trims s and reports whether it is within max runes.
func cleanText(s string, max int) (string, bool) {
	s = strings.TrimSpace(s)
	return s, len([]rune(s)) <= max
}
