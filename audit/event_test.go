package audit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

// testTime is the frozen clock of these tests.
func testTime() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) }

// sampleEvent returns the i-th event of a synthetic but varied log: every
// field takes several values, some empty, so that each field's encoding is
// exercised. Identifiers are made up; no real data.
func sampleEvent(i int) Event {
	actions := []string{ActionSigninSuccess, ActionRecordRead, ActionRecordWrite, ActionRecordExport,
		ActionAccessDenied, ActionBreakGlassOpen, ActionSigninFailure}
	roles := []string{"case_manager", "idva", "team_leader", "dpo", "system"}
	types := []string{"perpetrator_case", "victim_case", "note", "referral"}
	e := Event{
		At:      testTime().Add(time.Duration(i)*time.Second + time.Duration(i%7)*time.Microsecond),
		ActorID: int64(100 + i%13),
		Action:  actions[i%len(actions)],
		Outcome: OutcomeOK,
		Remote:  "192.0.2." + itoa(1+i%200),
	}
	e.ActorRole = roles[i%len(roles)]
	switch e.Action {
	case ActionSigninSuccess:
	case ActionSigninFailure:
		e.ActorID, e.ActorRole, e.Outcome = 0, "", OutcomeFailed
	case ActionAccessDenied:
		e.Outcome = OutcomeDenied
		fallthrough
	default:
		e.RecordType = types[i%len(types)]
		e.RecordID = itoa(1000 + i)
		e.SiteID = int64(1 + i%3)
	}
	if e.Action == ActionBreakGlassOpen {
		e.Outcome = OutcomeAllowed
		e.Reason = "Urgent safeguarding review requested by the duty manager"
	}
	if e.Action == ActionRecordExport {
		e.Reason = "Disclosure to the panel under the information sharing agreement"
	}
	return e
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestValidate(t *testing.T) {
	valid := Event{At: testTime(), ActorID: 7, ActorRole: "idva", Action: ActionRecordRead,
		RecordType: "victim_case", RecordID: "c-1042", SiteID: 2, Remote: "[2001:db8::1]:443", Outcome: OutcomeAllowed}
	if err := valid.Validate(); err != nil {
		t.Fatalf("valid event: %v", err)
	}
	for i := range 50 {
		if err := sampleEvent(i).Validate(); err != nil {
			t.Fatalf("sample event %d: %v", i, err)
		}
	}
	tests := []struct {
		name  string
		edit  func(*Event)
		field string
	}{
		{"no time", func(e *Event) { e.At = time.Time{} }, "at"},
		{"time after 9999", func(e *Event) { e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "at"},
		{"negative actor", func(e *Event) { e.ActorID = -1 }, "actor_id"},
		{"negative site", func(e *Event) { e.SiteID = -1 }, "site_id"},
		{"role with capitals", func(e *Event) { e.ActorRole = "IDVA" }, "actor_role"},
		{"role with space", func(e *Event) { e.ActorRole = "case manager" }, "actor_role"},
		{"no action", func(e *Event) { e.Action = "" }, "action"},
		{"undotted action", func(e *Event) { e.Action = "read" }, "action"},
		{"action with empty word", func(e *Event) { e.Action = "record..read" }, "action"},
		{"action ending in dot", func(e *Event) { e.Action = "record." }, "action"},
		{"action starting with digit", func(e *Event) { e.Action = "1record.read" }, "action"},
		{"action too long", func(e *Event) { e.Action = "record." + strings.Repeat("a", maxNameLen) }, "action"},
		{"record type with dot", func(e *Event) { e.RecordType = "victim.case" }, "record_type"},
		{"record id without type", func(e *Event) { e.RecordType = "" }, "record_type"},
		{"record id with space", func(e *Event) { e.RecordID = "Jane Doe" }, "record_id"},
		{"record id too long", func(e *Event) { e.RecordID = strings.Repeat("1", maxIDLen+1) }, "record_id"},
		{"remote with space", func(e *Event) { e.Remote = "192.0.2.1 x" }, "remote"},
		{"reason with escape", func(e *Event) { e.Reason = "ok\x1b[2J" }, "reason"},
		{"reason with bidi override", func(e *Event) { e.Reason = "ok\u202egnp" }, "reason"},
		{"reason not utf-8", func(e *Event) { e.Reason = "\xff" }, "reason"},
		{"reason too long", func(e *Event) { e.Reason = strings.Repeat("a", maxReasonLen+1) }, "reason"},
		{"break-glass without reason", func(e *Event) { e.Action = ActionBreakGlassOpen; e.Reason = "  " }, "reason"},
		{"no outcome", func(e *Event) { e.Outcome = "" }, "outcome"},
		{"unknown outcome", func(e *Event) { e.Outcome = "success" }, "outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid
			tt.edit(&e)
			err := e.Validate()
			var de *drive.Error
			if !errors.As(err, &de) || de.Code != drive.EINVALID {
				t.Fatalf("Validate() = %v, want a drive.EINVALID error", err)
			}
			if _, ok := de.Fields[tt.field]; !ok || len(de.Fields) != 1 {
				t.Errorf("fields = %v, want only %q", de.Fields, tt.field)
			}
			if !strings.Contains(de.Message, tt.field) {
				t.Errorf("message %q does not name %q", de.Message, tt.field)
			}
		})
	}

	t.Run("allowed variants", func(t *testing.T) {
		for _, edit := range []func(*Event){
			func(e *Event) { e.ActorID, e.ActorRole = 0, "" },
			func(e *Event) { e.RecordType, e.RecordID, e.SiteID = "", "", 0 },
			func(e *Event) { e.Remote = "" },
			func(e *Event) { e.Action = ActionBreakGlassOpen; e.Outcome = OutcomeDenied },
			func(e *Event) { e.Reason = "Line one\n\tline two, with é and ü" },
			func(e *Event) { e.Action = "casework.state_change" },
			func(e *Event) { e.At = time.Date(2026, 3, 2, 10, 0, 0, 1, time.FixedZone("BST", 3600)) },
		} {
			e := valid
			edit(&e)
			if err := e.Validate(); err != nil {
				t.Errorf("%+v: %v", e, err)
			}
		}
	})

	t.Run("several problems", func(t *testing.T) {
		err := Event{}.Validate()
		var de *drive.Error
		if !errors.As(err, &de) {
			t.Fatalf("Validate() = %v", err)
		}
		for _, f := range []string{"at", "action", "outcome"} {
			if _, ok := de.Fields[f]; !ok {
				t.Errorf("fields %v lack %q", de.Fields, f)
			}
		}
		if want := "The audit event is not valid: action is required; at is required; outcome is required."; de.Message != want {
			t.Errorf("message = %q, want %q", de.Message, want)
		}
	})
}
