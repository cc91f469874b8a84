package sealed

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestKeyringFileRoundTrip(t *testing.T) {
	k := newTestKeyring(t, 1)
	for i := byte(2); i < 5; i++ {
		if err := k.Rotate(testRand(i)); err != nil {
			t.Fatal(err)
		}
	}
	file, err := k.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKeyring(file)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, again) {
		t.Errorf("file changed on a round trip:\n%s\n%s", file, again)
	}
	if back.String() != k.String() {
		t.Errorf("keyring %v, want %v", back, k)
	}
	// Values sealed under each key open with the parsed keyring.
	s := mustSeal(t, k, "secret", "t:1")
	if pt, err := back.Open(s, []byte("t:1")); err != nil || string(pt) != "secret" {
		t.Errorf("Open with parsed keyring = %q, %v", pt, err)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	const id, key = "665e2a8696ef7625", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	const id2, key2 = "c1573efe0ecbaf04", "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=" // bytes 1…32
	entry := func(id, key string) string { return `{"id":"` + id + `","key":"` + key + `"}` }
	file := func(format, current string, entries ...string) string {
		return `{"format":"` + format + `","current":"` + current + `","keys":[` + strings.Join(entries, ",") + `]}`
	}
	if _, err := ParseKeyring([]byte(file("drive-sealed-keyring/1", id2, entry(id, key), entry(id2, key2)))); err != nil {
		t.Fatalf("valid two-key file: %v", err)
	}
	tests := map[string]string{
		"empty":             "",
		"not JSON":          "current=" + id,
		"cut short":         file("drive-sealed-keyring/1", id, entry(id, key))[:60],
		"trailing data":     file("drive-sealed-keyring/1", id, entry(id, key)) + "{}",
		"trailing garbage":  file("drive-sealed-keyring/1", id, entry(id, key)) + "x",
		"wrong format":      file("drive-sealed-keyring/2", id, entry(id, key)),
		"no format":         `{"current":"` + id + `","keys":[` + entry(id, key) + `]}`,
		"no keys":           file("drive-sealed-keyring/1", id),
		"null keys":         `{"format":"drive-sealed-keyring/1","current":"` + id + `","keys":null}`,
		"unknown member":    `{"format":"drive-sealed-keyring/1","current":"` + id + `","keys":[` + entry(id, key) + `],"note":"x"}`,
		"unknown key field": file("drive-sealed-keyring/1", id, `{"id":"`+id+`","key":"`+key+`","created":"2026"}`),
		"wrong type":        `{"format":"drive-sealed-keyring/1","current":1,"keys":[` + entry(id, key) + `]}`,
		"short key":         file("drive-sealed-keyring/1", id, entry(id, key[:40]+"==")),
		"not base64":        file("drive-sealed-keyring/1", id, entry(id, strings.Replace(key, "A", "*", 1))),
		"url base64":        file("drive-sealed-keyring/1", id, entry(id, strings.NewReplacer("+", "-", "/", "_").Replace(key2))),
		"wrong id":          file("drive-sealed-keyring/1", id, entry(id2, key)),
		"upper-case id":     file("drive-sealed-keyring/1", strings.ToUpper(id), entry(strings.ToUpper(id), key)),
		"duplicate key":     file("drive-sealed-keyring/1", id, entry(id, key), entry(id, key)),
		"current missing":   file("drive-sealed-keyring/1", id2, entry(id, key)),
		"no current":        file("drive-sealed-keyring/1", "", entry(id, key)),
		"array":             "[" + entry(id, key) + "]",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			k, err := ParseKeyring([]byte(in))
			if err == nil {
				t.Fatalf("parsed as %v", k)
			}
			if strings.Contains(err.Error(), key[:20]) || strings.Contains(err.Error(), key2[:20]) {
				t.Errorf("error quotes a key: %v", err)
			}
		})
	}
}

// A key put where its id belongs must not be echoed in the error.
func TestParseKeyringErrorNeverQuotesKeys(t *testing.T) {
	const key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	in := `{"format":"drive-sealed-keyring/1","current":"` + key + `","keys":[{"id":"` + key + `","key":"` + key + `"}]}`
	_, err := ParseKeyring([]byte(in))
	if err == nil || strings.Contains(err.Error(), key[:20]) {
		t.Errorf("error %v", err)
	}
	in = `{"format":"drive-sealed-keyring/1","current":"665e2a8696ef7625","keys":[{"id":"665e2a8696ef7625","key":"665e2a8696ef7625"}],"` + key + `":1}`
	_, err = ParseKeyring([]byte(in))
	if err == nil || strings.Contains(err.Error(), key[:20]) {
		t.Errorf("error %v", err)
	}
}

func TestWriteFileAndCheckFileMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "drive.keys")
	k := newTestKeyring(t, 1)
	if err := k.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := CheckFileMode(path); err != nil {
		t.Errorf("CheckFileMode after WriteFile: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKeyring(data)
	if err != nil || back.String() != k.String() {
		t.Fatalf("read back %v, %v", back, err)
	}

	// Replacing keeps the mode and leaves no temporary files.
	if err := k.Rotate(testRand(2)); err != nil {
		t.Fatal(err)
	}
	if err := k.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after WriteFile", len(entries))
	}
	data, _ = os.ReadFile(path)
	if back, err := ParseKeyring(data); err != nil || len(back.Keys()) != 2 {
		t.Errorf("after rotation read back %v, %v", back, err)
	}

	if runtime.GOOS == "windows" {
		return
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o700, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		err := CheckFileMode(path)
		if !errors.Is(err, ErrFileMode) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: %v, want ErrFileMode saying chmod 600", mode, err)
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		os.Chmod(path, mode)
		if err := CheckFileMode(path); err != nil {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	if err := CheckFileMode(filepath.Join(dir, "missing")); err == nil || errors.Is(err, ErrFileMode) {
		t.Errorf("missing file: %v", err)
	}
	if err := CheckFileMode(dir); err == nil || errors.Is(err, ErrFileMode) {
		t.Errorf("directory: %v", err)
	}
}

func TestWriteFileErrors(t *testing.T) {
	if err := new(Keyring).WriteFile(filepath.Join(t.TempDir(), "k")); err == nil {
		t.Error("WriteFile of an empty keyring succeeded")
	}
	k := newTestKeyring(t, 1)
	if err := k.WriteFile(filepath.Join(t.TempDir(), "no-such-dir", "k")); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}
