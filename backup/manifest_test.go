package backup

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
)

// signedManifest is a small manifest signed with a new key, with its
// checkpoint.
func signedManifest(t *testing.T) (Manifest, ed25519.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hash := make([]byte, audit.HashSize)
	hash[0] = 7
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	cp, err := audit.SignCheckpoint(priv, audit.Checkpoint{Seq: 42, Hash: hash, At: at})
	if err != nil {
		t.Fatal(err)
	}
	cpFile, err := cp.MarshalFile()
	if err != nil {
		t.Fatal(err)
	}
	m := Manifest{Format: Format, Engine: "sqlite", MadeAt: at, Schema: []int{1, 2, 19},
		Tables: []Table{
			{Name: "audit_events", Rows: 42, SHA256: strings.Repeat("a", 64)},
			{Name: "case_notes", Rows: 3, SHA256: strings.Repeat("b", 64)},
		},
		Keys:     KeyFingerprint{Current: "665e2a8696ef7625", KeyIDs: []string{"665e2a8696ef7625"}},
		AuditSeq: 42, AuditHash: hex.EncodeToString(hash), Checkpoint: cpFile}
	if m, err = m.Sign(priv); err != nil {
		t.Fatal(err)
	}
	return m, pub
}

func TestManifestSignature(t *testing.T) {
	m, pub := signedManifest(t)
	cp, err := m.VerifySignature(pub)
	if err != nil {
		t.Fatalf("a manifest as signed: %v", err)
	}
	if cp.Seq != 42 {
		t.Errorf("checkpoint at event %d, want 42", cp.Seq)
	}
	body, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseManifest(body)
	if err != nil {
		t.Fatalf("parse what Marshal wrote: %v", err)
	}
	if _, err := back.VerifySignature(pub); err != nil {
		t.Errorf("the manifest read back no longer verifies: %v", err)
	}

	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := m.VerifySignature(otherPub); !errors.Is(err, ErrBadSignature) {
		t.Errorf("verify with another key = %v, want ErrBadSignature", err)
	}
	for name, alter := range map[string]func(*Manifest){
		"a row count":    func(m *Manifest) { m.Tables[1].Rows = 2 },
		"a digest":       func(m *Manifest) { m.Tables[0].SHA256 = strings.Repeat("c", 64) },
		"a table":        func(m *Manifest) { m.Tables = m.Tables[:1] },
		"the audit head": func(m *Manifest) { m.AuditSeq = 41 },
		"the key list":   func(m *Manifest) { m.Keys.KeyIDs = nil },
		"the time":       func(m *Manifest) { m.MadeAt = m.MadeAt.Add(time.Hour) },
	} {
		c := m
		c.Tables = append([]Table(nil), m.Tables...)
		alter(&c)
		if _, err := c.VerifySignature(pub); !errors.Is(err, ErrBadSignature) {
			t.Errorf("altered %s: %v, want ErrBadSignature", name, err)
		}
	}
}

func TestManifestCompare(t *testing.T) {
	m, _ := signedManifest(t)
	same := append([]Table(nil), m.Tables...)
	if err := m.Compare(same); err != nil {
		t.Errorf("the manifest's own tables: %v", err)
	}
	for name, tc := range map[string]struct {
		got  []Table
		want string
	}{
		"fewer rows":     {[]Table{m.Tables[0], {Name: "case_notes", Rows: 2, SHA256: m.Tables[1].SHA256}}, "case_notes has 2 rows, the backup 3"},
		"other contents": {[]Table{m.Tables[0], {Name: "case_notes", Rows: 3, SHA256: strings.Repeat("d", 64)}}, "different contents"},
		"missing table":  {[]Table{m.Tables[0]}, "case_notes is missing"},
		"extra table":    {append(same, Table{Name: "extra", SHA256: strings.Repeat("e", 64)}), "extra is not in the backup"},
	} {
		err := m.Compare(tc.got)
		if drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want EINVALID saying %q", name, err, tc.want)
		}
	}
}

func TestParseManifestRefuses(t *testing.T) {
	m, _ := signedManifest(t)
	body, _ := m.Marshal()
	for name, data := range map[string]string{
		"not JSON":       "zip",
		"unknown member": strings.Replace(string(body), `"format"`, `"extra": 1, "format"`, 1),
		"trailing data":  string(body) + "{}",
		"bad table name": strings.Replace(string(body), `"case_notes"`, `"case_notes; DROP TABLE x"`, 1),
		"other format":   strings.Replace(string(body), Format, "drive-backup/9", 1),
		"other engine":   strings.Replace(string(body), `"sqlite"`, `"oracle"`, 1),
	} {
		if _, err := ParseManifest([]byte(data)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestSameSchema(t *testing.T) {
	if !SameSchema([]int{19, 1, 2}, []int{1, 2, 19}) {
		t.Error("the same migrations in another order differ")
	}
	if SameSchema([]int{1, 2}, []int{1, 2, 19}) {
		t.Error("a missing migration is not noticed")
	}
}
