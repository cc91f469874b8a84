package service

import (
	"context"
	"fmt"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// RewrapKeys re-wraps every stored data key that is not under the
// keyring's current key, in one transaction, and returns how many it
// re-wrapped. `drive keys rotate` adds a new current key to the file, then
// calls it: the protected records themselves are not re-encrypted, so a
// rotation is quick even for millions of rows, and a failure part-way
// changes nothing. Only a national administrator (the command line) may.
func (s *Service) RewrapKeys(ctx context.Context, a Actor) (int, error) {
	if s.Keys == nil {
		return 0, drive.Errorf(drive.EUNAVAILABLE, "there is no key file loaded, so nothing can be re-wrapped")
	}
	keys := s.Keys
	var n int
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		var err error
		n, err = tx.RewrapAll(ctx, func(v store.SealedValue) (store.SealedValue, bool, error) {
			sv, err := v.Parse()
			if err != nil {
				return v, false, err
			}
			if !sv.NeedsRewrap(keys) {
				return v, false, nil
			}
			r, err := keys.Rewrap(sv)
			if err != nil {
				return v, false, err
			}
			return store.SealedValueOf(r), true, nil
		})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "keys.rotate", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin),
			RecordType: "keyring", RecordID: keys.Current().ID(), Remote: a.Remote, Outcome: audit.OutcomeOK,
			Reason: fmt.Sprintf("%d values re-wrapped", n)})
	})
	return n, err
}
