package web_test

import (
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// TestFullDiskAnswers503: a write the store refused because the disk is
// full (store.TestFullDiskRollsBack shows it rolls back) reaches the user
// as 503 with the store's message, that nothing was saved, on a page and
// in the API, and never the driver's text.
func TestFullDiskAnswers503(t *testing.T) {
	db := storetest.OpenSQLite(t, nil)
	srv, err := web.New(web.Config{Service: &service.Service{DB: db}, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	full := drive.Wrap(errors.New("database or disk is full (13)"), drive.EUNAVAILABLE, store.DiskFull)
	for _, k := range []string{"page", "api"} {
		rec := httptest.NewRecorder()
		srv.Failing(k, full).ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		body := html.UnescapeString(rec.Body.String())
		if rec.Code != 503 {
			t.Fatalf("%s: status %d; want 503", k, rec.Code)
		}
		if !strings.Contains(body, store.DiskFull) || strings.Contains(body, "(13)") {
			t.Fatalf("%s: body does not say what happened, or shows the driver's text: %s", k, body)
		}
	}
}
