// Package static serves Drive's built front-end assets (stylesheet, script,
// icons) from files embedded in the binary, under content-hashed URLs.
//
// The files in dist are built by web/assets (npm run build) and committed, so
// building the binary needs no npm. Every file is served as
// /assets/<stem>.<hash><ext>, where hash is the first 12 hex digits of the
// SHA-256 of what is served. A changed file gets a new URL, so responses can be
// cached for a year without ever going stale.
//
// Stylesheets may refer to sibling files with a relative url(name); those
// references are rewritten to the siblings' hashed names before the
// stylesheet itself is hashed.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Prefix is the URL path under which assets are served. Mount an Assets at
// this pattern, e.g. mux.Handle("GET /assets/", assets).
const Prefix = "/assets/"

//go:embed dist
var embedded embed.FS

// contentType gives the Content-Type for every file type dist may hold. The
// types are fixed here rather than taken from the operating system's MIME
// tables, which differ between machines; a file of any other type fails New,
// so nothing is ever served with a guessed type.
func contentType(ext string) (string, bool) {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8", true
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8", true
	case ".svg":
		return "image/svg+xml", true
	case ".png":
		return "image/png", true
	case ".ico":
		return "image/x-icon", true
	case ".woff2":
		return "font/woff2", true
	case ".txt":
		return "text/plain; charset=utf-8", true
	case ".json":
		return "application/json", true
	}
	return "", false
}

// cssURL matches url(...) references in a stylesheet, with or without quotes.
var cssURL = regexp.MustCompile(`url\(\s*(['"]?)([^'")]*)(['"]?)\s*\)`)

// Assets holds the asset files and their hashed names. It is immutable after
// New and safe for concurrent use.
type Assets struct {
	byName   map[string]*file // logical name, e.g. "drive.css"
	byHashed map[string]*file // hashed name, e.g. "drive.0123456789ab.css"
}

type file struct {
	name        string
	hashed      string
	contentType string
	body        []byte
	etag        string
}

// New loads the embedded build output. It fails if a file has a type not in
// the list above or a stylesheet refers to a file that does not exist.
func New() (*Assets, error) {
	dist, err := fs.Sub(embedded, "dist")
	if err != nil {
		return nil, err
	}
	return Load(dist)
}

// Load is New for any file system laid out like dist; tests use it with
// fstest.MapFS. Names are slash-separated paths relative to the root.
func Load(fsys fs.FS) (*Assets, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: listing assets: %w", err)
	}
	sort.Strings(names)

	a := &Assets{byName: map[string]*file{}, byHashed: map[string]*file{}}
	var styles []*file
	for _, name := range names {
		ext := path.Ext(name)
		ctype, ok := contentType(ext)
		if !ok {
			return nil, fmt.Errorf("static: %s: no content type for %q files", name, ext)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("static: %w", err)
		}
		f := &file{name: name, contentType: ctype, body: body}
		a.byName[name] = f
		if ext == ".css" {
			// Hashed after the files they refer to.
			styles = append(styles, f)
			continue
		}
		a.seal(f)
	}
	for _, f := range styles {
		body, err := a.rewriteCSS(f)
		if err != nil {
			return nil, err
		}
		f.body = body
		a.seal(f)
	}
	return a, nil
}

// seal gives f its hashed name once its content is final.
func (a *Assets) seal(f *file) {
	sum := sha256.Sum256(f.body)
	hash := hex.EncodeToString(sum[:])[:12]
	ext := path.Ext(f.name)
	f.hashed = strings.TrimSuffix(f.name, ext) + "." + hash + ext
	f.etag = `"` + hash + `"`
	a.byHashed[f.hashed] = f
}

// rewriteCSS points relative url() references in a stylesheet at the hashed
// names of the files they name. Fragment, data: and absolute URLs are left
// alone. A relative reference to a missing file is an error, and so is one to
// another stylesheet, whose hash may not be known yet.
func (a *Assets) rewriteCSS(f *file) ([]byte, error) {
	var missing []string
	dir := path.Dir(f.name)
	out := cssURL.ReplaceAllFunc(f.body, func(m []byte) []byte {
		ref := string(cssURL.FindSubmatch(m)[2])
		if !isRelative(ref) {
			return m
		}
		// Keep any query or fragment (an SVG sprite's #id, say) as it is.
		target, suffix := ref, ""
		if i := strings.IndexAny(ref, "?#"); i >= 0 {
			target, suffix = ref[:i], ref[i:]
		}
		t, ok := a.byName[path.Join(dir, target)]
		if !ok || path.Ext(t.name) == ".css" {
			missing = append(missing, ref)
			return m
		}
		hashed := path.Join(path.Dir(target), path.Base(t.hashed))
		return []byte(`url("` + hashed + suffix + `")`)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("static: %s refers to files not in the build: %s", f.name, strings.Join(missing, ", "))
	}
	return out, nil
}

func isRelative(ref string) bool {
	switch {
	case ref == "", strings.HasPrefix(ref, "#"), strings.HasPrefix(ref, "/"):
		return false
	case strings.Contains(ref, ":"): // data:, https:, and the like
		return false
	}
	return true
}

// Path returns the URL path of the named asset, e.g. Path("drive.css") returns
// "/assets/drive.0123456789ab.css". It is meant for templates, where it is
// usually registered as the "asset" function; an unknown name is an error so
// a typo fails the render rather than producing a broken link.
func (a *Assets) Path(name string) (string, error) {
	f, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("static: no asset named %q", name)
	}
	return Prefix + f.hashed, nil
}

// Names returns the logical names of all assets, sorted.
func (a *Assets) Names() []string {
	names := make([]string, 0, len(a.byName))
	for name := range a.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ServeHTTP serves an asset by its hashed path with a one-year immutable
// cache lifetime. GET and HEAD only; any other path, including an asset's
// unhashed or outdated name, is 404 Not Found.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, ok := a.byHashed[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", f.etag)
	// ServeContent answers If-None-Match, Range and HEAD. The zero time leaves
	// out Last-Modified: the embedded files carry no meaningful one.
	http.ServeContent(w, r, f.hashed, time.Time{}, bytes.NewReader(f.body))
}
