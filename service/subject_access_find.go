package service

import (
	"context"
	"fmt"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
)

// FindSubjects finds the records of kind named name that the actor may
// handle subject access requests about, so a request can be recorded
// without knowing a record number: at most 50, with a date of birth and
// site (or a username) to tell them apart. The name is taken from a form
// or request body, never a URL, and the audit event records how many were
// found, never the name. Errors: ENOTFOUND for anyone but the data
// protection officer, EINVALID for no name or an unknown kind.
func (s *Service) FindSubjects(ctx context.Context, a Actor, kind subjectaccess.Kind, name string) ([]subjectaccess.Subject, error) {
	var out []subjectaccess.Subject
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if !subjectAccessAnywhere(a, tx.Now) {
			return drive.NotFound("subject access request")
		}
		if kind == "" {
			kind = subjectaccess.Person
		}
		if !kind.Valid() {
			return drive.Invalid("Nobody can be searched for.", map[string]string{"kind": "Choose whose records are asked for."})
		}
		words, err := subjectaccess.SearchWords(name)
		if err != nil {
			return err
		}
		// Read more than are shown, since some may be at sites the
		// actor does not handle.
		found, err := tx.SubjectsNamed(ctx, kind, words, 200)
		if err != nil {
			return err
		}
		siteNames := map[int64]string{0: "national"}
		for _, sub := range found {
			sites := []int64{sub.SiteID}
			if kind == subjectaccess.Staff {
				if sites, err = staffSites(ctx, tx, sub.ID); err != nil {
					return err
				}
			}
			if !mayHandleAt(a, sites, tx.Now) {
				continue
			}
			for _, id := range sites {
				if _, ok := siteNames[id]; !ok {
					site, err := tx.Site(ctx, id)
					if err != nil {
						return err
					}
					siteNames[id] = site.Name
				}
				if sub.Site != "" {
					sub.Site += ", "
				}
				sub.Site += siteNames[id]
			}
			if kind == subjectaccess.Child {
				sub.Detail = "child of victim-survivor case " + sub.Detail
			}
			out = append(out, sub)
			if len(out) == 50 {
				break
			}
		}
		return tx.Audit(ctx, audit.Event{Action: "subject_access.search", ActorID: a.UserID, ActorRole: actorRole(a, access.DPO),
			RecordType: "subject_access_request", Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: fmt.Sprintf("%s: %d found", kind, len(out))})
	})
	return out, err
}
