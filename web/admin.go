package web

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// subjectOf is the policy's view of the signed-in user. It carries the
// kind of the user's organisation, loaded with the user, because only staff
// of an IDVA service ever reach the victim compartment.
func subjectOf(u *identity.User) access.Subject {
	s := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}
	for _, a := range u.Roles {
		s.Grants = append(s.Grants, access.Grant{Role: a.Role, SiteID: a.SiteID})
	}
	return s
}

// configDecision decides configuration access for a site (0 = national).
func configDecision(sub access.Subject, want access.Action, siteID int64, tx *store.Tx) access.Decision {
	return access.Decide(sub, want, access.Resource{Class: access.Configuration, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}, tx.Now)
}

func canManageUser(sub access.Subject, u *identity.User, tx *store.Tx) bool {
	return userAccess(sub, u, access.Write, tx)
}

// userAccess: a user record belongs to every site where they hold a role
// (or is national); acting on it needs the action at all of them.
func userAccess(sub access.Subject, u *identity.User, want access.Action, tx *store.Tx) bool {
	if len(u.Roles) == 0 {
		return configDecision(sub, want, 0, tx).Allowed
	}
	for _, a := range u.Roles {
		if !configDecision(sub, want, a.SiteID, tx).Allowed {
			return false
		}
	}
	return true
}

// usersData is what templates/admin-users.html shows.
type usersData struct {
	Users  []userRow
	CanAdd bool
}

type userRow struct {
	ID           int64
	Username     string
	Name         string
	Organisation string
	Roles        string
	Disabled     bool
	Enrolled     bool
	CanManage    bool
}

// adminUsers lists the users the admin may manage.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	sub := subjectOf(p.user)
	d := usersData{CanAdd: holds(sub, need{access.Configuration, access.Write})}
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		names, orgs, err := lookups(ctx, tx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !userAccess(sub, u, access.Read, tx) {
				continue
			}
			d.Users = append(d.Users, userRow{ID: u.ID, Username: u.Username, Name: u.DisplayName, Organisation: orgs[u.OrganisationID],
				Roles: rolesText(u, names), Disabled: u.Disabled(), Enrolled: u.TOTPEnrolled, CanManage: canManageUser(sub, u, tx)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "admin-users", s.page(r, "Users", d))
}

// lookups returns site names and organisation names by id.
func lookups(ctx context.Context, tx *store.Tx) (sites, orgs map[int64]string, err error) {
	sites, orgs = map[int64]string{}, map[int64]string{}
	ss, err := tx.Sites(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range ss {
		sites[st.ID] = st.Name
	}
	os, err := tx.Organisations(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range os {
		orgs[o.ID] = o.Name
	}
	return sites, orgs, nil
}

func rolesText(u *identity.User, sites map[int64]string) string {
	var parts []string
	for _, a := range u.Roles {
		where := "national"
		if a.SiteID != 0 {
			where = sites[a.SiteID]
		}
		parts = append(parts, a.Role.Label()+" ("+where+")")
	}
	return strings.Join(parts, ", ")
}

// newUserData is what templates/admin-user-new.html shows.
type newUserData struct {
	// Action is where the form posts: /admin/users for administrators,
	// /service-accounts for an IDVA service's team leader.
	Action        string
	Back          string
	Form          map[string]string
	Errors        FormErrors
	Organisations []option
	Roles         []option
	Sites         []option
	Created       *createdUser
	Request       *service.AccountRequestView
}

type option struct {
	Value    string
	Label    string
	Selected bool
}

type createdUser struct {
	Username string
	Password string
}

func (s *Server) newUserOptions(ctx context.Context, sub access.Subject, form map[string]string) (newUserData, error) {
	d := newUserData{Action: "/admin/users", Back: "/admin/users", Form: form}
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		orgs, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			v := strconv.FormatInt(o.ID, 10)
			label := o.Name
			if o.VictimSide() {
				label += " (needs the service's approval)"
			}
			d.Organisations = append(d.Organisations, option{v, label, form["organisation"] == v})
		}
		if configDecision(sub, access.Write, 0, tx).Allowed {
			d.Sites = append(d.Sites, option{"0", "National (no site)", form["site"] == "0"})
		}
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		for _, st := range sites {
			if configDecision(sub, access.Write, st.ID, tx).Allowed {
				v := strconv.FormatInt(st.ID, 10)
				d.Sites = append(d.Sites, option{v, st.Name, form["site"] == v})
			}
		}
		return nil
	})
	for _, ro := range access.Roles() {
		d.Roles = append(d.Roles, option{string(ro), ro.Label(), form["role"] == string(ro)})
	}
	sort.SliceStable(d.Organisations, func(i, j int) bool { return d.Organisations[i].Label < d.Organisations[j].Label })
	return d, err
}

func (s *Server) adminNewUser(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	d, err := s.newUserOptions(r.Context(), subjectOf(p.user), map[string]string{})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "admin-user-new", s.page(r, "Add a user", d))
}

// userForm reads the add-a-user form: the fields as typed, and the change
// they ask for, or the fields that are wrong.
func userForm(r *http.Request) (map[string]string, service.AccountChange, map[string]string) {
	form := map[string]string{}
	for _, f := range []string{"username", "display_name", "organisation", "role", "site", "reason"} {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	fields := map[string]string{}
	orgID, _ := strconv.ParseInt(form["organisation"], 10, 64)
	siteID, siteErr := strconv.ParseInt(form["site"], 10, 64)
	if siteErr != nil || siteID < 0 {
		fields["site"] = "Choose the site the role is for, or National"
	}
	role := access.Role(form["role"])
	if err := role.CheckScope(siteID == 0); err != nil && fields["site"] == "" {
		fields["role"] = drive.ErrorMessage(err)
	}
	c := service.AccountChange{Kind: identity.RequestCreate, Username: form["username"], DisplayName: form["display_name"], OrganisationID: orgID,
		Roles: []identity.RoleAssignment{{Role: role, SiteID: siteID}}, Reason: form["reason"]}
	return form, c, fields
}

// addUser creates the account the form describes through the service:
// directly, or as a request waiting for the IDVA service's team leader.
// options builds the form again when something must be fixed.
func (s *Server) addUser(w http.ResponseWriter, r *http.Request, options func(form map[string]string) (newUserData, error)) error {
	form, change, fields := userForm(r)
	var out *service.AccountOutcome
	if len(fields) == 0 {
		var err error
		out, err = s.svc.ChangeAccount(r.Context(), actorOf(r), change)
		if drive.ErrorCode(err) == drive.EINVALID {
			de := asInvalid(err)
			for k, v := range de.Fields {
				fields[k] = v
			}
			if len(de.Fields) == 0 {
				fields["username"] = de.Message
			}
		} else if err != nil {
			return err
		}
	}
	d, err := options(form)
	if err != nil {
		return err
	}
	if len(fields) > 0 {
		d.Errors = formErrors(fields, "display_name", "username", "organisation", "role", "site", "reason")
		return s.render(w, r, http.StatusUnprocessableEntity, "admin-user-new", s.page(r, "Error: Add a user", d))
	}
	return s.showOutcome(w, r, d.Back, out)
}

// showOutcome shows the one-time password of an applied change, or that
// the change waits for the IDVA service's approval.
func (s *Server) showOutcome(w http.ResponseWriter, r *http.Request, back string, out *service.AccountOutcome) error {
	if out.Pending() {
		d := newUserData{Back: back, Request: &service.AccountRequestView{AccountRequest: out.Request, Account: out.Request.Username}}
		if out.User != nil {
			d.Request.Account = out.User.Username
		}
		return s.render(w, r, http.StatusAccepted, "account-requested", s.page(r, "Waiting for approval", d))
	}
	if out.Password == "" {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	d := newUserData{Back: back, Created: &createdUser{Password: out.Password}}
	title := "Password reset"
	if out.Kind == identity.RequestCreate {
		d.Created.Username, title = out.User.Username, "User added"
	}
	return s.render(w, r, http.StatusOK, "admin-user-created", s.page(r, title, d))
}

// adminCreateUser adds a user with one role and a one-time password; they
// set up their second factor when they first sign in. An account in an
// IDVA service becomes a request for the service's team leader instead.
func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	sub := principalFrom(r.Context()).subject
	return s.addUser(w, r, func(form map[string]string) (newUserData, error) { return s.newUserOptions(r.Context(), sub, form) })
}

// resetKinds are the resets the pages offer, by the path's action.
var resetKinds = map[string]identity.RequestKind{
	"reset":               identity.RequestResetBoth,
	"reset-password":      identity.RequestResetPass,
	"reset-second-factor": identity.RequestResetSecond,
}

// adminUserAction disables, enables or resets a user the admin manages.
// A reset of a victim-side account becomes a request for the IDVA
// service's team leader (service.ChangeAccount).
func (s *Server) adminUserAction(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	sub := subjectOf(p.user)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return drive.NotFound("user")
	}
	action := r.PathValue("action")
	if kind, ok := resetKinds[action]; ok {
		out, err := s.svc.ChangeAccount(ctx, actorOf(r), service.AccountChange{Kind: kind, UserID: id, Reason: strings.TrimSpace(r.PostFormValue("reason"))})
		if err != nil {
			return err
		}
		return s.showOutcome(w, r, "/admin/users", out)
	}
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if !canManageUser(sub, u, tx) {
			return drive.NotFound("user")
		}
		if u.ID == p.user.ID && action == "disable" {
			return drive.Errorf(drive.EINVALID, "You cannot disable your own account: ask another administrator")
		}
		switch action {
		case "disable":
			if err := tx.SetUserDisabled(ctx, id, true); err != nil {
				return err
			}
			if _, _, err := service.EndAccess(ctx, tx, id, 0); err != nil {
				return err
			}
		case "enable":
			if err := tx.SetUserDisabled(ctx, id, false); err != nil {
				return err
			}
		default:
			return drive.NotFound("page")
		}
		return tx.Audit(ctx, audit.Event{Action: "user." + action, ActorID: p.user.ID, ActorRole: string(access.Admin), RecordType: "user",
			RecordID: strconv.FormatInt(id, 10), Remote: clientAddress(r), Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

func asDriveError(err error, target **drive.Error) bool { return errors.As(err, target) }
