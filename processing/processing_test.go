package processing

import (
	"os"
	"strings"
	"testing"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/retention"
)

const docPath = "../docs/records-of-processing.md"

// TestDocIsCurrent keeps docs/records-of-processing.md what the
// configuration says; UPDATE_DOCS=1 rewrites it.
func TestDocIsCurrent(t *testing.T) {
	want := Build(retention.DefaultSchedule(), DefaultProcessors(true)).Markdown()
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil || string(got) != want {
		t.Errorf("docs/records-of-processing.md is not what the configuration says: run %s (%v)", docCommand, err)
	}
}

// TestBuildFollowsThePolicy checks the record against the policy and the
// schedule it is built from.
func TestBuildFollowsThePolicy(t *testing.T) {
	s := retention.DefaultSchedule()
	rec := Build(s, nil)
	if len(rec.Activities) != len(access.DataClasses()) {
		t.Fatalf("%d activities for %d classes", len(rec.Activities), len(access.DataClasses()))
	}
	byClass := map[access.DataClass]Activity{}
	for _, a := range rec.Activities {
		byClass[a.Class] = a
		if a.Purpose == "" || a.LawfulBasis == "" {
			t.Errorf("%s has no purpose or lawful basis", a.Class)
		}
	}
	comp := byClass[access.VictimCompartment]
	for _, r := range append(comp.Writers, comp.Readers...) {
		if r == access.CaseManager.Label() {
			t.Error("the record says case managers see the victim compartment")
		}
	}
	if !strings.Contains(strings.Join(byClass[access.SubjectAccess].Writers, ","), access.DPO.Label()) {
		t.Errorf("subject access writers: %v", byClass[access.SubjectAccess].Writers)
	}
	if !strings.Contains(byClass[access.PerpetratorCase].Retention, "6 years") {
		t.Errorf("case retention: %q", byClass[access.PerpetratorCase].Retention)
	}
	seven, err := retention.ParseSchedule([]byte(`{"rules": [{"class": "perpetrator_case", "years": 7, "action": "anonymise"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := Build(seven, nil).Activities[0].Retention; !strings.Contains(got, "7 years") || strings.Contains(got, "youngest child") {
		t.Errorf("with a seven-year schedule: %q", got)
	}
}
