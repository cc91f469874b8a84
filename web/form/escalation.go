package form

import "net/url"

// Escalation is the form on a case page that escalates the case to Drive
// (a Restart case whose risk has risen): the reasons the panel will read.
// Whether the case may be escalated, and that the reasons are given, is
// the service's check.
type Escalation struct {
	Reasons string
}

// NewEscalation reads the escalation form.
func NewEscalation(v url.Values) *Escalation {
	return &Escalation{Reasons: v.Get("reasons")}
}
