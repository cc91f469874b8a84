package storetest

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// RunFeeds holds both engines to the same answers for feeds and import
// jobs: a feed found by its token's hash until revoked, a name used once
// among feeds in use, and jobs claimed oldest first, never two of one site
// at once even when workers claim together, requeued only when their
// worker's heartbeat has stopped, and finished only by the worker holding
// them.
func RunFeeds(t *testing.T, e Engine) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, func() time.Time { return at })
	var sites [2]account.Site
	var feed int64
	hash := sha256.Sum256([]byte("drv_f_conformance"))
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for i, code := range []string{"FA", "FB"} {
			sites[i] = account.Site{Code: code, Name: "Site " + code, Region: "R"}
			if err := tx.CreateSite(ctx, &sites[i]); err != nil {
				return err
			}
		}
		var err error
		feed, err = tx.CreateFeed(ctx, sites[0].ID, "Weekly", hash[:], 7*24*time.Hour)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.CreateFeed(ctx, sites[0].ID, "Weekly", []byte("other"), time.Hour)
		return err
	})
	if drive.ErrorCode(err) != drive.ECONFLICT {
		t.Fatalf("a second feed of the same name: %v", err)
	}
	job := func(site, feedID int64, body string) int64 {
		t.Helper()
		var id int64
		err := db.Transact(ctx, func(tx *store.Tx) error {
			sum := sha256.Sum256([]byte(body))
			var err error
			id, err = tx.CreateImportJob(ctx, &store.ImportJob{SiteID: site, FeedID: feedID, Kind: "incidents", SHA256: sum[:]}, []byte(body))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a1, a2, b1 := job(sites[0].ID, feed, "a1"), job(sites[0].ID, feed, "a2"), job(sites[1].ID, 0, "b1")

	// Four workers claim at once: one job of each site, no more.
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	for _, w := range []string{"w1", "w2", "w3", "w4"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var j *store.ImportJob
			err := db.Transact(ctx, func(tx *store.Tx) error {
				var err error
				j, err = tx.ClaimImportJob(ctx, w)
				return err
			})
			if err != nil && drive.ErrorCode(err) != drive.ECONFLICT {
				t.Errorf("claim by %s: %v", w, err)
			}
			if j != nil {
				mu.Lock()
				claimed[j.ID] = w
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claimed) != 2 || claimed[a1] == "" || claimed[b1] == "" {
		t.Fatalf("claimed %v; want the oldest job of each site (%d and %d)", claimed, a1, b1)
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		if j, err := tx.ClaimImportJob(ctx, "w5"); err != nil || j != nil {
			t.Fatalf("a claim while each site has a job running: %+v, %v", j, err)
		}
		if err := tx.FinishImportJob(ctx, a1, "not-the-holder", store.JobResult{Status: store.JobDone, Problems: "[]"}); drive.ErrorCode(err) != drive.ECONFLICT {
			t.Fatalf("finished by a worker not holding it: %v", err)
		}
		if n, err := tx.RequeueStaleImportJobs(ctx, "w5", tx.Now.Add(-time.Minute)); err != nil || n != 0 {
			t.Fatalf("requeued %d fresh jobs, %v", n, err)
		}
		return tx.FinishImportJob(ctx, a1, claimed[a1], store.JobResult{Status: store.JobDone, Rows: 3, New: 2, Skipped: 1, Encoding: "UTF-8", Problems: "[]"})
	})
	if err != nil {
		t.Fatal(err)
	}
	at = at.Add(5 * time.Minute)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		// b1's worker stopped beating: it is queued again, and a1's file
		// was let go of when it finished.
		if n, err := tx.RequeueStaleImportJobs(ctx, "w5", tx.Now.Add(-time.Minute)); err != nil || n != 1 {
			t.Fatalf("requeued %d stale jobs, %v; want 1", n, err)
		}
		if body, err := tx.ImportJobBody(ctx, a1); err != nil || body != nil {
			t.Fatalf("a finished job's file: %q, %v", body, err)
		}
		j, err := tx.ClaimImportJob(ctx, "w5")
		if err != nil || j == nil || j.ID != a2 {
			t.Fatalf("next claim: %+v, %v; want job %d", j, err, a2)
		}
		fs, err := tx.Feeds(ctx, []int64{sites[0].ID}, false)
		if err != nil || len(fs) != 1 || fs[0].Last == nil || fs[0].Last.ID != a2 || fs[0].Interval != 7*24*time.Hour {
			t.Fatalf("feeds: %+v, %v", fs, err)
		}
		if f, err := tx.FeedByTokenHash(ctx, hash[:]); err != nil || f.ID != feed {
			t.Fatalf("by hash: %+v, %v", f, err)
		}
		if _, err := tx.RevokeFeed(ctx, sites[0].ID, "Weekly"); err != nil {
			return err
		}
		if _, err := tx.FeedByTokenHash(ctx, hash[:]); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Fatalf("a revoked feed by hash: %v", err)
		}
		_, err = tx.CreateFeed(ctx, sites[0].ID, "Weekly", []byte("new hash"), time.Hour)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	runInboxFolders(t, db, sites[1].ID, b1, &at)
	runImportChunks(t, db, sites[1].ID)
}

// runImportChunks: a file of two and a half chunks comes back whole, a
// chunk at a time, and nothing past its end.
func runImportChunks(t *testing.T, db *store.DB, site int64) {
	t.Helper()
	ctx := context.Background()
	body := make([]byte, store.ImportChunkSize*5/2)
	for i := range body {
		body[i] = byte(i % 251)
	}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		sum := sha256.Sum256(body)
		id, err := tx.CreateImportJob(ctx, &store.ImportJob{SiteID: site, Kind: "marac", SHA256: sum[:]}, body)
		if err != nil {
			return err
		}
		var sizes []int
		for seq := 0; ; seq++ {
			data, ok, err := tx.ImportJobChunk(ctx, id, seq)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			sizes = append(sizes, len(data))
		}
		if len(sizes) != 3 || sizes[0] != store.ImportChunkSize || sizes[2] != store.ImportChunkSize/2 {
			t.Fatalf("chunk sizes %v", sizes)
		}
		whole, err := tx.ImportJobBody(ctx, id)
		if err != nil || string(whole) != string(body) {
			t.Fatalf("the file joined from its chunks: %d bytes, %v; want %d", len(whole), err, len(body))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runInboxFolders: an inbox folder is first seen once (seeing it again
// keeps that time and takes the new interval), and carries its latest
// inbox job of its kind.
func runInboxFolders(t *testing.T, db *store.DB, site, inboxJob int64, at *time.Time) {
	t.Helper()
	ctx := context.Background()
	first := *at
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SeeInboxFolder(ctx, site, "incidents", 24*time.Hour); err != nil {
			return err
		}
		return tx.SeeInboxFolder(ctx, site, "marac", 24*time.Hour)
	})
	if err != nil {
		t.Fatal(err)
	}
	*at = at.Add(time.Hour)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SeeInboxFolder(ctx, site, "incidents", 48*time.Hour); err != nil {
			return err
		}
		sum := sha256.Sum256([]byte("inbox"))
		id, err := tx.CreateImportJob(ctx, &store.ImportJob{SiteID: site, Kind: "incidents", InboxPath: "FB/incidents/processing/x.csv", SHA256: sum[:]}, []byte("inbox"))
		if err != nil {
			return err
		}
		fs, err := tx.InboxFolders(ctx, []int64{site})
		if err != nil {
			return err
		}
		if len(fs) != 2 || fs[0].Kind != "incidents" || fs[1].Kind != "marac" {
			t.Fatalf("inbox folders: %+v", fs)
		}
		if !fs[0].FirstSeenAt.Equal(first) || fs[0].Interval != 48*time.Hour || fs[0].Last == nil || fs[0].Last.ID != id || fs[0].Last.ID == inboxJob {
			t.Fatalf("incidents folder: %+v (last %+v), want first seen %v, every 48h, last job %d", fs[0], fs[0].Last, first, id)
		}
		if fs[1].Last != nil || fs[1].Interval != 24*time.Hour {
			t.Fatalf("marac folder: %+v", fs[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
