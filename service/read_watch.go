package service

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// AlertManyReads is the kind of alert raised for an account that reads
// many records in a short time.
const AlertManyReads = "many_reads"

// Defaults of the read watch: a practitioner's busiest hour opens a few
// dozen records, each page auditing a handful of reads; 500 reads at one
// site in 10 minutes is a script or a copied account, not a day's work.
const (
	DefaultReadWindow    = 10 * time.Minute
	DefaultReadThreshold = 500
)

// ReadWatch notices an account reading many records in a short time and
// alerts the data protection officers of the site (national officers for
// national records), once per account and window. It keeps, in memory,
// where the audit log stood at each sweep, so each sweep counts only the
// window's events by the log's sequence. Several replicas may each run
// one: the alert is raised once, as each checks for an earlier one in
// the same transaction.
type ReadWatch struct {
	Window    time.Duration
	Threshold int

	mu    sync.Mutex
	marks []readMark
}

type readMark struct {
	at  time.Time
	seq int64
}

// WatchReads sweeps the audit log once: reads since the start of the
// window are counted per account and site, and an account at or over the
// threshold that has had no such alert in the window gets one, audited.
// The first sweep only marks where the log stands. It returns how many
// alerts were raised.
func (s *Service) WatchReads(ctx context.Context, w *ReadWatch) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	window, threshold := w.Window, w.Threshold
	if window <= 0 {
		window = DefaultReadWindow
	}
	if threshold <= 0 {
		threshold = DefaultReadThreshold
	}
	raised := 0
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		raised = 0
		head, err := tx.LastAuditSeq(ctx)
		if err != nil {
			return err
		}
		now := tx.Now
		w.marks = append(w.marks, readMark{now, head})
		// Keep the newest mark at or before the window's start, and all
		// after it.
		start := 0
		for i, m := range w.marks {
			if !m.at.After(now.Add(-window)) {
				start = i
			}
		}
		w.marks = w.marks[start:]
		if len(w.marks) < 2 {
			return nil
		}
		readers, err := tx.HeavyReaders(ctx, w.marks[0].seq, threshold)
		if err != nil {
			return err
		}
		for _, r := range readers {
			done, err := tx.AlertedSince(ctx, AlertManyReads, r.UserID, now.Add(-window))
			if err != nil {
				return err
			}
			if done {
				continue
			}
			reason := fmt.Sprintf("%d records read in under %d minutes", r.Reads, int(window.Minutes()))
			if err := tx.CreateAlert(ctx, &account.Alert{SiteID: r.SiteID, Kind: AlertManyReads, UserID: r.UserID, RecordType: "user",
				RecordID: strconv.FormatInt(r.UserID, 10), Reason: reason}); err != nil {
				return err
			}
			if err := tx.Audit(ctx, audit.Event{Action: "alert.many_reads", ActorRole: "system", RecordType: "user",
				RecordID: strconv.FormatInt(r.UserID, 10), SiteID: r.SiteID, Remote: "read-watch", Reason: reason, Outcome: audit.OutcomeOK}); err != nil {
				return err
			}
			raised++
		}
		return nil
	})
	return raised, err
}
