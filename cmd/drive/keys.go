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
	"github.com/drive-platform/drive/store"
)

// defaultKeyFile is where drive demo writes, and drive serve looks for, the
// key file of a SQLite database: beside it.
func defaultKeyFile(db string) string {
	if store.IsPostgresURL(db) {
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

// runKeys generates a key file. (Rotation of stored records lands with
// the protected records themselves.)
func runKeys(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return usageError{"use: drive keys generate --out FILE"}
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
