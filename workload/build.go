// Package workload holds drive bench load: national-scale synthetic data
// and a mixed practitioners' workload run against a server over HTTP, so
// the figures a national deployment cares about (case page latency at 50
// users on 100,000 cases, no errors, no lost write) are measured through
// the same doors practitioners use.
package workload

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/victim"
)

// Password is every benchmark account's password: the data are synthetic
// and the accounts exist only in a benchmark database.
const Password = "lantern harbour meadow quietly 4821"

// Shape is the size of the national data set.
type Shape struct {
	Sites int // delivery areas, each with its own staff
	Cases int // perpetrator cases over all sites
	// Incidents are police-recorded incidents over all sites, imported
	// through the identification import as a force's extract would be.
	Incidents int
	// Managers and Leads are each site's case managers and team leaders.
	Managers, Leads int
	Seed            uint64
	// Params hash the one password; zero means auth.DefaultParams.
	Params auth.Params
}

// DefaultShape is the national scale of issue 18: 40 sites, 100,000 cases.
func DefaultShape() Shape {
	return Shape{Sites: 40, Cases: 100_000, Managers: 8, Leads: 2, Seed: 1}
}

// Account is a benchmark user who can sign in.
type Account struct {
	Username, TOTPSecret string
	Role                 access.Role
	Site                 int // index of the site, from 0
}

// SiteCode is the code of the site with index i.
func SiteCode(i int) string { return fmt.Sprintf("L%02d", i+1) }

// Accounts are the staff Build creates for shape, in a stable order: a
// site's team leaders, then its case managers, then its IDVA. The TOTP
// secret is derived from the seed and the username, so a database built
// earlier with the same seed is signed into again without a file.
func Accounts(sh Shape) []Account {
	var out []Account
	for s := 0; s < sh.Sites; s++ {
		code := SiteCode(s)
		add := func(role access.Role, name string) {
			out = append(out, Account{Username: name, TOTPSecret: totpSecret(sh.Seed, name), Role: role, Site: s})
		}
		for j := 0; j < sh.Leads; j++ {
			add(access.TeamLeader, fmt.Sprintf("%s.lead%d", lower(code), j+1))
		}
		for j := 0; j < sh.Managers; j++ {
			add(access.CaseManager, fmt.Sprintf("%s.cm%02d", lower(code), j+1))
		}
		add(access.IDVA, lower(code)+".idva")
	}
	return out
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func totpSecret(seed uint64, username string) string {
	sum := sha256.Sum256(binary.LittleEndian.AppendUint64([]byte(username), seed))
	secret, err := auth.NewTOTPSecret(rand.NewChaCha8(sum))
	if err != nil {
		panic(err) // a ChaCha8 stream never fails to read
	}
	return secret
}

// actor is the trusted entry point the benchmark builds its data as.
func actor() service.Actor { return service.System("bench") }

// Built says whether the database already holds the benchmark's data.
func Built(ctx context.Context, svc *service.Service) (bool, error) {
	sites, err := svc.Sites(ctx, service.CommandLine())
	if err != nil {
		return false, err
	}
	for _, s := range sites {
		if s.Code == SiteCode(0) {
			return true, nil
		}
	}
	return false, nil
}

// Build fills an empty database with sh: per site its organisations,
// staff, people and cases in every state (most closed, as years of
// history leave them), the open cases' actions, contacts and a note, and
// one victim-survivor linked to each case; then the police incidents.
// Each site is one transaction. progress, when not nil, hears about each
// site. Errors: ECONFLICT when the database has users already.
func Build(ctx context.Context, svc *service.Service, sh Shape, progress func(string)) error {
	if sh.Sites < 1 || sh.Cases < sh.Sites || sh.Managers < 1 || sh.Leads < 1 {
		return drive.Errorf(drive.EINVALID, "give at least one site, a case for each site, a case manager and a team leader")
	}
	params := sh.Params
	if params == (auth.Params{}) {
		params = auth.DefaultParams()
	}
	hash, err := auth.HashPassword(rand.NewChaCha8([32]byte{byte(sh.Seed)}), Password, params)
	if err != nil {
		return err
	}
	accounts := Accounts(sh)
	now := svc.DB.Now()
	for s := 0; s < sh.Sites; s++ {
		n := sh.Cases / sh.Sites
		if s < sh.Cases%sh.Sites {
			n++
		}
		var notes []pendingNote
		err := svc.Seed(ctx, actor(), func(sd *service.Seeder) error {
			if s == 0 {
				users, err := sd.UserCount(ctx)
				if err != nil {
					return err
				}
				if users > 0 {
					return drive.Errorf(drive.ECONFLICT, "the database already has %d users: the benchmark builds its data only in an empty database", users)
				}
			}
			var err error
			notes, err = buildSite(ctx, sd, s, n, accounts, hash, sh.Seed, now)
			return err
		})
		if err != nil {
			return fmt.Errorf("site %s: %w", SiteCode(s), err)
		}
		// Notes are sealed at rest, so they go through the use case that
		// seals them, after the site's seeding transaction.
		for _, pn := range notes {
			if err := svc.RecordNote(ctx, actor(), pn.caseID, &casework.Note{Text: pn.text, CreatedBy: pn.by}); err != nil {
				return fmt.Errorf("site %s note: %w", SiteCode(s), err)
			}
		}
		if progress != nil {
			progress(fmt.Sprintf("site %s: %d cases", SiteCode(s), n))
		}
	}
	if sh.Incidents > 0 {
		for s := 0; s < sh.Sites; s++ {
			n := sh.Incidents / sh.Sites
			if s < sh.Incidents%sh.Sites {
				n++
			}
			if n == 0 {
				continue
			}
			recs, _ := synth.Generate(synth.Config{Incidents: n, Seed: sh.Seed + uint64(s)*7919, End: drive.DateOf(now), RefPrefix: SiteCode(s)})
			if _, _, err := svc.ImportIncidents(ctx, actor(), SiteCode(s), recs, nil); err != nil {
				return fmt.Errorf("site %s incidents: %w", SiteCode(s), err)
			}
			if progress != nil {
				progress(fmt.Sprintf("site %s: %d incidents", SiteCode(s), n))
			}
		}
	}
	return nil
}

type pendingNote struct {
	caseID, by int64
	text       string
}

// stateFor spreads a site's cases over the states as years of work leave
// them: most closed, a fifth open and allocated, some waiting.
func stateFor(r *rand.Rand) casework.State {
	switch x := r.IntN(100); {
	case x < 62:
		return casework.Closed
	case x < 67:
		return casework.Declined
	case x < 72:
		return casework.Referred
	case x < 75:
		return casework.Accepted
	case x < 80:
		return casework.Allocated
	case x < 96:
		return casework.Active
	default:
		return casework.Closing
	}
}

var (
	givenNames  = []string{"Adam", "Ben", "Carl", "Dean", "Ewan", "Frank", "Gary", "Harry", "Ian", "Jack", "Kyle", "Liam", "Mark", "Neil", "Owen", "Paul", "Ryan", "Sean", "Tom", "Wayne"}
	familyNames = []string{"Ashworth", "Bramley", "Calder", "Dunmore", "Ellery", "Fenwick", "Garside", "Holloway", "Ingram", "Jessop", "Kershaw", "Lowther", "Marsden", "Norcott", "Oakes", "Pemberton", "Quarmby", "Redfern", "Stansfield", "Thwaite", "Underwood", "Varley", "Whitworth", "Yeadon"}
	herNames    = []string{"Amy", "Beth", "Clare", "Dawn", "Emma", "Faye", "Gemma", "Hannah", "Jade", "Kelly", "Laura", "Mia", "Nicola", "Rachel", "Sarah", "Zoe"}
	actionTypes = []string{"dvpn-dvpo", "one-to-one", "housing-referral"}
)

func buildSite(ctx context.Context, sd *service.Seeder, s, n int, accounts []Account, hash string, seed uint64, now time.Time) ([]pendingNote, error) {
	r := rand.New(rand.NewPCG(seed, uint64(s)+1))
	code := SiteCode(s)
	site := &account.Site{Code: code, Name: fmt.Sprintf("Load area %02d", s+1), Region: fmt.Sprintf("Region %d", s%9+1)}
	if err := sd.CreateSite(ctx, site); err != nil {
		return nil, err
	}
	if err := sd.AddProgrammes(ctx, site.ID); err != nil {
		return nil, err
	}
	provider := &account.Organisation{Name: code + " Drive provider", Kind: account.Provider, SiteIDs: []int64{site.ID}}
	idvas := &account.Organisation{Name: code + " IDVA service", Kind: account.IDVAService, SiteIDs: []int64{site.ID}}
	for _, o := range []*account.Organisation{provider, idvas} {
		if err := sd.CreateOrganisation(ctx, o); err != nil {
			return nil, err
		}
	}
	var managers []int64
	var lead, idva int64
	for _, a := range accounts {
		if a.Site != s {
			continue
		}
		org := provider
		if a.Role == access.IDVA {
			org = idvas
		}
		u := &account.User{Username: a.Username, DisplayName: "Staff " + a.Username, OrganisationID: org.ID, PasswordHash: hash,
			TOTPSecret: a.TOTPSecret, Roles: []account.RoleAssignment{{Role: a.Role, SiteID: site.ID}}}
		if err := sd.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		switch a.Role {
		case access.CaseManager:
			managers = append(managers, u.ID)
		case access.TeamLeader:
			lead = u.ID
		case access.IDVA:
			idva = u.ID
		}
	}
	today := drive.DateOf(now)
	var notes []pendingNote
	opened := 0
	for i := 0; i < n; i++ {
		ago := r.IntN(3 * 365)
		p := &people.Person{SiteID: site.ID, GivenName: givenNames[r.IntN(len(givenNames))],
			FamilyName:  familyNames[r.IntN(len(familyNames))] + fmt.Sprintf("-%s%d", code, i),
			DateOfBirth: drive.MustDate("1965-01-01").AddDays(r.IntN(35 * 365)), Gender: "male", Ethnicity: "not_known",
			SexualOrientation: "not_known", Disability: "not_known"}
		if err := sd.CreatePerson(ctx, p); err != nil {
			return nil, err
		}
		st := stateFor(r)
		c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", State: casework.Referred,
			Engagement: casework.Engagements()[r.IntN(len(casework.Engagements()))], Source: casework.Sources()[r.IntN(len(casework.Sources()))],
			ReferredAt: today.AddDays(-ago), Summary: "Referred for repeated abuse of a partner", Evidence: programme.Evidence{DASHScore: 10 + r.IntN(15)}}
		if err := sd.CreateCase(ctx, c); err != nil {
			return nil, err
		}
		c.State = st
		decided := now.AddDate(0, 0, -ago+3)
		if decided.After(now) {
			decided = now
		}
		if st != casework.Referred {
			c.DecisionReasons, c.DecidedBy, c.DecidedAt = "Panel agreed", lead, &decided
		}
		open := st == casework.Allocated || st == casework.Active || st == casework.Closing
		if open || st == casework.Closed {
			// Open cases go round the managers in turn, so each has
			// some of their own to write on even at a small site.
			c.CaseManagerID = managers[i%len(managers)]
			if open {
				c.CaseManagerID = managers[opened%len(managers)]
				opened++
			}
			c.AllocatedAt = &decided
			c.NextReviewDue = today.AddDays(r.IntN(60) - 15)
		}
		if st == casework.Active || st == casework.Closing || st == casework.Closed {
			c.StartedAt = &decided
		}
		if st == casework.Closing || st == casework.Closed {
			c.ClosureReason = "completed"
		}
		if st == casework.Closed {
			c.ClosedAt = &decided
		}
		if err := sd.UpdateCase(ctx, c); err != nil {
			return nil, err
		}
		actions, contacts := 1, 1
		if open {
			actions, contacts = 3, 2
			notes = append(notes, pendingNote{c.ID, c.CaseManagerID, "Spoke with the police officer in the case about bail conditions."})
		}
		if st == casework.Referred || st == casework.Declined || st == casework.Accepted {
			actions, contacts = 0, 0
		}
		for j := 0; j < actions; j++ {
			status := casework.ActionOpen
			if !open {
				status = casework.ActionDone
			}
			a := &casework.Action{CaseID: c.ID, Prong: programme.Prongs()[j%3], Type: actionTypes[j%3], Agency: "Police", Owner: "Officer in the case",
				DueOn: today.AddDays(r.IntN(40) - 20), Status: status}
			if !open {
				a.Outcome = "Done as planned"
			}
			if err := sd.CreateAction(ctx, a); err != nil {
				return nil, err
			}
		}
		for j := 0; j < contacts; j++ {
			ct := &casework.Contact{CaseID: c.ID, Kind: casework.ContactMade, On: today.AddDays(-r.IntN(min(ago, 60) + 1)), Summary: "Met at the office"}
			if err := sd.CreateContact(ctx, ct); err != nil {
				return nil, err
			}
		}
		v := &victim.Case{SiteID: site.ID, GivenName: herNames[r.IntN(len(herNames))], FamilyName: familyNames[r.IntN(len(familyNames))],
			DateOfBirth: drive.MustDate("1970-01-01").AddDays(r.IntN(30 * 365)), Gender: "female", Ethnicity: "not_known",
			SexualOrientation: "not_known", Disability: "not_known", IDVAID: idva, Open: st != casework.Closed && st != casework.Declined,
			OpenedOn: today.AddDays(-ago)}
		if !v.Open {
			v.ClosedOn = today.AddDays(-ago / 2)
		}
		if err := sd.CreateVictimCase(ctx, v); err != nil {
			return nil, err
		}
		rel := victim.CurrentPartner
		if r.IntN(2) == 0 {
			rel = victim.ExPartner
		}
		if err := sd.LinkVictim(ctx, victim.Link{VictimCaseID: v.ID, PerpetratorCase: c.ID, Relationship: rel}); err != nil {
			return nil, err
		}
	}
	return notes, nil
}
