package backup

import (
	"archive/zip"
	"io"

	"github.com/drive-platform/drive"
)

// The entries of a backup archive. An archive is a zip file (stored, not
// compressed: most of a database is sealed values, which do not compress,
// and the backup should not compete with the service for the processor).
const (
	// ManifestEntry holds the manifest.
	ManifestEntry = "manifest.json"
	// CheckpointEntry holds the signed audit checkpoint, also in the
	// manifest, as a file drive audit verify --checkpoint reads.
	CheckpointEntry = "checkpoint.json"
	// SQLiteEntry holds a SQLite database file, for a SQLite backup.
	SQLiteEntry = "database.sqlite"
)

// TableEntry names the entry holding a PostgreSQL table's rows (in COPY
// text format).
func TableEntry(table string) string { return "tables/" + table + ".copy" }

// Writer writes an archive. Entries are streamed: their size need not be
// known in advance.
type Writer struct{ z *zip.Writer }

// NewWriter starts an archive on w.
func NewWriter(w io.Writer) *Writer { return &Writer{z: zip.NewWriter(w)} }

// Create starts the entry name; write its bytes to the returned writer
// before creating the next.
func (w *Writer) Create(name string) (io.Writer, error) {
	out, err := w.z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "the backup could not be written")
	}
	return out, nil
}

// Close writes the archive's directory. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if err := w.z.Close(); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the backup could not be written")
	}
	return nil
}

// Archive is an archive opened for reading, with its manifest parsed (but
// not yet trusted: check it with Manifest.VerifySignature).
type Archive struct {
	z        *zip.Reader
	Manifest Manifest
}

// maxEntries bounds the entries of an archive: a real one has a few dozen.
const maxEntries = 10_000

// OpenArchive reads the archive in r (size bytes). Errors are
// drive.EINVALID for a file that is not a Drive backup.
func OpenArchive(r io.ReaderAt, size int64) (*Archive, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The file is not a Drive backup (it is not a zip archive).")
	}
	if len(z.File) > maxEntries {
		return nil, drive.Errorf(drive.EINVALID, "The file is not a Drive backup (it has %d entries).", len(z.File))
	}
	a := &Archive{z: z}
	data, err := a.readAll(ManifestEntry, maxManifest)
	if err != nil {
		return nil, err
	}
	if a.Manifest, err = ParseManifest(data); err != nil {
		return nil, err
	}
	return a, nil
}

// Open opens the entry name for reading. Errors: ENOTFOUND if there is no
// such entry.
func (a *Archive) Open(name string) (io.ReadCloser, error) {
	for _, f := range a.z.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				return nil, drive.Wrap(err, drive.EINVALID, "The backup's entry "+name+" cannot be read.")
			}
			return rc, nil
		}
	}
	return nil, drive.Errorf(drive.ENOTFOUND, "The backup has no entry %s.", name)
}

func (a *Archive) readAll(name string, limit int64) ([]byte, error) {
	rc, err := a.Open(name)
	if err != nil {
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil, drive.Errorf(drive.EINVALID, "The file is not a Drive backup (it has no %s).", name)
		}
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, drive.Wrap(err, drive.EINVALID, "The backup's entry "+name+" cannot be read.")
	}
	if int64(len(data)) > limit {
		return nil, drive.Errorf(drive.EINVALID, "The backup's entry %s is too large.", name)
	}
	return data, nil
}
