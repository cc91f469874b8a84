package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/service"
)

// auditProgressEvery is how many events verification checks between
// progress lines on stderr, so that whoever runs it on a long log can see
// it is moving.
const auditProgressEvery = 100_000

// Exit codes of the audit commands (docs/audit.md, "Verify the log"):
//
//	0  the log is intact (and matches every checkpoint given)
//	1  the log is broken, or a checkpoint fails its signature check
//	2  the check could not be made: flags, files, or the database
//
// Exit 1 is kept for evidence that the log cannot be trusted, so that a
// scheduled check can tell "tampered with" apart from "not checked". run
// maps usageError to 2 and any other error to 1, so every failure that
// leaves the log unchecked is returned as a usageError, and only breaks
// and bad signatures are returned as other errors.

// auditCommand is one subcommand of drive audit.
type auditCommand struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error
}

func auditCommands() []auditCommand {
	return []auditCommand{
		{"verify", "check the audit log, and signed checkpoints of it if given", runAuditVerify},
		{"checkpoint", "verify the log, then sign a checkpoint of its newest event", runAuditCheckpoint},
		{"keygen", "make an Ed25519 key pair for signing checkpoints", runAuditKeygen},
	}
}

// runAudit dispatches drive audit SUBCOMMAND.
func runAudit(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		auditUsage(stderr)
		return usageError{"no audit command given: use verify, checkpoint or keygen"}
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		auditUsage(stderr)
		return flag.ErrHelp
	}
	for _, c := range auditCommands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:], stdout, stderr)
		}
	}
	return usageError{fmt.Sprintf("unknown audit command %q: use verify, checkpoint or keygen", args[0])}
}

func auditUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: drive audit COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range auditCommands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run drive audit COMMAND -h for a command's flags. docs/audit.md explains the log and its checks.")
}

// newAuditFlags returns a flag set for drive audit NAME whose help starts
// with synopsis.
func newAuditFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("audit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: drive audit %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseAuditFlags is parseFlags, except that -h is a request for help
// (exit 0) rather than a usage mistake.
func parseAuditFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return flag.ErrHelp
	case err != nil:
		return usageError{err.Error()}
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q; see drive %s -h", fs.Arg(0), fs.Name())}
	}
	return nil
}

// bindAuditDB adds --db to fs, defaulting from DRIVE_DB or DRIVE_DB_FILE.
// The audit commands take no --log-level: they log nothing.
func bindAuditDB(fs *flag.FlagSet, e env) (*string, error) {
	def, err := e.value("DRIVE_DB")
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return fs.String("db", def, "`PATH_OR_URL` of the database: a SQLite file path or a postgres:// URL (env DRIVE_DB or DRIVE_DB_FILE)"), nil
}

// checkAuditLog reads the whole log through v, writing a progress line
// to progress every `every` events (none if every is 0).
func checkAuditLog(ctx context.Context, d *database, v *audit.Verifier, every int64, progress io.Writer) (service.AuditCheck, error) {
	return d.Svc.CheckAuditLog(ctx, v, every, func(seen, seq int64) {
		fmt.Fprintf(progress, "checked %d events so far (up to event %d)\n", seen, seq)
	})
}

// printAuditBreak writes what an operator needs to know about a broken log:
// where, how, what is stored there, and what is still trustworthy. Every
// value read from the database is quoted, since a tampered row may hold
// anything, including terminal control sequences.
func printAuditBreak(w io.Writer, res service.AuditCheck) {
	var be *audit.BreakError
	if !errors.As(res.Broken, &be) {
		fmt.Fprintf(w, "The audit log cannot be trusted: %v.\n", res.Broken)
		return
	}
	fmt.Fprintf(w, "The audit log is BROKEN at event %d: %s.\n", be.Seq, be.Detail())
	if e := res.Found; e != nil {
		fmt.Fprintf(w, "The event stored there: number %d, recorded %s, actor %d (role %q), action %q, record %q %q, site %d, outcome %q.\n",
			e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.ActorRole, e.Action, e.RecordType, e.RecordID, e.SiteID, e.Outcome)
	}
	if r := res.Report; r.Events > 0 {
		fmt.Fprintf(w, "Events 1 to %d are intact; event %d was recorded %s and has hash %s.\n",
			r.HeadSeq, r.HeadSeq, r.HeadAt.UTC().Format("2006-01-02 15:04:05 UTC"), hex.EncodeToString(r.HeadHash))
	}
	fmt.Fprintln(w, "Do not repair the log: back up the database, keep the checkpoint files, and tell the data protection officer.")
}

// readAuditPublicKey reads the PEM public key that checks checkpoints.
func readAuditPublicKey(path string) (ed25519.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Sprintf("cannot read the public key: %v", err)}
	}
	pub, err := audit.ParsePublicKey(data)
	if err != nil {
		return nil, usageError{fmt.Sprintf("%s: %s", path, describe(err))}
	}
	return pub, nil
}

// readAuditCheckpoint reads a checkpoint file and checks its signature
// with pub. A checkpoint that fails its signature check is evidence (of an
// altered file, or of a mix-up of keys), so that error is not a usageError.
func readAuditCheckpoint(path string, pub ed25519.PublicKey) (audit.Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return audit.Checkpoint{}, usageError{fmt.Sprintf("cannot read the checkpoint: %v", err)}
	}
	cp, err := audit.ParseCheckpoint(data)
	if err != nil {
		return audit.Checkpoint{}, usageError{fmt.Sprintf("%s: %s", path, describe(err))}
	}
	if err := cp.VerifySignature(pub); err != nil {
		if errors.Is(err, audit.ErrBadSignature) {
			return audit.Checkpoint{}, fmt.Errorf("checkpoint %s cannot be trusted: %s", path, describe(err))
		}
		return audit.Checkpoint{}, usageError{fmt.Sprintf("%s: %s", path, describe(err))}
	}
	return cp, nil
}

func runAuditVerify(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return auditVerify(ctx, e, args, stdout, stderr, auditProgressEvery)
}

// auditVerify is drive audit verify, with the progress interval as a
// parameter so that tests can see progress without a long log.
func auditVerify(ctx context.Context, e env, args []string, stdout, stderr io.Writer, every int64) error {
	fs := newAuditFlags("verify", "--db PATH_OR_URL [--checkpoint FILE ... --public-key FILE]", stderr)
	dsn, err := bindAuditDB(fs, e)
	if err != nil {
		return err
	}
	var cpPaths []string
	fs.Func("checkpoint", "signed checkpoint `FILE` the log must match; repeat for several (needs --public-key)", func(s string) error {
		cpPaths = append(cpPaths, s)
		return nil
	})
	pubPath := fs.String("public-key", "", "public key `FILE` (PEM) that checks the checkpoints' signatures")
	if err := parseAuditFlags(fs, args); err != nil {
		return err
	}
	switch {
	case len(cpPaths) > 0 && *pubPath == "":
		return usageError{"--checkpoint needs --public-key: a checkpoint whose signature is not checked proves nothing"}
	case len(cpPaths) == 0 && *pubPath != "":
		return usageError{"--public-key given without --checkpoint: there is nothing for it to check"}
	}
	if err := (common{DB: *dsn}).check(); err != nil {
		return err
	}

	// Checkpoints are checked before the database is touched: a bad file
	// should not wait for a long read to be reported.
	var cps []audit.Checkpoint
	if len(cpPaths) > 0 {
		pub, err := readAuditPublicKey(*pubPath)
		if err != nil {
			return err
		}
		for _, path := range cpPaths {
			cp, err := readAuditCheckpoint(path, pub)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Checkpoint %s: event %d, made %s, signed with key %s: the signature is valid.\n",
				path, cp.Seq, cp.At.Format("2006-01-02 15:04:05 UTC"), cp.KeyID)
			cps = append(cps, cp)
		}
	}
	v, err := audit.NewVerifier(cps...)
	if err != nil {
		// Only possible with checkpoints that each verified with the
		// trusted key: the key signed two histories, so one was rewritten.
		return fmt.Errorf("the checkpoints cannot all be trusted: %s", describe(err))
	}

	db, err := openToCheck(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := checkAuditLog(ctx, db, v, every, stderr)
	if err != nil {
		return usageError{"cannot read the audit log, so it was not checked: " + describe(err)}
	}
	if res.Broken != nil {
		printAuditBreak(stdout, res)
		return res.Broken
	}
	fmt.Fprintf(stdout, "The audit log is intact: %s.\n", res.Report)
	return nil
}

func runAuditCheckpoint(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newAuditFlags("checkpoint", "--db PATH_OR_URL --key FILE --out FILE", stderr)
	dsn, err := bindAuditDB(fs, e)
	if err != nil {
		return err
	}
	keyPath := fs.String("key", "", "private key `FILE` (PEM, PKCS #8) that signs the checkpoint")
	outPath := fs.String("out", "", "`FILE` to write the checkpoint to; it must not exist yet")
	if err := parseAuditFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *keyPath == "":
		return usageError{"no signing key given: pass --key with the private key file (make one with drive audit keygen)"}
	case *outPath == "":
		return usageError{"no output file given: pass --out with the file to write the checkpoint to"}
	}
	if err := (common{DB: *dsn}).check(); err != nil {
		return err
	}
	keyPEM, err := os.ReadFile(*keyPath)
	if err != nil {
		return usageError{fmt.Sprintf("cannot read the signing key: %v", err)}
	}
	priv, err := audit.ParsePrivateKey(keyPEM)
	if err != nil {
		return usageError{fmt.Sprintf("%s: %s", *keyPath, describe(err))}
	}
	// Refuse an existing --out now rather than after reading the whole log;
	// writeNewFile checks again when it creates the file.
	if _, err := os.Lstat(*outPath); err == nil {
		return usageError{fmt.Sprintf("%s already exists; a checkpoint is evidence, so it is never overwritten: choose another name", *outPath)}
	}
	if st, err := os.Stat(filepath.Dir(*outPath)); err != nil || !st.IsDir() {
		return usageError{fmt.Sprintf("the folder for %s does not exist; create it first", *outPath)}
	}

	db, err := openToCheck(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := audit.NewVerifier()
	if err != nil {
		return err
	}
	res, err := checkAuditLog(ctx, db, v, auditProgressEvery, stderr)
	if err != nil {
		return usageError{"cannot read the audit log, so no checkpoint was made: " + describe(err)}
	}
	if res.Broken != nil {
		printAuditBreak(stdout, res)
		fmt.Fprintln(stdout, "No checkpoint was made: a checkpoint must never vouch for a broken log.")
		return res.Broken
	}
	// The checkpoint's time is when it was signed: the cmd layer is where
	// the clock is read.
	cp, err := audit.SignCheckpoint(priv, res.Report.Checkpoint(e.clock()))
	if err != nil {
		return err
	}
	data, err := cp.MarshalFile()
	if err != nil {
		return err
	}
	// The checkpoint is public (it holds only a number, a hash, a time and
	// a signature), so it is world-readable.
	if err := writeNewFile(*outPath, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "The audit log is intact: %s.\n", res.Report)
	fmt.Fprintf(stdout, "Wrote %s: a checkpoint of event %d (hash %s) made %s, signed with key %s.\n",
		*outPath, cp.Seq, hex.EncodeToString(cp.Hash), cp.At.Format("2006-01-02 15:04:05 UTC"), cp.KeyID)
	return nil
}

func runAuditKeygen(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newAuditFlags("keygen", "--private FILE --public FILE", stderr)
	privPath := fs.String("private", "", "`FILE` to write the private key to (PEM, PKCS #8, mode 0600); it must not exist yet")
	pubPath := fs.String("public", "", "`FILE` to write the public key to (PEM, PKIX); it must not exist yet")
	if err := parseAuditFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *privPath == "":
		return usageError{"no private key file given: pass --private"}
	case *pubPath == "":
		return usageError{"no public key file given: pass --public"}
	case *privPath == *pubPath:
		return usageError{"--private and --public name the same file"}
	}
	// Overwriting a key would lose the only way to check the checkpoints
	// it signed (or to sign new ones), so existing files are never touched.
	for _, p := range []string{*privPath, *pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return usageError{fmt.Sprintf("%s already exists; keys are never overwritten: move it away or choose another name", p)}
		}
	}
	pub, priv, err := audit.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	privPEM, err := audit.MarshalPrivateKey(priv)
	if err != nil {
		return err
	}
	pubPEM, err := audit.MarshalPublicKey(pub)
	if err != nil {
		return err
	}
	if err := writeNewFile(*privPath, privPEM, 0o600); err != nil {
		return err
	}
	if err := writeNewFile(*pubPath, pubPEM, 0o644); err != nil {
		// Half a key pair is no use; leave nothing behind.
		_ = os.Remove(*privPath)
		return err
	}
	fmt.Fprintf(stdout, "Wrote the private key to %s and the public key to %s (key ID %s).\n", *privPath, *pubPath, audit.KeyID(pub))
	fmt.Fprintln(stdout, "Keep the private key secret and off the database server; give the public key to whoever checks the log.")
	return nil
}

// writeNewFile creates path with perm and writes data to it, refusing to
// replace an existing file even if one appears after an earlier check
// (O_EXCL). On failure it removes what it created, so no truncated key or
// checkpoint is left behind. Its errors are usageErrors: a file that cannot
// be written says nothing about the log, and exit 1 is kept for a log that
// is broken.
func writeNewFile(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, os.ErrExist) {
		return usageError{fmt.Sprintf("%s already exists; it was not overwritten", path)}
	}
	if err != nil {
		return usageError{fmt.Sprintf("cannot create %s: %v", path, err)}
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = usageError{fmt.Sprintf("cannot write %s: %v", path, cerr)}
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return usageError{fmt.Sprintf("cannot write %s: %v", path, err)}
	}
	if err := f.Sync(); err != nil {
		return usageError{fmt.Sprintf("cannot write %s: %v", path, err)}
	}
	return nil
}
