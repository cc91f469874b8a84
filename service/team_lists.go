package service

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// The team dashboard's lists, by the key of their pages (/team/{list}).
const (
	TeamTransfers   = "transfers"
	TeamUnallocated = "unallocated"
	TeamOverdue     = "overdue"
	TeamNoContact   = "no-contact"
	TeamReviews     = "reviews"
	TeamAssessments = "assessments"
	TeamWithoutIDVA = "without-idva"
)

// storeTeamLists are the lists the store reads a page at a time from an
// index of the cases that can be on them. The other two (assessments,
// without an IDVA) depend on each case's assessment schedule and its
// victim-survivors, and are still worked out over the site's open cases
// and cut here.
var storeTeamLists = map[string]store.TeamList{
	TeamTransfers: store.TeamTransfers, TeamUnallocated: store.TeamUnallocated, TeamOverdue: store.TeamOverdue,
	TeamNoContact: store.TeamNoContact, TeamReviews: store.TeamReviews,
}

// TeamListPage is one page of one of the team dashboard's lists.
type TeamListPage struct {
	CasePage
	// Programmes are the site's programmes with the no-contact period
	// each case is held to, for the no-contact list's hint.
	Programmes []ProgrammeLimits
	// OverdueAssessments counts the overdue time points over every case
	// on the assessments list (zero on the others).
	OverdueAssessments int
}

// TeamList returns the page of one of a site's team dashboard lists that
// cursor starts (the first page without one; a cursor is the Next or Prev
// of a page of the same list), limit cases long (default 50, at most
// 1000), with the list's count and the cursors either side. The lists
// the store pages (transfers, unallocated, overdue, no contact, reviews)
// cost what a page shows however long the site's history; a cursor holds
// the case id alone. Transfers waiting for the site are shown only to
// those who decide them. Audited as a list. Errors: ENOTFOUND unless the
// actor may manage the site's cases, or for a list that does not exist;
// EINVALID for a cursor that is not one of ours.
func (s *Service) TeamList(ctx context.Context, a Actor, siteID int64, list, cursor string, limit int) (*TeamListPage, error) {
	sl, paged := storeTeamLists[list]
	if !paged && list != TeamAssessments && list != TeamWithoutIDVA {
		return nil, drive.NotFound("list")
	}
	cur, back, err := parseCaseCursor(cursor)
	if err != nil {
		return nil, err
	}
	order := "team:" + list
	if cur != nil && cur.Sort != order {
		cur, back = nil, false // a cursor of another list: its first page
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	if !paged {
		return s.teamListWhole(ctx, a, siteID, list, cur, back, limit)
	}
	out := &TeamListPage{}
	var page store.CasePage
	err = s.DB.Read(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.PerpetratorCase, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		if _, err := s.decide(ctx, tx, a, access.Write, r, "site"); err != nil {
			return err
		}
		run, err := tx.SiteProgrammes(ctx, siteID)
		if err != nil {
			return err
		}
		if len(run) == 0 {
			run = []*programme.Programme{programme.Drive()}
		}
		out.Programmes = limits(run)
		today := drive.DateOf(tx.Now)
		f := store.TeamListFilter{SiteID: siteID, List: sl, Limit: limit, Back: back,
			NoContactOther: today.AddDays(1 - programme.Drive().NoContactDays).Time()}
		if cur != nil {
			f.After = cur.ID
		}
		if sl == store.TeamNoContact {
			// Each case is held to its own programme's period: the
			// site's settings for the programmes it runs, the built-in
			// ones otherwise (programmes.of).
			progs := newProgrammes(tx)
			f.NoContactBefore = map[string]time.Time{}
			codes := []string{programme.Drive().Code, programme.Restart().Code}
			for _, p := range run {
				progs.add(siteID, p)
				codes = append(codes, p.Code)
			}
			for _, code := range codes {
				p, err := progs.of(ctx, siteID, code)
				if err != nil {
					return err
				}
				f.NoContactBefore[code] = today.AddDays(1 - p.NoContactDays).Time()
			}
		}
		if sl == store.TeamTransfers && !slices.ContainsFunc(a.Subject.Grants, func(g access.Grant) bool {
			return g.SiteID == siteID && slices.Contains(casework.ReceivingRoles(), g.Role)
		}) {
			// Transfers waiting for the site are for those who decide them.
			return listedIn(ctx, tx, a, "case", "team dashboard list", 0)
		}
		if page, err = tx.TeamListPage(ctx, f, today); err != nil {
			return err
		}
		return listedIn(ctx, tx, a, "case", "team dashboard list", len(page.Rows))
	})
	if err != nil {
		return nil, err
	}
	out.Rows, out.Total = caseRows(page.Rows), page.Total
	out.Next, out.Prev = teamCursors(order, page.Rows, page.More, cur != nil, back)
	return out, nil
}

// teamCursors are the cursors of the pages either side of rows, read from
// a cursor (hadCursor) forwards or back, more saying whether cases lie
// beyond them in the direction read.
func teamCursors(order string, rows []store.CaseRow, more, hadCursor, back bool) (next, prev string) {
	n := len(rows)
	if n == 0 {
		return "", ""
	}
	hasNext, hasPrev := more, hadCursor
	if back {
		hasNext, hasPrev = true, more
	}
	if hasNext {
		next = caseCursorString(store.CaseCursor{Sort: order, ID: rows[n-1].Case.ID}, false)
	}
	if hasPrev {
		prev = caseCursorString(store.CaseCursor{Sort: order, ID: rows[0].Case.ID}, true)
	}
	return next, prev
}

// teamListWhole pages one of the lists worked out over the site's open
// cases (DashboardLists), cutting it at the cursor's case.
func (s *Service) teamListWhole(ctx context.Context, a Actor, siteID int64, list string, cur *store.CaseCursor, back bool, limit int) (*TeamListPage, error) {
	d, err := s.DashboardLists(ctx, a, siteID)
	if err != nil {
		return nil, err
	}
	all := d.AssessmentsOverdue
	if list == TeamWithoutIDVA {
		all = d.WithoutIDVA
	}
	out := &TeamListPage{Programmes: d.Programmes, CasePage: CasePage{Total: len(all)}}
	if list == TeamAssessments {
		out.OverdueAssessments = d.OverdueAssessments
	}
	from, to := 0, min(limit, len(all))
	if cur != nil {
		at := slices.IndexFunc(all, func(r CaseRow) bool { return r.Case.ID == cur.ID })
		switch {
		case at < 0:
			from, to = 0, 0 // the case has left the list: an empty page
		case back:
			from, to = max(at-limit, 0), at
		default:
			from, to = at+1, min(at+1+limit, len(all))
		}
	}
	out.Rows = all[from:to]
	order := "team:" + list
	if len(out.Rows) > 0 {
		if to < len(all) {
			out.Next = caseCursorString(store.CaseCursor{Sort: order, ID: out.Rows[len(out.Rows)-1].Case.ID}, false)
		}
		if from > 0 {
			out.Prev = caseCursorString(store.CaseCursor{Sort: order, ID: out.Rows[0].Case.ID}, true)
		}
	}
	return out, nil
}
