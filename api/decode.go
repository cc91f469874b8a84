package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// MaxBody is the largest JSON body the API reads. The longest text an
// operation takes (a note, a summary) is a few pages.
const MaxBody = 1 << 20

// decode reads r's JSON body into v; name is what the body is ("note",
// "referral"), used in messages about the body as a whole. See
// decodeJSON for what is refused.
func decode(r *http.Request, name string, v any) error {
	// admit limits API bodies already; the limit is repeated so that the
	// decoder is safe wherever it is called from.
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return drive.TooLarge("The request body", MaxBody, "send less in each request")
		}
		return drive.Wrap(err, drive.EINVALID, "The request body could not be read: send it again")
	}
	return decodeJSON(data, name, v)
}

// decodeJSON decodes one JSON value from data into v strictly: an empty
// body, a syntax error, a value of the wrong kind, an unknown field (so a
// misspelt field is reported instead of silently ignored) and data after
// the value are all EINVALID. Every string and object key, however deeply
// nested, must pass drive.CheckText, the same check as form values.
//
// Messages name the JSON field and what was expected ("note: expected an
// object", "evidence.dash_score: expected a whole number"), never a Go
// type and never the offending bytes.
func decodeJSON(data []byte, name string, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return drive.Errorf(drive.EINVALID, "%s: the request body is empty: send a JSON object", name)
	}
	// Text first: encoding/json would quietly turn invalid UTF-8 into
	// U+FFFD, and an unknown field's name must pass before it is named.
	if err := checkJSONText(data); err != nil {
		return jsonError(err, name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, name)
	}
	if _, err := dec.Token(); err != io.EOF {
		return drive.Errorf(drive.EINVALID, "%s: the request body has data after the JSON value: send exactly one JSON object", name)
	}
	return nil
}

// jsonFrame is an object or array being walked by checkJSONText.
type jsonFrame struct {
	array   bool
	key     string // the current member's name (objects)
	index   int    // the current element's index (arrays)
	wantKey bool   // the next string token is a member name
}

// checkJSONText walks every token of data and applies drive.CheckText to
// each string and member name, naming the field by its JSON path. It reads
// the raw bytes of each string, because the decoder has already replaced
// invalid UTF-8 in the token it returns.
func checkJSONText(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*jsonFrame
	// path names the current value: "person.aliases[0]".
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		return b.String()
	}
	// done moves the enclosing container past a finished value.
	done := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.array {
			top.index++
		} else {
			top.wantKey = true
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &jsonFrame{wantKey: true})
			case '[':
				stack = append(stack, &jsonFrame{array: true})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			// Between start and the end of the token lie only ASCII
			// separators and the string itself.
			raw := data[start:dec.InputOffset()]
			ok := utf8.Valid(raw) && strings.IndexByte(t, 0) < 0
			if top != nil && !top.array && top.wantKey {
				if !ok {
					// The name is the bad input, so it is not repeated:
					// CheckText calls it "A field name".
					return drive.CheckText("\x00", "\x00")
				}
				top.key, top.wantKey = t, false
				continue
			}
			if !ok {
				field := path()
				if field == "" {
					field = "body"
				}
				// Any value that fails gives the same error; the real
				// one is not passed on, so it cannot reach a message.
				return drive.CheckText(field, "\x00")
			}
			done()
		default:
			done()
		}
	}
}

// jsonError turns an encoding/json error into a plain EINVALID message
// for the body called name. Errors that are already *drive.Error pass
// through.
func jsonError(err error, name string) error {
	var de *drive.Error
	if errors.As(err, &de) {
		return err
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return drive.Errorf(drive.EINVALID, "%s: the request body is not valid JSON (at byte %d): check the quotes, commas and brackets", name, syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return drive.Errorf(drive.EINVALID, "%s: the request body ends before the JSON is complete: send the whole object", name)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = name
		}
		msg := field + ": expected " + jsonKind(typ.Type)
		if strings.HasPrefix(typ.Value, "number") && strings.HasPrefix(jsonKind(typ.Type), "a whole") {
			msg += " within range"
		}
		return drive.Invalid(msg, map[string]string{field: msg})
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f, _ = strconv.Unquote(f)
		if utf8.RuneCountInString(f) > 64 {
			f = string([]rune(f)[:64]) + "…"
		}
		msg := strconv.Quote(f) + " is not a field of " + name + ": remove it, or check its spelling against the API document"
		return drive.Invalid(msg, map[string]string{f: "Not a field of " + name})
	}
	return drive.Wrap(err, drive.EINVALID, name+": the request body is not valid JSON for this operation: check it against the API document")
}

// jsonKind names the JSON kind a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number of 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a value"
}
