package service

import (
	"context"
	"slices"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/outcomes"
)

// SystemOutcomes is Outcomes for a trusted entry point: `drive report`,
// run by the operator on the server. The command line holds the powers of
// a national administrator, and administrators read no aggregates, so it
// reads the outcomes as a national user does: every site's figures, already
// suppressed, and never a person-level row. Like the other trusted use
// cases it refuses a person (ENOTFOUND), whatever roles they hold. Audited
// as Outcomes is, with the entry point's name as the remote address and
// the role "national".
func (s *Service) SystemOutcomes(ctx context.Context, a Actor, f OutcomeFilter) (*outcomes.Report, error) {
	if err := trusted(a, "report"); err != nil {
		return nil, err
	}
	national := a
	national.Subject.Grants = append(slices.Clone(a.Subject.Grants), access.Grant{Role: access.National})
	return s.Outcomes(ctx, national, f)
}
