package account

import "time"

// Alert tells data protection officers that someone used exceptional
// access: who, what kind of record, which one, and the reason they gave.
// It never carries the record's contents.
type Alert struct {
	ID         int64
	SiteID     int64 // 0: for national officers
	Kind       string
	UserID     int64
	RecordType string
	RecordID   string
	Reason     string
	CreatedAt  time.Time
	ReadAt     *time.Time
}
