package sealed

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// keyringFormat is the "format" member of a key file. The number after the
// slash is the file format's version.
const keyringFormat = "drive-sealed-keyring/1"

// keyringFile is the key file:
//
//	{
//	  "format": "drive-sealed-keyring/1",
//	  "current": "<key id>",
//	  "keys": [
//	    {"id": "<key id>", "key": "<32 bytes, standard base64>"}
//	  ]
//	}
//
// Keys are listed oldest first. Each id must be the id of its key (a check
// against a mistyped or truncated key) and current must be one of them. No
// other members are allowed.
type keyringFile struct {
	Format  string         `json:"format"`
	Current string         `json:"current"`
	Keys    []keyringEntry `json:"keys"`
}

type keyringEntry struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// ErrFileMode means a key file can be read (or written) by users other
// than its owner. It is worth a loud warning rather than a refusal to
// start: the fix is chmod 600 on the file. CheckFileMode's errors wrap it.
var ErrFileMode = errors.New("key file permissions are broader than 0600")

// ParseKeyring reads a key file as written by Keyring.Marshal (the format
// is described in docs/encryption.md). It accepts only a complete, exact
// file: the right format name, at least one key, every key exactly 32 bytes
// of standard base64 whose id matches, no key twice, a current key that is
// listed, no unknown members and nothing after the JSON object.
//
// Its error says what is wrong without quoting the file, which is a secret.
// Read the file's mode with CheckFileMode before trusting it.
func ParseKeyring(data []byte) (*Keyring, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyringFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("sealed: the key file %s", describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("sealed: the key file has more after its JSON object")
	}
	if f.Format != keyringFormat {
		return nil, fmt.Errorf("sealed: the key file's format is not %q", keyringFormat)
	}
	if len(f.Keys) == 0 {
		return nil, errors.New("sealed: the key file holds no keys")
	}
	k := &Keyring{keys: make([]*KEK, 0, len(f.Keys))}
	for i, e := range f.Keys {
		raw, err := base64.StdEncoding.Strict().DecodeString(e.Key)
		if err != nil || len(raw) != kekSize {
			clear(raw)
			return nil, fmt.Errorf("sealed: the key file's key %d is not %d bytes of standard base64", i+1, kekSize)
		}
		kek := &KEK{}
		copy(kek.key[:], raw)
		clear(raw)
		kek.id = keyID(kek.key[:])
		if e.ID != kek.id {
			// e.ID is not quoted: a file with its members mixed up
			// could hold a key there.
			return nil, fmt.Errorf("sealed: the key file's key %d does not have the id given with it (its id is %s): the key or its id was altered", i+1, kek.id)
		}
		if k.lookupLocked(kek.id) != nil {
			return nil, fmt.Errorf("sealed: the key file lists key %s twice", kek.id)
		}
		k.keys = append(k.keys, kek)
		if kek.id == f.Current {
			k.current = kek
		}
	}
	if k.current == nil {
		return nil, errors.New("sealed: the key file's current key is not the id of any of its keys")
	}
	return k, nil
}

// describeJSONError says what is wrong with a key file that does not
// decode, without quoting it (encoding/json's own messages may quote a
// piece of the input).
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "is cut short"
	case errors.As(err, &syntax):
		return fmt.Sprintf("is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("has a member of the wrong type (at byte %d)", typ.Offset)
	default:
		return "is not a key file: it has members a key file does not have"
	}
}

// Marshal returns the key file for k: JSON, indented, keys oldest first,
// ending in a newline. The file is a secret that opens every protected
// record: write it with mode 0600 (WriteFile does), keep it off the
// database server's backups, and keep it safe, since records whose key is
// lost can never be read again. It fails only for a nil keyring or one
// without a current key.
func (k *Keyring) Marshal() ([]byte, error) {
	if k == nil {
		return nil, errors.New("sealed: marshal: no keyring")
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.current == nil {
		return nil, errors.New("sealed: marshal: the keyring has no current key")
	}
	f := keyringFile{Format: keyringFormat, Current: k.current.id, Keys: make([]keyringEntry, len(k.keys))}
	for i, kek := range k.keys {
		f.Keys[i] = keyringEntry{ID: kek.id, Key: base64.StdEncoding.EncodeToString(kek.key[:])}
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sealed: marshal: %w", err)
	}
	return append(out, '\n'), nil
}

// WriteFile writes k's key file to path with mode 0600, replacing any file
// there atomically: the new file is written and synced beside it, then
// renamed over it, so a crash leaves either the old file or the new one,
// never a half-written keyring (which would lose keys). It fails if k
// cannot be marshalled or the file cannot be written; on failure the old
// file is left as it was.
func (k *Keyring) WriteFile(path string) (err error) {
	data, err := k.Marshal()
	if err != nil {
		return err
	}
	defer clear(data)
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sealed: write key file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("sealed: write key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("sealed: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sealed: write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sealed: write key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sealed: write key file: %w", err)
	}
	// Make the rename itself durable. Not every platform can sync a
	// directory; the file is in place either way.
	if d, err := os.Open(dir); err == nil { // #nosec G304 -- the key file's own directory, opened to sync it
		d.Sync()
		d.Close()
	}
	return nil
}

// CheckFileMode reports whether the key file at path is private to its
// owner. It returns an error wrapping ErrFileMode, saying to run
// "chmod 600", if the file's permissions are broader than 0600 (any group
// or other bit, or owner execute); the caller should log it as a warning
// and may go on. It returns a different error if the file cannot be
// examined or is not a regular file. On Windows, where Unix permission
// bits do not apply, it checks only that the file exists.
func CheckFileMode(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("sealed: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("sealed: key file %s is not a regular file", path)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&^0o600 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, so other users may read the keys; run: chmod 600 %s", ErrFileMode, path, perm, path)
	}
	return nil
}
