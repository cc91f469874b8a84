// Package subjectaccess holds subject access requests and the packs that
// answer them (DOMAIN.md, "Data protection"): the request and its deadline
// (one month from receipt, extendable to three with a reason), the pack of
// everything held about one person with third parties withheld, the
// redactions the data protection officer adds on review, and the rule that
// a second person approves before release. It reads no clock and no
// database.
package subjectaccess

import (
	"strings"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
)

// State is where a request has got to.
type State string

const (
	// Open: recorded, the pack being assembled and reviewed.
	Open State = "open"
	// Approved: a second person has approved the pack for release.
	Approved State = "approved"
)

// Request is a subject access request about one person.
type Request struct {
	ID       int64
	PersonID int64
	// Requester is who made the request: the person, or who acts for
	// them (a solicitor, with the person's authority).
	Requester string
	// IdentityCheck says how the requester's identity (and authority)
	// was checked.
	IdentityCheck string
	ReceivedOn    drive.Date
	// DueOn is one month after receipt, or up to three with an
	// extension.
	DueOn drive.Date
	// ExtensionReason says why the deadline was extended; empty if not.
	ExtensionReason string
	State           State
	RecordedBy      int64
	ApprovedBy      int64
	ApprovedAt      *time.Time
	CreatedAt       time.Time
}

// Validate checks a new request and sets its deadline, one month after
// receipt. Errors: EINVALID with the fields at fault.
func (r *Request) Validate(today drive.Date) error {
	r.Requester = strings.TrimSpace(r.Requester)
	r.IdentityCheck = strings.TrimSpace(r.IdentityCheck)
	f := map[string]string{}
	if r.PersonID <= 0 {
		f["person"] = "Choose the person the request is about."
	}
	if n := len([]rune(r.Requester)); n == 0 || n > 200 {
		f["requester"] = "Say who made the request, in up to 200 characters."
	}
	if n := len([]rune(r.IdentityCheck)); n == 0 || n > 500 {
		f["identity_check"] = "Say how the requester's identity was checked, in up to 500 characters."
	}
	switch {
	case r.ReceivedOn.IsZero():
		f["received_on"] = "Give the date the request was received."
	case r.ReceivedOn.After(today):
		f["received_on"] = "The date received cannot be in the future."
	}
	if len(f) > 0 {
		return drive.Invalid("The request cannot be recorded.", f)
	}
	r.DueOn = addMonths(r.ReceivedOn, 1)
	r.State = Open
	return nil
}

// Extend moves the deadline to months after receipt (2 or 3: the one
// month and an extension of up to two more), for reason. Errors: EINVALID
// for another number of months, no reason, a deadline already later, or
// a request no longer open.
func (r *Request) Extend(months int, reason string) error {
	reason = strings.TrimSpace(reason)
	f := map[string]string{}
	if months != 2 && months != 3 {
		f["months"] = "A deadline can be extended to two or three months after receipt."
	}
	if n := len([]rune(reason)); n == 0 || n > 500 {
		f["reason"] = "Say why the deadline is extended (the request is complex, or one of several), in up to 500 characters."
	}
	if len(f) == 0 && !addMonths(r.ReceivedOn, months).After(r.DueOn) {
		f["months"] = "The deadline is already that late or later."
	}
	if r.State != Open {
		f["months"] = "The pack has been approved; its deadline no longer changes."
	}
	if len(f) > 0 {
		return drive.Invalid("The deadline cannot be extended.", f)
	}
	r.DueOn, r.ExtensionReason = addMonths(r.ReceivedOn, months), reason
	return nil
}

// Overdue reports whether the request is still open after its deadline.
func (r Request) Overdue(today drive.Date) bool { return r.State == Open && today.After(r.DueOn) }

// Redaction is one item of a pack withheld on review, with the reason
// the data protection officer gives for it (an exemption, a third party
// the automatic screen missed).
type Redaction struct {
	ID         int64
	RequestID  int64
	Item       string // the pack item's key, as Item.Key
	Reason     string
	RedactedBy int64
	CreatedAt  time.Time
}

// Validate checks a redaction. Errors: EINVALID.
func (r *Redaction) Validate() error {
	r.Item, r.Reason = strings.TrimSpace(r.Item), strings.TrimSpace(r.Reason)
	f := map[string]string{}
	if r.Item == "" || len(r.Item) > 64 {
		f["item"] = "Choose the item to withhold."
	}
	if n := len([]rune(r.Reason)); n == 0 || n > 500 {
		f["reason"] = "Give the reason for withholding it, in up to 500 characters."
	}
	if len(f) > 0 {
		return drive.Invalid("The item cannot be withheld.", f)
	}
	return nil
}

// CanApprove reports whether user may approve the pack: the request is
// open and user is neither who recorded it nor who made any of its
// redactions. Release needs a second pair of eyes on the whole pack.
func (r Request) CanApprove(user int64, redactions []Redaction) bool {
	if r.State != Open || user == 0 || user == r.RecordedBy {
		return false
	}
	for _, x := range redactions {
		if x.RedactedBy == user {
			return false
		}
	}
	return true
}

// Why an item is withheld automatically.
const (
	// WithheldThirdParty: the item is about, or its text may reveal,
	// another person (a victim-survivor, a child).
	WithheldThirdParty = "It would reveal information about another person."
)

// Item is one entry of a pack: a record about the person, or what its
// text says, unless it is withheld.
type Item struct {
	// Key names the item for redactions: "case:12", "note:40",
	// "action:7", "contact:9", "access:301".
	Key   string `json:"key"`
	Kind  string `json:"kind"`
	On    string `json:"on,omitempty"`
	Title string `json:"title"`
	Text  string `json:"text,omitempty"`
	// Withheld is why the item's text is withheld; the text is then
	// empty.
	Withheld string `json:"withheld,omitempty"`
}

// Section is a part of a pack.
type Section struct {
	Title string `json:"title"`
	Items []Item `json:"items"`
}

// Pack is what is held about one person, as it will be released.
type Pack struct {
	RequestID int64       `json:"request_id"`
	Person    [][2]string `json:"person"`
	Sections  []Section   `json:"sections"`
	Withheld  int         `json:"withheld"`
	Note      string      `json:"note"`
	Generated string      `json:"generated_on"`
	Approved  bool        `json:"approved"`
}

// Withhold empties the text of every item a redaction names, with the
// redaction's reason, and counts what the pack withholds.
func (p *Pack) Withhold(redactions []Redaction) {
	byItem := map[string]string{}
	for _, r := range redactions {
		byItem[r.Item] = r.Reason
	}
	p.Withheld = 0
	for si := range p.Sections {
		for ii := range p.Sections[si].Items {
			it := &p.Sections[si].Items[ii]
			if reason, ok := byItem[it.Key]; ok && it.Withheld == "" {
				it.Withheld, it.Text = "Withheld on review: "+reason, ""
			}
			if it.Withheld != "" {
				p.Withheld++
			}
		}
	}
}

// HasItem reports whether the pack has an item with key.
func (p Pack) HasItem(key string) bool {
	for _, s := range p.Sections {
		for _, it := range s.Items {
			if it.Key == key {
				return true
			}
		}
	}
	return false
}

// PackNote is the explanation every pack carries.
const PackNote = "This is the information Drive holds about you, and who has looked at it. " +
	"Information about other people, and anything that would reveal it, has been withheld, " +
	"as the law requires; each withheld item says why."

// MentionsAny reports whether text names any of names as a whole word,
// ignoring case: a victim-survivor's or child's first name alone is
// enough to withhold a text from a perpetrator's pack. Names shorter than
// two letters are ignored.
func MentionsAny(text string, names []string) bool {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) {
		words[w] = true
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '\'' || r == '-' }) {
			words[part] = true
		}
	}
	for _, n := range names {
		for _, part := range strings.FieldsFunc(strings.ToLower(n), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(part)) >= 2 && words[part] {
				return true
			}
		}
	}
	return false
}

// addMonths is the same day n calendar months later, or the last day of
// that month when it is shorter (the regulator's reading of "one month":
// a request received on 31 January is due on 28 February, not 3 March).
func addMonths(d drive.Date, n int) drive.Date {
	first := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day
	if day > last {
		day = last
	}
	return drive.DateOf(time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC))
}
