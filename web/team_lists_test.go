package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestTeamCardsLinkToTheirLists checks that each card of the team
// dashboard counts exactly the cases its list's page holds, that the list
// names the cases the count is of, and that the lists are the dashboard's
// to see only: a case manager and another site's leader get "not found".
func TestTeamCardsLinkToTheirLists(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			site := strconv.FormatInt(w.siteOf(t), 10)
			// A referral waiting for the panel puts a case on a list.
			if status, body := w.post(t, "tom.providerlead", "/referrals", url.Values{"site": {site}, "programme": {"drive"}, "given_name": {"Lee"},
				"family_name": {"Sample"}, "date_of_birth": {"1980-01-01"}, "source": {"marac"}, "referred_at": {"2026-11-20"},
				"summary": {"Repeat MARAC"}, "dash_score": {"16"}, "victims": {"1"}}); status != http.StatusSeeOther {
				t.Fatalf("referral: %d\n%s", status, body)
			}
			status, team := w.get(t, "tom.providerlead", "/team?site="+site)
			if status != http.StatusOK {
				t.Fatalf("the team page: %d", status)
			}
			card := regexp.MustCompile(`href="(/team/([a-z-]+)\?site=\d+)" data-count="[a-z-]+">(\d+)<`)
			cards := card.FindAllStringSubmatch(team, -1)
			if len(cards) != len(teamLists) {
				t.Fatalf("the team page has %d cards; want %d", len(cards), len(teamLists))
			}
			row := regexp.MustCompile(`<a class="govuk-link" href="/cases/\d+">`)
			counted := 0
			for _, c := range cards {
				href := strings.ReplaceAll(c[1], "&amp;", "&")
				n, _ := strconv.Atoi(c[3])
				counted += n
				status, body := w.get(t, "tom.providerlead", href)
				if status != http.StatusOK {
					t.Fatalf("%s: %d", href, status)
				}
				if got := len(row.FindAllString(body, -1)); got != n {
					t.Errorf("%s lists %d cases; its card says %d", href, got, n)
				}
				if !strings.Contains(body, "("+c[3]+")</h1>") {
					t.Errorf("%s does not give its count in its heading", href)
				}
				if l := leaked(body); len(l) > 0 {
					t.Errorf("%s shows %v", href, l)
				}
				for _, who := range []string{"cal.manager", "sam.otherlead", "pat.partner"} {
					if status, body := w.get(t, who, href); status != http.StatusNotFound || strings.Contains(body, "Sample") {
						t.Errorf("%s opens %s: %d", who, href, status)
					}
				}
			}
			if counted == 0 {
				t.Fatal("every card counts nothing: the test would not see a wrong count")
			}
			if status, _ := w.get(t, "tom.providerlead", "/team/everything?site="+site); status != http.StatusNotFound {
				t.Errorf("a list that does not exist: %d", status)
			}
		})
	}
}
