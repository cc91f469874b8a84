package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
)

// defaultKeyFile is where drive demo writes, and drive serve looks for, the
// key file of a SQLite database: beside it.
func defaultKeyFile(db string) string {
	if isPostgres(db) {
		return ""
	}
	return filepath.Join(filepath.Dir(db), "drive-keys.json")
}

// loadKeyring reads the key-encryption keys. path "" means the default
// beside a SQLite database. A missing file is an error that says how to
// make one: the service never runs without its keys, because it could not
// read or write protected records.
func loadKeyring(path, db string, stderr io.Writer) (*sealed.Keyring, string, error) {
	if path == "" {
		path = defaultKeyFile(db)
	}
	if path == "" {
		return nil, "", usageError{"no key file: pass --keys FILE (or set DRIVE_KEYS_FILE); create one with drive keys generate --out FILE"}
	}
	body, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, path, usageError{fmt.Sprintf("no key file at %s: protected records cannot be read or written without it. Create one with drive keys generate --out %s (keep it outside backups of the database), or pass --keys FILE", path, path)}
	}
	if err != nil {
		return nil, path, fmt.Errorf("read key file %s: %w", path, err)
	}
	if err := sealed.CheckFileMode(path); err != nil {
		fmt.Fprintf(stderr, "drive: warning: %v\n", err)
	}
	k, err := sealed.ParseKeyring(body)
	if err != nil {
		return nil, path, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, path, nil
}

// runKeys generates a key file, or rotates one: drive keys rotate adds a
// new current key to the file and re-wraps every stored data key under it
// in one transaction (the protected records themselves are not
// re-encrypted, so rotation is quick even for millions of rows).
func runKeys(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "rotate" {
		return runKeysRotate(ctx, e, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "generate" {
		return usageError{"use: drive keys generate --out FILE, or drive keys rotate --db ... [--keys FILE]"}
	}
	fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "where to write the new key file (refuses to overwrite)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"say where to write the key file with --out FILE"}
	}
	if _, err := os.Stat(*out); err == nil {
		return usageError{fmt.Sprintf("%s already exists: a key file is never overwritten (records sealed with it would be lost)", *out)}
	}
	k, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		return err
	}
	if err := k.WriteFile(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Key file written to %s (key %s). Keep it secret, readable only by the service, and outside database backups.\n", *out, k.Current().ID())
	return nil
}

// runKeysRotate adds a new current key and re-wraps every sealed value
// under it. The old keys stay in the file (so a backup taken before the
// rotation can still be read) until an operator removes them.
func runKeysRotate(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	keysPath, err := e.value("DRIVE_KEYS_FILE")
	if err != nil {
		return err
	}
	fs.StringVar(&keysPath, "keys", keysPath, "key file (default: drive-keys.json beside a SQLite database)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	keys, path, err := loadKeyring(keysPath, c.DB, stderr)
	if err != nil {
		return err
	}
	d, err := openDatabase(ctx, c.DB, keys, c.now)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	old := keys.Current().ID()
	if err := keys.Rotate(rand.Reader); err != nil {
		return err
	}
	// The new key is written first: if re-wrapping then fails, the file
	// still holds every key any stored value needs.
	if err := keys.WriteFile(path); err != nil {
		return err
	}
	n, err := d.Svc.RewrapKeys(ctx, service.CommandLine())
	if err != nil {
		return fmt.Errorf("re-wrapping stored values (nothing was changed in the database; the key file now also holds the new key): %w", err)
	}
	fmt.Fprintf(stdout, "New current key %s (was %s); %d stored values re-wrapped. Restart every drive serve so it loads the new key file.\n", keys.Current().ID(), old, n)
	return nil
}
