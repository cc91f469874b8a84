package account

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// Claims an OIDCConfig may use to find a Drive user on a first sign-in.
const (
	ClaimEmail             = "email"
	ClaimPreferredUsername = "preferred_username"
)

// OIDCCallbackPath is the path of the redirect URI every organisation's
// provider sends people back to.
const OIDCCallbackPath = "/signin/oidc/callback"

// OIDCLoginLifetime is how long an authorisation request may take, from
// leaving Drive for the provider to coming back (and, after that, to
// entering Drive's own security code when one is needed).
const OIDCLoginLifetime = 10 * time.Minute

// OIDCConfig lets the staff of one organisation sign in with their own
// OpenID Connect provider (a partner agency's identity service) instead of
// a Drive password.
//
// ClientSecret is a credential: it is never rendered or logged (String,
// GoString and LogValue leave it out). The store seals it under the key
// file.
type OIDCConfig struct {
	OrganisationID int64
	// Issuer is the provider's issuer URL, exactly as its discovery
	// document and ID tokens give it.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is Drive's own callback address as registered with the
	// provider: the public address of the service followed by
	// OIDCCallbackPath.
	RedirectURL string
	// DisplayName labels the sign-in button, e.g. "Northmoor Police".
	DisplayName string
	Enabled     bool
	// UsernameClaim is the claim matched against Drive usernames the first
	// time a person signs in: ClaimEmail or ClaimPreferredUsername. After
	// that the provider's subject identifier is linked to the user and
	// used instead.
	UsernameClaim string
	// EmailDomains are the lower-case domains an email-shaped claim must
	// belong to; the part before the @ is the Drive username.
	EmailDomains []string
	// MFAMethods are "amr" values, and MFAContexts "acr" values, that mean
	// the provider itself checked a second factor. When an ID token
	// carries one, Drive does not ask for its own security code. Both
	// empty means the provider is never trusted for that.
	MFAMethods  []string
	MFAContexts []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// String describes the configuration without its client secret.
func (c OIDCConfig) String() string {
	return fmt.Sprintf("OIDCConfig{organisation %d, issuer %q, client %q, enabled %v}", c.OrganisationID, c.Issuer, c.ClientID, c.Enabled)
}

// GoString is String, so %#v does not print the secret either.
func (c OIDCConfig) GoString() string { return c.String() }

// LogValue keeps the client secret out of structured logs.
func (c OIDCConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("organisation_id", c.OrganisationID), slog.String("issuer", c.Issuer),
		slog.String("client_id", c.ClientID), slog.Bool("enabled", c.Enabled))
}

// amrACRValue accepts an amr or acr value: printable ASCII, no spaces.
func amrACRValue(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return true
}

// Validate checks and normalises a configuration before it is stored.
// Errors: EINVALID with a message per field.
func (c *OIDCConfig) Validate() error {
	fields := map[string]string{}
	c.Issuer = strings.TrimSpace(c.Issuer)
	c.ClientID = strings.TrimSpace(c.ClientID)
	c.RedirectURL = strings.TrimSpace(c.RedirectURL)
	c.DisplayName = strings.TrimSpace(c.DisplayName)
	c.UsernameClaim = strings.TrimSpace(c.UsernameClaim)
	if c.UsernameClaim == "" {
		c.UsernameClaim = ClaimEmail
	}
	if c.OrganisationID <= 0 {
		fields["organisation"] = "Choose the organisation whose staff will sign in this way"
	}
	if msg := checkServiceURL(c.Issuer, "the provider's issuer URL"); msg != "" {
		fields["issuer"] = msg
	} else if u, _ := url.Parse(c.Issuer); u.RawQuery != "" || u.Fragment != "" {
		fields["issuer"] = "Enter the issuer URL without a query or fragment"
	}
	if c.ClientID == "" || len(c.ClientID) > 500 {
		fields["client_id"] = "Enter the client ID the provider gave Drive (up to 500 characters)"
	}
	if c.ClientSecret == "" || len(c.ClientSecret) > 2000 {
		fields["client_secret"] = "Give the client secret the provider gave Drive (up to 2000 characters)"
	}
	if msg := checkServiceURL(c.RedirectURL, "Drive's redirect URL"); msg != "" {
		fields["redirect_url"] = msg
	} else if u, _ := url.Parse(c.RedirectURL); u.Path != OIDCCallbackPath || u.RawQuery != "" || u.Fragment != "" {
		fields["redirect_url"] = "Enter Drive's public address followed by " + OIDCCallbackPath + ", e.g. https://drive.example.org" + OIDCCallbackPath
	}
	if c.DisplayName == "" || len(c.DisplayName) > 200 {
		fields["display_name"] = "Enter the name to show on the sign-in button (up to 200 characters)"
	}
	if c.UsernameClaim != ClaimEmail && c.UsernameClaim != ClaimPreferredUsername {
		fields["username_claim"] = "Choose the claim that holds the username: email or preferred_username"
	}
	domains := make([]string, 0, len(c.EmailDomains))
	for _, d := range c.EmailDomains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if !isDomain(d) {
			fields["email_domains"] = fmt.Sprintf("%q is not a domain name: give domains such as police.example.org", d)
			break
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	c.EmailDomains = domains
	if c.UsernameClaim == ClaimEmail && len(domains) == 0 && fields["email_domains"] == "" {
		fields["email_domains"] = "Give the email domain(s) the organisation's staff use: only addresses there can be matched to Drive users"
	}
	clean := func(field string, values []string) []string {
		out := make([]string, 0, len(values))
		for _, v := range values {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if !amrACRValue(v) {
				fields[field] = fmt.Sprintf("%q is not a valid value: use printable characters without spaces", v)
				return nil
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	c.MFAMethods = clean("mfa_amr", c.MFAMethods)
	c.MFAContexts = clean("mfa_acr", c.MFAContexts)
	if len(fields) > 0 {
		return drive.Invalid("The sign-in settings could not be saved", fields)
	}
	return nil
}

// checkServiceURL accepts an absolute https URL, or http for a loopback
// host (a provider running on the same machine, as in tests). It returns
// what is wrong, or "".
func checkServiceURL(raw, what string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" || u.Host == "" || u.User != nil {
		return "Enter " + what + " as a full address starting with https://"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return ""
		}
	}
	return "Enter " + what + " starting with https:// (plain http is allowed only on this machine, for testing)"
}

func isDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// OIDCClaims are the parts of a verified ID token that sign-in uses.
type OIDCClaims struct {
	Subject           string
	Email             string
	EmailVerified     bool
	PreferredUsername string
	AMR               []string
	ACR               string
}

// MultiFactor reports whether the provider says it checked a second
// factor in a way this configuration trusts.
func (c *OIDCConfig) MultiFactor(cl OIDCClaims) bool {
	for _, m := range cl.AMR {
		if slices.Contains(c.MFAMethods, m) {
			return true
		}
	}
	return cl.ACR != "" && slices.Contains(c.MFAContexts, cl.ACR)
}

// Username returns the Drive username a person should have, from the
// claim the configuration names, for a first sign-in before their subject
// is linked. It returns a short reason (for the audit log, never shown to
// the person) when the claims cannot name a user:
//
//   - an email claim must be present and verified by the provider;
//   - an email-shaped value must be at one of EmailDomains, and its local
//     part is the username;
//   - the result must be a valid Drive username.
func (c *OIDCConfig) Username(cl OIDCClaims) (name, reason string) {
	var value string
	switch c.UsernameClaim {
	case ClaimEmail:
		if cl.Email == "" {
			return "", "no email claim"
		}
		if !cl.EmailVerified {
			return "", "email not verified by the provider"
		}
		value = cl.Email
	case ClaimPreferredUsername:
		if cl.PreferredUsername == "" {
			return "", "no preferred_username claim"
		}
		value = cl.PreferredUsername
	default:
		return "", "no username claim configured"
	}
	value = strings.ToLower(strings.TrimSpace(value))
	if at := strings.LastIndexByte(value, '@'); at >= 0 {
		if !slices.Contains(c.EmailDomains, value[at+1:]) {
			return "", "email domain not allowed"
		}
		value = value[:at]
	} else if c.UsernameClaim == ClaimEmail {
		return "", "email claim is not an address"
	}
	if !username.MatchString(value) {
		return "", "claim is not a valid Drive username"
	}
	return value, ""
}

// OIDCSignin is an organisation whose staff may sign in with their own
// provider, as the sign-in page lists it.
type OIDCSignin struct {
	OrganisationID int64
	DisplayName    string
}

// OIDCLogin is one sign-in through a provider in progress. Only hashes of
// the state and of the browser-binding cookie are kept, so a copy of the
// table cannot be used to finish someone's sign-in; the nonce is kept as a
// hash too. The PKCE code verifier must be sent to the provider, so it is
// kept as is, for at most OIDCLoginLifetime.
type OIDCLogin struct {
	ID             int64
	StateHash      []byte
	BrowserHash    []byte
	NonceHash      []byte
	CodeVerifier   string
	OrganisationID int64
	CreatedAt      time.Time
	ExpiresAt      time.Time
	UsedAt         *time.Time
	// Set once the provider has vouched for the person but Drive still
	// needs its own security code from them.
	UserID   int64
	Subject  string
	Attempts int
}

// Expired reports whether the login may no longer be continued at now.
func (l *OIDCLogin) Expired(now time.Time) bool { return !now.Before(l.ExpiresAt) }
