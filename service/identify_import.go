package service

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

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
	// MappingID chooses one of the site's saved mappings. With neither it
	// nor Mapping, the file's header chooses: the standard headers, or
	// the first saved mapping of the kind whose columns it has.
	MappingID int64
	// SaveMappingAs names Mapping to keep for the site's later uploads,
	// once the file has imported.
	SaveMappingAs string
}

// UploadResult says what an upload changed, or why it changed nothing.
type UploadResult struct {
	Rows, Inserted, Skipped int
	// File says what was read: the encoding and separator, or the
	// workbook's sheet.
	File tabular.Info
	// Mapping names the saved mapping used; "" for the standard headers
	// or a mapping file given with the upload.
	Mapping           string
	Suspects, Victims int
	// Problems are the file's row errors (the first incident.MaxProblems
	// of them, for a check); when there are any, nothing was stored.
	Problems []incident.RowError
	// MoreProblems counts the problems found past those listed.
	MoreProblems int
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
	r := siteIntel(up.SiteID)
	out, recs, hs, err := s.readUpload(ctx, a, up, -1)
	if err != nil || len(out.Problems) > 0 {
		return out, err
	}
	action := "import.incidents"
	if up.MARAC {
		action = "import.marac"
	}
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
			out.Inserted, out.Skipped, err = s.importIncidents(ctx, tx, up.SiteID, recs, nil)
		}
		if err != nil {
			return err
		}
		if _, err = s.raisePoliceAlerts(ctx, tx, a, string(d.Role), up.SiteID, mark); err != nil {
			return err
		}
		if out.Suspects, out.Victims, err = tx.SitePeopleCounts(ctx, up.SiteID); err != nil {
			return err
		}
		if name := strings.TrimSpace(up.SaveMappingAs); name != "" && len(up.Mapping) > 0 {
			m := &incident.SavedMapping{SiteID: up.SiteID, Kind: mappingKind(up.MARAC), Name: name, JSON: string(up.Mapping)}
			if err := tx.SaveImportMapping(ctx, m, a.UserID); err != nil {
				return err
			}
			out.Mapping = name
		}
		return tx.Audit(ctx, audit.Event{Action: action, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "site",
			RecordID: strconv.FormatInt(up.SiteID, 10), SiteID: up.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK,
			Reason: fmt.Sprintf("%d new, %d already held", out.Inserted, out.Skipped)})
	})
	if err != nil {
		return nil, err
	}
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

// siteIntel is the resource an import writes: the site's police data.
func siteIntel(siteID int64) access.Resource {
	return access.Resource{Class: access.PoliceIntel, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
}

// readUpload checks the actor may import to the site, then reads and
// checks the whole file a row at a time with the mapping it chooses. out
// holds what was read and the problems (the first incident.MaxProblems,
// and how many more); with any, nothing may be stored and no row is
// returned. Otherwise the first keep rows are returned, or every row for
// keep < 0.
func (s *Service) readUpload(ctx context.Context, a Actor, up Upload, keep int) (*UploadResult, []incident.Record, []incident.Hearing, error) {
	// Refuse before reading a byte of a file the actor may not import.
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.decide(ctx, tx, a, access.Write, siteIntel(up.SiteID), "site")
		return err
	})
	if err != nil {
		s.denied(ctx, a, "site", up.SiteID)
		return nil, nil, nil, err
	}
	cands, err := s.mappingCandidates(ctx, up, mappingKind(up.MARAC))
	if err != nil {
		return nil, nil, nil, err
	}
	today := s.Today()
	out := &UploadResult{}
	var recs []incident.Record
	var hs []incident.Hearing
	var sc *incident.Scan
	if up.MARAC {
		sc, err = incident.ScanMARACFileChoosing(up.File, cands, today, up.Read, func(h incident.Hearing, found int) {
			if found == 0 && (keep < 0 || len(hs) < keep) {
				hs = append(hs, h)
			}
		})
	} else {
		sc, err = incident.ScanFileChoosing(up.File, cands, today, up.Read, func(r incident.Record, found int) {
			if found == 0 && (keep < 0 || len(recs) < keep) {
				recs = append(recs, r)
			}
		})
	}
	out.Rows, out.Problems, out.MoreProblems, out.File = sc.Rows, sc.Problems, sc.More, sc.Info
	if len(up.Mapping) == 0 {
		out.Mapping = sc.Mapping
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return nil, nil, nil, drive.Invalid("The file could not be imported", map[string]string{"file": drive.ErrorMessage(err)})
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if sc.Found() > 0 {
		return out, nil, nil, nil
	}
	return out, recs, hs, nil
}

// SampleRows is how many rows an upload's check shows.
const SampleRows = 5

// UploadCheck is what an upload will import, shown to the analyst before
// anything is stored: what was read, the mapping, how many rows, the
// first rows as they will be stored, and every problem.
type UploadCheck struct {
	*UploadResult
	// PendingID is the checked upload to confirm; 0 when it has problems.
	PendingID int64
	FileName  string
	Incidents []incident.Record
	Hearings  []incident.Hearing
}

// CheckUpload reads and validates an upload as Import does, without
// storing any of it: with no problems the file is kept, for the actor
// alone and for a day, until ConfirmUpload imports it. Errors: as Import.
func (s *Service) CheckUpload(ctx context.Context, a Actor, up Upload, fileName string) (*UploadCheck, error) {
	// The upload is copied to a temporary file, read from there, and
	// kept in chunks, so it is never held whole in memory.
	sp, err := spool(up.File)
	if err != nil {
		return nil, err
	}
	defer sp.close()
	up.File = sp.f
	out, recs, hs, err := s.readUpload(ctx, a, up, SampleRows)
	if err != nil {
		return nil, err
	}
	c := &UploadCheck{UploadResult: out, FileName: fileName, Incidents: recs, Hearings: hs}
	if len(out.Problems) > 0 {
		return c, nil
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := s.decide(ctx, tx, a, access.Write, siteIntel(up.SiteID), "site"); err != nil {
			return err
		}
		p := &store.PendingUpload{SiteID: up.SiteID, UserID: a.UserID, Kind: mappingKind(up.MARAC), FileName: fileName,
			Encoding: up.Read.Encoding, Sheet: up.Read.Sheet, Mapping: string(up.Mapping), MappingID: up.MappingID,
			SaveAs: up.SaveMappingAs}
		if err := tx.SavePendingUpload(ctx, p); err != nil {
			return err
		}
		c.PendingID = p.ID
		if err := sp.chunks(func(seq int, data []byte) error { return tx.AddPendingUploadChunk(ctx, p.ID, seq, data) }); err != nil {
			return err
		}
		return tx.ReleaseCache(ctx) // the file is not read again until confirmed (spooled.store)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ConfirmUpload queues an upload the actor checked as an import job of
// the site, to be read exactly as it was checked (its encoding, sheet and
// mapping), and forgets the checked upload: a second confirmation finds
// nothing. The job runs in the background (RunImportJobs), one at a time
// per site, asking the actor's access again when it runs and audited in
// their name; UploadJob says how it is going. Audited as "import.queue".
// Errors: ENOTFOUND for an upload not the actor's, older than a day or
// already confirmed, or a site the actor may no longer import to.
func (s *Service) ConfirmUpload(ctx context.Context, a Actor, id int64) (*ImportJob, error) {
	if a.UserID == 0 {
		return nil, drive.NotFound("upload")
	}
	var out *ImportJob
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		p, err := tx.PendingUploadOf(ctx, id, a.UserID)
		if err != nil {
			return err
		}
		d, err := s.decide(ctx, tx, a, access.Write, siteIntel(p.SiteID), "upload")
		if err != nil {
			return err
		}
		opts, err := json.Marshal(uploadOptions{Encoding: p.Encoding, Sheet: p.Sheet, Mapping: p.Mapping, MappingID: p.MappingID, SaveAs: p.SaveAs})
		if err != nil {
			return err
		}
		// The file is hashed a chunk at a time, then its chunks become
		// the job's inside the database.
		h, size := sha256.New(), 0
		for seq := 0; ; seq++ {
			data, ok, err := tx.PendingUploadChunk(ctx, p.ID, seq)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			h.Write(data)
			size += len(data)
		}
		if err := tx.ReleaseCache(ctx); err != nil {
			return err
		}
		j := &store.ImportJob{SiteID: p.SiteID, Kind: p.Kind, SHA256: h.Sum(nil), UserID: a.UserID, FileName: p.FileName, Options: string(opts)}
		if _, err := tx.CreateImportJob(ctx, j, nil); err != nil {
			return err
		}
		if err := tx.TakePendingUpload(ctx, p.ID, j.ID); err != nil {
			return err
		}
		out = jobView(j)
		return tx.Audit(ctx, audit.Event{Action: "import.queue", ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "site",
			RecordID: strconv.FormatInt(p.SiteID, 10), SiteID: p.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK,
			Reason: fmt.Sprintf("%s file of %d bytes, checked, job %d", p.Kind, size, j.ID)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// uploadOptions is how an analyst's checked upload is to be read, kept
// with its job (store.ImportJob.Options).
type uploadOptions struct {
	Encoding  string `json:"encoding,omitempty"`
	Sheet     string `json:"sheet,omitempty"`
	Mapping   string `json:"mapping,omitempty"`
	MappingID int64  `json:"mapping_id,omitempty"`
	SaveAs    string `json:"save_as,omitempty"`
}

// UploadJobs returns the import jobs of the actor's latest confirmed
// uploads, newest first, at most n; none for an actor who is not a
// person.
func (s *Service) UploadJobs(ctx context.Context, a Actor, n int) ([]*ImportJob, error) {
	if a.UserID == 0 {
		return nil, nil
	}
	var out []*ImportJob
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		jobs, err := tx.UserImportJobs(ctx, a.UserID, n)
		for _, j := range jobs {
			out = append(out, jobView(j))
		}
		return err
	})
	return out, err
}

// UploadJob returns the import job of one of the actor's own confirmed
// uploads: its status and, once finished, what it brought, with every
// problem by line and column. Errors: ENOTFOUND for a job that is not
// the actor's.
func (s *Service) UploadJob(ctx context.Context, a Actor, id int64) (*ImportJob, error) {
	var out *ImportJob
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		j, err := tx.ImportJob(ctx, id)
		if err != nil {
			return err
		}
		if a.UserID == 0 || j.UserID != a.UserID {
			return drive.NotFound("import")
		}
		out = jobView(j)
		return nil
	})
	return out, err
}

func mappingKind(marac bool) string {
	if marac {
		return "marac"
	}
	return "incidents"
}

// mappingCandidates returns the mappings an upload may be read with, in
// the order they are tried: the mapping file given, or the saved mapping
// chosen, or else the standard headers and then the site's saved mappings
// of the kind, most recently saved first. Errors: EINVALID for a mapping
// file or saved mapping that cannot be used, or a name to save it under
// that is too long.
func (s *Service) mappingCandidates(ctx context.Context, up Upload, kind string) ([]incident.NamedMapping, error) {
	parse := incident.ParseMapping
	def := incident.DefaultMapping()
	if up.MARAC {
		parse, def = incident.ParseMARACMapping, incident.DefaultMARACMapping()
	}
	if name := strings.TrimSpace(up.SaveMappingAs); len(name) > 100 || (name != "" && len(up.Mapping) == 0) {
		return nil, drive.Invalid("The mapping could not be saved", map[string]string{"save_mapping_as": "Give a name of up to 100 characters, and a mapping file to save under it"})
	}
	if len(up.Mapping) > 0 {
		m, err := parse(up.Mapping)
		if err != nil {
			return nil, drive.Invalid("The mapping file could not be used", map[string]string{"mapping": drive.ErrorMessage(err)})
		}
		return []incident.NamedMapping{{Mapping: m}}, nil
	}
	var saved []incident.SavedMapping
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		saved, err = tx.ImportMappings(ctx, up.SiteID, kind)
		return err
	})
	if err != nil {
		return nil, err
	}
	cands := []incident.NamedMapping{{Mapping: def}}
	if up.MappingID != 0 {
		cands = nil
	}
	for _, sm := range saved {
		if up.MappingID != 0 && sm.ID != up.MappingID {
			continue
		}
		m, err := parse([]byte(sm.JSON))
		if err != nil {
			return nil, drive.Invalid("The saved mapping could not be used", map[string]string{"mapping": drive.ErrorMessage(err)})
		}
		cands = append(cands, incident.NamedMapping{Name: sm.Name, Mapping: m})
	}
	if len(cands) == 0 {
		return nil, drive.Invalid("The saved mapping could not be used", map[string]string{"mapping": "Choose one of the site's saved mappings"})
	}
	return cands, nil
}

// ImportMappings lists the site's saved mappings for the upload form.
// Needs police intelligence write at the site. Errors: ENOTFOUND.
func (s *Service) ImportMappings(ctx context.Context, a Actor, siteID int64) ([]incident.SavedMapping, error) {
	var out []incident.SavedMapping
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.PoliceIntel, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		if _, err := s.decide(ctx, tx, a, access.Write, r, "site"); err != nil {
			return err
		}
		var err error
		out, err = tx.ImportMappings(ctx, siteID, "")
		return err
	})
	return out, err
}

// DeleteImportMapping removes one of the site's saved mappings, audited.
// Errors: ENOTFOUND.
func (s *Service) DeleteImportMapping(ctx context.Context, a Actor, siteID, id int64) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.PoliceIntel, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		d, err := s.decide(ctx, tx, a, access.Write, r, "site")
		if err != nil {
			return err
		}
		if err := tx.DeleteImportMapping(ctx, siteID, id); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "import.mapping_delete", ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "import_mapping",
			RecordID: strconv.FormatInt(id, 10), SiteID: siteID, Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
}
