package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/tabular"
)

// Feeds: police and MARAC data that arrives by itself. A feed is a site's
// machine credential that may only send files to import. It is not a user
// and holds no role, so the access policy, which cannot say "write without
// read" (Write includes Read), is not asked to: a feed is a principal of
// its own, with its own table and token prefix (auth.FeedTokenPrefix),
// which the API accepts only on its import routes. Every other route looks
// its token up among users' API tokens, finds nothing, and refuses it as
// it refuses any bad token.
//
// Files, whether sent by a feed or dropped in the server's inbox folder,
// become import jobs held in the database and run by the worker inside
// `drive serve` (RunImportJobs), one at a time per site, through the same
// import code as `drive import` (importIncidents, importMARAC).

// Import kinds: what a file to import holds.
const (
	KindIncidents = "incidents"
	KindMARAC     = "marac"
)

// Notification kinds a feed's watch raises.
const (
	KindFeedSilent  = "feed_silent"
	KindFeedFailing = "feed_failing"
)

// Notification kinds an analyst's own import raises when its job ends,
// so that a long import can be left and its end found in the header's
// count rather than by watching its progress page.
const (
	KindImportDone   = "import_done"
	KindImportFailed = "import_failed"
)

// DefaultFeedInterval is how often a feed is expected to deliver unless
// told otherwise: forces send a weekly extract.
const DefaultFeedInterval = 7 * 24 * time.Hour

// Feed is a site's feed as its watchers see it: never its token.
type Feed struct {
	ID        int64
	SiteID    int64
	SiteCode  string
	Name      string
	Interval  time.Duration
	CreatedAt time.Time
	RevokedAt *time.Time
	// Last is its latest delivery, or nil.
	Last *ImportJob
	// Silent says it has delivered nothing for longer than its interval;
	// Failing that its last two deliveries failed.
	Silent, Failing bool
}

// ImportJob is one file to import and, once run, what it brought.
type ImportJob struct {
	ID         int64
	SiteID     int64
	Kind       string
	Status     string // queued, running, done or failed
	CreatedAt  time.Time
	FinishedAt *time.Time
	// Encoding names how the file was read (tabular.Info), once read.
	Encoding           string
	Rows, New, Skipped int
	Problems           []JobProblem
	// InboxPath is where a file dropped in the inbox was found, relative
	// to the inbox; "" for a file a feed sent.
	InboxPath string
	// FileName is the name an analyst's upload had; "" for a feed's file.
	FileName string
}

// JobProblem is one problem with a file: its line, its column (the header
// of the field, or "row" for the whole line) and what is wrong. It never
// repeats a value read from the file beyond a reference.
type JobProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Problem string `json:"problem"`
}

// Note says in words what a finished job brought, so that sending the
// same file again says it imported nothing new.
func (j *ImportJob) Note() string {
	switch {
	case j.Status == store.JobFailed:
		return fmt.Sprintf("Nothing was imported: the file has %d problems.", len(j.Problems))
	case j.Status != store.JobDone:
		return ""
	case j.New == 0 && j.Rows > 0:
		return fmt.Sprintf("Nothing new: all %d rows were already held.", j.Rows)
	}
	return fmt.Sprintf("%d new rows imported; %d already held.", j.New, j.Skipped)
}

// FeedCaller is a feed presenting its token: who sends the file.
type FeedCaller struct {
	FeedID int64
	SiteID int64
	Name   string
	Remote string
}

// actor is the trusted entry point a feed's imports run as, named after
// the feed's id (an audit event's Remote is a short token); the events'
// reasons carry the feed's name, so the audit log says which feed
// brought what.
func (f *FeedCaller) actor() Actor { return feedActor(f.FeedID) }

func feedActor(id int64) Actor { return System("feed-" + strconv.FormatInt(id, 10)) }

// FeedName checks a feed's name: 1 to 100 characters of text, trimmed.
// Errors: EINVALID saying what is allowed.
func FeedName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 || !drive.TextOK(name) {
		return "", drive.Invalid("Give the feed a name of up to 100 characters", map[string]string{"name": "give a name of up to 100 characters"})
	}
	return name, nil
}

// CreateFeed creates a feed for the site with code siteCode, expected to
// deliver every interval, and returns it with its token, which is shown
// once and never stored. Audited as "feed.create". Only a trusted entry
// point (the command line) may ask. Errors: ENOTFOUND for another actor
// or no such site; EINVALID for a bad name or interval; ECONFLICT when
// the site already has a feed of that name.
func (s *Service) CreateFeed(ctx context.Context, a Actor, siteCode, name string, interval time.Duration) (*Feed, string, error) {
	name, err := FeedName(name)
	if err != nil {
		return nil, "", err
	}
	if interval < time.Hour || interval > 366*24*time.Hour {
		return nil, "", drive.Invalid("Give an interval from 1 hour to 366 days", map[string]string{"interval": "from 1h to 366d"})
	}
	token, hash, err := auth.NewToken(s.random(), auth.FeedTokenPrefix)
	if err != nil {
		return nil, "", err
	}
	var f *Feed
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		siteID, err := systemSite(ctx, tx, a, siteCode)
		if err != nil {
			return err
		}
		id, err := tx.CreateFeed(ctx, siteID, name, hash, interval)
		if drive.ErrorCode(err) == drive.ECONFLICT {
			return drive.Errorf(drive.ECONFLICT, "The site already has a feed named %q: revoke it first or choose another name", name)
		}
		if err != nil {
			return err
		}
		f = &Feed{ID: id, SiteID: siteID, SiteCode: siteCode, Name: name, Interval: interval, CreatedAt: tx.Now}
		return tx.Audit(ctx, feedEvent(a, "feed.create", siteID, id, "feed "+name))
	})
	if err != nil {
		return nil, "", err
	}
	return f, token, nil
}

func feedEvent(a Actor, action string, siteID, feedID int64, reason string) audit.Event {
	e := systemEvent(a, action, siteID, reason)
	e.RecordType, e.RecordID = "feed", strconv.FormatInt(feedID, 10)
	return e
}

// RevokeFeed ends the feed named name of the site with code siteCode: its
// token is refused from now on; what it delivered stays. Audited as
// "feed.revoke". Only a trusted entry point may ask. Errors: ENOTFOUND
// for another actor, no such site or no such feed in use.
func (s *Service) RevokeFeed(ctx context.Context, a Actor, siteCode, name string) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		siteID, err := systemSite(ctx, tx, a, siteCode)
		if err != nil {
			return err
		}
		id, err := tx.RevokeFeed(ctx, siteID, strings.TrimSpace(name))
		if err != nil {
			return err
		}
		return tx.Audit(ctx, feedEvent(a, "feed.revoke", siteID, id, "feed "+name))
	})
}

// AllFeeds lists every site's feeds, in use or revoked, with their latest
// delivery, for `drive feed list`. Only a trusted entry point may ask.
// Errors: ENOTFOUND for another actor.
func (s *Service) AllFeeds(ctx context.Context, a Actor) ([]*Feed, error) {
	if err := trusted(a, "feed"); err != nil {
		return nil, err
	}
	var out []*Feed
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		fs, err := tx.Feeds(ctx, nil, true)
		if err != nil {
			return err
		}
		out, err = s.feedViews(ctx, tx, fs)
		return err
	})
	return out, err
}

// SiteFeeds is a site's feeds and its latest inbox deliveries, for the
// /feeds page.
type SiteFeeds struct {
	SiteID   int64
	SiteCode string
	SiteName string
	Feeds    []*Feed
	Inbox    []*ImportJob
	// Folders are the site's inbox folders the server watches, by kind.
	Folders []InboxWatch
}

// FeedsWatch lists the feeds, in use, of every site where the actor may
// read police intelligence (the site's analysts and team leaders), with
// when each last delivered and what it brought, and each site's latest
// files from the inbox. Nothing here says anything about a person. The
// read is audited as "feed.list". Errors: ENOTFOUND for an actor who may
// read police intelligence nowhere.
func (s *Service) FeedsWatch(ctx context.Context, a Actor) ([]SiteFeeds, error) {
	siteIDs, national := a.Subject.SitesFor(access.PoliceIntel, access.Read)
	if !national && len(siteIDs) == 0 {
		return nil, drive.NotFound("feed")
	}
	var out []SiteFeeds
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		for _, site := range sites {
			if !national && !containsID(siteIDs, site.ID) {
				continue
			}
			fs, err := tx.Feeds(ctx, []int64{site.ID}, false)
			if err != nil {
				return err
			}
			sf := SiteFeeds{SiteID: site.ID, SiteCode: site.Code, SiteName: site.Name}
			if sf.Feeds, err = s.feedViews(ctx, tx, fs); err != nil {
				return err
			}
			jobs, err := tx.SiteInboxJobs(ctx, site.ID, 10)
			if err != nil {
				return err
			}
			for _, j := range jobs {
				sf.Inbox = append(sf.Inbox, jobView(j))
			}
			folders, err := tx.InboxFolders(ctx, []int64{site.ID})
			if err != nil {
				return err
			}
			for _, f := range folders {
				sf.Folders = append(sf.Folders, inboxWatch(tx.Now, f))
			}
			out = append(out, sf)
		}
		return tx.Audit(ctx, audit.Event{Action: "feed.list", ActorID: a.UserID, ActorRole: actorRole(a, ""), RecordType: "feed",
			Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	return out, err
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// feedViews turns stored feeds into what their watchers see: silent past
// their interval, failing twice in a row.
func (s *Service) feedViews(ctx context.Context, tx *store.Tx, fs []*store.Feed) ([]*Feed, error) {
	out := make([]*Feed, 0, len(fs))
	for _, f := range fs {
		v := &Feed{ID: f.ID, SiteID: f.SiteID, SiteCode: f.SiteCode, Name: f.Name, Interval: f.Interval, CreatedAt: f.CreatedAt, RevokedAt: f.RevokedAt}
		since := f.CreatedAt
		if f.Last != nil {
			v.Last, since = jobView(f.Last), f.Last.CreatedAt
		}
		v.Silent = f.RevokedAt == nil && tx.Now.Sub(since) > f.Interval
		failing, err := failingTwice(ctx, tx, f.ID)
		if err != nil {
			return nil, err
		}
		v.Failing = failing
		out = append(out, v)
	}
	return out, nil
}

// failingTwice says a feed's last two finished deliveries both failed.
func failingTwice(ctx context.Context, tx *store.Tx, feedID int64) (bool, error) {
	jobs, err := tx.FeedJobs(ctx, feedID, 2)
	if err != nil {
		return false, err
	}
	return len(jobs) == 2 && jobs[0].Status == store.JobFailed && jobs[1].Status == store.JobFailed, nil
}

func jobView(j *store.ImportJob) *ImportJob {
	v := &ImportJob{ID: j.ID, SiteID: j.SiteID, Kind: j.Kind, Status: j.Status, CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt,
		Encoding: j.Encoding, Rows: j.Rows, New: j.New, Skipped: j.Skipped, InboxPath: j.InboxPath, FileName: j.FileName}
	if err := json.Unmarshal([]byte(j.Problems), &v.Problems); err != nil {
		v.Problems = nil
	}
	if v.Problems == nil {
		v.Problems = []JobProblem{}
	}
	return v
}

// FeedActor finds the feed in use whose token was presented, or nil for
// none: a token of another kind (a user's API token) is no feed's. It
// cannot tell a revoked token from a made-up one, and says neither.
func (s *Service) FeedActor(ctx context.Context, token, remote string) (*FeedCaller, error) {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, auth.FeedTokenPrefix) {
		return nil, nil
	}
	var c *FeedCaller
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		hash := auth.HashToken(token)
		f, err := tx.FeedByTokenHash(ctx, hash)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		c = &FeedCaller{FeedID: f.ID, SiteID: f.SiteID, Name: f.Name, Remote: remote}
		return nil
	})
	return c, err
}

// MaxImportFile is the largest file a feed may send or drop: a big
// force's three-year extract is about 50 MB.
const MaxImportFile = 256 << 20

// QueueImport takes a file a feed sent, of kind KindIncidents or
// KindMARAC, as an import job of the feed's site and returns the job,
// queued. The file is read from body as it arrives and stored in chunks,
// never held whole in memory; it is checked when the job runs
// (RunImportJobs), and its problems are the job's. Audited as
// "import.queue" with the feed's name. Errors: EINVALID for an unknown
// kind, an empty file or one that could not be read (wrapping the
// reader's error); ETOOLARGE for a file over MaxImportFile.
func (s *Service) QueueImport(ctx context.Context, f *FeedCaller, kind string, body io.Reader) (*ImportJob, error) {
	// The body is read first, so a file over the limit is told so
	// whatever else is wrong with the request.
	sp, err := spoolImport(body)
	if err != nil {
		return nil, err
	}
	defer sp.close()
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	j := &store.ImportJob{SiteID: f.SiteID, FeedID: f.FeedID, Kind: kind, SHA256: sp.sum}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.CreateImportJob(ctx, j, nil); err != nil {
			return err
		}
		if err := sp.store(ctx, tx, j.ID); err != nil {
			return err
		}
		e := feedEvent(f.actor(), "import.queue", f.SiteID, f.FeedID, fmt.Sprintf("feed %s: %s file of %d bytes, job %d", f.Name, kind, sp.size, j.ID))
		e.Remote = f.Remote
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return jobView(j), nil
}

func checkKind(kind string) error {
	if kind != KindIncidents && kind != KindMARAC {
		return drive.Invalid("Say what the file holds: kind=incidents or kind=marac", map[string]string{"kind": "incidents or marac"})
	}
	return nil
}

// FeedImport returns one of the feed's own import jobs: its status and,
// once finished, what it brought. Errors: ENOTFOUND for a job that is not
// the feed's.
func (s *Service) FeedImport(ctx context.Context, f *FeedCaller, id int64) (*ImportJob, error) {
	var out *ImportJob
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		j, err := tx.ImportJob(ctx, id)
		if err != nil {
			return err
		}
		if j.FeedID != f.FeedID {
			return drive.NotFound("import")
		}
		out = jobView(j)
		return nil
	})
	return out, err
}

// QueueInboxFile takes a file found in the inbox at path (relative to the
// inbox: SITE/KIND/processing/NAME) as an import job of the site, unless
// a job for it is already waiting to be filed (a restart after the job
// was made). Audited as "import.queue" by the inbox. Errors: ENOTFOUND
// for another actor or no such site; EINVALID for a bad kind or empty
// file (the caller files it as failed).
func (s *Service) QueueInboxFile(ctx context.Context, a Actor, siteCode, kind, path string, body io.Reader) (*ImportJob, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	sp, err := spoolImport(body)
	if err != nil {
		return nil, err
	}
	defer sp.close()
	var out *ImportJob
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		siteID, err := systemSite(ctx, tx, a, siteCode)
		if err != nil {
			return err
		}
		waiting, err := tx.UnfiledInboxJobs(ctx)
		if err != nil {
			return err
		}
		for _, j := range waiting {
			if j.InboxPath == path {
				out = jobView(j)
				return nil
			}
		}
		j := &store.ImportJob{SiteID: siteID, Kind: kind, InboxPath: path, SHA256: sp.sum}
		if _, err := tx.CreateImportJob(ctx, j, nil); err != nil {
			return err
		}
		if err := sp.store(ctx, tx, j.ID); err != nil {
			return err
		}
		out = jobView(j)
		return tx.Audit(ctx, systemEvent(a, "import.queue", siteID, fmt.Sprintf("%s file of %d bytes from the inbox, job %d", kind, sp.size, j.ID)))
	})
	return out, err
}

// UnfiledInboxJobs returns the inbox jobs whose file is still to be moved
// out of processing/, oldest first. Only a trusted entry point may ask.
func (s *Service) UnfiledInboxJobs(ctx context.Context, a Actor) ([]*ImportJob, error) {
	if err := trusted(a, "import"); err != nil {
		return nil, err
	}
	var out []*ImportJob
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		jobs, err := tx.UnfiledInboxJobs(ctx)
		for _, j := range jobs {
			out = append(out, jobView(j))
		}
		return err
	})
	return out, err
}

// FileInboxJob records that a finished inbox job's file was moved to
// done/ or failed/. Only a trusted entry point may ask.
func (s *Service) FileInboxJob(ctx context.Context, a Actor, id int64) error {
	if err := trusted(a, "import"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error { return tx.FileInboxJob(ctx, id) })
}

// ImportWorker runs import jobs: ID names it in the jobs it claims, and
// Lease is how long a running job's heartbeat may be silent before
// another worker takes it as left by a dead process and runs it again.
type ImportWorker struct {
	ID    string
	Lease time.Duration
}

// RunImportJobs puts back in the queue the jobs of dead workers, then
// claims and runs queued jobs until none is left to claim, and returns
// how many it ran. Each job is imported in one transaction that also
// records its outcome, so a job is either wholly imported and done or
// not imported at all and still to run. Only a trusted entry point may
// ask (the server's worker). Errors: only those of the database.
func (s *Service) RunImportJobs(ctx context.Context, a Actor, w ImportWorker) (int, error) {
	if err := trusted(a, "import"); err != nil {
		return 0, err
	}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		n, err := tx.RequeueStaleImportJobs(ctx, w.ID, tx.Now.Add(-w.Lease))
		if err != nil || n == 0 {
			return err
		}
		return tx.Audit(ctx, systemEvent(a, "import.retry", 0, fmt.Sprintf("%d import jobs left running by a stopped server queued again", n)))
	})
	if err != nil {
		return 0, err
	}
	ran := 0
	for ctx.Err() == nil {
		var job *store.ImportJob
		err := s.DB.Transact(ctx, func(tx *store.Tx) error {
			var err error
			job, err = tx.ClaimImportJob(ctx, w.ID)
			return err
		})
		if drive.ErrorCode(err) == drive.ECONFLICT {
			return ran, nil // another worker took the site's next job first
		}
		if err != nil {
			return ran, err
		}
		if job == nil {
			return ran, nil
		}
		if err := s.runJob(ctx, w, job); err != nil {
			return ran, err
		}
		ran++
	}
	return ran, ctx.Err()
}

// runJob imports one claimed job, beating its heartbeat while it runs.
func (s *Service) runJob(ctx context.Context, w ImportWorker, job *store.ImportJob) error {
	stop := make(chan struct{})
	defer close(stop)
	if w.Lease > 0 {
		go func() {
			t := time.NewTicker(w.Lease / 3)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					_ = s.DB.Transact(ctx, func(tx *store.Tx) error { return tx.HeartbeatImportJob(ctx, job.ID, w.ID) })
				}
			}
		}()
	}
	a, feedName := System("inbox"), ""
	if job.FeedID != 0 {
		a = feedActor(job.FeedID)
		err := s.DB.View(ctx, func(tx *store.Tx) error {
			fs, err := tx.Feeds(ctx, []int64{job.SiteID}, true)
			for _, f := range fs {
				if f.ID == job.FeedID {
					feedName = f.Name
				}
			}
			return err
		})
		if err != nil {
			return s.failJob(ctx, a, w, job, err)
		}
	}
	// A feed's or the inbox's file chooses its mapping by its header, as
	// an upload with none named: the standard headers, or one of the
	// site's saved mappings. An analyst's checked upload is read as it
	// was checked, in the analyst's name.
	up := Upload{SiteID: job.SiteID, MARAC: job.Kind == KindMARAC}
	if job.UserID != 0 {
		var err error
		if a, err = s.uploader(ctx, job, &up); err != nil {
			return s.failJob(ctx, a, w, job, err)
		}
	}
	// The file is read a chunk at a time as it is parsed.
	body := &jobFile{ctx: ctx, db: s.DB, id: job.ID}
	res := store.JobResult{Status: store.JobFailed}
	var problems []JobProblem
	var hs []incident.Hearing
	var rowErrs []incident.RowError
	var more int // problems found past those kept
	var info incident.FileInfo
	today := s.Today()
	cands, err := s.mappingCandidates(ctx, up, job.Kind)
	switch {
	case drive.ErrorCode(err) == drive.EINVALID:
		// A saved mapping chosen at the check has been deleted since.
		problems = append(problems, JobProblem{Line: 1, Column: "mapping", Problem: "The mapping chosen when the file was checked can no longer be used: upload the file again"})
	case err != nil:
		return s.failJob(ctx, a, w, job, err)
	default:
		// The file is read and checked a row at a time; its rows are
		// kept only while none has a problem, since with any nothing is
		// imported, and only the first problems are kept.
		var sc *incident.Scan
		if job.Kind == KindMARAC {
			sc, err = incident.ScanMARACFileChoosing(body, cands, today, up.Read, func(h incident.Hearing, found int) {
				if found > 0 {
					hs = nil // nothing of it will be imported
					return
				}
				hs = append(hs, h)
			})
		} else {
			// An extract's rows are only checked here, and kept nowhere:
			// once the whole file is known to be good, the import reads
			// it again inside its transaction, a chunk at a time
			// (importIncidentStream), so what it holds does not grow
			// with the file.
			sc, err = incident.ScanFileChoosing(body, cands, today, up.Read, nil)
		}
		info, rowErrs, more, res.Rows = sc.FileInfo, sc.Problems, sc.More, sc.Rows
		if sc.Found() > 0 {
			hs = nil // the rows before the first problem
		}
	}
	if info.Format != "" {
		res.Encoding = info.Info.String()
	}
	switch {
	case len(problems) > 0:
	case drive.ErrorCode(err) == drive.EINVALID:
		problems = append(problems, JobProblem{Line: 1, Column: "file", Problem: drive.ErrorMessage(err)})
	case err != nil:
		problems = append(problems, JobProblem{Line: 0, Column: "file", Problem: "The file could not be read."})
	}
	for _, e := range rowErrs {
		problems = append(problems, JobProblem{Line: e.Line, Column: e.Field, Problem: e.Message})
	}
	action := "import." + job.Kind
	var role access.Role
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if job.UserID != 0 && len(problems) == 0 {
			// The analyst's access is asked again now: they may have lost
			// it since they confirmed.
			d, err := s.decide(ctx, tx, a, access.Write, siteIntel(job.SiteID), "site")
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				problems = append(problems, JobProblem{Column: "file", Problem: "The person who uploaded the file may no longer import police data to this site"})
			} else if err != nil {
				return err
			}
			role = d.Role
		}
		if len(problems) == 0 {
			mark, err := tx.PoliceMark(ctx)
			if err != nil {
				return err
			}
			if job.Kind == KindMARAC {
				res.New, res.Skipped, err = importMARAC(ctx, tx, job.SiteID, hs, nil)
			} else {
				res.New, res.Skipped, err = s.importIncidentStream(ctx, tx, job.SiteID, res.Rows, func(each func(incident.Record) error) error {
					return rescan(ctx, tx, job.ID, cands, today, up.Read, each)
				}, nil)
			}
			if err != nil {
				return err
			}
			if _, err = s.raisePoliceAlerts(ctx, tx, a, string(role), job.SiteID, mark); err != nil {
				return err
			}
			if name := strings.TrimSpace(up.SaveMappingAs); name != "" && len(up.Mapping) > 0 {
				m := &incident.SavedMapping{SiteID: job.SiteID, Kind: job.Kind, Name: name, JSON: string(up.Mapping)}
				if err := tx.SaveImportMapping(ctx, m, a.UserID); err != nil {
					return err
				}
			}
			res.Status = store.JobDone
		}
		found := len(problems) + more
		if found > 200 {
			problems = append(problems[:200], JobProblem{Column: "file", Problem: fmt.Sprintf("and %d more problems", found-200)})
		}
		if problems == nil {
			problems = []JobProblem{}
		}
		p, err := json.Marshal(problems)
		if err != nil {
			return err
		}
		res.Problems = string(p)
		if err := tx.FinishImportJob(ctx, job.ID, w.ID, res); err != nil {
			return err
		}
		if err := s.raiseImportEnded(ctx, tx, job, res, found); err != nil {
			return err
		}
		reason := fmt.Sprintf("job %d: %d new, %d already held", job.ID, res.New, res.Skipped)
		if res.Status == store.JobFailed {
			action = "import.failed"
			reason = fmt.Sprintf("job %d: %d problems, nothing imported", job.ID, len(problems))
			if job.FeedID != 0 {
				if _, err = s.raiseFeedFailing(ctx, tx, job, feedName); err != nil {
					return err
				}
			}
		}
		if feedName != "" {
			reason = "feed " + feedName + ", " + reason
		}
		return tx.Audit(ctx, jobEvent(a, role, action, job.SiteID, reason))
	})
	if drive.ErrorCode(err) == drive.ECONFLICT {
		return nil // the job was taken back from this worker; whoever holds it runs it
	}
	if err != nil {
		return s.failJob(ctx, a, w, job, err)
	}
	if res.Status == store.JobDone && job.Kind == KindIncidents && res.New > 0 {
		_ = s.DB.Transact(ctx, func(tx *store.Tx) error {
			n, _, err := matchAcrossSites(ctx, tx)
			if err != nil {
				return err
			}
			return tx.Audit(ctx, jobEvent(a, role, "identify.match_sites", job.SiteID, fmt.Sprintf("%d suspects known at more than one site", n)))
		})
	}
	return nil
}

// uploader is the analyst whose checked upload job is, as an actor, and
// fills up with how the upload is to be read. Errors: ENOTFOUND for a
// user no longer held, EINVALID for options that cannot be read.
func (s *Service) uploader(ctx context.Context, job *store.ImportJob, up *Upload) (Actor, error) {
	var opts uploadOptions
	if err := json.Unmarshal([]byte(job.Options), &opts); err != nil {
		return System("imports"), drive.Wrap(err, drive.EINVALID, "the upload's options could not be read")
	}
	up.Read = tabular.Options{Encoding: opts.Encoding, Sheet: opts.Sheet}
	up.MappingID, up.SaveMappingAs = opts.MappingID, opts.SaveAs
	if opts.Mapping != "" {
		up.Mapping = []byte(opts.Mapping)
	}
	var u *account.User
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.User(ctx, job.UserID)
		return err
	})
	if err != nil {
		return System("imports"), err
	}
	a := Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Remote: "import-job",
		Subject: access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}}
	if u.Disabled() {
		return a, nil // holds no role: the access check refuses the import
	}
	for _, g := range u.Roles {
		a.Subject.Grants = append(a.Subject.Grants, access.Grant{Role: g.Role, SiteID: g.SiteID})
	}
	return a, nil
}

// jobEvent is the audit event of a job's run: in the name of the analyst
// whose upload it is, with their role, or of the feed or inbox.
func jobEvent(a Actor, role access.Role, action string, siteID int64, reason string) audit.Event {
	e := systemEvent(a, action, siteID, reason)
	if a.UserID != 0 {
		e.ActorRole = string(role)
	}
	return e
}

// failJob records a job whose import failed for a reason not in the file
// (the database refused it): nothing of it was stored, and it is not
// tried again on its own, since it would most likely fail the same way.
func (s *Service) failJob(ctx context.Context, a Actor, w ImportWorker, job *store.ImportJob, cause error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	p, _ := json.Marshal([]JobProblem{{Column: "file", Problem: "The import could not be completed; nothing was imported. Send the file again, or ask the administrator."}})
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		res := store.JobResult{Status: store.JobFailed, Problems: string(p)}
		if err := tx.FinishImportJob(ctx, job.ID, w.ID, res); err != nil {
			return err
		}
		// The uploader is told only when they are still held: a job
		// failing because its user was removed has no one to tell.
		if a.UserID != 0 && a.UserID == job.UserID {
			if err := s.raiseImportEnded(ctx, tx, job, res, 1); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, systemEvent(a, "import.failed", job.SiteID, fmt.Sprintf("job %d: %s", job.ID, drive.ErrorCode(cause))))
	})
}

// raiseImportEnded tells the analyst whose checked upload job is that it
// has ended, done or refused, linking to its progress page; a feed's or
// the inbox's job has no one person to tell (a feed's watch tells the
// site's analysts when it fails twice or falls silent). The summary says
// only the job's number, its kind and counts: never the file's name or
// anything read from it, so it carries nothing about a person or place.
func (s *Service) raiseImportEnded(ctx context.Context, tx *store.Tx, job *store.ImportJob, res store.JobResult, problems int) error {
	if job.UserID == 0 {
		return nil
	}
	what := "police extract"
	if job.Kind == KindMARAC {
		what = "MARAC list"
	}
	n := store.Notification{UserID: job.UserID, SiteID: job.SiteID, SourceKey: importKey(job.ID)}
	if res.Status == store.JobDone {
		n.Kind = KindImportDone
		n.Summary = fmt.Sprintf("Your import %d (%s) is done: %d new rows imported, %d already held.", job.ID, what, res.New, res.Skipped)
	} else {
		n.Kind = KindImportFailed
		n.Summary = fmt.Sprintf("Your import %d (%s) was refused with %s: nothing was imported.", job.ID, what, plural(problems, "problem", "problems"))
	}
	_, _, err := s.raise(ctx, tx, []store.Notification{n})
	return err
}

// importKey is the source key of the notification that an import job
// ended: one per job, whichever way it ended, so a job run again after a
// stopped server does not notify twice.
func importKey(id int64) string { return "import:" + strconv.FormatInt(id, 10) }

// importOfKey is the import job a notification's source key names, 0 for
// none.
func importOfKey(key string) int64 {
	rest, ok := strings.CutPrefix(key, "import:")
	if !ok {
		return 0
	}
	id, _ := strconv.ParseInt(rest, 10, 64)
	return id
}

// raiseFeedFailing tells the site's analysts and team leaders when a
// feed's last two deliveries failed, once per failure that makes it so.
func (s *Service) raiseFeedFailing(ctx context.Context, tx *store.Tx, job *store.ImportJob, feedName string) (*raisedAlerts, error) {
	failing, err := failingTwice(ctx, tx, job.FeedID)
	if err != nil || !failing {
		return nil, err
	}
	summary := fmt.Sprintf("Feed %q failed twice in a row: its last two files were not imported", feedName)
	out, _, err := s.raiseToWatchers(ctx, tx, job.SiteID, KindFeedFailing, summary, "feed-failing:"+strconv.FormatInt(job.FeedID, 10)+":"+strconv.FormatInt(job.ID, 10))
	return out, err
}

// raiseToWatchers notifies a site's analysts and team leaders.
func (s *Service) raiseToWatchers(ctx context.Context, tx *store.Tx, siteID int64, kind, summary, key string) (*raisedAlerts, int, error) {
	users, err := tx.SiteUsersWithRoles(ctx, siteID, string(access.Analyst), string(access.TeamLeader))
	if err != nil || len(users) == 0 {
		return nil, 0, err
	}
	ns := make([]store.Notification, 0, len(users))
	for _, u := range users {
		ns = append(ns, store.Notification{UserID: u, SiteID: siteID, Kind: kind, Summary: summary, SourceKey: key})
	}
	return s.raise(ctx, tx, ns)
}

// WatchFeeds tells each site's analysts and team leaders of its feeds in
// use that have delivered nothing for longer than their interval, once
// per silence, and returns how many notifications it raised. Only a
// trusted entry point may ask (the server, every few minutes). Audited as
// "notification.raise" when it raised any. Errors: ENOTFOUND for any
// other actor.
func (s *Service) WatchFeeds(ctx context.Context, a Actor) (int, error) {
	if err := trusted(a, "feed"); err != nil {
		return 0, err
	}
	n := 0
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		fs, err := tx.Feeds(ctx, nil, false)
		if err != nil {
			return err
		}
		for _, f := range fs {
			since := f.CreatedAt
			if f.Last != nil {
				since = f.Last.CreatedAt
			}
			if tx.Now.Sub(since) <= f.Interval {
				continue
			}
			summary := fmt.Sprintf("Feed %q has sent nothing since %s (expected every %s)", f.Name, drive.DisplayTime(since), intervalWords(f.Interval))
			key := "feed-silent:" + strconv.FormatInt(f.ID, 10) + ":" + strconv.FormatInt(since.Unix(), 10)
			out, _, err := s.raiseToWatchers(ctx, tx, f.SiteID, KindFeedSilent, summary, key)
			if err != nil {
				return err
			}
			if out != nil {
				n += len(out.created)
			}
		}
		if n == 0 {
			return nil
		}
		return tx.Audit(ctx, systemEvent(a, "notification.raise", 0, fmt.Sprintf("%d notifications of silent feeds", n)))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// intervalWords says an interval as people say it: "7 days", "12 hours".
func intervalWords(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if d == 24*time.Hour {
			return "day"
		}
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	if d == time.Hour {
		return "hour"
	}
	return fmt.Sprintf("%d hours", d/time.Hour)
}

// KindInboxSilent is the notification of an inbox folder that has
// received no file for longer than expected.
const KindInboxSilent = "inbox_silent"

// InboxFolder names one watched folder of the inbox: a site's code and
// the kind of file dropped there.
type InboxFolder struct {
	SiteCode string
	Kind     string
}

// InboxWatch is a site's inbox folder as its watchers see it.
type InboxWatch struct {
	Kind        string
	Interval    time.Duration
	FirstSeenAt time.Time
	// Last is the latest file's job, or nil.
	Last *ImportJob
	// Silent says nothing has arrived for longer than Interval.
	Silent bool
}

// WatchInbox records the inbox folders the server watches (folders named
// for no site, or of another kind, are left out), expecting a file in
// each every interval, and tells the site's analysts and team leaders of
// each folder that has received nothing for longer than that since its
// last file (or since it was first seen), once per silence. It returns
// how many notifications it raised. Only a trusted entry point may ask
// (the server, every few minutes). Audited as "notification.raise" when
// it raised any. Errors: ENOTFOUND for any other actor; EINVALID for an
// interval under an hour.
func (s *Service) WatchInbox(ctx context.Context, a Actor, folders []InboxFolder, interval time.Duration) (int, error) {
	if err := trusted(a, "feed"); err != nil {
		return 0, err
	}
	if interval < time.Hour {
		return 0, drive.Invalid("Give an inbox interval of at least an hour", map[string]string{"interval": "at least 1h"})
	}
	n := 0
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		byCode := map[string]int64{}
		for _, site := range sites {
			byCode[site.Code] = site.ID
		}
		var ids []int64
		for _, f := range folders {
			id, ok := byCode[f.SiteCode]
			if !ok || (f.Kind != KindIncidents && f.Kind != KindMARAC) {
				continue
			}
			if err := tx.SeeInboxFolder(ctx, id, f.Kind, interval); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return nil
		}
		watched, err := tx.InboxFolders(ctx, ids)
		if err != nil {
			return err
		}
		for _, f := range watched {
			w := inboxWatch(tx.Now, f)
			if !w.Silent {
				continue
			}
			since := inboxSince(f)
			summary := fmt.Sprintf("The inbox folder for %s %s has received nothing since %s (expected every %s)",
				f.SiteCode, inboxKindWords(f.Kind), drive.DisplayTime(since), intervalWords(f.Interval))
			key := "inbox-silent:" + strconv.FormatInt(f.SiteID, 10) + ":" + f.Kind + ":" + strconv.FormatInt(since.Unix(), 10)
			out, _, err := s.raiseToWatchers(ctx, tx, f.SiteID, KindInboxSilent, summary, key)
			if err != nil {
				return err
			}
			if out != nil {
				n += len(out.created)
			}
		}
		if n == 0 {
			return nil
		}
		return tx.Audit(ctx, systemEvent(a, "notification.raise", 0, fmt.Sprintf("%d notifications of silent inbox folders", n)))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// inboxSince is when a folder's silence started: its latest file's
// arrival, or when it was first seen.
func inboxSince(f *store.InboxFolder) time.Time {
	if f.Last != nil {
		return f.Last.CreatedAt
	}
	return f.FirstSeenAt
}

func inboxWatch(now time.Time, f *store.InboxFolder) InboxWatch {
	w := InboxWatch{Kind: f.Kind, Interval: f.Interval, FirstSeenAt: f.FirstSeenAt}
	if f.Last != nil {
		w.Last = jobView(f.Last)
	}
	w.Silent = now.Sub(inboxSince(f)) > f.Interval
	return w
}

// inboxKindWords says what a folder's files hold.
func inboxKindWords(kind string) string {
	if kind == KindMARAC {
		return "MARAC lists"
	}
	return "police extracts"
}
