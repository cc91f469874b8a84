package web

import (
	"fmt"
	"github.com/drive-platform/drive"
	"net/http"
	"time"

	"github.com/drive-platform/drive/service"
)

// feedsData is the /feeds page: each site's feeds, when each last
// delivered and what it brought, and the site's latest inbox files. It
// holds counts, times and problems by line and column: nothing about a
// person.
type feedsData struct {
	Sites []feedsSite
}

type feedsSite struct {
	Code, Name string
	Feeds      []feedRow
	Folders    []folderRow
	Inbox      []deliveryRow
}

// folderRow is one inbox folder the server watches for silence.
type folderRow struct {
	Folder, Every, Since string
	Last                 *deliveryRow
	Silent               bool
}

type feedRow struct {
	Name, Every string
	Last        *deliveryRow
	Silent      bool
	Failing     bool
}

type deliveryRow struct {
	When, Kind, Status, Read, From string
	Rows, New, Skipped, Problems   int
}

// feedsPage shows the feeds of the sites where the user may read police
// intelligence (analysts and team leaders).
func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request) error {
	sites, err := s.svc.FeedsWatch(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d := &feedsData{}
	for _, site := range sites {
		fs := feedsSite{Code: site.SiteCode, Name: site.SiteName}
		for _, f := range site.Feeds {
			row := feedRow{Name: f.Name, Every: every(f.Interval), Silent: f.Silent, Failing: f.Failing}
			if f.Last != nil {
				last := delivery(f.Last)
				row.Last = &last
			}
			fs.Feeds = append(fs.Feeds, row)
		}
		for _, f := range site.Folders {
			row := folderRow{Folder: site.SiteCode + "/" + f.Kind, Every: every(f.Interval), Since: drive.DisplayTime(f.FirstSeenAt), Silent: f.Silent}
			if f.Last != nil {
				last := delivery(f.Last)
				row.Last = &last
			}
			fs.Folders = append(fs.Folders, row)
		}
		for _, j := range site.Inbox {
			fs.Inbox = append(fs.Inbox, delivery(j))
		}
		d.Sites = append(d.Sites, fs)
	}
	return s.render(w, r, http.StatusOK, "feeds", s.page(r, "Feeds", d))
}

func delivery(j *service.ImportJob) deliveryRow {
	return deliveryRow{When: drive.DisplayTime(j.CreatedAt), Kind: j.Kind, Status: j.Status, Read: j.Encoding, From: j.InboxPath,
		Rows: j.Rows, New: j.New, Skipped: j.Skipped, Problems: len(j.Problems)}
}

func every(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d hours", d/time.Hour)
}
