package service

import (
	"context"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// Backdated returns the service acting as of at: every transaction its use
// cases begin carries at as its clock, so what they write (the record, its
// history, its audit event) is dated then, and the policy decides as of
// then. The demo needs it to build, through the use cases, cases referred
// months before the day it is built; nothing a person does is backdated.
// The copy shares the database's connections. Errors: EINVALID for a time
// after the clock's reading (a record cannot be dated in the future).
func (s *Service) Backdated(at time.Time) (*Service, error) {
	at = at.UTC().Truncate(time.Microsecond)
	if at.After(s.DB.Now()) {
		return nil, drive.Errorf(drive.EINVALID, "a record cannot be dated in the future")
	}
	c := *s
	c.DB = s.DB.WithClock(func() time.Time { return at })
	return &c, nil
}

// Totals counts the perpetrator cases and the victim-survivors' cases at
// the given sites, for `drive demo` to say what it made. Counts of
// victim-survivors are not for perpetrator-side readers, so only a trusted
// entry point may ask. Errors: ENOTFOUND for another actor.
func (s *Service) Totals(ctx context.Context, a Actor, siteIDs []int64) (cases, victims int, err error) {
	if err := trusted(a, "site"); err != nil {
		return 0, 0, err
	}
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if _, cases, err = tx.Cases(ctx, store.CaseFilter{SiteIDs: siteIDs, Limit: 1}, drive.DateOf(tx.Now)); err != nil {
			return err
		}
		_, victims, err = tx.VictimCases(ctx, store.VictimFilter{SiteIDs: siteIDs, Limit: 1})
		return err
	})
	return cases, victims, err
}

// RecordNote keeps a note on a perpetrator's case that was written
// elsewhere, by n.CreatedBy, dated by the service's clock (Backdated for
// a note written earlier): the demo's notes, or notes brought over from
// another system. Whether its author could write it now does not matter
// (he may have moved on); the note is sealed and screened as AddNote's
// are, and audited as the entry point that brought it. Only a trusted
// entry point may ask. Errors: ENOTFOUND for another actor or no such
// case; EINVALID for an empty or too long note, or a correction of
// another case's note.
func (s *Service) RecordNote(ctx context.Context, a Actor, caseID int64, n *casework.Note) error {
	if err := trusted(a, "case"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return err
		}
		n.CaseID = c.ID
		if err := tx.CreateNote(ctx, n, func(id int64) (store.SealedValue, error) { return s.seal([]byte(n.Text), aadCaseNote(id)) }); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, Actor{UserID: n.CreatedBy}, c, []heldRef{{victim.HeldNote, n.ID}}, n.Text); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordWrite, ActorID: a.UserID, ActorRole: actorRole(a, ""), RecordType: "case",
			RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed})
	})
}
