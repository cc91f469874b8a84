package evaluation

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/risk"
)

// syntheticSource builds n cases at sites 1 and 2 and one at site 3 (not in
// the project), with victims, children, contacts, incidents and a meeting.
// Ages and ethnicities vary enough that some groups are small.
func syntheticSource(n int) Source {
	var src Source
	ethnicities := []string{"white_british", "white_british", "asian_pakistani", "black_caribbean", "mixed_other"}
	for i := 1; i <= n+1; i++ {
		site, code := int64(1+i%2), fmt.Sprintf("S%d", 1+i%2)
		if i == n+1 {
			site, code = 3, "S3"
		}
		ref := drive.MustDate("2025-04-03").AddDays(i * 5)
		c := SourceCase{PersonID: int64(1000 + i/3*3), CaseFacts: outcomes.CaseFacts{
			CaseID: int64(i), SiteID: site, SiteCode: code, Programme: "drive", State: "active",
			ReferredOn: ref, AllocatedOn: ref.AddDays(9), CaseManagerID: int64(50 + i%4),
			Perpetrator: outcomes.Equality{Sex: "male", Ethnicity: ethnicities[i%len(ethnicities)],
				DateOfBirth: drive.MustDate("1980-02-11").AddDays(-i * 97)},
			Victims: []outcomes.VictimFacts{{ID: int64(5000 + i), IDVA: i%3 == 0,
				Equality: outcomes.Equality{Sex: "female", Ethnicity: "white_british", DateOfBirth: drive.MustDate("1985-06-01").AddDays(i * 31)}}},
			PoliceIncidents: []drive.Date{ref.AddDays(-40), ref.AddDays(200)},
			MARACHearings:   []drive.Date{ref.AddDays(-10)},
			Behaviour: []risk.BehaviourAssessment{{VictimID: int64(5000 + i), CaseID: int64(i), TimePoint: "T1",
				Physical: risk.Used, Sexual: risk.NotUsed, Stalking: risk.Used, Controlling: risk.Used, AssessedOn: ref.AddDays(12)}},
			DASH:     []outcomes.DASHScore{{VictimID: int64(5000 + i), TimePoint: "T1", Score: 14, Band: "high", On: ref.AddDays(3)}},
			Actions:  []outcomes.ActionFacts{{Prong: "disrupt", Status: "done", DueOn: ref.AddDays(30), CompletedOn: ref.AddDays(28)}},
			Children: 1,
		}}
		src.Cases = append(src.Cases, c)
		src.Children = append(src.Children, ChildFacts{ID: int64(9000 + i), VictimID: int64(5000 + i), CaseID: int64(i),
			DateOfBirth: drive.MustDate("2016-01-01").AddDays(i * 40), Relationship: "both", SocialCare: "child_in_need"})
		src.Contacts = append(src.Contacts, ContactFacts{ID: int64(i), CaseID: int64(i), Kind: "one_to_one", On: ref.AddDays(20)})
	}
	src.Meetings = []MeetingFacts{{ID: 1, SiteCode: "S1", Kind: "drive_panel", State: "held", HeldOn: drive.MustDate("2025-06-10"),
		Items: []MeetingItemFacts{{CaseID: 2, Decision: "accept"}, {CaseID: int64(n + 1), Decision: "accept"}}}}
	return src
}

func extractProject() *Project {
	p := validProject()
	p.State = StateApproved
	p.Tables = Tables()
	p.From, p.To = drive.MustDate("2025-04-01"), drive.MustDate("2026-03-31")
	return &p
}

func TestBuildExtract(t *testing.T) {
	ps, _ := NewPseudonymiser(bytes.Repeat([]byte{7}, SecretSize))
	src := syntheticSource(120)
	e, err := Build(extractProject(), ps, src, today)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Table{}
	for _, tb := range e.Tables {
		byName[tb.Name] = tb
		for _, row := range tb.Rows {
			if len(row) != len(tb.Columns) {
				t.Fatalf("%s: row of %d fields for %d columns", tb.Name, len(row), len(tb.Columns))
			}
		}
	}
	for _, name := range append(Tables(), "meeting_items") {
		if _, ok := byName[name]; !ok {
			t.Errorf("table %s missing", name)
		}
	}
	if got := len(byName["cases"].Rows); got != 120 {
		t.Errorf("cases: %d rows, want 120 (the case at a site outside the project must be left out)", got)
	}
	if got := len(byName["meeting_items"].Rows); got != 1 {
		t.Errorf("meeting_items: %d rows, want 1 (the case outside the project is not heard here)", got)
	}
	// No full date anywhere; periods are months, quarters, years or suppressed.
	full := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	for _, tb := range e.Tables {
		for _, row := range tb.Rows {
			for _, v := range row {
				if full.MatchString(v) {
					t.Fatalf("%s holds a full date %q", tb.Name, v)
				}
			}
		}
	}
	// The check is what an evaluator would find: group the perpetrators
	// table by its quasi-identifiers.
	if !e.Pass() {
		t.Fatalf("extract does not pass k=%d: %+v", e.Threshold, e.Checks)
	}
	groups := map[string]int{}
	for _, row := range byName["perpetrators"].Rows {
		groups[strings.Join(row[1:6], "|")]++
	}
	for g, n := range groups {
		if n < e.Threshold {
			t.Errorf("perpetrators group %s holds %d people, below k=%d", g, n, e.Threshold)
		}
	}
	if e.Smallest() < e.Threshold {
		t.Errorf("smallest group %d below k", e.Smallest())
	}
	// A case's dates are coarsened to its perpetrator's level.
	level := map[string]string{}
	for _, row := range byName["perpetrators"].Rows {
		level[row[0]] = row[5]
	}
	site := map[string]string{}
	for _, row := range byName["perpetrators"].Rows {
		site[row[0]] = row[1]
	}
	for _, row := range byName["cases"].Rows {
		if row[2] != site[row[1]] {
			t.Fatalf("case %s shows site %q, but its perpetrator's row shows %q", row[0], row[2], site[row[1]])
		}
		lv := level[row[1]]
		if shape(row[5]) != shape(lv) || (row[6] != "" && shape(row[6]) != shape(lv)) {
			t.Fatalf("case %s: referred %q allocated %q, but the perpetrator's period is %q", row[0], row[5], row[6], lv)
		}
	}
	// Pseudonyms: the same in two builds, different under another secret.
	again, _ := Build(extractProject(), ps, syntheticSource(120), today)
	other, _ := NewPseudonymiser(bytes.Repeat([]byte{8}, SecretSize))
	third, _ := Build(extractProject(), other, syntheticSource(120), today)
	if again.Tables[0].Rows[0][0] != e.Tables[0].Rows[0][0] {
		t.Error("pseudonyms differ between two extracts of one project")
	}
	if third.Tables[0].Rows[0][0] == e.Tables[0].Rows[0][0] {
		t.Error("two projects share a pseudonym")
	}
}

func shape(p string) string {
	switch {
	case p == Suppressed:
		return "s"
	case strings.Contains(p, "-Q"):
		return "q"
	case len(p) == 4:
		return "y"
	}
	return "m"
}

func TestBuildOnlyGrantedTablesAndUsable(t *testing.T) {
	ps, _ := NewPseudonymiser(bytes.Repeat([]byte{7}, SecretSize))
	p := extractProject()
	p.Tables = []string{"cases", "police_incidents"}
	e, err := Build(p, ps, syntheticSource(30), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Tables) != 2 || e.Tables[0].Name != "cases" || e.Tables[1].Name != "police_incidents" {
		t.Fatalf("tables %v, want cases and police_incidents", e.Tables)
	}
	if len(e.Checks) != 0 {
		t.Errorf("checks %v for tables of no people", e.Checks)
	}
	p.State = StateDraft
	if _, err := Build(p, ps, syntheticSource(3), today); drive.ErrorCode(err) != drive.ECONFLICT {
		t.Errorf("draft project: %v, want ECONFLICT", err)
	}
}

func TestExtractZip(t *testing.T) {
	ps, _ := NewPseudonymiser(bytes.Repeat([]byte{7}, SecretSize))
	e, err := Build(extractProject(), ps, syntheticSource(60), today)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasSuffix(f.Name, ".csv") {
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			files[f.Name] = rows
		} else if f.Name != "release.txt" || !strings.Contains(string(b), "smallest group") {
			t.Errorf("unexpected file %s: %q", f.Name, b)
		}
	}
	described := map[string]bool{}
	for _, row := range files["data_dictionary.csv"][1:] {
		described[row[0]+"."+row[1]] = true
	}
	for name, rows := range files {
		if name == "data_dictionary.csv" {
			continue
		}
		for _, col := range rows[0] {
			if !described[strings.TrimSuffix(name, ".csv")+"."+col] {
				t.Errorf("%s column %s is not in the data dictionary", name, col)
			}
		}
	}
	if len(files) != len(Tables())+2 {
		t.Errorf("zip holds %d CSVs, want %d", len(files), len(Tables())+2)
	}
}
