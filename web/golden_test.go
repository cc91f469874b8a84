package web

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

var update = flag.Bool("update", false, "rewrite web/testdata/golden from the pages as served now")

// TestGoldenPages renders the main pages from one fixed fixture and compares
// them with web/testdata/golden/<page>.html, so that any change to what a
// page shows is seen in review. After an intended change, regenerate with
//
//	go test ./web -run TestGoldenPages -update
//
// The fixture runs on SQLite only: the pages must not depend on the engine,
// and the conformance suites in storetest already hold both engines to the
// same answers, so one engine keeps the golden files single.
func TestGoldenPages(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	sqlite := storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}
	var caseID int64
	var idvaToken string
	f := newSiteFixture(t, sqlite, now, []access.Role{access.CaseManager, access.TeamLeader, access.DPO}, func(ctx context.Context, tx *store.Tx, site account.Site) error {
		idvas := &account.Organisation{Name: "Northmoor IDVA Service", Kind: account.IDVAService, SiteIDs: []int64{site.ID}}
		if err := tx.CreateOrganisation(ctx, idvas); err != nil {
			return err
		}
		u := &account.User{Username: "u.idva", DisplayName: "User idva", OrganisationID: idvas.ID, OrganisationKind: idvas.Kind, PasswordHash: "x", TOTPSecret: "X",
			Roles: []account.RoleAssignment{{Role: access.IDVA, SiteID: site.ID}}}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		idvaToken = "drv_s_idva"
		if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(idvaToken), UserID: u.ID, Stage: account.StageFull, CSRF: "c",
			Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
			return err
		}
		manager, err := tx.UserByUsername(ctx, "u."+string(access.CaseManager))
		if err != nil {
			return err
		}
		p := &people.Person{SiteID: site.ID, GivenName: "Darren", FamilyName: "Hollis", DateOfBirth: drive.MustDate("1988-02-14")}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(now).AddDays(-14),
			Summary: "Repeat MARAC referral", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		at := now
		c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed at panel", manager.ID, &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = manager.ID, &at, &at
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		caseID = c.ID
		return nil
	})
	f.tokens[access.IDVA] = idvaToken

	// The case manager and the IDVA do their work through the service, as
	// the pages do.
	ctx := context.Background()
	actor := func(username string) service.Actor {
		var u *account.User
		if err := f.db.Transact(ctx, func(tx *store.Tx) (err error) { u, err = tx.UserByUsername(ctx, username); return err }); err != nil {
			t.Fatal(err)
		}
		return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: subjectOf(u), Remote: "t"}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	manager, idva := actor("u.case_manager"), actor("u.idva")
	svc := f.srv.svc
	must(svc.AddNote(ctx, manager, caseID, &casework.Note{Text: "First session held at the office; he attended on time."}))
	must(svc.AddAction(ctx, manager, caseID, &casework.Action{Prong: "disrupt", Type: "bail-review", Agency: "Police", Owner: "DS Pennant", DueOn: drive.DateOf(now).AddDays(7)}))
	must(svc.AddContact(ctx, manager, caseID, &casework.Contact{Kind: casework.OneToOne, On: drive.DateOf(now), Method: "office", Summary: "Discussed the plan and the bail conditions."}))
	victimID, err := svc.OpenVictimCase(ctx, idva, service.VictimInput{
		Case: victim.Case{SiteID: f.site.ID, GivenName: "Robin", FamilyName: "Ashdown"},
		Link: victim.Link{PerpetratorCase: caseID, Relationship: victim.ExPartner}})
	must(err)
	must(svc.SetCompartment(ctx, idva, victimID, victim.Compartment{
		Addresses: []victim.Address{{Line1: "4 Larkfield Row", Town: "Northmoor", Postcode: "NM4 7QT", Current: true}},
		Phones:    []string{"07700 900123"}, SafeContact: "Weekday mornings only"}))
	must(svc.SetSafetyPlan(ctx, idva, victimID, "Code word agreed with her sister."))
	must(svc.AddVictimEntry(ctx, idva, victimID, "note", &service.VictimEntry{Kind: "note", On: drive.DateOf(now)}, "First visit; she wants support with housing."))

	pages := []struct {
		name string
		role access.Role // "" for signed out
		path string
	}{
		{"signin", "", "/signin"},
		{"feedback", "", "/feedback"},
		{"feedback-cy", "", "/feedback?lang=cy"},
		{"caseload", access.CaseManager, "/caseload"},
		{"cases", access.TeamLeader, "/cases"},
		{"case", access.CaseManager, "/cases/" + strconv.FormatInt(caseID, 10)},
		{"case-plan", access.CaseManager, "/cases/" + strconv.FormatInt(caseID, 10) + "/plan"},
		{"case-contacts", access.CaseManager, "/cases/" + strconv.FormatInt(caseID, 10) + "/contacts"},
		{"case-contact-new", access.CaseManager, "/cases/" + strconv.FormatInt(caseID, 10) + "/contacts/new"},
		{"case-victims", access.CaseManager, "/cases/" + strconv.FormatInt(caseID, 10) + "/victims"},
		{"case-timeline", access.CaseManager, "/cases/" + strconv.FormatInt(caseID, 10) + "/timeline"},
		{"team", access.TeamLeader, "/team"},
		{"team-no-contact", access.TeamLeader, "/team/no-contact"},
		{"victim", access.IDVA, "/victims/" + strconv.FormatInt(victimID, 10)},
		{"victim-protected", access.IDVA, "/victims/" + strconv.FormatInt(victimID, 10) + "/protected"},
		{"dash", access.IDVA, "/victims/" + strconv.FormatInt(victimID, 10) + "/dash"},
		{"audit", access.DPO, "/audit?record_type=case&record_id=" + strconv.FormatInt(caseID, 10)},
		// The team leader's view of the same case: its decisions, with the
		// site's case managers and the sites it may move to. After the
		// audit page, which would otherwise show this read.
		{"case-leader", access.TeamLeader, "/cases/" + strconv.FormatInt(caseID, 10)},
		// After a change: the case page with its confirmation. Last, as
		// reading the case again would change the audit page.
		{"case-confirmed", access.CaseManager, "/cases/" + strconv.FormatInt(caseID, 10) + "/contacts?done=contact"},
	}
	// Every page is fetched, in this order, before any is compared: reading
	// the case is audited, so the audit page depends on what came before,
	// and running one subtest alone must not change it.
	bodies := make([]string, len(pages))
	for i, p := range pages {
		req, _ := http.NewRequest("GET", f.url+p.path, nil)
		status, body, _ := f.send(p.role, req)
		if status != http.StatusOK {
			t.Fatalf("GET %s as %q: %d", p.path, p.role, status)
		}
		bodies[i] = normalise(body, f.url)
	}
	for i, p := range pages {
		t.Run(p.name, func(t *testing.T) { checkGolden(t, p.name, bodies[i]) })
	}
}

// Normalisation replaces what legitimately differs between runs with
// fixed placeholders, and nothing else.
var (
	// Assets are served under content-hashed names: keep the name, drop the
	// hash, so that rebuilding the stylesheet does not touch every page.
	goldenAsset = regexp.MustCompile(`(/assets/[A-Za-z0-9_-]+)\.[0-9a-f]{12}(\.[A-Za-z0-9]+)`)
	// Per-session and per-form tokens.
	goldenCSRF = regexp.MustCompile(`(name="csrf_token" value=")[^"]*(")`)
)

func normalise(body, serverURL string) string {
	body = strings.ReplaceAll(body, serverURL, "http://drive.test")
	body = goldenAsset.ReplaceAllString(body, "$1.HASH$2")
	body = goldenCSRF.ReplaceAllString(body, "${1}CSRF${2}")
	return body
}

// checkGolden compares got with testdata/golden/<name>.html, or rewrites
// the file with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".html")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; create it with: go test ./web -run TestGoldenPages -update", err)
	}
	if diff := firstDiff(string(want), got); diff != "" {
		t.Errorf("%s differs from the page as served:\n%s\nIf the change is intended, regenerate with: go test ./web -run TestGoldenPages -update", path, diff)
	}
}

// firstDiff describes the first line where want and got differ, with a few
// lines of context either side; "" if they are equal.
func firstDiff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	line := func(lines []string, n int) string {
		if n < len(lines) {
			return lines[n]
		}
		return "(end of file)"
	}
	const around = 3
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d (- golden, + served):\n", i+1)
	for j := max(0, i-around); j < i; j++ {
		fmt.Fprintf(&b, "  %5d   %s\n", j+1, w[j])
	}
	fmt.Fprintf(&b, "  %5d - %s\n", i+1, line(w, i))
	fmt.Fprintf(&b, "  %5d + %s\n", i+1, line(g, i))
	for j := i + 1; j < min(len(g), i+1+around); j++ {
		fmt.Fprintf(&b, "  %5d   %s\n", j+1, g[j])
	}
	return b.String()
}
