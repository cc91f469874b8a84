package demo_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
)

// TestSubjectAccessPackOnTheDemo is the subject access leak test on the
// demo as built: for the perpetrators with the most notes among those
// with a linked victim-survivor, the national data protection officer
// records a request, the site's officer approves it and the pack is
// released, as the pages do it. Each pack must hold every case, note,
// action and contact about him and every audit event on his records (the
// counts are compared with the database), and none of the linked
// victim-survivors' or children's names, and no value of any
// victim-survivor's compartment, notes, contacts or safety plan, may
// appear in the released JSON.
func TestSubjectAccessPackOnTheDemo(t *testing.T) {
	d := privateDemo(t, 42, built)
	ctx := context.Background()
	svc := &service.Service{DB: d.db, Keys: d.keys}
	raw, err := sql.Open("sqlite", "file:"+d.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	actor := func(userID int64) service.Actor {
		t.Helper()
		var a service.Actor
		err := d.db.View(ctx, func(tx *store.Tx) error {
			u, err := tx.User(ctx, userID)
			if err != nil {
				return err
			}
			a = service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Remote: "192.0.2.7",
				Subject: access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}}
			for _, r := range u.Roles {
				a.Subject.Grants = append(a.Subject.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	var nationalID int64
	if err := raw.QueryRow(`SELECT user_id FROM role_assignments WHERE role = 'dpo' AND site_id IS NULL`).Scan(&nationalID); err != nil {
		t.Fatal(err)
	}
	dpo := actor(nationalID)

	// Every victim-survivor's sealed values, and the names of those
	// linked to each perpetrator case with their children's.
	var values []string
	namesByCase := map[int64][]string{}
	linked := map[int64][]victimRecord{}
	for _, v := range d.victims(t) {
		values = append(values, v.Compartment.Values()...)
		for _, n := range append(v.Notes, v.Contacts...) {
			values = append(values, n.Text)
		}
		if v.SafetyPlan != "" {
			values = append(values, v.SafetyPlan)
		}
		for _, l := range v.Links {
			namesByCase[l.PerpetratorCase] = append(namesByCase[l.PerpetratorCase], v.Case.GivenName, v.Case.FamilyName)
			linked[l.PerpetratorCase] = append(linked[l.PerpetratorCase], v)
		}
		for _, c := range v.Children {
			for _, l := range v.Links {
				namesByCase[l.PerpetratorCase] = append(namesByCase[l.PerpetratorCase], c.GivenName)
			}
		}
	}

	// Six perpetrators, each with an open case that has a case manager
	// and a linked victim-survivor, those with the most notes first.
	rows, err := raw.Query(`SELECT c.person_id, MIN(c.id) FROM cases c JOIN victim_links l ON l.case_id = c.id
		WHERE c.case_manager_id IS NOT NULL AND c.state IN ('allocated', 'active') GROUP BY c.person_id
		ORDER BY (SELECT COUNT(*) FROM case_notes n JOIN cases c2 ON c2.id = n.case_id WHERE c2.person_id = c.person_id) DESC, c.person_id LIMIT 6`)
	if err != nil {
		t.Fatal(err)
	}
	var people, open []int64
	for rows.Next() {
		var id, caseID int64
		if err := rows.Scan(&id, &caseID); err != nil {
			t.Fatal(err)
		}
		people, open = append(people, id), append(open, caseID)
	}
	rows.Close()
	if len(people) < 6 {
		t.Fatalf("only %d perpetrators with a linked victim-survivor", len(people))
	}

	shownNotes, withheldNotes, names := 0, 0, 0
	for i, personID := range people {
		// His case manager writes, on top of the demo's notes, one
		// note about him alone and two that speak of her: her first
		// name, and her street or phone from her compartment.
		var cmID int64
		if err := raw.QueryRow(`SELECT case_manager_id FROM cases WHERE id = ?`, open[i]).Scan(&cmID); err != nil {
			t.Fatal(err)
		}
		her := linked[open[i]][0]
		where := ""
		if len(her.Compartment.Addresses) > 0 {
			where = her.Compartment.Addresses[0].Line1
		} else if len(her.Compartment.Phones) > 0 {
			where = her.Compartment.Phones[0]
		}
		if where == "" {
			t.Fatalf("victim-survivor %d has neither address nor phone", her.Case.ID)
		}
		planted := map[string]bool{ // the note, and whether his pack may show it
			"Attended the group session and spoke about his week.":              true,
			"Said " + her.Case.GivenName + " had not answered his messages.":    false,
			"Admitted he had gone to " + where + " on Saturday against advice.": false,
		}
		for text := range planted {
			if err := svc.AddNote(ctx, actor(cmID), open[i], &casework.Note{Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		var siteID int64
		var given, family string
		if err := raw.QueryRow(`SELECT site_id, given_name, family_name FROM people WHERE id = ?`, personID).Scan(&siteID, &given, &family); err != nil {
			t.Fatal(err)
		}
		var approverID int64
		if err := raw.QueryRow(`SELECT user_id FROM role_assignments WHERE role = 'dpo' AND site_id = ?`, siteID).Scan(&approverID); err != nil {
			t.Fatalf("the data protection officer of site %d: %v", siteID, err)
		}
		req := &subjectaccess.Request{Kind: subjectaccess.Person, SubjectID: personID, Requester: "The person, by letter", IdentityCheck: "Driving licence seen",
			ReceivedOn: drive.DateOf(built).AddDays(-2)}
		if err := svc.RecordSubjectAccessRequest(ctx, dpo, req); err != nil {
			t.Fatal(err)
		}
		if err := svc.ApproveSubjectAccess(ctx, actor(approverID), req.ID); err != nil {
			t.Fatal(err)
		}
		rv, err := svc.ReviewSubjectAccess(ctx, dpo, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		files, err := svc.ReleaseSubjectAccess(ctx, dpo, req.ID)
		if err != nil {
			t.Fatal(err)
		}

		// (a) Everything about him, compared with the database.
		kinds := map[string]int{}
		for _, sec := range rv.Pack.Sections {
			for _, it := range sec.Items {
				if show, ok := planted[it.Text]; ok && !show {
					t.Errorf("person %d: note %q is in his pack", personID, it.Text)
				}
				kinds[it.Kind]++
				if it.Kind == "note" {
					if it.Withheld != "" {
						withheldNotes++
					} else {
						shownNotes++
					}
				}
				if it.Withheld != "" && it.Text != "" {
					t.Errorf("person %d: item %s is withheld but keeps its text", personID, it.Key)
				}
			}
		}
		ofHim := `(SELECT id FROM cases WHERE person_id = ?)`
		want := map[string]int{
			"case":    count(`SELECT COUNT(*) FROM cases WHERE person_id = ?`, personID),
			"note":    count(`SELECT COUNT(*) FROM case_notes WHERE case_id IN `+ofHim, personID),
			"action":  count(`SELECT COUNT(*) FROM case_actions WHERE case_id IN `+ofHim, personID),
			"contact": count(`SELECT COUNT(*) FROM case_contacts WHERE case_id IN `+ofHim, personID),
			"access": count(`SELECT COUNT(*) FROM audit_events WHERE
				(record_type = 'case' AND record_id IN (SELECT CAST(id AS TEXT) FROM cases WHERE person_id = ?))
				OR (record_type = 'person' AND record_id = ?)
				OR (record_type = 'action' AND record_id IN (SELECT CAST(id AS TEXT) FROM case_actions WHERE case_id IN `+ofHim+`))
				OR (record_type = 'appointment' AND record_id IN (SELECT CAST(id AS TEXT) FROM appointments WHERE case_id IN `+ofHim+`))
				OR (record_type = 'document' AND record_id IN (SELECT CAST(id AS TEXT) FROM documents WHERE case_id IN `+ofHim+`))`,
				personID, strconv.FormatInt(personID, 10), personID, personID, personID),
			"appointment": count(`SELECT COUNT(*) FROM appointments WHERE case_id IN `+ofHim, personID),
			"document":    count(`SELECT COUNT(*) FROM documents WHERE case_id IN `+ofHim, personID),
		}
		for kind, n := range want {
			if kinds[kind] != n {
				t.Errorf("person %d: %d %s items in the pack, the database holds %d", personID, kinds[kind], kind, n)
			}
		}
		if want["note"] == 0 || want["access"] == 0 {
			t.Errorf("person %d: %d notes and %d audit events; the chosen perpetrators should have both", personID, want["note"], want["access"])
		}

		// (b) Nothing about her or the children.
		js := string(files.JSON)
		flat := normalise(js)
		for _, v := range values {
			if n := normalise(v); len(n) >= 8 && strings.Contains(flat, n) {
				t.Errorf("person %d: a victim-survivor's value %q is in the pack", personID, v)
			}
		}
		words := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(js), func(r rune) bool { return !unicode.IsLetter(r) }) {
			words[w] = true
		}
		// His own name, and his own record's coded values (an ethnicity
		// "White" is no surname), may be hers too.
		own := map[string]bool{strings.ToLower(given): true, strings.ToLower(family): true}
		for _, kv := range rv.Pack.Person {
			switch kv[0] {
			case "Gender", "Ethnicity", "Sexual orientation", "Disability":
				for _, w := range strings.FieldsFunc(strings.ToLower(kv[1]), func(r rune) bool { return !unicode.IsLetter(r) }) {
					own[w] = true
				}
			}
		}
		caseIDs, err := caseIDsOf(raw, personID)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range caseIDs {
			for _, name := range namesByCase[id] {
				n := strings.ToLower(name)
				if own[n] {
					continue
				}
				names++
				if words[n] {
					i := strings.Index(strings.ToLower(js), n)
					t.Errorf("person %d: the name %q of a victim-survivor or child linked to case %d is in the pack: %q", personID, name, id, js[max(0, i-200):min(len(js), i+50)])
				}
			}
		}
		if !strings.Contains(js, given) {
			t.Errorf("person %d: the pack does not hold his own name", personID)
		}
	}
	if shownNotes == 0 || withheldNotes == 0 {
		t.Errorf("%d notes shown and %d withheld across the packs; the demo should have some of each", shownNotes, withheldNotes)
	}
	if names < len(people) {
		t.Errorf("only %d names checked", names)
	}
	t.Logf("%d packs: %d notes shown, %d withheld; %d names and %d sealed values checked", len(people), shownNotes, withheldNotes, names, len(values))
}

func caseIDsOf(raw *sql.DB, personID int64) ([]int64, error) {
	rows, err := raw.Query(`SELECT id FROM cases WHERE person_id = ?`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
