package evaluation

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// Dates in the dictionary's words: every period column is a month
// ("2026-03") unless the release note says it was widened.
const (
	periodNote = "Month (YYYY-MM); widened to a quarter (YYYY-Qn) or year, or 'suppressed', for people in small groups (see release.txt)"
	pseudoNote = "Pseudonym, stable within this project only"
)

// columns is the data dictionary: every column an extract may hold and
// what it means. A column not listed here is never written.
var columns = map[string][]Column{
	"cases": {
		{"case_id", pseudoNote},
		{"perpetrator_id", pseudoNote + "; joins perpetrators"},
		{"site", "Site code"},
		{"programme", "Programme code: drive or restart"},
		{"state", "Case state: referred, allocated, active, closed ..."},
		{"referred", "Period of referral. " + periodNote},
		{"allocated", "Allocation period (blank if never allocated)"},
		{"closed", "Closure period (blank while open)"},
		{"days_referral_to_allocation", "Days from referral to allocation"},
		{"days_allocation_to_closure", "Days from allocation to closure"},
		{"engagement", "Engagement code"},
		{"closure_reason", "Closure reason code; rare reasons merged into other_or_not_known"},
		{"case_manager_id", "Pseudonym of the case manager (for caseload measures)"},
		{"victim_survivors", "Number of linked victim-survivors"},
		{"children", "Number of children recorded"},
	},
	"perpetrators": {
		{"perpetrator_id", pseudoNote},
		{"site", "Site code of the first case in the period"},
		{"age_band", "Age band at first referral: under_18, 18_24 ... 65_plus, or wider bands where needed"},
		{"sex", "Sex/gender code; rare codes merged into other_or_not_known"},
		{"ethnicity", "Ethnicity code; rare codes merged into other_or_not_known"},
		{"referred", "Period of first referral"},
		{"disability", "Disability code; rare codes merged"},
	},
	"victim_survivors": {
		{"victim_id", pseudoNote},
		{"case_id", "The perpetrator's case the victim-survivor is linked to"},
		{"site", "Site code"},
		{"age_band", "Age band at the case's referral"},
		{"sex", "Sex/gender code; rare codes merged"},
		{"ethnicity", "Ethnicity code; rare codes merged"},
		{"referred", "Period of the case's referral"},
		{"idva_allocated", "yes if an IDVA is allocated"},
		{"living_together", "yes if the victim-survivor lives with the perpetrator (no address is ever extracted)"},
	},
	"children": {
		{"child_id", pseudoNote},
		{"victim_id", "The victim-survivor the child is recorded with"},
		{"case_id", "The perpetrator's case"},
		{"site", "Site code"},
		{"age_band", "Age band at the case's referral"},
		{"referred", "Period of the case's referral"},
		{"relationship", "Whose child: both, victim, perpetrator"},
		{"social_care", "Children's social care involvement code"},
	},
	"assessments": {
		{"case_id", pseudoNote},
		{"victim_id", "Victim-survivor the assessment is about (blank for scheduled assessments)"},
		{"kind", "behaviour (IDVA-reported use of abuse), dash (DASH risk score) or scheduled (a programme assessment due)"},
		{"time_point", "Programme time point: T1, T2, T3 ..."},
		{"period", "Period assessed (or due, for scheduled)"},
		{"days_from_allocation", "Days from allocation"},
		{"physical", "Behaviour: yes, no or not_known"},
		{"sexual", "Behaviour: yes, no or not_known"},
		{"stalking", "Behaviour: harassment and stalking, yes, no or not_known"},
		{"controlling", "Behaviour: jealous and controlling, yes, no or not_known"},
		{"risk_change", "IDVA's risk-change rating at exit"},
		{"dash_score", "DASH score (0-24)"},
		{"dash_band", "DASH band code"},
		{"done", "Scheduled: yes if done"},
	},
	"actions": {
		{"case_id", pseudoNote},
		{"prong", "disrupt, change or support"},
		{"status", "Action status code"},
		{"due", "Period due"},
		{"completed", "Period completed"},
		{"days_allocation_to_due", "Days from allocation to due"},
		{"days_allocation_to_completed", "Days from allocation to completion"},
	},
	"contacts": {
		{"case_id", pseudoNote},
		{"kind", "attempt, contact, one_to_one or partner_agency (no summary or method)"},
		{"period", "Period of the contact"},
		{"days_from_allocation", "Days from allocation"},
	},
	"police_incidents": {
		{"case_id", pseudoNote},
		{"period", "Period of the police-recorded domestic abuse incident"},
		{"days_from_referral", "Days from referral (negative before)"},
		{"days_from_allocation", "Days from allocation (blank if never allocated)"},
		{"days_from_closure", "Days from closure (blank while open)"},
	},
	"marac_hearings": {
		{"case_id", pseudoNote},
		{"period", "Period of the MARAC hearing of a linked victim-survivor"},
		{"days_from_referral", "Days from referral"},
		{"days_from_closure", "Days from closure (blank while open)"},
	},
	"meetings": {
		{"meeting_id", pseudoNote},
		{"site", "Site code"},
		{"kind", "Meeting kind: drive_panel, marac or matac"},
		{"state", "draft, published, held or cancelled"},
		{"period", "Month held"},
		{"cases_heard", "Cases in this extract heard at the meeting"},
	},
	"meeting_items": {
		{"meeting_id", pseudoNote},
		{"case_id", pseudoNote},
		{"decision", "Decision code (no reasons or discussion)"},
		{"repeat", "yes if flagged a repeat"},
		{"children", "yes if children are in the household"},
	},
}

// Dictionary returns the data dictionary of the given tables (meetings
// brings meeting_items), in extract order: one row per column.
func Dictionary(tables []string) [][]string {
	rows := [][]string{{"table", "column", "meaning"}}
	for _, t := range tables {
		names := []string{t}
		if t == "meetings" {
			names = append(names, "meeting_items")
		}
		for _, n := range names {
			for _, c := range columns[n] {
				rows = append(rows, []string{n, c.Name, c.Meaning})
			}
		}
	}
	return rows
}

// WriteZip writes the extract as a zip: one CSV per table, the data
// dictionary, and release.txt saying what the release check found and what
// was generalised. Times in the zip are the day it was made, so the file
// carries nothing finer. Errors: EINTERNAL when w fails.
func (e *Extract) WriteZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	mod := time.Date(e.MadeOn.Year, e.MadeOn.Month, e.MadeOn.Day, 0, 0, 0, 0, time.UTC)
	file := func(name string, write func(io.Writer) error) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return err
		}
		return write(f)
	}
	csvFile := func(name string, rows [][]string) error {
		return file(name, func(f io.Writer) error {
			cw := csv.NewWriter(f)
			if err := cw.WriteAll(rows); err != nil {
				return err
			}
			return cw.Error()
		})
	}
	var names []string
	for _, t := range e.Tables {
		header := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			header[i] = c.Name
		}
		if err := csvFile(t.Name+".csv", append([][]string{header}, t.Rows...)); err != nil {
			return drive.Wrap(err, drive.EINTERNAL, "could not write the extract")
		}
		if t.Name != "meeting_items" {
			names = append(names, t.Name)
		}
	}
	if err := csvFile("data_dictionary.csv", Dictionary(names)); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "could not write the extract")
	}
	if err := file("release.txt", func(f io.Writer) error {
		_, err := io.WriteString(f, e.ReleaseNote())
		return err
	}); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "could not write the extract")
	}
	if err := zw.Close(); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "could not write the extract")
	}
	return nil
}

// ReleaseNote says, in words, what the extract holds and what the
// re-identification check found.
func (e *Extract) ReleaseNote() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Project: %s\nMade on: %s\nThreshold k: %d\n", e.Project, e.MadeOn, e.Threshold)
	var tables []string
	for t := range e.Checks {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		r := e.Checks[t]
		fmt.Fprintf(&b, "%s: %d groups, smallest group %d, %d records in groups below k\n", t, r.Groups, r.Smallest, r.Below)
	}
	if e.Pass() {
		b.WriteString("Every group of quasi-identifiers (age band, sex, ethnicity, site, period) holds at least k people.\n")
	} else {
		b.WriteString("Some groups hold fewer than k people: released only on a data protection officer's recorded override.\n")
	}
	if len(e.Steps) > 0 {
		b.WriteString("Generalised:\n")
		for _, s := range e.Steps {
			b.WriteString("- " + s + "\n")
		}
	}
	return b.String()
}
