package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestAppointmentPagesInBrowser opens the appointments pages of his case
// and of hers, with an appointment on each, and the calendar page with a
// feed made, in headless Chromium with axe on each: 0 violations and no
// console errors. Planning with a bad date in the browser shows the error
// summary, still accessible.
func TestAppointmentPagesInBrowser(t *testing.T) {
	w := newWall(t, storetest.OneEngine())
	ctx := context.Background()
	if _, err := w.srv.svc.PlanCaseAppointment(ctx, w.actor("cal.manager"), w.caseID, appointment.Appointment{
		StartsAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Minutes: 30, Place: appointment.Office, With: "him"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.svc.PlanVictimAppointment(ctx, w.actor("ida.idva"), w.victimID, appointment.Appointment{
		StartsAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Minutes: 30, Place: appointment.Phone}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.svc.NewCalendarFeed(ctx, w.actor("cal.manager")); err != nil {
		t.Fatal(err)
	}
	cp := "/cases/" + strconv.FormatInt(w.caseID, 10) + "/appointments"
	for _, tc := range []struct {
		who, path, says string
		submit          bool
	}{
		{"cal.manager", cp, "Wednesday 25 November 2026 at 9am", false},
		{"cal.manager", cp, "There is a problem", true},
		{"ida.idva", "/victims/" + strconv.FormatInt(w.victimID, 10) + "/appointments", "Thursday 26 November 2026 at 9am", false},
		{"cal.manager", "/account/calendar", "You have a calendar address", false},
	} {
		b := browsertest.New(t)
		if _, err := b.Navigate(w.ts.URL + "/signin"); err != nil {
			t.Fatal(err)
		}
		if err := b.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "drive_session", Value: w.users[tc.who].session, URL: w.ts.URL + "/"})
			return err
		})); err != nil {
			t.Fatal(err)
		}
		status, err := b.Navigate(w.ts.URL + tc.path)
		if err != nil || status != 200 {
			t.Fatalf("%s as %s: %d %v", tc.path, tc.who, status, err)
		}
		if tc.submit {
			if status, err := b.Submit(`form[action$="/appointments"] button[type=submit]`); err != nil || status != 422 {
				t.Fatalf("planning with no date: %d %v", status, err)
			}
		}
		html, _ := b.HTML()
		if !strings.Contains(html, tc.says) {
			t.Errorf("%s does not say %q", tc.path, tc.says)
		}
		b.AssertAccessible(t)
		b.AssertNoConsoleErrors(t)
	}
}
