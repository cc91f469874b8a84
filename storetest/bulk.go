package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
)

// OpenAt migrates and opens the database at dsn (from Engine.Blank), for a
// test that also fills it with FillSite.
func OpenAt(t testing.TB, dsn string, now func() time.Time) *store.DB {
	t.Helper()
	return openAndMigrate(t, dsn, now)
}

// FillSite adds n people to a site, each with one Drive case in state
// (casework.Referred, a new referral, or casework.Closed, closed that
// instant as completed: the site's history), every row created and last
// changed at the instant at, straight into the
// tables at the database at dsn (opened with OpenAt). It exists so tests
// can hold a use case to its answer at a national site's size (100,000
// cases) in seconds on either engine, which creating each case through the
// store's checks cannot. The rows are what the store itself would write
// for a referral, so every query reads them as it reads its own.
func FillSite(t testing.TB, dsn string, siteID int64, n int, state casework.State, at time.Time) {
	t.Helper()
	closed := "NULL"
	switch state {
	case casework.Referred:
	case casework.Closed:
		closed = "p.created_at"
	default:
		t.Fatalf("FillSite makes referred or closed cases, not %s", state)
	}
	ctx := context.Background()
	driver, source, pg := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_time_format=sqlite", false
	if store.IsPostgresURL(dsn) {
		driver, source, pg = "pgx", dsn, true
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var first int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM people`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	at = at.UTC()
	const batch = 500
	const cols = 11
	for done := 0; done < n; done += batch {
		rows := min(batch, n-done)
		var values []string
		args := make([]any, 0, rows*cols)
		for i := done; i < done+rows; i++ {
			ph := make([]string, cols)
			for k := range ph {
				ph[k] = "?"
				if pg {
					ph[k] = fmt.Sprintf("$%d", len(args)+k+1)
				}
			}
			values = append(values, "("+strings.Join(ph, ", ")+")")
			given, family := fmt.Sprintf("Bulk%d", i), fmt.Sprintf("Filler%d", i%997)
			dob := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%14000).Format(time.DateOnly)
			args = append(args, siteID, given, family, dob, "male", "not_known", "not_known", "not_known",
				" "+strings.ToLower(given)+" "+strings.ToLower(family)+" ", at, at)
		}
		// #nosec G202 -- test fixture: concatenates placeholders and a state constant, never input
		_, err := tx.ExecContext(ctx, `INSERT INTO people (site_id, given_name, family_name, date_of_birth, gender, ethnicity,
			sexual_orientation, disability, search_text, created_at, updated_at) VALUES `+strings.Join(values, ", "), args...)
		if err != nil {
			t.Fatalf("fill people: %v", err)
		}
	}
	// One case a person, referred on the person's date of birth (any
	// date will do), copying the person's timestamps.
	_, err = tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO cases (site_id, person_id, programme, state, engagement, source, referred_on,
		summary, dash_score, victims, identification_rank, known_to_social_care, closure_reason, closed_at, created_at, updated_at)
		SELECT p.site_id, p.id, 'drive', '%s', 'not_yet_contacted', 'other', p.date_of_birth,
		'A case for a test at size', 15, 1, 0, FALSE, '%s', %s, p.created_at, p.updated_at
		FROM people p WHERE p.site_id = %d AND p.id > %d`, state, map[bool]string{true: "completed"}[state == casework.Closed], closed, siteID, first))
	if err != nil {
		t.Fatalf("fill cases: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// PostgreSQL's autovacuum analyses a table soon after a bulk load;
	// doing it now measures the plans a running server would have, not
	// those of the moment after the load. SQLite keeps no statistics
	// unless asked, and a server never asks, so it is left as it is.
	if pg {
		if _, err := db.ExecContext(ctx, `ANALYZE people, cases`); err != nil {
			t.Fatal(err)
		}
	}
}
