package service

import (
	"context"
	"fmt"

	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/store"
)

// LinkPeople links the given people of the site with code siteCode to the
// police people its extracts name, by the rules linking at referral uses,
// whatever state their cases are in. Linking after an import covers open
// cases only, because a closed case's links were made while it was open;
// a history loaded after the fact has none (the demo writes two years of
// closed cases before the extracts that name their perpetrators arrive),
// and the police outcome measures need them. Decided links are kept as
// decided. Audited as "police_links.run". Only a trusted entry point may
// ask. Errors: ENOTFOUND for another actor or no such site.
func (s *Service) LinkPeople(ctx context.Context, a Actor, siteCode string, personIDs []int64) (*LinkRun, error) {
	if err := trusted(a, "site"); err != nil {
		return nil, err
	}
	run := &LinkRun{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		siteID, err := systemSite(ctx, tx, a, siteCode)
		if err != nil {
			return err
		}
		if len(personIDs) > 0 {
			if err := linkPeople(ctx, tx, siteID, personIDs, run); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, systemEvent(a, "police_links.run", siteID, fmt.Sprintf("%d people of cases in any state: %d linked, %d suggested",
			run.People, run.Count(store.PersonSide, linkage.Linked), run.Count(store.PersonSide, linkage.Suggested))))
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}
