package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

// addDPOs adds two national data protection officers, "dpo" and "dpo2",
// and "dpoB", the data protection officer of site B.
func addDPOs(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		org := &account.Organisation{Name: "National team", Kind: access.NationalTeam}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		for name, site := range map[string]int64{"dpo": 0, "dpo2": 0, "dpoB": w.siteB.ID} {
			u := &account.User{Username: "user." + strings.ToLower(name), DisplayName: "User " + name, OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
				Roles: []account.RoleAssignment{{Role: access.DPO, SiteID: site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			w.users[name] = u
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSubjectAccessPackLeaks is the leak test for subject access: the
// pack for the fixture's perpetrator holds his own record and notes, and
// nothing that names or places the victim-survivor linked to his case or
// her child, wherever the case manager wrote it.
func TestSubjectAccessPackLeaks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			addDPOs(t, w)
			w.svc.TextLimit = 1 << 20
			idva := w.actor(t, "idva")
			if err := w.svc.AddChild(ctx, idva, w.victimID, &victim.Child{PerpetratorCase: w.caseID, GivenName: "Rowan",
				DateOfBirth: drive.MustDate("2019-04-02"), Relationship: "both", SocialCare: "none"}); err != nil {
				t.Fatal(err)
			}
			cm := w.actor(t, "cm")
			texts := map[string]bool{ // the note, and whether his pack may show it
				"Session held: discussed his week and the course.":  true,
				"He said he drove past " + herStreet + " twice.":    false, // her address: the barrier holds it
				"Asked about Sam again; reminded him of the order.": false, // her first name alone
				"Wants to see Rowan at the weekend.":                false, // the child's name
				"Called " + herPhone + " from a withheld number.":   false, // her phone
			}
			for text := range texts {
				if err := w.svc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: text}); err != nil {
					t.Fatal(err)
				}
			}

			// His case's appointments and documents: in his pack, unless
			// what was written of them names or places her. Hers, on her
			// IDVA case, with an address and a phone found nowhere else:
			// never read into his pack at all.
			soon := now.Add(48 * time.Hour)
			hisAppointments := map[string]bool{"his probation officer": true, "Sam's sister, who drives him": false}
			for with := range hisAppointments {
				if _, err := w.svc.PlanCaseAppointment(ctx, cm, w.caseID, appointment.Appointment{StartsAt: soon, Minutes: 45, Place: appointment.Office, With: with}, nil); err != nil {
					t.Fatal(err)
				}
			}
			hisDocuments := map[string]bool{"Non-molestation order, served": true, "Letter about " + herStreet: false}
			for title := range hisDocuments {
				if _, err := w.svc.AttachCaseDocument(ctx, cm, w.caseID, title, "order.pdf", []byte("%PDF-1.7 his")); err != nil {
					t.Fatal(err)
				}
			}
			const hidden, hiddenPhone = "7 Hiddenmoor Lane", "07700 900555"
			herAppointment, err := w.svc.PlanVictimAppointment(ctx, idva, w.victimID, appointment.Appointment{StartsAt: soon, Minutes: 30, Place: appointment.Community,
				With: "her, at " + hidden + ", call " + hiddenPhone}, nil)
			if err != nil {
				t.Fatal(err)
			}
			herDocument, err := w.svc.AttachVictimDocument(ctx, idva, w.victimID, "Tenancy at "+hidden+", phone "+hiddenPhone, "hiddenmoor-tenancy.pdf", []byte("%PDF-1.7 hers"))
			if err != nil {
				t.Fatal(err)
			}

			dpo, dpo2 := w.actor(t, "dpo"), w.actor(t, "dpo2")
			req := &subjectaccess.Request{Kind: subjectaccess.Person, SubjectID: w.personID, Requester: "The person, by letter", IdentityCheck: "Passport seen at the office",
				ReceivedOn: drive.DateOf(now).AddDays(-3)}
			if err := w.svc.RecordSubjectAccessRequest(ctx, cm, req); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a case manager recording a request: %v, want ENOTFOUND", err)
			}
			if err := w.svc.RecordSubjectAccessRequest(ctx, dpo, req); err != nil {
				t.Fatal(err)
			}
			if req.DueOn != drive.DateOf(now).AddDays(-3).AddMonths(1) {
				t.Errorf("due %s, want a month after receipt", req.DueOn)
			}

			rv, err := w.svc.ReviewSubjectAccess(ctx, dpo, req.ID)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(rv.Pack)
			for _, canary := range []string{"Sam", "Example", herStreet, "Canaryline", herPostcode, herPhone, "900917", "Rowan", "Hiddenmoor", "900555", "Tenancy"} {
				if bytes.Contains(bytes.ToLower(body), bytes.ToLower([]byte(canary))) {
					t.Errorf("the pack holds %q:\n%s", canary, body)
				}
			}
			for _, want := range []string{"Darren Hollis", "Session held: discussed his week", "Repeat MARAC"} {
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("the pack lacks %q, which is about him", want)
				}
			}
			notes := rv.Pack.Sections[1]
			if len(notes.Items) != len(texts) {
				t.Fatalf("%d notes in the pack, want every one of the %d (shown or withheld)", len(notes.Items), len(texts))
			}
			var shownKey string
			withheld := 0
			for _, it := range notes.Items {
				if it.Withheld != "" {
					withheld++
				} else {
					shownKey = it.Key
				}
			}
			if withheld != len(texts)-1 || shownKey == "" {
				t.Errorf("%d notes withheld, want %d", withheld, len(texts)-1)
			}
			if len(rv.Pack.Sections[len(rv.Pack.Sections)-1].Items) == 0 {
				t.Error("the pack does not say who has read his records")
			}
			if rv.Pack.HasItem("appointment:"+itoa(herAppointment)) || rv.Pack.HasItem("document:"+itoa(herDocument)) {
				t.Error("her appointment or document is an item of his pack")
			}
			// Each of his appointments and documents is listed; what is
			// written of it shows unless it names or places her.
			for _, c := range []struct {
				kind string
				want map[string]bool
			}{{"appointment", hisAppointments}, {"document", hisDocuments}} {
				var shown []string
				n := 0
				for _, sec := range rv.Pack.Sections {
					for _, it := range sec.Items {
						if it.Kind != c.kind {
							continue
						}
						n++
						if it.Withheld == "" {
							shown = append(shown, it.Text)
						}
					}
				}
				if n != len(c.want) || len(shown) != 1 {
					t.Errorf("%d %s items, %d shown: %q; want %d, one shown", n, c.kind, len(shown), shown, len(c.want))
					continue
				}
				for text, ok := range c.want {
					if ok && !strings.Contains(shown[0], text) {
						t.Errorf("the %s shown is %q, want the one with %q", c.kind, shown[0], text)
					}
				}
			}
			if !bytes.Contains(body, []byte("Attached by: Case manager")) || !bytes.Contains(body, []byte("not copied into this pack")) {
				t.Errorf("his document does not say who attached it or that its file is listed: %s", body)
			}

			// Review: the data protection officer withholds the one note
			// left, with a reason; then only a second person may approve.
			reason := "Crime prevention exemption: disclosure would prejudice the risk management plan"
			if err := w.svc.RedactSubjectAccess(ctx, dpo, &subjectaccess.Redaction{RequestID: req.ID, Item: "note:999999", Reason: reason}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("withholding an item the pack does not have: %v, want EINVALID", err)
			}
			if err := w.svc.RedactSubjectAccess(ctx, dpo, &subjectaccess.Redaction{RequestID: req.ID, Item: shownKey, Reason: reason}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.ReleaseSubjectAccess(ctx, dpo2, req.ID); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("release before approval: %v, want EINVALID", err)
			}
			if err := w.svc.ApproveSubjectAccess(ctx, dpo, req.ID); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("approval by who recorded and redacted it: %v, want EINVALID", err)
			}
			if err := w.svc.ApproveSubjectAccess(ctx, dpo2, req.ID); err != nil {
				t.Fatalf("approval by a second person: %v", err)
			}
			files, err := w.svc.ReleaseSubjectAccess(ctx, dpo2, req.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(files.PDF, []byte("%PDF-")) {
				t.Error("the released PDF is not a PDF")
			}
			var released subjectaccess.Pack
			if err := json.Unmarshal(files.JSON, &released); err != nil {
				t.Fatal(err)
			}
			if !released.Approved || released.Withheld < len(texts) {
				t.Errorf("released pack: approved %v, %d withheld", released.Approved, released.Withheld)
			}
			if !strings.Contains(string(files.JSON), reason) || strings.Contains(string(files.JSON), "discussed his week") {
				t.Error("the note withheld on review is not withheld with its reason")
			}
			text, err := pdf.Text(files.PDF)
			if err != nil {
				t.Fatal(err)
			}
			// A value may wrap across the lines of a table cell.
			flatPDF := strings.Join(strings.Fields(text), " ")
			if !strings.Contains(flatPDF, "his probation officer") || !strings.Contains(flatPDF, "Non-molestation order") {
				t.Errorf("the released PDF lacks his appointment or document:\n%s", text)
			}
			for _, canary := range []string{"Sam", herPostcode, herPhone, "Rowan", "Canaryline", "Hiddenmoor", "900555", "Tenancy"} {
				if strings.Contains(strings.ToLower(string(files.JSON)), strings.ToLower(canary)) {
					t.Errorf("the released JSON holds %q", canary)
				}
				if strings.Contains(strings.ToLower(flatPDF), strings.ToLower(canary)) || strings.Contains(strings.ToLower(strings.Join(strings.Fields(text), "")), strings.ToLower(strings.ReplaceAll(canary, " ", ""))) {
					t.Errorf("the released PDF holds %q", canary)
				}
			}
			if err := w.svc.RedactSubjectAccess(ctx, dpo, &subjectaccess.Redaction{RequestID: req.ID, Item: "case:" + itoa(w.caseID), Reason: reason}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a redaction after approval: %v, want EINVALID", err)
			}
		})
	}
}

// TestSubjectAccessExtension checks the deadline moves to three months
// with a reason, and no further.
func TestSubjectAccessExtension(t *testing.T) {
	e := storetest.Engines(t)[0]
	ctx := context.Background()
	w := newWorld(t, e)
	addDPOs(t, w)
	dpo := w.actor(t, "dpo")
	req := &subjectaccess.Request{Kind: subjectaccess.Person, SubjectID: w.personID, Requester: "His solicitor", IdentityCheck: "Signed authority and passport copy", ReceivedOn: drive.DateOf(now)}
	if err := w.svc.RecordSubjectAccessRequest(ctx, dpo, req); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.ExtendSubjectAccessRequest(ctx, dpo, req.ID, 3, ""); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("an extension without a reason: %v", err)
	}
	if err := w.svc.ExtendSubjectAccessRequest(ctx, dpo, req.ID, 4, "Complex"); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("an extension to four months: %v", err)
	}
	if err := w.svc.ExtendSubjectAccessRequest(ctx, dpo, req.ID, 3, "Records at two sites and a large volume of notes"); err != nil {
		t.Fatal(err)
	}
	reqs, err := w.svc.SubjectAccessRequests(ctx, dpo)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests: %v, %v", reqs, err)
	}
	if reqs[0].DueOn != drive.DateOf(now).AddMonths(3) || reqs[0].ExtensionReason == "" {
		t.Errorf("after extension: due %s, reason %q", reqs[0].DueOn, reqs[0].ExtensionReason)
	}
	if _, err := w.svc.SubjectAccessRequests(ctx, w.actor(t, "lead")); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("a team leader listing requests: %v, want ENOTFOUND", err)
	}
	// Site B's officer neither sees nor records requests about a person
	// at site A, and is told the same as for a number naming no one.
	dpoB := w.actor(t, "dpoB")
	if reqs, err := w.svc.SubjectAccessRequests(ctx, dpoB); err != nil || len(reqs) != 0 {
		t.Errorf("site B's officer lists %v, %v", reqs, err)
	}
	if _, err := w.svc.ReviewSubjectAccess(ctx, dpoB, req.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("site B's officer reviewing site A's request: %v, want ENOTFOUND", err)
	}
	other := &subjectaccess.Request{Kind: subjectaccess.Person, SubjectID: w.personID, Requester: "x", IdentityCheck: "y", ReceivedOn: drive.DateOf(now)}
	errA := w.svc.RecordSubjectAccessRequest(ctx, dpoB, other)
	none := &subjectaccess.Request{Kind: subjectaccess.Person, SubjectID: 999999, Requester: "x", IdentityCheck: "y", ReceivedOn: drive.DateOf(now)}
	errNone := w.svc.RecordSubjectAccessRequest(ctx, dpoB, none)
	if drive.ErrorCode(errA) != drive.EINVALID || fmt.Sprint(errA) != fmt.Sprint(errNone) {
		t.Errorf("site B's officer recording about site A's person: %v; about no one: %v; want the same EINVALID", errA, errNone)
	}
}
