package identify

import (
	"fmt"
	"strconv"

	"github.com/drive-platform/drive"
)

// Incident is one police-recorded domestic abuse incident or crime, with
// its people already resolved to the caller's person keys. It holds no
// address or contact detail: scoring needs none.
type Incident struct {
	// Ref is the force's reference, kept for the explanation.
	Ref string
	// On is the date of the incident. An incident with no date is never
	// in the window.
	On drive.Date
	// Type is the incident or offence type code, looked up in the
	// strategy's gravity table.
	Type string
	// Crime says whether it was recorded as a crime.
	Crime     bool
	SuspectID string
	VictimIDs []string
	// VictimAges is each victim's age at the incident, where known.
	VictimAges map[string]int
}

// Score is one suspect's identification score, with every component and
// the strategy that produced it, so that it can be explained to a panel
// and reproduced later.
type Score struct {
	Suspect         string `json:"suspect"`
	StrategyCode    string `json:"strategy_code"`
	StrategyVersion string `json:"strategy_version"`
	// AsOf is the date the window ends.
	AsOf drive.Date `json:"as_of"`
	// Components. Victims is a multiplier under Multiply and points under
	// Add.
	Recency   float64 `json:"recency"`
	Frequency float64 `json:"frequency"`
	Gravity   float64 `json:"gravity"`
	Victims   float64 `json:"victims"`
	Total     float64 `json:"total"`
	// Incidents and DistinctVictims count within the window.
	Incidents       int        `json:"incidents"`
	DistinctVictims int        `json:"distinct_victims"`
	LastIncident    drive.Date `json:"last_incident"`
	// Serial: at least SerialMinVictims distinct victims aged
	// SerialMinAge or over (or of unknown age) within the window.
	Serial bool `json:"serial"`
	// Escalating: more incidents in the last 6 months than in the 6
	// months before.
	Escalating bool `json:"escalating"`
	// Reasons explain each component in plain English.
	Reasons []string `json:"reasons"`
	// MostSerious is the type code of the incident that set Gravity.
	MostSerious string `json:"most_serious"`
	// Rank is the 1-based place on a ranked list; 0 when scored alone.
	Rank int `json:"rank,omitempty"`
}

// cutoffs are the day numbers the window and bands start on, computed once
// per "as of" date so that each incident costs integer comparisons only.
type cutoffs struct {
	asOf     int
	start    int   // first day in the window
	recency  []int // first day of each recency band
	last6    int   // first day of the last 6 months
	last12   int   // first day of the 6 months before those
	gravity  map[string]GravityType
	minAge   int
	asOfDate drive.Date
}

func (s *Strategy) cutoffs(asOf drive.Date) *cutoffs {
	c := &cutoffs{
		asOf:     dayNumber(asOf),
		start:    dayNumber(asOf.AddMonths(-s.WindowMonths)),
		recency:  make([]int, len(s.RecencyBands)),
		last6:    dayNumber(asOf.AddMonths(-6)),
		last12:   dayNumber(asOf.AddMonths(-12)),
		gravity:  s.gravityLookup(),
		minAge:   s.SerialMinAge,
		asOfDate: asOf,
	}
	for i, b := range s.RecencyBands {
		c.recency[i] = dayNumber(asOf.AddMonths(-b.ToMonths))
	}
	return c
}

// in reports whether an incident falls in the window: on or after its
// start and not after the "as of" date.
func (c *cutoffs) in(inc *Incident) (int, bool) {
	if inc.On.IsZero() {
		return 0, false
	}
	d := dayNumber(inc.On)
	return d, d >= c.start && d <= c.asOf
}

// victim is one distinct victim seen while tallying: the highest age
// recorded for them in the window, or known false if none was.
type victim struct {
	id    string
	known bool
	age   int
}

// tally is the counted facts about one suspect's incidents in the window.
type tally struct {
	n, crimes        int
	last             int
	lastDate         drive.Date
	gravity          float64
	mostType         string
	mostLabel        string
	mostKnown        bool
	mostDate         drive.Date
	mostDay          int
	victims, adults  int
	recent, previous int
}

// scratch is reused between suspects so that tallying allocates nothing
// per incident.
type scratch struct {
	victims []victim
	index   map[string]int
}

func (sc *scratch) reset() {
	sc.victims = sc.victims[:0]
	if sc.index != nil {
		clear(sc.index)
	}
}

// see records a victim, keeping the highest known age.
func (sc *scratch) see(id string, age int, known bool) {
	// Most suspects have one or two victims: a linear scan beats a map
	// until the list grows.
	i := -1
	if sc.index != nil && len(sc.victims) > 32 {
		if j, ok := sc.index[id]; ok {
			i = j
		}
	} else {
		for j := range sc.victims {
			if sc.victims[j].id == id {
				i = j
				break
			}
		}
	}
	if i < 0 {
		sc.victims = append(sc.victims, victim{id: id, known: known, age: age})
		if len(sc.victims) > 32 {
			if sc.index == nil {
				sc.index = make(map[string]int, 64)
			}
			if len(sc.index) == 0 {
				for j, v := range sc.victims {
					sc.index[v.id] = j
				}
			} else {
				sc.index[id] = len(sc.victims) - 1
			}
		}
		return
	}
	if known && (!sc.victims[i].known || age > sc.victims[i].age) {
		sc.victims[i].known, sc.victims[i].age = true, age
	}
}

// add counts one in-window incident on day d.
func (t *tally) add(c *cutoffs, sc *scratch, inc *Incident, d int) {
	t.n++
	if inc.Crime {
		t.crimes++
	}
	if t.n == 1 || d > t.last {
		t.last, t.lastDate = d, inc.On
	}
	if d >= c.last6 {
		t.recent++
	} else if d >= c.last12 {
		t.previous++
	}
	g, known := c.gravity[inc.Type]
	p := g.Points
	if !known {
		p = 0 // filled in by finish with the default
	}
	// The most serious incident: the highest points, then the most
	// recent, then the lowest type code, so ties resolve the same way
	// every run.
	if t.n == 1 || gravityBefore(p, known, d, inc.Type, t) {
		t.gravity, t.mostKnown, t.mostType, t.mostLabel, t.mostDay, t.mostDate = p, known, inc.Type, g.Label, d, inc.On
	}
	for _, v := range inc.VictimIDs {
		if v == "" {
			continue
		}
		age, ok := inc.VictimAges[v]
		sc.see(v, age, ok)
	}
}

func gravityBefore(p float64, known bool, d int, typ string, t *tally) bool {
	// Unknown types compare at 0 here; a known type always outranks
	// them, since the default is for what the table does not name.
	if known != t.mostKnown {
		return known
	}
	if p != t.gravity {
		return p > t.gravity
	}
	if d != t.mostDay {
		return d > t.mostDay
	}
	return typ < t.mostType
}

// finish counts victims and turns the tally into numeric components.
func (s *Strategy) finish(t *tally, sc *scratch, c *cutoffs) {
	t.victims = len(sc.victims)
	for _, v := range sc.victims {
		if !v.known || v.age >= c.minAge {
			t.adults++
		}
	}
	if t.n > 0 && !t.mostKnown {
		t.gravity = s.DefaultGravity
		t.mostLabel = t.mostType
	}
}

// components returns R, F, G, V and the total for a tally.
func (s *Strategy) components(t *tally, c *cutoffs) (r, f, g, v, total float64) {
	if t.n == 0 {
		if s.Combination == Multiply {
			return 0, 0, 0, 1, 0
		}
		return 0, 0, 0, 0, 0
	}
	if i := s.recencyBand(t.last, c); i >= 0 {
		r = s.RecencyBands[i].Points
	}
	if i := s.frequencyBand(t.n); i >= 0 {
		f = s.FrequencyBands[i].Points
	}
	g = t.gravity
	extra := float64(max(t.victims-1, 0))
	switch s.Combination {
	case Add:
		v = min(s.Victims.PerExtraVictim*extra, s.Victims.Max)
		total = r + f + g + v
	default:
		v = min(1+s.Victims.PerExtraVictim*extra, s.Victims.Max)
		total = (r + f + g) * v
	}
	return r, f, g, v, total
}

func (s *Strategy) recencyBand(day int, c *cutoffs) int {
	for i := range s.RecencyBands {
		if day >= c.recency[i] {
			return i
		}
	}
	return -1
}

func (s *Strategy) frequencyBand(n int) int {
	for i, b := range s.FrequencyBands {
		if n >= b.Min && (b.Max == 0 || n <= b.Max) {
			return i
		}
	}
	return -1
}

// Score scores one suspect on the incidents whose SuspectID is suspect,
// counting only those within the window before asOf (an incident exactly
// WindowMonths before asOf counts; one after asOf does not). Other
// suspects' incidents are ignored, so callers may pass an unfiltered
// list. A suspect with no incidents in the window scores 0. The strategy
// must be valid; Score never fails.
func (s *Strategy) Score(suspect string, incidents []Incident, asOf drive.Date) Score {
	c := s.cutoffs(asOf)
	var t tally
	var sc scratch
	for i := range incidents {
		inc := &incidents[i]
		if inc.SuspectID != suspect {
			continue
		}
		if d, ok := c.in(inc); ok {
			t.add(c, &sc, inc, d)
		}
	}
	s.finish(&t, &sc, c)
	return s.build(suspect, &t, c)
}

// build makes the Score with its reasons. It allocates, so Rank calls it
// only for the suspects it returns.
func (s *Strategy) build(suspect string, t *tally, c *cutoffs) Score {
	r, f, g, v, total := s.components(t, c)
	sc := Score{
		Suspect:         suspect,
		StrategyCode:    s.Code,
		StrategyVersion: s.Version,
		AsOf:            c.asOfDate,
		Recency:         r,
		Frequency:       f,
		Gravity:         g,
		Victims:         v,
		Total:           total,
		Incidents:       t.n,
		DistinctVictims: t.victims,
		LastIncident:    t.lastDate,
		Serial:          t.adults >= s.SerialMinVictims,
		Escalating:      t.recent > t.previous,
		MostSerious:     t.mostType,
	}
	if t.n == 0 {
		sc.Reasons = []string{fmt.Sprintf("No incidents in the %s before %s", months(s.WindowMonths), c.asOfDate.Display())}
		return sc
	}
	reasons := make([]string, 0, 7)
	if i := s.recencyBand(t.last, c); i >= 0 {
		b := s.RecencyBands[i]
		when := fmt.Sprintf("within %s", months(b.ToMonths))
		if b.FromMonths > 0 {
			when = fmt.Sprintf("%d to %s", b.FromMonths, months(b.ToMonths))
		}
		reasons = append(reasons, fmt.Sprintf("Most recent incident on %s, %s before %s (recency %s)",
			t.lastDate.Display(), when, c.asOfDate.Display(), points(r)))
	}
	crimes := ""
	if t.crimes > 0 {
		crimes = fmt.Sprintf(", %d recorded as crimes", t.crimes)
	}
	reasons = append(reasons, fmt.Sprintf("%s in the last %s%s (frequency %s)",
		plural(t.n, "incident"), months(s.WindowMonths), crimes, points(f)))
	if t.mostKnown {
		reasons = append(reasons, fmt.Sprintf("Most serious: %s on %s (gravity %s)",
			t.mostLabel, t.mostDate.Display(), points(g)))
	} else {
		reasons = append(reasons, fmt.Sprintf("Most serious: type %q, not in the gravity table, on %s (default gravity %s)",
			t.mostType, t.mostDate.Display(), points(g)))
	}
	if s.Combination == Add {
		reasons = append(reasons, fmt.Sprintf("%s (victims %s)", plural(t.victims, "different victim"), points(v)))
		reasons = append(reasons, fmt.Sprintf("Total %s + %s + %s + %s = %s", num(r), num(f), num(g), num(v), num(total)))
	} else {
		reasons = append(reasons, fmt.Sprintf("%s (victims multiplier ×%s)", plural(t.victims, "different victim"), num(v)))
		reasons = append(reasons, fmt.Sprintf("Total (%s + %s + %s) × %s = %s", num(r), num(f), num(g), num(v), num(total)))
	}
	if sc.Serial {
		reasons = append(reasons, fmt.Sprintf("Serial: %d different victims aged %d or over (or of unknown age) in the window",
			t.adults, s.SerialMinAge))
	}
	if sc.Escalating {
		reasons = append(reasons, fmt.Sprintf("Escalating: %s in the last 6 months against %d in the 6 months before",
			plural(t.recent, "incident"), t.previous))
	}
	sc.Reasons = reasons
	return sc
}

// Reduction returns the percentage by which a case's total fell between
// its entry and exit scores (negative when it rose), for the outcome
// measures. It returns false when the entry total is 0 or the two scores
// were made under different strategies or versions, since then no
// percentage means anything.
func Reduction(entry, exit Score) (float64, bool) {
	if entry.Total <= 0 || entry.StrategyCode != exit.StrategyCode || entry.StrategyVersion != exit.StrategyVersion {
		return 0, false
	}
	return (entry.Total - exit.Total) / entry.Total * 100, true
}

// dayNumber counts days since 1970-01-01 without going through time.Time,
// which keeps a ranking of millions of incidents cheap. Out-of-range
// fields are normalised as time.Date would.
func dayNumber(d drive.Date) int {
	y, m, day := d.Year, int(d.Month), d.Day
	if m < 1 || m > 12 {
		return int(d.Time().Unix() / 86400)
	}
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func points(x float64) string {
	if x == 1 {
		return "1 point"
	}
	return num(x) + " points"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func months(n int) string { return plural(n, "month") }
