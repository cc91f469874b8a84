package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/document"
	"github.com/drive-platform/drive/service"
)

// Documents attached to a perpetrator's case and to a victim-survivor's
// (service.CaseDocuments, service.VictimDocuments): each side's own page
// under its own case, an upload form and audited downloads.

// documentUpload is the body limit of a document upload: the largest
// document and room for the form around it.
const documentUpload = document.MaxSize + 1<<20

// documentsData is what templates/documents.html shows.
type documentsData struct {
	*service.Documents
	Base string
	Back string
	// Head is the case's header and sub navigation, on his case's page;
	// nil on hers.
	Head   *caseData
	Title  string // the title typed, when the form comes back
	Errors FormErrors
}

// documentSide is one side's case: how to list, attach and download.
type documentSide struct {
	base, what, back string
	list             func(s *Server, r *http.Request, id int64) (*service.Documents, error)
	attach           func(s *Server, r *http.Request, id int64, title, name string, file []byte) error
	download         func(s *Server, r *http.Request, id, doc int64) (*document.Document, []byte, error)
}

var caseDocuments = documentSide{base: "/cases/", what: "case", back: "Back to the case",
	list: func(s *Server, r *http.Request, id int64) (*service.Documents, error) {
		return s.svc.CaseDocuments(r.Context(), actorOf(r), id)
	},
	attach: func(s *Server, r *http.Request, id int64, title, name string, file []byte) error {
		_, err := s.svc.AttachCaseDocument(r.Context(), actorOf(r), id, title, name, file)
		return err
	},
	download: func(s *Server, r *http.Request, id, doc int64) (*document.Document, []byte, error) {
		return s.svc.DownloadDocument(r.Context(), actorOf(r), id, 0, doc)
	},
}

var victimDocuments = documentSide{base: "/victims/", what: "victim-survivor", back: "Back to the victim-survivor's case",
	list: func(s *Server, r *http.Request, id int64) (*service.Documents, error) {
		return s.svc.VictimDocuments(r.Context(), actorOf(r), id)
	},
	attach: func(s *Server, r *http.Request, id int64, title, name string, file []byte) error {
		_, err := s.svc.AttachVictimDocument(r.Context(), actorOf(r), id, title, name, file)
		return err
	},
	download: func(s *Server, r *http.Request, id, doc int64) (*document.Document, []byte, error) {
		return s.svc.DownloadDocument(r.Context(), actorOf(r), 0, id, doc)
	},
}

// documents shows a case's documents page.
func (s *Server) documents(side documentSide) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.renderDocuments(w, r, side, http.StatusOK, nil, "")
	}
}

func (s *Server) renderDocuments(w http.ResponseWriter, r *http.Request, side documentSide, status int, errs FormErrors, title string) error {
	id, err := pathID(r, "id", side.what)
	if err != nil {
		return err
	}
	v, err := side.list(s, r, id)
	if err != nil {
		return err
	}
	page := "Documents: " + v.Reference
	if len(errs) > 0 {
		page = "Error: " + page
	}
	d := documentsData{Documents: v, Base: side.base + strconv.FormatInt(id, 10), Back: side.back, Title: title, Errors: errs}
	if d.Head, err = s.caseHead(r, side.base, id, "documents"); err != nil {
		return err
	}
	return s.render(w, r, status, "documents", s.pageWithDone(r, page, d))
}

// attachDocument takes the uploaded file, or shows the page again with
// what to fix.
func (s *Server) attachDocument(side documentSide) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", side.what)
		if err != nil {
			return err
		}
		title := r.FormValue("title")
		var body []byte
		name := ""
		if f, h, ferr := r.FormFile("file"); ferr == nil {
			name = h.Filename
			body, err = io.ReadAll(io.LimitReader(f, document.MaxSize+1))
			f.Close()
			if err != nil {
				return drive.Wrap(err, drive.EINVALID, "The file could not be read: choose it again")
			}
		}
		err = side.attach(s, r, id, title, name, body)
		var e *drive.Error
		if errors.As(err, &e) && e.Code == drive.EINVALID && len(e.Fields) > 0 {
			return s.renderDocuments(w, r, side, http.StatusUnprocessableEntity, formErrors(e.Fields, "title", "file"), title)
		}
		if err != nil {
			return err
		}
		confirm(w, r, side.base+strconv.FormatInt(id, 10)+"/documents", "document")
		return nil
	}
}

// downloadDocument sends a document as an attachment, under its safe
// name and the type its bytes were found to be, never shown in the page.
func (s *Server) downloadDocument(side documentSide) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", side.what)
		if err != nil {
			return err
		}
		docID, err := pathID(r, "doc", "document")
		if err != nil {
			return err
		}
		d, file, err := side.download(s, r, id, docID)
		if err != nil {
			return err
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
		return serveDownload(w, d.Kind.ContentType(), d.FileName, file)
	}
}
