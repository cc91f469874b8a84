package api

import (
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

// TestDecodeJSONErrors checks each kind of bad body gets a message naming
// the JSON field and what was expected, never a Go type or the bad bytes.
func TestDecodeJSONErrors(t *testing.T) {
	for _, c := range []struct {
		name, body string
		into       any
		message    string
		field      string
	}{
		{"array for an object", `[1,2]`, &NoteBody{}, "note: expected an object", "note"},
		{"string for a number", `{"text":"x","amends":"7"}`, &NoteBody{}, "amends: expected a whole number", "amends"},
		{"nested wrong kind", `{"evidence":{"dash_score":"high"}}`, &ReferralBody{}, "evidence.dash_score: expected a whole number", "evidence.dash_score"},
		{"object for a string in a list", `{"given_name":"A","family_name":"B","aliases":[{}]}`, &PersonBody{}, "aliases: expected a string", "aliases"},
		{"number out of range", `{"amends":1e400}`, &NoteBody{}, "amends: expected a whole number within range", "amends"},
		{"unknown field", `{"txt":"x"}`, &NoteBody{}, `"txt" is not a field of note: remove it, or check its spelling`, "txt"},
		{"syntax error", `{"text":"x",}`, &NoteBody{}, "note: the request body is not valid JSON (at byte 12): check the quotes, commas and brackets", ""},
		{"cut short", `{"text":"x"`, &NoteBody{}, "note: the request body ends before the JSON is complete", ""},
		{"empty", ``, &NoteBody{}, "note: the request body is empty: send a JSON object", ""},
		{"only spaces", " \n\t", &NoteBody{}, "note: the request body is empty", ""},
		{"trailing data", `{"text":"x"} {"text":"y"}`, &NoteBody{}, "note: the request body has data after the JSON value", ""},
		{"trailing garbage", `{"text":"x"} x`, &NoteBody{}, "note: the request body is not valid JSON", ""},
		{"NUL escaped", `{"text":"a\u0000b"}`, &NoteBody{}, "Text contains a character that cannot be stored: remove it and try again", "text"},
		{"invalid UTF-8", "{\"text\":\"a\xffb\"}", &NoteBody{}, "Text contains a character that cannot be stored", "text"},
		{"NUL deep in a list", `{"person":{"given_name":"A","aliases":["ok","a\u0000"]}}`, &ReferralBody{}, "person.aliases[1] contains a character", "person.aliases[1]"},
		{"NUL in a map value", `{"needs":{"housing":"\u0000"}}`, &ReviewBody{}, "needs.housing contains a character", "needs.housing"},
		{"NUL in a map key", `{"needs":{"hou\u0000sing":"x"}}`, &ReviewBody{}, "A field name contains a character that cannot be stored", ""},
		{"invalid UTF-8 in a key", "{\"te\xffxt\":\"x\"}", &NoteBody{}, "A field name contains a character", ""},
		{"NUL as the whole body", `"\u0000"`, &NoteBody{}, "Body contains a character", "body"},
	} {
		err := decodeJSON([]byte(c.body), "note", c.into)
		if c.name == "NUL deep in a list" || c.name == "nested wrong kind" {
			err = decodeJSON([]byte(c.body), "referral", c.into)
		}
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.name, err)
			continue
		}
		msg := drive.ErrorMessage(err)
		if !strings.HasPrefix(msg, c.message) {
			t.Errorf("%s: message %q, want %q", c.name, msg, c.message)
		}
		for _, leak := range []string{"Go value", "api.", "int64", "json:", "\x00", "\xff", "\ufffd"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: message %q contains %q", c.name, msg, leak)
			}
		}
		if c.field != "" && c.field != "note" {
			if _, ok := err.(*drive.Error).Fields[c.field]; !ok {
				t.Errorf("%s: fields %v, want %q", c.name, err.(*drive.Error).Fields, c.field)
			}
		}
	}
}

// TestDecodeJSONGood checks good bodies, with text in any script, decode
// as before.
func TestDecodeJSONGood(t *testing.T) {
	var b ReferralBody
	body := `{"site_id":1,"programme":"drive","person":{"given_name":"Zoë","family_name":"Ó Briain","aliases":["Джон","李"]},"summary":"line\nnext 🙂","evidence":{"dash_score":14,"victims":1}}`
	if err := decodeJSON([]byte(body), "referral", &b); err != nil {
		t.Fatal(err)
	}
	if b.Person.GivenName != "Zoë" || b.Person.Aliases[1] != "李" || *b.Evidence.DASHScore != 14 || b.Summary != "line\nnext 🙂" {
		t.Errorf("decoded %+v", b)
	}
}

// FuzzDecodeJSON holds the decoder to its contract for any body: it
// returns nil or EINVALID, never panics, never names a Go type, and what
// it accepts holds only storable text.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `"x"`, `{"text":"hello"}`, `{"text":"a\u0000b"}`, "{\"text\":\"\xff\"}",
		`{"person":{"given_name":"A","aliases":["x",{"y":1}]},"evidence":{"dash_score":"7"}}`,
		`{"needs":{"a":"b","\u0000":"c"}}`, `{"text":"x"} trailing`, `{"text":"x"}{}`, `{"text":`, `{"amends":1e400}`,
		`{"text":"\ud800"}`, `[[[[[[[[[[]]]]]]]]]]`, `{"unknown":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var b ReferralBody
		err := decodeJSON(body, "referral", &b)
		if err == nil {
			texts := []string{b.Programme, b.Source, b.ReferredAt, b.Summary, b.Evidence.LastMARAC, b.Evidence.ProfessionalJudgement}
			if b.Person != nil {
				texts = append(texts, b.Person.GivenName, b.Person.FamilyName, b.Person.PoliceRef)
				texts = append(texts, b.Person.Aliases...)
			}
			for _, s := range texts {
				if !drive.TextOK(s) {
					t.Fatalf("accepted text that cannot be stored: %q", s)
				}
			}
			return
		}
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Fatalf("error %v, want EINVALID", err)
		}
		msg := drive.ErrorMessage(err)
		if strings.Contains(msg, "Go value") || strings.Contains(msg, "api.") || !drive.TextOK(msg) {
			t.Fatalf("message %q", msg)
		}
	})
}
