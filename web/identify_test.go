package web

import (
	"context"
	"fmt"
	"github.com/drive-platform/drive/audit"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestIdentificationPage: an analyst sees the ranked list with reasons
// and the serial flag (referring is TestAnalystRefersFromTheList); a team leader refers the top
// suspect, which opens a referral from the police identification list
// with the rank and victims as evidence.
func TestIdentificationPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			f := newSiteFixture(t, e, now, []access.Role{access.Analyst, access.TeamLeader}, nil)
			importFor(t, f.db, f.site.Code, []incident.Record{
				{Ref: "R1", On: drive.MustDate("2026-09-01"), Type: "abh", Crime: true, Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}, Victim: incident.Person{GivenName: "Sam", FamilyName: "Example"}},
				{Ref: "R2", On: drive.MustDate("2026-10-01"), Type: "stalking", Crime: true, Suspect: incident.Person{GivenName: "Daren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second"}},
				{Ref: "R3", On: drive.MustDate("2025-01-01"), Type: "non-crime domestic", Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}, Victim: incident.Person{GivenName: "Ann", FamilyName: "Doyle"}},
			})
			db, do, ctx := f.db, f.do, context.Background()
			status, body, _ := do(access.Analyst, "GET", "/identify", nil)
			if status != 200 || !strings.Contains(body, "Hollis") || !strings.Contains(body, "Serial") || !strings.Contains(body, "to panel") {
				t.Fatalf("analyst's list: %d", status)
			}
			status, body, _ = do(access.TeamLeader, "GET", "/identify", nil)
			m := regexp.MustCompile(`name="suspect" value="([^"]+)"><input type="hidden" name="name" value="([^"]+)"`).FindStringSubmatch(body)
			if status != 200 || m == nil {
				t.Fatalf("team leader's list: %d", status)
			}
			// The list's button asks first, and refers nobody.
			status, body, _ = do(access.TeamLeader, "POST", "/identify/refer", url.Values{"site": {"1"}, "suspect": {m[1]}, "name": {m[2]}})
			if status != 200 || !strings.Contains(body, "Refer "+m[2]+" to the panel?") || !strings.Contains(body, `name="confirmed" value="yes"`) {
				t.Fatalf("refer without confirming: %d; want the question", status)
			}
			if _, list, _ := do(access.TeamLeader, "GET", "/cases", nil); strings.Contains(list, m[2]) {
				t.Fatal("asking whether to refer made a referral")
			}
			status, _, loc := do(access.TeamLeader, "POST", "/identify/refer", url.Values{"site": {"1"}, "suspect": {m[1]}, "name": {m[2]}, "confirmed": {"yes"}})
			if status != 303 || !strings.HasPrefix(loc, "/cases/") || !strings.HasSuffix(loc, "?done=referral") {
				t.Fatalf("refer: %d %s", status, loc)
			}
			loc = strings.TrimSuffix(loc, "?done=referral")
			_, body, _ = do(access.TeamLeader, "GET", loc, nil)
			if !strings.Contains(body, "Police identification list") || !strings.Contains(body, "Ranked 1 on the identification list") {
				t.Fatal("the referral does not carry its identification evidence")
			}
			if status, _, _ := do(access.TeamLeader, "POST", "/identify/refer", url.Values{"site": {"1"}, "suspect": {m[1]}, "name": {"Someone Else"}, "confirmed": {"yes"}}); status != 422 {
				t.Fatalf("stale list: %d; want 422", status)
			}

			// The case carries the score he was referred with; closing it
			// keeps his score on that day as the exit score.
			caseID, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/cases/"), 10, 64)
			err := db.Transact(ctx, func(tx *store.Tx) error {
				c, err := tx.Case(ctx, caseID)
				if err != nil {
					return err
				}
				c.State, c.ClosureReason, c.CaseManagerID = casework.Closing, "completed", c.ReferredBy
				return tx.UpdateCase(ctx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
			if status, _, _ := do(access.TeamLeader, "POST", loc+"/move", url.Values{"event": {"close"}, "closure_reason": {"completed"}}); status != 303 {
				t.Fatalf("closing the case: %d", status)
			}
			_, body, _ = do(access.TeamLeader, "GET", loc, nil)
			if !strings.Contains(body, "Identification score at referral") || !strings.Contains(body, "Identification score at closure") {
				t.Fatal("the case does not show its entry and exit scores")
			}
			var scores []store.CaseScore
			_ = db.View(ctx, func(tx *store.Tx) error { scores, err = tx.CaseScores(ctx, caseID); return err })
			if len(scores) != 2 || scores[0].Kind != "entry" || scores[1].Kind != "exit" || scores[0].Total <= 0 || scores[0].PolicePerson != scores[1].PolicePerson {
				t.Fatalf("case scores: %+v", scores)
			}
		})
	}
}

// TestSuspectDecisions: an analyst reads a suspect's incidents, rules on
// who is who, and the ruling changes the list at once, survives a new
// resolution, is audited, and bad rulings change nothing.
func TestSuspectDecisions(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			f := newSiteFixture(t, e, now, []access.Role{access.Analyst, access.TeamLeader}, nil)
			sus := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"}
			importFor(t, f.db, f.site.Code, []incident.Record{
				{Ref: "R1", On: drive.MustDate("2026-06-01"), Type: "abh", Crime: true, Suspect: sus, Victim: incident.Person{GivenName: "Samantha", FamilyName: "Example", DOB: drive.MustDate("1990-05-01"), Age: 36}},
				{Ref: "R2", On: drive.MustDate("2026-09-01"), Type: "common_assault", Crime: true, Suspect: sus, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second", DOB: drive.MustDate("1995-07-07"), Age: 31}},
				{Ref: "R3", On: drive.MustDate("2026-10-01"), Type: "stalking", Crime: true, Suspect: sus, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second", DOB: drive.MustDate("1995-07-07"), Age: 31}},
			})
			db, do, ctx := f.db, f.do, context.Background()
			resolve := func() {
				t.Helper()
				if _, err := (&service.Service{DB: db}).ResolveSite(ctx, service.System("test"), f.site.Code); err != nil {
					t.Fatal(err)
				}
			}
			_, body, _ := do(access.Analyst, "GET", "/identify", nil)
			m := regexp.MustCompile(`href="(/identify/people/\d+)">Darren Hollis`).FindStringSubmatch(body)
			if m == nil || !strings.Contains(body, "Serial") {
				t.Fatal("the list does not link the serial suspect to his page")
			}
			page := m[1]
			status, body, _ := do(access.Analyst, "GET", page, nil)
			if status != 200 || !strings.Contains(body, "Victim A") || !strings.Contains(body, "Victim B") || !strings.Contains(body, "Save decision") {
				t.Fatalf("suspect page: %d", status)
			}
			ids := regexp.MustCompile(`name="incident" type="checkbox" value="(\d+)"`).FindAllStringSubmatch(body, -1)
			if len(ids) != 3 {
				t.Fatalf("%d incidents on the page; want 3", len(ids))
			}
			// Newest first: R3, R2, R1.
			r3, r2, r1 := ids[0][1], ids[1][1], ids[2][1]

			// The team leader reads but may not rule.
			if status, body, _ := do(access.TeamLeader, "GET", page, nil); status != 200 || strings.Contains(body, "Save decision") {
				t.Fatalf("team leader's view: %d", status)
			}
			if status, _, _ := do(access.TeamLeader, "POST", page+"/decide", url.Values{"ruling": {"confirm-suspect"}, "incident": {r1, r2, r3}, "reason": {"x"}}); status != 404 {
				t.Fatalf("team leader ruling: %d; want 404", status)
			}

			// Bad rulings are refused with a reason and change nothing.
			bad := []url.Values{
				{"ruling": {"split-suspect"}, "incident": {r1, r2, r3}, "reason": {"All of them"}},
				{"ruling": {"split-suspect"}, "incident": {r1}, "reason": {"  "}},
				{"ruling": {"confirm-suspect"}, "incident": {r1}, "reason": {"Only one"}},
				{"ruling": {"confirm-victim"}, "incident": {r1}, "reason": {"One is not two"}},
				{"ruling": {"merge-people"}, "incident": {r1}, "reason": {"Nonsense"}},
				{"ruling": {"split-suspect"}, "reason": {"Nothing ticked"}},
				{"ruling": {"split-suspect"}, "incident": {"999999"}, "reason": {"Not his"}},
			}
			for _, f := range bad {
				if status, body, _ := do(access.Analyst, "POST", page+"/decide", f); status != 422 || !strings.Contains(body, "There is a problem") {
					t.Errorf("%v: %d; want 422 with the problem", f, status)
				}
			}
			var n int
			_ = db.View(ctx, func(tx *store.Tx) error { ds, err := tx.Rulings(ctx, f.site.ID); n = len(ds); return err })
			if n != 0 {
				t.Fatalf("%d decisions stored after refusals", n)
			}

			// The victims of R1 and R2 are one woman after all: he is no
			// longer serial.
			status, _, loc := do(access.Analyst, "POST", page+"/decide", url.Values{"ruling": {"confirm-victim"}, "incident": {r1, r2}, "reason": {"Same woman: she changed her name; force person number matches"}})
			if status != 303 || !strings.HasPrefix(loc, page) {
				t.Fatalf("confirm victim: %d %s", status, loc)
			}
			_, body, _ = do(access.Analyst, "GET", loc, nil)
			if strings.Contains(body, "Victim B") || !strings.Contains(body, "Same woman") || !strings.Contains(body, "User analyst") {
				t.Fatal("after confirming the victim, the page still shows two victims or lacks the decision")
			}
			serial := func() bool {
				_, body, _ := do(access.Analyst, "GET", "/identify", nil)
				return strings.Contains(body, `govuk-tag--red">Serial`)
			}
			if serial() {
				t.Fatal("still serial after the victims were confirmed as one")
			}
			// A new resolution replays the ruling.
			resolve()
			if serial() {
				t.Fatal("a new resolution undid the analyst's ruling")
			}

			// R3 is another man: split it off; it gets a person of its own.
			status, _, _ = do(access.Analyst, "POST", page+"/decide", url.Values{"ruling": {"split-suspect"}, "incident": {r3}, "reason": {"Custody record: a different Darren Hollis"}})
			if status != 303 {
				t.Fatalf("split: %d", status)
			}
			_, body, _ = do(access.Analyst, "GET", page, nil)
			if got := len(regexp.MustCompile(`name="incident" type="checkbox"`).FindAllString(body, -1)); got != 2 {
				t.Fatalf("%d incidents left after the split; want 2", got)
			}
			resolve()
			_, body, _ = do(access.Analyst, "GET", page, nil)
			if got := len(regexp.MustCompile(`name="incident" type="checkbox"`).FindAllString(body, -1)); got != 2 {
				t.Fatalf("%d incidents after a new resolution; want the split kept (2)", got)
			}
			// Confirm the rest.
			if status, _, _ := do(access.Analyst, "POST", page+"/decide", url.Values{"ruling": {"confirm-suspect"}, "incident": {r1, r2}, "reason": {"Force person number on both"}}); status != 303 {
				t.Fatalf("confirm: %d", status)
			}
			_, body, _ = do(access.Analyst, "GET", "/identify", nil)
			if !strings.Contains(body, `govuk-tag--green">Confirmed`) {
				t.Fatal("the list does not show the confirmed identity")
			}
			// Every ruling is audited as a write on the police person.
			var writes int
			_ = db.View(ctx, func(tx *store.Tx) error {
				evs, err := tx.AuditEvents(ctx, store.AuditFilter{RecordType: "police_person"})
				for _, ev := range evs {
					if ev.Action == "record.write" {
						writes++
					}
				}
				return err
			})
			if writes != 3 {
				t.Fatalf("%d audited rulings; want 3", writes)
			}
		})
	}
}

// TestRetiredPersonIsFollowed: when a new resolution gives all of one
// person's incidents to another (here by a ruling that they are one man),
// the retired person points at the one who has them, and scoring him
// follows the link.
func TestRetiredPersonIsFollowed(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			db := e.Open(t, storetest.FixedClock(now))
			ctx := context.Background()
			site := &account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
			u := &account.User{Username: "ana", DisplayName: "Ana", PasswordHash: "x", TOTPSecret: "X"}
			err := db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.CreateSite(ctx, site); err != nil {
					return err
				}
				org := &account.Organisation{Name: "Org", Kind: account.Provider}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				u.OrganisationID = org.ID
				return tx.CreateUser(ctx, u)
			})
			if err != nil {
				t.Fatal(err)
			}
			importFor(t, db, site.Code, []incident.Record{
				{Ref: "R1", On: drive.MustDate("2026-06-01"), Type: "abh", Crime: true, Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}},
				{Ref: "R2", On: drive.MustDate("2026-09-01"), Type: "abh", Crime: true, Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}},
				{Ref: "R3", On: drive.MustDate("2026-10-01"), Type: "abh", Crime: true, Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}},
			})
			var darren, kevin int64
			err = db.Transact(ctx, func(tx *store.Tx) error {
				rows, err := tx.SitePoliceIncidents(ctx, site.ID, drive.Date{})
				if err != nil {
					return err
				}
				darren, kevin = rows[0].SuspectPerson, rows[1].SuspectPerson
				if darren == kevin || rows[2].SuspectPerson != kevin {
					t.Fatalf("resolution: %d %d %d", rows[0].SuspectPerson, rows[1].SuspectPerson, rows[2].SuspectPerson)
				}
				// They are one man: Darren's one incident joins Kevin's two.
				return tx.AddRuling(ctx, &store.Ruling{SiteID: site.ID, Role: "suspect", Kind: "confirm", PersonID: kevin,
					Incidents: []int64{rows[0].ID, rows[1].ID, rows[2].ID}, Reason: "Same custody number", UserID: u.ID})
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := (&service.Service{DB: db}).ResolveSite(ctx, service.System("test"), site.Code); err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				rows, err := tx.SitePoliceIncidents(ctx, site.ID, drive.Date{})
				if err != nil {
					return err
				}
				if rows[0].SuspectPerson != kevin || rows[2].SuspectPerson != kevin {
					t.Fatalf("after the ruling: %d %d %d; want all %d", rows[0].SuspectPerson, rows[1].SuspectPerson, rows[2].SuspectPerson, kevin)
				}
				if cur, err := tx.CurrentPerson(ctx, darren); err != nil || cur != kevin {
					t.Fatalf("the retired person leads to %d (%v); want %d", cur, err, kevin)
				}
				if cur, err := tx.CurrentPerson(ctx, kevin); err != nil || cur != kevin {
					t.Fatalf("the current person leads to %d (%v)", cur, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// importFor imports a police extract into the site with code, as the
// command line would.
func importFor(t testing.TB, db *store.DB, code string, recs []incident.Record) {
	t.Helper()
	if _, _, err := (&service.Service{DB: db}).ImportIncidents(context.Background(), service.System("test"), code, recs, nil); err != nil {
		t.Fatal(err)
	}
}

// TestSuspectLinkOnPage: the suspect's page shows why the linker joined
// his incidents, as a table of weights in bits that runs from the prior to
// the match weight and in words, for his weakest link and for a pair the
// analyst picks, without his postcode or anything of a victim.
func TestSuspectLinkOnPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			f := newSiteFixture(t, e, now, []access.Role{access.Analyst}, nil)
			sus := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"}
			her := incident.Person{GivenName: "Samantha", FamilyName: "Example", DOB: drive.MustDate("1990-05-01"), Age: 36}
			importFor(t, f.db, f.site.Code, []incident.Record{
				{Ref: "R1", On: drive.MustDate("2026-06-01"), Type: "abh", Crime: true, Suspect: sus, Victim: her},
				{Ref: "R2", On: drive.MustDate("2026-09-01"), Type: "common_assault", Crime: true, Suspect: sus, Victim: her},
				{Ref: "R3", On: drive.MustDate("2026-10-01"), Type: "stalking", Crime: true, Suspect: incident.Person{GivenName: "Daren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}, Victim: her},
				{Ref: "K1", On: drive.MustDate("2026-10-02"), Type: "abh", Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}, Victim: her},
			})
			_, body, _ := f.do(access.Analyst, "GET", "/identify", nil)
			m := regexp.MustCompile(`href="(/identify/people/\d+)">Daren Hollis`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no suspect page on the list: %s", regexp.MustCompile(`href="/identify/people/[^<]*`).FindAllString(body, -1))
			}
			ids := map[string]string{}
			status, body, _ := f.do(access.Analyst, "GET", m[1], nil)
			for _, r := range regexp.MustCompile(`<option value="(\d+)"[^>]*>(R\d),`).FindAllStringSubmatch(body, -1) {
				ids[r[2]] = r[1]
			}
			if status != 200 || !strings.Contains(body, "The weakest link") || len(ids) != 3 {
				t.Fatalf("suspect page: %d, pair choices %v", status, ids)
			}
			status, body, _ = f.do(access.Analyst, "GET", m[1]+"?a="+ids["R1"]+"&b="+ids["R3"], nil)
			if status != 200 || !strings.Contains(body, "Incidents R1 and R3, as you asked") {
				t.Fatalf("chosen pair: %d", status)
			}
			table := body[strings.Index(body, `id="link"`):]
			table = html.UnescapeString(table[:strings.Index(table, "</table>")])
			weights := regexp.MustCompile(`govuk-table__cell--numeric">(?:<strong>)?([+-]\d+\.\d\d)`).FindAllStringSubmatch(table, -1)
			if len(weights) != 11 { // prior twice, four fields twice, the total
				t.Fatalf("%d figures in the waterfall; want 11: %s", len(weights), table)
			}
			num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
			sum := num(weights[0][1])
			for i := 2; i < 10; i += 2 {
				sum += num(weights[i][1])
				if d := sum - num(weights[i+1][1]); d > 0.015 || d < -0.015 {
					t.Errorf("running total %s after adding %s; want %.2f", weights[i+1][1], weights[i][1], sum)
				}
			}
			if d := sum - num(weights[10][1]); d > 0.03 || d < -0.03 || num(weights[10][1]) <= 0 {
				t.Errorf("match weight %s; the rows sum to %.2f", weights[10][1], sum)
			}
			for _, want := range []string{">Darren<", ">Daren<", ">Given name<", "For: given", "joined these two incidents as one person", "Not shown"} {
				if !strings.Contains(body, want) {
					t.Errorf("the explanation lacks %q", want)
				}
			}
			expl := body[strings.Index(body, `id="link"`):]
			for _, secret := range []string{"NM4 2XY", "Samantha"} {
				if strings.Contains(expl, secret) {
					t.Errorf("the explanation shows %q", secret)
				}
			}
			if status, _, _ := f.do(access.Analyst, "GET", m[1]+"?a="+ids["R1"]+"&b="+ids["R1"], nil); status != 422 {
				t.Errorf("one incident twice: %d; want 422", status)
			}
		})
	}
}

// TestAnalystRefersFromTheList: the analyst refers a man from the
// identification list, after the question, and is brought back to the
// list with the banner, where he is marked referred and the count of
// people referred from the list has gone up by one; the referral waits
// with the team leader's referrals, made by the analyst as analyst. The
// right is to refer from the list and nothing more: the analyst still
// cannot make any other referral or change the case made.
func TestAnalystRefersFromTheList(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			f := newSiteFixture(t, e, now, []access.Role{access.Analyst, access.TeamLeader, access.Partner}, nil)
			importFor(t, f.db, f.site.Code, []incident.Record{
				{Ref: "R1", On: drive.MustDate("2026-09-01"), Type: "abh", Crime: true, Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}, Victim: incident.Person{GivenName: "Sam", FamilyName: "Example"}},
				{Ref: "R2", On: drive.MustDate("2026-10-01"), Type: "stalking", Crime: true, Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second"}},
				{Ref: "R3", On: drive.MustDate("2025-06-01"), Type: "harassment", Crime: true, Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}, Victim: incident.Person{GivenName: "Ann", FamilyName: "Doyle"}},
			})
			do, ctx, site := f.do, context.Background(), strconv.FormatInt(f.site.ID, 10)
			form := regexp.MustCompile(`name="suspect" value="([^"]+)"><input type="hidden" name="name" value="Kevin Doyle"`)

			status, body, _ := do(access.Analyst, "GET", "/identify", nil)
			m := form.FindStringSubmatch(body)
			if status != 200 || m == nil || !strings.Contains(strings.Join(strings.Fields(readerText(body)), " "), "0 people on this list have been referred from it") {
				t.Fatalf("the analyst's list before: %d\n%s", status, readerText(body))
			}
			ask := url.Values{"site": {site}, "suspect": {m[1]}, "name": {"Kevin Doyle"}}
			status, body, _ = do(access.Analyst, "POST", "/identify/refer", ask)
			if status != 200 || !strings.Contains(body, "Refer Kevin Doyle to the panel?") {
				t.Fatalf("the question: %d", status)
			}
			if _, list, _ := do(access.TeamLeader, "GET", "/cases", nil); strings.Contains(list, "Kevin Doyle") {
				t.Fatal("asking whether to refer made a referral")
			}
			ask.Set("confirmed", "yes")
			status, _, loc := do(access.Analyst, "POST", "/identify/refer", ask)
			if want := "/identify?site=" + site + "&done=list_referral"; status != 303 || loc != want {
				t.Fatalf("referring: %d %q; want 303 to %s", status, loc, want)
			}
			status, body, _ = do(access.Analyst, "GET", loc, nil)
			text := strings.Join(strings.Fields(readerText(body)), " ")
			if status != 200 || !strings.Contains(text, doneMessage("list_referral")) || !strings.Contains(text, "1 person on this list has been referred from it") ||
				form.MatchString(body) || !strings.Contains(body, `value="Darren Hollis"`) || strings.Count(body, "data-referred") != 1 {
				t.Fatalf("the analyst's list after: %d\n%s", status, text)
			}

			// The referral is the team leader's to decide, as any other.
			var caseID int64
			var events []audit.Event
			err := f.db.Transact(ctx, func(tx *store.Tx) error {
				listed, err := tx.ListedSuspects(ctx, f.site.ID)
				if err != nil || len(listed) != 1 {
					return fmt.Errorf("people referred from the list: %v %v", listed, err)
				}
				for person := range listed {
					rows, err := tx.PersonCases(ctx, f.site.ID, person, drive.DateOf(now))
					if err != nil || len(rows) != 1 || rows[0].Case.State != casework.Referred || rows[0].Case.Source != casework.FromPoliceList || rows[0].PersonName == "" {
						return fmt.Errorf("his cases: %+v %v", rows, err)
					}
					caseID = rows[0].Case.ID
				}
				events, err = tx.AuditEventsFor(ctx, "case", []string{strconv.FormatInt(caseID, 10)})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			made := false
			for _, ev := range events {
				made = made || ev.Action == audit.ActionRecordWrite && ev.ActorRole == string(access.Analyst)
			}
			if !made {
				t.Errorf("no write of the case by the analyst in its audit: %+v", events)
			}
			if _, team, _ := do(access.TeamLeader, "GET", "/team/unallocated", nil); !strings.Contains(team, "Kevin Doyle") {
				t.Error("the team leader's referrals do not hold the analyst's referral")
			}

			// Nothing more than that: no other referral, no change to the
			// case, and a partner may not refer from the list at all.
			cp := "/cases/" + strconv.FormatInt(caseID, 10)
			for _, try := range []struct {
				path string
				form url.Values
			}{
				{"/referrals", url.Values{"site": {site}, "programme": {"drive"}, "given_name": {"Lee"}, "family_name": {"Sample"}, "date_of_birth": {"1980-01-01"},
					"source": {"marac"}, "referred_at": {"2026-11-20"}, "summary": {"Repeat MARAC"}, "dash_score": {"16"}, "victims": {"1"}}},
				{cp + "/notes", url.Values{"text": {"An analyst's note"}}},
				{cp + "/move", url.Values{"event": {"accept"}, "reasons": {"Meets the criteria"}}},
			} {
				if status, _, _ := do(access.Analyst, "POST", try.path, try.form); status != 404 {
					t.Errorf("the analyst posting to %s: %d; want 404", try.path, status)
				}
				// The same post is good: the team leader's is taken.
				if status, body, _ := do(access.TeamLeader, "POST", try.path, try.form); status != 303 {
					t.Errorf("the team leader posting to %s: %d\n%.800s", try.path, status, readerText(body))
				}
			}
			ask.Set("suspect", regexp.MustCompile(`name="suspect" value="([^"]+)"><input type="hidden" name="name" value="Darren Hollis"`).FindStringSubmatch(body)[1])
			ask.Set("name", "Darren Hollis")
			if status, _, _ := do(access.Partner, "POST", "/identify/refer", ask); status != 404 {
				t.Errorf("a partner referring from the list: %d; want 404", status)
			}
		})
	}
}
