package service_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestSystemImports checks the trusted entry points' use cases on both
// engines: a person, whatever their roles, is told "not found" and
// nothing is stored; the command line imports an extract and a MARAC list
// (again: nothing new), ranks the site, resolves it and matches suspects
// across sites, each audited as the command line; an unknown site code
// is "not found".
func TestSystemImports(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cli := service.CommandLine()
			sus := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"}
			recs := func(prefix string) []incident.Record {
				return []incident.Record{
					{Ref: prefix + "1", On: drive.MustDate("2026-06-01"), Type: "abh", Crime: true, Suspect: sus, Victim: incident.Person{GivenName: "Sam", FamilyName: "Example", Age: 30}},
					{Ref: prefix + "2", On: drive.MustDate("2026-09-01"), Type: "stalking", Crime: true, Suspect: sus, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second", Age: 31}},
					{Ref: prefix + "3", On: drive.MustDate("2026-10-01"), Type: "abh", Crime: true, Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")},
						Victim: incident.Person{GivenName: "Ann", FamilyName: "Doyle"}},
				}
			}
			head := w.head(t)
			for _, a := range []service.Actor{w.actor(t, "lead"), {}} {
				if _, _, err := w.svc.ImportIncidents(ctx, a, "NMR", recs("R"), nil); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("a person importing: %v, want not found", err)
				}
				if _, err := w.svc.MatchAcrossSites(ctx, a); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("a person matching: %v, want not found", err)
				}
				if _, err := w.svc.RankSite(ctx, a, "NMR", drive.MustDate("2026-11-01"), nil, 0, nil); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("a person ranking: %v, want not found", err)
				}
			}
			if _, _, err := w.svc.ImportIncidents(ctx, cli, "NOPE", recs("R"), nil); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("an unknown site: %v, want not found", err)
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("refusals wrote %d events: %s", len(es), summary(es))
			}

			var lines []string
			n, skipped, err := w.svc.ImportIncidents(ctx, cli, "NMR", recs("R"), func(l string) { lines = append(lines, l) })
			if err != nil || n != 3 || skipped != 0 || len(lines) == 0 {
				t.Fatalf("import: %d new, %d skipped, %d progress lines, %v", n, skipped, len(lines), err)
			}
			if n, skipped, err = w.svc.ImportIncidents(ctx, cli, "NMR", recs("R"), nil); err != nil || n != 0 || skipped != 3 {
				t.Fatalf("import again: %d new, %d skipped, %v; want nothing new", n, skipped, err)
			}
			hs := []incident.Hearing{{Ref: "M-1", HeardOn: drive.MustDate("2026-10-05"), Perpetrator: sus, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second"}}}
			if n, _, err = w.svc.ImportMARAC(ctx, cli, "NMR", hs, nil); err != nil || n != 1 {
				t.Fatalf("MARAC import: %d new, %v", n, err)
			}
			rk, err := w.svc.RankSite(ctx, cli, "NMR", drive.MustDate("2026-11-01"), nil, 1, nil)
			if err != nil || len(rk.Incidents) != 3 || len(rk.Scores) != 1 || rk.Resolved || rk.SiteID != w.siteA.ID {
				t.Fatalf("rank: %+v, %v", rk, err)
			}
			if top := rk.Scores[0]; rk.Names[top.Suspect] != "Darren Hollis" || top.DistinctVictims != 2 {
				t.Errorf("top suspect %q with %d victims; want Darren Hollis with 2", rk.Names[top.Suspect], top.DistinctVictims)
			}
			res, err := w.svc.ResolveSite(ctx, cli, "NMR")
			if err != nil || res.Suspects != 2 || res.Moved != 0 {
				t.Fatalf("resolve again: %+v, %v; want 2 suspects and nothing moved", res, err)
			}

			// The same man at the other site: matched across sites.
			if _, _, err := w.svc.ImportIncidents(ctx, cli, "SVV", recs("S")[:2], nil); err != nil {
				t.Fatal(err)
			}
			m, err := w.svc.MatchAcrossSites(ctx, cli)
			if err != nil || m.Matched != 2 || len(m.Suspects) != 2 {
				t.Fatalf("matching: %+v, %v; want Darren at both sites", m, err)
			}
			if a, b := m.Suspects[0], m.Suspects[1]; a.Group != b.Group || a.SiteID == b.SiteID {
				t.Errorf("matched suspects %+v; want one group over two sites", m.Suspects)
			}

			es := w.events(t, head)
			want := []string{"import.incidents", "import.incidents", "import.marac", "identify.run", "identify.resolve", "import.incidents", "identify.match_sites"}
			if len(es) != len(want) {
				t.Fatalf("audit = %s; want %v", summary(es), want)
			}
			for i, e := range es {
				if e.Action != want[i] || e.ActorRole != "system" || e.ActorID != 0 || e.Remote != "cli" {
					t.Errorf("event %d = %+v; want %s by the command line", i, e, want[i])
				}
			}
			if es[0].SiteID != w.siteA.ID || es[0].Reason != "3 new, 0 already held" || es[1].Reason != "0 new, 3 already held" {
				t.Errorf("import events: %+v", es[:2])
			}
			if es[6].RecordID != "" || es[6].Reason != "2 suspects known at more than one site" {
				t.Errorf("match event: %+v", es[6])
			}
		})
	}
}
