package backup_test

import (
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/backup"
)

// FuzzParseManifest: a backup's manifest is read from a file anyone may
// hand to drive restore, so any bytes are either refused with EINVALID or
// give a manifest that writes and reads back the same. The seeds run as a
// normal test.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":1,"tables":[{"name":"cases","rows":3,"sha256":"00"}]}`))
	f.Add([]byte(`{"unknown":true}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := backup.ParseManifest(data)
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("ParseManifest: %v; want EINVALID", err)
			}
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := backup.ParseManifest(out)
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("manifest does not read back: %v\n%+v\n%+v", err, m, again)
		}
	})
}
