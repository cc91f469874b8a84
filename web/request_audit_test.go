package web

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestRequestIDInAudit: the id a request's log line gives is recorded on
// the audit events the request wrote, and the chain, holding events with
// an id and events without (written outside any request), verifies.
func TestRequestIDInAudit(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			f := newSiteFixture(t, e, now, []access.Role{access.DPO}, nil)
			// An event written outside any request: no id.
			if err := f.db.Transact(ctx, func(tx *store.Tx) error {
				return tx.Audit(ctx, audit.Event{Action: "site.create", Outcome: audit.OutcomeOK, RecordType: "site", RecordID: "1"})
			}); err != nil {
				t.Fatal(err)
			}
			logs := &lockedBuffer{}
			srv, err := New(Config{Service: f.srv.svc, Log: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				req := httptest.NewRequest("GET", "/audit?record_type=site&record_id=1", nil)
				req.Header.Set("Cookie", "drive_session="+f.tokens[access.DPO])
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("GET /audit: %d", rec.Code)
				}
			}
			var ids []string
			sc := bufio.NewScanner(strings.NewReader(logs.String()))
			for sc.Scan() {
				var line struct {
					Msg       string `json:"msg"`
					Route     string `json:"route"`
					RequestID string `json:"request_id"`
				}
				if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "request" && line.Route == "GET /audit" {
					ids = append(ids, line.RequestID)
				}
			}
			if len(ids) != 2 || ids[0] == "" || ids[0] == ids[1] {
				t.Fatalf("request ids logged: %q", ids)
			}
			var reads []audit.Event
			if err := f.db.View(ctx, func(tx *store.Tx) (err error) {
				reads, err = tx.AuditEvents(ctx, store.AuditFilter{Actions: []string{"audit.read"}})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, ev := range reads {
				got[ev.RequestID] = true
			}
			if len(reads) != 2 || !got[ids[0]] || !got[ids[1]] {
				t.Fatalf("the audit reads carry %v, the log %q", got, ids)
			}
			v, err := audit.NewVerifier()
			if err != nil {
				t.Fatal(err)
			}
			withID, withoutID := 0, 0
			if err := f.db.EachAuditEvent(ctx, func(ev audit.Event) error {
				if ev.RequestID == "" {
					withoutID++
				} else {
					withID++
				}
				return v.Add(ev)
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Finish(); err != nil {
				t.Fatalf("the chain does not verify: %v", err)
			}
			if withID < 2 || withoutID < 1 {
				t.Errorf("events with an id %d, without %d", withID, withoutID)
			}
		})
	}
}
