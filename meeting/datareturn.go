package meeting

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/suppress"
)

// Quarter is a calendar quarter, e.g. 2026 Q3 = July to September 2026.
// The MARAC data return is made quarterly, so its period is named this way
// rather than by two dates that could disagree with the form.
type Quarter struct {
	Year int
	Q    int
}

// ParseQuarter reads "2026-Q3" (the q in either case, spaces around it
// ignored). Errors: EINVALID, with the message also under field "quarter",
// when it is not a year from 1900 to 9999 and a quarter from 1 to 4.
func ParseQuarter(s string) (Quarter, error) {
	bad := func() (Quarter, error) {
		msg := "Enter a quarter as a year and quarter, for example 2026-Q3"
		return Quarter{}, drive.Invalid(msg, map[string]string{"quarter": msg})
	}
	year, q, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-Q")
	if !ok || len(year) != 4 || len(q) != 1 {
		return bad()
	}
	y, err := strconv.Atoi(year)
	if err != nil || y < 1900 {
		return bad()
	}
	n := int(q[0] - '0')
	if n < 1 || n > 4 {
		return bad()
	}
	return Quarter{Year: y, Q: n}, nil
}

// String writes the quarter as ParseQuarter reads it: "2026-Q3".
func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// Label names the quarter for people: "July to September 2026".
func (q Quarter) Label() string {
	first := time.Month(3*(q.Q-1) + 1)
	return fmt.Sprintf("%s to %s %d", first, first+2, q.Year)
}

// Start is the first day of the quarter.
func (q Quarter) Start() drive.Date {
	return drive.Date{Year: q.Year, Month: time.Month(3*(q.Q-1) + 1), Day: 1}
}

// End is the last day of the quarter (inclusive).
func (q Quarter) End() drive.Date { return q.Start().AddMonths(3).AddDays(-1) }

// Contains reports whether d falls in the quarter; the zero date never does.
func (q Quarter) Contains(d drive.Date) bool {
	return !d.IsZero() && !d.Before(q.Start()) && !d.After(q.End())
}

// HeardCase is one case heard at a MARAC meeting in the quarter: one agenda
// item with a perpetrator case. A case heard at two meetings is two
// HeardCases, because the return counts hearings.
type HeardCase struct {
	MeetingID int64
	HeardOn   drive.Date
	// Repeat is set when the case was flagged a repeat: a new incident or
	// referral within 12 months of the last hearing.
	Repeat bool
	// ReferringAgency is the kind of agency that referred the case
	// ("police", "idva_service", "probation", "childrens_social_care",
	// "housing", "health", "other", or another kind); empty means not
	// recorded.
	ReferringAgency string
	// Children is the number of children in the households of the case's
	// victim-survivors.
	Children int
	// Victims are the victim-survivors linked to the case.
	Victims []Victim
	// PerpetratorAge is his age in whole years at the hearing; -1 when
	// unknown.
	PerpetratorAge int
}

// Victim is what the return counts about a victim-survivor. It carries no
// name, address or contact detail: the return needs none, and what is not
// here cannot leak from it.
type Victim struct {
	Gender            string // "female", "male", "non_binary", "other", "prefer_not_to_say", "not_known"
	Ethnicity         string // "asian", "black", "mixed", "white", "other", "prefer_not_to_say", "not_known"
	SexualOrientation string // "heterosexual", "gay_lesbian", "bisexual", "other", ...
	Disability        string // "yes", "no", ...
	Age               int    // whole years at the hearing; -1 when unknown
}

// DataReturnInput is what the service reads from the database for one
// site's quarter.
type DataReturnInput struct {
	SiteName string
	Quarter  Quarter
	Meetings int // MARAC meetings held in the quarter
	Cases    []HeardCase
	// AdultFemalePopulation comes from the site's configuration; 0 means
	// not configured.
	AdultFemalePopulation int
	// Threshold is the small-number threshold: suppress.DefaultThreshold
	// unless the site sets another. 0 or less counts as the default (see
	// ComputeDataReturn).
	Threshold int
}

// Figure is one line of the return: a count (Cell) or, when IsRate, a
// rate (Rate). Code is stable, for whoever reads the CSV by machine.
type Figure struct {
	Code       string
	Label      string
	Definition string
	Cell       suppress.Cell
	Rate       suppress.Rate
	IsRate     bool
}

// value is the figure as published: "[c]" when withheld, never the true
// value of a withheld count.
func (f Figure) value() string {
	if f.IsRate {
		return f.Rate.Format(1)
	}
	return f.Cell.String()
}

// DataReturn is SafeLives' quarterly MARAC data return for one site, with
// every small number withheld.
type DataReturn struct {
	SiteName  string
	Quarter   Quarter
	Threshold int
	// Figures are in the order of the SafeLives form.
	Figures []Figure
	// ReferralsByAgency has one figure per referring agency, suppressed as
	// one row whose total is the cases heard.
	ReferralsByAgency []Figure
	// Notes explain figures left out and what the figures mean.
	Notes []string
}

// agencies are the referring agencies in the form's order, each shown even
// when no case came from it. Other kinds seen follow in name order, and
// cases with no agency recorded come last.
var agencies = []struct{ kind, label string }{
	{"police", "Police"},
	{"idva_service", "IDVA service"},
	{"probation", "Probation"},
	{"childrens_social_care", "Children's social care"},
	{"housing", "Housing"},
	{"health", "Health"},
	{"other", "Other"},
}

const notRecorded = "not_recorded"

// code returns s lowered, with anything but letters, digits and
// underscores as underscores, for a figure's code.
func code(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// minoritised reports a racially minoritised ethnicity: asian, black, mixed
// or other.
func minoritised(v Victim) bool {
	switch norm(v.Ethnicity) {
	case "asian", "black", "mixed", "other":
		return true
	}
	return false
}

// lgbt reports LGBT+: a gay or lesbian, bisexual or other sexual
// orientation, or a non-binary gender.
func lgbt(v Victim) bool {
	switch norm(v.SexualOrientation) {
	case "gay_lesbian", "bisexual", "other":
		return true
	}
	return norm(v.Gender) == "non_binary"
}

// ComputeDataReturn computes the quarterly MARAC data return from the
// cases heard at the site's meetings in the quarter.
//
// Only cases heard within the quarter are counted; any others given are
// left out, with a note. Every count is withheld when from 1 to the
// threshold (suppress.Count); referrals by agency are suppressed as a row
// with its total (suppress.Row). A threshold of 0 or less is taken as
// suppress.DefaultThreshold: the return leaves the organisation, so a
// missing setting must not publish small numbers. Rates are shown only
// when both the counts they come from are shown.
//
// The cases heard figure is the row's total, so it is withheld whenever
// the row withholds its total; a separate figure would otherwise publish
// the total the row protects.
func ComputeDataReturn(in DataReturnInput) DataReturn {
	t := in.Threshold
	if t <= 0 {
		t = suppress.DefaultThreshold
	}
	out := DataReturn{SiteName: in.SiteName, Quarter: in.Quarter, Threshold: t}

	var heard, repeats, children, minor, lgbtq, disabled, male, aged1617, under18 int
	byAgency := map[string]int{}
	outside := false
	for _, c := range in.Cases {
		if !in.Quarter.Contains(c.HeardOn) {
			outside = true
			continue
		}
		heard++
		if c.Repeat {
			repeats++
		}
		if c.Children > 0 {
			children += c.Children
		}
		if c.PerpetratorAge >= 0 && c.PerpetratorAge < 18 {
			under18++
		}
		agency := code(norm(c.ReferringAgency))
		if agency == "" {
			agency = notRecorded
		}
		byAgency[agency]++
		for _, v := range c.Victims {
			if minoritised(v) {
				minor++
			}
			if lgbt(v) {
				lgbtq++
			}
			if norm(v.Disability) == "yes" {
				disabled++
			}
			if norm(v.Gender) == "male" {
				male++
			}
			if v.Age == 16 || v.Age == 17 {
				aged1617++
			}
		}
	}

	// Referrals by agency, as one row totalling the cases heard.
	var kinds, labels []string
	known := map[string]bool{}
	for _, a := range agencies {
		kinds, labels = append(kinds, a.kind), append(labels, a.label)
		known[a.kind] = true
	}
	var others []string
	for k := range byAgency {
		if !known[k] && k != notRecorded {
			others = append(others, k)
		}
	}
	sort.Strings(others)
	for _, k := range others {
		kinds, labels = append(kinds, k), append(labels, drive.FieldLabel(k))
	}
	kinds, labels = append(kinds, notRecorded), append(labels, "Not recorded")
	counts := make([]int, len(kinds))
	for i, k := range kinds {
		counts[i] = byAgency[k]
	}
	cells, total := suppress.Row(counts, t)
	for i, k := range kinds {
		def := "Cases heard in the quarter that were referred to MARAC by " + labels[i] + "."
		if k == notRecorded {
			def = "Cases heard in the quarter with no referring agency recorded."
		}
		out.ReferralsByAgency = append(out.ReferralsByAgency, Figure{
			Code: "referrals_" + k, Label: labels[i], Definition: def, Cell: cells[i],
		})
	}

	count := func(n int) suppress.Cell { return suppress.Count(n, t) }
	perVictim := " Each victim-survivor is counted once for every case heard that they are linked to, as the return counts cases."
	repeatCell := count(repeats)
	repeatRate := suppress.Rate{}
	if !total.Suppressed {
		repeatRate = suppress.PerN(repeatCell, float64(heard), 100)
	}
	out.Figures = []Figure{
		{Code: "meetings_held", Label: "MARAC meetings held", Cell: suppress.Cell{Value: in.Meetings}, // meetings, not people: never withheld
			Definition: "MARAC meetings the site held in the quarter. A count of meetings, not of people, so it is never withheld."},
		{Code: "cases_heard", Label: "Cases heard", Cell: total,
			Definition: "Agenda items with a perpetrator case at MARAC meetings in the quarter; a case heard at two meetings counts twice."},
		{Code: "repeat_cases", Label: "Repeat cases", Cell: repeatCell,
			Definition: "Cases heard that were flagged repeats: a new incident or referral within 12 months of the case's last hearing."},
		{Code: "repeat_rate", Label: "Repeat cases (%)", Rate: repeatRate, IsRate: true,
			Definition: "Repeat cases as a percentage of cases heard, shown only when both counts are shown."},
	}
	if in.AdultFemalePopulation > 0 {
		rate := suppress.Rate{}
		if !total.Suppressed {
			rate = suppress.PerN(total, float64(in.AdultFemalePopulation), 10000)
		}
		out.Figures = append(out.Figures, Figure{
			Code: "cases_per_10000_women", Label: "Cases per 10,000 adult women", Rate: rate, IsRate: true,
			Definition: "Cases heard divided by the site's adult female population (" + suppress.Cell{Value: in.AdultFemalePopulation}.String() + "), times 10,000; shown only when cases heard is shown.",
		})
	} else {
		out.Notes = append(out.Notes, "Cases per 10,000 adult women is not shown: the site's adult female population is not configured.")
	}
	out.Figures = append(out.Figures,
		Figure{Code: "children", Label: "Children in the households", Cell: count(children),
			Definition: "Children in the households of the victim-survivors of the cases heard, counted for every case heard."},
		Figure{Code: "victims_racially_minoritised", Label: "Victim-survivors who are racially minoritised", Cell: count(minor),
			Definition: "Victim-survivors of cases heard whose ethnicity is Asian, Black, mixed or other." + perVictim},
		Figure{Code: "victims_lgbt", Label: "Victim-survivors who are LGBT+", Cell: count(lgbtq),
			Definition: "Victim-survivors of cases heard who are gay or lesbian, bisexual or of another sexual orientation, or non-binary." + perVictim},
		Figure{Code: "victims_disabled", Label: "Victim-survivors who are disabled", Cell: count(disabled),
			Definition: "Victim-survivors of cases heard recorded as disabled." + perVictim},
		Figure{Code: "victims_male", Label: "Victim-survivors who are male", Cell: count(male),
			Definition: "Victim-survivors of cases heard whose gender is male." + perVictim},
		Figure{Code: "victims_aged_16_17", Label: "Victim-survivors aged 16 or 17", Cell: count(aged1617),
			Definition: "Victim-survivors of cases heard aged 16 or 17 at the hearing." + perVictim},
		Figure{Code: "perpetrators_under_18", Label: "Perpetrators under 18", Cell: count(under18),
			Definition: "Cases heard whose perpetrator was under 18 at the hearing (unknown ages not counted)."},
	)
	if outside {
		out.Notes = append(out.Notes, "Some cases given were heard outside "+in.Quarter.Label()+" and are not counted.")
	}
	out.Notes = append(out.Notes, fmt.Sprintf("[c]: withheld because the count is from 1 to %d, or to stop a withheld count being worked out from a total.", t))
	return out
}

// CSV writes the return as code,label,value,definition rows after a header
// row: the figures, then referrals by agency. Values are as published:
// "[c]" for a withheld figure, never its true value. Text that a
// spreadsheet would read as a formula is prefixed with an apostrophe.
func (r DataReturn) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"code", "label", "value", "definition"})
	for _, fs := range [][]Figure{r.Figures, r.ReferralsByAgency} {
		for _, f := range fs {
			_ = w.Write([]string{drive.SpreadsheetCell(f.Code), drive.SpreadsheetCell(f.Label), f.value(), drive.SpreadsheetCell(f.Definition)})
		}
	}
	w.Flush() // writing to a bytes.Buffer cannot fail
	return b.Bytes()
}
