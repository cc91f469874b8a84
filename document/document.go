// Package document holds files attached to a case: court orders, letters,
// reports. A document is checked by what its bytes are, never by its name
// or what the browser says it is, so that only the kinds a worker can
// open safely (PDF, PNG, JPEG and Word's DOCX) are kept, and it is kept no
// larger than MaxSize.
package document

import (
	"archive/zip"
	"bytes"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// MaxSize is the largest document kept: 10 MB, enough for a scanned court
// order of a few dozen pages.
const MaxSize = 10 << 20

// MaxTitle is the longest title, in characters.
const MaxTitle = 200

// Kind is what a document is, found from its bytes.
type Kind string

// The kinds kept.
const (
	PDF  Kind = "pdf"
	PNG  Kind = "png"
	JPEG Kind = "jpeg"
	DOCX Kind = "docx"
)

// ContentType is the media type a download is served as.
func (k Kind) ContentType() string {
	switch k {
	case PDF:
		return "application/pdf"
	case PNG:
		return "image/png"
	case JPEG:
		return "image/jpeg"
	case DOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	return "application/octet-stream"
}

// Label names the kind for people.
func (k Kind) Label() string {
	switch k {
	case PDF:
		return "PDF"
	case PNG:
		return "PNG image"
	case JPEG:
		return "JPEG image"
	case DOCX:
		return "Word document"
	}
	return string(k)
}

// Sniff says what the bytes are: a PDF ("%PDF-"), a PNG or JPEG by their
// signatures, or a DOCX (a zip archive holding word/document.xml and the
// package's content types). Anything else, however it is named, is
// refused. Errors: EINVALID for an empty file, one over MaxSize, or one of
// another kind.
func Sniff(b []byte) (Kind, error) {
	switch {
	case len(b) == 0:
		return "", invalid("The file is empty: choose the document again")
	case len(b) > MaxSize:
		return "", invalid("The file is larger than 10 MB: scan it at a lower resolution or split it")
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return PDF, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		if isDOCX(b) {
			return DOCX, nil
		}
	}
	return "", invalid("The file is not a PDF, PNG, JPEG or Word (.docx) document: save it as one of those and upload it again")
}

func isDOCX(b []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return false
	}
	var doc, types bool
	for _, f := range zr.File {
		doc = doc || f.Name == "word/document.xml"
		types = types || f.Name == "[Content_Types].xml"
	}
	return doc && types
}

func invalid(msg string) error {
	return drive.Invalid("Check the document", map[string]string{"file": msg})
}

// Document is a document attached to a perpetrator's case (CaseID) or a
// victim-survivor's IDVA case (VictimCaseID): exactly one is set. Its
// content is kept sealed, apart from this description.
type Document struct {
	ID           int64
	SiteID       int64
	CaseID       int64
	VictimCaseID int64
	Title        string
	// FileName is the name it was uploaded under, cut to its last part
	// and made safe to offer back as a download's name.
	FileName   string
	Kind       Kind
	Size       int
	UploadedBy int64
	UploadedAt time.Time
}

// Validate checks a document's title. Errors: EINVALID.
func (d *Document) Validate() error {
	d.Title = strings.TrimSpace(d.Title)
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		return drive.Invalid("Check the document", map[string]string{"title": "Enter a title, for example: Non-molestation order, 3 November 2026"})
	case n > MaxTitle:
		return drive.Invalid("Check the document", map[string]string{"title": "Keep the title to 200 characters"})
	}
	return nil
}

// SafeFileName is name cut to its last part and to letters, digits, '.',
// '-' and '_' (others become '_'), with the kind's own extension, at most
// 100 characters: fit for a Content-Disposition header as written.
func SafeFileName(name string, k Kind) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.TrimSuffix(name, path.Ext(name))
	var b strings.Builder
	for _, c := range name {
		if b.Len() >= 90 {
			break
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	base := strings.Trim(b.String(), "_")
	if base == "" || base == "." {
		base = "document"
	}
	return base + "." + string(k)
}
