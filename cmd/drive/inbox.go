package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// The inbox: for sources that can only deliver files (secure file
// transfer), `drive serve --inbox DIR` watches DIR/SITE/KIND/ (KIND is
// incidents or marac). A file is taken once complete: unchanged for the
// settle time (a file renamed in whole is taken at the next look after
// that; names beginning with a dot or ending .part or .tmp, as transfer
// tools write them, are left alone). Taking moves it to processing/ in
// the same folder, then makes it an import job; when the job has run,
// the file moves to done/ or failed/ with a report beside it
// (NAME.report.json: counts and problems by line and column, never a
// value from the file). Every step can be repeated: after a restart
// between any two, a file in processing/ without a job gets one, and a
// finished job whose file was moved but not yet recorded is recorded,
// so no file is half-imported (the import is one transaction) and none
// is forgotten.

// inboxKinds are the subfolders of a site's inbox folder.
var inboxKinds = []string{service.KindIncidents, service.KindMARAC}

// inbox watches one inbox folder.
type inbox struct {
	dir    string
	svc    *service.Service
	log    *slog.Logger
	settle time.Duration
	// interval is how often a file is expected in each folder: one
	// silent longer than that is notified (service.WatchInbox).
	interval time.Duration
	// seen is when each waiting file was first seen at its size and
	// modification time.
	seen map[string]seenFile
}

type seenFile struct {
	size  int64
	mod   time.Time
	since time.Time
}

func newInbox(dir string, svc *service.Service, log *slog.Logger, settle, interval time.Duration) *inbox {
	return &inbox{dir: dir, svc: svc, log: log, settle: settle, interval: interval, seen: map[string]seenFile{}}
}

// folders lists the inbox's SITE/KIND folders that exist: the ones a
// source is expected to deliver to, and so watched for silence.
func (in *inbox) folders() ([]service.InboxFolder, error) {
	sites, err := os.ReadDir(in.dir)
	if err != nil {
		return nil, fmt.Errorf("reading the inbox folder: %w", err)
	}
	var out []service.InboxFolder
	for _, site := range sites {
		if !site.IsDir() || strings.HasPrefix(site.Name(), ".") {
			continue
		}
		for _, kind := range inboxKinds {
			if st, err := os.Stat(filepath.Join(in.dir, site.Name(), kind)); err == nil && st.IsDir() {
				out = append(out, service.InboxFolder{SiteCode: site.Name(), Kind: kind})
			}
		}
	}
	return out, nil
}

var inboxActor = service.System("inbox")

// scan files what has finished, takes what is complete, and queues what
// was taken.
func (in *inbox) scan(ctx context.Context) error {
	jobs, err := in.svc.UnfiledInboxJobs(ctx, inboxActor)
	if err != nil {
		return err
	}
	waiting := map[string]bool{}
	for _, j := range jobs {
		if j.Status == "done" || j.Status == "failed" {
			if err := in.file(ctx, j); err != nil {
				return err
			}
			continue
		}
		waiting[j.InboxPath] = true
	}
	sites, err := os.ReadDir(in.dir)
	if err != nil {
		return fmt.Errorf("reading the inbox folder: %w", err)
	}
	for _, site := range sites {
		if !site.IsDir() || strings.HasPrefix(site.Name(), ".") {
			continue
		}
		for _, kind := range inboxKinds {
			if err := in.scanKind(ctx, site.Name(), kind, waiting); err != nil {
				return err
			}
		}
	}
	return nil
}

func (in *inbox) scanKind(ctx context.Context, site, kind string, waiting map[string]bool) error {
	dir := filepath.Join(in.dir, site, kind)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	now := time.Now()
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".part") || strings.HasSuffix(name, ".tmp") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone since the listing
		}
		path := filepath.Join(dir, name)
		s, ok := in.seen[path]
		if !ok || s.size != info.Size() || !s.mod.Equal(info.ModTime()) {
			in.seen[path] = seenFile{size: info.Size(), mod: info.ModTime(), since: now}
			if in.settle > 0 {
				continue
			}
		} else if now.Sub(s.since) < in.settle {
			continue
		}
		delete(in.seen, path)
		if err := os.MkdirAll(filepath.Join(dir, "processing"), 0o700); err != nil {
			return err
		}
		if err := os.Rename(path, freeName(filepath.Join(dir, "processing"), name)); err != nil {
			return err
		}
	}
	processing, err := os.ReadDir(filepath.Join(dir, "processing"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range processing {
		if !e.Type().IsRegular() {
			continue
		}
		rel := site + "/" + kind + "/processing/" + e.Name()
		if waiting[rel] {
			continue
		}
		file, err := os.Open(filepath.Join(dir, "processing", e.Name()))
		if err != nil {
			return err
		}
		j, err := in.svc.QueueInboxFile(ctx, inboxActor, site, kind, rel, file)
		file.Close()
		switch drive.ErrorCode(err) {
		case "":
			waiting[rel] = true
			in.log.Info("inbox file queued", slog.Int64("job", j.ID))
		case drive.EINVALID, drive.ENOTFOUND, drive.ETOOLARGE:
			// No site of that code, or an empty or too large file:
			// refused whole.
			what := drive.ErrorMessage(err)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				what = "There is no site with the code of this folder."
			}
			rep := inboxReport{Status: "failed", Kind: kind, Problems: []service.JobProblem{{Column: "file", Problem: what}}}
			if err := moveWithReport(filepath.Join(dir, "processing", e.Name()), filepath.Join(dir, "failed"), e.Name(), rep); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// inboxReport is what is written beside a filed file.
type inboxReport struct {
	Job      int64                `json:"job,omitempty"`
	Status   string               `json:"status"`
	Kind     string               `json:"kind"`
	Encoding string               `json:"encoding,omitempty"`
	Rows     int                  `json:"rows"`
	New      int                  `json:"new"`
	Skipped  int                  `json:"skipped"`
	Problems []service.JobProblem `json:"problems"`
	Note     string               `json:"note,omitempty"`
}

// file moves a finished job's file from processing/ to done/ or failed/
// with its report, then records it filed. A file already moved (a
// restart between the move and the record) is only recorded.
func (in *inbox) file(ctx context.Context, j *service.ImportJob) error {
	parts := strings.Split(j.InboxPath, "/")
	if len(parts) != 4 {
		return in.svc.FileInboxJob(ctx, inboxActor, j.ID)
	}
	dir := filepath.Join(in.dir, parts[0], parts[1])
	src := filepath.Join(dir, "processing", parts[3])
	dest := filepath.Join(dir, j.Status)
	name := strconv.FormatInt(j.ID, 10) + "-" + parts[3]
	if _, err := os.Stat(src); err == nil {
		rep := inboxReport{Job: j.ID, Status: j.Status, Kind: j.Kind, Encoding: j.Encoding, Rows: j.Rows, New: j.New, Skipped: j.Skipped,
			Problems: j.Problems, Note: j.Note()}
		if err := moveWithReport(src, dest, name, rep); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	in.log.Info("inbox file filed", slog.Int64("job", j.ID), slog.String("status", j.Status))
	return in.svc.FileInboxJob(ctx, inboxActor, j.ID)
}

// moveWithReport writes the report into dest first, then moves the file
// beside it, so a filed file always has its report.
func moveWithReport(src, dest, name string, rep inboxReport) error {
	if err := os.MkdirAll(dest, 0o700); err != nil {
		return err
	}
	if rep.Problems == nil {
		rep.Problems = []service.JobProblem{}
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	target := filepath.Join(dest, name)
	if err := os.WriteFile(target+".report.json", append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(src, target)
}

// freeName is dir/name, or dir/name with a number added if that is taken.
func freeName(dir, name string) string {
	p := filepath.Join(dir, name)
	for i := 2; ; i++ {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
		ext := filepath.Ext(name)
		p = filepath.Join(dir, fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), i, ext))
	}
}

// background is the import work `drive serve`'s worker does besides its
// queued jobs: it looks in the inbox, runs queued import jobs (which keep
// their files on their own table, one site at a time), and watches the
// inbox's folders for silence. Feeds are watched for silence by the
// feeds.watch job (worker.go); the inbox is watched here, by the worker
// that has the folder.
type background struct {
	svc    *service.Service
	log    *slog.Logger
	inbox  *inbox // nil: no inbox configured
	worker service.ImportWorker
	// poll is how often it looks for work; watch how often it checks
	// the inbox's folders for silence.
	poll, watch time.Duration
	lastWatch   time.Time
}

func newBackground(svc *service.Service, log *slog.Logger, in *inbox, poll time.Duration) *background {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &background{svc: svc, log: log, inbox: in, poll: poll, watch: 5 * time.Minute,
		worker: service.ImportWorker{ID: "serve-" + hex.EncodeToString(b[:]), Lease: 2 * time.Minute}}
}

// round does one of each kind of work. A failure is logged and the work
// tried again at the next round.
func (b *background) round(ctx context.Context) {
	if b.inbox != nil {
		if err := b.inbox.scan(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("looking in the inbox", slog.String("error", err.Error()))
		}
	}
	if n, err := b.svc.RunImportJobs(ctx, service.System("imports"), b.worker); err != nil && ctx.Err() == nil {
		b.log.Error("running import jobs", slog.String("error", err.Error()))
	} else if n > 0 {
		b.log.Info("import jobs run", slog.Int("jobs", n))
		if b.inbox != nil {
			// File what just finished without waiting a round.
			if err := b.inbox.scan(ctx); err != nil && ctx.Err() == nil {
				b.log.Error("looking in the inbox", slog.String("error", err.Error()))
			}
		}
	}
	if b.inbox != nil && time.Since(b.lastWatch) >= b.watch {
		b.lastWatch = time.Now()
		b.watchInbox(ctx)
	}
}

// watchInbox tells the sites' watchers of inbox folders silent past the
// inbox's interval.
func (b *background) watchInbox(ctx context.Context) {
	folders, err := b.inbox.folders()
	if err == nil {
		var n int
		n, err = b.svc.WatchInbox(ctx, service.System("feeds"), folders, b.inbox.interval)
		if n > 0 {
			b.log.Info("silent inbox folders notified", slog.Int("notifications", n))
		}
	}
	if err != nil && ctx.Err() == nil {
		b.log.Error("watching the inbox", slog.String("error", err.Error()))
	}
}

// run does a round every poll until ctx ends.
func (b *background) run(ctx context.Context) {
	tick := time.NewTicker(b.poll)
	defer tick.Stop()
	for {
		b.round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
