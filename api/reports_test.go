package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// reportServer is the full server over real HTTP with two sites: AAA with
// 12 allocated cases (published as 10) and BBB with 2 (withheld). Users:
// a case manager at each ("cm" at AAA, "other" at BBB), a national
// evaluator ("eval") and a police partner at AAA ("pc"), whose role reads
// no aggregates. All synthetic.
func newReportServer(t *testing.T, e storetest.Engine) (*server, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	db := e.Open(t, storetest.FixedClock(now))
	s := &server{t: t, tokens: map[string]string{}, userIDs: map[string]int64{}}
	sites := map[string]int64{}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for _, code := range []string{"AAA", "BBB"} {
			st := &account.Site{Code: code, Name: "Site " + code, Region: "R"}
			if err := tx.CreateSite(ctx, st); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, st.ID); err != nil {
				return err
			}
			sites[code] = st.ID
		}
		provider := &account.Organisation{Name: "Drive provider", Kind: account.Provider}
		police := &account.Organisation{Name: "Police", Kind: account.PoliceForce}
		for _, o := range []*account.Organisation{provider, police} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		for _, u := range []struct {
			name string
			org  int64
			role access.Role
			site int64
		}{
			{"cm", provider.ID, access.CaseManager, sites["AAA"]},
			{"other", provider.ID, access.CaseManager, sites["BBB"]},
			{"eval", provider.ID, access.Evaluator, 0},
			{"pc", police.ID, access.Partner, sites["AAA"]},
		} {
			acc := &account.User{Username: "user." + u.name, DisplayName: "User " + u.name, OrganisationID: u.org, PasswordHash: "x", TOTPSecret: "X",
				Roles: []account.RoleAssignment{{Role: u.role, SiteID: u.site}}}
			if err := tx.CreateUser(ctx, acc); err != nil {
				return err
			}
			tok, hash, err := auth.NewToken(strings.NewReader(strings.Repeat("r"+u.name, 64)), auth.APITokenPrefix)
			if err != nil {
				return err
			}
			if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: acc.ID, TokenHash: hash, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
			s.tokens[u.name], s.userIDs[u.name] = tok, acc.ID
		}
		for code, n := range map[string]int{"AAA": 12, "BBB": 2} {
			cm := s.userIDs["cm"]
			if code == "BBB" {
				cm = s.userIDs["other"]
			}
			for i := range n {
				p := &people.Person{SiteID: sites[code], GivenName: "Test", FamilyName: fmt.Sprintf("Person %s%d", code, i)}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				c := &casework.Case{SiteID: sites[code], PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC,
					ReferredAt: drive.DateOf(now).AddDays(-90 - i), Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				at := tx.Now.AddDate(0, 0, -60)
				c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", cm, &at
				c.CaseManagerID, c.AllocatedAt, c.StartedAt = cm, &at, &at
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
	s.srv, err = web.New(web.Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}, Version: "1.2.3-test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s, sites
}

// outcomeMeasure reads one measure of the answer, keeping the raw value
// to tell null from a number.
type outcomeMeasure struct {
	Measure     string          `json:"measure"`
	Site        string          `json:"site"`
	Programme   string          `json:"programme"`
	Numerator   int             `json:"numerator"`
	Denominator int             `json:"denominator"`
	Value       json.RawMessage `json:"value"`
	Suppressed  bool            `json:"suppressed"`
	Definition  string          `json:"definition"`
	Label       string          `json:"label"`
	Unit        string          `json:"unit"`
	NoData      bool            `json:"no_data"`
	Interval    json.RawMessage `json:"interval"`
	PValue      *float64        `json:"p_value"`
	PValueBound bool            `json:"p_value_bound"`
	Paired      map[string]any  `json:"paired"`
	Exclusions  []struct {
		Reason string `json:"reason"`
		Cases  any    `json:"cases"`
	} `json:"exclusions"`
}

// counts lists the published counts of a measure that are numbers: its
// numerator and denominator (but for the caseload, whose denominator
// counts staff), its paired cells and its exclusions.
func (m outcomeMeasure) counts() []float64 {
	out := []float64{float64(m.Numerator)}
	if m.Measure != "caseload_per_case_manager" {
		out = append(out, float64(m.Denominator))
	}
	for _, c := range m.Paired {
		if n, ok := c.(float64); ok {
			out = append(out, n)
		}
	}
	for _, e := range m.Exclusions {
		if n, ok := e.Cases.(float64); ok {
			out = append(out, n)
		}
	}
	return out
}

func TestOutcomesReport(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s, sites := newReportServer(t, e)
			get := func(user, query string) response { return s.call(t, user, "GET", "/reports/outcomes"+query, "") }
			read := func(r response) map[string]outcomeMeasure {
				t.Helper()
				var ms []outcomeMeasure
				r.decode(t, http.StatusOK, &ms)
				if len(ms) == 0 {
					t.Fatal("no measures")
				}
				out := map[string]outcomeMeasure{}
				for _, m := range ms {
					if m.Measure == "" || m.Site == "" || m.Programme == "" || m.Definition == "" || m.Value == nil {
						t.Errorf("measure lacks a field: %+v", m)
					}
					if m.Suppressed && (string(m.Value) != "null" || m.Numerator != 0 || m.Denominator != 0) {
						t.Errorf("withheld %s/%s carries figures: %+v", m.Measure, m.Site, m)
					}
					for _, n := range m.counts() {
						if n != 0 && n >= -7 && n <= 7 {
							t.Errorf("%s/%s/%s shows a small count %v", m.Measure, m.Site, m.Programme, n)
						}
					}
					out[m.Measure+"/"+m.Site+"/"+m.Programme] = m
				}
				return out
			}
			value := func(ms map[string]outcomeMeasure, key string) string {
				t.Helper()
				m, ok := ms[key]
				if !ok {
					t.Fatalf("no measure %s", key)
				}
				return string(m.Value)
			}

			// The national evaluator: every site together (14, shown as
			// 15) and each site: AAA's 12 as 10, BBB's 2 withheld.
			ev := read(get("eval", ""))
			for key, want := range map[string]string{"perpetrators/all/all": "15", "perpetrators/AAA/all": "10", "perpetrators/BBB/all": "null"} {
				if got := value(ev, key); got != want {
					t.Errorf("evaluator %s = %s, want %s", key, got, want)
				}
			}
			if !ev["perpetrators/BBB/all"].Suppressed {
				t.Errorf("2 perpetrators at BBB not withheld")
			}

			// A case manager reads their own site, with or without naming it.
			aaa := fmt.Sprintf("?site=%d", sites["AAA"])
			own := read(get("cm", aaa+"&programme=drive&from=2020-01-01&to="+drive.DateOf(now).String()))
			if got := value(own, "perpetrators/all/drive"); got != "10" {
				t.Errorf("cm at AAA: perpetrators = %s, want 10", got)
			}
			for key := range own {
				if !strings.HasSuffix(key, "/all/drive") {
					t.Errorf("one site, one programme, but %s", key)
				}
			}
			mine := read(get("cm", ""))
			var keys []string
			for key := range mine {
				if strings.Contains(key, "/BBB/") {
					keys = append(keys, key)
				}
			}
			sort.Strings(keys)
			if len(keys) > 0 {
				t.Errorf("cm at AAA sees BBB's figures: %v", keys)
			}

			// Another site's staff, and a role that reads no aggregates:
			// not found.
			for _, tt := range []struct{ user, query string }{{"other", aaa}, {"pc", aaa}, {"pc", ""}, {"cm", "?site=999999"}} {
				if got := errorOf(t, get(tt.user, tt.query), http.StatusNotFound); got.Code != drive.ENOTFOUND {
					t.Errorf("%s %s: %+v", tt.user, tt.query, got)
				}
			}
			// No token: unauthorised, and no figures.
			if r := get("", aaa); r.status != http.StatusUnauthorized || strings.Contains(string(r.body), "perpetrators") {
				t.Errorf("no token: %d %s", r.status, r.body)
			}

			// Bad input: 422 naming the field.
			for _, tt := range []struct{ query, field string }{
				{"?from=2026-13-45", "from"},
				{"?to=yesterday", "to"},
				{"?site=abc", "site"},
				{"?programme=other", "programme"},
				{"?from=2026-02-01&to=2026-01-01", "to"},
			} {
				got := errorOf(t, get("eval", tt.query), http.StatusUnprocessableEntity)
				if got.Code != drive.EINVALID || got.Fields[tt.field] == "" {
					t.Errorf("%s: %+v; want invalid %s", tt.query, got, tt.field)
				}
			}
		})
	}
}

// TestOutcomesSchema holds the Measure schema of openapi.json to the JSON
// a measure actually writes, every optional member included.
func TestOutcomesSchema(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Required   []string                   `json:"required"`
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	p := 0.01
	full := outcomes.Measure{Name: "x", Interval: &outcomes.Interval{}, PValue: &p, PValueBound: true, NoData: true, Paired: &outcomes.Paired{}, Arm: outcomes.ArmIntervention,
		Exclusions: []outcomes.Exclusion{{Reason: "r"}}}
	for schema, v := range map[string]any{"Measure": full, "MeasureInterval": outcomes.Interval{}, "PairedTable": outcomes.Paired{},
		"Exclusion": outcomes.Exclusion{}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(b, &members); err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for k := range members {
			want = append(want, k)
		}
		sc := doc.Components.Schemas[schema]
		for k := range sc.Properties {
			got = append(got, k)
		}
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("schema %s has\n  %v\na measure writes\n  %v", schema, got, want)
		}
		// Every required member is always written: take a measure
		// without its optional members.
		b, _ = json.Marshal(outcomes.Measure{})
		members = nil
		_ = json.Unmarshal(b, &members)
		if schema == "Measure" {
			for _, k := range sc.Required {
				if _, ok := members[k]; !ok {
					t.Errorf("required %s is not always written", k)
				}
			}
		}
	}
}
