package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

const inboxExtract = "ref,date,type,crime,suspect_given,suspect_family,suspect_dob,suspect_postcode,victim_given,victim_family,victim_dob,victim_age\n" +
	"IN-1,2025-10-01,common_assault,yes,Darren,Hollis,1985-06-01,NM4 2XY,Sian,Marsh,1990-03-03,36\n" +
	"IN-2,2025-10-08,harassment,no,Darren,Hollis,1985-06-01,NM4 2XY,Sian,Marsh,1990-03-03,36\n"

// TestFeedCommands: drive feed create prints the token as the last word
// of its last line; list shows the feed; revoke ends it, and a second
// revoke is an error.
func TestFeedCommands(t *testing.T) {
	f := newCLIFixture(t)
	code, out, errOut := f.drive("feed", "create", "--site", "NMR", "--name", "Force X weekly extract", "--interval", "7d")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	words := strings.Fields(lines[len(lines)-1])
	if code != 0 || len(words) == 0 || !strings.HasPrefix(words[len(words)-1], "drv_f_") {
		t.Fatalf("feed create: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := f.drive("feed", "list"); code != 0 || !strings.Contains(out, `"Force X weekly extract"`) || !strings.Contains(out, "never delivered") {
		t.Fatalf("feed list: exit %d\n%s", code, out)
	}
	if code, _, errOut := f.drive("feed", "create", "--site", "NMR", "--name", "Force X weekly extract"); code == 0 || !strings.Contains(errOut, "already has a feed") {
		t.Fatalf("a second feed of the same name: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := f.drive("feed", "create", "--site", "NMR", "--name", "x", "--interval", "soon"); code == 0 || !strings.Contains(errOut, "--interval") {
		t.Fatalf("a bad interval: exit %d\n%s", code, errOut)
	}
	if code, out, errOut := f.drive("feed", "revoke", "--site", "NMR", "--name", "Force X weekly extract"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("feed revoke: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := f.drive("feed", "revoke", "--site", "NMR", "--name", "Force X weekly extract"); code == 0 {
		t.Fatal("revoking a revoked feed succeeded")
	}
}

// TestInboxImportsDroppedFiles: a file dropped in DIR/NMR/incidents/ (written
// under a .part name and renamed in, as transfer tools do) is imported
// and moved to done/ with its report, well within a minute (the server
// looks every few seconds; here faster); a bad file goes to failed/ with
// its problems by line and column; and a file a stopped server had taken
// into processing/ but not yet queued is imported on the next look.
func TestInboxImportsDroppedFiles(t *testing.T) {
	f := newCLIFixture(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "NMR", "incidents")
	if err := os.MkdirAll(filepath.Join(in, "processing"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Left by a server stopped between taking and queueing.
	os.WriteFile(filepath.Join(in, "processing", "left.csv"), []byte(strings.ReplaceAll(inboxExtract, "IN-", "LEFT-")), 0o600)

	svc := &service.Service{DB: f.db}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		newBackground(svc, log, newInbox(dir, svc, log, 100*time.Millisecond, 7*24*time.Hour), 50*time.Millisecond).run(ctx)
		close(done)
	}()
	defer func() { cancel(); <-done }()

	part := filepath.Join(in, "weekly.csv.part")
	os.WriteFile(part, []byte(inboxExtract), 0o600)
	if err := os.Rename(part, filepath.Join(in, "weekly.csv")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(in, "bad.csv"), []byte("ref,date,type,crime,suspect_given,suspect_family\nB-1,not a date,assault,yes,A,B\n"), 0o600)

	report := func(status, name string) *inboxReport {
		matches, _ := filepath.Glob(filepath.Join(in, status, "*-"+name+".report.json"))
		if len(matches) != 1 {
			return nil
		}
		if _, err := os.Stat(strings.TrimSuffix(matches[0], ".report.json")); err != nil {
			return nil // the report is written first; the file follows
		}
		data, err := os.ReadFile(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		var r inboxReport
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("report %s: %v", matches[0], err)
		}
		return &r
	}
	deadline := time.Now().Add(time.Minute)
	var weekly, bad, left *inboxReport
	for time.Now().Before(deadline) && (weekly == nil || bad == nil || left == nil) {
		time.Sleep(50 * time.Millisecond)
		weekly, bad, left = report("done", "weekly.csv"), report("failed", "bad.csv"), report("done", "left.csv")
	}
	if weekly == nil || bad == nil || left == nil {
		t.Fatalf("not filed within a minute: weekly %v, bad %v, left %v", weekly, bad, left)
	}
	if weekly.Status != "done" || weekly.Rows != 2 || weekly.New != 2 || !strings.Contains(weekly.Encoding, "UTF-8") {
		t.Errorf("weekly.csv report: %+v", weekly)
	}
	if left.New != 2 {
		t.Errorf("left.csv report: %+v", left)
	}
	if bad.Status != "failed" || bad.New != 0 || len(bad.Problems) != 1 || bad.Problems[0].Line != 2 || bad.Problems[0].Column != "date" {
		t.Errorf("bad.csv report: %+v", bad)
	}
	for _, name := range []string{"weekly.csv", "bad.csv", filepath.Join("processing", "left.csv")} {
		if _, err := os.Stat(filepath.Join(in, name)); err == nil {
			t.Errorf("%s is still in the inbox", name)
		}
	}
	if got := len(incidentRefs(t, f)); got != 4 {
		t.Errorf("%d incidents stored, want 4", got)
	}
	// The folder is watched for silence, expecting a file every 7 days.
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		fs, err := tx.InboxFolders(context.Background(), nil)
		if err == nil && (len(fs) != 1 || fs[0].SiteCode != "NMR" || fs[0].Kind != "incidents" || fs[0].Interval != 7*24*time.Hour) {
			t.Errorf("watched inbox folders: %+v", fs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func incidentRefs(t *testing.T, f *cliFixture) []string {
	t.Helper()
	var refs []string
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		rs, err := tx.SitePoliceIncidents(context.Background(), f.site("NMR"), drive.Date{})
		for _, r := range rs {
			refs = append(refs, r.Ref)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

// TestInboxRestartAfterMove: a server stopped after moving a finished
// job's file to done/ but before recording it records it at the next
// look, without queueing the file again or touching the report.
func TestInboxRestartAfterMove(t *testing.T) {
	f := newCLIFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	proc := filepath.Join(dir, "NMR", "incidents", "processing")
	if err := os.MkdirAll(proc, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(proc, "x.csv"), []byte(inboxExtract), 0o600)
	svc := &service.Service{DB: f.db}
	in := newInbox(dir, svc, slog.New(slog.NewTextHandler(io.Discard, nil)), 0, 7*24*time.Hour)
	if err := in.scan(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RunImportJobs(ctx, service.System("imports"), service.ImportWorker{ID: "t", Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	jobs, err := svc.UnfiledInboxJobs(ctx, inboxActor)
	if err != nil || len(jobs) != 1 || jobs[0].Status != "done" {
		t.Fatalf("jobs %+v, %v", jobs, err)
	}
	// The move happened; the record of it did not.
	rep := inboxReport{Job: jobs[0].ID, Status: "done", Kind: "incidents", New: 2, Note: "written before the stop"}
	if err := moveWithReport(filepath.Join(proc, "x.csv"), filepath.Join(dir, "NMR", "incidents", "done"), "1-x.csv", rep); err != nil {
		t.Fatal(err)
	}
	if err := in.scan(ctx); err != nil {
		t.Fatal(err)
	}
	if jobs, err := svc.UnfiledInboxJobs(ctx, inboxActor); err != nil || len(jobs) != 0 {
		t.Fatalf("still unfiled: %+v, %v", jobs, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "NMR", "incidents", "done", "1-x.csv.report.json"))
	if err != nil || !strings.Contains(string(data), "written before the stop") {
		t.Fatalf("report: %s, %v", data, err)
	}
	if got := len(incidentRefs(t, f)); got != 2 {
		t.Errorf("%d incidents, want 2", got)
	}
}
