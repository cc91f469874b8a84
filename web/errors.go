package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/api"
)

// statusOf maps an application error code to its HTTP status. This is the
// only place that decides a status for an error.
func statusOf(code string) int {
	switch code {
	case drive.EINVALID:
		return http.StatusUnprocessableEntity
	case drive.ENOTFOUND:
		return http.StatusNotFound
	case drive.ECONFLICT:
		return http.StatusConflict
	case drive.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case drive.ETOOMANY:
		return http.StatusTooManyRequests
	case drive.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case drive.ENOTIMPLEMENTED:
		return http.StatusNotImplemented
	case drive.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// notFound is the handler for every path no route claims.
func notFound(w http.ResponseWriter, r *http.Request) error {
	return drive.NotFound("page")
}

// fail renders err for the route's kind. Internal errors are logged with
// their cause and shown to the user only as a fixed message and a request
// reference; nothing internal reaches the response.
//
// A request whose client hung up is not a server error: whatever failed
// failed because the request was cancelled, so it is recorded as
// clientClosed, nothing is logged as an error and nothing is sent. Server
// errors are logged once per kind in each errorLogWindow (errorLog).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, k kind, err error) {
	code := drive.ErrorCode(err)
	status := statusOf(code)
	reqID := requestIDFrom(r.Context())
	if status >= 500 && errors.Is(r.Context().Err(), context.Canceled) {
		if sw, ok := w.(*statusWriter); ok && sw.status == 0 {
			sw.status = clientClosed
		}
		return
	}
	if status >= 500 {
		cause := err.Error()
		if ok, left := s.errlog.allow(r.Pattern + "|" + code + "|" + cause); ok {
			attrs := []any{slog.String("request_id", reqID), slog.String("method", r.Method),
				slog.String("route", r.Pattern), slog.String("code", code), slog.String("cause", cause)}
			if left > 0 {
				attrs = append(attrs, slog.Int("identical_errors_not_logged", left))
			}
			s.log.Error("request failed", attrs...)
		}
	}
	var fields map[string]string
	var de *drive.Error
	if errors.As(err, &de) && code == drive.EINVALID {
		fields = de.Fields
	}
	message := drive.ErrorMessage(err)
	if code == drive.ENOTFOUND {
		// The same words whatever was missing or hidden, so a response
		// never says whether a record exists.
		message = "Not found"
	}
	switch k {
	case apiRoute:
		api.WriteError(w, status, code, message, fields)
	case survivorRoute:
		s.feedbackError(w, r, status)
	case probeRoute, assetRoute:
		body := http.StatusText(status)
		if k == probeRoute && code == drive.EUNAVAILABLE {
			// Whoever reads a failing probe learns why (the database is
			// not answering), in the safe words users see.
			body += ": " + message
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body + "\n"))
	default:
		s.renderErrorPage(w, r, status, message, reqID)
	}
}
