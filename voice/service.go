package voice

import "github.com/drive-platform/drive"

// ServiceQuestion is one of the few questions about the service itself.
type ServiceQuestion struct {
	Code     string
	Label    string // for staff reports
	Question string // for her
}

// ServiceQuestions are asked of everyone who answers, joined or not.
func ServiceQuestions() []ServiceQuestion {
	return []ServiceQuestion{
		{"listened", "Felt listened to", "Did your support worker listen to you?"},
		{"safer", "Support helped them feel safer", "Did the support help you feel safer?"},
		{"helped", "Got the help they needed", "Did you get the help you needed?"},
	}
}

// Rating is her answer to a service question.
type Rating string

// The answers to a service question; "" when she left it.
const (
	RatingYes    Rating = "yes"
	RatingPartly Rating = "partly"
	RatingNo     Rating = "no"
)

// Ratings are the answers in the order they are offered.
func Ratings() []Rating { return []Rating{RatingYes, RatingPartly, RatingNo} }

// MaxFreeText is the longest free text she may write, in characters.
const MaxFreeText = 2000

// MsgFreeText is the message for free text that is too long.
const MsgFreeText = "Keep this to 2,000 characters or fewer"

// Views are her answers about the service. They are never joined to her
// case: each is kept with only the site and the month, so the counts can
// be reported and the free text read by her IDVA service without anyone
// knowing whose they are.
type Views struct {
	SiteID  int64
	Month   string            // YYYY-MM
	Ratings map[string]Rating // by ServiceQuestion code; missing: not answered
	Text    string            // free text; held sealed
}

// Validate checks her views. Errors: EINVALID, with field names the
// question codes and "free_text".
func (v *Views) Validate() error {
	f := map[string]string{}
	for code, r := range v.Ratings {
		ok := false
		for _, q := range ServiceQuestions() {
			ok = ok || q.Code == code
		}
		if !ok || (r != RatingYes && r != RatingPartly && r != RatingNo && r != "") {
			f[code] = MsgScale
		}
	}
	var ok bool
	if v.Text, ok = cleanText(v.Text, MaxFreeText); !ok {
		f["free_text"] = MsgFreeText
	}
	if len(f) > 0 {
		return drive.Invalid(MsgCheckAnswers, f)
	}
	return nil
}

// Empty reports whether she answered nothing about the service.
func (v *Views) Empty() bool {
	for _, r := range v.Ratings {
		if r != "" {
			return false
		}
	}
	return v.Text == ""
}
