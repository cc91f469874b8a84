package web

import (
	"net/http"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/api"
	"strings"
)

// kind says how a route's errors are rendered and how it is cached.
type kind int

const (
	pageRoute  kind = iota // HTML for people; errors as branded pages
	apiRoute               // JSON under /api/v1; errors as JSON
	probeRoute             // plain text for orchestrators and monitoring
	assetRoute             // immutable static files
	// survivorRoute is a page of the survivor route (/feedback): no
	// session is read or made, and errors are shown on its own neutral
	// page in her language (web/feedback.go).
	survivorRoute
)

// route is one entry of the route list.
type route struct {
	method string // "" matches any method
	path   string // a net/http ServeMux path pattern
	kind   kind
	gate   gate
	// need is the access a user must hold somewhere (at a site or
	// nationally) for the route to exist for them; without it the route
	// answers "not found". Handlers still decide each record.
	need   need
	handle func(w http.ResponseWriter, r *http.Request) error
}

// maxUpload is the largest file a page accepts: a big force's three-year
// extract is about 50 MB.
const maxUpload = 256 << 20

// upload says the route takes a file, so its body may be up to maxUpload
// instead of the 1 MiB every other form is held to.
func (rt route) upload() bool {
	return rt.method == "POST" && (rt.path == "/identify/import" || rt.path == "/api/v1/imports")
}

// documentUploadRoute says the route takes a document for a case, so its
// body may be up to documentUpload.
func (rt route) documentUploadRoute() bool {
	return rt.method == "POST" && (rt.path == "/cases/{id}/documents" || rt.path == "/victims/{id}/documents")
}

func (rt route) pattern() string {
	if rt.method == "" {
		return rt.path
	}
	return rt.method + " " + rt.path
}

// need names a data class and the action a route performs on it.
type need struct {
	class access.DataClass
	act   access.Action
}

var none = need{}

// routeList is every route the server answers, top to bottom. Nothing is
// registered anywhere else.
func (s *Server) routeList() []route {
	return []route{
		// Probes and monitoring.
		{"GET", "/healthz", probeRoute, public, none, s.healthz},
		{"GET", "/readyz", probeRoute, public, none, s.readyz},
		{"GET", "/metrics", probeRoute, public, none, s.serveMetrics},

		// Static assets under content-hashed names.
		{"GET", "/assets/", assetRoute, public, none, s.serveAsset},

		// Signing in and out.
		{"GET", "/signin", pageRoute, public, none, s.signinForm},
		{"POST", "/signin", pageRoute, public, none, s.signin},
		{"GET", "/enrol", pageRoute, enrolling, none, s.enrolForm},
		{"POST", "/enrol", pageRoute, enrolling, none, s.enrol},
		{"POST", "/signout", pageRoute, public, none, s.signout},
		{"GET", "/signin/oidc/{org}", pageRoute, public, none, s.oidcStart},
		{"GET", "/signin/oidc/callback", pageRoute, public, none, s.oidcCallback},
		{"GET", "/signin/oidc/code", pageRoute, public, none, s.oidcCodeForm},
		{"POST", "/signin/oidc/code", pageRoute, public, none, s.oidcCode},

		// Pages.
		{"GET", "/{$}", pageRoute, enrolled, none, s.home},
		{"GET", "/accessibility", pageRoute, public, none, s.accessibility},
		{"GET", "/privacy", pageRoute, public, none, s.privacy},

		// Her own voice: the survivor route, with no account (web/feedback.go).
		{"GET", "/feedback", survivorRoute, public, none, s.feedbackStart},
		{"POST", "/feedback", survivorRoute, public, none, s.feedbackCode},
		{"POST", "/feedback/answers", survivorRoute, public, none, s.feedbackAnswers},
		{"GET", "/feedback/style.css", assetRoute, public, none, s.feedbackAsset},
		{"GET", "/feedback/script.js", assetRoute, public, none, s.feedbackAsset},
		{"", "/feedback/", survivorRoute, public, none, notFound},

		// Casework.
		{"GET", "/cases", pageRoute, enrolled, need{access.PerpetratorCase, access.Read}, s.cases},
		{"GET", "/cases.csv", pageRoute, enrolled, need{access.PerpetratorCase, access.Read}, s.casesCSV},
		{"POST", "/cases/search", pageRoute, enrolled, need{access.PerpetratorCase, access.Read}, s.searchCases},
		{"GET", "/caseload", pageRoute, enrolled, need{access.PerpetratorCase, access.Read}, s.caseload},
		{"GET", "/caseload.csv", pageRoute, enrolled, need{access.PerpetratorCase, access.Read}, s.caseloadCSV},
		{"GET", "/team", pageRoute, enrolled, need{access.PerpetratorCase, access.Write}, s.team},
		{"GET", "/team/{list}", pageRoute, enrolled, need{access.PerpetratorCase, access.Write}, s.teamListPage},
		{"GET", "/team.csv", pageRoute, enrolled, need{access.PerpetratorCase, access.Write}, s.teamCSV},
		{"GET", "/referrals/new", pageRoute, enrolled, need{access.PerpetratorCase, access.Write}, s.referralForm},
		{"POST", "/referrals", pageRoute, enrolled, need{access.PerpetratorCase, access.Write}, s.refer},
		// A case's pages (web/case_sections.go): its sections, then the
		// page of each form; the service decides each case.
		{"GET", "/cases/{id}", pageRoute, enrolled, none, s.casePage("")},
		{"GET", "/cases/{id}/plan", pageRoute, enrolled, none, s.casePage("plan")},
		{"GET", "/cases/{id}/contacts", pageRoute, enrolled, none, s.casePage("contacts")},
		{"GET", "/cases/{id}/reviews", pageRoute, enrolled, none, s.casePage("reviews")},
		{"GET", "/cases/{id}/notes", pageRoute, enrolled, none, s.casePage("notes")},
		{"GET", "/cases/{id}/victims", pageRoute, enrolled, none, s.casePage("victims")},
		{"GET", "/cases/{id}/timeline", pageRoute, enrolled, none, s.casePage("timeline")},
		{"GET", "/cases/{id}/actions/new", pageRoute, enrolled, none, s.casePage("actions/new")},
		{"GET", "/cases/{id}/contacts/new", pageRoute, enrolled, none, s.casePage("contacts/new")},
		{"GET", "/cases/{id}/reviews/new", pageRoute, enrolled, none, s.casePage("reviews/new")},
		{"GET", "/cases/{id}/notes/new", pageRoute, enrolled, none, s.casePage("notes/new")},
		// Police history: police intelligence on the case, which a case
		// manager holds only on their own cases, so no site-wide need.
		{"GET", "/cases/{id}/police", pageRoute, enrolled, none, s.policeHistory},
		// The case on paper (web/case_summary.go): what the page shows the
		// reader, as a PDF; the service decides the case.
		{"GET", "/cases/{id}/summary.pdf", pageRoute, enrolled, none, s.caseSummaryPDF},
		// Appointments on the case (web/appointments.go); the service
		// decides the case.
		{"GET", "/cases/{id}/appointments", pageRoute, enrolled, none, s.appointments(caseSide)},
		{"POST", "/cases/{id}/appointments", pageRoute, enrolled, none, s.planAppointment(caseSide)},
		{"POST", "/cases/{id}/appointments/{app}/cancel", pageRoute, enrolled, none, s.cancelAppointment(caseSide)},
		// Documents on the case (web/documents.go); the service decides
		// the case.
		{"GET", "/cases/{id}/documents", pageRoute, enrolled, none, s.documents(caseDocuments)},
		{"POST", "/cases/{id}/documents", pageRoute, enrolled, none, s.attachDocument(caseDocuments)},
		{"GET", "/cases/{id}/documents/{doc}", pageRoute, enrolled, none, s.downloadDocument(caseDocuments)},
		{"POST", "/cases/{id}/{form}", pageRoute, enrolled, none, s.caseForm},
		{"GET", "/people/{id}", pageRoute, enrolled, none, s.personPage},
		{"GET", "/people/{id}/edit", pageRoute, enrolled, none, s.personEdit},
		{"POST", "/people/{id}/{form}", pageRoute, enrolled, none, s.personForm},

		// Agencies' actions between meetings, the quarterly MARAC data
		// return, and a case's MARAC transfer pack. An agency's actions
		// are its own organisation's (the service decides each), so the
		// list has no site-wide need.
		{"GET", "/actions", pageRoute, enrolled, none, s.agencyActions},
		{"POST", "/actions/{id}", pageRoute, enrolled, none, s.reportAction},
		{"GET", "/meetings/return", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.maracReturn},
		{"GET", "/meetings/return.csv", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.maracReturnCSV},
		{"GET", "/cases/{id}/transfer-pack.pdf", pageRoute, enrolled, none, s.transferPack},

		// Outcome reports (web/reports.go): aggregates only, already
		// rounded and withheld by the service; the downloads take the same
		// filter as the page.
		{"GET", "/reports", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.reports},
		{"GET", "/reports/{section}", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.reports},
		{"GET", "/reports.csv", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.reportDownload("csv")},
		{"GET", "/reports.xlsx", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.reportDownload("xlsx")},
		{"GET", "/reports.pdf", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.reportDownload("pdf")},

		// Evaluation (web/evaluation.go): projects, their release check,
		// and the evaluators' downloads. The service decides each project.
		{"GET", "/evaluation", pageRoute, enrolled, need{access.Extracts, access.Read}, s.evaluationList},
		{"GET", "/evaluation/new", pageRoute, enrolled, need{access.Extracts, access.Write}, s.projectForm},
		{"POST", "/evaluation", pageRoute, enrolled, need{access.Extracts, access.Write}, s.createProject},
		{"GET", "/evaluation/{id}", pageRoute, enrolled, need{access.Extracts, access.Read}, s.projectPage},
		{"POST", "/evaluation/{id}/{action}", pageRoute, enrolled, need{access.Extracts, access.Write}, s.projectAction},
		{"GET", "/evaluation/extracts/{id}/download", pageRoute, enrolled, need{access.Extracts, access.Read}, s.downloadExtract},
		// Randomised trials (web/trials.go): counts only, for those who
		// run trials at a site or nationally.
		{"GET", "/trials", pageRoute, enrolled, need{access.Trial, access.Read}, s.trials},
		{"POST", "/trials", pageRoute, enrolled, need{access.Trial, access.Write}, s.startTrial},
		{"GET", "/trials/{id}", pageRoute, enrolled, need{access.Trial, access.Read}, s.trialPage},
		{"POST", "/trials/{id}/end", pageRoute, enrolled, need{access.Trial, access.Write}, s.endTrial},

		// Identification.
		{"GET", "/identify", pageRoute, enrolled, need{access.PoliceIntel, access.Read}, s.identifyPage},
		{"GET", "/identify.csv", pageRoute, enrolled, need{access.PoliceIntel, access.Read}, s.identifyCSV},
		{"POST", "/identify/refer", pageRoute, enrolled, need{access.ListReferral, access.Write}, s.referSuspect},
		{"GET", "/identify/import", pageRoute, enrolled, need{access.PoliceIntel, access.Write}, s.importForm},
		{"POST", "/identify/import", pageRoute, enrolled, need{access.PoliceIntel, access.Write}, s.importUpload},
		{"POST", "/identify/mappings/{id}/delete", pageRoute, enrolled, need{access.PoliceIntel, access.Write}, s.deleteMapping},
		{"POST", "/identify/import/checked/{id}", pageRoute, enrolled, need{access.PoliceIntel, access.Write}, s.confirmUpload},
		{"GET", "/imports/{id}", pageRoute, enrolled, need{access.PoliceIntel, access.Write}, s.importJobPage},
		{"GET", "/identify/people/{id}", pageRoute, enrolled, need{access.PoliceIntel, access.Read}, s.suspectPage},
		{"POST", "/identify/people/{id}/decide", pageRoute, enrolled, need{access.PoliceIntel, access.Write}, s.ruleOnSuspect},
		{"GET", "/feeds", pageRoute, enrolled, need{access.PoliceIntel, access.Read}, s.feedsPage},
		{"GET", "/identify/national", pageRoute, enrolled, need{access.Aggregates, access.Read}, s.nationalPage},

		// Victim-survivors (IDVAs).
		{"GET", "/victims", pageRoute, enrolled, need{access.VictimRisk, access.Read}, s.victims},
		{"GET", "/victims.csv", pageRoute, enrolled, need{access.VictimRisk, access.Read}, s.victimsCSV},
		{"GET", "/victims/new", pageRoute, enrolled, none, s.victimForm},
		{"POST", "/victims", pageRoute, enrolled, none, s.openVictim},
		{"GET", "/victims/{id}", pageRoute, enrolled, none, s.victimPage},
		{"GET", "/victims/{id}/protected", pageRoute, enrolled, none, s.victimProtectedPage},
		{"GET", "/victims/{id}/dash", pageRoute, enrolled, none, s.dashForm},
		{"POST", "/victims/{id}/{form}", pageRoute, enrolled, none, s.victimForms},
		// Her appointments, for the victim-survivors' side only.
		{"GET", "/victims/{id}/appointments", pageRoute, enrolled, none, s.appointments(victimSide)},
		{"POST", "/victims/{id}/appointments", pageRoute, enrolled, none, s.planAppointment(victimSide)},
		{"POST", "/victims/{id}/appointments/{app}/cancel", pageRoute, enrolled, none, s.cancelAppointment(victimSide)},
		// Her documents, for the victim-survivors' side only.
		{"GET", "/victims/{id}/documents", pageRoute, enrolled, none, s.documents(victimDocuments)},
		{"POST", "/victims/{id}/documents", pageRoute, enrolled, none, s.attachDocument(victimDocuments)},
		{"GET", "/victims/{id}/documents/{doc}", pageRoute, enrolled, none, s.downloadDocument(victimDocuments)},
		// Her own voice on the IDVA side (web/victim_voice.go): the
		// service decides each case; what survivors tell the service is
		// for IDVA services and the national team only.
		{"POST", "/victims/{id}/reported-outcomes", pageRoute, enrolled, none, s.recordOutcome},
		{"POST", "/victims/{id}/feedback-code", pageRoute, enrolled, none, s.issueFeedbackCode},
		{"GET", "/victim-views", pageRoute, enrolled, none, s.victimViews},

		// Multi-agency meetings (web/meetings.go): the service decides each
		// meeting, so no site-wide need; partners reach those they are
		// invited to.
		{"GET", "/meetings", pageRoute, enrolled, none, s.meetings},
		{"GET", "/meetings/series/new", pageRoute, enrolled, none, s.seriesForm},
		{"POST", "/meetings/series", pageRoute, enrolled, none, s.createSeries},
		{"GET", "/meetings/new", pageRoute, enrolled, none, s.scheduleForm},
		{"POST", "/meetings", pageRoute, enrolled, none, s.scheduleMeeting},
		{"GET", "/meetings/{id}", pageRoute, enrolled, none, s.meetingPage},
		{"GET", "/meetings/{id}/candidates", pageRoute, enrolled, none, s.candidates},
		{"POST", "/meetings/{id}/items", pageRoute, enrolled, none, s.addItems},
		{"POST", "/meetings/{id}/items/{item}/remove", pageRoute, enrolled, none, s.meetingForm("removed", nil, s.removeItem)},
		{"POST", "/meetings/{id}/items/{item}/minutes", pageRoute, enrolled, none, s.meetingForm("minutes", itemPrefix, s.itemMinutes)},
		{"POST", "/meetings/{id}/attendees", pageRoute, enrolled, none, s.meetingForm("invited", invitePrefix, s.invite)},
		{"POST", "/meetings/{id}/attendees/{att}/remove", pageRoute, enrolled, none, s.meetingForm("uninvited", nil, s.uninvite)},
		{"POST", "/meetings/{id}/attendees/{att}/status", pageRoute, enrolled, none, s.meetingForm("attendance", attendeePrefix, s.attendance)},
		{"POST", "/meetings/{id}/publish", pageRoute, enrolled, none, s.meetingForm("published", nil, s.publishAgenda)},
		{"POST", "/meetings/{id}/confidentiality", pageRoute, enrolled, none, s.meetingForm("accepted", nil, s.acceptConfidentiality)},
		{"POST", "/meetings/{id}/cancel", pageRoute, enrolled, none, s.meetingForm("cancelled", nil, s.cancelMeeting)},
		{"GET", "/meetings/{id}/items/{item}", pageRoute, enrolled, none, s.itemPage},
		{"POST", "/meetings/{id}/items/{item}/shares", pageRoute, enrolled, none, s.itemForm("share", []string{"organisation", "basis", "victim_told", "text"}, s.recordShare)},
		{"POST", "/meetings/{id}/items/{item}/decision", pageRoute, enrolled, none, s.itemForm("decision", []string{"decision", "reasons"}, s.decideItem)},
		{"POST", "/meetings/{id}/items/{item}/actions", pageRoute, enrolled, none, s.itemForm("action", []string{"type", "action-organisation", "owner", "due_on"}, s.agreeAction)},
		{"POST", "/meetings/{id}/minutes", pageRoute, enrolled, none, s.publishMinutes},
		{"GET", "/meetings/{id}/minutes", pageRoute, enrolled, none, s.minutesPage},
		{"GET", "/meetings/{id}/minutes.pdf", pageRoute, enrolled, none, s.minutesPDF},

		// Your own notifications.
		{"GET", "/notifications", pageRoute, enrolled, none, s.notifications},
		{"POST", "/notifications/read", pageRoute, enrolled, none, s.readAllNotifications},
		{"POST", "/notifications/{id}/read", pageRoute, enrolled, none, s.readNotification},
		{"POST", "/notifications/email", pageRoute, enrolled, none, s.notificationEmail},

		// Your own account: changes need the current password again.
		{"GET", "/account", pageRoute, enrolled, none, s.account},
		{"POST", "/account/password", pageRoute, enrolled, none, s.changePassword},
		{"POST", "/account/second-factor", pageRoute, enrolled, none, s.resetSecondFactor},
		// Your calendar of appointments: a secret address for a calendar
		// program, which fetches it without signing in (the address is the
		// key); it holds times and case numbers only.
		{"GET", "/account/calendar", pageRoute, enrolled, none, s.calendarPage},
		{"POST", "/account/calendar", pageRoute, enrolled, none, s.newCalendar},
		{"POST", "/account/calendar/revoke", pageRoute, enrolled, none, s.revokeCalendar},
		{"GET", "/calendar/{file}", pageRoute, public, none, s.calendarFeed},

		// Administration.
		{"GET", "/admin/users", pageRoute, enrolled, need{access.Configuration, access.Read}, s.adminUsers},
		{"GET", "/admin/users/new", pageRoute, enrolled, need{access.Configuration, access.Write}, s.adminNewUser},
		{"POST", "/admin/users", pageRoute, enrolled, need{access.Configuration, access.Write}, s.adminCreateUser},
		{"POST", "/admin/users/{id}/{action}", pageRoute, enrolled, need{access.Configuration, access.Write}, s.adminUserAction},
		// The background job queue (web/jobs.go): the service lets only
		// those holding the configuration nationally see or retry it.
		{"GET", "/admin/jobs", pageRoute, enrolled, need{access.Configuration, access.Read}, s.adminJobs},
		{"POST", "/admin/jobs/{id}/retry", pageRoute, enrolled, need{access.Configuration, access.Write}, s.adminRetryJob},
		// Accounts of an IDVA service: its team leaders manage them and
		// decide administrators' requests (service.ChangeAccount).
		{"GET", "/service-accounts", pageRoute, enrolled, need{access.Configuration, access.Read}, s.serviceAccounts},
		{"GET", "/service-accounts/new", pageRoute, enrolled, need{access.Configuration, access.Read}, s.serviceNewUser},
		{"POST", "/service-accounts", pageRoute, enrolled, need{access.Configuration, access.Read}, s.serviceCreateUser},
		{"POST", "/service-accounts/{id}/{action}", pageRoute, enrolled, need{access.Configuration, access.Read}, s.serviceUserAction},
		{"POST", "/account-requests/{id}/{decision}", pageRoute, enrolled, need{access.Configuration, access.Read}, s.decideAccountRequest},

		// Data protection.
		{"GET", "/audit", pageRoute, enrolled, need{access.Audit, access.Read}, s.auditLog},
		{"POST", "/audit", pageRoute, enrolled, need{access.Audit, access.Read}, s.auditLog},
		{"GET", "/alerts", pageRoute, enrolled, need{access.Audit, access.Read}, s.alerts},
		{"GET", "/records-of-processing", pageRoute, enrolled, need{access.Audit, access.Read}, s.recordsOfProcessing},
		{"GET", "/subject-access", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.subjectAccessList},
		{"POST", "/subject-access", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.subjectAccessRecord},
		{"POST", "/subject-access/find", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.subjectAccessFind},
		{"GET", "/subject-access/{id}", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.subjectAccessReview},
		{"POST", "/subject-access/{id}/{action}", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.subjectAccessAction},
		{"GET", "/subject-access/{id}/download/{format}", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.subjectAccessDownload},
		{"GET", "/retention/holds", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.retentionHolds},
		{"POST", "/retention/holds", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.placeHold},
		{"POST", "/retention/holds/{id}/release", pageRoute, enrolled, need{access.SubjectAccess, access.Write}, s.releaseHold},
		{"GET", "/break-glass", pageRoute, enrolled, none, s.breakGlassForm},
		{"POST", "/break-glass", pageRoute, enrolled, none, s.breakGlass},

		// JSON API.
		{"GET", "/api/v1/openapi.json", apiRoute, public, none, s.api.OpenAPI},
		{"GET", "/api/v1/version", apiRoute, public, none, s.api.GetVersion},
		{"GET", "/api/v1/me", apiRoute, enrolled, none, s.apiMe},
		{"GET", "/api/v1/cases", apiRoute, enrolled, none, s.apiAs(s.apiCases.ListCases)},
		{"POST", "/api/v1/cases/search", apiRoute, enrolled, none, s.apiAs(s.apiCases.SearchCases)},
		{"POST", "/api/v1/referrals", apiRoute, enrolled, none, s.apiAs(s.apiCases.Refer)},
		{"GET", "/api/v1/cases/{id}", apiRoute, enrolled, none, s.apiAs(s.apiCases.GetCase)},
		{"POST", "/api/v1/cases/{id}/transitions", apiRoute, enrolled, none, s.apiAs(s.apiCases.Transition)},
		{"GET", "/api/v1/cases/{id}/actions", apiRoute, enrolled, none, s.apiAs(s.apiCases.ListActions)},
		{"POST", "/api/v1/cases/{id}/actions", apiRoute, enrolled, none, s.apiAs(s.apiCases.AddAction)},
		{"POST", "/api/v1/cases/{id}/actions/{action}", apiRoute, enrolled, none, s.apiAs(s.apiCases.UpdateAction)},
		{"GET", "/api/v1/cases/{id}/notes", apiRoute, enrolled, none, s.apiAs(s.apiCases.ListNotes)},
		{"POST", "/api/v1/cases/{id}/notes", apiRoute, enrolled, none, s.apiAs(s.apiCases.AddNote)},
		{"GET", "/api/v1/cases/{id}/contacts", apiRoute, enrolled, none, s.apiAs(s.apiCases.ListContacts)},
		{"POST", "/api/v1/cases/{id}/contacts", apiRoute, enrolled, none, s.apiAs(s.apiCases.AddContact)},
		{"GET", "/api/v1/cases/{id}/reviews", apiRoute, enrolled, none, s.apiAs(s.apiCases.ListReviews)},
		{"POST", "/api/v1/cases/{id}/reviews", apiRoute, enrolled, none, s.apiAs(s.apiCases.AddReview)},
		{"GET", "/api/v1/victims", apiRoute, enrolled, none, s.apiAs(s.apiVictims.ListVictims)},
		{"GET", "/api/v1/victims/{id}", apiRoute, enrolled, none, s.apiAs(s.apiVictims.GetVictim)},
		{"GET", "/api/v1/victims/{id}/reported-outcomes", apiRoute, enrolled, none, s.apiAs(s.apiVictims.ListReportedOutcomes)},
		{"POST", "/api/v1/victims/{id}/feedback-codes", apiRoute, enrolled, none, s.apiAs(s.apiVictims.IssueFeedbackCode)},
		{"GET", "/api/v1/cases/{id}/police-history", apiRoute, enrolled, none, s.apiAs(s.apiCases.GetPoliceHistory)},
		{"GET", "/api/v1/people/{id}", apiRoute, enrolled, none, s.apiAs(s.apiCases.GetPerson)},
		{"POST", "/api/v1/people/{id}", apiRoute, enrolled, none, s.apiAs(s.apiCases.UpdatePerson)},
		{"GET", "/api/v1/notifications", apiRoute, enrolled, none, s.apiAs((&api.Notifications{Svc: s.svc}).ListNotifications)},
		{"POST", "/api/v1/notifications/read", apiRoute, enrolled, none, s.apiAs((&api.Notifications{Svc: s.svc}).MarkAllNotificationsRead)},
		{"POST", "/api/v1/notifications/{id}/read", apiRoute, enrolled, none, s.apiAs((&api.Notifications{Svc: s.svc}).MarkNotificationRead)},
		// Meetings, agencies' actions and the MARAC data return: the
		// service decides each meeting, action and site.
		{"GET", "/api/v1/meetings", apiRoute, enrolled, none, s.apiAs((&api.Meetings{Svc: s.svc}).ListMeetings)},
		{"GET", "/api/v1/meetings/{id}", apiRoute, enrolled, none, s.apiAs((&api.Meetings{Svc: s.svc}).GetMeeting)},
		{"GET", "/api/v1/meetings/{id}/items", apiRoute, enrolled, none, s.apiAs((&api.Meetings{Svc: s.svc}).ListItems)},
		{"GET", "/api/v1/actions", apiRoute, enrolled, none, s.apiAs((&api.Meetings{Svc: s.svc}).ListAgencyActions)},
		{"POST", "/api/v1/actions/{id}", apiRoute, enrolled, none, s.apiAs((&api.Meetings{Svc: s.svc}).ReportAction)},
		{"GET", "/api/v1/marac-return", apiRoute, enrolled, none, s.apiAs((&api.Meetings{Svc: s.svc}).GetMARACReturn)},
		{"GET", "/api/v1/reports/outcomes", apiRoute, enrolled, none, s.apiAs((&api.Reports{Svc: s.svc}).GetOutcomes)},
		{"GET", "/api/v1/evaluation/projects", apiRoute, enrolled, need{access.Extracts, access.Read}, s.apiAs((&api.Evaluation{Svc: s.svc}).ListProjects)},
		{"GET", "/api/v1/evaluation/extracts/{id}", apiRoute, enrolled, need{access.Extracts, access.Read}, s.apiAs((&api.Evaluation{Svc: s.svc}).GetExtract)},
		// The background job queue, for monitoring (api/jobs.go).
		{"GET", "/api/v1/jobs", apiRoute, enrolled, need{access.Configuration, access.Read}, s.apiAs((&api.Jobs{Svc: s.svc}).ListJobs)},
		// Subject access, for the data protection officer; the service
		// answers anyone else "not found" (api/subject_access.go).
		{"GET", "/api/v1/subject-access", apiRoute, enrolled, none, s.apiAs((&api.SubjectAccess{Svc: s.svc}).ListSubjectAccess)},
		{"POST", "/api/v1/subject-access", apiRoute, enrolled, none, s.apiAs((&api.SubjectAccess{Svc: s.svc}).RecordSubjectAccess)},
		{"POST", "/api/v1/subject-access/search", apiRoute, enrolled, none, s.apiAs((&api.SubjectAccess{Svc: s.svc}).SearchSubjects)},
		{"GET", "/api/v1/subject-access/{id}", apiRoute, enrolled, none, s.apiAs((&api.SubjectAccess{Svc: s.svc}).GetSubjectAccess)},
		{"POST", "/api/v1/subject-access/{id}/redactions", apiRoute, enrolled, none, s.apiAs((&api.SubjectAccess{Svc: s.svc}).DecideSubjectAccess)},
		{"POST", "/api/v1/subject-access/{id}/approve", apiRoute, enrolled, none, s.apiAs((&api.SubjectAccess{Svc: s.svc}).ApproveSubjectAccess)},
		{"GET", "/api/v1/subject-access/{id}/pack", apiRoute, enrolled, none, s.apiAs((&api.SubjectAccess{Svc: s.svc}).GetSubjectAccessPack)},
		// Trials: counts of what has been allocated; the service decides.
		{"GET", "/api/v1/trials", apiRoute, enrolled, none, s.apiAs((&api.Trials{Svc: s.svc}).ListTrials)},
		{"GET", "/api/v1/trials/{id}", apiRoute, enrolled, none, s.apiAs((&api.Trials{Svc: s.svc}).GetTrial)},

		// Feeds (web/feeds.go): a feed's token opens these two routes and
		// no other; a user's token opens neither. The body of a POST is the
		// file, so it may be as large as an upload.
		{"POST", "/api/v1/imports", apiRoute, feedOnly, none, s.feedAs(s.apiImports.PostImport)},
		{"GET", "/api/v1/imports/{id}", apiRoute, feedOnly, none, s.feedAs(s.apiImports.GetImport)},

		// Everything else is not found, in the style of its part of the site.
		{"", "/api/", apiRoute, public, none, notFound},
		{"", "/", pageRoute, public, none, notFound},
	}
}

// APIRoutes returns "METHOD /path" for every JSON API operation, so a test
// can hold the OpenAPI document to the routes actually served.
func (s *Server) APIRoutes() []string {
	var out []string
	for _, rt := range s.routes {
		if rt.kind == apiRoute && rt.method != "" && strings.HasPrefix(rt.path, "/api/v1/") {
			out = append(out, rt.method+" "+rt.path)
		}
	}
	return out
}
