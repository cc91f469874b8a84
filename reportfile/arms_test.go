package reportfile

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/pdf"
)

// armsReport is a report with a trial's two arms: one count shown, one
// share withheld.
func armsReport() *outcomes.Report {
	shown := outcomes.Measure{Name: "trial_referrals", Label: "Referrals allocated", Site: "all", Programme: "all", Numerator: 40, Value: 40,
		Unit: outcomes.UnitCount, Definition: "Referrals allocated to this arm."}
	hidden := outcomes.Measure{Name: "trial_repeat_marac_12m", Label: "Repeat MARAC", Site: "all", Programme: "all", Unit: outcomes.UnitPercent,
		Suppressed: true, Definition: "=SUM(A1) is not a formula here."}
	return &outcomes.Report{Arms: []outcomes.ArmFigures{
		{Arm: "intervention", Measures: []outcomes.Measure{shown, hidden}},
		{Arm: "comparison", Measures: []outcomes.Measure{shown, hidden}},
	}}
}

func TestArmsInCSV(t *testing.T) {
	out := CSV(armsReport())
	blocks := strings.Split(string(out), "\n\r\n") // a blank line between blocks, as for equality
	if len(blocks) != 2 {
		t.Fatalf("want the measures and the arms as two blocks, got %d:\n%s", len(blocks), out)
	}
	rows, err := csv.NewReader(strings.NewReader(blocks[1])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(ArmHeader, ",") || len(rows) != 5 {
		t.Fatalf("arm rows %v", rows)
	}
	if got := strings.Join(rows[1][:6], ","); got != "intervention,trial_referrals,40,,40,false" {
		t.Errorf("shown count row %q", got)
	}
	if got := strings.Join(rows[4][:6], ","); got != "comparison,trial_repeat_marac_12m,[c],[c],[c],true" {
		t.Errorf("withheld row %q", got)
	}
	if rows[2][7] != "'=SUM(A1) is not a formula here." {
		t.Errorf("definition not defused: %q", rows[2][7])
	}
	if bytes.Contains(CSV(&outcomes.Report{}), []byte("arm,measure")) {
		t.Error("a report without a trial has an arms block")
	}
}

func TestArmsInXLSX(t *testing.T) {
	b, err := XLSX(armsReport(), "Trial report")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Trial")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[1][0] != "intervention" || rows[1][3] != "40" || rows[4][3] != "[c]" || rows[4][5] != "[c]" {
		t.Errorf("Trial sheet %v", rows)
	}
	b, err = XLSX(&outcomes.Report{}, "No trial")
	if err != nil {
		t.Fatal(err)
	}
	f2, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if idx, _ := f2.GetSheetIndex("Trial"); idx != -1 {
		t.Error("a report without a trial has a Trial sheet")
	}
}

// TestArmsInHTMLAndPDF: both documents give each arm its own table, with
// withheld figures as "[c]", and define the trial's measures.
func TestArmsInHTMLAndPDF(t *testing.T) {
	html := string(HTML(armsReport(), "Trial report"))
	for _, want := range []string{"<h2>Trial: intervention against comparison</h2>", "<caption>Trial: intervention arm</caption>",
		"<caption>Trial: comparison arm</caption>", `<th scope="row">Repeat MARAC</th><td class="n">[c]</td>`,
		"Referrals allocated to this arm."} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(string(HTML(&outcomes.Report{}, "No trial")), "Trial:") {
		t.Error("HTML of a report without a trial has a trial section")
	}
	b, err := PDF(armsReport(), "Trial report", time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdf.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Trial: intervention against comparison", "Trial: intervention arm", "Trial: comparison arm", "Referrals allocated to this arm."} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
}
