package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/service"
)

// subjectOf is the policy's view of the signed-in user. It carries the
// kind of the user's organisation, loaded with the user, because only staff
// of an IDVA service ever reach the victim compartment.
func subjectOf(u *account.User) access.Subject {
	s := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}
	for _, a := range u.Roles {
		s.Grants = append(s.Grants, access.Grant{Role: a.Role, SiteID: a.SiteID})
	}
	return s
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
	// Own: the row is the signed-in user's account, which they change on
	// the Your account page rather than disable or reset from here.
	Own bool
}

// adminUsers lists the users the admin may see.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	d := usersData{CanAdd: holds(a.Subject, need{access.Configuration, access.Write})}
	accounts, err := s.svc.Users(r.Context(), a)
	if err != nil {
		return err
	}
	for _, acc := range accounts {
		d.Users = append(d.Users, rowOf(acc, a.UserID))
	}
	return s.render(w, r, http.StatusOK, "admin-users", s.page(r, "Users", d))
}

func rowOf(acc service.Account, me int64) userRow {
	return userRow{ID: acc.ID, Username: acc.Username, Name: acc.DisplayName, Organisation: acc.Organisation, Roles: rolesText(acc.Roles),
		Disabled: acc.Disabled(), Enrolled: acc.SecondFactor, CanManage: acc.CanManage, Own: acc.ID == me}
}

func rolesText(roles []service.AccountRole) string {
	var parts []string
	for _, a := range roles {
		where := "national"
		if a.SiteID != 0 {
			where = a.SiteName
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

func (s *Server) newUserOptions(ctx context.Context, a service.Actor, form map[string]string) (newUserData, error) {
	ch, err := s.svc.NewAccountChoices(ctx, a)
	if err != nil {
		return newUserData{}, err
	}
	return accountForm("/admin/users", form, ch), nil
}

// accountForm is the add-an-account form posting to action, offering the
// choices the service gives the actor. An administrator's form marks the
// organisations whose accounts wait for their service's approval; a team
// leader's has their own service alone, already chosen.
func accountForm(action string, form map[string]string, ch *service.AccountChoices) newUserData {
	d := newUserData{Action: action, Back: action, Form: form}
	leader := action == "/service-accounts"
	for _, o := range ch.Organisations {
		v := strconv.FormatInt(o.ID, 10)
		label, selected := o.Name, leader || form["organisation"] == v
		if o.VictimSide() && !leader {
			label += " (needs the service's approval)"
		}
		d.Organisations = append(d.Organisations, option{v, label, selected})
	}
	for _, st := range ch.Sites {
		v := strconv.FormatInt(st.ID, 10)
		d.Sites = append(d.Sites, option{v, st.Name, form["site"] == v})
	}
	for _, ro := range ch.Roles {
		d.Roles = append(d.Roles, option{string(ro), ro.Label(), form["role"] == string(ro)})
	}
	return d
}

func (s *Server) adminNewUser(w http.ResponseWriter, r *http.Request) error {
	d, err := s.newUserOptions(r.Context(), actorOf(r), map[string]string{})
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
	c := service.AccountChange{Kind: account.RequestCreate, Username: form["username"], DisplayName: form["display_name"], OrganisationID: orgID,
		Roles: []account.RoleAssignment{{Role: role, SiteID: siteID}}, Reason: form["reason"]}
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
	if out.Kind == account.RequestCreate {
		d.Created.Username, title = out.User.Username, "User added"
	}
	return s.render(w, r, http.StatusOK, "admin-user-created", s.page(r, title, d))
}

// adminCreateUser adds a user with one role and a one-time password; they
// set up their second factor when they first sign in. An account in an
// IDVA service becomes a request for the service's team leader instead.
func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	return s.addUser(w, r, func(form map[string]string) (newUserData, error) { return s.newUserOptions(r.Context(), a, form) })
}

// resetKinds are the resets the pages offer, by the path's action.
var resetKinds = map[string]account.RequestKind{
	"reset":               account.RequestResetBoth,
	"reset-password":      account.RequestResetPass,
	"reset-second-factor": account.RequestResetSecond,
}

// adminUserAction disables, enables or resets a user the admin manages.
// A reset of a victim-side account becomes a request for the IDVA
// service's team leader (service.ChangeAccount).
func (s *Server) adminUserAction(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return drive.NotFound("user")
	}
	action := r.PathValue("action")
	if kind, ok := resetKinds[action]; ok {
		out, err := s.svc.ChangeAccount(ctx, a, service.AccountChange{Kind: kind, UserID: id, Reason: strings.TrimSpace(r.PostFormValue("reason"))})
		if err != nil {
			return err
		}
		return s.showOutcome(w, r, "/admin/users", out)
	}
	switch action {
	case "disable":
		_, err = s.svc.DisableUser(ctx, a, id)
	case "enable":
		_, err = s.svc.EnableUser(ctx, a, id)
	default:
		return drive.NotFound("page")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

func asDriveError(err error, target **drive.Error) bool { return errors.As(err, target) }
