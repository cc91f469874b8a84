package meeting

import (
	"slices"
	"sort"
	"time"

	"github.com/drive-platform/drive"
)

// ItemKind is what an agenda item is about: a case, or one of the
// standing items SafeLives suggests every MARAC opens and closes with.
type ItemKind string

// The item kinds.
const (
	// CaseItem is a perpetrator case to be heard.
	CaseItem ItemKind = "case"
	// Confidentiality is the confidentiality statement every attendee
	// accepts before the cases open.
	Confidentiality ItemKind = "confidentiality"
	// ActionsReview goes through the actions still open from the series'
	// last meeting.
	ActionsReview ItemKind = "actions_review"
	// Anniversaries lists the cases whose last hearing was 12 months ago
	// or more: after 12 months a new referral is a new case, not a repeat.
	Anniversaries ItemKind = "anniversaries"
)

// ItemKinds lists every item kind in agenda order.
func ItemKinds() []ItemKind {
	return []ItemKind{Confidentiality, ActionsReview, CaseItem, Anniversaries}
}

// Label names the item kind for an agenda.
func (k ItemKind) Label() string {
	switch k {
	case CaseItem:
		return "Case"
	case Confidentiality:
		return "Introductions and confidentiality statement"
	case ActionsReview:
		return "Actions outstanding from the last meeting"
	case Anniversaries:
		return "Cases 12 months since their last hearing"
	}
	return string(k)
}

// StandingMinutes is the time a standing item takes on the agenda.
func (k ItemKind) StandingMinutes() int {
	switch k {
	case Confidentiality:
		return 5
	case ActionsReview:
		return 10
	case Anniversaries:
		return 5
	}
	return 0
}

// Reason is why a case is proposed for an agenda. A case may have several.
type Reason string

// The reasons, in the order the coordinator sees them.
const (
	// Repeat: a new incident or referral within 12 months of the case's
	// last hearing (DOMAIN.md, "Repeat MARAC").
	Repeat Reason = "repeat"
	// AwaitingDecision: a referral the panel has not decided.
	AwaitingDecision Reason = "referral"
	// Identified: the perpetrator is near the top of the site's
	// identification list.
	Identified Reason = "identification"
	// ReviewDue: an active case due for review by the meeting's date.
	ReviewDue Reason = "review_due"
	// TransferredIn: a case coming to this site from another.
	TransferredIn Reason = "transferred_in"
	// Anniversary: 12 months or more since the case was last heard.
	Anniversary Reason = "anniversary"
	// ByHand: the coordinator added the case.
	ByHand Reason = "added"
)

// Reasons lists every reason in display order.
func Reasons() []Reason {
	return []Reason{Repeat, AwaitingDecision, Identified, ReviewDue, TransferredIn, Anniversary, ByHand}
}

// Label names the reason.
func (r Reason) Label() string {
	switch r {
	case Repeat:
		return "Repeat: new incident or referral within 12 months of the last hearing"
	case AwaitingDecision:
		return "Referral awaiting a decision"
	case Identified:
		return "High on the identification list"
	case ReviewDue:
		return "Case review due"
	case TransferredIn:
		return "Transferred in from another area"
	case Anniversary:
		return "12 months since the last hearing"
	case ByHand:
		return "Added by the coordinator"
	}
	return string(r)
}

// Short is a one- or two-word form for tags.
func (r Reason) Short() string {
	switch r {
	case Repeat:
		return "Repeat"
	case AwaitingDecision:
		return "Referral"
	case Identified:
		return "Identified"
	case ReviewDue:
		return "Review due"
	case TransferredIn:
		return "Transferred in"
	case Anniversary:
		return "12 months"
	case ByHand:
		return "Added"
	}
	return string(r)
}

// Decision is what a meeting decided about a case item.
type Decision string

// The decisions.
const (
	// Accept admits the referral to Drive (a Drive panel's decision).
	Accept Decision = "accept"
	// Decline does not admit it.
	Decline Decision = "decline"
	// MoreInformation defers the case to a later meeting.
	MoreInformation Decision = "more_information"
	// ReferElsewhere sends the case to another service or panel.
	ReferElsewhere Decision = "refer_elsewhere"
	// ActionsAgreed is the outcome of a hearing that plans safety or
	// disruption rather than deciding entry (a MARAC or MATAC case, a
	// review): the actions are the decision.
	ActionsAgreed Decision = "actions_agreed"
)

// Decisions lists every decision.
func Decisions() []Decision {
	return []Decision{Accept, Decline, MoreInformation, ReferElsewhere, ActionsAgreed}
}

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool { return slices.Contains(Decisions(), d) }

// Label names the decision.
func (d Decision) Label() string {
	switch d {
	case Accept:
		return "Accept to Drive"
	case Decline:
		return "Decline"
	case MoreInformation:
		return "More information needed"
	case ReferElsewhere:
		return "Refer elsewhere"
	case ActionsAgreed:
		return "Actions agreed"
	}
	return string(d)
}

// DecisionsFor lists the decisions a meeting of kind k can make about a
// case: only a Drive panel admits or declines.
func DecisionsFor(k Kind) []Decision {
	if k == DrivePanel {
		return []Decision{Accept, Decline, MoreInformation, ReferElsewhere}
	}
	return []Decision{ActionsAgreed, MoreInformation, ReferElsewhere}
}

// Item is one item on a meeting's agenda.
type Item struct {
	ID        int64
	MeetingID int64
	Ord       int
	Kind      ItemKind
	CaseID    int64 // for a case item
	Reasons   []Reason
	// Children is true when children live in the household of any of the
	// case's victim-survivors: such cases are heard first.
	Children bool
	Repeat   bool
	Minutes  int
	// The record of the hearing.
	Decision        Decision
	DecisionReasons string
	// Evidence is the eligibility evidence as it stood when the decision
	// was made, in words, so the minutes show what the meeting saw.
	Evidence  string
	DecidedBy int64
	DecidedAt *time.Time
}

// Validate checks a decision for the item at a meeting of kind k. Errors:
// EINVALID per field.
func (it *Item) ValidateDecision(k Kind) error {
	f := map[string]string{}
	it.DecisionReasons = tidy(it.DecisionReasons)
	if it.Kind != CaseItem {
		return drive.Errorf(drive.EINVALID, "Only a case on the agenda has a decision")
	}
	if !slices.Contains(DecisionsFor(k), it.Decision) {
		f["decision"] = "Choose the meeting's decision"
	}
	if it.DecisionReasons == "" {
		f["reasons"] = "Say why the meeting decided this"
	} else if len(it.DecisionReasons) > 4000 {
		f["reasons"] = "Keep the reasons to 4,000 characters"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the decision", f)
	}
	return nil
}

// Candidate is a case proposed for an agenda, with why.
type Candidate struct {
	CaseID   int64
	Reasons  []Reason
	Children bool
	Repeat   bool
	// Rank is the perpetrator's place on the identification list (1 is
	// highest), or 0.
	Rank int
	// LastHeard is the case's last hearing, or zero.
	LastHeard drive.Date
}

// Add merges a reason into the candidate, once.
func (c *Candidate) Add(r Reason) {
	if !slices.Contains(c.Reasons, r) {
		c.Reasons = append(c.Reasons, r)
		sort.Slice(c.Reasons, func(i, j int) bool { return reasonOrder(c.Reasons[i]) < reasonOrder(c.Reasons[j]) })
	}
	if r == Repeat {
		c.Repeat = true
	}
}

func reasonOrder(r Reason) int { return slices.Index(Reasons(), r) }

// SortCandidates puts candidates in the order the coordinator reads them:
// cases with children first, then repeats, then by their first reason,
// then by identification rank, then by case.
func SortCandidates(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Children != b.Children {
			return a.Children
		}
		if a.Repeat != b.Repeat {
			return a.Repeat
		}
		ra, rb := firstReason(a.Reasons), firstReason(b.Reasons)
		if ra != rb {
			return ra < rb
		}
		if (a.Rank == 0) != (b.Rank == 0) {
			return a.Rank != 0
		}
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		return a.CaseID < b.CaseID
	})
}

func firstReason(rs []Reason) int {
	if len(rs) == 0 {
		return len(Reasons())
	}
	return reasonOrder(rs[0])
}

// Order numbers an agenda's items in the order they are heard: the
// confidentiality statement, the actions outstanding from last time, the
// cases (those with children first, then in the order they were added),
// and last the cases at their 12-month anniversary. It returns the items
// renumbered from 1.
func Order(items []Item) []Item {
	out := slices.Clone(items)
	rank := func(it Item) int {
		switch it.Kind {
		case Confidentiality:
			return 0
		case ActionsReview:
			return 1
		case CaseItem:
			if it.Children {
				return 2
			}
			return 3
		}
		return 4
	}
	sort.SliceStable(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i].Ord < out[j].Ord
	})
	for i := range out {
		out[i].Ord = i + 1
	}
	return out
}

// Slot is an item's place in the meeting's timetable.
type Slot struct {
	Start string // "HH:MM"
	End   string
	Total int // running total of minutes at the item's end
}

// Timetable gives each item its start and end from the meeting's start
// time ("HH:MM") and the running total of minutes. An unreadable start is
// taken as 00:00, which only a broken record has.
func Timetable(startsAt string, items []Item) []Slot {
	t0, err := time.Parse("15:04", startsAt)
	if err != nil {
		t0 = time.Time{}
	}
	out := make([]Slot, len(items))
	total := 0
	for i, it := range items {
		start := t0.Add(time.Duration(total) * time.Minute)
		total += it.Minutes
		out[i] = Slot{Start: start.Format("15:04"), End: t0.Add(time.Duration(total) * time.Minute).Format("15:04"), Total: total}
	}
	return out
}

// RepeatWindow is the time after a hearing within which any new abuse
// between the same people makes the case a repeat (DOMAIN.md).
const RepeatWindowMonths = 12

// IsRepeat reports whether a case last heard on lastHeard is a repeat on
// the evidence of events (new incidents, new referrals): any event after
// the hearing and within 12 months of it. A case never heard is not a
// repeat.
func IsRepeat(lastHeard drive.Date, events []drive.Date) bool {
	if lastHeard.IsZero() {
		return false
	}
	end := lastHeard.AddMonths(RepeatWindowMonths)
	for _, e := range events {
		if e.After(lastHeard) && !e.After(end) {
			return true
		}
	}
	return false
}

// AnniversaryDue reports whether a case last heard on lastHeard reaches
// 12 months since that hearing by the meeting on on.
func AnniversaryDue(lastHeard, on drive.Date) bool {
	return !lastHeard.IsZero() && !lastHeard.AddMonths(RepeatWindowMonths).After(on)
}
