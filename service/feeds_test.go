package service_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/tabular"
)

// feedExtract is a small police extract with the default headers, in
// Windows-1252 so the job names the encoding it read.
const feedExtract = "ref,date,type,crime,suspect_given,suspect_family,suspect_dob,suspect_postcode,victim_given,victim_family,victim_dob,victim_age\r\n" +
	"FD-1,2026-10-01,common_assault,yes,Ren\xe9,Hollis,1985-06-01,NM4 2XY,Zo\xeb,Marsh,1990-03-03,36\r\n" +
	"FD-2,2026-10-08,harassment,no,Ren\xe9,Hollis,1985-06-01,NM4 2XY,Zo\xeb,Marsh,1990-03-03,36\r\n"

type feedWorld struct {
	*alertWorld
	at     *time.Time
	worker service.ImportWorker
}

func newFeedWorld(t *testing.T, e storetest.Engine) *feedWorld {
	at := now
	db := e.Open(t, func() time.Time { return at })
	aw := &alertWorld{AlertSite: storetest.NewAlertSite(t, db, "FED"), db: db, svc: &service.Service{DB: db, Keys: storetest.DatabaseKeys(t)}}
	return &feedWorld{alertWorld: aw, at: &at,
		worker: service.ImportWorker{ID: "test-worker", Lease: time.Minute}}
}

func (w *feedWorld) run(t *testing.T) int {
	t.Helper()
	n, err := w.svc.RunImportJobs(context.Background(), service.System("imports"), w.worker)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *feedWorld) kinds(t *testing.T) map[string]int {
	t.Helper()
	ns, err := w.svc.Notifications(context.Background(), w.as(w.Analyst), false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range ns {
		out[n.Kind]++
		if strings.Contains(n.Summary, "Marsh") || strings.Contains(n.Summary, "NM4") {
			t.Errorf("a feed's notification names a person or place: %q", n.Summary)
		}
	}
	return out
}

// TestFeedImportsThroughJobs: a feed's file is queued, run by the worker
// in one transaction and done with its counts and encoding; the same
// bytes again bring nothing new and say so; a bad file fails with every
// problem by line and column and imports nothing; another feed cannot
// read the job; a revoked token finds no feed.
func TestFeedImportsThroughJobs(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newFeedWorld(t, e)
			cli := service.CommandLine()
			f, token, err := w.svc.CreateFeed(ctx, cli, "FED", "Force X weekly extract", 7*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(token, "drv_f_") || f.SiteID != w.Site.ID {
				t.Fatalf("feed %+v token %q", f, token)
			}
			if _, _, err := w.svc.CreateFeed(ctx, cli, "FED", "Force X weekly extract", time.Hour*24); drive.ErrorCode(err) != drive.ECONFLICT {
				t.Fatalf("a second feed of the same name: %v", err)
			}
			if _, _, err := w.svc.CreateFeed(ctx, service.Actor{UserID: w.Analyst.ID}, "FED", "Other", time.Hour*24); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a person creating a feed: %v", err)
			}
			caller, err := w.svc.FeedActor(ctx, token, "192.0.2.9")
			if err != nil || caller == nil || caller.FeedID != f.ID {
				t.Fatalf("FeedActor = %+v, %v", caller, err)
			}
			if c, err := w.svc.FeedActor(ctx, "drv_t_"+strings.TrimPrefix(token, "drv_f_"), ""); c != nil || err != nil {
				t.Fatalf("an API token's shape opened a feed: %+v, %v", c, err)
			}
			if _, err := w.svc.QueueImport(ctx, caller, "people", strings.NewReader(feedExtract)); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("unknown kind: %v", err)
			}
			if _, err := w.svc.QueueImport(ctx, caller, "incidents", strings.NewReader("")); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("empty file: %v", err)
			}

			j, err := w.svc.QueueImport(ctx, caller, "incidents", strings.NewReader(feedExtract))
			if err != nil || j.Status != "queued" {
				t.Fatalf("queue: %+v, %v", j, err)
			}
			if n := w.run(t); n != 1 {
				t.Fatalf("ran %d jobs, want 1", n)
			}
			got, err := w.svc.FeedImport(ctx, caller, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != "done" || got.Rows != 2 || got.New != 2 || got.Skipped != 0 || len(got.Problems) != 0 || !strings.Contains(got.Encoding, "WINDOWS-1252") {
				t.Fatalf("first import: %+v", got)
			}
			names := map[string]bool{}
			err = w.svc.DB.View(ctx, func(tx *store.Tx) error {
				rs, err := tx.SitePoliceIncidents(ctx, w.Site.ID, drive.Date{})
				for _, r := range rs {
					names[r.Suspect.GivenName+" "+r.Victim.GivenName] = true
				}
				return err
			})
			if err != nil || !names["René Zoë"] {
				t.Fatalf("accented names not intact: %v %v", names, err)
			}

			// The import is in the audit log with the feed's name.
			var audited bool
			err = w.db.View(ctx, func(tx *store.Tx) error {
				evs, err := tx.AuditEvents(ctx, store.AuditFilter{SiteID: w.Site.ID})
				for _, ev := range evs {
					if ev.Action == "import.incidents" && strings.Contains(ev.Reason, "feed Force X weekly extract") && strings.Contains(ev.Reason, "2 new") {
						audited = true
					}
				}
				return err
			})
			if err != nil || !audited {
				t.Fatalf("no audit event of the feed's import (%v)", err)
			}

			again, err := w.svc.QueueImport(ctx, caller, "incidents", strings.NewReader(feedExtract))
			if err != nil {
				t.Fatal(err)
			}
			w.run(t)
			got, err = w.svc.FeedImport(ctx, caller, again.ID)
			if err != nil || got.Status != "done" || got.New != 0 || got.Skipped != 2 || !strings.Contains(got.Note(), "Nothing new") {
				t.Fatalf("same bytes again: %+v (%q), %v", got, got.Note(), err)
			}

			bad := strings.Replace(feedExtract, "2026-10-08", "yesterday", 1) + "FD-3,2026-10-09,,no,A,B,,,,,,\r\n"
			bj, err := w.svc.QueueImport(ctx, caller, "incidents", strings.NewReader(bad))
			if err != nil {
				t.Fatal(err)
			}
			w.run(t)
			got, err = w.svc.FeedImport(ctx, caller, bj.ID)
			if err != nil || got.Status != "failed" || got.New != 0 || len(got.Problems) != 2 {
				t.Fatalf("bad file: %+v, %v", got, err)
			}
			if p := got.Problems[0]; p.Line != 3 || p.Column != "date" {
				t.Errorf("first problem %+v, want line 3, column date", p)
			}
			if p := got.Problems[1]; p.Line != 4 || p.Column != "type" {
				t.Errorf("second problem %+v, want line 4, column type", p)
			}

			// A file with a problem on more rows than a scan keeps: the
			// job lists the first 200 by line and column and counts every
			// other one, and imports nothing, not even its good first row.
			var many strings.Builder
			many.WriteString("ref,date,type,crime,suspect_given,suspect_family\n")
			many.WriteString("FM-0,2026-10-01,abh,yes,Ren,Hollis\n")
			for i := range incident.MaxProblems + 300 {
				fmt.Fprintf(&many, "FM-%d,not a date,abh,yes,Ren,Hollis\n", i+1)
			}
			mj, err := w.svc.QueueImport(ctx, caller, "incidents", strings.NewReader(many.String()))
			if err != nil {
				t.Fatal(err)
			}
			w.run(t)
			got, err = w.svc.FeedImport(ctx, caller, mj.ID)
			if err != nil || got.Status != "failed" || got.New != 0 || got.Rows != incident.MaxProblems+301 || len(got.Problems) != 201 {
				t.Fatalf("a file with %d bad rows: %+v, %v", incident.MaxProblems+300, got, err)
			}
			if p := got.Problems[0]; p.Line != 3 || p.Column != "date" {
				t.Errorf("first problem %+v, want line 3, column date", p)
			}
			if p := got.Problems[200]; p.Problem != fmt.Sprintf("and %d more problems", incident.MaxProblems+100) {
				t.Errorf("last entry %+v, want the count of the problems not listed", p)
			}
			err = w.db.View(ctx, func(tx *store.Tx) error {
				refs, err := tx.IncidentRefs(ctx, w.Site.ID)
				if refs["FM-0"] {
					t.Errorf("the good row of a refused file was imported")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}

			// Another feed of the site cannot see the first feed's jobs.
			_, other, err := w.svc.CreateFeed(ctx, cli, "FED", "MARAC coordinator list", 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			oc, _ := w.svc.FeedActor(ctx, other, "")
			if _, err := w.svc.FeedImport(ctx, oc, j.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("another feed's job: %v", err)
			}

			if err := w.svc.RevokeFeed(ctx, cli, "FED", "Force X weekly extract"); err != nil {
				t.Fatal(err)
			}
			if c, err := w.svc.FeedActor(ctx, token, ""); c != nil || err != nil {
				t.Fatalf("revoked token still a feed: %+v, %v", c, err)
			}
		})
	}
}

// TestFeedWatch: a feed silent past its interval notifies the site's
// analyst and team leader once per silence; failing twice in a row
// notifies them too; a job left running by a dead worker is run again.
func TestFeedWatch(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newFeedWorld(t, e)
			cli, watch := service.CommandLine(), service.System("feeds")
			_, token, err := w.svc.CreateFeed(ctx, cli, "FED", "Daily extract", 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			caller, _ := w.svc.FeedActor(ctx, token, "")
			if n, err := w.svc.WatchFeeds(ctx, watch); err != nil || n != 0 {
				t.Fatalf("a new feed is not yet silent: %d, %v", n, err)
			}
			*w.at = w.at.Add(25 * time.Hour)
			if n, err := w.svc.WatchFeeds(ctx, watch); err != nil || n != 3 {
				t.Fatalf("silent feed: %d notifications, %v; want 3 (the analyst and both team leaders)", n, err)
			}
			if n, _ := w.svc.WatchFeeds(ctx, watch); n != 0 {
				t.Fatalf("the same silence notified again: %d", n)
			}
			if k := w.kinds(t); k[service.KindFeedSilent] != 1 {
				t.Fatalf("analyst's notifications: %v", k)
			}
			if _, err := w.svc.WatchFeeds(ctx, w.as(w.Analyst)); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a person asking to watch feeds: %v", err)
			}

			for i := 0; i < 2; i++ {
				if _, err := w.svc.QueueImport(ctx, caller, "incidents", strings.NewReader("not,a,header\r\n1,2,3\r\n")); err != nil {
					t.Fatal(err)
				}
				w.run(t)
			}
			if k := w.kinds(t); k[service.KindFeedFailing] != 1 {
				t.Fatalf("after two failures: %v", k)
			}
			sites, err := w.svc.FeedsWatch(ctx, w.as(w.Analyst))
			if err != nil || len(sites) != 1 || len(sites[0].Feeds) != 1 || !sites[0].Feeds[0].Failing || sites[0].Feeds[0].Silent {
				t.Fatalf("the watch page's data: %+v, %v", sites, err)
			}
			if _, err := w.svc.FeedsWatch(ctx, w.as(w.Manager)); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a case manager reading feeds: %v", err)
			}

			// A worker claims a job and dies; after its lease another runs it.
			j, err := w.svc.QueueImport(ctx, caller, "incidents", strings.NewReader(feedExtract))
			if err != nil {
				t.Fatal(err)
			}
			err = w.db.Transact(ctx, func(tx *store.Tx) error {
				c, err := tx.ClaimImportJob(ctx, "dead-worker")
				if err == nil && (c == nil || c.ID != j.ID) {
					t.Fatalf("claimed %+v", c)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := w.run(t); n != 0 {
				t.Fatalf("ran %d jobs while the site's job is held", n)
			}
			*w.at = w.at.Add(2 * time.Minute)
			if n := w.run(t); n != 1 {
				t.Fatalf("ran %d jobs after the lease, want 1", n)
			}
			got, err := w.svc.FeedImport(ctx, caller, j.ID)
			if err != nil || got.Status != "done" || got.New != 2 {
				t.Fatalf("retried job: %+v, %v", got, err)
			}
		})
	}
}

// TestInboxWatch: an inbox folder that has received nothing for longer
// than the inbox's interval, since it was first seen or since its last
// file, notifies the site's analyst and team leaders once per silence,
// without naming anyone; a folder named for no site is left out; the
// watch page shows each folder; only the server may ask.
func TestInboxWatch(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newFeedWorld(t, e)
			watch := service.System("feeds")
			folders := []service.InboxFolder{{SiteCode: "FED", Kind: "incidents"}, {SiteCode: "NOSITE", Kind: "incidents"}, {SiteCode: "FED", Kind: "other"}}
			day := 24 * time.Hour
			if n, err := w.svc.WatchInbox(ctx, watch, folders, day); err != nil || n != 0 {
				t.Fatalf("a folder just seen is not yet silent: %d, %v", n, err)
			}
			*w.at = w.at.Add(23 * time.Hour)
			if n, err := w.svc.WatchInbox(ctx, watch, folders, day); err != nil || n != 0 {
				t.Fatalf("a folder within its interval: %d, %v", n, err)
			}
			*w.at = w.at.Add(2 * time.Hour)
			if n, err := w.svc.WatchInbox(ctx, watch, folders, day); err != nil || n != 3 {
				t.Fatalf("a silent folder: %d notifications, %v; want 3 (the analyst and both team leaders)", n, err)
			}
			if n, _ := w.svc.WatchInbox(ctx, watch, folders, day); n != 0 {
				t.Fatalf("the same silence notified again: %d", n)
			}
			if k := w.kinds(t); k[service.KindInboxSilent] != 1 {
				t.Fatalf("analyst's notifications: %v", k)
			}
			sites, err := w.svc.FeedsWatch(ctx, w.as(w.Analyst))
			if err != nil || len(sites) != 1 || len(sites[0].Folders) != 1 || !sites[0].Folders[0].Silent || sites[0].Folders[0].Kind != "incidents" {
				t.Fatalf("the watch page's folders: %+v, %v", sites, err)
			}

			// A file arrives: the folder is on time again, and a new
			// silence after it notifies again.
			if _, err := w.svc.QueueInboxFile(ctx, service.System("inbox"), "FED", "incidents", "FED/incidents/processing/weekly.csv", strings.NewReader(feedExtract)); err != nil {
				t.Fatal(err)
			}
			if n := w.run(t); n != 1 {
				t.Fatalf("ran %d jobs, want 1", n)
			}
			*w.at = w.at.Add(12 * time.Hour)
			if n, err := w.svc.WatchInbox(ctx, watch, folders, day); err != nil || n != 0 {
				t.Fatalf("a folder that received a file 12 hours ago: %d, %v", n, err)
			}
			if sites, _ := w.svc.FeedsWatch(ctx, w.as(w.Analyst)); sites[0].Folders[0].Silent || sites[0].Folders[0].Last == nil {
				t.Fatalf("after a file: %+v", sites[0].Folders[0])
			}
			*w.at = w.at.Add(13 * time.Hour)
			if n, err := w.svc.WatchInbox(ctx, watch, folders, day); err != nil || n != 3 {
				t.Fatalf("silent again after its file: %d, %v", n, err)
			}
			if k := w.kinds(t); k[service.KindInboxSilent] != 2 {
				t.Fatalf("analyst's notifications: %v", k)
			}
			if _, err := w.svc.WatchInbox(ctx, w.as(w.Analyst), folders, day); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a person asking to watch the inbox: %v", err)
			}
			if _, err := w.svc.WatchInbox(ctx, watch, folders, time.Minute); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("an interval of a minute: %v", err)
			}
		})
	}
}

// TestUploadJob: an analyst's checked upload, once confirmed, is a job
// that imports nothing until it runs; only the analyst finds it; a
// worker that dies holding it leaves it to be run again after its lease,
// in the analyst's name, read as checked (Windows-1252, named); an
// analyst disabled before the job runs imports nothing, and the job says
// why.
func TestUploadJob(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newFeedWorld(t, e)
			ana := w.as(w.Analyst)
			check := func(file string) int64 {
				t.Helper()
				up := service.Upload{SiteID: w.Site.ID, File: strings.NewReader(file), Read: tabular.Options{Encoding: "windows-1252"}}
				c, err := w.svc.CheckUpload(ctx, ana, up, "weekly.csv")
				if err != nil || len(c.Problems) > 0 || c.PendingID == 0 {
					t.Fatalf("check: %+v, %v", c, err)
				}
				return c.PendingID
			}
			j, err := w.svc.ConfirmUpload(ctx, ana, check(feedExtract))
			if err != nil || j.Status != "queued" || j.FileName != "weekly.csv" {
				t.Fatalf("confirm: %+v, %v", j, err)
			}
			if _, err := w.svc.UploadJob(ctx, w.as(w.Leader), j.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("another user's upload job: %v", err)
			}
			refs := func() int {
				n := 0
				_ = w.db.View(ctx, func(tx *store.Tx) error {
					rows, err := tx.SitePoliceIncidents(ctx, w.Site.ID, drive.Date{})
					for _, r := range rows {
						if strings.HasPrefix(r.Ref, "FD-") {
							n++
						}
					}
					return err
				})
				return n
			}
			if n := refs(); n != 0 {
				t.Fatalf("%d of the upload's incidents stored before its job ran", n)
			}
			// A worker takes it and dies; after the lease it runs again.
			err = w.db.Transact(ctx, func(tx *store.Tx) error {
				c, err := tx.ClaimImportJob(ctx, "dead-worker")
				if err == nil && (c == nil || c.ID != j.ID || c.UserID != w.Analyst.ID) {
					t.Fatalf("claimed %+v", c)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := w.run(t); n != 0 {
				t.Fatalf("ran %d jobs while the dead worker holds the site's job", n)
			}
			if got, _ := w.svc.UploadJob(ctx, ana, j.ID); got.Status != "running" {
				t.Fatalf("while held: %+v", got)
			}
			*w.at = w.at.Add(2 * time.Minute)
			if n := w.run(t); n != 1 {
				t.Fatalf("ran %d jobs after the lease, want 1", n)
			}
			got, err := w.svc.UploadJob(ctx, ana, j.ID)
			if err != nil || got.Status != "done" || got.New != 2 || !strings.Contains(got.Encoding, "WINDOWS-1252") || refs() != 2 {
				t.Fatalf("the job run again: %+v, %v; %d stored", got, err, refs())
			}
			var byAnalyst bool
			err = w.db.View(ctx, func(tx *store.Tx) error {
				evs, err := tx.AuditEvents(ctx, store.AuditFilter{Actions: []string{"import.incidents"}})
				for _, ev := range evs {
					byAnalyst = byAnalyst || (ev.ActorID == w.Analyst.ID && ev.ActorRole == "analyst")
				}
				return err
			})
			if err != nil || !byAnalyst {
				t.Fatalf("the import is not audited as the analyst: %v", err)
			}
			// The analyst is told the job is done, once, with a link to
			// its progress page and nothing read from the file; nobody
			// else is told.
			ended := func(u int64, kind string) []service.Notification {
				t.Helper()
				ns, err := w.svc.Notifications(ctx, w.as(w.Analyst), false)
				if u != w.Analyst.ID {
					ns, err = w.svc.Notifications(ctx, w.as(w.Leader), false)
				}
				if err != nil {
					t.Fatal(err)
				}
				var out []service.Notification
				for _, n := range ns {
					if n.Kind == kind {
						out = append(out, n)
					}
				}
				return out
			}
			done := ended(w.Analyst.ID, service.KindImportDone)
			if len(done) != 1 || done[0].Href() != fmt.Sprintf("/imports/%d", j.ID) || !strings.Contains(done[0].Summary, "2 new rows") {
				t.Fatalf("the analyst's notification that the import is done: %+v", done)
			}
			for _, bad := range []string{"Marsh", "Zo", "NM4", "Hollis", "weekly"} {
				if strings.Contains(done[0].Summary, bad) {
					t.Errorf("the notification says %q: %q", bad, done[0].Summary)
				}
			}
			if n := ended(w.Leader.ID, service.KindImportDone); len(n) != 0 {
				t.Fatalf("the team leader was told of the analyst's import: %+v", n)
			}

			// Disabled between confirming and the run: nothing imported.
			second := strings.ReplaceAll(feedExtract, "FD-", "FE-")
			j2, err := w.svc.ConfirmUpload(ctx, ana, check(second))
			if err != nil {
				t.Fatal(err)
			}
			if err := w.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, w.Analyst.ID, true) }); err != nil {
				t.Fatal(err)
			}
			w.run(t)
			got, err = w.svc.UploadJob(ctx, ana, j2.ID)
			if err != nil || got.Status != "failed" || got.New != 0 || len(got.Problems) != 1 || !strings.Contains(got.Problems[0].Problem, "may no longer import") {
				t.Fatalf("a disabled analyst's job: %+v, %v", got, err)
			}
			failed := ended(w.Analyst.ID, service.KindImportFailed)
			if len(failed) != 1 || failed[0].Href() != fmt.Sprintf("/imports/%d", j2.ID) || !strings.Contains(failed[0].Summary, "1 problem") {
				t.Fatalf("the analyst's notification that the import was refused: %+v", failed)
			}
			if n := ended(w.Analyst.ID, service.KindImportDone); len(n) != 1 {
				t.Fatalf("%d notifications that an import is done, want 1", len(n))
			}
		})
	}
}

// TestLargeUploadInChunks: an upload of several chunks is checked from
// its temporary file showing only its first rows, kept in chunks,
// confirmed into its job inside the database, and imported whole: every
// row, in order, none twice.
func TestLargeUploadInChunks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newFeedWorld(t, e)
			ana := w.as(w.Analyst)
			given := []string{"Darren", "Kevin", "Lee", "Paul", "Mark", "Dean", "Craig", "Gary"}
			family := []string{"Hollis", "Doyle", "Marsh", "Pike", "Rowe", "Slater", "Tandy", "Vance", "Webb"}
			var b strings.Builder
			// A column the import ignores makes the rows long, so the file
			// spans three chunks with few rows to resolve.
			b.WriteString("ref,date,type,crime,suspect_given,suspect_family,suspect_dob,victim_given,victim_family,officer_notes\n")
			notes := strings.Repeat("nothing further ", 30)
			n := 0
			for b.Len() < 2*store.ImportChunkSize+store.ImportChunkSize/2 {
				n++
				fmt.Fprintf(&b, "BIG-%06d,2026-%02d-%02d,harassment,no,%s,%s,19%02d-0%d-1%d,Sam,Example%s,%s\n", n, 1+n%10, 1+n%28,
					given[n%len(given)], family[n%len(family)], 60+n%30, 1+n%9, n%10, strings.Repeat("x", n%7), notes)
			}
			c, err := w.svc.CheckUpload(ctx, ana, service.Upload{SiteID: w.Site.ID, File: strings.NewReader(b.String())}, "big.csv")
			if err != nil || len(c.Problems) > 0 || c.Rows != n || len(c.Incidents) != service.SampleRows || c.Incidents[0].Ref != "BIG-000001" {
				t.Fatalf("check of %d rows: %+v, %v", n, c, err)
			}
			j, err := w.svc.ConfirmUpload(ctx, ana, c.PendingID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.ConfirmUpload(ctx, ana, c.PendingID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("confirmed twice: %v", err)
			}
			w.run(t)
			got, err := w.svc.UploadJob(ctx, ana, j.ID)
			if err != nil || got.Status != "done" || got.Rows != n || got.New != n {
				t.Fatalf("the job of %d rows: %+v, %v", n, got, err)
			}
			err = w.db.View(ctx, func(tx *store.Tx) error {
				refs, err := tx.IncidentRefs(ctx, w.Site.ID)
				for i := 1; i <= n; i++ {
					if !refs[fmt.Sprintf("BIG-%06d", i)] {
						t.Fatalf("row %d of %d not imported", i, n)
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestImportJobFinishedWhenItEnds: a job's finished_at is when its import
// ended, not when the transaction that imported it began. The clock moves
// on a second at each reading, as time passes during a long import; the
// import's audit event is dated when its transaction began, and the job
// must finish after that.
func TestImportJobFinishedWhenItEnds(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			var mu sync.Mutex
			at := now
			db := e.Open(t, func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				at = at.Add(time.Second)
				return at
			})
			site := storetest.NewAlertSite(t, db, "FIN")
			svc := &service.Service{DB: db, Keys: storetest.DatabaseKeys(t)}
			_, token, err := svc.CreateFeed(ctx, service.CommandLine(), "FIN", "Force X weekly extract", 7*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			caller, err := svc.FeedActor(ctx, token, "192.0.2.9")
			if err != nil {
				t.Fatal(err)
			}
			j, err := svc.QueueImport(ctx, caller, "incidents", strings.NewReader(feedExtract))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RunImportJobs(ctx, service.System("imports"), service.ImportWorker{ID: "w", Lease: time.Minute}); err != nil {
				t.Fatal(err)
			}
			got, err := svc.FeedImport(ctx, caller, j.ID)
			if err != nil || got.Status != "done" || got.FinishedAt == nil {
				t.Fatalf("job %+v, %v", got, err)
			}
			var began time.Time
			err = db.View(ctx, func(tx *store.Tx) error {
				evs, err := tx.AuditEvents(ctx, store.AuditFilter{SiteID: site.Site.ID})
				for _, ev := range evs {
					if ev.Action == "import.incidents" {
						began = ev.At
					}
				}
				return err
			})
			if err != nil || began.IsZero() {
				t.Fatalf("no audit event of the import (%v)", err)
			}
			if !got.FinishedAt.After(began) {
				t.Errorf("finished at %s, no later than the import began (%s)", got.FinishedAt, began)
			}
			if !got.FinishedAt.After(got.CreatedAt) {
				t.Errorf("finished at %s, created at %s", got.FinishedAt, got.CreatedAt)
			}
		})
	}
}
