package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// serviceAccountsData is what templates/service-accounts.html shows.
type serviceAccountsData struct {
	Requests []service.AccountRequestView
	// Organisation and Users are set for a team leader of an IDVA service.
	Organisation string
	Users        []userRow
}

// serviceAccounts shows the account requests the user may decide or has
// made, and to a team leader of an IDVA service the service's accounts.
func (s *Server) serviceAccounts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorOf(r)
	var d serviceAccountsData
	reqs, err := s.svc.AccountRequests(ctx, a)
	if err != nil {
		return err
	}
	d.Requests = reqs
	org, users, err := s.svc.ServiceAccounts(ctx, a)
	if err != nil && drive.ErrorCode(err) != drive.ENOTFOUND {
		return err
	}
	if err == nil {
		d.Organisation = org.Name
		for _, u := range users {
			d.Users = append(d.Users, rowOf(u, a.UserID))
		}
	}
	return s.render(w, r, http.StatusOK, "service-accounts", s.page(r, "Service accounts", d))
}

// serviceUserOptions builds the add-an-account form for a team leader of
// an IDVA service: their service, the service's roles, the sites they lead.
// Errors: ENOTFOUND for anyone else.
func (s *Server) serviceUserOptions(ctx context.Context, a service.Actor, form map[string]string) (newUserData, error) {
	ch, err := s.svc.ServiceAccountChoices(ctx, a)
	if err != nil {
		return newUserData{Action: "/service-accounts", Back: "/service-accounts", Form: form}, err
	}
	return accountForm("/service-accounts", form, ch), nil
}

func (s *Server) serviceNewUser(w http.ResponseWriter, r *http.Request) error {
	d, err := s.serviceUserOptions(r.Context(), actorOf(r), map[string]string{})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "admin-user-new", s.page(r, "Add an account", d))
}

// serviceCreateUser adds an account to the team leader's own IDVA service.
func (s *Server) serviceCreateUser(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if _, _, err := s.svc.ServiceAccounts(r.Context(), a); err != nil {
		return err
	}
	return s.addUser(w, r, func(form map[string]string) (newUserData, error) { return s.serviceUserOptions(r.Context(), a, form) })
}

// serviceUserAction resets the password or second factor of an account
// in the team leader's own IDVA service.
func (s *Server) serviceUserAction(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	kind, ok := resetKinds[r.PathValue("action")]
	if err != nil || !ok {
		return drive.NotFound("user")
	}
	a := actorOf(r)
	_, users, err := s.svc.ServiceAccounts(r.Context(), a)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(users, func(u service.Account) bool { return u.ID == id }) {
		return drive.NotFound("user")
	}
	out, err := s.svc.ChangeAccount(r.Context(), a, service.AccountChange{Kind: kind, UserID: id})
	if err != nil {
		return err
	}
	return s.showOutcome(w, r, "/service-accounts", out)
}

// decideAccountRequest approves or refuses a request; an approval shows
// the approver any one-time password it made.
func (s *Server) decideAccountRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return drive.NotFound("request")
	}
	var approve bool
	switch r.PathValue("decision") {
	case "approve":
		approve = true
	case "refuse":
	default:
		return drive.NotFound("page")
	}
	out, err := s.svc.DecideAccountRequest(r.Context(), actorOf(r), id, approve)
	if err != nil {
		return err
	}
	return s.showOutcome(w, r, "/service-accounts", out)
}
