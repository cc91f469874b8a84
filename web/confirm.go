package web

import (
	"net/http"

	"github.com/drive-platform/drive/casework"
)

// changeDone is the confirmation the case, victim-survivor, person and
// referral pages show after a change, by the "done" code the change
// redirects with. Like meetingDone, a code is a fixed word: the address
// says what kind of change was made, never what was written or about whom.
// Each message says what changed, so a worker who saves a contact knows it
// is saved without scrolling to find it.
var changeDone = map[string]string{
	// Evaluation projects (web/evaluation.go).
	"project":   "Evaluation project created: a data protection officer must approve it before any extract is released",
	"approved":  "Project approved: extracts may now be released",
	"withdrawn": "Project withdrawn: no further extracts will be released or downloaded",
	"released":  "Extract released: the project's evaluators can download it",
	// The background job queue (web/jobs.go).
	"job_retried": "Job queued again: a worker will run it within a few seconds",
	// Legal holds (web/retention.go).
	"hold_placed":   "Legal hold placed: no retention run will remove what it holds until it is lifted",
	"hold_released": "Legal hold lifted: the next retention run applies the schedule again",
	// Police data imports (web/identify.go).
	"mapping_deleted": "Saved mapping deleted",
	"list_referral":   "Referral made: it waits with the site's referrals for the panel to decide",
	// Case page (web/cases.go caseForm).
	"referral":          "Referral recorded: this is the new case",
	"escalated":         "Case escalated: this is the new referral",
	"engagement":        "Engagement updated",
	"plan_action":       "Action added to the plan",
	"plan_action_saved": "Action updated",
	"contact":           "Contact logged",
	"review":            "Review recorded",
	"note":              "Note added",
	"note_corrected":    "Correction to the note added",
	"link_confirmed":    "Police record confirmed as linked",
	"link_rejected":     "Police record link rejected",
	"moved":             "Decision recorded",
	// The decisions form, one code for each step it can take.
	"accepted_referral": "Referral accepted",
	"declined":          "Referral declined",
	"allocated":         "Case allocated",
	"reallocated":       "Case reallocated",
	"started":           "Intervention started",
	"closing":           "Closure started: the case is closing",
	"resumed":           "Case resumed",
	"closed":            "Case closed",
	"transfer":          "Transfer requested: the receiving site must accept it",
	"transfer_accepted": "Transfer accepted",
	"transfer_rejected": "Transfer rejected",
	"reopened":          "Case reopened",
	// Person pages (web/cases.go personForm).
	"merged":         "Records merged",
	"unmerged":       "Merge undone",
	"person_details": "Details saved",
	// Victim-survivor's page (web/victims.go, web/victim_voice.go).
	"victim_opened":  "Victim-survivor's case opened",
	"dash":           "DASH risk assessment saved",
	"protected":      "Protected details saved",
	"safety_plan":    "Safety plan saved",
	"victim_note":    "Note added",
	"victim_contact": "Contact logged",
	"child":          "Child added",
	"behaviour":      "Behaviour assessment recorded",
	"victim_case":    "Allocation and case status saved",
	"held_decided":   "Decision on the held text recorded",
	"marac":          "MARAC hearing recorded",
	"outcome":        "Reported outcome recorded",
	// Appointments (web/appointments.go), on either side.
	"appointment":           "Appointment planned: you will be reminded the day before",
	"appointment_cancelled": "Appointment cancelled",
	"calendar_revoked":      "Calendar address revoked: it no longer works",
	// Documents (web/documents.go), on either side.
	"document": "Document attached",
}

// moveDone is the code for each step the decisions form takes.
var moveDone = map[casework.Event]string{
	casework.Accept:         "accepted_referral",
	casework.Decline:        "declined",
	casework.Allocate:       "allocated",
	casework.Reallocate:     "reallocated",
	casework.Start:          "started",
	casework.BeginClosure:   "closing",
	casework.Resume:         "resumed",
	casework.Close:          "closed",
	casework.Transfer:       "transfer",
	casework.AcceptTransfer: "transfer_accepted",
	casework.RejectTransfer: "transfer_rejected",
	casework.Reopen:         "reopened",
}

// moveCode is the confirmation code for a step of the workflow; a step
// without its own gets the general one.
func moveCode(e casework.Event) string {
	if c, ok := moveDone[e]; ok {
		return c
	}
	return "moved"
}

// linkCode is the confirmation code for a decision on a police record link.
func linkCode(confirm bool) string {
	if confirm {
		return "link_confirmed"
	}
	return "link_rejected"
}

// confirm answers a successful change by redirecting to target with the
// code of its confirmation. The address carries no fragment: the page
// opens at its top, where the banner takes the focus once GOV.UK Frontend
// starts it, and a browser moving to a fragment after that would move the
// focus off the banner, so the person would not hear what was saved.
func confirm(w http.ResponseWriter, r *http.Request, target, code string) {
	http.Redirect(w, r, target+"?done="+code, http.StatusSeeOther) // #nosec G710 -- targets are paths the handlers build from record ids, never from the request
}

// doneMessage is the confirmation for a "done" code, or "" for none or
// for a code no change uses.
func doneMessage(code string) string {
	if m, ok := changeDone[code]; ok {
		return m
	}
	return meetingDone[code]
}

// doneMessageOf is the confirmation the request's "done" code names.
func doneMessageOf(r *http.Request) string {
	return doneMessage(r.URL.Query().Get("done"))
}
