// Package api holds the JSON API under /api/v1: its handlers, its error
// shape, and its OpenAPI 3.1 document. Routes are registered in package
// web's single route list; errors are mapped to statuses there too.
package api

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"github.com/drive-platform/drive/service"
)

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3.1 document served at
// /api/v1/openapi.json.
func OpenAPIDocument() []byte { return openAPIDocument }

// API is the JSON API's handlers and what they need: the service answers
// which database engine is in use, so the API holds no database itself.
type API struct {
	Svc     *service.Service
	Version string
}

// ErrorBody is the shape of every JSON error:
// {"error":{"code":"...","message":"...","fields":{...}}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody. Code is one of the application
// error codes; Message is safe to show a person; Fields names what to fix.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(body, '\n'))
	return err
}

// WriteError writes the JSON error body. Callers pass only user-safe text.
func WriteError(w http.ResponseWriter, status int, code, message string, fields map[string]string) {
	_ = WriteJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: message, Fields: fields}})
}

// OpenAPI serves the OpenAPI document.
func (a *API) OpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDocument)
	return err
}

// Version is the body of GET /api/v1/version.
type Version struct {
	Version string `json:"version"`
	Engine  string `json:"engine"`
}

// GetVersion answers which build is running and on which database engine,
// so integrations can check what they are talking to.
func (a *API) GetVersion(w http.ResponseWriter, r *http.Request) error {
	return WriteJSON(w, http.StatusOK, Version{Version: a.Version, Engine: a.Svc.Engine()})
}

// Grant is one role a user holds: at a site, or nationally when SiteID is 0.
type Grant struct {
	Role   string `json:"role"`
	SiteID int64  `json:"site_id"`
}
