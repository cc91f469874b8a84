package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// RunPendingUploads checks a checked upload's file held in chunks: its
// chunks come back in order, become an import job's file when it is
// taken, and are gone with it; a second take, another user's upload and
// one older than a day are not found; a day-old upload's chunks go when
// the next upload is saved.
func RunPendingUploads(t *testing.T, e Engine) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, func() time.Time { return at })
	var site account.Site
	var users [2]int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		site = account.Site{Code: "PU", Name: "Pending", Region: "R"}
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		org := &account.Organisation{Name: "Pending Police", Kind: account.NationalTeam}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		for i, name := range []string{"ana.lyst", "other.lyst"} {
			u := &account.User{Username: name, DisplayName: name, OrganisationID: org.ID, PasswordHash: "x"}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			users[i] = u.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A file of three chunks, the last one short.
	file := bytes.Repeat([]byte("ref,date\n"), (2*store.ImportChunkSize+100)/9)
	save := func(user int64, file []byte) int64 {
		t.Helper()
		p := &store.PendingUpload{SiteID: site.ID, UserID: user, Kind: "incidents", FileName: "weekly.csv", Encoding: "utf-8"}
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.SavePendingUpload(ctx, p); err != nil {
				return err
			}
			for seq, rest := 0, file; len(rest) > 0; seq++ {
				n := min(len(rest), store.ImportChunkSize)
				if err := tx.AddPendingUploadChunk(ctx, p.ID, seq, rest[:n]); err != nil {
					return err
				}
				rest = rest[n:]
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	take := func(id, user int64) (int64, error) {
		var job int64
		err := db.Transact(ctx, func(tx *store.Tx) error {
			p, err := tx.PendingUploadOf(ctx, id, user)
			if err != nil {
				return err
			}
			if p.FileName != "weekly.csv" || p.Encoding != "utf-8" || p.Kind != "incidents" || p.SiteID != site.ID {
				t.Errorf("pending upload read back as %+v", p)
			}
			var got []byte
			for seq := 0; ; seq++ {
				data, ok, err := tx.PendingUploadChunk(ctx, id, seq)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				got = append(got, data...)
			}
			if !bytes.Equal(got, file) {
				t.Errorf("the pending upload's chunks hold %d bytes, want the %d sent", len(got), len(file))
			}
			sum := sha256.Sum256(got)
			if job, err = tx.CreateImportJob(ctx, &store.ImportJob{SiteID: site.ID, Kind: "incidents", SHA256: sum[:], UserID: user}, nil); err != nil {
				return err
			}
			return tx.TakePendingUpload(ctx, id, job)
		})
		return job, err
	}

	id := save(users[0], file)
	if _, err := take(id, users[1]); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("another user's pending upload: %v", err)
	}
	job, err := take(id, users[0])
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		var got []byte
		for seq := 0; ; seq++ {
			data, ok, err := tx.ImportJobChunk(ctx, job, seq)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			got = append(got, data...)
		}
		if !bytes.Equal(got, file) {
			t.Errorf("the job's file has %d bytes, want the %d checked", len(got), len(file))
		}
		if _, ok, err := tx.PendingUploadChunk(ctx, id, 0); ok || err != nil {
			t.Errorf("the taken upload's chunks are still held (%v)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := take(id, users[0]); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("a pending upload taken twice: %v", err)
	}
	// Taking one that another confirmation took first (between the read
	// and the take) changes nothing.
	id = save(users[0], file)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		var jobs [2]int64
		for i := range jobs {
			var err error
			if jobs[i], err = tx.CreateImportJob(ctx, &store.ImportJob{SiteID: site.ID, Kind: "incidents", SHA256: []byte{1}, UserID: users[0]}, nil); err != nil {
				return err
			}
		}
		if err := tx.TakePendingUpload(ctx, id, jobs[0]); err != nil {
			return err
		}
		return tx.TakePendingUpload(ctx, id, jobs[1])
	})
	if drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("a second take in one transaction: %v", err)
	}

	// A day later it is not found, and the next save removes it with its
	// chunks.
	at = at.Add(25 * time.Hour)
	if _, err := take(id, users[0]); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("a pending upload older than a day: %v", err)
	}
	// (SQLite may give the new upload the old one's id: it is one
	// chunk long, so the old one's second chunk tells.)
	save(users[1], file[:10])
	err = db.View(ctx, func(tx *store.Tx) error {
		if _, ok, err := tx.PendingUploadChunk(ctx, id, 1); ok || err != nil {
			t.Errorf("a day-old upload's chunks are still held (%v)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
