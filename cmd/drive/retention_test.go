package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRetentionCommands checks the retention commands' answers on a
// database with nothing yet to remove: the schedule, a dry run and a run
// by class, a hold on a case that does not exist refused, and a schedule
// file that changes a rule.
func TestRetentionCommands(t *testing.T) {
	db := newAuditTestDB(t, 2)
	r := runAuditCmd(t, "retention", "schedule")
	if r.code != 0 || !strings.Contains(r.stdout, "perpetrator_case: anonymise 6 years after the case's closure") {
		t.Fatalf("schedule: %v", r)
	}
	r = runAuditCmd(t, "retention", "run", "--db", db, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "perpetrator_case: 0 would be anonymised") || !strings.Contains(r.stdout, "notification: 0 would be deleted") {
		t.Fatalf("dry run: %v", r)
	}
	r = runAuditCmd(t, "retention", "run", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "perpetrator_case: 0 anonymised") {
		t.Fatalf("run: %v", r)
	}
	r = runAuditCmd(t, "retention", "hold", "--db", db, "--case", "99", "--reason", "civil claim", "--owner", "DPO")
	if r.code != 1 || !strings.Contains(r.stderr, "There is no perpetrator's case 99") {
		t.Errorf("hold on a case that does not exist: %v", r)
	}
	r = runAuditCmd(t, "retention", "hold", "--db", db, "--site", "NOPE", "--reason", "inquiry", "--owner", "DPO")
	if r.code != 2 || !strings.Contains(r.stderr, `no site with code "NOPE"`) {
		t.Errorf("hold on a site that does not exist: %v", r)
	}
	r = runAuditCmd(t, "retention", "hold", "--db", db, "--case", "1", "--victim-case", "1", "--reason", "claim", "--owner", "DPO")
	if r.code != 2 || !strings.Contains(r.stderr, "name one record") {
		t.Errorf("hold naming two records: %v", r)
	}
	r = runAuditCmd(t, "retention", "hold", "--db", db, "--victim-case", "99", "--reason", "complaint", "--owner", "DPO")
	if r.code != 1 || !strings.Contains(r.stderr, "There is no victim-survivor's case 99") {
		t.Errorf("hold on a victim case that does not exist: %v", r)
	}
	r = runAuditCmd(t, "retention", "hold", "--db", db, "--incident", "99", "--reason", "claim", "--owner", "DPO")
	if r.code != 1 || !strings.Contains(r.stderr, "There is no police incident 99") {
		t.Errorf("hold on an incident that does not exist: %v", r)
	}
	r = runAuditCmd(t, "retention", "hold", "--db", db, "--incident-ref", "NMR-1", "--reason", "claim", "--owner", "DPO")
	if r.code != 2 || !strings.Contains(r.stderr, "needs its site") {
		t.Errorf("hold on an incident by reference without its site: %v", r)
	}
	sched := filepath.Join(t.TempDir(), "schedule.json")
	if err := os.WriteFile(sched, []byte(`{"rules": [{"class": "perpetrator_case", "years": 7, "action": "anonymise"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runAuditCmd(t, "retention", "schedule", "--schedule", sched)
	if r.code != 0 || !strings.Contains(r.stdout, "perpetrator_case: anonymise 7 years after the case's closure\n") {
		t.Errorf("schedule from a file: %v", r)
	}
	if err := os.WriteFile(sched, []byte(`{"rules": [{"class": "perpetrator_case", "years": 7, "action": "delete"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runAuditCmd(t, "retention", "run", "--db", db, "--schedule", sched); r.code != 2 || !strings.Contains(r.stderr, "anonymised, not deleted") {
		t.Errorf("a schedule that would delete cases: %v, want exit 2", r)
	}
}
