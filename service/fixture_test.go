package service_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// now is the fixture's fixed clock.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// Her protected details: the postcode is what a probing note would name.
const (
	herPostcode = "CN9 9QZ"
	herStreet   = "12 Canaryline Crescent"
	herPhone    = "07700 900917"
)

// world is the shared fixture: site A (Northmoor) with a Drive provider
// (case manager "cm", team leader "lead") and an IDVA service (IDVA
// "idva", team leader "idvalead"); site B (Severnvale) with its own case
// manager "otherCM". Site A has an active case allocated to cm, linked to
// a victim-survivor whose IDVA has recorded her address.
type world struct {
	db       *store.DB
	svc      *service.Service
	siteA    account.Site
	siteB    account.Site
	users    map[string]*account.User
	caseID   int64
	personID int64
	victimID int64
}

func newWorld(t *testing.T, e storetest.Engine) *world {
	t.Helper()
	return newWorldAt(t, e, storetest.FixedClock(now))
}

// newWorldAt is newWorld on a clock of the test's own, for use cases
// whose answer changes with time.
func newWorldAt(t testing.TB, e storetest.Engine, clock func() time.Time) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: e.Open(t, clock), users: map[string]*account.User{}}
	w.svc = &service.Service{DB: w.db, Keys: storetest.DatabaseKeys(t)}
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		w.siteA = account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		w.siteB = account.Site{Code: "SVV", Name: "Severnvale", Region: "South West"}
		for _, s := range []*account.Site{&w.siteA, &w.siteB} {
			if err := tx.CreateSite(ctx, s); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, s.ID); err != nil {
				return err
			}
		}
		provider := &account.Organisation{Name: "Drive provider", Kind: account.Provider, SiteIDs: []int64{w.siteA.ID, w.siteB.ID}}
		idvas := &account.Organisation{Name: "IDVA service", Kind: account.IDVAService, SiteIDs: []int64{w.siteA.ID}}
		for _, o := range []*account.Organisation{provider, idvas} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		for _, sp := range []struct {
			name string
			org  *account.Organisation
			role access.Role
			site int64
		}{
			{"cm", provider, access.CaseManager, w.siteA.ID},
			{"lead", provider, access.TeamLeader, w.siteA.ID},
			{"idva", idvas, access.IDVA, w.siteA.ID},
			{"idvalead", idvas, access.TeamLeader, w.siteA.ID},
			{"otherCM", provider, access.CaseManager, w.siteB.ID},
		} {
			u := &account.User{Username: "user." + strings.ToLower(sp.name), DisplayName: "User " + sp.name, OrganisationID: sp.org.ID,
				PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: sp.role, SiteID: sp.site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			w.users[sp.name] = u
		}
		p := &people.Person{SiteID: w.siteA.ID, GivenName: "Darren", FamilyName: "Hollis"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		w.personID = p.ID
		var err error
		w.caseID, err = activeCase(ctx, tx, w.siteA.ID, p.ID, w.users["cm"].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Her IDVA opens her case, linked to his, and records where she lives.
	idva := w.actor(t, "idva")
	w.victimID, err = w.svc.OpenVictimCase(ctx, idva, service.VictimInput{
		Case: victim.Case{SiteID: w.siteA.ID, GivenName: "Sam", FamilyName: "Example"},
		Link: victim.Link{PerpetratorCase: w.caseID, Relationship: victim.ExPartner}})
	if err != nil {
		t.Fatal(err)
	}
	err = w.svc.SetCompartment(ctx, idva, w.victimID, victim.Compartment{
		Addresses: []victim.Address{{Line1: herStreet, Town: "Northmoor", Postcode: herPostcode, Current: true}},
		Phones:    []string{herPhone}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// activeCase stores an active case at site for person, allocated to cm,
// as it stands after referral, panel and allocation.
func activeCase(ctx context.Context, tx *store.Tx, site, person, cm int64) (int64, error) {
	c := &casework.Case{SiteID: site, PersonID: person, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(tx.Now),
		Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
	if err := tx.CreateCase(ctx, c); err != nil {
		return 0, err
	}
	at := tx.Now
	c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", cm, &at
	c.CaseManagerID, c.AllocatedAt, c.StartedAt = cm, &at, &at
	return c.ID, tx.UpdateCase(ctx, c)
}

// actor builds the Actor for a user the way the web server does for each
// request: the user's role assignments become the policy's grants, and
// any break-glass they have open is added.
func (w *world) actor(t testing.TB, name string) service.Actor {
	t.Helper()
	u := w.users[name]
	var sub access.Subject
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		stored, err := tx.User(context.Background(), u.ID)
		if err != nil {
			return err
		}
		sub = access.Subject{UserID: stored.ID, OrganisationID: stored.OrganisationID, OrganisationKind: stored.OrganisationKind}
		for _, r := range stored.Roles {
			sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
		}
		sub.BreakGlass, err = tx.ActiveBreakGlass(context.Background(), u.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: sub, Remote: "192.0.2.1"}
}

// newCase adds another active case at site A for the fixture's person,
// allocated to cm, so a subtest can write without disturbing others.
func (w *world) newCase(t *testing.T) int64 {
	t.Helper()
	var id int64
	err := w.db.Transact(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = activeCase(context.Background(), tx, w.siteA.ID, w.personID, w.users["cm"].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// state is everything a use case could write, read back through storage:
// the audit log's length, and per case its notes, contacts, actions,
// reviews, history and held texts, the people, the victim-survivors'
// cases and everyone's text writes. Two equal states mean nothing was
// written between them.
func (w *world) state(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := w.db.View(ctx, func(tx *store.Tx) error {
		es, err := tx.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "audit events: %d\n", len(es))
		rows, total, err := tx.Cases(ctx, store.CaseFilter{AllSites: true, Sort: "referred", Limit: 1000}, drive.DateOf(tx.Now))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "cases: %d\n", total)
		for _, r := range rows {
			id := r.Case.ID
			notes, err := tx.Notes(ctx, id)
			if err != nil {
				return err
			}
			contacts, err := tx.Contacts(ctx, id)
			if err != nil {
				return err
			}
			actions, err := tx.Actions(ctx, id)
			if err != nil {
				return err
			}
			reviews, err := tx.Reviews(ctx, id)
			if err != nil {
				return err
			}
			history, err := tx.History(ctx, id)
			if err != nil {
				return err
			}
			held, err := tx.CaseHeldTexts(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "case %d %s: notes %d contacts %d actions %d reviews %d history %d held %d\n", id, r.Case.State,
				len(notes), len(contacts), len(actions), len(reviews), len(history), len(held))
		}
		ps, err := tx.PeopleAtSites(ctx, []int64{w.siteA.ID, w.siteB.ID})
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "people: %d\n", len(ps))
		_, nv, err := tx.VictimCases(ctx, store.VictimFilter{SiteIDs: []int64{w.siteA.ID, w.siteB.ID}, Limit: 1000})
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "victim cases: %d\n", nv)
		var names []string
		for n := range w.users {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			total, held, err := tx.TextWrites(ctx, w.users[n].ID, time.Time{})
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "text writes by %s: %d (%d held)\n", n, total, held)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// events returns the audit events after seq, oldest first.
func (w *world) events(t *testing.T, after int64) []audit.Event {
	t.Helper()
	var out []audit.Event
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEvents(context.Background(), store.AuditFilter{Limit: 1000})
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].Seq > after {
				out = append(out, es[i])
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// head is the number of the newest audit event.
func (w *world) head(t *testing.T) int64 {
	t.Helper()
	es := w.events(t, 0)
	if len(es) == 0 {
		return 0
	}
	return es[len(es)-1].Seq
}

// summary renders events as "action role record_type outcome" lines, for
// comparing with what a use case should have written.
func summary(es []audit.Event) string {
	var lines []string
	for _, e := range es {
		lines = append(lines, strings.Join([]string{e.Action, e.ActorRole, e.RecordType, e.Outcome}, " "))
	}
	return strings.Join(lines, "\n")
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := drive.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q; want %q", err, got, code)
	}
}
