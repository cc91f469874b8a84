package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// RunAuditSearch checks the audit search's filter by part (AuditFilter
// Part): a write is found by a part its reason names, whether the part is
// the whole reason or its first, last or a middle piece; a part is matched
// as itself, never as a wildcard or as the start or end of another part's
// words; and the filter combines with the others.
func RunAuditSearch(t *testing.T, e Engine) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, FixedClock(now))
	write := func(id, reason string) audit.Event {
		return audit.Event{Action: audit.ActionRecordWrite, ActorID: 7, ActorRole: "case_manager", RecordType: "case", RecordID: id,
			SiteID: 1, Remote: "127.0.0.1", Outcome: audit.OutcomeAllowed, Reason: reason}
	}
	events := []audit.Event{
		write("1", audit.Part(audit.PartNote)),
		write("2", audit.Reason("break-glass", audit.Part(audit.PartNote))),
		write("3", audit.Part(audit.PartName, audit.PartNote, audit.PartAddresses)),
		write("4", audit.Reason("document 3 attached", audit.Part(audit.PartDocument))),
		write("5", audit.Part(audit.PartNoteCorrection)),
		write("6", "a note"),
		write("7", audit.Part(audit.PartNote, audit.PartAddresses)),
		{Action: audit.ActionRecordRead, ActorID: 8, ActorRole: "team_leader", RecordType: "case", RecordID: "8", SiteID: 1,
			Outcome: audit.OutcomeAllowed, Reason: audit.Part(audit.PartNote)},
	}
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		for _, ev := range events {
			if err := tx.Audit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    store.AuditFilter
		want []string
	}{
		{"a part anywhere in the reason", store.AuditFilter{Part: audit.PartNote}, []string{"8", "7", "3", "2", "1"}},
		{"the last of several", store.AuditFilter{Part: audit.PartAddresses}, []string{"7", "3"}},
		{"after a detail", store.AuditFilter{Part: audit.PartDocument}, []string{"4"}},
		{"another part's words are not it", store.AuditFilter{Part: audit.PartNoteCorrection}, []string{"5"}},
		{"with the other filters", store.AuditFilter{Part: audit.PartNote, Actions: []string{audit.ActionRecordWrite}, RecordType: "case"}, []string{"7", "3", "2", "1"}},
		{"a wildcard is itself", store.AuditFilter{Part: "%"}, nil},
		{"a part nothing names", store.AuditFilter{Part: audit.PartSafetyPlan}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			if err := db.View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEvents(ctx, tc.f)
				for _, e := range es {
					got = append(got, e.RecordID)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("records %v; want %v", got, tc.want)
			}
		})
	}
}
