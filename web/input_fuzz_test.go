package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/drive-platform/drive"
)

// FuzzReadForm holds the form reader and check to their contract for any
// body and content type: nil, EINVALID or ETOOLARGE, never a panic, and a
// form that passes holds only storable text in its names, values and file
// names.
func FuzzReadForm(f *testing.F) {
	const boundary = "XyZ"
	for _, seed := range []struct {
		multipart bool
		body      []byte
	}{
		{false, []byte("")},
		{false, []byte("csrf_token=c&given_name=Zo%C3%AB")},
		{false, []byte("given_name=a%00b")},
		{false, []byte("given_name=%FF")},
		{false, []byte("a%00=b&=&&x")},
		{false, []byte("bad=%zz")},
		{false, bytes.Repeat([]byte("a"), 5000)},
		{true, []byte("--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nref\n1\r\n--XyZ--\r\n")},
		{true, []byte("--XyZ\r\nContent-Disposition: form-data; name=\"given_name\"\r\n\r\na\x00b\r\n--XyZ--\r\n")},
		{true, []byte("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\xff.csv\"\r\n\r\nx\r\n--XyZ--\r\n")},
		{true, []byte("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n")},
	} {
		f.Add(seed.multipart, seed.body)
	}
	f.Fuzz(func(t *testing.T, multipart bool, body []byte) {
		req := httptest.NewRequest("POST", "/x?q=1", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if multipart {
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		}
		const limit = 4096
		req.Body = http.MaxBytesReader(httptest.NewRecorder(), req.Body, limit)
		err := readForm(req, limit, multipart)
		if err == nil {
			err = checkForm(req)
			if err == nil {
				for name, values := range req.Form {
					for _, v := range append(values, name) {
						if !drive.TextOK(v) {
							t.Fatalf("accepted %q=%q", name, v)
						}
					}
				}
			}
		}
		if req.MultipartForm != nil {
			_ = req.MultipartForm.RemoveAll()
		}
		switch code := drive.ErrorCode(err); code {
		case "", drive.EINVALID:
		case drive.ETOOLARGE:
			if len(body) <= limit {
				t.Fatalf("%d bytes called too large", len(body))
			}
		default:
			t.Fatalf("error %v", err)
		}
		if msg := drive.ErrorMessage(err); !drive.TextOK(msg) {
			t.Fatalf("message repeats the input: %q", msg)
		}
	})
}
