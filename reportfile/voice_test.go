package reportfile

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/pdf"
)

// voiceReport is a report carrying her own measures: one shown, one
// withheld.
func voiceReport() *outcomes.Report {
	return &outcomes.Report{Voice: []outcomes.VoiceMeasure{
		{Code: "physical_stopped", Label: "She reports physical abuse stopped", Yes: outcomes.Count{Value: 35}, Of: outcomes.Count{Value: 40}, Share: "88%"},
		{Code: "sexual_stopped", Label: "She reports sexual abuse stopped", Yes: outcomes.Count{Suppressed: true}, Of: outcomes.Count{Value: 10}, Share: "[c]"},
	}}
}

// TestVoiceInEveryFormat: CSV, XLSX, HTML and PDF each carry her own
// measures, withheld counts as "[c]", with how they are calculated; a
// report without them (every perpetrator-side reader's) has no trace of
// the section.
func TestVoiceInEveryFormat(t *testing.T) {
	csv := string(CSV(voiceReport()))
	for _, want := range []string{"own_account,label,reported,of,share", "physical_stopped,She reports physical abuse stopped,35,40,88%", "sexual_stopped,She reports sexual abuse stopped,[c],10,[c]"} {
		if !strings.Contains(csv, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv)
		}
	}
	if strings.Contains(string(CSV(&outcomes.Report{})), "own_account") {
		t.Error("a report without her measures has her section in CSV")
	}
	b, err := XLSX(voiceReport(), "Report")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Own account")
	if err != nil || len(rows) != 3 || rows[1][2] != "35" || rows[2][2] != "[c]" {
		t.Errorf("Own account sheet %v (%v)", rows, err)
	}
	html := string(HTML(voiceReport(), "Report"))
	if !strings.Contains(html, "<h2>In their own words</h2>") || !strings.Contains(html, `<th scope="row">She reports sexual abuse stopped</th><td class="n">[c]</td>`) {
		t.Errorf("HTML lacks her section:\n%s", html)
	}
	if strings.Contains(string(HTML(&outcomes.Report{}, "Report")), "In their own words") {
		t.Error("a report without her measures has her section in HTML")
	}
	b, err = PDF(voiceReport(), "Report", time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdf.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"In their own words", "She reports physical abuse stopped", outcomes.VoiceDefinition[:40]} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
}
