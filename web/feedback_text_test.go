package web

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/drive-platform/drive/voice"
)

// TestFeedbackTextIsWelsh holds the survivor route to its catalogue: every
// string its template and handlers look up, and every question and message
// from package voice it shows, has Welsh that differs from the English.
func TestFeedbackTextIsWelsh(t *testing.T) {
	cat, err := feedbackCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cy, en := translator(cat, cymraeg()), translator(cat, feedbackLang("en"))
	keys := map[string]bool{}
	tmpl, err := templateFiles.ReadFile("templates/feedback.html")
	if err != nil {
		t.Fatal(err)
	}
	code, err := staticSource("feedback.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`call \$?\.?[A-Za-z.]*T "([^"]+)"`).FindAllStringSubmatch(string(tmpl), -1) {
		keys[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`\bt\("([^"]+)"\)|p\.T\("([^"]+)"\)`).FindAllStringSubmatch(code, -1) {
		keys[m[1]+m[2]] = true
	}
	for _, k := range voice.Kinds() {
		keys[k.Question] = true
	}
	for _, sc := range voice.Scales() {
		keys[sc.Question] = true
		for _, c := range sc.Choices {
			keys[c] = true
		}
	}
	for _, q := range voice.ServiceQuestions() {
		keys[q.Question] = true
	}
	for _, m := range []string{voice.MsgCheckAnswers, voice.MsgAnswerEach, voice.MsgFeelsSafe, voice.MsgScale, voice.MsgFreeText, "Choose who can see your answers"} {
		keys[m] = true
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d keys: the patterns no longer match the sources", len(keys))
	}
	for k := range keys {
		if en(k) != k {
			t.Errorf("English for %q is %q", k, en(k))
		}
		if w := cy(k); w == k || strings.TrimSpace(w) == "" {
			t.Errorf("no Welsh for %q", k)
		}
	}
	// Welsh keeps no key that nothing uses.
	for k := range welsh() {
		if !keys[k] {
			t.Errorf("Welsh for %q, which the route never shows", k)
		}
	}
}

// staticSource reads a Go source file of this package, for tests that
// check what it looks up.
func staticSource(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}
