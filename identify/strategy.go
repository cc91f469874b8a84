// Package identify scores suspects of domestic abuse on the recency,
// frequency and gravity of their incidents and the number of their victims
// (RFGV), and ranks them, so that a site's panel sees who the police
// records say is causing the most harm now.
//
// Forces score differently and their matrices are not public, so the
// scoring is a Strategy held as data: the window, the recency and
// frequency bands, a gravity table per incident type, the victims
// multiplier and how the parts combine. Every Score records the strategy
// code and version it was made under and each of its components, so a
// score can always be explained and reproduced.
//
// The package is pure: no storage, no clock, no randomness. Callers pass
// the date the scores are "as of".
package identify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// Combinations: how the recency (R), frequency (F), gravity (G) and
// victims (V) components make the total.
const (
	// Multiply: total = (R + F + G) × V, where V is a multiplier of at
	// least 1 that grows with each distinct victim beyond the first.
	Multiply = "multiply"
	// Add: total = R + F + G + V, where V is points for each distinct
	// victim beyond the first.
	Add = "add"
)

// Limits on a strategy file, so that a bad file is refused rather than
// slowing every ranking down.
const (
	maxStrategyBytes = 1 << 20
	maxBands         = 24
	maxGravityTypes  = 500
	maxWindowMonths  = 120
	minWindowMonths  = 12 // escalation compares the last 12 months
	maxPoints        = 1e6
	maxCodeLength    = 64
	maxNameText      = 200
	maxLabelText     = 200
	maxDescription   = 4000
)

// RecencyBand gives points when the suspect's most recent incident falls
// between FromMonths and ToMonths before the "as of" date. An incident on
// the day exactly ToMonths before is inside the band; one exactly
// FromMonths before belongs to the band before it (the more recent one).
type RecencyBand struct {
	FromMonths int     `json:"from_months"`
	ToMonths   int     `json:"to_months"`
	Points     float64 `json:"points"`
}

// FrequencyBand gives points when the number of incidents in the window
// is between Min and Max inclusive. Max 0 means no upper limit and is
// allowed only on the last band.
type FrequencyBand struct {
	Min    int     `json:"min"`
	Max    int     `json:"max"`
	Points float64 `json:"points"`
}

// GravityType is one row of the gravity table: an incident or offence
// type code as the force's extract records it, a label for people, and
// its points.
type GravityType struct {
	Type   string  `json:"type"`
	Label  string  `json:"label"`
	Points float64 `json:"points"`
}

// Victims says how distinct victims weigh. Under Multiply the component is
// 1 + PerExtraVictim × (victims − 1); under Add it is PerExtraVictim ×
// (victims − 1) points. Either way it is capped at Max.
type Victims struct {
	PerExtraVictim float64 `json:"per_extra_victim"`
	Max            float64 `json:"max"`
}

// Strategy is one versioned identification scoring strategy. Drive ships
// Default; a site replaces it with its force's matrix by loading its own
// strategy file with Parse. A Strategy is read-only once validated and
// safe to share between goroutines.
type Strategy struct {
	Code        string `json:"code"`
	Version     string `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// WindowMonths is how far back incidents count. An incident exactly
	// WindowMonths before the "as of" date counts; incidents after it do
	// not.
	WindowMonths int `json:"window_months"`
	// RecencyBands cover 0 to WindowMonths, most recent first, with no
	// gap or overlap.
	RecencyBands []RecencyBand `json:"recency_bands"`
	// FrequencyBands cover every count from 1 upwards, lowest first.
	FrequencyBands []FrequencyBand `json:"frequency_bands"`
	// Gravity is the table of incident types; DefaultGravity scores a
	// type not in it.
	Gravity        []GravityType `json:"gravity"`
	DefaultGravity float64       `json:"default_gravity"`
	Victims        Victims       `json:"victims"`
	// SerialMinVictims distinct victims aged SerialMinAge or over within
	// the window make a suspect serial.
	SerialMinVictims int `json:"serial_min_victims"`
	SerialMinAge     int `json:"serial_min_age"`
	// Combination is Multiply or Add.
	Combination string `json:"combination"`
}

// Default returns Drive's default strategy: a 36-month window, recency and
// frequency bands, and a gravity table covering the common domestic abuse
// incident types. The point values are a documented default for a force
// to replace with its own matrix; they are not any force's published
// figures. It returns a new value each call, so callers may change it.
func Default() *Strategy {
	return &Strategy{
		Code:    "drive-rfgv",
		Version: "1",
		Name:    "Drive default RFGV",
		Description: "Recency, frequency, gravity and victims over 36 months. " +
			"A documented default: replace the points with your force's matrix.",
		WindowMonths: 36,
		RecencyBands: []RecencyBand{
			{0, 3, 10},
			{3, 6, 8},
			{6, 12, 6},
			{12, 24, 3},
			{24, 36, 1},
		},
		FrequencyBands: []FrequencyBand{
			{1, 1, 1},
			{2, 2, 3},
			{3, 4, 5},
			{5, 7, 8},
			{8, 0, 10},
		},
		Gravity: []GravityType{
			{"non_crime", "Non-crime domestic incident", 1},
			{"criminal_damage", "Criminal damage", 2},
			{"breach", "Breach of a protective order or bail", 3},
			{"harassment", "Harassment", 3},
			{"common_assault", "Common assault or battery", 3},
			{"abh", "Assault occasioning actual bodily harm", 5},
			{"stalking", "Stalking", 5},
			{"coercive_control", "Controlling or coercive behaviour", 5},
			{"threats_to_kill", "Threats to kill", 6},
			{"strangulation", "Non-fatal strangulation or suffocation", 7},
			{"sexual_offence", "Sexual offence other than rape", 7},
			{"gbh", "Grievous bodily harm or wounding", 8},
			{"rape", "Rape", 9},
			{"attempted_murder", "Attempted murder", 10},
			{"homicide", "Homicide", 10},
		},
		DefaultGravity:   2,
		Victims:          Victims{PerExtraVictim: 0.5, Max: 3},
		SerialMinVictims: 2,
		SerialMinAge:     16,
		Combination:      Multiply,
	}
}

// Validate checks that the strategy can score every suspect one way: the
// code and version are well formed, the recency bands run from 0 to the
// window and the frequency bands from 1 upwards with no gap or overlap,
// every point value is positive and finite, gravity types are unique, and
// the combination is known. Errors: EINVALID with one entry per field to
// fix.
func (s *Strategy) Validate() error {
	f := map[string]string{}
	if !validCode(s.Code) {
		f["code"] = "Give the strategy a code of lower-case letters, digits, dashes or underscores"
	}
	if !validVersion(s.Version) {
		f["version"] = "Give the version as letters, digits, dots, dashes or underscores, such as 2"
	}
	switch {
	case strings.TrimSpace(s.Name) == "":
		f["name"] = "Give the strategy a name"
	case utf8.RuneCountInString(s.Name) > maxNameText:
		f["name"] = fmt.Sprintf("Keep the name to %d characters", maxNameText)
	}
	if utf8.RuneCountInString(s.Description) > maxDescription {
		f["description"] = fmt.Sprintf("Keep the description to %d characters", maxDescription)
	}
	windowOK := s.WindowMonths >= minWindowMonths && s.WindowMonths <= maxWindowMonths
	if !windowOK {
		f["window_months"] = fmt.Sprintf("Give a window of %d to %d months", minWindowMonths, maxWindowMonths)
	}

	switch {
	case len(s.RecencyBands) == 0:
		f["recency_bands"] = "Give at least one recency band"
	case len(s.RecencyBands) > maxBands:
		f["recency_bands"] = fmt.Sprintf("Give at most %d recency bands", maxBands)
	default:
		from := 0
		for i, b := range s.RecencyBands {
			key := fmt.Sprintf("recency_bands[%d]", i)
			switch {
			case b.FromMonths != from:
				f[key+".from_months"] = fmt.Sprintf("Start this band at %d months, where the band before ends, so there is no gap or overlap", from)
			case b.ToMonths <= b.FromMonths:
				f[key+".to_months"] = "End the band after it starts"
			}
			if !validPoints(b.Points) {
				f[key+".points"] = "Give a positive number of points"
			}
			from = b.ToMonths
		}
		if windowOK && from != s.WindowMonths {
			f["recency_bands"] = fmt.Sprintf("The last recency band must end at the window, %d months", s.WindowMonths)
		}
	}

	switch {
	case len(s.FrequencyBands) == 0:
		f["frequency_bands"] = "Give at least one frequency band"
	case len(s.FrequencyBands) > maxBands:
		f["frequency_bands"] = fmt.Sprintf("Give at most %d frequency bands", maxBands)
	default:
		next := 1
		last := len(s.FrequencyBands) - 1
		for i, b := range s.FrequencyBands {
			key := fmt.Sprintf("frequency_bands[%d]", i)
			switch {
			case b.Min != next:
				f[key+".min"] = fmt.Sprintf("Start this band at %d incidents, one more than the band before ends, so there is no gap or overlap", next)
			case b.Max == 0 && i != last:
				f[key+".max"] = "Only the last band may have no upper limit (max 0)"
			case b.Max != 0 && b.Max < b.Min:
				f[key+".max"] = "End the band at or after its minimum"
			case i == last && b.Max != 0:
				f[key+".max"] = "Give the last band no upper limit (max 0), so every count has points"
			}
			if !validPoints(b.Points) {
				f[key+".points"] = "Give a positive number of points"
			}
			if b.Max > 0 {
				next = b.Max + 1
			}
		}
	}

	if len(s.Gravity) > maxGravityTypes {
		f["gravity"] = fmt.Sprintf("Give at most %d incident types", maxGravityTypes)
	} else {
		seen := make(map[string]bool, len(s.Gravity))
		for i, g := range s.Gravity {
			key := fmt.Sprintf("gravity[%d]", i)
			switch {
			case !validCode(g.Type):
				f[key+".type"] = "Give the incident type code as lower-case letters, digits, dashes or underscores"
			case seen[g.Type]:
				f[key+".type"] = fmt.Sprintf("The type %q is listed twice: give each type once", g.Type)
			}
			seen[g.Type] = true
			switch {
			case strings.TrimSpace(g.Label) == "":
				f[key+".label"] = "Give the incident type a label"
			case utf8.RuneCountInString(g.Label) > maxLabelText || strings.Contains(g.Label, "|"):
				f[key+".label"] = fmt.Sprintf("Keep the label to %d characters, without |", maxLabelText)
			}
			if !validPoints(g.Points) {
				f[key+".points"] = "Give a positive number of points"
			}
		}
	}
	if !validPoints(s.DefaultGravity) {
		f["default_gravity"] = "Give a positive number of points for incident types not in the table"
	}

	if !validPoints(s.Victims.PerExtraVictim) {
		f["victims.per_extra_victim"] = "Give a positive weight for each victim beyond the first"
	}
	switch {
	case !validPoints(s.Victims.Max):
		f["victims.max"] = "Give a positive cap on the victims component"
	case s.Combination == Multiply && s.Victims.Max < 1:
		f["victims.max"] = "A multiplier cap must be at least 1"
	}
	if s.SerialMinVictims < 2 || s.SerialMinVictims > 100 {
		f["serial_min_victims"] = "Give the number of distinct victims that makes a suspect serial, from 2 to 100"
	}
	if s.SerialMinAge < 0 || s.SerialMinAge > 25 {
		f["serial_min_age"] = "Give the minimum victim age for the serial flag, from 0 to 25"
	}
	if s.Combination != Multiply && s.Combination != Add {
		f["combination"] = fmt.Sprintf("Give the combination as %q or %q", Multiply, Add)
	}
	if len(f) > 0 {
		return drive.Invalid("The identification strategy has problems to fix", f)
	}
	return nil
}

// Parse reads a strategy file (JSON, one strategy) and validates it. A
// missing window_months means 36. Unknown fields are refused, so a
// misspelt setting is not silently ignored. Errors: EINVALID when the file
// is too large, not JSON, or fails Validate.
func Parse(data []byte) (*Strategy, error) {
	if len(data) > maxStrategyBytes {
		return nil, drive.Errorf(drive.EINVALID, "The strategy file is larger than %d bytes", maxStrategyBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Strategy
	if err := dec.Decode(&s); err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The strategy file is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, drive.Errorf(drive.EINVALID, "The strategy file has more after the strategy")
	}
	if s.WindowMonths == 0 {
		s.WindowMonths = 36
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// JSON returns the strategy as indented JSON that Parse reads back
// unchanged; it is the strategy file format.
func (s *Strategy) JSON() []byte {
	// Strings, ints, finite floats and slices cannot fail to marshal;
	// Validate refuses infinities and NaN.
	b, _ := json.MarshalIndent(s, "", "  ")
	return b
}

// gravityLookup maps type codes to points. It is built per call rather
// than cached on the Strategy so that a shared Strategy has no hidden
// mutable state.
func (s *Strategy) gravityLookup() map[string]GravityType {
	m := make(map[string]GravityType, len(s.Gravity))
	for _, g := range s.Gravity {
		m[g.Type] = g
	}
	return m
}

// GravityOf returns the points and label for an incident type, and false
// when the type is not in the table and DefaultGravity applies. It never
// fails.
func (s *Strategy) GravityOf(typ string) (points float64, label string, known bool) {
	for _, g := range s.Gravity {
		if g.Type == typ {
			return g.Points, g.Label, true
		}
	}
	return s.DefaultGravity, typ, false
}

func validPoints(p float64) bool {
	return p > 0 && p <= maxPoints && !math.IsNaN(p) && !math.IsInf(p, 0)
}

func validCode(s string) bool {
	if s == "" || len(s) > maxCodeLength {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func validVersion(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
