package web

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestCaseSections opens every section of a case as each reader who may
// open the case, and checks that the sub navigation offers exactly the
// sections that answer for them, marks the one shown as the current page,
// and that a section not offered is "not found" rather than only unlinked.
func TestCaseSections(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			cpath := casePath(w.caseID, "")
			link := regexp.MustCompile(`<a class="moj-sub-navigation__link"( aria-current="page")? href="([^"]+)">`)
			opened := 0
			for name := range w.users {
				status, body := w.get(t, name, cpath)
				if status == http.StatusNotFound {
					continue
				}
				if status != http.StatusOK {
					t.Fatalf("%s: the summary: %d", name, status)
				}
				opened++
				var offered []string
				for _, m := range link.FindAllStringSubmatch(body, -1) {
					offered = append(offered, m[2])
				}
				if len(offered) < 4 || offered[0] != cpath {
					t.Fatalf("%s: the summary's sub navigation offers %v", name, offered)
				}
				for _, sec := range caseSections {
					path := casePath(w.caseID, sec.Key)
					status, body := w.get(t, name, path)
					if slices.Contains(offered, path) != (status == http.StatusOK) {
						t.Errorf("%s: %s answers %d, offered %v", name, path, status, slices.Contains(offered, path))
						continue
					}
					if status == http.StatusNotFound {
						continue
					}
					var current []string
					for _, m := range link.FindAllStringSubmatch(body, -1) {
						if m[1] != "" {
							current = append(current, m[2])
						}
					}
					if len(current) != 1 || current[0] != path {
						t.Errorf("%s: %s marks %v as the current page", name, path, current)
					}
					if len(leaked(body)) > 0 {
						t.Errorf("%s: %s shows %v", name, path, leaked(body))
					}
				}
			}
			if opened < 3 {
				t.Fatalf("only %d readers opened the case", opened)
			}
			// The case manager has every section of his case; a partner at
			// the site is not offered the notes or the victim-survivors' risk.
			_, body := w.get(t, "cal.manager", cpath)
			if n := len(link.FindAllStringSubmatch(body, -1)); n != len(caseSections) {
				t.Errorf("the case manager is offered %d sections; want all %d", n, len(caseSections))
			}
			for _, key := range []string{"notes", "victims"} {
				if status, _ := w.get(t, "pat.partner", casePath(w.caseID, key)); status != http.StatusNotFound {
					t.Errorf("the partner opens %s: %d; want 404", key, status)
				}
			}
			// A section of a case that does not exist is not found.
			if status, _ := w.get(t, "cal.manager", "/cases/"+strconv.Itoa(999999)+"/plan"); status != http.StatusNotFound {
				t.Errorf("a missing case's plan: %d", status)
			}
		})
	}
}
