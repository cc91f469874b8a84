package web

import (
	"sort"
	"strconv"
	"time"

	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
)

// timelineItem is one entry of the case timeline (MOJ timeline pattern).
type timelineItem struct {
	At    time.Time
	Title string
	Body  string
	By    string
	// NoteID is set for notes, so a correction can point at them.
	NoteID  int64
	Amends  int64
	Amended bool
}

// timeline merges everything that happened to a case, newest first.
func timeline(v *service.CaseView) []timelineItem {
	var items []timelineItem
	for _, h := range v.History {
		title := h.ToState.Label()
		switch h.Event {
		case "referred":
			title = "Referred"
		case "engagement":
			title = "Engagement changed"
		case casework.Escalated:
			title = "Escalated: referred on"
		case casework.EscalatedFrom:
			title = "Referred on escalation"
		case service.TrialAllocationEvent:
			title = "Allocated by the trial"
		default:
			if t, ok := casework.Find(h.FromState, casework.Event(h.Event)); ok {
				title = t.Label
			}
		}
		items = append(items, timelineItem{At: h.At, Title: title, Body: h.Detail, By: v.Users[h.UserID]})
	}
	for _, c := range v.Contacts {
		items = append(items, timelineItem{At: c.On.Time().Add(12 * time.Hour), Title: c.Kind.Label() + method(c.Method), Body: c.Summary, By: v.Users[c.CreatedBy]})
	}
	for _, r := range v.Reviews {
		items = append(items, timelineItem{At: r.On.Time().Add(12 * time.Hour), Title: "Case review: risk " + r.RiskChange, Body: r.Summary, By: v.Users[r.CreatedBy]})
	}
	amended := map[int64]bool{}
	for _, n := range v.Notes {
		if n.Amends != 0 {
			amended[n.Amends] = true
		}
	}
	for _, n := range v.Notes {
		title := "Note"
		if n.Amends != 0 {
			title = "Correction to note " + strconv.FormatInt(n.Amends, 10)
		}
		items = append(items, timelineItem{At: n.CreatedAt, Title: title, Body: n.Text, By: v.Users[n.CreatedBy], NoteID: n.ID, Amends: n.Amends, Amended: amended[n.ID]})
	}
	for _, a := range v.Actions {
		label := a.Type
		if t, ok := v.Programme.Action(a.Type); ok {
			label = t.Label
		}
		items = append(items, timelineItem{At: a.CreatedAt, Title: programme.ProngLabel(a.Prong) + " action added: " + label, Body: "Owner: " + a.Owner + ". Due " + a.DueOn.Display() + ".", By: v.Users[a.CreatedBy]})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.After(items[j].At) })
	return items
}

func method(m string) string {
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}
