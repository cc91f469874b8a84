package service

import (
	"context"
	"sort"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/suppress"
	"github.com/drive-platform/drive/voice"
)

// ViewsReport is what survivors have told the service, per site: counts
// published by the outcome reports' rules (outcomes.PublishCount: 1 to 7
// withheld, the rest rounded to 5, so a count does not move by one when
// one woman answers), and (for the site's own IDVA service only) the free
// text.
type ViewsReport struct {
	Sites     []SiteViews
	Threshold int
}

// SiteViews is one site's part of the report.
type SiteViews struct {
	SiteID    int64
	SiteName  string
	Responses outcomes.Count
	// Questions has one row per voice.ServiceQuestions entry: the counts
	// of yes, partly and no, and their total.
	Questions []RatingRow
	// Anonymous counts the answers about her safety given anonymously,
	// and for each kind how many said it had happened since last time.
	Anonymous outcomes.Count
	Happened  []KindCount
	// Texts is the free text, newest month first; only for the site's
	// own IDVA service, nil for everyone else.
	Texts []ViewText
	// ShowsText says the reader is the site's IDVA service (Texts may
	// still be empty).
	ShowsText bool
}

// RatingRow is the counts for one service question.
type RatingRow struct {
	Question voice.ServiceQuestion
	Cells    []outcomes.Count // yes, partly, no
	Total    outcomes.Count
}

// KindCount is how many anonymous answers said a kind had happened.
type KindCount struct {
	Kind voice.Kind
	Yes  outcomes.Count
}

// ViewText is one piece of free text, with only the month it was given.
type ViewText struct {
	Month string
	Text  string
}

// idvaServiceAt reports whether the actor works for an IDVA service at the
// site, as an IDVA or its team leader.
func idvaServiceAt(a Actor, siteID int64) bool {
	if a.Subject.OrganisationKind != access.IDVAService {
		return false
	}
	for _, g := range a.Subject.Grants {
		if g.SiteID == siteID && (g.Role == access.IDVA || g.Role == access.TeamLeader) {
			return true
		}
	}
	return false
}

// national reports whether the actor holds the national team's role.
func national(a Actor) bool {
	for _, g := range a.Subject.Grants {
		if g.Role == access.National {
			return true
		}
	}
	return false
}

// ServiceViews reports what survivors have told the service: for the
// staff of an IDVA service, their own sites, with the free text; for the
// national team, every site, counts only. Nobody else may see it, on the
// perpetrator side or not (ENOTFOUND), so no perpetrator-side page learns
// that anyone answered. Counts from 1 to the suppression threshold are
// withheld. The read is audited.
func (s *Service) ServiceViews(ctx context.Context, a Actor) (*ViewsReport, error) {
	out := &ViewsReport{Threshold: suppress.DefaultThreshold}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		nat := national(a)
		var ids []int64
		names := map[int64]string{}
		for _, st := range sites {
			if nat || idvaServiceAt(a, st.ID) {
				ids = append(ids, st.ID)
				names[st.ID] = st.Name
			}
		}
		if len(ids) == 0 {
			return drive.NotFound("page")
		}
		views, err := tx.ServiceViews(ctx, ids)
		if err != nil {
			return err
		}
		anon, err := tx.AnonymousOutcomes(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			sv := SiteViews{SiteID: id, SiteName: names[id], ShowsText: idvaServiceAt(a, id)}
			n, anonN := 0, 0
			ratings := map[string][3]int{}
			for _, v := range views {
				if v.SiteID != id {
					continue
				}
				n++
				for code, r := range v.Ratings {
					c := ratings[code]
					switch r {
					case voice.RatingYes:
						c[0]++
					case voice.RatingPartly:
						c[1]++
					case voice.RatingNo:
						c[2]++
					}
					ratings[code] = c
				}
				if sv.ShowsText && len(v.Text.Data) > 0 {
					plain, err := s.open(v.Text, aadServiceViews(id))
					if err != nil {
						return err
					}
					sv.Texts = append(sv.Texts, ViewText{Month: v.Month, Text: string(plain)})
				}
			}
			sort.SliceStable(sv.Texts, func(i, j int) bool { return sv.Texts[i].Month > sv.Texts[j].Month })
			sv.Responses = outcomes.PublishCount(n, out.Threshold)
			for _, q := range voice.ServiceQuestions() {
				c := ratings[q.Code]
				row := RatingRow{Question: q, Total: outcomes.PublishCount(c[0]+c[1]+c[2], out.Threshold)}
				for _, n := range c {
					row.Cells = append(row.Cells, outcomes.PublishCount(n, out.Threshold))
				}
				sv.Questions = append(sv.Questions, row)
			}
			yes := map[string]int{}
			for _, ao := range anon {
				if ao.SiteID != id {
					continue
				}
				anonN++
				for _, k := range voice.Kinds() {
					if ao.Outcome.Answer(k.Code) == voice.Yes {
						yes[k.Code]++
					}
				}
			}
			sv.Anonymous = outcomes.PublishCount(anonN, out.Threshold)
			for _, k := range voice.Kinds() {
				sv.Happened = append(sv.Happened, KindCount{Kind: k, Yes: outcomes.PublishCount(yes[k.Code], out.Threshold)})
			}
			out.Sites = append(out.Sites, sv)
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, RecordType: "service_views",
			Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "what survivors tell the service"})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
