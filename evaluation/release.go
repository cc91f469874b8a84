package evaluation

import (
	"time"

	"github.com/drive-platform/drive"
)

// Release is one extract released to a project: what the release check
// found and who let it go. The zip itself is kept beside it, unchanged, so
// an evaluator downloads exactly what was checked.
type Release struct {
	ID        int64
	ProjectID int64
	MadeOn    drive.Date
	K         int
	Smallest  int
	Passed    bool
	// OverrideReason is the dpo's reason for releasing an extract that did
	// not pass the check; empty when it passed.
	OverrideReason string
	Rows           int
	Size           int
	Digest         string // SHA-256 of the zip, hex
	Note           string // the release note (release.txt)
	ReleasedBy     int64
	ReleasedAt     time.Time
}
