package incident

import "time"

// SavedMapping is one of a site's named column mappings for a source
// ("Force X weekly extract", "MARAC coordinator list"), its JSON as the
// mapping file would give it. Kind is "incidents" or "marac".
type SavedMapping struct {
	ID        int64
	SiteID    int64
	Kind      string
	Name      string
	JSON      string
	UpdatedAt time.Time
}
