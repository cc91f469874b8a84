package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"sort"

	"github.com/drive-platform/drive"
)

// formLimit is the most any form other than an upload may send: the
// longest free text (a note, a summary) is a few pages.
const formLimit = 1 << 20

// uploadMemory is how much of a multipart form's files is held in
// memory; the rest of a large upload waits in temporary files, from which
// the check streams it (service.CheckUpload). Small, so that a 256 MB
// extract costs disk, not memory, however many analysts upload at once.
const uploadMemory = 1 << 20

// readForm parses a page request's form (query and body) before anything
// reads a value, including the CSRF check: a body over its limit is then
// answered with its limit (413) instead of a missing token ("This form
// has expired"), and a body that cannot be parsed with a 422 instead of
// fields that silently read as empty. The body must already be wrapped in
// http.MaxBytesReader with limit.
func readForm(r *http.Request, limit int64, upload bool) error {
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(uploadMemory) // #nosec G120 -- every body is capped by http.MaxBytesReader before readForm parses it
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		if upload {
			return drive.TooLarge("The file", limit, "split it and upload the parts")
		}
		return drive.TooLarge("The form", limit, "shorten what you typed and send it again")
	}
	return drive.Wrap(err, drive.EINVALID, "The form could not be read: go back, reload the page and try again")
}

// checkForm applies drive.CheckText to every name and value of a parsed
// form, and to the names of uploaded files, so no handler can pass a NUL
// byte or invalid UTF-8 to the database, whichever field it reads.
func checkForm(r *http.Request) error {
	if err := checkValues(r.Form); err != nil {
		return err
	}
	if r.MultipartForm == nil {
		return nil
	}
	for _, name := range sortedKeys(r.MultipartForm.File) {
		if err := drive.CheckText(name, name); err != nil {
			return err
		}
		for _, fh := range r.MultipartForm.File[name] {
			if err := drive.CheckText(name, fh.Filename); err != nil {
				return drive.Errorf(drive.EINVALID, "The file's name contains a character that cannot be stored: rename the file and upload it again")
			}
		}
	}
	return nil
}

// checkValues checks every name and value of a form or query, in name
// order so the same input always gets the same message.
func checkValues(v url.Values) error {
	for _, name := range sortedKeys(v) {
		// A name that is not text is reported without repeating it.
		if err := drive.CheckText(name, name); err != nil {
			return err
		}
		for _, value := range v[name] {
			if err := drive.CheckText(name, value); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
