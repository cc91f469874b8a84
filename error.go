// Package drive holds the types shared by every part of the Drive platform:
// the application error with its closed set of codes, and small value types
// that the domain packages, the storage layer and the HTTP layer all speak.
//
// It imports nothing from the project, so every other package may import it.
package drive

import (
	"errors"
	"fmt"
)

// Error codes. The set is closed on purpose: the HTTP layer maps each code to
// a status once (web/errors.go), and nothing else decides a status.
const (
	ECONFLICT       = "conflict"        // the record changed or already exists
	EINTERNAL       = "internal"        // a fault of ours; the user sees no detail
	EINVALID        = "invalid"         // the input is wrong; Message says how
	ENOTFOUND       = "not_found"       // missing, or the caller may not see it
	EUNAUTHORIZED   = "unauthorized"    // not signed in, or the credentials failed
	EUNAVAILABLE    = "unavailable"     // a dependency (the database) is down
	ETOOMANY        = "too_many"        // throttled; try again later
	ENOTIMPLEMENTED = "not_implemented" // a configured feature is switched off
	ETOOLARGE       = "too_large"       // the request body is over its limit; Message gives the limit
)

// Error is the application error. Code and Message are safe to show to the
// user; Err is the underlying cause, kept for the log and never rendered.
//
// A record the caller may not see is reported as ENOTFOUND, exactly like a
// record that does not exist, so that identifiers cannot be probed.
type Error struct {
	Code    string
	Message string
	// Fields carries per-field validation messages for forms and JSON
	// errors, keyed by the field's name. Only set with EINVALID.
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the given code and a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error with code and message whose cause is err.
func Wrap(err error, code, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Invalid returns an EINVALID error carrying per-field messages.
// The message summarises; fields say what to fix where.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// NotFound is the error for a record that is absent or hidden from the caller.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found"}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. For errors that are
// not *Error it returns a fixed text, so internal detail never reaches a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Something went wrong on our side. The problem has been logged; please try again, and tell your system administrator if it keeps happening."
}
