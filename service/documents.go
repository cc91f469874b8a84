package service

import (
	"context"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/document"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// Documents attached to a case (package document): court orders, letters.
// A document on a perpetrator's case is for those who may read the case;
// one on a victim-survivor's IDVA case is her IDVA service's alone and
// never reaches the perpetrator's side. Every file is sealed at rest and
// every download audited as an export.

// Documents is a case's documents as its page shows them.
type Documents struct {
	Reference string
	List      []DocumentView
	// CanAttach: the actor may attach documents to the case.
	CanAttach bool
}

// DocumentView is a document with its uploader's name.
type DocumentView struct {
	document.Document
	UploadedByName string
}

// aadDocument binds a sealed file to its case, so a file moved to another
// case's row fails to open.
func aadDocument(d *document.Document) []byte {
	if d.VictimCaseID != 0 {
		return []byte("document:victim:" + strconv.FormatInt(d.VictimCaseID, 10))
	}
	return []byte("document:case:" + strconv.FormatInt(d.CaseID, 10))
}

// AttachCaseDocument attaches a file to a perpetrator's case, for someone
// who may change it, and returns its id. The file's kind is found from its
// bytes (document.Sniff), never its name. Audited as a write. Errors:
// ENOTFOUND for a case the actor may not change (decided before the file
// is looked at); EINVALID for a bad title or file.
func (s *Service) AttachCaseDocument(ctx context.Context, a Actor, caseID int64, title, fileName string, file []byte) (int64, error) {
	var d document.Document
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return drive.NotFound("case")
		}
		dec, receiving, err := s.decideCase(ctx, tx, a, access.Write, c, access.PerpetratorCase)
		if err != nil || receiving {
			return drive.NotFound("case")
		}
		d = document.Document{SiteID: c.SiteID, CaseID: c.ID, Title: title, UploadedBy: a.UserID}
		if err := s.storeDocument(ctx, tx, &d, fileName, file); err != nil {
			return err
		}
		return record(ctx, tx, a, dec, audit.ActionRecordWrite, "case", c.ID, c.SiteID, "document "+strconv.FormatInt(d.ID, 10)+" attached", audit.PartDocument)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "case", caseID)
	}
	return d.ID, err
}

// AttachVictimDocument attaches a file to a victim-survivor's IDVA case,
// for those who may change her protected details (a letter from a refuge
// says where she is), and returns its id. Errors: ENOTFOUND for anyone
// else; EINVALID for a bad title or file.
func (s *Service) AttachVictimDocument(ctx context.Context, a Actor, victimID int64, title, fileName string, file []byte) (int64, error) {
	var d document.Document
	err := s.writeVictim(ctx, a, victimID, access.VictimCompartment, audit.PartDocument, func(tx *store.Tx, v *victim.Case) error {
		if !victimSide(a, tx, ctx, v) {
			return drive.NotFound("victim-survivor")
		}
		d = document.Document{SiteID: v.SiteID, VictimCaseID: v.ID, Title: title, UploadedBy: a.UserID}
		return s.storeDocument(ctx, tx, &d, fileName, file)
	})
	return d.ID, err
}

func (s *Service) storeDocument(ctx context.Context, tx *store.Tx, d *document.Document, fileName string, file []byte) error {
	errs := map[string]string{}
	if err := d.Validate(); err != nil {
		errs["title"] = fieldOf(err, "title")
	}
	kind, err := document.Sniff(file)
	if err != nil {
		errs["file"] = fieldOf(err, "file")
	}
	if len(errs) > 0 {
		return drive.Invalid("Check the document", errs)
	}
	d.Kind, d.Size, d.FileName = kind, len(file), document.SafeFileName(fileName, kind)
	sv, err := s.seal(file, aadDocument(d))
	if err != nil {
		return err
	}
	return tx.CreateDocument(ctx, d, sv)
}

// fieldOf is the message an EINVALID error holds for field.
func fieldOf(err error, field string) string {
	if e, ok := err.(*drive.Error); ok && e.Fields[field] != "" {
		return e.Fields[field]
	}
	return drive.ErrorMessage(err)
}

// CaseDocuments lists a perpetrator case's documents for someone who may
// read the case, audited as a read ("documents"). Errors: ENOTFOUND.
func (s *Service) CaseDocuments(ctx context.Context, a Actor, caseID int64) (*Documents, error) {
	return s.documents(ctx, a, caseID, 0)
}

// VictimDocuments lists a victim-survivor's documents for those who may
// read her protected details, audited as a read ("documents"). Errors:
// ENOTFOUND for anyone else.
func (s *Service) VictimDocuments(ctx context.Context, a Actor, victimID int64) (*Documents, error) {
	return s.documents(ctx, a, 0, victimID)
}

// documents lists the documents of the case named (caseID or victimID:
// exactly one is set); those who may write to the case may attach more,
// open or closed.
func (s *Service) documents(ctx context.Context, a Actor, caseID, victimID int64) (*Documents, error) {
	out := &Documents{Reference: caseReference(caseID, victimID)}
	err := s.readCaseList(ctx, a, caseID, victimID, "documents", func(tx *store.Tx, mayWrite, _ bool) error {
		list, err := caseOrVictim(caseID, tx.CaseDocuments, tx.VictimDocuments)(ctx, caseID+victimID)
		if err != nil {
			return err
		}
		out.CanAttach = mayWrite
		out.List, err = documentViews(ctx, tx, list)
		return err
	})
	return out, err
}

// DownloadDocument returns a document on the case named (caseID for a
// perpetrator's, victimID for a victim-survivor's: exactly one is set) and
// its file, opened, for someone who may read that case (the victim side
// only for hers). Audited as an export of the document. Errors: ENOTFOUND
// for a document not on that case or a case the actor may not read.
func (s *Service) DownloadDocument(ctx context.Context, a Actor, caseID, victimID, id int64) (*document.Document, []byte, error) {
	var doc *document.Document
	var file []byte
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		doc, err = tx.Document(ctx, id)
		if err != nil || doc.CaseID != caseID || doc.VictimCaseID != victimID {
			return drive.NotFound("document")
		}
		var dec access.Decision
		if doc.CaseID != 0 {
			c, err := tx.Case(ctx, doc.CaseID)
			if err != nil {
				return err
			}
			var receiving bool
			if dec, receiving, err = s.decideCase(ctx, tx, a, access.Read, c, access.PerpetratorCase); err != nil || receiving {
				return drive.NotFound("document")
			}
		} else {
			v, err := tx.VictimCase(ctx, doc.VictimCaseID)
			if err != nil {
				return err
			}
			if dec, err = s.decide(ctx, tx, a, access.Read, VictimResource(ctx, tx, v, access.VictimCompartment), "document"); err != nil || !victimSide(a, tx, ctx, v) {
				return drive.NotFound("document")
			}
		}
		sv, err := tx.DocumentFile(ctx, id)
		if err != nil {
			return err
		}
		if file, err = s.open(sv, aadDocument(doc)); err != nil {
			return err
		}
		return documentEvent(ctx, tx, a, dec, audit.ActionRecordExport, doc, "downloaded")
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "document", id)
	}
	if err != nil {
		return nil, nil, err
	}
	return doc, file, nil
}

func documentEvent(ctx context.Context, tx *store.Tx, a Actor, d access.Decision, action string, doc *document.Document, what string) error {
	ref := "case " + strconv.FormatInt(doc.CaseID, 10)
	if doc.VictimCaseID != 0 {
		ref = "IDVA case " + strconv.FormatInt(doc.VictimCaseID, 10)
	}
	return tx.Audit(ctx, audit.Event{Action: action, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "document",
		RecordID: strconv.FormatInt(doc.ID, 10), SiteID: doc.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: what + " on " + ref})
}

func documentViews(ctx context.Context, tx *store.Tx, list []document.Document) ([]DocumentView, error) {
	names := map[int64]string{}
	out := make([]DocumentView, 0, len(list))
	for _, d := range list {
		if _, ok := names[d.UploadedBy]; !ok {
			u, err := tx.User(ctx, d.UploadedBy)
			if err != nil {
				return nil, err
			}
			names[d.UploadedBy] = u.DisplayName
		}
		out = append(out, DocumentView{Document: d, UploadedByName: names[d.UploadedBy]})
	}
	return out, nil
}
