package service

import (
	"fmt"
	"sync"

	"github.com/drive-platform/drive"
)

// IdentificationCache keeps each site's ranked identification list for the
// police data version it was ranked from (store.PoliceDataVersion), the
// day it was ranked for and the strategy that ranked it. Ranking reads and
// scores every incident in a site's three-year window (about 4 s for a
// force of 450,000 incidents), and the answer changes only when police
// data is imported, resolved or ruled on, or the day turns: so it is
// ranked once for each of those and served from memory between them. A
// write raises the version in the same transaction, so no server serves a
// list older than the data it has committed, and several replicas each
// rank once. Access is decided and the view audited on every request
// before the cache is consulted. The zero value is ready to use; a nil
// cache ranks every time.
type IdentificationCache struct {
	mu     sync.Mutex
	m      map[string][]Suspect
	order  []string // keys, oldest first, to drop beyond maxRankedLists
	ranked int
	hits   int
}

// maxRankedLists bounds the cache: a list for a large force holds tens of
// thousands of suspects, and a server serves a few sites.
const maxRankedLists = 16

// Ranked counts the lists the cache's server has ranked, and Hits the
// views served from memory, for tests and operators.
func (c *IdentificationCache) Ranked() int { c.mu.Lock(); defer c.mu.Unlock(); return c.ranked }

// Hits counts the views served without ranking.
func (c *IdentificationCache) Hits() int { c.mu.Lock(); defer c.mu.Unlock(); return c.hits }

func identificationKey(siteID, version int64, asOf drive.Date, strategy string) string {
	return fmt.Sprintf("%d|%d|%s|%s", siteID, version, asOf, strategy)
}

// get returns the whole ranked list stored under key. The caller must not
// change it.
func (c *IdentificationCache) get(key string) ([]Suspect, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.m[key]
	if ok {
		c.hits++
	}
	return l, ok
}

// put stores a freshly ranked list, dropping the oldest beyond
// maxRankedLists (lists of an older version or day are never asked for
// again and age out the same way).
func (c *IdentificationCache) put(key string, l []Suspect) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ranked++
	if c.m == nil {
		c.m = map[string][]Suspect{}
	}
	if _, ok := c.m[key]; !ok {
		c.order = append(c.order, key)
	}
	c.m[key] = l
	for len(c.order) > maxRankedLists {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
}
