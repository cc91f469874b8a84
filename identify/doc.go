package identify

import (
	"fmt"
	"strings"
)

// docCommand regenerates docs/identify.md; the test that keeps the file
// current names it.
const docCommand = "UPDATE_DOCS=1 go test ./identify/"

// Tables renders a strategy's settings as Markdown tables: the window and
// combination, the recency bands, the frequency bands, the gravity table
// and the victims and serial settings. Analysts read it to see exactly
// how a list was scored; docs/identify.md shows it for Default. The
// output is deterministic and never fails.
func (s *Strategy) Tables() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Strategy `%s`, version `%s`: %s.\n\n", s.Code, s.Version, s.Name)
	fmt.Fprintf(&b, "- Window: the %s up to and including the \"as of\" date.\n", months(s.WindowMonths))
	switch s.Combination {
	case Add:
		b.WriteString("- Combination: `add`, total = recency + frequency + gravity + victims.\n")
		fmt.Fprintf(&b, "- Victims: %s points for each different victim beyond the first, at most %s points.\n",
			num(s.Victims.PerExtraVictim), num(s.Victims.Max))
	default:
		b.WriteString("- Combination: `multiply`, total = (recency + frequency + gravity) × victims multiplier.\n")
		fmt.Fprintf(&b, "- Victims multiplier: 1, plus %s for each different victim beyond the first, at most %s.\n",
			num(s.Victims.PerExtraVictim), num(s.Victims.Max))
	}
	fmt.Fprintf(&b, "- Serial: %d or more different victims aged %d or over (or of unknown age) in the window.\n",
		s.SerialMinVictims, s.SerialMinAge)
	fmt.Fprintf(&b, "- Incident types not in the gravity table score %s.\n\n", points(s.DefaultGravity))

	b.WriteString("### Recency (the most recent incident)\n\n| Most recent incident | Points |\n|---|---|\n")
	for _, r := range s.RecencyBands {
		when := "within " + months(r.ToMonths)
		if r.FromMonths > 0 {
			when = fmt.Sprintf("%d to %s before", r.FromMonths, months(r.ToMonths))
		}
		fmt.Fprintf(&b, "| %s | %s |\n", when, num(r.Points))
	}
	b.WriteString("\n### Frequency (incidents in the window)\n\n| Incidents | Points |\n|---|---|\n")
	for _, f := range s.FrequencyBands {
		var n string
		switch {
		case f.Max == 0:
			n = fmt.Sprintf("%d or more", f.Min)
		case f.Max == f.Min:
			n = fmt.Sprint(f.Min)
		default:
			n = fmt.Sprintf("%d to %d", f.Min, f.Max)
		}
		fmt.Fprintf(&b, "| %s | %s |\n", n, num(f.Points))
	}
	b.WriteString("\n### Gravity (the most serious incident)\n\n| Type code | Incident type | Points |\n|---|---|---|\n")
	for _, g := range s.Gravity {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", g.Type, g.Label, num(g.Points))
	}
	fmt.Fprintf(&b, "| any other | Not in the table | %s |\n", num(s.DefaultGravity))
	return b.String()
}

// document is the whole of docs/identify.md: the prose for analysts
// around the default strategy's tables.
func document() string {
	d := Default()
	var b strings.Builder
	b.WriteString("# Identification scoring\n\n")
	fmt.Fprintf(&b, "<!-- The tables are generated from identify.Default() in identify/strategy.go. After changing either, run `%s` from the repository root and commit the result. -->\n\n", docCommand)
	b.WriteString(`Drive ranks the suspects in a force's domestic abuse records so that a site's panel can see who is
causing the most harm now, and refer them. Each suspect gets a score built from four parts:

- **Recency (R)**: how recently the suspect's latest incident happened. Recent incidents score more.
- **Frequency (F)**: how many incidents the suspect has in the window.
- **Gravity (G)**: how serious the suspect's most serious incident in the window was, from a table of
  incident and offence types.
- **Victims (V)**: how many different people the suspect has harmed in the window.

A higher score means more recent, more frequent, more serious abuse against more people. The score is
a way to order a long list for a panel to look at; it is not a risk assessment of any one person, and
the panel decides.

## What counts

- Only incidents in the **window** count: the months up to and including the "as of" date of the
  list. An incident exactly on the first day of the window (for a 36-month window ending on
  1 May 2025, an incident on 1 May 2022) counts; an incident the day before does not; incidents after
  the "as of" date never count.
- Months are calendar months counted back from the "as of" date. Counting back from a day a shorter
  month lacks (31 May back 3 months) runs on into the next month (2 March), as the calendar allows.
- Recency bands work the same way: an incident exactly 3 months back is in the "within 3 months" band;
  one a day earlier is in the next band.
- An incident with no date, or no suspect, is not scored.
- A suspect with no incidents in the window is not on the list.

## Flags

- **Serial**: the suspect has abused two or more different victims aged 16 or over within the window
  (both numbers are set in the strategy). A victim whose age is not recorded on any incident in the
  window is counted as an adult, so a missing age never hides a serial perpetrator; where ages differ
  between incidents, the highest recorded age is used. A victim under 16 is not counted towards the
  flag but still counts towards the victims part of the score.
- **Escalating**: the suspect has more incidents in the last 6 months than in the 6 months before
  those. It is shown beside the score; it does not change the score.

## The order of the list

Highest total first. Where totals are equal, the suspect with the more recent latest incident comes
first; where those are equal too, suspects are ordered by their person identifier, so the same data
always gives the same list. Each suspect's place is recorded as their rank.

### How often the list is ranked

` + "`drive serve`" + ` ranks a site's list once for each version of the police data and each day, and serves
it from memory between: the first view after an import (or a resolution, a ruling on who is who, a
MARAC list, matching across sites) or after midnight ranks the whole window again; every other view
is read from memory (about 0.08 ms against 1.4 s for 45,000 incidents, docs/benchmarks.md). The
version is a counter in the database (` + "`police_data_version`" + `) raised in the same transaction as every
change to incidents, police people and MARAC hearings, so a list is never older than the data the
server has committed, and each replica ranks once. Who may see the list is still decided, and every
view audited, on every request. The commands (` + "`drive identify`" + `) rank afresh each time.

### The list as a spreadsheet

"Download this list as a spreadsheet (CSV)" on the list (` + "`/identify.csv?site=N`" + `, with
` + "`&serial=1`" + ` when the page shows serial suspects only) gives the page's suspects in rank order
with each score's parts (recency, frequency, gravity, victims), incidents and distinct
victims in the window, the last incident, the serial, escalating, confirmed and other-site
flags, MARAC hearings and the reasons. No victim is named in it. Names from police extracts
that a spreadsheet would read as a formula are defused with an apostrophe; the download is
audited as a list (` + "`record.list`" + `, "list downloaded: N rows") and served no-store. It answers
exactly those the page answers.

### Referring from the list

The site's analysts, team leaders and panel coordinators refer a suspect from the list with
"Refer to panel" on their row. It asks first ("Refer Lee Marsh to the panel?") and refers no one
until "Yes, refer to the panel" is chosen. The referral is a new case from the police
identification list, with their rank, score and reasons as its evidence and the score kept as the
case's entry score; it waits with the site's other referrals (the team leader's "Referrals and
unallocated cases") for the panel to decide. A team leader or panel coordinator goes on to the new
case; an analyst comes back to the list, with a banner saying the referral was made.

Referring from the list is a right of its own in the access policy (` + "`list_referral`" + `, see
[access-policy.md](access-policy.md)): an analyst may refer someone on the list and nothing more, and
still cannot make any other referral, decide, allocate or change a case. Someone already referred from
the list is marked "Referred" on it, in place of the button, and the list says how many of the
people on it have been referred from it.

## Every score explains itself

Each score records the strategy code and version it was made under, the "as of" date, each part
(recency, frequency, gravity and victims) and the total, the number of incidents and of different
victims, the date of the latest incident, the type of the most serious incident, and plain-English
reasons, for example:

- Most recent incident on 3 March 2025, within 3 months before 1 May 2025 (recency 10 points)
- 4 incidents in the last 36 months, 3 recorded as crimes (frequency 5 points)
- Most serious: Assault occasioning actual bodily harm on 3 March 2025 (gravity 5 points)
- 2 different victims (victims multiplier ×1.5)
- Total (10 + 5 + 5) × 1.5 = 30

Because scores record their strategy version, a score made under one version is never compared with
a score made under another. The reduction between a case's entry and exit scores is only worked out
when both were made under the same strategy and version, and the entry score is above zero.

## Why incidents are one man

The record linker (docs/linkage.md) decides which incidents name the same suspect, from his given
name, family name, date of birth and postcode; never from anything about a victim. Each import keeps
the model it learned for the site's suspects (the weight of each level of agreement of each field, the
starting odds and the threshold: numbers only, no names), and the suspect's page uses it to show why
two of his incidents were put together:

- By default, his **weakest link**: of his newest 60 incidents, the one least like any other of his,
  with the one most like it. This is the pair to check first when deciding whether the linker has
  joined two men.
- Any other pair the analyst picks under **Explain another pair**.

The explanation is a table, as a waterfall: the starting odds that two incidents picked at random are
one man, then each field with its values as written, how they compare (exact, close spelling, one
digit differs, missing...) and its weight in bits (each bit doubles the odds; a negative weight is
evidence of two men), with a running total down to the pair's match weight and match probability.
Below it the same evidence in words: for, against and neither, strongest first, and whether the pair
links on its own or only through his other incidents (or an analyst's decision). His postcode is
compared but shown only as "Not shown": it may be the home he shared with a victim. The weights are
those of the last import without the adjustment for how common an exactly matching name is, so the
total can differ a little from the one the linker used then. Before a site's first import since
models were kept, the page says the explanation shows after the next one. Every view is audited as a
read of the suspect.

## The default strategy

Police forces score on recency, frequency, gravity and victims with their own point tables, which
differ and are not published. Drive's default below is a **documented default, not any force's
matrix**: its point values are plausible starting figures for a site to replace with its force's own.
Incident type codes must match the codes in the force's extract.

`)
	b.WriteString(d.Tables())
	b.WriteString(`
## Changing the strategy

A site's strategy is one JSON file. To change it:

1. Start from the default (its JSON form is shown below) or from your force's current file.
2. Give it a new ` + "`version`" + ` whenever any number changes, so that old and new scores are never
   mixed up. Keep the ` + "`code`" + ` unless it is a different scheme altogether.
3. Set the window (12 to 120 months), the bands, the gravity table and the victims settings. Recency
   bands must run from 0 months to the window with no gap or overlap, most recent first. Frequency
   bands must start at 1 incident, follow on with no gap or overlap, and the last one has no upper
   limit (` + "`\"max\": 0`" + `). Every points value must be above zero.
4. Set ` + "`combination`" + ` to ` + "`multiply`" + ` (total = (R + F + G) × V, where V starts at 1) or
   ` + "`add`" + ` (total = R + F + G + V, where V is points for each victim beyond the first).
5. Load it. A file with a problem is refused as a whole, with a message for each setting to fix;
   Drive never scores with half a strategy.

The default strategy as a file:

` + "```json\n")
	b.Write(d.JSON())
	b.WriteString("\n```\n")
	return b.String()
}
