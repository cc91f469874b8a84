// Package audit is the tamper-evident audit log of the Drive platform.
//
// An audit event records who, acting in which role, did what to which
// record, when, from where and, for break-glass access and disclosures, why.
// It never records the data itself: no names, addresses, notes, risk
// answers or any other content of the record touched. The log is read by the
// data protection officer and by investigators of misuse; if it held
// content, every audit view would become a second copy of the most sensitive
// data in the system and would need the same compartments (ARCHITECTURE.md
// §2), and an export of the log would be a disclosure in its own right.
//
// # Chain
//
// Events are numbered 1, 2, 3, … without gaps and each carries the hash of
// the event before it (the first carries the genesis hash, 32 zero bytes).
// Each event's Hash is SHA-256 over a fixed, length-prefixed encoding of all
// of its fields, including its number and the previous hash. Anyone who
// changes, removes, inserts or reorders events in the table therefore breaks
// the chain at a point the Verifier can name, unless they also rewrite every
// event after that point.
//
// Rewriting the tail of the log, or cutting it short, is caught by signed
// checkpoints: a Checkpoint records the number and hash of the newest event
// at a moment in time and is signed with an Ed25519 key kept away from the
// database. A later verification against that checkpoint proves that the
// log still contains exactly the events the checkpoint covers.
//
// # Storage
//
// The package computes and checks; it does not store. The storage layer:
//
//   - appends an event in the same transaction as the change it records, by
//     reading the newest event's number and hash (the Head), calling
//     Head.Next and inserting the result;
//   - serialises appends, because two transactions that read the same head
//     would fork the chain. A unique constraint on the number makes the
//     loser of a race fail instead of forking; PostgreSQL also needs a lock
//     (for example an advisory lock or SELECT … FOR UPDATE on a head row)
//     so that the race is rare; SQLite serialises writers already;
//   - keeps At with microsecond precision (the hash covers Unix
//     microseconds, so the time zone a driver returns does not matter);
//   - streams events in order of number into a Verifier to check the log.
//
// The package has no mutable package-level state, reads no clock and draws
// randomness only from the io.Reader it is given.
package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// Actions recorded by the platform. Other packages may record further
// actions; any lower-case dotted verb passes Validate.
const (
	ActionSigninSuccess  = "signin.success"  // a user signed in
	ActionSigninFailure  = "signin.failure"  // a sign-in attempt failed
	ActionRecordRead     = "record.read"     // a record was shown or returned
	ActionRecordWrite    = "record.write"    // a record was created or changed
	ActionRecordExport   = "record.export"   // a record left the system (export, print, disclosure)
	ActionAccessDenied   = "access.denied"   // the policy refused an action
	ActionBreakGlassOpen = "breakglass.open" // break-glass access to the victim compartment
)

// Outcomes of an audited action.
const (
	OutcomeAllowed = "allowed" // the policy allowed the action
	OutcomeDenied  = "denied"  // the policy refused the action
	OutcomeOK      = "ok"      // the action happened
	OutcomeFailed  = "failed"  // the action was attempted and failed
)

// Limits on the lengths of fields, in bytes. They keep identifiers short
// enough that free text (and so the data itself) has no room to creep into
// them, and bound the size of a row.
const (
	maxNameLen   = 64   // ActorRole, Action, RecordType
	maxIDLen     = 128  // RecordID, Remote
	maxReasonLen = 2000 // Reason
)

// Event is one entry in the audit log: who (ActorID, ActorRole), did what
// (Action, Outcome), to which record (RecordType, RecordID, SiteID), when
// (At), from where (Remote) and why (Reason).
//
// An event records who did what to which record, never the content of the
// record: no names, addresses, contact details, notes or answers appear in
// any field, and Reason is the user's stated justification, not a copy of
// what they saw.
//
// Seq, PrevHash and Hash are the chain fields. They are assigned by
// Head.Next (or Seal) when the event is appended and are never set by the
// code that describes what happened.
type Event struct {
	// Seq is the event's number: 1 for the first event in the log, then
	// 2, 3, … with no gaps. A gap means an event was removed.
	Seq int64
	// At is when the action happened, in UTC, truncated to microseconds so
	// that it survives a round trip through SQLite and PostgreSQL unchanged.
	At time.Time
	// ActorID is the user who acted; 0 for an anonymous caller (a failed
	// sign-in for an unknown account) or for the system itself.
	ActorID int64
	// ActorRole is the role the actor acted in (for example "idva"), or
	// "system"; empty for anonymous callers.
	ActorRole string
	// Action is a lower-case dotted verb such as "record.read".
	Action string
	// RecordType and RecordID name the record acted on, if any (for example
	// "perpetrator_case" and "1042"). They identify; they never describe.
	RecordType string
	RecordID   string
	// SiteID is the site whose data was touched; 0 for none.
	SiteID int64
	// Remote is the client's network address.
	Remote string
	// RequestID is the id of the web request that caused the event, as its
	// log lines give it, so an operator can go from a log line to what the
	// request did and back; empty for work no request caused (commands,
	// background jobs) and for events written before ids were recorded.
	// The hash covers it only when it is set, so older chains verify.
	RequestID string
	// Reason is the justification the user gave, required for break-glass
	// access and expected for disclosures.
	Reason string
	// Outcome is OutcomeAllowed, OutcomeDenied, OutcomeOK or OutcomeFailed.
	Outcome string
	// PrevHash is the Hash of event Seq-1, or the genesis hash (32 zero
	// bytes) for event 1.
	PrevHash []byte
	// Hash is SHA-256 over the event's canonical encoding; see Seal.
	Hash []byte
}

// Validate reports whether the descriptive fields of e are acceptable for a
// new event: everything except Seq, PrevHash and Hash, which Head.Next
// assigns. It returns a *drive.Error with code drive.EINVALID naming each
// field that is wrong.
//
// Validate is for events about to be appended. The Verifier does not call
// it: an old event whose hash matches is intact even if the rules for new
// events have since become stricter.
func (e Event) Validate() error {
	fields := map[string]string{}
	if e.At.IsZero() {
		fields["at"] = "is required"
	} else if y := e.At.UTC().Year(); y < 1 || y > 9999 {
		// RFC 3339 and both databases cover years 1 to 9999 only.
		fields["at"] = "must be between the years 1 and 9999"
	}
	if e.ActorID < 0 {
		fields["actor_id"] = "must not be negative"
	}
	if e.SiteID < 0 {
		fields["site_id"] = "must not be negative"
	}
	if e.ActorRole != "" && !isName(e.ActorRole, false) {
		fields["actor_role"] = fmt.Sprintf("must be at most %d lower-case letters, digits and underscores", maxNameLen)
	}
	switch {
	case e.Action == "":
		fields["action"] = "is required"
	case !isName(e.Action, true):
		fields["action"] = fmt.Sprintf("must be a lower-case dotted verb such as %q, at most %d characters", ActionRecordRead, maxNameLen)
	}
	if e.RecordType != "" && !isName(e.RecordType, false) {
		fields["record_type"] = fmt.Sprintf("must be at most %d lower-case letters, digits and underscores", maxNameLen)
	}
	if e.RecordID != "" {
		if e.RecordType == "" {
			fields["record_type"] = "is required when a record is named"
		}
		if !isToken(e.RecordID, "._:-") {
			fields["record_id"] = fmt.Sprintf("must be an identifier of at most %d letters, digits and . _ : -", maxIDLen)
		}
	}
	if e.Remote != "" && !isToken(e.Remote, ".:[]%_-") {
		fields["remote"] = fmt.Sprintf("must be a network address of at most %d characters", maxIDLen)
	}
	if e.RequestID != "" && !isToken(e.RequestID, "_-") {
		fields["request_id"] = fmt.Sprintf("must be an identifier of at most %d letters, digits, _ and -", maxIDLen)
	}
	switch {
	case len(e.Reason) > maxReasonLen:
		fields["reason"] = fmt.Sprintf("must be at most %d characters", maxReasonLen)
	case !isText(e.Reason):
		fields["reason"] = "must be text without control characters"
	case e.Action == ActionBreakGlassOpen && e.Outcome == OutcomeAllowed && strings.TrimSpace(e.Reason) == "":
		// Break-glass access without a stated reason cannot be reviewed.
		fields["reason"] = "is required for break-glass access"
	}
	switch e.Outcome {
	case OutcomeAllowed, OutcomeDenied, OutcomeOK, OutcomeFailed:
	case "":
		fields["outcome"] = "is required"
	default:
		fields["outcome"] = fmt.Sprintf("must be one of %s, %s, %s or %s", OutcomeAllowed, OutcomeDenied, OutcomeOK, OutcomeFailed)
	}
	if len(fields) == 0 {
		return nil
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("The audit event is not valid: ")
	for i, name := range names {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(name + " " + fields[name])
	}
	b.WriteString(".")
	return &drive.Error{Code: drive.EINVALID, Message: b.String(), Fields: fields}
}

// CheckRecord reports what is wrong with a record type and record id as
// a search for events (the audit log page), by the rules Validate holds
// new events to: a pair that breaks them names no event, so it is the
// searcher's input to correct, not a failure of the log. It returns
// per-field messages keyed "record_type" and "record_id", or nil.
func CheckRecord(recordType, recordID string) map[string]string {
	fields := map[string]string{}
	if recordType != "" && !isName(recordType, false) {
		fields["record_type"] = fmt.Sprintf("Enter a record type such as case, person, victim or user: lower-case letters, digits and underscores, at most %d", maxNameLen)
	}
	if recordID != "" && !isToken(recordID, "._:-") {
		fields["record_id"] = fmt.Sprintf("Enter the record number as shown on the record, without spaces: letters, digits and . _ : -, at most %d", maxIDLen)
	}
	if len(fields) == 0 {
		return nil
	}
	return fields
}

// isName reports whether s is a short lower-case identifier: letters, digits
// and underscores, starting with a letter. With dotted set it must be two or
// more such words joined by dots, as in "record.read".
func isName(s string, dotted bool) bool {
	if len(s) > maxNameLen {
		return false
	}
	words := []string{s}
	if dotted {
		words = strings.Split(s, ".")
		if len(words) < 2 {
			return false
		}
	}
	for _, w := range words {
		if w == "" || w[0] < 'a' || w[0] > 'z' {
			return false
		}
		for i := 0; i < len(w); i++ {
			c := w[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}

// isToken reports whether s is at most maxIDLen ASCII letters, digits and
// the given punctuation. Identifiers and addresses have no room for spaces,
// so they cannot carry a sentence (or a name) by mistake.
func isToken(s, punct string) bool {
	if len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(punct, c) >= 0) {
			return false
		}
	}
	return true
}

// isText reports whether s is valid UTF-8 without control characters other
// than tab and newline, so that a reason shown in a terminal or a page cannot
// rewrite what is displayed around it.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\t' || r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return false
		}
	}
	return true
}

// normalTime returns t in UTC truncated to microseconds: the precision both
// databases keep, and the precision the hash covers.
func normalTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// requestKey is the context key of the request id.
type requestKey struct{}

// WithRequestID returns ctx carrying the id of the web request being
// served, so the audit events written while serving it record it (the
// store reads it when an event has none of its own).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey{}, id)
}

// RequestIDFrom returns the request id ctx carries, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestKey{}).(string)
	return id
}
