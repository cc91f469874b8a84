package static

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func mustNew(t *testing.T) *Assets {
	t.Helper()
	a, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEmbeddedBuildHasPagesAssets(t *testing.T) {
	a := mustNew(t)
	for name, pattern := range map[string]string{
		"drive.css":   `^/assets/drive\.[0-9a-f]{12}\.css$`,
		"drive.js":    `^/assets/drive\.[0-9a-f]{12}\.js$`,
		"favicon.svg": `^/assets/favicon\.[0-9a-f]{12}\.svg$`,
	} {
		p, err := a.Path(name)
		if err != nil {
			t.Errorf("Path(%q): %v", name, err)
			continue
		}
		if !regexp.MustCompile(pattern).MatchString(p) {
			t.Errorf("Path(%q) = %q, want match for %s", name, p, pattern)
		}
	}
}

// The stylesheet carries Drive's brand, not GOV.UK's: no GDS Transport, no
// font files, no crown or crest.
func TestEmbeddedStylesheetIsNotGOVUKBranded(t *testing.T) {
	a := mustNew(t)
	css := string(a.byName["drive.css"].body)
	for _, banned := range []string{"GDS Transport", "@font-face", "crown", "crest", ".woff"} {
		if strings.Contains(css, banned) {
			t.Errorf("drive.css contains %q", banned)
		}
	}
	if !strings.Contains(css, ".drive-header{") {
		t.Error("drive.css has no .drive-header rule")
	}
	for _, name := range a.Names() {
		if strings.Contains(name, "crown") || strings.Contains(name, "crest") || strings.Contains(name, "font") {
			t.Errorf("build output includes %s", name)
		}
	}
}

// drive.js is bundled, because a module importing a sibling by its plain
// name would miss: only hashed names are served.
func TestEmbeddedScriptIsSelfContained(t *testing.T) {
	a := mustNew(t)
	js := string(a.byName["drive.js"].body)
	if m := regexp.MustCompile(`(^|[;}\n])\s*(import\s*[{*"']|export\s*[{*])|\bfrom\s*["']`).FindString(js); m != "" {
		t.Errorf("drive.js has an import or export statement: %q", m)
	}
	if !strings.Contains(js, "govuk-frontend-supported") {
		t.Error("drive.js does not mark the body as supported by GOV.UK Frontend")
	}
}

// Every url() in the served stylesheet resolves to an asset that is served.
func TestEmbeddedStylesheetReferencesResolve(t *testing.T) {
	a := mustNew(t)
	cssPath, _ := a.Path("drive.css")
	resp := get(t, a, http.MethodGet, cssPath, nil)
	css := body(t, resp)
	refs := cssURL.FindAllStringSubmatch(css, -1)
	for _, m := range refs {
		ref := m[2]
		if !isRelative(ref) {
			continue
		}
		target := Prefix + strings.SplitN(ref, "#", 2)[0]
		if r := get(t, a, http.MethodGet, target, nil); r.StatusCode != http.StatusOK {
			t.Errorf("drive.css url(%s): GET %s = %d", ref, target, r.StatusCode)
		}
	}
}

func TestServeHTTP(t *testing.T) {
	a := mustNew(t)
	cssPath, _ := a.Path("drive.css")
	jsPath, _ := a.Path("drive.js")
	svgPath, _ := a.Path("favicon.svg")

	for _, tc := range []struct {
		path, ctype string
	}{
		{cssPath, "text/css; charset=utf-8"},
		{jsPath, "text/javascript; charset=utf-8"},
		{svgPath, "image/svg+xml"},
	} {
		resp := get(t, a, http.MethodGet, tc.path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", tc.path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("GET %s Content-Type = %q, want %q", tc.path, got, tc.ctype)
		}
		if got, want := resp.Header.Get("Cache-Control"), "public, max-age=31536000, immutable"; got != want {
			t.Errorf("GET %s Cache-Control = %q, want %q", tc.path, got, want)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s X-Content-Type-Options = %q, want nosniff", tc.path, got)
		}
		if b := body(t, resp); len(b) == 0 {
			t.Errorf("GET %s: empty body", tc.path)
		}
	}

	notFound := []string{
		"/assets/drive.css",              // unhashed name
		"/assets/drive.000000000000.css", // stale or made-up hash
		"/assets/",
		"/assets/dist/drive.css",
		"/drive.css",
		strings.TrimPrefix(cssPath, "/assets"), // right name, wrong prefix
	}
	for _, p := range notFound {
		if resp := get(t, a, http.MethodGet, p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		} else if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: 404 marked immutable", p)
		}
	}

	if resp := get(t, a, http.MethodPost, cssPath, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST %s = %d, want 405", cssPath, resp.StatusCode)
	} else if got := resp.Header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("POST %s Allow = %q", cssPath, got)
	}

	head := get(t, a, http.MethodHead, cssPath, nil)
	if head.StatusCode != http.StatusOK || body(t, head) != "" {
		t.Errorf("HEAD %s = %d with a body", cssPath, head.StatusCode)
	}

	etag := get(t, a, http.MethodGet, cssPath, nil).Header.Get("ETag")
	if etag == "" {
		t.Fatalf("GET %s: no ETag", cssPath)
	}
	cond := get(t, a, http.MethodGet, cssPath, http.Header{"If-None-Match": {etag}})
	if cond.StatusCode != http.StatusNotModified {
		t.Errorf("GET %s If-None-Match %s = %d, want 304", cssPath, etag, cond.StatusCode)
	}
}

func TestLoadHashesContent(t *testing.T) {
	fsys := fstest.MapFS{
		"app.js":         {Data: []byte("console.log(1)\n")},
		"img/icon.svg":   {Data: []byte("<svg/>")},
		"img/other.svg":  {Data: []byte("<svg></svg>")},
		"readme.txt":     {Data: []byte("hello")},
		"nested/a/b.css": {Data: []byte("b{}")},
	}
	a, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("console.log(1)\n"))
	want := "/assets/app." + hex.EncodeToString(sum[:])[:12] + ".js"
	if got, _ := a.Path("app.js"); got != want {
		t.Errorf("Path(app.js) = %q, want %q", got, want)
	}
	p, err := a.Path("img/icon.svg")
	if err != nil || !regexp.MustCompile(`^/assets/img/icon\.[0-9a-f]{12}\.svg$`).MatchString(p) {
		t.Errorf("Path(img/icon.svg) = %q, %v", p, err)
	}
	if resp := get(t, a, http.MethodGet, p, nil); resp.StatusCode != http.StatusOK || body(t, resp) != "<svg/>" {
		t.Errorf("GET %s = %d", p, resp.StatusCode)
	}
	if _, err := a.Path("missing.css"); err == nil {
		t.Error("Path(missing.css): no error")
	}
	if got, want := strings.Join(a.Names(), ","), "app.js,img/icon.svg,img/other.svg,nested/a/b.css,readme.txt"; got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}

	// Same input, same names: URLs survive a restart.
	b, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range a.Names() {
		pa, _ := a.Path(name)
		pb, _ := b.Path(name)
		if pa != pb {
			t.Errorf("%s: %s then %s", name, pa, pb)
		}
	}
}

func TestLoadRewritesStylesheetURLs(t *testing.T) {
	fsys := fstest.MapFS{
		"site.css": {Data: []byte(
			`a{background:url(img/icon.svg)}` +
				`b{background:url("img/icon.svg#mark")}` +
				`c{background:url( 'top.svg' )}` +
				`d{background:url(data:image/svg+xml;base64,AAAA)}` +
				`e{background:url(/elsewhere/x.png)}` +
				`f{filter:url(#shadow)}` +
				`g{background:url(https://example.org/x.png)}`,
		)},
		"img/icon.svg": {Data: []byte("<svg/>")},
		"top.svg":      {Data: []byte("<svg></svg>")},
	}
	a, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	icon, _ := a.Path("img/icon.svg")
	top, _ := a.Path("top.svg")
	icon = strings.TrimPrefix(icon, Prefix)
	top = strings.TrimPrefix(top, Prefix)
	want := `a{background:url("` + icon + `")}` +
		`b{background:url("` + icon + `#mark")}` +
		`c{background:url("` + top + `")}` +
		`d{background:url(data:image/svg+xml;base64,AAAA)}` +
		`e{background:url(/elsewhere/x.png)}` +
		`f{filter:url(#shadow)}` +
		`g{background:url(https://example.org/x.png)}`
	cssPath, _ := a.Path("site.css")
	resp := get(t, a, http.MethodGet, cssPath, nil)
	if got := body(t, resp); got != want {
		t.Errorf("served stylesheet:\n got %s\nwant %s", got, want)
	}
	// The stylesheet's hash covers the rewritten text, so a changed icon
	// changes the stylesheet's URL too.
	sum := sha256.Sum256([]byte(want))
	if !strings.Contains(cssPath, hex.EncodeToString(sum[:])[:12]) {
		t.Errorf("Path(site.css) = %s, not the hash of the served text", cssPath)
	}
}

func TestLoadRejects(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"unknown type":       {"x.exe": {Data: []byte("MZ")}},
		"dangling css":       {"a.css": {Data: []byte(`a{background:url(missing.svg)}`)}},
		"css to css":         {"a.css": {Data: []byte(`@import url(b.css);`)}, "b.css": {Data: []byte(`b{}`)}},
		"css to earlier css": {"b.css": {Data: []byte(`@import url(a.css);`)}, "a.css": {Data: []byte(`a{}`)}},
	} {
		if _, err := Load(fsys); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
}
