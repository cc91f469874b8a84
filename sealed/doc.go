// Package sealed encrypts the records Drive holds at rest that would put a
// victim-survivor in danger if they leaked: the victim compartment (location,
// contact details, safe-contact arrangements) and victim-side notes.
//
// It uses envelope encryption. Every value is encrypted with AES-256-GCM
// under its own random data key (DEK), and the data key is wrapped with a
// key-encryption key (KEK) that lives in a key file outside the database.
// A copy of the database alone therefore reveals nothing, and rotating the
// KEK only re-wraps the 40-byte data keys, never the data itself.
//
// Every value is bound to its place by associated data that the caller
// names (for example "victim_compartment:42"), so a ciphertext copied onto
// another row does not open. Opening never returns garbage: a value that was
// altered, truncated or moved fails with ErrTampered, and a value wrapped
// under a key the keyring does not hold fails with ErrUnknownKey. Callers
// must treat either as a loud failure: log it and show the record to nobody.
//
// The package holds no state of its own; randomness is passed in (use
// crypto/rand.Reader outside tests). Key material is never printed: KEK and
// Keyring format as their key ids only. docs/encryption.md describes the key
// file and the operating procedures; the byte layouts are documented beside
// the code that writes them.
package sealed
