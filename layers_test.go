package drive_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The layers are in docs/layers.md: adapters (web, api, cmd/drive, demo)
// reach the database only through the service, so that every use case
// meets the access policy and writes its audit events in one place. These
// tests read the source, so a shortcut past the service fails the build
// before anyone relies on it.

const module = "github.com/drive-platform/drive"

// storeUsers are the packages whose code may import the store: the store
// itself, its conformance suite and the service.
var storeUsers = map[string]bool{"store": true, "storetest": true, "service": true}

// openers are the files of the command line allowed to import the store,
// and only to open and migrate a database (and manage its keys).
var openers = map[string]bool{"cmd/drive/open.go": true}

// adapters may not open transactions or write audit events.
var adapters = []string{"web", "api", "cmd/drive", "demo"}

type source struct {
	path string // relative to the module root, slash-separated
	dir  string // package directory, relative
	file *ast.File
	fset *token.FileSet
}

func sources(t *testing.T) []source {
	t.Helper()
	var out []source
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(p)
		out = append(out, source{path: rel, dir: filepath.ToSlash(filepath.Dir(p)), file: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("found only %d source files: is the test running from the module root?", len(out))
	}
	return out
}

// TestOnlyTheServiceImportsTheStore fails when a package other than the
// service (and the store and its conformance suite) imports the store.
func TestOnlyTheServiceImportsTheStore(t *testing.T) {
	var bad []string
	checked := 0
	for _, s := range sources(t) {
		top := strings.SplitN(s.dir, "/", 2)[0]
		if storeUsers[top] || openers[s.path] {
			continue
		}
		checked++
		for _, imp := range s.file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == module+"/store" || strings.HasPrefix(p, module+"/store/") {
				bad = append(bad, s.path)
			}
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("these files import the store; use a service method instead (docs/layers.md):\n  %s", strings.Join(bad, "\n  "))
	}
	if checked == 0 {
		t.Fatal("no files checked")
	}
}

// TestAdaptersNeitherTransactNorAudit fails when a page, API handler,
// command or the demo opens a transaction or writes an audit event itself.
func TestAdaptersNeitherTransactNorAudit(t *testing.T) {
	var bad []string
	for _, s := range sources(t) {
		adapter := false
		for _, a := range adapters {
			if s.dir == a || strings.HasPrefix(s.dir, a+"/") {
				adapter = true
			}
		}
		if !adapter {
			continue
		}
		ast.Inspect(s.file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "Transact", "View", "Audit":
				pos := s.fset.Position(call.Pos())
				bad = append(bad, filepath.ToSlash(pos.Filename)+":"+strconv.Itoa(pos.Line)+" "+sel.Sel.Name)
			}
			return true
		})
	}
	if len(bad) > 0 {
		t.Errorf("adapters must call a service method, which opens the transaction and writes the audit event:\n  %s", strings.Join(bad, "\n  "))
	}
}
