package audit

import (
	"sort"
	"strings"
)

// The audit log page says what happened in a sentence ("Laura Bennett read
// the victim compartment of IDVA case 17") rather than in the log's own
// codes, so that a data protection officer can read a person's trail
// without a key. The words come from the event's fields alone: the log
// holds no content, so neither can the sentence.

// recordNouns names each record type as people call it.
var recordNouns = map[string]string{
	"case":               "perpetrator case",
	"victim":             "IDVA case",
	"person":             "person record",
	"police_person":      "police record",
	"user":               "user account",
	"site":               "site",
	"meeting":            "meeting",
	"meeting_series":     "meeting series",
	"action":             "action",
	"held_text":          "withheld text",
	"evaluation_project": "evaluation project",
	"evaluation_extract": "evaluation extract",
	"organisation":       "organisation",
	"account_request":    "account request",
	"api_token":          "API token",
	"notification":       "notification",
	"marac_return":       "MARAC data return",
	"report":             "report",
	"configuration":      "configuration",
	"keyring":            "encryption keys",
	"route":              "page",
}

// RecordNoun names a record type in words ("victim" is "IDVA case"); an
// unknown type is shown with its underscores as spaces.
func RecordNoun(recordType string) string {
	if n, ok := recordNouns[recordType]; ok {
		return n
	}
	return strings.ReplaceAll(recordType, "_", " ")
}

// RecordTypes are the record types a search may name, with their nouns,
// in the order of the nouns.
func RecordTypes() [][2]string {
	var out [][2]string
	for t, n := range recordNouns {
		out = append(out, [2]string{t, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][1] < out[j][1] })
	return out
}

// actionWords says what an action did: a verb phrase taking the record
// after it, or a whole predicate when the action names no record.
var actionWords = map[string]string{
	ActionRecordRead:              "read",
	ActionRecordWrite:             "changed",
	ActionRecordExport:            "exported",
	"record.list":                 "listed",
	ActionAccessDenied:            "was refused access to",
	ActionBreakGlassOpen:          "broke glass to open the victim compartment of",
	"compartment.read":            "read the victim compartment of",
	ActionSigninSuccess:           "signed in",
	ActionSigninFailure:           "failed to sign in",
	"signin.throttled":            "was stopped from signing in after too many attempts",
	"signin.password_only":        "signed in with a password alone",
	"signin.oidc_only":            "was told to sign in through their organisation",
	"signin.oidc_verified":        "signed in through their organisation",
	"signin.browser_remembered":   "had a browser remembered for signing in",
	"signin.browser_forgotten":    "had a remembered browser forgotten",
	"reauth.success":              "confirmed who they are again",
	"reauth.failure":              "failed to confirm who they are",
	"reauth.throttled":            "was stopped from confirming who they are after too many attempts",
	"session.end":                 "signed out",
	"audit.read":                  "searched the audit log for",
	"barrier.screen":              "had text screened on",
	"barrier.hold":                "had text withheld from the perpetrator side on",
	"barrier.release":             "released withheld text on",
	"barrier.keep":                "kept text withheld on",
	"meeting.write":               "changed",
	"meeting.publish":             "published the agenda of",
	"meeting.minutes":             "published the minutes of",
	"meeting.download":            "downloaded the minutes of",
	"meeting.confidentiality":     "accepted the confidentiality statement of",
	"casework.state_change":       "moved",
	"user.create":                 "created",
	"site.create":                 "created",
	"organisation.create":         "created",
	"token.create":                "created",
	"token.revoke":                "revoked",
	"totp.enrolled":               "set up a second factor for",
	"totp.reset":                  "reset the second factor of",
	"keys.rotate":                 "rotated",
	"programme.set":               "changed a programme's settings at",
	"notification.read":           "read",
	"notification.email":          "was sent an email about",
	"identify.match_sites":        "matched people across sites for",
	"demo.seed":                   "made demonstration data at",
	"evaluation.project_create":   "created",
	"evaluation.project_approve":  "approved",
	"evaluation.project_withdraw": "withdrew",
	"evaluation.extract_write":    "wrote",
	"evaluation.extract_release":  "released",
	"evaluation.extract_download": "downloaded",
	"account_request.create":      "made",
	"person.merge":                "merged",
	"person.unmerge":              "undid the merge of",
}

// Actions are the actions a search may name, with what they did in words,
// in the order of the words.
func Actions() [][2]string {
	var out [][2]string
	for a, w := range actionWords {
		out = append(out, [2]string{a, w})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][1] < out[j][1] || out[i][1] == out[j][1] && out[i][0] < out[j][0] })
	return out
}

// IsSignIn reports whether an action is about signing in or out rather
// than about a record: events a site's data protection officer sees for
// the site's own staff, though they touch no site's data.
func IsSignIn(action string) bool {
	return strings.HasPrefix(action, "signin.") || strings.HasPrefix(action, "reauth.") || action == "session.end"
}

// partPrefix marks an event's reason as naming the part of the record a
// write changed.
const partPrefix = "part: "

// Part is the reason of a write that changed the named parts of a record
// (PartSafetyPlan): the parts' names alone, never their content, so the
// audit log's sentence can say what changed ("changed IDVA case 17 (the
// safety plan)") and a search can find every change to one part. No part
// gives an empty reason.
func Part(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, partPrefix+p)
		}
	}
	return strings.Join(out, "; ")
}

// Reason joins the pieces of an event's reason (a break-glass mark, a
// detail, Part) with "; ", leaving out the empty ones. The part goes last
// by convention, so a search by part matches the end of the reason.
func Reason(pieces ...string) string {
	var out []string
	for _, p := range pieces {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// Detail is an event's reason without the parts it names: the sentence
// (Sentence) already says them, so the audit log page shows only the rest
// ("break-glass", "appointment 8 planned").
func Detail(reason string) string {
	var out []string
	for _, r := range strings.Split(reason, "; ") {
		if !strings.HasPrefix(r, partPrefix) {
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}

// PartsOf are the parts an event's reason names, in order.
func PartsOf(reason string) []string {
	var out []string
	for _, r := range strings.Split(reason, "; ") {
		if part, ok := strings.CutPrefix(r, partPrefix); ok {
			out = append(out, part)
		}
	}
	return out
}

// Sentence says what e records in words. who is the actor's name (the
// caller looks it up; "" for nobody signed in), and it is never taken
// from the event. The sentence ends with the outcome when the action was
// refused or failed.
func Sentence(e Event, who string) string {
	switch {
	case who != "":
	case e.ActorRole == "system":
		who = "The system"
	default:
		who = "Someone not signed in"
	}
	verb, known := actionWords[e.Action]
	if !known {
		verb = "did " + strings.ReplaceAll(e.Action, "_", " ") + " to"
	}
	if e.Action == "session.end" && e.Reason != "" {
		// Not signed out by them: a timeout, the account disabled or a
		// credential changed ended it, and the reason is our own words.
		verb = "was signed out (" + e.Reason + ")"
	}
	var b strings.Builder
	b.WriteString(who + " " + verb)
	if e.RecordType != "" && !(IsSignIn(e.Action) && e.RecordType == "user") {
		b.WriteString(" " + RecordNoun(e.RecordType))
		if e.RecordID != "" {
			b.WriteString(" " + e.RecordID)
		}
	}
	if parts := PartsOf(e.Reason); len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	switch {
	case IsSignIn(e.Action):
		// The words already say whether it worked.
	case e.Outcome == OutcomeDenied:
		if e.Action != ActionAccessDenied {
			b.WriteString(", and was refused")
		}
	case e.Outcome == OutcomeFailed:
		b.WriteString(", which failed")
	}
	return b.String()
}
