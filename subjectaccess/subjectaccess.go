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

// Kind is what kind of record the subject of a request has: each kind
// has its own pack, with its own third parties to withhold.
type Kind string

const (
	// Person: someone on the perpetrator side (a person record); the
	// pack is his record, his cases and who read them.
	Person Kind = "person"
	// Victim: a victim-survivor (her IDVA case); the pack is her case,
	// her compartment, safety plan, risk assessments, notes and contacts
	// and who read them, with the perpetrator side's risk-management
	// notes about her withheld unless released on review.
	Victim Kind = "victim"
	// Staff: a user of Drive; the pack is the account, its sign-ins and
	// what the audit log records the user did.
	Staff Kind = "staff"
	// Child: a child linked to a victim-survivor; the pack is the
	// child's record and the records that name the child.
	Child Kind = "child"
)

// Kinds lists the kinds of subject in the order forms offer them.
func Kinds() []Kind { return []Kind{Person, Victim, Staff, Child} }

// Label names the kind for people.
func (k Kind) Label() string {
	switch k {
	case Person:
		return "Person on the perpetrator side"
	case Victim:
		return "Victim-survivor"
	case Staff:
		return "Member of staff"
	case Child:
		return "Child"
	}
	return string(k)
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds() {
		if k == x {
			return true
		}
	}
	return false
}

// Request is a subject access request about one person.
type Request struct {
	ID int64
	// Kind and SubjectID name whose records are asked for: a person
	// record, a victim-survivor's case, a user or a child, by number.
	Kind      Kind
	SubjectID int64
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
	if r.Kind == "" {
		r.Kind = Person
	}
	if !r.Kind.Valid() {
		f["kind"] = "Choose whose records are asked for: a person on the perpetrator side, a victim-survivor, a member of staff or a child."
	}
	if r.SubjectID <= 0 {
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

// Redaction is one decision on an item of a pack made on review, with
// the reason the data protection officer gives for it: usually to
// withhold it (an exemption, a third party the automatic screen missed);
// with Release, to release an item withheld by default under an
// exemption (a victim-survivor's pack withholds the perpetrator side's
// risk-management notes about her), the reason saying why the exemption
// does not apply. A release is shown in the pack's notes.
type Redaction struct {
	ID        int64
	RequestID int64
	Item      string // the pack item's key, as Item.Key
	// Release: the decision releases the item rather than withholding it.
	Release    bool
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
		if r.Release {
			f["reason"] = "Record the exemption decision: why releasing it does not prejudice the prevention of crime, in up to 500 characters."
		} else {
			f["reason"] = "Give the reason for withholding it, in up to 500 characters."
		}
	}
	if len(f) > 0 {
		if r.Release {
			return drive.Invalid("The item cannot be released.", f)
		}
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
	// WithheldExemption: a risk-management record of the perpetrator
	// side whose release would prejudice the prevention of crime (Data
	// Protection Act 2018, schedule 2, paragraph 2), withheld unless
	// released on review.
	WithheldExemption = "Withheld under the crime-prevention exemption: it is part of the management of risk to you and others."
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
	// exempt is the text of an item withheld under the crime-prevention
	// exemption until a release on review (Withhold); never marshalled.
	exempt string
}

// Exempt makes an item withheld under the crime-prevention exemption,
// keeping its text aside for a release on review.
func Exempt(it Item) Item {
	if it.Withheld != "" {
		return it
	}
	it.exempt, it.Text, it.Withheld = it.Text, "", WithheldExemption
	return it
}

// Releasable reports whether the item is withheld under the exemption,
// so that a release on review can show it.
func (it Item) Releasable() bool { return it.exempt != "" }

// Section is a part of a pack.
type Section struct {
	Title string `json:"title"`
	Items []Item `json:"items"`
}

// Pack is what is held about one person, as it will be released.
type Pack struct {
	RequestID int64       `json:"request_id"`
	Person    [][2]string `json:"person"`
	// Kind is whose pack it is (Person when empty, as before kinds).
	Kind     Kind      `json:"kind,omitempty"`
	Sections []Section `json:"sections"`
	Withheld int       `json:"withheld"`
	Note     string    `json:"note"`
	// Released says, for each item withheld by default under an
	// exemption and released on review, why the exemption was not
	// applied.
	Released  []string `json:"released,omitempty"`
	Generated string   `json:"generated_on"`
	Approved  bool     `json:"approved"`
}

// Withhold applies the review's decisions: it empties the text of every
// item a redaction withholds, with the redaction's reason, shows an item
// withheld under an exemption that a redaction releases (noting why in
// Released), and counts what the pack withholds.
func (p *Pack) Withhold(redactions []Redaction) {
	byItem := map[string]Redaction{}
	for _, r := range redactions {
		byItem[r.Item] = r
	}
	p.Withheld, p.Released = 0, nil
	for si := range p.Sections {
		for ii := range p.Sections[si].Items {
			it := &p.Sections[si].Items[ii]
			r, ok := byItem[it.Key]
			switch {
			case ok && r.Release && it.exempt != "":
				it.Text, it.Withheld = it.exempt, ""
				p.Released = append(p.Released, it.Title+" ("+Day(it.On)+") was released on review: "+r.Reason)
			case ok && !r.Release && it.Withheld == "":
				it.Withheld, it.Text = "Withheld on review: "+r.Reason, ""
			}
			if it.Withheld != "" {
				p.Withheld++
			}
		}
	}
}

// HasItem reports whether the pack has an item with key.
func (p Pack) HasItem(key string) bool {
	_, ok := p.Item(key)
	return ok
}

// Item returns the pack's item with key.
func (p Pack) Item(key string) (Item, bool) {
	for _, s := range p.Sections {
		for _, it := range s.Items {
			if it.Key == key {
				return it, true
			}
		}
	}
	return Item{}, false
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

// Subject is a record a request may be about, as a search by name finds
// it for the data protection officer to choose: its kind and number, the
// name it holds and enough beside the name (date of birth, site, role) to
// tell two people of one name apart.
type Subject struct {
	Kind        Kind       `json:"kind"`
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	DateOfBirth drive.Date `json:"-"`
	SiteID      int64      `json:"-"`
	// Site is the site's name, or "national"; Detail says more where
	// the kind has it (a username, a child's victim-survivor's case).
	Site   string `json:"site"`
	Detail string `json:"detail,omitempty"`
}

// SearchWords splits a name searched for into the words every match must
// hold, lower case. Errors: EINVALID for no word of two letters or more,
// or a search longer than 100 characters.
func SearchWords(name string) ([]string, error) {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(name)) {
		if len([]rune(w)) >= 2 {
			words = append(words, w)
		}
	}
	if len(words) == 0 || len([]rune(name)) > 100 {
		return nil, drive.Invalid("Nobody can be searched for.", map[string]string{"name": "Enter a name of two letters or more, in up to 100 characters."})
	}
	return words, nil
}

// Day shows an item's date (On, as YYYY-MM-DD for machines) as people
// read it, "27 March 2026"; anything else as it is.
func Day(on string) string {
	if d, err := drive.ParseDate(on); err == nil && len(on) == len("2006-01-02") {
		return d.Display()
	}
	return on
}
