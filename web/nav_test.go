package web

import (
	"strings"
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestVictimMenuOnlyForTheVictimSide: "Victim-survivors" is offered to
// IDVAs and the team leaders of an IDVA service, never to a Drive
// provider's team leader or case manager, whose list would be empty.
func TestVictimMenuOnlyForTheVictimSide(t *testing.T) {
	w := newWall(t, storetest.Engines(t)[0])
	for user, want := range map[string]bool{"ida.idva": true, "tia.idvalead": true, "tom.providerlead": false, "cal.manager": false} {
		status, body := w.get(t, user, "/")
		if status != 200 {
			t.Fatalf("%s: home %d", user, status)
		}
		if got := strings.Contains(body, `href="/victims"`); got != want {
			t.Errorf("%s is offered Victim-survivors: %v; want %v", user, got, want)
		}
	}
}
