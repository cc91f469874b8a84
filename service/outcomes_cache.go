package service

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drive-platform/drive/outcomes"
)

// ReportCache keeps computed outcome reports for a short while. A national
// report reads every case in the country (100,000 and more) and computes
// nine reports for its trends: seconds of work whose answer changes only
// as slowly as assessments are recorded, and whose figures describe whole
// quarters. The cache holds the figures, never a person-level row, keyed
// by everything that decides them (sites, region, programme, period,
// breakdown, trend periods and the day they are computed for), so two
// actors share an entry only when they asked for the same figures. Access
// is decided and audited on every request before the cache is consulted:
// a cached report is never handed to someone who may not read its sites.
type ReportCache struct {
	// TTL is how long a report is served before it is computed again.
	TTL time.Duration

	mu   sync.Mutex
	m    map[string]cachedReport
	hits int
}

// Hits counts the requests served from the cache, for tests and metrics.
func (c *ReportCache) Hits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

type cachedReport struct {
	at    time.Time
	main  *outcomes.Report
	trend []*outcomes.Report
}

// ReportCacheTTL is how long drive serve serves a computed report.
const ReportCacheTTL = 10 * time.Minute

// NewReportCache makes a cache serving reports for ttl.
func NewReportCache(ttl time.Duration) *ReportCache {
	return &ReportCache{TTL: ttl, m: map[string]cachedReport{}}
}

// maxCachedReports bounds the cache: each entry is a few hundred
// kilobytes of figures, and filters are few.
const maxCachedReports = 256

func reportKey(sites []int64, f OutcomeFilter, periods []OutcomePeriod, asOf string) string {
	ids := slices.Clone(sites)
	slices.Sort(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "%v|%s|%s|%s|%s|%v|%s", ids, f.Region, f.Programme, f.From, f.To, f.BySite, asOf)
	for _, p := range periods {
		fmt.Fprintf(&b, "|%s-%s", p.From, p.To)
	}
	return b.String()
}

// get returns a fresh entry for key at now.
func (c *ReportCache) get(key string, now time.Time) (cachedReport, bool) {
	if c == nil {
		return cachedReport{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) >= c.TTL || now.Before(e.at) {
		return cachedReport{}, false
	}
	c.hits++
	return e, true
}

// put stores an entry, dropping stale ones (and, when full, the oldest).
func (c *ReportCache) put(key string, e cachedReport) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedReport{}
	}
	for k, old := range c.m {
		if e.at.Sub(old.at) >= c.TTL {
			delete(c.m, k)
		}
	}
	if len(c.m) >= maxCachedReports {
		oldest := ""
		for k, old := range c.m {
			if oldest == "" || old.at.Before(c.m[oldest].at) {
				oldest = k
			}
		}
		delete(c.m, oldest)
	}
	c.m[key] = e
}
