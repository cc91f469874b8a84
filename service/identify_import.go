package service

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/tabular"
)

// Upload is a police extract or MARAC list sent through the web service
// or the API.
type Upload struct {
	SiteID int64
	// MARAC: the file is a MARAC list; otherwise a police extract.
	MARAC   bool
	File    io.Reader
	Mapping []byte // optional JSON mapping of fields to the file's headers
	// Read says how to read the file: its encoding and a workbook's
	// sheet; the zero value detects them (package tabular).
	Read tabular.Options
}

// UploadResult says what an upload changed, or why it changed nothing.
type UploadResult struct {
	Rows, Inserted, Skipped int
	// File says what was read: the encoding and separator, or the
	// workbook's sheet.
	File tabular.Info
	Suspects, Victims       int
	// Problems are the file's row errors; when there are any, nothing was
	// stored.
	Problems []incident.RowError
	// Matched is the number of suspects known at more than one site after
	// an extract, or -1 when matching failed (the import stands).
	Matched int
}

// Import validates and stores an upload for a site, as drive import does:
// every row checked first (problems returned, nothing stored), then the
// rows and the site's people in one transaction, audited as the actor;
// after an extract, suspects are matched across sites in a transaction
// of its own. Needs police intelligence write at the site. Errors:
// ENOTFOUND for a site the actor may not import to; EINVALID for a bad
// mapping.
func (s *Service) Import(ctx context.Context, a Actor, up Upload) (*UploadResult, error) {
	r := access.Resource{Class: access.PoliceIntel, RecordType: "site", RecordID: strconv.FormatInt(up.SiteID, 10), SiteID: up.SiteID}
	// Refuse before reading a byte of a file the actor may not import.
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.decide(ctx, tx, a, access.Write, r, "site")
		return err
	})
	if err != nil {
		s.denied(ctx, a, "site", up.SiteID)
		return nil, err
	}
	mapping := incident.DefaultMapping()
	parse := incident.ParseMapping
	if up.MARAC {
		mapping, parse = incident.DefaultMARACMapping(), incident.ParseMARACMapping
	}
	if len(up.Mapping) > 0 {
		var err error
		if mapping, err = parse(up.Mapping); err != nil {
			return nil, drive.Invalid("The mapping file could not be used", map[string]string{"mapping": drive.ErrorMessage(err)})
		}
	}
	today := s.Today()
	out := &UploadResult{}
	var recs []incident.Record
	var hs []incident.Hearing
	if up.MARAC {
		hs, out.Problems, out.File, err = incident.ReadMARACFile(up.File, mapping, today, up.Read)
		out.Rows = len(hs)
	} else {
		recs, out.Problems, out.File, err = incident.ReadFile(up.File, mapping, today, up.Read)
		out.Rows = len(recs)
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return nil, drive.Invalid("The file could not be imported", map[string]string{"file": drive.ErrorMessage(err)})
	}
	if err != nil || len(out.Problems) > 0 {
		return out, err
	}
	action := "import.incidents"
	if up.MARAC {
		action = "import.marac"
	}
	var alerts *raisedAlerts
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		d, err := s.decide(ctx, tx, a, access.Write, r, "site")
		if err != nil {
			return err
		}
		if _, err := tx.Site(ctx, up.SiteID); err != nil {
			return drive.NotFound("site")
		}
		mark, err := tx.PoliceMark(ctx)
		if err != nil {
			return err
		}
		if up.MARAC {
			out.Inserted, out.Skipped, err = importMARAC(ctx, tx, up.SiteID, hs, nil)
		} else {
			out.Inserted, out.Skipped, err = importIncidents(ctx, tx, up.SiteID, recs, nil)
		}
		if err != nil {
			return err
		}
		if alerts, err = raisePoliceAlerts(ctx, tx, a, string(d.Role), up.SiteID, mark); err != nil {
			return err
		}
		if out.Suspects, out.Victims, err = tx.SitePeopleCounts(ctx, up.SiteID); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: action, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "site",
			RecordID: strconv.FormatInt(up.SiteID, 10), SiteID: up.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK,
			Reason: fmt.Sprintf("%d new, %d already held", out.Inserted, out.Skipped)})
	})
	if err != nil {
		return nil, err
	}
	s.notify(alerts)
	if !up.MARAC {
		err = s.DB.Transact(ctx, func(tx *store.Tx) error {
			var err error
			if out.Matched, _, err = matchAcrossSites(ctx, tx); err != nil {
				return err
			}
			return tx.Audit(ctx, audit.Event{Action: "identify.match_sites", ActorID: a.UserID, RecordType: "site",
				RecordID: strconv.FormatInt(up.SiteID, 10), SiteID: up.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK,
				Reason: fmt.Sprintf("%d suspects known at more than one site", out.Matched)})
		})
		if err != nil {
			out.Matched = -1
		}
	}
	return out, nil
}
