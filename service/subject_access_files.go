package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/document"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
)

// Appointments and documents in a subject access pack
// (docs/data-protection.md): each side's pack lists its own case's
// appointments and documents, and never the other side's. An appointment
// is its time, length and kind of place, whom it was with as the worker
// wrote it, and whether it was cancelled. A document is described (its
// title, kind, size, file name, when it was attached and the role of whoever
// attached it); the file itself is listed, not copied into the pack, since a
// pack holds what Drive records as text and a scanned letter is read apart.
// Both are screened as every other free text of the pack is: a title or a
// "with" that names or places a third party is withheld whole.

// packFileNote says in every document item where the file itself is.
const packFileNote = "The file itself is listed here, not copied into this pack; a copy is sent with it on request."

// appointmentItem is one appointment as a pack item, titled title.
func appointmentItem(ap appointment.Appointment, title string) subjectaccess.Item {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, for %d minutes. %s.", ap.When(), ap.Minutes, ap.Place.Label())
	if ap.With != "" {
		fmt.Fprintf(&b, " With: %s.", ap.With)
	}
	if ap.CancelledAt != nil {
		fmt.Fprintf(&b, " Cancelled on %s.", appointment.InUK(*ap.CancelledAt).Format("2 January 2006"))
	}
	return subjectaccess.Item{Key: "appointment:" + strconv.FormatInt(ap.ID, 10), Kind: "appointment",
		On: appointment.InUK(ap.StartsAt).Format("2006-01-02"), Title: title, Text: b.String()}
}

// documentItems lists documents as pack items, titled title, each saying
// who attached it by the role they held where the document's case is,
// never by name (as the pack's record of who read it does).
func documentItems(ctx context.Context, tx *store.Tx, docs []document.Document, title string) ([]subjectaccess.Item, error) {
	roles := map[[2]int64]string{}
	var out []subjectaccess.Item
	for _, d := range docs {
		k := [2]int64{d.UploadedBy, d.SiteID}
		if _, ok := roles[k]; !ok {
			r, err := staffRoleAt(ctx, tx, d.UploadedBy, d.SiteID)
			if err != nil {
				return nil, err
			}
			roles[k] = r
		}
		text := fmt.Sprintf("%s (%s, %s), file %s. Attached by: %s. %s", d.Title, d.Kind.Label(), fileSize(d.Size), d.FileName, roles[k], packFileNote)
		out = append(out, subjectaccess.Item{Key: "document:" + strconv.FormatInt(d.ID, 10), Kind: "document",
			On: drive.DateOf(d.UploadedAt).String(), Title: title, Text: text})
	}
	return out, nil
}

// staffRoleAt names the roles a user holds at site (or nationally), for
// people: "Case manager", or "a member of staff" when they hold none
// there now.
func staffRoleAt(ctx context.Context, tx *store.Tx, userID, site int64) (string, error) {
	u, err := tx.User(ctx, userID)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return "a member of staff", nil
	}
	if err != nil {
		return "", err
	}
	var names []string
	seen := map[access.Role]bool{}
	for _, r := range u.Roles {
		if (r.SiteID == site || r.SiteID == 0) && !seen[r.Role] {
			seen[r.Role] = true
			names = append(names, r.Role.Label())
		}
	}
	if len(names) == 0 {
		return "a member of staff", nil
	}
	return strings.Join(names, " and "), nil
}

// fileSize says how large a file is, for people.
func fileSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1024*1024:
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
