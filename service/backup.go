package service

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/backup"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
)

// BackupOptions are what a backup needs besides the database.
type BackupOptions struct {
	// SigningKey signs the backup's audit checkpoint and manifest: the
	// audit checkpoint key (docs/audit.md).
	SigningKey ed25519.PrivateKey
	// TempDir is where a SQLite snapshot is made before it goes into the
	// archive; empty means the system's temporary directory. It needs
	// room for one copy of the database.
	TempDir string
	// PgDump is the pg_dump program a PostgreSQL backup writes its data
	// with, in pg_dump's custom format; empty means the service's own
	// export (each table in COPY text format), which needs no PostgreSQL
	// client tools. It must be of the server's major version or newer.
	PgDump string
}

// BackupResult says what a backup holds.
type BackupResult struct {
	Manifest   backup.Manifest
	Checkpoint audit.Checkpoint
	// CheckpointFile is the checkpoint as a file for drive audit verify
	// --checkpoint; keep a copy where the database's administrators
	// cannot change it.
	CheckpointFile []byte
}

// Backup writes a consistent backup of the whole database to out while the
// service goes on working: on SQLite a VACUUM INTO snapshot, on PostgreSQL
// every table read in one snapshot (store.ExportPostgres). The audit log in
// the snapshot is verified and a checkpoint of its head signed, and the
// manifest (every table's rows and digest, the schema, the key file's
// fingerprint, the checkpoint) is signed with the same key. A log that is
// already broken gets no checkpoint and no backup is made: the error says
// where it is broken, and the database should be copied by hand as
// evidence.
//
// Only the command line may (the whole database leaves the service). The
// backup is audited (backup.create) before the snapshot, so the snapshot
// holds the record of its own making. Errors: ENOTFOUND for any other
// actor, EINVALID without a signing key, and the store's errors.
func (s *Service) Backup(ctx context.Context, a Actor, out io.Writer, opt BackupOptions) (BackupResult, error) {
	if err := trusted(a, "backup"); err != nil {
		return BackupResult{}, err
	}
	if len(opt.SigningKey) != ed25519.PrivateKeySize {
		return BackupResult{}, drive.Errorf(drive.EINVALID, "A backup needs the audit signing key to sign its checkpoint.")
	}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "backup.create", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin),
			RecordType: "database", RecordID: s.DB.Engine(), Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return BackupResult{}, err
	}
	m := backup.Manifest{Format: backup.Format, Engine: s.DB.Engine(), MadeAt: s.DB.Now()}
	if s.Keys != nil {
		m.Keys.Current = s.Keys.Current().ID()
		for _, k := range s.Keys.Keys() {
			m.Keys.KeyIDs = append(m.Keys.KeyIDs, k.ID())
		}
	}
	zw := backup.NewWriter(out)
	v, err := audit.NewVerifier()
	if err != nil {
		return BackupResult{}, err
	}
	var brokenAt *audit.Event
	addEvent := func(e audit.Event) error {
		if err := v.Add(e); err != nil {
			brokenAt = &e
			return err
		}
		return nil
	}
	switch s.DB.Engine() {
	case "sqlite":
		err = s.backupSQLite(ctx, zw, &m, addEvent, opt.TempDir)
	default:
		if opt.PgDump != "" {
			m.Data = backup.DataPgDump
			err = s.backupPgDump(ctx, zw, &m, addEvent, opt.PgDump, opt.TempDir)
			break
		}
		var exp store.PostgresExport
		exp, err = s.DB.ExportPostgres(ctx, func(table string) (io.Writer, error) {
			return zw.Create(backup.TableEntry(table))
		}, addEvent)
		m.Tables, m.Schema = exp.Tables, exp.Schema
	}
	if err != nil && brokenAt == nil {
		return BackupResult{}, err
	}
	report, broken := v.Finish()
	if broken != nil {
		return BackupResult{}, drive.Wrap(broken, drive.EINVALID, fmt.Sprintf("The audit log is broken (%v), so no checkpoint was signed and no backup was made.", broken))
	}
	cp, err := audit.SignCheckpoint(opt.SigningKey, report.Checkpoint(m.MadeAt))
	if err != nil {
		return BackupResult{}, err
	}
	cpFile, err := cp.MarshalFile()
	if err != nil {
		return BackupResult{}, err
	}
	m.AuditSeq, m.AuditHash, m.Checkpoint = cp.Seq, hex.EncodeToString(cp.Hash), cpFile
	if m, err = m.Sign(opt.SigningKey); err != nil {
		return BackupResult{}, err
	}
	body, err := m.Marshal()
	if err != nil {
		return BackupResult{}, err
	}
	for _, entry := range []struct {
		name string
		data []byte
	}{{backup.CheckpointEntry, cpFile}, {backup.ManifestEntry, body}} {
		w, err := zw.Create(entry.name)
		if err != nil {
			return BackupResult{}, err
		}
		if _, err := w.Write(entry.data); err != nil {
			return BackupResult{}, drive.Wrap(err, drive.EINTERNAL, "the backup could not be written")
		}
	}
	if err := zw.Close(); err != nil {
		return BackupResult{}, err
	}
	return BackupResult{Manifest: m, Checkpoint: cp, CheckpointFile: cpFile}, nil
}

// backupPgDump has pg_dump (the program prog) write the database, from
// the snapshot the manifest's digests and audit log are read from, to a
// file in dir, and copies it into the archive: pg_dump is given the
// snapshot while it is held open, so its archive and the manifest
// describe the same moment.
func (s *Service) backupPgDump(ctx context.Context, zw *backup.Writer, m *backup.Manifest, addEvent func(audit.Event) error, prog, dir string) error {
	f, err := os.CreateTemp(dir, "drive-backup-*.pgdump")
	if err != nil {
		return drive.Wrap(err, drive.EINVALID, "The pg_dump archive cannot be written in the temporary folder: "+err.Error())
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	exp, err := s.DB.DumpPostgres(ctx, func(dbname string, env []string, snapshot string) error {
		return backup.PgDump(ctx, prog, dbname, env, snapshot, path)
	}, addEvent)
	if err != nil {
		return err
	}
	m.Tables, m.Schema = exp.Tables, exp.Schema
	f, err = os.Open(path) // #nosec G304 -- paths the operator gives drive backup/restore, or temporary files inside them; never from a request
	if err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the pg_dump archive could not be read")
	}
	defer f.Close()
	w, err := zw.Create(backup.PgDumpEntry)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the backup could not be written")
	}
	return nil
}

// backupSQLite snapshots the database into a file in dir, reads the
// snapshot's schema, digests and audit log (the snapshot cannot change
// under the reads, so they all describe the same moment), and copies it
// into the archive.
func (s *Service) backupSQLite(ctx context.Context, zw *backup.Writer, m *backup.Manifest, addEvent func(audit.Event) error, dir string) error {
	if dir == "" {
		dir = os.TempDir()
	}
	tmpDir, err := os.MkdirTemp(dir, "drive-backup-")
	if err != nil {
		return drive.Wrap(err, drive.EINVALID, "There is nowhere to make the snapshot: the temporary folder cannot be written.")
	}
	defer os.RemoveAll(tmpDir)
	path := filepath.Join(tmpDir, "snapshot.db")
	if err := s.DB.SnapshotSQLite(ctx, path); err != nil {
		return err
	}
	snap, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	err = func() error {
		st, err := snap.Status(ctx)
		if err != nil {
			return err
		}
		m.Schema = st.Applied
		if m.Tables, err = snap.TableDigests(ctx); err != nil {
			return err
		}
		return snap.EachAuditEvent(ctx, addEvent)
	}()
	if cerr := snap.Close(); err == nil && cerr != nil {
		return drive.Wrap(cerr, drive.EINTERNAL, "the snapshot could not be closed")
	}
	if err != nil {
		return err
	}
	f, err := os.Open(path) // #nosec G304 -- paths the operator gives drive backup/restore, or temporary files inside them; never from a request
	if err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the snapshot could not be read")
	}
	defer f.Close()
	w, err := zw.Create(backup.SQLiteEntry)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the backup could not be written")
	}
	return nil
}

// RestoreOptions are what a restore checks the backup with.
type RestoreOptions struct {
	// PublicKey checks the signatures of the manifest and checkpoint.
	PublicKey ed25519.PublicKey
	// Keys is the key file the restored database will be served with:
	// every sealed value's data key must unwrap under it.
	Keys *sealed.Keyring
	// PgRestore is the pg_restore program that reads a backup taken with
	// pg_dump; such a backup cannot be restored without it.
	PgRestore string
	// TempDir is where a pg_dump archive is written out for pg_restore
	// to read; empty means the system's temporary directory.
	TempDir string
}

// RestoreReport says what a restore restored and checked.
type RestoreReport struct {
	Manifest backup.Manifest
	Rows     int64        // rows restored, over every table
	Audit    audit.Report // the restored log, verified against the backup's checkpoint
	Sealed   int          // sealed values whose data keys unwrap with the key file
}

// Restore restores the backup in arc into target (a SQLite file path that
// must not exist, or the URL of an empty PostgreSQL database) and checks
// it before anyone uses it: the manifest and its checkpoint are signed by
// opt.PublicKey's key; every table has the manifest's row count and
// digest; the audit chain verifies and reaches exactly the signed
// checkpoint; and every sealed value's data key unwraps with opt.Keys. A
// SQLite restore is made beside target and moved into place only when all
// of that holds; a PostgreSQL restore loads and compares the tables in one
// transaction, so a mismatch leaves the database empty. A restore that
// passes is recorded in the restored audit log (backup.restore), after the
// checkpoint, so the restored log still verifies against it.
//
// It runs as the command line, outside any service: there is none until
// the database exists. now is the restored service's clock (nil: the
// system's). Errors are EINVALID, saying what did not match; an error
// wrapping backup.ErrBadSignature or audit.ErrBadSignature means the
// backup cannot be trusted.
func Restore(ctx context.Context, arc *backup.Archive, target string, opt RestoreOptions, now func() time.Time) (RestoreReport, error) {
	m := arc.Manifest
	rep := RestoreReport{Manifest: m}
	if opt.Keys == nil {
		return rep, drive.Errorf(drive.EINVALID, "A restore needs the key file, to check that the backup's sealed values open with it.")
	}
	cp, err := m.VerifySignature(opt.PublicKey)
	if err != nil {
		return rep, err
	}
	engine := "sqlite"
	if store.IsPostgresURL(target) {
		engine = "postgres"
	}
	if engine != m.Engine {
		return rep, drive.Errorf(drive.EINVALID, "The backup is of a %s database and cannot be restored into %s: restore into the engine it came from.", m.Engine, engine)
	}
	for _, t := range m.Tables {
		rep.Rows += t.Rows
	}
	var db *store.DB
	var tmp string // the SQLite file, until it is checked and placed
	if engine == "sqlite" {
		db, tmp, err = restoreSQLite(ctx, arc, target, now)
	} else {
		db, err = restorePostgres(ctx, arc, target, opt, now)
	}
	if err != nil {
		return rep, err
	}
	svc := &Service{DB: db, Keys: opt.Keys}
	open := true
	defer func() {
		if open {
			db.Close()
			if tmp != "" {
				removeSQLite(tmp)
			}
		}
	}()
	if engine == "sqlite" {
		got, err := db.TableDigests(ctx)
		if err != nil {
			return rep, err
		}
		if err := m.Compare(got); err != nil {
			return rep, err
		}
	}
	v, err := audit.NewVerifier(cp)
	if err != nil {
		return rep, err
	}
	res, err := svc.CheckAuditLog(ctx, v, 0, nil)
	if err != nil {
		return rep, err
	}
	if res.Broken != nil {
		return rep, drive.Wrap(res.Broken, drive.EINVALID, fmt.Sprintf("The restored audit log does not verify: %v.", res.Broken))
	}
	if res.Report.HeadSeq != cp.Seq {
		return rep, drive.Errorf(drive.EINVALID, "The restored audit log ends at event %d, not at the backup's checkpoint (event %d).", res.Report.HeadSeq, cp.Seq)
	}
	rep.Audit = res.Report
	if rep.Sealed, err = svc.checkSealed(ctx); err != nil {
		return rep, err
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		a := CommandLine()
		return tx.Audit(ctx, audit.Event{Action: "backup.restore", ActorRole: actorRole(a, access.Admin), RecordType: "database",
			RecordID: engine, Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: fmt.Sprintf("checkpoint event %d", cp.Seq)})
	})
	if err != nil {
		return rep, err
	}
	open = false
	if err := db.Close(); err != nil {
		if tmp != "" {
			removeSQLite(tmp)
		}
		return rep, drive.Wrap(err, drive.EINTERNAL, "the restored database could not be closed")
	}
	if tmp != "" {
		if err := placeSQLite(tmp, target); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// checkSealed checks every sealed value's data key unwraps with the key
// file, and returns how many there are.
func (s *Service) checkSealed(ctx context.Context) (int, error) {
	n := 0
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		_, err := tx.RewrapAll(ctx, func(v store.SealedValue) (store.SealedValue, bool, error) {
			if err := checkSealedKey(s.Keys, v); err != nil {
				return v, false, err
			}
			n++
			return v, false, nil
		})
		return err
	})
	return n, err
}

// checkSealedKey checks that v's data key unwraps with keys.
func checkSealedKey(keys *sealed.Keyring, v store.SealedValue) error {
	sv, err := v.Parse()
	if err == nil {
		err = keys.CheckKey(sv)
	}
	if err != nil {
		return drive.Wrap(err, drive.EINVALID, "A sealed value of the backup does not open with the key file given: it needs key "+v.KeyID+". Find the key file that holds it.")
	}
	return nil
}

// restoreSQLite writes the backup's database file beside target, under a
// name of its own, and opens it. It returns the path it wrote; the caller
// closes the database and then either places the file (placeSQLite) or
// removes it (removeSQLite).
func restoreSQLite(ctx context.Context, arc *backup.Archive, target string, now func() time.Time) (*store.DB, string, error) {
	if _, err := os.Lstat(target); err == nil {
		return nil, "", drive.Errorf(drive.EINVALID, "%s already exists: a backup is restored into a new database only. Choose a new file name.", target)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	tmp := target + ".restoring-" + hex.EncodeToString(b[:])
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- paths the operator gives drive backup/restore, or temporary files inside them; never from a request
	if err != nil {
		return nil, "", drive.Wrap(err, drive.EINVALID, "The database file cannot be created there: "+err.Error())
	}
	rc, err := arc.Open(backup.SQLiteEntry)
	if err == nil {
		_, err = io.Copy(f, rc)
		rc.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeSQLite(tmp)
		return nil, "", drive.Wrap(err, drive.EINVALID, "The backup's database could not be written out.")
	}
	db, err := store.Open(ctx, tmp, store.Options{Now: now})
	if err != nil {
		removeSQLite(tmp)
		return nil, "", err
	}
	st, err := db.Status(ctx)
	if err == nil && !backup.SameSchema(st.Applied, arc.Manifest.Schema) {
		err = drive.Errorf(drive.EINVALID, "The backup's database has migrations %v, but its manifest says %v.", st.Applied, arc.Manifest.Schema)
	}
	if err != nil {
		db.Close()
		removeSQLite(tmp)
		return nil, "", err
	}
	return db, tmp, nil
}

// placeSQLite moves a checked, closed restore to target. It links rather
// than renames: a link fails if target exists, so a file created there
// during the restore is never replaced.
func placeSQLite(tmp, target string) error {
	defer removeSQLite(tmp)
	if err := os.Link(tmp, target); err != nil {
		return drive.Wrap(err, drive.EINVALID, "The restored database could not be moved into place: "+err.Error())
	}
	return nil
}

// removeSQLite removes a restore that failed, with its journal files.
func removeSQLite(tmp string) {
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
}

// restorePostgres migrates an empty PostgreSQL database to the backup's
// schema and loads the backup into it, comparing every table with the
// manifest before committing.
func restorePostgres(ctx context.Context, arc *backup.Archive, target string, opt RestoreOptions, now func() time.Time) (*store.DB, error) {
	open := func(table string) (io.ReadCloser, error) { return arc.Open(backup.TableEntry(table)) }
	if arc.Manifest.Data == backup.DataPgDump {
		if opt.PgRestore == "" {
			return nil, drive.Errorf(drive.EINVALID, "The backup's data is a pg_dump archive, which needs pg_restore: install the PostgreSQL client tools, or give --pg-restore.")
		}
		dump, err := writeOut(arc, backup.PgDumpEntry, opt.TempDir)
		if err != nil {
			return nil, err
		}
		defer os.Remove(dump)
		open = func(table string) (io.ReadCloser, error) {
			return backup.PgRestoreTable(ctx, opt.PgRestore, dump, table)
		}
	}
	db, err := store.Open(ctx, target, store.Options{Now: now})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*store.DB, error) {
		db.Close()
		return nil, err
	}
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		return fail(err)
	}
	if !empty {
		return fail(drive.Errorf(drive.EINVALID, "The PostgreSQL database is not empty: a backup is restored into an empty database only. Create a new database for it."))
	}
	st, err := db.Status(ctx)
	if err != nil {
		return fail(err)
	}
	if all := append(st.Applied, st.Pending...); !backup.SameSchema(all, arc.Manifest.Schema) {
		return fail(drive.Errorf(drive.EINVALID, "The backup has migrations %v but this drive binary has %v: restore with the drive version that made the backup, then upgrade with drive migrate.", arc.Manifest.Schema, all))
	}
	if _, err := db.Migrate(ctx); err != nil {
		return fail(err)
	}
	err = db.ImportPostgres(ctx, func(table string) (io.ReadCloser, error) {
		if _, ok := arc.Manifest.Table(table); !ok {
			return nil, drive.Errorf(drive.EINVALID, "The backup has no table %s, which this schema has.", table)
		}
		return open(table)
	}, arc.Manifest.Compare, func(v store.SealedValue) error { return checkSealedKey(opt.Keys, v) })
	if err != nil {
		return fail(err)
	}
	return db, nil
}

// writeOut writes the archive's entry to a new file in dir (the system's
// temporary directory when empty) and returns its path.
func writeOut(arc *backup.Archive, entry, dir string) (string, error) {
	f, err := os.CreateTemp(dir, "drive-restore-*")
	if err != nil {
		return "", drive.Wrap(err, drive.EINVALID, "The backup cannot be written out in the temporary folder: "+err.Error())
	}
	rc, err := arc.Open(entry)
	if err == nil {
		_, err = io.Copy(f, rc)
		rc.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", drive.Wrap(err, drive.EINVALID, "The backup's "+entry+" could not be written out.")
	}
	return f.Name(), nil
}
