package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
)

func runDemo(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	credentials := fs.String("credentials", "", "where to write demo-credentials.json (default: beside the SQLite file, or the current folder for PostgreSQL)")
	keysFlag := fs.String("keys", "", "key file to seal victim-survivors' details with: used if it exists, created otherwise (default: drive-keys.json beside the SQLite file, or the current folder for PostgreSQL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	credPath := *credentials
	if credPath == "" {
		if isPostgres(c.DB) {
			credPath = "demo-credentials.json"
		} else {
			credPath = filepath.Join(filepath.Dir(c.DB), "demo-credentials.json")
		}
	}
	keysPath := *keysFlag
	if keysPath == "" {
		if keysPath = defaultKeyFile(c.DB); keysPath == "" {
			keysPath = "drive-keys.json"
		}
	}
	keys, err := demoKeys(keysPath, stderr)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, c.DB, keys, c.now)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "Creating demo data (hashing passwords takes a few seconds)...")
	res, err := demo.Generate(ctx, db.Svc, demo.Options{Seed: *seed})
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(res.Credentials, "", "  ") // #nosec G117 -- drive demo writes its synthetic users' passwords to a 0600 file: that is its purpose
	if err != nil {
		return err
	}
	if err := os.WriteFile(credPath, append(body, '\n'), 0o600); err != nil {
		return fmt.Errorf("write credentials to %s: %w", credPath, err)
	}
	sites := make([]string, len(res.Sites))
	for i, s := range res.Sites {
		sites[i] = s.Name + " (" + s.Code + ")"
	}
	siteIDs := make([]int64, len(res.Sites))
	for i, s := range res.Sites {
		siteIDs[i] = s.ID
	}
	cases, victims, err := db.Svc.Totals(ctx, service.CommandLine(), siteIDs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo data created: %d sites (%s), %d organisations, %d users, %d perpetrator cases, %d victim-survivors.\n",
		len(res.Sites), strings.Join(sites, ", "), res.Organisations, len(res.Credentials), cases, victims)
	fmt.Fprintf(stdout, "Sign-in details for every demo user are in %s.\n", credPath)
	fmt.Fprintf(stdout, "Victim-survivors' details are sealed with the key file %s; drive serve finds it beside the database.\n", keysPath)
	return nil
}

// runTOTP prints the current security code for a user in a credentials
// file, so someone trying the demo can sign in without an authenticator
// app. It reads only the demo credentials file, never the database.
func runTOTP(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("totp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	credPath := fs.String("credentials", "var/demo-credentials.json", "demo credentials file written by drive demo")
	user := fs.String("user", "", "username (default: the first user in the file)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	body, err := os.ReadFile(*credPath)
	if err != nil {
		return usageError{fmt.Sprintf("cannot read %s: run drive demo first, or pass --credentials", *credPath)}
	}
	var creds []demo.Credential
	if err := json.Unmarshal(body, &creds); err != nil {
		return fmt.Errorf("%s is not a demo credentials file: %w", *credPath, err)
	}
	for _, cr := range creds {
		if *user == "" || cr.Username == *user {
			code, err := auth.TOTPCode(cr.TOTPSecret, e.clock())
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s\n", code)
			return nil
		}
	}
	return usageError{fmt.Sprintf("no user %q in %s", *user, *credPath)}
}

// demoKeys uses the key file at path, or creates one there: a demo
// database must be readable by the demo server with no further set-up.
func demoKeys(path string, stderr io.Writer) (*sealed.Keyring, error) {
	if _, err := os.Stat(path); err == nil {
		k, _, err := loadKeyring(path, "", stderr)
		return k, err
	}
	k, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := k.WriteFile(path); err != nil {
		return nil, fmt.Errorf("write the demo key file %s: %w", path, err)
	}
	return k, nil
}
