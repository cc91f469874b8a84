package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
)

// A staff member's pack (docs/data-protection.md): the account (name,
// username, organisation, roles and where they are held, when it was
// made or disabled), its sign-ins, and what the audit log records the
// user did. Every other record the user touched is about someone else,
// so the pack says what kind of record it was and never which one (no
// record number but the user's own account), and never the reason a
// user typed (a break-glass or disclosure reason may name or place a
// victim-survivor). Nothing the user wrote into a case is read.

// assembleStaff builds the pack for r's member of staff.
func (s *Service) assembleStaff(ctx context.Context, tx *store.Tx, r *subjectaccess.Request) (*subjectaccess.Pack, error) {
	u, err := tx.User(ctx, r.SubjectID)
	if err != nil {
		return nil, err
	}
	pack := &subjectaccess.Pack{RequestID: r.ID, Kind: subjectaccess.Staff, Note: subjectaccess.PackNote, Generated: drive.DateOf(tx.Now).String()}
	pack.Person = [][2]string{{"Name", u.DisplayName}, {"Username", u.Username}}
	if org, err := tx.Organisation(ctx, u.OrganisationID); err == nil {
		pack.Person = append(pack.Person, [2]string{"Organisation", org.Name})
	} else if drive.ErrorCode(err) != drive.ENOTFOUND {
		return nil, err
	}
	for _, ra := range u.Roles {
		where := "national"
		if ra.SiteID != 0 {
			site, err := tx.Site(ctx, ra.SiteID)
			if err != nil {
				return nil, err
			}
			where = site.Name
		}
		pack.Person = append(pack.Person, [2]string{"Role", ra.Role.Label() + " (" + where + ")"})
	}
	pack.Person = append(pack.Person, [2]string{"Account created", drive.DateOf(u.CreatedAt).Display()})
	if u.DisabledAt != nil {
		pack.Person = append(pack.Person, [2]string{"Account disabled", drive.DateOf(*u.DisabledAt).Display()})
	}

	events, err := tx.AuditEventsBy(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	signins := subjectaccess.Section{Title: "Your sign-ins"}
	did := subjectaccess.Section{Title: "What you did, as the audit log records it"}
	own := strconv.FormatInt(u.ID, 10)
	for _, e := range events {
		shown := e
		shown.Reason = ""
		if !(e.RecordType == "user" && e.RecordID == own) {
			shown.RecordID = ""
		}
		text := audit.Sentence(shown, "You")
		if e.ActorRole != "" && e.ActorRole != "system" {
			text += fmt.Sprintf(", as %s", strings.ToLower(access.Role(e.ActorRole).Label()))
		}
		text += "."
		if e.Remote != "" {
			text += " From " + e.Remote + "."
		}
		it := subjectaccess.Item{Key: "event:" + strconv.FormatInt(e.Seq, 10), Kind: "event", On: drive.DateOf(e.At).String(), Title: e.Action, Text: text}
		if audit.IsSignIn(e.Action) {
			signins.Items = append(signins.Items, it)
		} else {
			did.Items = append(did.Items, it)
		}
	}

	seen := subjectaccess.Section{Title: "Who has seen or changed your account"}
	accountEvents, err := tx.AuditEventsFor(ctx, "user", []string{own})
	if err != nil {
		return nil, err
	}
	seen.Items = accessItems(accountEvents)
	pack.Sections = []subjectaccess.Section{signins, did, seen}
	return pack, nil
}

// staffSites is where a member of staff holds roles (0 for a role held
// nationally, or for no role at all): an officer handles the request
// only if they may at every one of them.
func staffSites(ctx context.Context, tx *store.Tx, id int64) ([]int64, error) {
	u, err := tx.User(ctx, id)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var out []int64
	for _, ra := range u.Roles {
		if !seen[ra.SiteID] {
			seen[ra.SiteID] = true
			out = append(out, ra.SiteID)
		}
	}
	if len(out) == 0 {
		out = []int64{0}
	}
	return out, nil
}
