package demo_test

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/service"
)

// TestDemoNotesFitThePerson reads, as each site's team leader, the notes
// and contacts the demo wrote on every case of a woman perpetrator and of
// a man: hers say "she" and never "he", "him" or "his"; his the reverse.
// At least one of hers must use a pronoun, so the test cannot pass by
// finding nothing to read.
func TestDemoNotesFitThePerson(t *testing.T) {
	d := generateSealed(t, 42, built)
	ctx := context.Background()
	svc := &service.Service{DB: d.db, Keys: d.keys}
	raw, err := sql.Open("sqlite", "file:"+d.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	leaders := map[int64]service.Actor{}
	rows, err := raw.Query(`SELECT u.id, u.organisation_id, r.site_id FROM users u JOIN role_assignments r ON r.user_id = u.id WHERE r.role = 'team_leader'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var user, org, site int64
		if err := rows.Scan(&user, &org, &site); err != nil {
			t.Fatal(err)
		}
		leaders[site] = service.Actor{UserID: user, OrganisationID: org, Remote: "192.0.2.7",
			Subject: access.Subject{UserID: user, OrganisationID: org, Grants: []access.Grant{{Role: access.TeamLeader, SiteID: site}}}}
	}
	rows.Close()

	type kase struct {
		id, site int64
		gender   string
	}
	var cases []kase
	rows, err = raw.Query(`SELECT c.id, c.site_id, p.gender FROM cases c JOIN people p ON p.id = c.person_id
		WHERE p.gender IN ('female', 'male') AND EXISTS (SELECT 1 FROM case_notes n WHERE n.case_id = c.id) ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k kase
		if err := rows.Scan(&k.id, &k.site, &k.gender); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, k)
	}
	rows.Close()

	words := map[string]*regexp.Regexp{"female": regexp.MustCompile(`(?i)\b(she|her|herself)\b`), "male": regexp.MustCompile(`(?i)\b(he|him|his|himself)\b`)}
	other := map[string]string{"female": "male", "male": "female"}
	said := map[string]int{}
	read := map[string]int{}
	for _, k := range cases {
		if read[k.gender] >= 40 {
			continue
		}
		read[k.gender]++
		v, err := svc.Case(ctx, leaders[k.site], k.id)
		if err != nil {
			t.Fatalf("case %d: %v", k.id, err)
		}
		texts := []string{v.Case.Summary}
		for _, n := range v.Notes {
			texts = append(texts, n.Text)
		}
		for _, c := range v.Contacts {
			texts = append(texts, c.Summary)
		}
		for _, s := range texts {
			if strings.ContainsAny(s, "{}") {
				t.Errorf("case %d: a placeholder is left in %q", k.id, s)
			}
			if w := words[other[k.gender]].FindString(s); w != "" {
				t.Errorf("case %d, of a %s perpetrator, says %q: %s", k.id, map[string]string{"female": "woman", "male": "man"}[k.gender], w, s)
			}
			if words[k.gender].MatchString(s) {
				said[k.gender]++
			}
		}
	}
	if said["female"] == 0 || said["male"] == 0 {
		t.Fatalf("no note says she for a woman or he for a man (%v) in %v cases read", said, read)
	}
}
