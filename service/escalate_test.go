package service_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestEscalateRestartToDrive: a Restart case linked to her, with a history
// entry held back for her review, is escalated by its case manager. In one
// transaction the Restart case closes as escalated and a Drive referral of
// the same person opens, linked to her with her MARAC hearing, its history
// opening with the escalation and carrying the Restart case's, the held
// entry still held; both are audited. Refusals write nothing.
func TestEscalateRestartToDrive(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			cm, lead, other := w.actor(t, "cm"), w.actor(t, "lead"), w.actor(t, "otherCM")
			restart := w.heldCase(t, "restart", now.AddDate(0, 0, -20))
			hearing := drive.DateOf(now).AddDays(-30)
			var heldEntry int64
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.LinkVictim(ctx, victim.Link{VictimCaseID: w.victimID, PerpetratorCase: restart, Relationship: victim.ExPartner,
					MARACDates: []drive.Date{hearing}}); err != nil {
					return err
				}
				h := &casework.HistoryEntry{CaseID: restart, UserID: w.users["cm"].ID, Event: "engagement", FromState: casework.Active,
					ToState: casework.Active, Detail: "Seen near " + herPostcode, SiteID: w.siteA.ID}
				if err := tx.AddHistory(ctx, h); err != nil {
					return err
				}
				heldEntry = h.ID
				return tx.HoldText(ctx, &victim.HeldText{CaseID: restart, SiteID: w.siteA.ID, RecordType: victim.HeldHistory, RecordID: h.ID,
					VictimCaseID: w.victimID, AuthorID: w.users["cm"].ID})
			})
			if err != nil {
				t.Fatal(err)
			}

			v, err := w.svc.CasePage(ctx, cm, restart)
			if err != nil {
				t.Fatal(err)
			}
			if v.EscalateTo == nil || v.EscalateTo.Code != "drive" {
				t.Errorf("Restart case page offers escalation to %v; want Drive", v.EscalateTo)
			}
			if v, err := w.svc.CasePage(ctx, cm, w.caseID); err != nil || v.EscalateTo != nil {
				t.Errorf("Drive case page offers escalation to %v (%v); want none", v.EscalateTo, err)
			}

			before := w.state(t)
			for _, tc := range []struct {
				name string
				a    string
				id   int64
				why  string
				code string
			}{
				{"no reasons", "cm", restart, "  ", drive.EINVALID},
				{"a Drive case", "cm", w.caseID, "Risk up", drive.EINVALID},
				{"another site's case manager", "otherCM", restart, "Risk up", drive.ENOTFOUND},
			} {
				a := cm
				if tc.a == "otherCM" {
					a = other
				}
				if _, err := w.svc.Escalate(ctx, a, tc.id, tc.why); drive.ErrorCode(err) != tc.code {
					t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
				}
			}
			// A refused attempt by someone who may not see the case is
			// recorded as a denial; nothing else may change.
			if after := w.state(t); stripAudit(after) != stripAudit(before) {
				t.Errorf("a refused escalation wrote:\n%s\nwant\n%s", after, before)
			}

			seq := w.head(t)
			newID, err := w.svc.Escalate(ctx, cm, restart, "New incident with a weapon; DASH now 17")
			if err != nil {
				t.Fatal(err)
			}
			var old, ref *casework.Case
			var oldHistory, newHistory []casework.HistoryEntry
			var links []victim.Link
			var held []victim.HeldText
			err = w.db.View(ctx, func(tx *store.Tx) error {
				var err error
				if old, err = tx.Case(ctx, restart); err != nil {
					return err
				}
				if ref, err = tx.Case(ctx, newID); err != nil {
					return err
				}
				if oldHistory, err = tx.History(ctx, restart); err != nil {
					return err
				}
				if newHistory, err = tx.History(ctx, newID); err != nil {
					return err
				}
				if links, err = tx.CaseVictimLinks(ctx, newID); err != nil {
					return err
				}
				held, err = tx.CaseHeldTexts(ctx, newID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if old.State != casework.Closed || old.ClosureReason != casework.EscalatedToDrive {
				t.Errorf("Restart case is %s (%q); want closed as escalated", old.State, old.ClosureReason)
			}
			if ref.Programme != "drive" || ref.State != casework.Referred || ref.PersonID != w.personID || ref.SiteID != w.siteA.ID ||
				ref.ReferredBy != w.users["cm"].ID || !strings.HasPrefix(ref.Summary, "Escalated from Restart case "+strconv.FormatInt(restart, 10)) {
				t.Errorf("referral = %+v", ref)
			}
			if len(links) != 1 || links[0].VictimCaseID != w.victimID || !slices.Equal(links[0].MARACDates, []drive.Date{hearing}) {
				t.Errorf("referral's links = %+v; want her, with her hearing", links)
			}
			last := oldHistory[len(oldHistory)-1]
			if last.Event != casework.Escalated || !strings.Contains(last.Detail, "referral case "+strconv.FormatInt(newID, 10)) {
				t.Errorf("Restart case's last entry = %+v", last)
			}
			// Every entry of the Restart case before the escalation, then the
			// escalation itself.
			if len(newHistory) != len(oldHistory) {
				t.Fatalf("referral has %d history entries; want %d", len(newHistory), len(oldHistory))
			}
			var copyOfHeld int64
			for _, h := range newHistory {
				if strings.Contains(h.Detail, herPostcode) {
					copyOfHeld = h.ID
				}
			}
			if copyOfHeld == 0 || copyOfHeld == heldEntry {
				t.Fatal("the held entry was not carried")
			}
			if !slices.ContainsFunc(held, func(h victim.HeldText) bool {
				return h.RecordType == victim.HeldHistory && h.RecordID == copyOfHeld && h.VictimCaseID == w.victimID && h.Status == victim.Withheld
			}) {
				t.Errorf("the carried entry is not held for her: %+v", held)
			}
			var writes []string
			for _, ev := range w.events(t, seq) {
				if ev.Action == audit.ActionRecordWrite {
					writes = append(writes, ev.RecordType+" "+ev.RecordID)
				}
			}
			if want := []string{"case " + strconv.FormatInt(newID, 10), "case " + strconv.FormatInt(restart, 10)}; !slices.Equal(writes, want) {
				t.Errorf("writes audited %v; want %v", writes, want)
			}

			// The team leader reads the referral: it says where it came
			// from, and the carried entry stays withheld.
			page, err := w.svc.CasePage(ctx, lead, newID)
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			for _, h := range page.History {
				text.WriteString(h.Detail + "\n")
			}
			if !strings.Contains(text.String(), "Escalated from Restart case "+strconv.FormatInt(restart, 10)) {
				t.Errorf("referral history does not say where it came from:\n%s", text.String())
			}
			if strings.Contains(text.String(), herPostcode) {
				t.Errorf("referral history shows her postcode to the team leader:\n%s", text.String())
			}
			if _, err := w.svc.Escalate(ctx, cm, restart, "again"); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("escalating a closed case: %v; want invalid", err)
			}
		})
	}
}

// stripAudit drops the audit log's length from a state: a refusal of a
// hidden record is audited as a denial, and nothing else may change.
func stripAudit(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}
