package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// reportDB is a migrated SQLite database with two sites: NMR with 12
// allocated cases (published as 10) and SVV with 2 (withheld), all
// synthetic.
func reportDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "d.db")
	// The key file beside the database, where the commands find it.
	keys, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.WriteFile(filepath.Join(filepath.Dir(db), "drive-keys.json")); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]string{{"NMR", "Northmoor", "North West"}, {"SVV", "Severnvale", "South West"}} {
		if code, _, errOut := runCLI("site", "add", "--db", db, "--code", s[0], "--name", s[1], "--region", s[2]); code != 0 {
			t.Fatalf("site add: %s", errOut)
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	today := drive.DateOf(time.Now())
	err = st.Transact(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		org := &account.Organisation{Name: "Drive provider", Kind: account.Provider}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		n := map[string]int{"NMR": 12, "SVV": 2}
		for _, site := range sites {
			cm := &account.User{Username: "cm." + strings.ToLower(site.Code), DisplayName: "Case manager " + site.Code, OrganisationID: org.ID,
				PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}}
			if err := tx.CreateUser(ctx, cm); err != nil {
				return err
			}
			for i := range n[site.Code] {
				p := &people.Person{SiteID: site.ID, GivenName: "Test", FamilyName: fmt.Sprintf("Person %s%d", site.Code, i)}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC,
					ReferredAt: today.AddDays(-90 - i), Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				at := tx.Now.AddDate(0, 0, -60)
				c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", cm.ID, &at
				c.CaseManagerID, c.AllocatedAt, c.StartedAt = cm.ID, &at, &at
				if err := tx.UpdateCase(ctx, c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// measureJSON is the shape drive report --format json promises.
type measureJSON struct {
	Measure     *string         `json:"measure"`
	Site        *string         `json:"site"`
	Programme   *string         `json:"programme"`
	Numerator   json.RawMessage `json:"numerator"`
	Denominator json.RawMessage `json:"denominator"`
	Value       json.RawMessage `json:"value"`
	Suppressed  *bool           `json:"suppressed"`
	Definition  *string         `json:"definition"`
	Unit        string          `json:"unit"`
}

func TestReportJSON(t *testing.T) {
	db := reportDB(t)
	code, out, errOut := runCLI("report", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var ms []measureJSON
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		t.Fatalf("not a JSON array of measures: %v\n%s", err, out)
	}
	got := map[string]measureJSON{}
	for _, m := range ms {
		if m.Measure == nil || m.Site == nil || m.Programme == nil || m.Numerator == nil || m.Denominator == nil ||
			m.Value == nil || m.Suppressed == nil || m.Definition == nil {
			t.Fatalf("measure lacks a field: %+v", m)
		}
		got[*m.Measure+"/"+*m.Site+"/"+*m.Programme] = m
		if *m.Suppressed && string(m.Value) != "null" {
			t.Errorf("withheld %s/%s carries the value %s", *m.Measure, *m.Site, m.Value)
		}
		if *m.Measure == "caseload_per_case_manager" {
			continue // the denominator counts staff
		}
		for _, n := range []json.RawMessage{m.Numerator, m.Denominator} {
			var v int
			if err := json.Unmarshal(n, &v); err == nil && v != 0 && v >= -7 && v <= 7 {
				t.Errorf("%s/%s shows a small count %d", *m.Measure, *m.Site, v)
			}
		}
	}
	// 14 perpetrators in all (15 when rounded), 12 at NMR (10), 2 at SVV
	// (withheld).
	for key, want := range map[string]string{"perpetrators/all/all": "15", "perpetrators/NMR/all": "10", "perpetrators/SVV/all": "null"} {
		m, ok := got[key]
		if !ok {
			t.Fatalf("no %s in %s", key, out)
		}
		if string(m.Value) != want {
			t.Errorf("%s = %s, want %s", key, m.Value, want)
		}
	}

	// One site: its figures only.
	code, out, errOut = runCLI("report", "--db", db, "--format", "json", "--site", "nmr", "--programme", "drive",
		"--from", "2020-01-01", "--to", drive.DateOf(time.Now()).String())
	if code != 0 {
		t.Fatalf("report --site nmr: exit %d: %s", code, errOut)
	}
	ms = nil
	if err := json.Unmarshal([]byte(out), &ms); err != nil || len(ms) == 0 {
		t.Fatalf("%v %s", err, out)
	}
	for _, m := range ms {
		if *m.Site != "all" || *m.Programme != "drive" {
			t.Fatalf("--site nmr --programme drive gave %s/%s", *m.Site, *m.Programme)
		}
		if *m.Measure == "perpetrators" && string(m.Value) != "10" {
			t.Errorf("perpetrators at NMR = %s, want 10", m.Value)
		}
	}

	// Each run is audited as the command line reading national aggregates.
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var events []audit.Event
	err = st.View(ctx, func(tx *store.Tx) error {
		events, err = tx.AuditEvents(ctx, store.AuditFilter{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, e := range events {
		if e.RecordType == "report" && e.RecordID == "outcomes" && e.Remote == "cli" && e.ActorRole == string(access.National) {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("%d audited report reads by the command line, want 2", reads)
	}

	// A person may not borrow the command line's reading, whatever roles
	// they hold; the command line itself may.
	svc := &service.Service{DB: st}
	person := service.Actor{UserID: 1, Remote: "cli", System: "cli",
		Subject: access.Subject{UserID: 1, Grants: []access.Grant{{Role: access.Admin}}}}
	if _, err := svc.SystemOutcomes(ctx, person, service.OutcomeFilter{}); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("a person asking for the command line's report: %v; want not found", err)
	}
	if _, err := svc.SystemOutcomes(ctx, service.CommandLine(), service.OutcomeFilter{}); err != nil {
		t.Errorf("the command line: %v", err)
	}
}

func TestReportFiles(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	for _, format := range []string{"csv", "html", "pdf", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(dir, "report."+format)
			if code, _, errOut := runCLI("report", "--db", db, "--format", format, "--out", path); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The SVV row of the perpetrators count reads "[c]", never 2.
			var svv string
			switch format {
			case "csv":
				rd := csv.NewReader(bytes.NewReader(b))
				rd.FieldsPerRecord = -1 // the equality section has its own columns
				recs, err := rd.ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range recs {
					if r[0] == "perpetrators" && r[1] == "SVV" && r[2] == "all" {
						svv = r[3]
					}
				}
			case "html":
				if !strings.Contains(string(b), `<html lang="en-GB">`) || !strings.Contains(string(b), "<caption>Site SVV, all programmes</caption>") {
					t.Fatalf("HTML lacks its language or the SVV table")
				}
				i := strings.Index(string(b), "<caption>Site SVV, all programmes</caption>")
				row := string(b)[i:]
				row = row[strings.Index(row, "Perpetrators worked with"):]
				svv = strings.TrimPrefix(row[strings.Index(row, "<td"):strings.Index(row, "</td>")], `<td class="n">`)
			case "pdf":
				text, err := pdf.Text(b)
				if err != nil {
					t.Fatal(err)
				}
				i := strings.Index(text, "Site SVV, all programmes")
				if i < 0 {
					t.Fatalf("no SVV section in %s", text)
				}
				for _, line := range strings.Split(text[i:], "\n") {
					if strings.HasPrefix(line, "Perpetrators worked with\t") {
						svv = strings.Split(line, "\t")[1]
						break
					}
				}
			case "xlsx":
				f, err := excelize.OpenReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rows, err := f.GetRows("Measures")
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					if r[1] == "perpetrators" && r[2] == "SVV" && r[3] == "all" {
						svv = r[4]
					}
				}
			}
			if svv != "[c]" {
				t.Errorf("perpetrators at SVV shown as %q, want [c]", svv)
			}
		})
	}
}

func TestReportBadFlags(t *testing.T) {
	db := reportDB(t)
	out := filepath.Join(t.TempDir(), "r.csv")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown site", []string{"--site", "ZZZ"}, 2, `there is no site "ZZZ"`},
		{"bad date", []string{"--from", "2026-13-45"}, 2, `--from "2026-13-45" is not a date`},
		{"bad to", []string{"--to", "yesterday"}, 2, `--to "yesterday" is not a date`},
		{"period backwards", []string{"--from", "2026-02-01", "--to", "2026-01-01"}, 2, "is before --from"},
		{"unknown format", []string{"--format", "docx"}, 2, `unknown --format "docx"`},
		{"no format", []string{"--format", ""}, 2, "unknown --format"},
		{"unknown programme", []string{"--programme", "other"}, 2, `unknown --programme "other"`},
		{"no database", []string{"--db", filepath.Join(t.TempDir(), "none.db")}, 1, "there is no database file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"report", "--db", db, "--format", "csv", "--out", out}, tt.args...)
			code, stdout, errOut := runCLI(args...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.msg)
			}
			if stdout != "" {
				t.Errorf("wrote %q to standard output", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a file was written: %v", err)
			}
		})
	}
}
