package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/voice"
)

// AddReportedOutcome stores what she reported at a time point on her IDVA
// case and sets o.ID. Errors: EINVALID (voice.Outcome.Validate),
// ENOTFOUND for a case that does not exist.
func (tx *Tx) AddReportedOutcome(ctx context.Context, o *voice.Outcome) error {
	if err := o.Validate(drive.DateOf(tx.Now)); err != nil {
		return err
	}
	if _, ok, err := tx.victimCaseSite(ctx, o.VictimCaseID); err != nil {
		return err
	} else if !ok {
		return drive.NotFound("victim-survivor's case")
	}
	if (o.Source == voice.FromIDVA) != (o.RecordedBy != 0) {
		return drive.Invalid(voice.MsgCheckAnswers, map[string]string{"source": "Answers an IDVA recorded name the IDVA; answers given with a code name no one"})
	}
	id, err := tx.insert(ctx, `INSERT INTO victim_reported_outcomes (victim_case_id, time_point, reported_on, source, physical, sexual, stalking,
		controlling, feels_safe, quality_of_life, confidence, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.VictimCaseID, o.TimePoint, o.ReportedOn, string(o.Source), string(o.Physical), string(o.Sexual), string(o.Stalking), string(o.Controlling),
		o.FeelsSafe, o.QualityOfLife, o.Confidence, optID(o.RecordedBy), tx.Now)
	o.ID = id
	return err
}

// ReportedOutcomes returns her reported outcomes, oldest first.
func (tx *Tx) ReportedOutcomes(ctx context.Context, victimCaseID int64) ([]voice.Outcome, error) {
	rows, err := tx.query(ctx, `SELECT id, victim_case_id, time_point, reported_on, source, physical, sexual, stalking, controlling,
		feels_safe, quality_of_life, confidence, coalesce(recorded_by, 0) FROM victim_reported_outcomes WHERE victim_case_id = ? ORDER BY reported_on, id`, victimCaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []voice.Outcome
	for rows.Next() {
		var o voice.Outcome
		var src, p, s, st, c string
		if err := rows.Scan(&o.ID, &o.VictimCaseID, &o.TimePoint, &o.ReportedOn, &src, &p, &s, &st, &c, &o.FeelsSafe, &o.QualityOfLife, &o.Confidence, &o.RecordedBy); err != nil {
			return nil, tx.d.mapError(err)
		}
		o.Source, o.Physical, o.Sexual, o.Stalking, o.Controlling = voice.Source(src), voice.Happened(p), voice.Happened(s), voice.Happened(st), voice.Happened(c)
		out = append(out, o)
	}
	return out, tx.d.mapError(rows.Err())
}

// SiteReportedOutcomes returns the reported outcomes of every
// victim-survivor's case at the sites, for the outcome reports.
func (tx *Tx) SiteReportedOutcomes(ctx context.Context, siteIDs []int64) ([]voice.Outcome, []int64, error) {
	if len(siteIDs) == 0 {
		return nil, nil, nil
	}
	rows, err := tx.query(ctx, `SELECT r.victim_case_id, r.time_point, r.reported_on, r.physical, r.sexual, r.stalking, r.controlling, r.feels_safe, v.site_id
		FROM victim_reported_outcomes r JOIN victim_cases v ON v.id = r.victim_case_id
		WHERE v.site_id IN (`+placeholders(len(siteIDs))+`) ORDER BY r.victim_case_id, r.reported_on, r.id`, int64Args(siteIDs)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []voice.Outcome
	var sites []int64
	for rows.Next() {
		var o voice.Outcome
		var p, s, st, c string
		var site int64
		if err := rows.Scan(&o.VictimCaseID, &o.TimePoint, &o.ReportedOn, &p, &s, &st, &c, &o.FeelsSafe, &site); err != nil {
			return nil, nil, tx.d.mapError(err)
		}
		o.Physical, o.Sexual, o.Stalking, o.Controlling = voice.Happened(p), voice.Happened(s), voice.Happened(st), voice.Happened(c)
		out = append(out, o)
		sites = append(sites, site)
	}
	return out, sites, tx.d.mapError(rows.Err())
}

// FeedbackCode is a one-time code as stored: its hash and what it is for.
type FeedbackCode struct {
	ID           int64
	Hash         string
	VictimCaseID int64
	SiteID       int64
	TimePoint    string
	IssuedBy     int64
	IssuedAt     time.Time
	ExpiresAt    time.Time
}

// CreateFeedbackCode stores a new code's hash; the site is her case's.
// Errors: ENOTFOUND for no such case, EINVALID for a bad hash or time
// point, ECONFLICT if the hash is already stored.
func (tx *Tx) CreateFeedbackCode(ctx context.Context, c *FeedbackCode) error {
	site, ok, err := tx.victimCaseSite(ctx, c.VictimCaseID)
	if err != nil {
		return err
	}
	if !ok {
		return drive.NotFound("victim-survivor's case")
	}
	if len(c.Hash) != 64 || !voice.ValidTimePoint(c.TimePoint) || !c.ExpiresAt.After(tx.Now) {
		return drive.Invalid("Check the code", map[string]string{"time_point": voice.MsgTimePoint})
	}
	c.SiteID, c.IssuedAt = site, tx.Now
	c.ID, err = tx.insert(ctx, `INSERT INTO feedback_codes (code_hash, victim_case_id, site_id, time_point, issued_by, issued_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Hash, c.VictimCaseID, c.SiteID, c.TimePoint, c.IssuedBy, c.IssuedAt, c.ExpiresAt.UTC())
	return err
}

// FeedbackCodeByHash returns the live code with that hash. Errors:
// ENOTFOUND when there is none, it was used, or it has expired (the same
// answer for each).
func (tx *Tx) FeedbackCodeByHash(ctx context.Context, hash string) (*FeedbackCode, error) {
	c := &FeedbackCode{}
	err := tx.queryRow(ctx, `SELECT id, code_hash, victim_case_id, site_id, time_point, issued_by, issued_at, expires_at
		FROM feedback_codes WHERE code_hash = ? AND expires_at > ?`, hash, tx.Now).
		Scan(&c.ID, &c.Hash, &c.VictimCaseID, &c.SiteID, &c.TimePoint, &c.IssuedBy, &c.IssuedAt, &c.ExpiresAt)
	if err != nil {
		return nil, tx.scanErr(err, "code")
	}
	c.IssuedAt, c.ExpiresAt = c.IssuedAt.UTC(), c.ExpiresAt.UTC()
	return c, nil
}

// UseFeedbackCode deletes the live code with that hash and returns it, so
// a code works once even when two answers race. Errors: ENOTFOUND as for
// FeedbackCodeByHash.
func (tx *Tx) UseFeedbackCode(ctx context.Context, hash string) (*FeedbackCode, error) {
	c := &FeedbackCode{}
	err := tx.queryRow(ctx, `DELETE FROM feedback_codes WHERE code_hash = ? AND expires_at > ?
		RETURNING id, code_hash, victim_case_id, site_id, time_point, issued_by, issued_at, expires_at`, hash, tx.Now).
		Scan(&c.ID, &c.Hash, &c.VictimCaseID, &c.SiteID, &c.TimePoint, &c.IssuedBy, &c.IssuedAt, &c.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, drive.NotFound("code")
	}
	if err != nil {
		return nil, tx.d.mapError(err)
	}
	return c, nil
}

// DeleteExpiredFeedbackCodes removes codes past their expiry and returns
// how many.
func (tx *Tx) DeleteExpiredFeedbackCodes(ctx context.Context) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM feedback_codes WHERE expires_at <= ?`, tx.Now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// AnonymousOutcome is her answers given anonymously, as kept: the site and
// the month only.
type AnonymousOutcome struct {
	SiteID  int64
	Month   string
	Outcome voice.Outcome // only TimePoint, the answers and the scales are kept
}

// AddAnonymousOutcome stores answers given anonymously. Errors: EINVALID.
func (tx *Tx) AddAnonymousOutcome(ctx context.Context, siteID int64, month string, o voice.Outcome) error {
	if err := o.Validate(drive.DateOf(tx.Now)); err != nil {
		return err
	}
	if len(month) != 7 {
		return drive.Invalid(voice.MsgCheckAnswers, map[string]string{"month": "Give the month as YYYY-MM"})
	}
	_, err := tx.exec(ctx, `INSERT INTO anonymous_outcomes (site_id, month, time_point, physical, sexual, stalking, controlling, feels_safe, quality_of_life, confidence)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, siteID, month, o.TimePoint, string(o.Physical), string(o.Sexual), string(o.Stalking), string(o.Controlling),
		o.FeelsSafe, o.QualityOfLife, o.Confidence)
	return err
}

// AnonymousOutcomes returns the anonymous answers at the sites.
func (tx *Tx) AnonymousOutcomes(ctx context.Context, siteIDs []int64) ([]AnonymousOutcome, error) {
	if len(siteIDs) == 0 {
		return nil, nil
	}
	rows, err := tx.query(ctx, `SELECT site_id, month, time_point, physical, sexual, stalking, controlling, feels_safe, quality_of_life, confidence
		FROM anonymous_outcomes WHERE site_id IN (`+placeholders(len(siteIDs))+`) ORDER BY site_id, month`, int64Args(siteIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AnonymousOutcome
	for rows.Next() {
		var a AnonymousOutcome
		var p, s, st, c string
		o := &a.Outcome
		if err := rows.Scan(&a.SiteID, &a.Month, &o.TimePoint, &p, &s, &st, &c, &o.FeelsSafe, &o.QualityOfLife, &o.Confidence); err != nil {
			return nil, tx.d.mapError(err)
		}
		o.Physical, o.Sexual, o.Stalking, o.Controlling = voice.Happened(p), voice.Happened(s), voice.Happened(st), voice.Happened(c)
		o.Source = voice.FromHerself
		out = append(out, a)
	}
	return out, tx.d.mapError(rows.Err())
}

// StoredViews is her views of the service as kept: the free text sealed.
type StoredViews struct {
	SiteID  int64
	Month   string
	Ratings map[string]voice.Rating
	Text    SealedValue // zero when she wrote none
}

// AddServiceViews stores her views of the service under id (drawn at
// random by the caller, so that ids say nothing of order), the free text
// already sealed (the zero SealedValue for none). Errors: EINVALID,
// ECONFLICT for an id already used.
func (tx *Tx) AddServiceViews(ctx context.Context, id int64, v voice.Views, text SealedValue) error {
	if id <= 0 {
		return drive.Invalid(voice.MsgCheckAnswers, map[string]string{"id": "Give the views a positive id"})
	}
	if err := v.Validate(); err != nil {
		return err
	}
	var data, key any
	if len(text.Data) > 0 {
		if err := text.check("free text"); err != nil {
			return err
		}
		data, key = text.Data, text.KeyID
	}
	_, err := tx.exec(ctx, `INSERT INTO service_views (id, site_id, month, listened, safer, helped, text, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, v.SiteID, v.Month, string(v.Ratings["listened"]), string(v.Ratings["safer"]), string(v.Ratings["helped"]), data, key)
	return err
}

// ServiceViews returns the views given at the sites, by site and month.
func (tx *Tx) ServiceViews(ctx context.Context, siteIDs []int64) ([]StoredViews, error) {
	if len(siteIDs) == 0 {
		return nil, nil
	}
	rows, err := tx.query(ctx, `SELECT site_id, month, listened, safer, helped, text, coalesce(key_id, '')
		FROM service_views WHERE site_id IN (`+placeholders(len(siteIDs))+`) ORDER BY site_id, month`, int64Args(siteIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredViews
	for rows.Next() {
		var v StoredViews
		var l, s, r string
		if err := rows.Scan(&v.SiteID, &v.Month, &l, &s, &r, &v.Text.Data, &v.Text.KeyID); err != nil {
			return nil, tx.d.mapError(err)
		}
		v.Ratings = map[string]voice.Rating{"listened": voice.Rating(l), "safer": voice.Rating(s), "helped": voice.Rating(r)}
		out = append(out, v)
	}
	return out, tx.d.mapError(rows.Err())
}

// CodeFailures counts the wrong codes tried on the survivor route since
// the given time: mine, those tried by any of tryers (the keyed names of
// one person's address in this window and the last), and all, whoever
// tried them.
func (tx *Tx) CodeFailures(ctx context.Context, since time.Time, tryers ...string) (mine, all int, err error) {
	if err := tx.queryRow(ctx, `SELECT count(*) FROM feedback_code_failures WHERE tried_at > ?`, since).Scan(&all); err != nil {
		return 0, 0, tx.d.mapError(err)
	}
	for _, t := range tryers {
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM feedback_code_failures WHERE tryer = ? AND tried_at > ?`, t, since).Scan(&n); err != nil {
			return 0, 0, tx.d.mapError(err)
		}
		mine += n
	}
	return mine, all, nil
}

// AddCodeFailure records that tryer (a keyed name of an address, never
// the address) tried a wrong code now, and forgets those tried before
// forgetBefore: the table says how many tries were wrong, and by whom only
// to one who holds the service's key, for one window.
func (tx *Tx) AddCodeFailure(ctx context.Context, forgetBefore time.Time, tryer string) error {
	if _, err := tx.exec(ctx, `DELETE FROM feedback_code_failures WHERE tried_at <= ?`, forgetBefore); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO feedback_code_failures (tried_at, tryer) VALUES (?, ?)`, tx.Now, tryer)
	return err
}
