package service

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// Account is a user account as the administration pages and `drive user
// list` show it. It carries no credential: whether a second factor is set
// up, never the secret or the password's hash, so an adapter cannot print
// one by mistake.
type Account struct {
	ID             int64
	Username       string
	DisplayName    string
	OrganisationID int64
	Organisation   string
	// VictimSide: the account works for an IDVA service, so changes to it
	// other than disabling wait for the service's team leader.
	VictimSide   bool
	Roles        []AccountRole
	SecondFactor bool
	DisabledAt   *time.Time
	CreatedAt    time.Time
	// CanManage: the actor may change the account.
	CanManage bool
}

// Disabled reports whether the account may no longer sign in.
func (a Account) Disabled() bool { return a.DisabledAt != nil }

// AccountRole is one role an account holds, with its site's code and
// name; SiteID 0 (code and name empty) is a national role.
type AccountRole struct {
	Role     access.Role
	SiteID   int64
	SiteCode string
	SiteName string
}

// accountAccess reports whether sub may do want to the account u (nil for
// an account not yet made) holding, or about to hold, roles. An account
// belongs to every site where it holds a role, and is national when it
// holds none: acting on it needs configuration access at all of them, so
// an administrator of one site cannot reach a colleague who also works at
// another.
func accountAccess(sub access.Subject, want access.Action, now time.Time, u *account.User, roles []account.RoleAssignment) bool {
	var sites []int64
	if u != nil {
		for _, r := range u.Roles {
			sites = append(sites, r.SiteID)
		}
	}
	for _, r := range roles {
		sites = append(sites, r.SiteID)
	}
	if len(sites) == 0 {
		sites = []int64{0}
	}
	for _, site := range sites {
		if !configAt(sub, want, site, now) {
			return false
		}
	}
	return true
}

// configAt asks the policy for configuration access at a site (0:
// nationally).
func configAt(sub access.Subject, want access.Action, site int64, now time.Time) bool {
	return access.Decide(sub, want, access.Resource{Class: access.Configuration, RecordType: "site",
		RecordID: strconv.FormatInt(site, 10), SiteID: site}, now).Allowed
}

// directory names sites and organisations by id, to describe accounts.
type directory struct {
	sites map[int64]account.Site
	orgs  map[int64]account.Organisation
}

func loadDirectory(ctx context.Context, tx *store.Tx) (*directory, error) {
	d := &directory{sites: map[int64]account.Site{}, orgs: map[int64]account.Organisation{}}
	sites, err := tx.Sites(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range sites {
		d.sites[st.ID] = st
	}
	orgs, err := tx.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		d.orgs[o.ID] = o
	}
	return d, nil
}

func (d *directory) account(u *account.User, canManage bool) Account {
	org := d.orgs[u.OrganisationID]
	acc := Account{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, OrganisationID: u.OrganisationID, Organisation: org.Name,
		VictimSide: org.VictimSide(), Roles: []AccountRole{}, SecondFactor: u.TOTPEnrolled, DisabledAt: u.DisabledAt,
		CreatedAt: u.CreatedAt.UTC(), CanManage: canManage}
	for _, r := range u.Roles {
		st := d.sites[r.SiteID]
		if r.SiteID == 0 {
			st = account.Site{}
		} else if st.ID == 0 {
			// A site missing from the list: name it by its id rather
			// than leave a blank that reads as national.
			st.Code = "site" + strconv.FormatInt(r.SiteID, 10)
			st.Name = st.Code
		}
		acc.Roles = append(acc.Roles, AccountRole{Role: r.Role, SiteID: r.SiteID, SiteCode: st.Code, SiteName: st.Name})
	}
	return acc
}

// describe turns users into accounts: show says whether the actor sees
// each, and whether they may manage it.
func describe(ctx context.Context, tx *store.Tx, users []*account.User, show func(*account.User) (seen, manage bool)) ([]Account, error) {
	d, err := loadDirectory(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := []Account{}
	for _, u := range users {
		if seen, manage := show(u); seen {
			out = append(out, d.account(u, manage))
		}
	}
	return out, nil
}

// Users lists the accounts the actor may see, by username: those at
// whose every site (nationally, for an account without roles) the actor
// may read the configuration. Errors: none beyond storage.
func (s *Service) Users(ctx context.Context, a Actor) ([]Account, error) {
	var out []Account
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		out, err = describe(ctx, tx, users, func(u *account.User) (bool, bool) {
			return accountAccess(a.Subject, access.Read, tx.Now, u, nil), accountAccess(a.Subject, access.Write, tx.Now, u, nil)
		})
		return err
	})
	return out, err
}

// AccountNamed finds the account with the username (in any case), for an
// operator who names people rather than numbers them.
// Errors: ENOTFOUND when there is none or the actor may not see it.
func (s *Service) AccountNamed(ctx context.Context, a Actor, username string) (*Account, error) {
	var out *Account
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		u, err := reachable(a, access.Read, tx.Now)(tx.UserByUsername(ctx, username))
		if err != nil {
			return err
		}
		d, err := loadDirectory(ctx, tx)
		if err != nil {
			return err
		}
		acc := d.account(u, accountAccess(a.Subject, access.Write, tx.Now, u, nil))
		out = &acc
		return nil
	})
	return out, err
}

// AccessChange is what disabling or enabling an account did.
type AccessChange struct {
	// Changed is false when the account already was as asked; then
	// nothing was written, not even an audit event.
	Changed bool
	// Sessions and Tokens count the sessions ended and API tokens revoked
	// by disabling.
	Sessions int64
	Tokens   int64
}

// DisableUser stops the account signing in, ends its sessions and revokes
// its API tokens, audited as user.disable. Disabling takes access away,
// so it is direct for every account, an IDVA service's included: an
// administrator must be able to shut a door at once, without waiting for
// the service's team leader.
// Errors: ENOTFOUND when the actor may not manage the account (or it does
// not exist); EINVALID for the actor's own account.
func (s *Service) DisableUser(ctx context.Context, a Actor, userID int64) (AccessChange, error) {
	return s.setDisabled(ctx, a, userID, true)
}

// EnableUser lets a disabled account sign in again, audited as
// user.enable. Tokens revoked when it was disabled stay revoked.
// Errors: ENOTFOUND when the actor may not manage the account (or it does
// not exist).
func (s *Service) EnableUser(ctx context.Context, a Actor, userID int64) (AccessChange, error) {
	return s.setDisabled(ctx, a, userID, false)
}

func (s *Service) setDisabled(ctx context.Context, a Actor, userID int64, disabled bool) (AccessChange, error) {
	var out AccessChange
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		u, err := s.managed(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if disabled && u.ID == a.UserID {
			return drive.Errorf(drive.EINVALID, "You cannot disable your own account: ask another administrator")
		}
		if u.Disabled() == disabled {
			return nil
		}
		if err := tx.SetUserDisabled(ctx, u.ID, disabled); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if out.Sessions, out.Tokens, err = EndAccess(ctx, tx, a, u.ID, 0, "account disabled"); err != nil {
				return err
			}
		}
		out.Changed = true
		return tx.Audit(ctx, audit.Event{Action: action, ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: "user",
			RecordID: strconv.FormatInt(u.ID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	return out, err
}

// managed loads an account the actor may manage. Errors: ENOTFOUND
// otherwise, as for an account that does not exist.
func (s *Service) managed(ctx context.Context, tx *store.Tx, a Actor, userID int64) (*account.User, error) {
	return reachable(a, access.Write, tx.Now)(tx.User(ctx, userID))
}

// reachable passes on an account just loaded if the actor may do want to
// it, and answers "not found" alike for one that does not exist and one
// the actor may not reach.
func reachable(a Actor, want access.Action, now time.Time) func(*account.User, error) (*account.User, error) {
	return func(u *account.User, err error) (*account.User, error) {
		if drive.ErrorCode(err) == drive.ENOTFOUND || (err == nil && !accountAccess(a.Subject, want, now, u, nil)) {
			return nil, drive.NotFound("user")
		}
		return u, err
	}
}

// FirstAdministrator is the first account of a new installation.
type FirstAdministrator struct {
	Username    string
	DisplayName string
	// Organisation is the name (in any case) of their organisation;
	// created as a national team when there is none of that name.
	Organisation string
}

// Bootstrapped is what Bootstrap made.
type Bootstrapped struct {
	User                *account.User
	Organisation        *account.Organisation
	OrganisationCreated bool
	// Password is the administrator's one-time password, for the person
	// who ran the command alone; it is never stored or audited.
	Password string
}

// Bootstrap creates the first administrator (national admin role, no
// second factor yet: they enrol at first sign-in) on a database with no
// users, and their organisation if it does not exist, audited in one
// transaction. It is the only way in to an empty installation, so it
// refuses once anyone exists: from then on administrators add users.
// Errors: ENOTFOUND unless the actor administers nationally; ECONFLICT
// when there are users already; EINVALID for the fields.
func (s *Service) Bootstrap(ctx context.Context, a Actor, f FirstAdministrator) (*Bootstrapped, error) {
	out := &Bootstrapped{}
	username := strings.ToLower(strings.TrimSpace(f.Username))
	pw, err := s.oneTimePassword(username)
	if err != nil {
		return nil, err
	}
	hash, err := s.hash(pw)
	if err != nil {
		return nil, err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		n, err := tx.CountUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return drive.Errorf(drive.ECONFLICT, "the database already has %d user(s): bootstrap only creates the first administrator. Add users with drive user add, or reset an administrator's password with drive user reset-password", n)
		}
		orgs, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(f.Organisation)
		if i := slices.IndexFunc(orgs, func(o account.Organisation) bool { return strings.EqualFold(o.Name, name) }); i >= 0 {
			out.Organisation = &orgs[i]
		} else {
			out.Organisation, out.OrganisationCreated = &account.Organisation{Name: f.Organisation, Kind: account.NationalTeam}, true
			if err := tx.CreateOrganisation(ctx, out.Organisation); err != nil {
				return err
			}
			if err := tx.Audit(ctx, audit.Event{Action: "organisation.create", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin),
				RecordType: "organisation", RecordID: strconv.FormatInt(out.Organisation.ID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK}); err != nil {
				return err
			}
		}
		out.User = &account.User{Username: username, DisplayName: f.DisplayName, OrganisationID: out.Organisation.ID, PasswordHash: hash,
			Roles: []account.RoleAssignment{{Role: access.Admin}}}
		if err := tx.CreateUser(ctx, out.User); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "user.create", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: "user",
			RecordID: strconv.FormatInt(out.User.ID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return nil, err
	}
	out.Password = pw
	return out, nil
}

// AccountChoices are what a form for a new account offers: the
// organisations the person may work for, the sites at which the actor may
// give a role (ID 0: a national role), and the roles.
type AccountChoices struct {
	Organisations []account.Organisation
	Sites         []account.Site
	Roles         []access.Role
}

// NewAccountChoices are the choices of an administrator's form: every
// organisation (by name), the sites they administer, and every role.
// Errors: none beyond storage.
func (s *Service) NewAccountChoices(ctx context.Context, a Actor) (*AccountChoices, error) {
	out := &AccountChoices{Roles: access.Roles()}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if out.Organisations, err = tx.Organisations(ctx); err != nil {
			return err
		}
		slices.SortStableFunc(out.Organisations, func(x, y account.Organisation) int { return strings.Compare(x.Name, y.Name) })
		if configAt(a.Subject, access.Write, 0, tx.Now) {
			out.Sites = append(out.Sites, account.Site{Name: "National (no site)"})
		}
		sites, err := tx.Sites(ctx)
		for _, st := range sites {
			if configAt(a.Subject, access.Write, st.ID, tx.Now) {
				out.Sites = append(out.Sites, st)
			}
		}
		return err
	})
	return out, err
}

// ServiceAccountChoices are the choices of an IDVA service's team
// leader's form: their own service, the sites where they lead, and the
// service's roles (ServiceRoles).
// Errors: ENOTFOUND when the actor leads no IDVA service.
func (s *Service) ServiceAccountChoices(ctx context.Context, a Actor) (*AccountChoices, error) {
	out := &AccountChoices{Roles: account.ServiceRoles()}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		me, org, err := leaderOf(ctx, tx, a)
		if err != nil {
			return err
		}
		out.Organisations = []account.Organisation{*org}
		sites, err := tx.Sites(ctx)
		for _, st := range sites {
			if account.LeadsSite(me, st.ID) {
				out.Sites = append(out.Sites, st)
			}
		}
		return err
	})
	return out, err
}

// leaderOf loads the actor and the IDVA service they lead.
// Errors: ENOTFOUND when they lead none.
func leaderOf(ctx context.Context, tx *store.Tx, a Actor) (*account.User, *account.Organisation, error) {
	me, err := tx.User(ctx, a.UserID)
	if err != nil {
		return nil, nil, drive.NotFound("page")
	}
	org, err := tx.Organisation(ctx, me.OrganisationID)
	if err != nil {
		return nil, nil, err
	}
	if !account.ServiceLeader(me, org) {
		return nil, nil, drive.NotFound("page")
	}
	return me, org, nil
}
