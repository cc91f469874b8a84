package service

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// BenchmarkImportAlerts measures what alerting adds to an import on a
// large synthetic site (docs/benchmarks.md). The site holds the older
// 90% of DRIVE_BENCH_INCIDENTS synthetic incidents (default 45,000; the
// issue's site is 450,000) and DRIVE_BENCH_CASES open cases (default
// 1,000), each linked to one of the most prolific police suspects, each
// with a linked victim-survivor on an open IDVA case who is linked to
// the police victim of his latest incident. The newest 10% then arrive
// as one extract, imported as ImportIncidents does; the import (resolve
// and store) and the alerting after it (finding what the new incidents
// concern and storing the notifications) are timed apart in the same
// transaction, so "without alerting" is the same import with the alert
// step left out. On SQLite unless DRIVE_BENCH_ENGINE=postgres.
//
//	DRIVE_BENCH_INCIDENTS=450000 go test ./service -run '^$' -bench ImportAlerts -benchtime 1x -timeout 30m
func BenchmarkImportAlerts(b *testing.B) {
	n := benchEnv(b, "DRIVE_BENCH_INCIDENTS", 45000)
	cases := benchEnv(b, "DRIVE_BENCH_CASES", 1000)
	open := storetest.OpenSQLite
	if os.Getenv("DRIVE_BENCH_ENGINE") == "postgres" {
		open = storetest.OpenPostgres
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	today := drive.DateOf(at)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := open(b, storetest.FixedClock(at))
		ctx := context.Background()
		gen, _ := synth.Generate(synth.Config{Incidents: n, Seed: 12, End: today})
		slices.SortStableFunc(gen, func(x, y incident.Record) int { return x.On.Time().Compare(y.On.Time()) })
		held, fresh := gen[:n*9/10], gen[n*9/10:]
		var siteID int64
		start := time.Now()
		err := db.Transact(ctx, func(tx *store.Tx) error {
			var err error
			if siteID, err = benchSite(ctx, tx); err != nil {
				return err
			}
			_, _, err = (&Service{}).importIncidents(ctx, tx, siteID, held, nil)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		setup := time.Since(start)
		linked, err := benchCases(ctx, db, siteID, cases, today)
		if err != nil {
			b.Fatal(err)
		}
		var imported, alerted, marked time.Duration
		var made int
		b.StartTimer()
		err = db.Transact(ctx, func(tx *store.Tx) error {
			t0 := time.Now()
			mark, err := tx.PoliceMark(ctx)
			if err != nil {
				return err
			}
			t1 := time.Now()
			if _, _, err := (&Service{}).importIncidents(ctx, tx, siteID, fresh, nil); err != nil {
				return err
			}
			t2 := time.Now()
			r, err := (&Service{DB: db}).raisePoliceAlerts(ctx, tx, System("bench"), "", siteID, mark)
			if err != nil {
				return err
			}
			marked, imported, alerted, made = t1.Sub(t0), t2.Sub(t1), time.Since(t2), len(r.created)
			return nil
		})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(imported.Seconds(), "import-s")
		b.ReportMetric((marked + alerted).Seconds(), "alerting-s")
		b.ReportMetric(100*(marked+alerted).Seconds()/imported.Seconds(), "alerting-%")
		b.ReportMetric(float64(made), "notifications")
		b.Logf("%d incidents held (stored in %s), %d open cases linked, %d new incidents: import %s, alerting %s (mark %s), %d notifications",
			len(held), setup.Round(time.Millisecond), linked, len(fresh), imported.Round(time.Millisecond), (marked + alerted).Round(time.Millisecond),
			marked.Round(time.Microsecond), made)
	}
}

// benchSite makes the site, its programmes, a provider with 50 case
// managers and a team leader, and an IDVA service with 20 IDVAs.
func benchSite(ctx context.Context, tx *store.Tx) (int64, error) {
	site := account.Site{Code: "BNC", Name: "Bench", Region: "R"}
	if err := tx.CreateSite(ctx, &site); err != nil {
		return 0, err
	}
	if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
		return 0, err
	}
	for _, o := range []struct {
		kind  account.OrgKind
		roles []access.Role
	}{
		{account.Provider, append(slices.Repeat([]access.Role{access.CaseManager}, 50), access.TeamLeader)},
		{account.IDVAService, slices.Repeat([]access.Role{access.IDVA}, 20)},
	} {
		org := &account.Organisation{Name: "Bench " + string(o.kind), Kind: o.kind, SiteIDs: []int64{site.ID}}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return 0, err
		}
		for k, role := range o.roles {
			u := &account.User{Username: fmt.Sprintf("%s.%d", role, k), DisplayName: "Bench user", OrganisationID: org.ID, OrganisationKind: org.Kind,
				PasswordHash: "x", Roles: []account.RoleAssignment{{Role: role, SiteID: site.ID}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return 0, err
			}
		}
	}
	return site.ID, nil
}

// benchCases opens up to n cases on the site's most prolific suspects,
// each allocated to one of the case managers, linked to its police
// suspect, and linked to a victim-survivor on an open IDVA case who is
// linked to the police victim of his latest incident.
func benchCases(ctx context.Context, db *store.DB, siteID int64, n int, today drive.Date) (int, error) {
	made := 0
	err := db.Transact(ctx, func(tx *store.Tx) error {
		rows, err := tx.SitePoliceIncidents(ctx, siteID, drive.Date{})
		if err != nil {
			return err
		}
		count, victimOf := map[int64]int{}, map[int64]int64{}
		for _, r := range rows { // oldest first: the latest victim wins
			count[r.SuspectPerson]++
			if r.VictimPerson != 0 {
				victimOf[r.SuspectPerson] = r.VictimPerson
			}
		}
		suspects := make([]int64, 0, len(count))
		for p := range count {
			if p != 0 {
				suspects = append(suspects, p)
			}
		}
		slices.SortFunc(suspects, func(x, y int64) int { return cmp.Or(count[y]-count[x], cmp.Compare(x, y)) })
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		var managers, idvas []int64
		for _, u := range users {
			for _, r := range u.Roles {
				switch r.Role {
				case access.CaseManager:
					managers = append(managers, u.ID)
				case access.IDVA:
					idvas = append(idvas, u.ID)
				}
			}
		}
		now := tx.Now
		for k, sus := range suspects[:min(n, len(suspects))] {
			p := &people.Person{SiteID: siteID, GivenName: "Bench", FamilyName: "Person " + strconv.Itoa(k)}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			c := &casework.Case{SiteID: siteID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: today.AddDays(-60),
				Summary: "Bench", Evidence: programme.Evidence{DASHScore: 14}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Bench", managers[0], &now
			c.CaseManagerID, c.AllocatedAt, c.StartedAt = managers[k%len(managers)], &now, &now
			if err := tx.UpdateCase(ctx, c); err != nil {
				return err
			}
			if err := tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: siteID, Subject: p.ID, PolicePerson: sus, Status: "linked", Score: 20}); err != nil {
				return err
			}
			v := &victim.Case{SiteID: siteID, GivenName: "Bench", FamilyName: "Victim " + strconv.Itoa(k), Gender: "female", IDVAID: idvas[k%len(idvas)],
				Open: true, OpenedOn: today.AddDays(-50)}
			if err := tx.CreateVictimCase(ctx, v); err != nil {
				return err
			}
			if err := tx.LinkVictim(ctx, victim.Link{VictimCaseID: v.ID, PerpetratorCase: c.ID, Relationship: victim.ExPartner}); err != nil {
				return err
			}
			if vp := victimOf[sus]; vp != 0 {
				if err := tx.PutPoliceLink(ctx, store.VictimSide, &store.PoliceLink{SiteID: siteID, Subject: v.ID, PolicePerson: vp, Status: "linked", Score: 20}); err != nil {
					return err
				}
			}
			made++
		}
		return nil
	})
	return made, err
}

func benchEnv(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q is not a positive number", name, v)
		}
		return n
	}
	return def
}
