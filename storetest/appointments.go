package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/store"
)

// RunAppointments checks the appointment and calendar feed methods: an
// appointment on a perpetrator's case and one on a victim-survivor's case
// read back as stored on their own case only; the owner's list from a
// time; a cancelled appointment is cancelled once; reminders are listed
// once in their window and not after they are marked; a database refuses
// an appointment on both kinds of case; a calendar feed is found by its
// hash, replaced by a new one and revoked.
func RunAppointments(t *testing.T, e Engine) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, FixedClock(now))
	f := NewAlertSite(t, db, "AP")
	tx := func(fn func(tx *store.Tx) error) error { return db.Transact(ctx, fn) }
	mine := appointment.Appointment{SiteID: f.Site.ID, CaseID: f.Case.ID, OwnerID: f.Manager.ID, StartsAt: now.Add(20 * time.Hour),
		Minutes: 60, Place: appointment.Office, With: "him"}
	hers := appointment.Appointment{SiteID: f.Site.ID, VictimCaseID: f.Victim.ID, OwnerID: f.IDVA.ID, StartsAt: now.Add(72 * time.Hour),
		Minutes: 30, Place: appointment.Phone, With: "her"}
	later := mine
	later.StartsAt = now.Add(30 * 24 * time.Hour)
	if err := tx(func(tx *store.Tx) error {
		for _, a := range []*appointment.Appointment{&mine, &hers, &later} {
			if err := tx.CreateAppointment(ctx, a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if mine.ID == 0 || hers.ID == 0 || !mine.CreatedAt.Equal(now) {
		t.Fatalf("created: %+v %+v", mine, hers)
	}
	both := mine
	both.VictimCaseID = f.Victim.ID
	if err := tx(func(tx *store.Tx) error { return tx.CreateAppointment(ctx, &both) }); err == nil {
		t.Error("an appointment on a perpetrator's and a victim-survivor's case at once was stored")
	}
	err := db.View(ctx, func(tx *store.Tx) error {
		got, err := tx.Appointment(ctx, hers.ID)
		if err != nil {
			return err
		}
		if got.VictimCaseID != f.Victim.ID || got.CaseID != 0 || !got.StartsAt.Equal(hers.StartsAt) || got.Place != appointment.Phone || got.With != "her" ||
			got.Minutes != 30 || got.OwnerID != f.IDVA.ID || got.CancelledAt != nil {
			t.Errorf("read back: %+v", got)
		}
		if _, err := tx.Appointment(ctx, 999999); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("a missing appointment: %v", err)
		}
		cs, err := tx.CaseAppointments(ctx, f.Case.ID)
		if err != nil {
			return err
		}
		if len(cs) != 2 || cs[0].ID != mine.ID || cs[1].ID != later.ID {
			t.Errorf("the case's appointments: %+v", cs)
		}
		vs, err := tx.VictimAppointments(ctx, f.Victim.ID)
		if err != nil {
			return err
		}
		if len(vs) != 1 || vs[0].ID != hers.ID {
			t.Errorf("her case's appointments: %+v", vs)
		}
		if other, err := tx.CaseAppointments(ctx, f.Other.ID); err != nil || len(other) != 0 {
			t.Errorf("another case's appointments: %+v %v", other, err)
		}
		own, err := tx.OwnerAppointments(ctx, f.Manager.ID, now.Add(21*time.Hour), 10)
		if err != nil {
			return err
		}
		// The first is still on an hour after it starts, so it is listed.
		if len(own) != 2 || own[0].ID != mine.ID {
			t.Errorf("the owner's from a time: %+v", own)
		}
		if own, err = tx.OwnerAppointments(ctx, f.Manager.ID, now, 1); err != nil || len(own) != 1 {
			t.Errorf("the owner's, limited: %+v %v", own, err)
		}
		due, err := tx.AppointmentsToRemind(ctx, now.Add(appointment.ReminderLead))
		if err != nil {
			return err
		}
		if len(due) != 1 || due[0].ID != mine.ID {
			t.Errorf("to remind: %+v", due)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx *store.Tx) error { return tx.MarkReminded(ctx, []int64{mine.ID}) }); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx *store.Tx) error { return tx.CancelAppointment(ctx, later.ID) }); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx *store.Tx) error { return tx.CancelAppointment(ctx, later.ID) }); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("cancelling twice: %v", err)
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		due, err := tx.AppointmentsToRemind(ctx, now.Add(60*24*time.Hour))
		if err != nil {
			return err
		}
		if len(due) != 1 || due[0].ID != hers.ID {
			t.Errorf("to remind after one was reminded and one cancelled: %+v", due)
		}
		got, err := tx.Appointment(ctx, later.ID)
		if err != nil || got.CancelledAt == nil || !got.CancelledAt.Equal(now) {
			t.Errorf("cancelled: %+v %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	h1, h2 := sha256.Sum256([]byte("drv_c_one")), sha256.Sum256([]byte("drv_c_two"))
	err = db.View(ctx, func(tx *store.Tx) error {
		if at, err := tx.CalendarFeed(ctx, f.Manager.ID); err != nil || at != nil {
			t.Errorf("no feed yet: %v %v", at, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx *store.Tx) error { return tx.SetCalendarFeed(ctx, f.Manager.ID, h1[:]) }); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx *store.Tx) error { return tx.SetCalendarFeed(ctx, f.Manager.ID, h2[:]) }); err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.CalendarFeedUser(ctx, h1[:]); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("a replaced feed's address: %v", err)
		}
		if u, err := tx.CalendarFeedUser(ctx, h2[:]); err != nil || u != f.Manager.ID {
			t.Errorf("the feed's user: %d %v", u, err)
		}
		if at, err := tx.CalendarFeed(ctx, f.Manager.ID); err != nil || at == nil || !at.Equal(now) {
			t.Errorf("the feed: %v %v", at, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var had, again bool
	if err := tx(func(tx *store.Tx) error {
		var err error
		if had, err = tx.DeleteCalendarFeed(ctx, f.Manager.ID); err != nil {
			return err
		}
		again, err = tx.DeleteCalendarFeed(ctx, f.Manager.ID)
		return err
	}); err != nil || !had || again {
		t.Fatalf("revoking: %v %v %v", had, again, err)
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.CalendarFeedUser(ctx, h2[:]); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("a revoked feed's address: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
