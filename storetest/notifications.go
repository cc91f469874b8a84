package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// AlertSite is a site where police records can raise alerts: a
// perpetrator (Person) on an open case referred by MARAC (Case) with its
// case manager, a team leader on each side of the wall, an IDVA whose
// victim-survivor (Victim) is linked to the case, a second case manager
// with an open case of his own (Other), and an analyst; and three police
// people with no mentions yet, for tests that store incidents directly.
type AlertSite struct {
	Site                          account.Site
	Provider, IDVAs               account.Organisation
	Manager, OtherManager, Leader *account.User
	IDVALeader, IDVA, Analyst     *account.User
	Person, OtherPerson           *people.Person
	Case, Other                   *casework.Case
	Victim                        *victim.Case
	// Suspect and VictimPerson are police people: Suspect is linked to
	// Person, VictimPerson to Victim, once LinkPolice has run.
	Suspect, OtherSuspect, VictimPerson int64
}

// NewAlertSite builds an AlertSite with code code, its people and cases,
// and no police links yet.
func NewAlertSite(t testing.TB, db *store.DB, code string) *AlertSite {
	t.Helper()
	ctx := context.Background()
	f := &AlertSite{}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		f.Site = account.Site{Code: code, Name: "Site " + code, Region: "R"}
		if err := tx.CreateSite(ctx, &f.Site); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, f.Site.ID); err != nil {
			return err
		}
		f.Provider = account.Organisation{Name: code + " Drive", Kind: account.Provider, SiteIDs: []int64{f.Site.ID}}
		f.IDVAs = account.Organisation{Name: code + " IDVA Service", Kind: account.IDVAService, SiteIDs: []int64{f.Site.ID}}
		for _, o := range []*account.Organisation{&f.Provider, &f.IDVAs} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		mk := func(name string, org *account.Organisation, role access.Role) (*account.User, error) {
			u := &account.User{Username: name, DisplayName: "User " + name, OrganisationID: org.ID, OrganisationKind: org.Kind, PasswordHash: "x",
				Roles: []account.RoleAssignment{{Role: role, SiteID: f.Site.ID}}}
			return u, tx.CreateUser(ctx, u)
		}
		var err error
		for _, u := range []struct {
			to   **account.User
			name string
			org  *account.Organisation
			role access.Role
		}{
			{&f.Manager, "cm", &f.Provider, access.CaseManager},
			{&f.OtherManager, "cm2", &f.Provider, access.CaseManager},
			{&f.Leader, "lead", &f.Provider, access.TeamLeader},
			{&f.Analyst, "analyst", &f.Provider, access.Analyst},
			{&f.IDVA, "idva", &f.IDVAs, access.IDVA},
			{&f.IDVALeader, "idvalead", &f.IDVAs, access.TeamLeader},
		} {
			if *u.to, err = mk(code+"."+u.name, u.org, u.role); err != nil {
				return err
			}
		}
		today := drive.DateOf(tx.Now)
		open := func(given, family string, manager *account.User) (*people.Person, *casework.Case, error) {
			p := &people.Person{SiteID: f.Site.ID, GivenName: given, FamilyName: family, DateOfBirth: drive.MustDate("1985-06-01")}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return nil, nil, err
			}
			c := &casework.Case{SiteID: f.Site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: today.AddDays(-30),
				Summary: "Heard at MARAC", Evidence: programme.Evidence{DASHScore: 16}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return nil, nil, err
			}
			at := tx.Now
			c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed at panel", f.Leader.ID, &at
			c.CaseManagerID, c.AllocatedAt, c.StartedAt = manager.ID, &at, &at
			return p, c, tx.UpdateCase(ctx, c)
		}
		if f.Person, f.Case, err = open("Darren", "Hollis", f.Manager); err != nil {
			return err
		}
		if f.OtherPerson, f.Other, err = open("Mark", "Ellery", f.OtherManager); err != nil {
			return err
		}
		f.Victim = &victim.Case{SiteID: f.Site.ID, GivenName: "Sian", FamilyName: "Marsh", Gender: "female", IDVAID: f.IDVA.ID, Open: true, OpenedOn: today.AddDays(-20)}
		if err := tx.CreateVictimCase(ctx, f.Victim); err != nil {
			return err
		}
		if err := tx.LinkVictim(ctx, victim.Link{VictimCaseID: f.Victim.ID, PerpetratorCase: f.Case.ID, Relationship: victim.ExPartner}); err != nil {
			return err
		}
		sus, err := tx.NewPolicePeople(ctx, f.Site.ID, "suspect", 2)
		if err != nil {
			return err
		}
		vic, err := tx.NewPolicePeople(ctx, f.Site.ID, "victim", 1)
		if err != nil {
			return err
		}
		f.Suspect, f.OtherSuspect, f.VictimPerson = min(sus[0], sus[1]), max(sus[0], sus[1]), vic[0]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// LinkPolice links the site's Person to Suspect and its Victim to
// VictimPerson (status "linked"), as the linking use case would.
func (f *AlertSite) LinkPolice(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: f.Site.ID, Subject: f.Person.ID, PolicePerson: f.Suspect, Status: "linked", Score: 20}); err != nil {
			return err
		}
		return tx.PutPoliceLink(ctx, store.VictimSide, &store.PoliceLink{SiteID: f.Site.ID, Subject: f.Victim.ID, PolicePerson: f.VictimPerson, Status: "linked", Score: 20})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// RunNotifications is the conformance suite for notifications and for
// the queries that find what a police import should alert.
func RunNotifications(t *testing.T, e Engine) {
	ctx := context.Background()
	db := e.Open(t, FixedClock(Epoch))
	f := NewAlertSite(t, db, "NTF")
	write := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Transact(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("RoundTripReadAndDuplicates", func(t *testing.T) {
		write(func(tx *store.Tx) error {
			made, err := tx.CreateNotifications(ctx, []store.Notification{
				{UserID: f.Manager.ID, SiteID: f.Site.ID, Kind: "police_incident", CaseID: f.Case.ID, Summary: "one", SourceKey: "k1"},
				{UserID: f.Manager.ID, SiteID: f.Site.ID, Kind: "police_incident", CaseID: f.Case.ID, Summary: "two", SourceKey: "k2"},
				{UserID: f.IDVA.ID, SiteID: f.Site.ID, Kind: "police_incident", VictimCaseID: f.Victim.ID, Summary: "three", SourceKey: "k1"},
			})
			if err != nil || len(made) != 3 || made[0].ID == 0 || !made[0].CreatedAt.Equal(Epoch) {
				t.Fatalf("CreateNotifications = %+v, %v", made, err)
			}
			again, err := tx.CreateNotifications(ctx, []store.Notification{
				{UserID: f.Manager.ID, SiteID: f.Site.ID, Kind: "police_incident", CaseID: f.Case.ID, Summary: "one again", SourceKey: "k1"},
			})
			if err != nil || len(again) != 0 {
				t.Errorf("a second notification with the same key = %+v, %v; want none stored", again, err)
			}
			twice := store.Notification{UserID: f.Leader.ID, SiteID: f.Site.ID, Kind: "police_incident", CaseID: f.Case.ID, Summary: "twice", SourceKey: "k3"}
			once, err := tx.CreateNotifications(ctx, []store.Notification{twice, twice})
			if err != nil || len(once) != 1 || once[0].ID == 0 {
				t.Errorf("the same notification twice in one call = %+v, %v; want one stored", once, err)
			}
			return nil
		})
		var ns []store.Notification
		write(func(tx *store.Tx) error {
			var err error
			if ns, err = tx.Notifications(ctx, f.Manager.ID, false, 0); err != nil {
				return err
			}
			if n, err := tx.UnreadNotifications(ctx, f.Manager.ID); err != nil || n != 2 {
				t.Errorf("unread = %d, %v; want 2", n, err)
			}
			return nil
		})
		if len(ns) != 2 || ns[0].Summary != "two" || ns[1].Summary != "one" || ns[0].CaseID != f.Case.ID || ns[0].VictimCaseID != 0 || ns[0].ReadAt != nil {
			t.Fatalf("Notifications = %+v; want two, newest first, unread", ns)
		}
		write(func(tx *store.Tx) error {
			if _, err := tx.MarkNotificationsRead(ctx, f.IDVA.ID, ns[0].ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("marking another user's notification = %v; want not found", err)
			}
			if n, err := tx.MarkNotificationsRead(ctx, f.Manager.ID, ns[1].ID); err != nil || n != 1 {
				t.Errorf("mark one = %d, %v", n, err)
			}
			if n, err := tx.MarkNotificationsRead(ctx, f.Manager.ID, ns[1].ID); err != nil || n != 0 {
				t.Errorf("mark one again = %d, %v; want 0", n, err)
			}
			unread, err := tx.Notifications(ctx, f.Manager.ID, true, 0)
			if err != nil || len(unread) != 1 || unread[0].ID != ns[0].ID {
				t.Errorf("unread only = %+v, %v", unread, err)
			}
			if n, err := tx.MarkNotificationsRead(ctx, f.Manager.ID, 0); err != nil || n != 1 {
				t.Errorf("mark all = %d, %v; want 1", n, err)
			}
			if n, err := tx.UnreadNotifications(ctx, f.IDVA.ID); err != nil || n != 1 {
				t.Errorf("the IDVA's unread = %d, %v; want 1 (untouched)", n, err)
			}
			all, err := tx.Notifications(ctx, f.Manager.ID, false, 0)
			if err != nil || len(all) != 2 || all[0].ReadAt == nil || !all[0].ReadAt.Equal(Epoch) {
				t.Errorf("after mark all = %+v, %v", all, err)
			}
			return nil
		})
	})

	t.Run("BothRecordsIsInvalid", func(t *testing.T) {
		err := db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateNotifications(ctx, []store.Notification{{UserID: f.Manager.ID, SiteID: f.Site.ID, Kind: "x",
				CaseID: f.Case.ID, VictimCaseID: f.Victim.ID, Summary: "s", SourceKey: "both"}})
			return err
		})
		if err == nil {
			t.Fatal("a notification about a case and a victim-survivor at once was stored")
		}
	})

	t.Run("EmailAddresses", func(t *testing.T) {
		write(func(tx *store.Tx) error {
			if err := tx.SetNotificationEmail(ctx, f.Manager.ID, "cm@example.org"); err != nil {
				return err
			}
			if err := tx.SetNotificationEmail(ctx, f.Manager.ID, "cm2@example.org"); err != nil {
				return err
			}
			if err := tx.SetNotificationEmail(ctx, f.IDVA.ID, "idva@example.org"); err != nil {
				return err
			}
			return tx.SetNotificationEmail(ctx, f.IDVA.ID, "")
		})
		write(func(tx *store.Tx) error {
			got, err := tx.NotificationEmails(ctx, []int64{f.Manager.ID, f.IDVA.ID, f.Leader.ID})
			if err != nil || len(got) != 1 || got[f.Manager.ID] != "cm2@example.org" {
				t.Errorf("NotificationEmails = %v, %v; want the manager's latest only", got, err)
			}
			return nil
		})
	})

	t.Run("EventsSinceAMark", func(t *testing.T) {
		var mark store.PoliceMark
		write(func(tx *store.Tx) error {
			var err error
			if mark, err = tx.PoliceMark(ctx); err != nil {
				return err
			}
			// An incident before the links and the mark: never an event.
			return tx.InsertIncidents(ctx, f.Site.ID, []incident.Record{{Ref: "OLD", On: drive.MustDate("2026-01-01"), Type: "assault", Crime: true,
				Suspect: incident.Person{GivenName: "D", FamilyName: "H"}}}, []int64{f.Suspect}, []int64{f.VictimPerson}, nil)
		})
		f.LinkPolice(t, db)
		write(func(tx *store.Tx) error {
			var err error
			if mark, err = tx.PoliceMark(ctx); err != nil {
				return err
			}
			recs := []incident.Record{
				{Ref: "NEW1", On: drive.MustDate("2026-03-01"), Type: "assault", Crime: true},
				{Ref: "NEW2", On: drive.MustDate("2026-03-02"), Type: "harassment"},
				{Ref: "NEW3", On: drive.MustDate("2026-03-03"), Type: "criminal_damage", Crime: true},
			}
			// His incident with her; another man's incident with her; the
			// other man's incident with no linked victim.
			if err := tx.InsertIncidents(ctx, f.Site.ID, recs, []int64{f.Suspect, f.OtherSuspect, f.OtherSuspect}, []int64{f.VictimPerson, f.VictimPerson, 0}, nil); err != nil {
				return err
			}
			if _, _, err := tx.ImportMARAC(ctx, f.Site.ID, []incident.Hearing{{Ref: "M1", HeardOn: drive.MustDate("2026-03-04"),
				Perpetrator: incident.Person{FamilyName: "H"}}}, nil); err != nil {
				return err
			}
			hs, err := tx.SiteMARAC(ctx, f.Site.ID, drive.Date{})
			if err != nil || len(hs) != 1 {
				t.Fatalf("SiteMARAC = %+v, %v", hs, err)
			}
			return tx.AssignHearingPeople(ctx, []store.PersonAssignment{{Incident: hs[0].ID, Suspect: f.Suspect}})
		})
		write(func(tx *store.Tx) error {
			ces, err := tx.CaseAlertsSince(ctx, f.Site.ID, mark)
			if err != nil {
				return err
			}
			if len(ces) != 2 || ces[0].Hearing || ces[0].CaseID != f.Case.ID || ces[0].CaseManagerID != f.Manager.ID || ces[0].Type != "assault" ||
				!ces[0].Crime || ces[0].On != drive.MustDate("2026-03-01") || !ces[1].Hearing || ces[1].On != drive.MustDate("2026-03-04") || ces[1].Crime {
				t.Errorf("CaseAlertsSince = %+v; want his new incident, then his hearing", ces)
			}
			ves, err := tx.VictimAlertsSince(ctx, f.Site.ID, mark, ces)
			if err != nil {
				return err
			}
			// Through his case: the incident and the hearing; as the victim
			// named: his incident and the other man's.
			var through, named int
			for _, v := range ves {
				if v.VictimCaseID != f.Victim.ID || v.IDVAID != f.IDVA.ID {
					t.Errorf("victim event %+v is not hers", v)
				}
				if v.CaseID == f.Case.ID {
					through++
				} else {
					named++
				}
			}
			if through != 2 || named != 2 {
				t.Errorf("VictimAlertsSince = %+v; want 2 through his case and 2 naming her", ves)
			}
			leaders, err := tx.NotifiedTeamLeaders(ctx, []int64{f.Site.ID})
			if err != nil || len(leaders[f.Site.ID]) != 1 || leaders[f.Site.ID][0] != f.Leader.ID {
				t.Errorf("NotifiedTeamLeaders = %v, %v; want the provider's leader only", leaders, err)
			}
			return nil
		})
		// A closed case raises nothing (the change is rolled back).
		errBack := errors.New("roll back")
		err := db.Transact(ctx, func(tx *store.Tx) error {
			c, err := tx.Case(ctx, f.Case.ID)
			if err != nil {
				return err
			}
			at := tx.Now.Add(time.Hour)
			c.State, c.ClosureReason, c.ClosedAt = casework.Closed, "completed", &at
			if err := tx.UpdateCase(ctx, c); err != nil {
				return err
			}
			ces, err := tx.CaseAlertsSince(ctx, f.Site.ID, mark)
			if err != nil || len(ces) != 0 {
				t.Errorf("events for a closed case = %+v, %v", ces, err)
			}
			return errBack
		})
		if !errors.Is(err, errBack) {
			t.Fatal(err)
		}
	})
}
