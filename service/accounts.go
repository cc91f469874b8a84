package service

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/store"
)

// AccountChange is a change to an account asked of the service: create an
// account, give a role, or reset the password, the second factor or both.
type AccountChange struct {
	Kind account.RequestKind
	// UserID is the account to change; not for RequestCreate.
	UserID int64
	// Username, DisplayName and OrganisationID describe a new account.
	Username       string
	DisplayName    string
	OrganisationID int64
	// Roles are the roles to give: those of a new account, or the one
	// role of RequestGrantRole.
	Roles []account.RoleAssignment
	// Reason says why, for the approver and the audit log.
	Reason string
	// Password, if set, is the new account's password chosen by the
	// administrator (drive user add --password-file); otherwise a
	// one-time password is made. Never used for a request that waits.
	Password string
	// FirstTeamLeader creates the first team leader of an IDVA service
	// that has never had one, when nobody exists who could approve. Only
	// the command line may ask it; it is audited and alerts the data
	// protection officers.
	FirstTeamLeader bool
}

// AccountOutcome is what came of an AccountChange: either it was applied
// (User, and Password when one was made), or it waits for the IDVA
// service's team leader (Request).
type AccountOutcome struct {
	// Kind is the change made or asked for.
	Kind     account.RequestKind
	User     *account.User
	Password string
	Request  *account.AccountRequest
	// Sessions and Tokens count the sessions ended and API tokens revoked
	// by a reset.
	Sessions int64
	Tokens   int64
}

// Pending reports whether the change waits for approval.
func (o *AccountOutcome) Pending() bool { return o.Request != nil && o.Request.Pending() }

// ChangeAccount makes, or asks for, a change to an account.
//
// Accounts of a victim-side organisation (an IDVA service) can reach
// where a victim-survivor is, so whoever controls one controls a way to
// her. They are managed directly only by a team leader of that service
// (the roles of ServiceRoles, at sites where they lead); an administrator
// (or the command line) gets a pending AccountRequest instead of the
// change, which a team leader of the service approves or refuses
// (DecideAccountRequest). Every other account is managed by an
// administrator of all the sites where it holds roles, as before.
//
// A reset ends the account's sessions and API tokens. A reset or a role
// given on a victim-side account alerts the data protection officers.
// Everything is audited, in one transaction with the change.
//
// Errors: ENOTFOUND when the actor may not manage the account (or it does
// not exist); EINVALID saying what to fix.
func (s *Service) ChangeAccount(ctx context.Context, a Actor, c AccountChange) (*AccountOutcome, error) {
	if !slices.Contains(account.RequestKinds(), c.Kind) {
		return nil, drive.Errorf(drive.EINVALID, "Choose the change to make")
	}
	if c.Kind == account.RequestGrantRole && len(c.Roles) != 1 {
		return nil, drive.Errorf(drive.EINVALID, "Give one role at a time")
	}
	if c.Kind == account.RequestCreate && len(c.Roles) == 0 {
		return nil, drive.Invalid("The user could not be saved", map[string]string{"role": "Give the person at least one role"})
	}
	for _, r := range c.Roles {
		if err := r.Validate(); err != nil {
			return nil, drive.Invalid("The user could not be saved", map[string]string{"role": drive.ErrorMessage(err)})
		}
	}
	if c.Password != "" {
		if err := auth.CheckPassword(c.Password, c.Username); err != nil {
			return nil, err
		}
	}
	var out *AccountOutcome
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.changeAccount(ctx, tx, a, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) changeAccount(ctx context.Context, tx *store.Tx, a Actor, c AccountChange) (*AccountOutcome, error) {
	var target *account.User
	orgID := c.OrganisationID
	if c.Kind != account.RequestCreate {
		u, err := tx.User(ctx, c.UserID)
		if err != nil {
			return nil, drive.NotFound("user")
		}
		target, orgID = u, u.OrganisationID
		if u.ID == a.UserID && c.Kind.Reset() {
			// A reset ends the account's sessions: one's own would sign
			// one out half-way, and take the second factor away from the
			// person meant to prove who they are with it.
			return nil, drive.Errorf(drive.EINVALID, "Change your own password or second factor on the Your account page; another administrator must reset your sign-in")
		}
	}
	org, err := tx.Organisation(ctx, orgID)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, drive.Invalid("The user could not be saved", map[string]string{"organisation": "Choose the organisation the person works for"})
	}
	if err != nil {
		return nil, err
	}
	admin := accountAccess(a.Subject, access.Write, tx.Now, target, c.Roles)
	if !org.VictimSide() {
		if !admin {
			return nil, s.refuse(target)
		}
		return s.applyChange(ctx, tx, a, actorRole(a, access.Admin), org, target, c, 0)
	}

	// A victim-side account.
	var me *account.User
	if a.UserID != 0 {
		if me, err = tx.User(ctx, a.UserID); err != nil {
			return nil, err
		}
	}
	if account.ServiceLeader(me, org) {
		if target != nil && target.ID == me.ID {
			return nil, drive.Errorf(drive.EINVALID, "Change your own password or second factor on the Your account page; another team leader or an administrator must make other changes to your account")
		}
		for _, r := range c.Roles {
			if !slices.Contains(account.ServiceRoles(), r.Role) || !account.LeadsSite(me, r.SiteID) {
				return nil, drive.Invalid("The change was not made", map[string]string{"role": "You can give the IDVA and team leader roles at the sites where you are a team leader; ask a system administrator for any other role"})
			}
		}
		return s.applyChange(ctx, tx, a, string(access.TeamLeader), org, target, c, 0)
	}
	if !admin {
		return nil, s.refuse(target)
	}
	if c.FirstTeamLeader {
		return s.foundService(ctx, tx, a, org, c)
	}
	if c.Kind == account.RequestCreate && len(c.Roles) != 1 {
		return nil, drive.Invalid("The request could not be made", map[string]string{"role": "Ask for an account in an IDVA service with one role; ask for more roles once it exists"})
	}
	req := &account.AccountRequest{Kind: c.Kind, OrganisationID: org.ID, Username: c.Username, DisplayName: c.DisplayName,
		Reason: c.Reason, RequestedBy: a.UserID}
	if target != nil {
		req.UserID = target.ID
	}
	if len(c.Roles) == 1 {
		req.Role, req.SiteID = c.Roles[0].Role, c.Roles[0].SiteID
	}
	if c.Kind == account.RequestCreate {
		if _, err := tx.UserByUsername(ctx, c.Username); err == nil {
			return nil, drive.Invalid("The request could not be made", map[string]string{"username": "That username is already taken: choose another"})
		}
	}
	if err := tx.CreateAccountRequest(ctx, req); err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, audit.Event{Action: "account_request.create", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin),
		RecordType: "account_request", RecordID: strconv.FormatInt(req.ID, 10), SiteID: req.SiteID, Remote: a.Remote,
		Reason: string(req.Kind), Outcome: audit.OutcomeOK}); err != nil {
		return nil, err
	}
	return &AccountOutcome{Kind: req.Kind, User: target, Request: req}, nil
}

// refuse answers "not found" for an account the actor may not manage.
func (s *Service) refuse(target *account.User) error {
	if target == nil {
		return drive.Invalid("The user could not be saved", map[string]string{"site": "You cannot add users at that site: choose one you administer"})
	}
	return drive.NotFound("user")
}

// foundService creates the first team leader of an IDVA service that has
// never had one: without it nobody could ever approve a request for the
// service. It is for the command line alone, and only while no user of
// the service has ever held the team leader role (disabling a team leader
// does not reopen the door).
func (s *Service) foundService(ctx context.Context, tx *store.Tx, a Actor, org *account.Organisation, c AccountChange) (*AccountOutcome, error) {
	if a.UserID != 0 || c.Kind != account.RequestCreate {
		return nil, drive.Errorf(drive.EINVALID, "Only drive user add can create the first team leader of an IDVA service")
	}
	if len(c.Roles) != 1 || c.Roles[0].Role != access.TeamLeader {
		return nil, drive.Errorf(drive.EINVALID, "The first account of an IDVA service is its team leader: give the one role team_leader@SITECODE")
	}
	had, err := tx.EverHadTeamLeader(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	if had {
		return nil, drive.Errorf(drive.EINVALID, "%s already has a team leader: leave out --first-team-leader, and the service's team leader approves the request", org.Name)
	}
	if c.Reason == "" {
		c.Reason = "first team leader of the IDVA service"
	}
	return s.applyChange(ctx, tx, a, "system", org, nil, c, 0)
}

func actorRole(a Actor, role access.Role) string {
	if a.UserID == 0 {
		return "system"
	}
	return string(role)
}

// applyChange makes the change and audits it; requestID names the request
// it carries out, if any. Changes to victim-side accounts alert the data
// protection officers of the sites where the account works.
func (s *Service) applyChange(ctx context.Context, tx *store.Tx, a Actor, role string, org *account.Organisation, target *account.User, c AccountChange, requestID int64) (*AccountOutcome, error) {
	out := &AccountOutcome{User: target, Kind: c.Kind}
	reason := c.Reason
	if requestID != 0 {
		reason = "account request " + strconv.FormatInt(requestID, 10)
	}
	event := func(action string, userID, siteID int64) audit.Event {
		return audit.Event{Action: action, ActorID: a.UserID, ActorRole: role, RecordType: "user", RecordID: strconv.FormatInt(userID, 10),
			SiteID: siteID, Remote: a.Remote, Reason: reason, Outcome: audit.OutcomeOK}
	}
	switch c.Kind {
	case account.RequestCreate:
		pw := c.Password
		if pw == "" {
			var err error
			if pw, err = s.oneTimePassword(c.Username); err != nil {
				return nil, err
			}
			out.Password = pw
		}
		hash, err := s.hash(pw)
		if err != nil {
			return nil, err
		}
		u := &account.User{Username: c.Username, DisplayName: c.DisplayName, OrganisationID: org.ID, PasswordHash: hash, Roles: c.Roles}
		if err := tx.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		out.User = u
		site := int64(0)
		if len(u.Roles) > 0 {
			site = u.Roles[0].SiteID
		}
		if err := tx.Audit(ctx, event("user.create", u.ID, site)); err != nil {
			return nil, err
		}
		if org.VictimSide() {
			for _, r := range u.Roles {
				if err := alert(ctx, tx, a, "account_role_grant", u.ID, r.SiteID, r.Role.Label()+" given with a new account; "+reasonText(reason)); err != nil {
					return nil, err
				}
			}
		}
	case account.RequestGrantRole:
		r := c.Roles[0]
		r.UserID = target.ID
		if err := tx.AddRole(ctx, &r); err != nil {
			if drive.ErrorCode(err) == drive.ECONFLICT {
				return nil, drive.Invalid("The role was not given", map[string]string{"role": "The person already holds that role there"})
			}
			return nil, err
		}
		target.Roles = append(target.Roles, r)
		if err := tx.Audit(ctx, event("user.role_grant", target.ID, r.SiteID)); err != nil {
			return nil, err
		}
		if org.VictimSide() {
			if err := alert(ctx, tx, a, "account_role_grant", target.ID, r.SiteID, r.Role.Label()+" given; "+reasonText(reason)); err != nil {
				return nil, err
			}
		}
	default:
		if c.Kind.ResetsPassword() {
			pw, err := s.oneTimePassword(target.Username)
			if err != nil {
				return nil, err
			}
			hash, err := s.hash(pw)
			if err != nil {
				return nil, err
			}
			if err := tx.SetPassword(ctx, target.ID, hash); err != nil {
				return nil, err
			}
			// A person locked out by failed attempts is usually why the
			// password is being reset: let the new one work at once. The
			// failures are held under the digest of the name, as SignIn
			// counts them.
			if err := tx.ClearSigninFailures(ctx, signinKey(target.Username)); err != nil {
				return nil, err
			}
			out.Password = pw
			if err := tx.Audit(ctx, event("user.password_reset", target.ID, 0)); err != nil {
				return nil, err
			}
		}
		if c.Kind.ResetsSecondFactor() {
			if err := tx.SetTOTP(ctx, target.ID, "", 0); err != nil {
				return nil, err
			}
			if err := tx.ReplaceRecoveryCodes(ctx, target.ID, nil); err != nil {
				return nil, err
			}
			if err := tx.Audit(ctx, event("user.totp_reset", target.ID, 0)); err != nil {
				return nil, err
			}
		}
		var err error
		if out.Sessions, out.Tokens, err = EndAccess(ctx, tx, a, target.ID, 0, "sign-in reset by an administrator: "+strings.ToLower(c.Kind.Label())); err != nil {
			return nil, err
		}
		if org.VictimSide() {
			for _, site := range accountSites(target) {
				if err := alert(ctx, tx, a, "account_"+string(c.Kind), target.ID, site, c.Kind.Label()+"; "+reasonText(reason)); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// EndAccess ends every session of the user but keep (0: all of them),
// revokes every API token they hold and forgets every browser remembered
// for them (auth.KnownBrowsers), returning how many sessions and tokens.
// It is called whenever a credential changes and on disabling: a token, a
// session or a known browser made with the old credential must not
// outlive it. Each session ended is audited (session.end, with why it
// ended) like a sign-out, so the user's trail in the audit log never
// shows a session that simply stops, and each browser forgotten likewise
// (signin.browser_forgotten).
func EndAccess(ctx context.Context, tx *store.Tx, a Actor, userID, keep int64, why string) (sessions, tokens int64, err error) {
	ended, err := tx.DeleteUserSessions(ctx, userID, keep)
	if err != nil {
		return 0, 0, err
	}
	for range ended {
		if err := tx.Audit(ctx, sessionEnd(a, userID, why)); err != nil {
			return 0, 0, err
		}
	}
	browsers, err := tx.DeleteUserKnownBrowsers(ctx, userID)
	if err != nil {
		return 0, 0, err
	}
	for range browsers {
		if err := tx.Audit(ctx, userEvent(a, userID, "signin.browser_forgotten", audit.OutcomeOK, why)); err != nil {
			return 0, 0, err
		}
	}
	toks, err := tx.APITokens(ctx, userID)
	if err != nil {
		return 0, 0, err
	}
	for _, t := range toks {
		if t.RevokedAt == nil {
			tokens++
		}
	}
	return int64(len(ended)), tokens, tx.RevokeUserAPITokens(ctx, userID)
}

// accountSites are the sites where u holds roles, or 0 (national data
// protection officers) when none.
func accountSites(u *account.User) []int64 {
	var out []int64
	for _, r := range u.Roles {
		if !slices.Contains(out, r.SiteID) {
			out = append(out, r.SiteID)
		}
	}
	if len(out) == 0 {
		out = []int64{0}
	}
	return out
}

// alert tells the data protection officers of a change to a victim-side
// account. An alert names a user who acted; a change made at the command
// line has none, so it names the account changed and says so.
func alert(ctx context.Context, tx *store.Tx, a Actor, kind string, userID, siteID int64, reason string) error {
	by := a.UserID
	if by == 0 {
		by, reason = userID, "made at the command line: "+reason
	}
	return tx.CreateAlert(ctx, &account.Alert{SiteID: siteID, Kind: kind, UserID: by, RecordType: "user",
		RecordID: strconv.FormatInt(userID, 10), Reason: reason})
}

func reasonText(r string) string {
	if r == "" {
		return "no reason given"
	}
	return r
}

// oneTimePassword makes the password the service hands out for a new
// account or a reset: the command line and the pages share this one
// generator, so every such password meets the same policy.
func (s *Service) oneTimePassword(username string) (string, error) {
	return auth.NewOneTimePassword(s.random(), username)
}

func (s *Service) hash(pw string) (string, error) {
	p := s.PasswordParams
	if p == (auth.Params{}) {
		p = auth.DefaultParams()
	}
	return auth.HashPassword(s.random(), pw, p)
}

// AccountRequestView is a request with the names an approver needs.
type AccountRequestView struct {
	*account.AccountRequest
	Organisation string
	Account      string // the account's username (or the new one's)
	RequestedBy  string // "the command line" for 0
	DecidedBy    string
	Site         string
	// CanDecide: the viewer may approve or refuse it.
	CanDecide bool
}

// AccountRequests lists the requests the actor may decide (pending ones
// for the IDVA service they lead) and those the actor asked for.
// Errors: none beyond storage.
func (s *Service) AccountRequests(ctx context.Context, a Actor) ([]AccountRequestView, error) {
	var out []AccountRequestView
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		me, err := tx.User(ctx, a.UserID)
		if err != nil {
			return err
		}
		org, err := tx.Organisation(ctx, me.OrganisationID)
		if err != nil {
			return err
		}
		var reqs []*account.AccountRequest
		seen := map[int64]bool{}
		if account.ServiceLeader(me, org) {
			if reqs, err = tx.AccountRequests(ctx, []int64{org.ID}, true); err != nil {
				return err
			}
		}
		mine, err := tx.AccountRequestsBy(ctx, a.UserID, 50)
		if err != nil {
			return err
		}
		names, err := userNames(ctx, tx)
		if err != nil {
			return err
		}
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		orgs, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		for _, r := range append(reqs, mine...) {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			v := AccountRequestView{AccountRequest: r, Account: r.Username, RequestedBy: "the command line", DecidedBy: names[r.DecidedBy]}
			if r.UserID != 0 {
				v.Account = names[r.UserID]
			}
			if r.RequestedBy != 0 {
				v.RequestedBy = names[r.RequestedBy]
			}
			for _, st := range sites {
				if st.ID == r.SiteID {
					v.Site = st.Name
				}
			}
			for _, o := range orgs {
				if o.ID == r.OrganisationID {
					v.Organisation = o.Name
				}
			}
			v.CanDecide = r.Pending() && org.ID == r.OrganisationID && account.ServiceLeader(me, org) &&
				r.RequestedBy != me.ID && r.UserID != me.ID
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

func userNames(ctx context.Context, tx *store.Tx) (map[int64]string, error) {
	us, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(us))
	for _, u := range us {
		m[u.ID] = u.Username
	}
	return m, nil
}

// DecideAccountRequest approves or refuses a pending request. Only a team
// leader of the IDVA service may decide, and not on a request they asked
// for or about their own account. Approval applies the change in the same
// transaction: the outcome carries any one-time password, for the
// approver alone to hand to the person.
//
// Errors: ENOTFOUND when the request does not exist or the actor may not
// decide it; ECONFLICT when it was already decided; EINVALID when the
// change can no longer be made (the username was taken meanwhile).
func (s *Service) DecideAccountRequest(ctx context.Context, a Actor, id int64, approve bool) (*AccountOutcome, error) {
	var out *AccountOutcome
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		req, err := tx.AccountRequest(ctx, id)
		if err != nil {
			return drive.NotFound("request")
		}
		org, err := tx.Organisation(ctx, req.OrganisationID)
		if err != nil {
			return err
		}
		me, err := tx.User(ctx, a.UserID)
		if err != nil || !account.ServiceLeader(me, org) {
			return drive.NotFound("request")
		}
		if err := req.Decide(me.ID, approve, tx.Now); err != nil {
			return err
		}
		out = &AccountOutcome{Kind: req.Kind, Request: req}
		if approve {
			var target *account.User
			if req.UserID != 0 {
				if target, err = tx.User(ctx, req.UserID); err != nil {
					return err
				}
				if target.OrganisationID != org.ID {
					return drive.Errorf(drive.ECONFLICT, "The account has moved to another organisation: refuse this request")
				}
			}
			c := AccountChange{Kind: req.Kind, UserID: req.UserID, Username: req.Username, DisplayName: req.DisplayName, Reason: req.Reason}
			if req.Role != "" {
				c.Roles = []account.RoleAssignment{{Role: req.Role, SiteID: req.SiteID}}
			}
			applied, err := s.applyChange(ctx, tx, a, string(access.TeamLeader), org, target, c, req.ID)
			if err != nil {
				return err
			}
			applied.Request = req
			out = applied
			if req.Kind == account.RequestCreate {
				req.UserID = applied.User.ID
			}
		}
		if err := tx.DecideAccountRequest(ctx, req); err != nil {
			return err
		}
		action := "account_request.refuse"
		if approve {
			action = "account_request.approve"
		}
		return tx.Audit(ctx, audit.Event{Action: action, ActorID: me.ID, ActorRole: string(access.TeamLeader), RecordType: "account_request",
			RecordID: strconv.FormatInt(req.ID, 10), SiteID: req.SiteID, Remote: a.Remote, Reason: string(req.Kind), Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ServiceAccounts lists the accounts of the IDVA service the actor leads.
// The leader manages every account but their own, which another team
// leader or an administrator changes.
// Errors: ENOTFOUND when the actor leads no IDVA service.
func (s *Service) ServiceAccounts(ctx context.Context, a Actor) (*account.Organisation, []Account, error) {
	var org *account.Organisation
	var out []Account
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if _, org, err = leaderOf(ctx, tx, a); err != nil {
			return err
		}
		users, err := tx.OrganisationUsers(ctx, org.ID)
		if err != nil {
			return err
		}
		out, err = describe(ctx, tx, users, func(u *account.User) (bool, bool) { return true, u.ID != a.UserID })
		return err
	})
	return org, out, err
}
