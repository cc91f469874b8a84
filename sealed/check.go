package sealed

import "fmt"

// CheckKey reports whether the keyring opens s's data key: it holds the
// key s names, and the wrapped data key unwraps under it (Key Wrap's
// integrity check passes). It cannot check the ciphertext, which needs the
// value's place, but it is what a restore needs to know: that the key file
// given is the one the backup's values were written under, and that no
// wrapped key was damaged. Errors wrap ErrUnknownKey or ErrTampered.
func (k *Keyring) CheckKey(s Sealed) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("sealed: check key: %w", err)
	}
	kek, err := k.lookup(s.KeyID)
	if err != nil {
		return fmt.Errorf("sealed: check key: %w", err)
	}
	dek, err := unwrapKey(kek.block(), s.WrappedKey)
	if err != nil {
		return fmt.Errorf("sealed: check key: the data key does not unwrap under key %s: %w", s.KeyID, ErrTampered)
	}
	clear(dek)
	return nil
}
