// Package demo creates a realistic, deterministic data set of synthetic
// people and organisations for demonstrations, manual testing and
// benchmarks. Every name is invented; the same seed always gives the same
// data, so a demo can be rebuilt exactly.
package demo

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
)

// Credential is one demo user's sign-in details, as written to
// demo-credentials.json. Site is the site code, or "" for a national role.
type Credential struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
	Role       string `json:"role"`
	Site       string `json:"site"`
}

// Options tunes Generate.
type Options struct {
	Seed uint64
	// Params are the password hashing parameters; the zero value means
	// auth.DefaultParams. Tests pass cheaper ones.
	Params auth.Params
}

// Result says what Generate created.
type Result struct {
	Sites         []account.Site
	Organisations int
	Credentials   []Credential
}

// siteSpec describes one fictional delivery area.
type siteSpec struct {
	code, name, region, police, council, probation string
}

func siteSpecs() []siteSpec {
	return []siteSpec{
		{"NMR", "Northmoor", "North West", "Northmoor Constabulary", "Northmoor Metropolitan Borough Council", "North West Probation Region"},
		{"SVV", "Severnvale", "South West", "Severnvale Police", "Severnvale County Council", "South West Probation Region"},
	}
}

// Generate fills an empty, migrated database through svc. It refuses a
// database that already has users, so a demo never mixes with real or
// earlier data. The staff, people, cases and victim-survivors are seeded
// in one transaction (Service.Seed, as the demo); then, through the
// service's use cases and each in a transaction of its own, what must be
// sealed (case notes, and her compartment, safety plan, DASH comments,
// IDVA contacts and notes) and the police data. A failure in those later
// steps leaves what came before it: build the demo again into a new
// database.
//
// svc.Keys seal the victim-survivors' protected details; drive demo's
// service holds the deployment's key file so drive serve can open them.
// When nil, a throwaway keyring is drawn from the seeded stream instead,
// so tests that do not read the sealed details need no key file; it is
// not kept, so give the service keys to read them back.
func Generate(ctx context.Context, svc *service.Service, opt Options) (*Result, error) {
	params := opt.Params
	if params == (auth.Params{}) {
		params = auth.DefaultParams()
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x44726976))
	// Secrets and salts come from a seeded stream too, so the whole data set
	// is reproducible from the seed.
	secretSource := rand.NewChaCha8(seedBytes(opt.Seed))
	res := &Result{}
	var g *generator
	err := svc.Seed(ctx, demoActor(), func(sd *service.Seeder) error {
		n, err := sd.UserCount(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return drive.Errorf(drive.ECONFLICT, "the database already has %d users: demo data goes only into a new, empty database (give --db a new file name)", n)
		}
		g = &generator{sd: sd, rng: rng, secrets: secretSource, params: params, used: map[string]bool{}, res: res, keyring: svc.Keys, perpetrators: map[int64]pronouns{}}
		return g.run(ctx)
	})
	if err != nil {
		return nil, err
	}
	// What the seeding left for the service is written now, in the order
	// it was asked for, each as of when it happened. The text limit is for
	// people typing: the demo writes years of notes in seconds.
	later := *svc
	later.Keys, later.Rand, later.TextLimit = g.sealKeys, g.sealRandom, math.MaxInt
	g.sd, g.svc = nil, &later
	for _, d := range g.later {
		svc, err := g.svc.Backdated(d.at)
		if err != nil {
			return nil, err
		}
		if err := d.write(ctx, svc); err != nil {
			return nil, err
		}
	}
	g.later = nil
	// Police data arrive as a force's extracts do, through the imports
	// the command line uses, audited as the demo.
	if err := g.incidents(ctx); err != nil {
		return nil, err
	}
	if err := g.identification(ctx); err != nil {
		return nil, err
	}
	if err := g.meetings(ctx); err != nil {
		return nil, err
	}
	if err := g.evaluation(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// deferred is a write through the service, as of at.
type deferred struct {
	at    time.Time
	write func(ctx context.Context, svc *service.Service) error
}

// actorOf is the actor a demo user acts as: their roles become the
// policy's grants, as the web server builds it for each request.
func actorOf(u *account.User) service.Actor {
	sub := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}
	for _, r := range u.Roles {
		sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
	}
	return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: sub, Remote: "demo"}
}

func seedBytes(seed uint64) [32]byte {
	var b [32]byte
	for i := 0; i < 4; i++ {
		x := seed + uint64(i)*0x9E3779B97F4A7C15
		for j := 0; j < 8; j++ {
			b[i*8+j] = byte(x >> (8 * j))
		}
	}
	return b
}

type generator struct {
	sd      *service.Seeder // while seeding; nil once Seed has committed
	svc     *service.Service
	rng     *rand.Rand
	secrets *rand.ChaCha8
	params  auth.Params
	used    map[string]bool
	res     *Result
	keyring *sealed.Keyring // nil: victims draws one from the seeded stream
	// sealKeys and sealRandom seal the victim-survivors' protected
	// details: the keyring given, or one drawn from the seeded stream.
	sealKeys   *sealed.Keyring
	sealRandom io.Reader
	// idvas are the sites' IDVAs by id, who write her protected details.
	idvas map[int64]*account.User
	// perpetrators are the pronouns of each perpetrator by person id,
	// for what is written about him on a victim-survivor's side.
	perpetrators map[int64]pronouns
	// later are the writes made through the service once the seeding
	// transaction has committed: the service opens transactions of its
	// own, which cannot run inside the seeding one.
	later []deferred
	// meetingSites are what each site's meetings are made from, read
	// while seeding and written once the police data are in.
	meetingSites []*meetingSite
	// national are the national users (no site), by role: the
	// evaluation project is created and approved by them.
	national map[access.Role]*account.User
	// policeCases are, by site code, the incidents of closed cases'
	// perpetrators, planned while seeding and imported with the site's
	// extract (demo/outcomes.go).
	policeCases map[string]*caseExtract
}

func (g *generator) run(ctx context.Context) error {
	national := &account.Organisation{Name: "Drive National Team", Kind: account.NationalTeam}
	evaluator := &account.Organisation{Name: "Institute for Safer Families Research", Kind: account.EvaluationPartner}
	for _, o := range []*account.Organisation{national, evaluator} {
		if err := g.org(ctx, o); err != nil {
			return err
		}
	}
	for _, spec := range siteSpecs() {
		site := account.Site{Code: spec.code, Name: spec.name, Region: spec.region}
		if err := g.sd.CreateSite(ctx, &site); err != nil {
			return err
		}
		g.res.Sites = append(g.res.Sites, site)
		ids := []int64{site.ID}
		provider := &account.Organisation{Name: spec.name + " Drive Service", Kind: account.Provider, SiteIDs: ids}
		idvas := &account.Organisation{Name: spec.name + " IDVA Service", Kind: account.IDVAService, SiteIDs: ids}
		police := &account.Organisation{Name: spec.police, Kind: account.PoliceForce, SiteIDs: ids}
		council := &account.Organisation{Name: spec.council, Kind: account.LocalAuthority, SiteIDs: ids}
		probation := &account.Organisation{Name: spec.probation, Kind: account.ProbationRegion, SiteIDs: ids}
		housing := &account.Organisation{Name: spec.name + " Homes", Kind: account.HousingProvider, SiteIDs: ids}
		childrens := &account.Organisation{Name: spec.name + " Children's Social Care", Kind: account.LocalAuthority, SiteIDs: ids}
		pcc := &account.Organisation{Name: "Office of the " + spec.name + " Police and Crime Commissioner", Kind: account.CommissionerBody, SiteIDs: ids}
		for _, o := range []*account.Organisation{provider, idvas, police, council, probation, housing, pcc, childrens} {
			if err := g.org(ctx, o); err != nil {
				return err
			}
		}
		// Partner users have usernames made of the site and their agency
		// (nmr.police, svv.housing), so the README can name them: they
		// see the demo's meetings. Children's social care is a council
		// service but has its own partner, as at a MARAC.
		staff := []struct {
			org   *account.Organisation
			role  access.Role
			count int
			login string
		}{
			{provider, access.TeamLeader, 1, ""},
			{provider, access.CaseManager, 4, ""},
			{idvas, access.IDVA, 3, ""},
			{idvas, access.TeamLeader, 1, ""},
			{provider, access.PanelCoordinator, 1, ""},
			{police, access.Analyst, 1, ""},
			{police, access.Partner, 1, PartnerUsername(spec.code, "police")},
			{childrens, access.Partner, 1, PartnerUsername(spec.code, "childrens")},
			{probation, access.Partner, 1, PartnerUsername(spec.code, "probation")},
			{housing, access.Partner, 1, PartnerUsername(spec.code, "housing")},
			{pcc, access.Commissioner, 1, ""},
			{provider, access.Admin, 1, ""},
			{provider, access.DPO, 1, ""},
		}
		for _, st := range staff {
			for i := 0; i < st.count; i++ {
				if err := g.user(ctx, st.org, st.role, site, st.login); err != nil {
					return err
				}
			}
		}
	}
	for _, st := range []struct {
		org  *account.Organisation
		role access.Role
	}{
		{national, access.National},
		{national, access.Admin},
		{national, access.DPO},
		{evaluator, access.Evaluator},
	} {
		if err := g.user(ctx, st.org, st.role, account.Site{}, ""); err != nil {
			return err
		}
	}
	if err := g.casework(ctx); err != nil {
		return err
	}
	if err := g.victims(ctx); err != nil {
		return err
	}
	return g.planMeetings(ctx)
}

func (g *generator) org(ctx context.Context, o *account.Organisation) error {
	if err := g.sd.CreateOrganisation(ctx, o); err != nil {
		return fmt.Errorf("demo organisation %q: %w", o.Name, err)
	}
	g.res.Organisations++
	return nil
}

// user creates one staff member with an invented name, a generated
// password that passes the password policy, and a TOTP secret. login,
// when given, is their username instead of one made from the name; the
// name is drawn all the same, so the rest of the demo does not shift.
func (g *generator) user(ctx context.Context, org *account.Organisation, role access.Role, site account.Site, login string) error {
	var given, family, username string
	for {
		given = pick(g.rng, givenNames())
		family = pick(g.rng, familyNames())
		username = strings.ToLower(given + "." + family)
		if !g.used[username] {
			break
		}
	}
	g.used[username] = true
	if login != "" {
		username = login
	}
	password := g.password()
	if err := auth.CheckPassword(password, username); err != nil {
		return fmt.Errorf("demo password for %s: %w", username, err)
	}
	hash, err := auth.HashPassword(g.secrets, password, g.params)
	if err != nil {
		return err
	}
	secret, err := auth.NewTOTPSecret(g.secrets)
	if err != nil {
		return err
	}
	u := &account.User{
		Username:       username,
		DisplayName:    given + " " + family,
		OrganisationID: org.ID,
		PasswordHash:   hash,
		TOTPSecret:     secret,
		Roles:          []account.RoleAssignment{{Role: role, SiteID: site.ID}},
	}
	if err := g.sd.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("demo user %s: %w", username, err)
	}
	if site.ID == 0 {
		if g.national == nil {
			g.national = map[access.Role]*account.User{}
		}
		g.national[role] = u
	}
	g.res.Credentials = append(g.res.Credentials, Credential{
		Username: username, Password: password, TOTPSecret: secret, Role: string(role), Site: site.Code,
	})
	return nil
}

// password returns four random words and a number: long, memorable for a
// demo, and far from any common-password list.
func (g *generator) password() string {
	ws := passwordWords()
	parts := make([]string, 4)
	for i := range parts {
		parts[i] = pick(g.rng, ws)
	}
	return strings.Join(parts, "-") + fmt.Sprintf("-%02d", g.rng.IntN(100))
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
