package service_test

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// alertWorld is an AlertSite with a service over it.
type alertWorld struct {
	*storetest.AlertSite
	db  *store.DB
	svc *service.Service
}

func newAlertWorld(t *testing.T, e storetest.Engine) *alertWorld {
	t.Helper()
	db := e.Open(t, storetest.FixedClock(now))
	return &alertWorld{AlertSite: storetest.NewAlertSite(t, db, "NTF"), db: db, svc: &service.Service{DB: db, Keys: storetest.DatabaseKeys(t)}}
}

// as is the actor of a signed-in user of the site.
func (w *alertWorld) as(u *account.User) service.Actor {
	sub := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}
	for _, r := range u.Roles {
		sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
	}
	return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: sub, Remote: "192.0.2.1"}
}

// alertHim and alertHer are the people of the site's linked case as police extracts
// name them; the postcode is his (a victim's is never read).
var (
	alertHim = incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1985-06-01"), Postcode: "NM4 2XY"}
	alertHer = incident.Person{GivenName: "Sian", FamilyName: "Marsh", DOB: drive.MustDate("1990-03-03"), Age: 36}
)

// linkFromFirstImport imports one incident of his against her, then links
// the case's person and her IDVA case to the police people it resolved,
// as an analyst confirming a suggestion would.
func (w *alertWorld) linkFromFirstImport(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	// The first extract writes them by initial and without a date of
	// birth, too little for the linker to join them to the case on its
	// own, so the links made here are the only ones.
	him, her := incident.Person{GivenName: "D", FamilyName: "Hollis"}, incident.Person{GivenName: "S", FamilyName: "Marsh"}
	if _, _, err := w.svc.ImportIncidents(ctx, service.CommandLine(), w.Site.Code, []incident.Record{
		{Ref: "FIRST", On: drive.MustDate("2026-05-01"), Type: "common_assault", Crime: true, Suspect: him, Victim: her}}, nil); err != nil {
		t.Fatal(err)
	}
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		rs, err := tx.SitePoliceIncidents(ctx, w.Site.ID, drive.Date{})
		if err != nil || len(rs) != 1 {
			t.Fatalf("incidents %+v, %v", rs, err)
		}
		if err := tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: w.Site.ID, Subject: w.Person.ID, PolicePerson: rs[0].SuspectPerson, Status: "linked", Score: 20}); err != nil {
			return err
		}
		return tx.PutPoliceLink(ctx, store.VictimSide, &store.PoliceLink{SiteID: w.Site.ID, Subject: w.Victim.ID, PolicePerson: rs[0].VictimPerson, Status: "linked", Score: 20})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *alertWorld) list(t *testing.T, u *account.User) []service.Notification {
	t.Helper()
	ns, err := w.svc.Notifications(context.Background(), w.as(u), false)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// TestPoliceAlerts checks, on both engines, who an import alerts and what
// they are told: a new incident naming the perpetrator of an open case
// (referred by MARAC, linked to police by hand) notifies his case
// manager, the site's perpetrator-side team leader and the IDVA of the
// victim-survivor linked to his case, once each, and nobody else; the
// perpetrator side is told nothing of her; importing again notifies no
// one; a MARAC hearing notifies too; the first import, before any link,
// notified no one.
func TestPoliceAlerts(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newAlertWorld(t, e)
			ctx := context.Background()
			cli := service.CommandLine()
			w.linkFromFirstImport(t)
			everyone := []*account.User{w.Manager, w.OtherManager, w.Leader, w.IDVALeader, w.IDVA, w.Analyst}
			for _, u := range everyone {
				if ns := w.list(t, u); len(ns) != 0 {
					t.Fatalf("%s was notified before any link: %+v", u.Username, ns)
				}
			}
			extract := []incident.Record{
				{Ref: "NEW1", On: drive.MustDate("2026-11-20"), Type: "abh", Crime: true, Suspect: alertHim, Victim: alertHer},
				{Ref: "NEW2", On: drive.MustDate("2026-11-21"), Type: "abh", Crime: true,
					Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}, Victim: incident.Person{GivenName: "Ann", FamilyName: "Doyle"}},
			}
			if _, _, err := w.svc.ImportIncidents(ctx, cli, w.Site.Code, extract, nil); err != nil {
				t.Fatal(err)
			}
			want := map[int64]int{w.Manager.ID: 1, w.Leader.ID: 1, w.IDVA.ID: 1}
			for _, u := range everyone {
				ns := w.list(t, u)
				if len(ns) != want[u.ID] {
					t.Errorf("%s has %d notifications, want %d: %+v", u.Username, len(ns), want[u.ID], ns)
					continue
				}
				for _, n := range ns {
					if n.Kind != service.KindPoliceIncident || n.Read {
						t.Errorf("%s: %+v", u.Username, n)
					}
					if u == w.IDVA {
						if n.VictimCaseID != w.Victim.ID || n.CaseID != 0 || n.Href() != "/victims/"+alertID(w.Victim.ID) {
							t.Errorf("the IDVA's notification %+v is not about her case", n)
						}
						continue
					}
					if n.CaseID != w.Case.ID || n.VictimCaseID != 0 || n.Href() != "/cases/"+alertID(w.Case.ID) {
						t.Errorf("%s's notification %+v is not about his case", u.Username, n)
					}
					if !strings.Contains(n.Summary, "Assault occasioning actual bodily harm on 20 November 2026 (gravity 5 of 10), recorded as a crime") {
						t.Errorf("perpetrator-side summary %q", n.Summary)
					}
					for _, leak := range []string{"Sian", "Marsh", "victim", w.Victim.GivenName, w.Victim.FamilyName} {
						if strings.Contains(n.Summary, leak) {
							t.Errorf("perpetrator-side summary %q names %q", n.Summary, leak)
						}
					}
				}
			}
			if n, err := w.svc.UnreadNotifications(ctx, w.as(w.Manager)); err != nil || n != 1 {
				t.Errorf("unread = %d, %v", n, err)
			}

			// Importing the same extract again notifies no one.
			if _, _, err := w.svc.ImportIncidents(ctx, cli, w.Site.Code, extract, nil); err != nil {
				t.Fatal(err)
			}
			if ns := w.list(t, w.Manager); len(ns) != 1 {
				t.Errorf("after importing again the manager has %d notifications", len(ns))
			}

			// A MARAC hearing for him.
			if _, _, err := w.svc.ImportMARAC(ctx, cli, w.Site.Code, []incident.Hearing{{Ref: "MX1", HeardOn: drive.MustDate("2026-11-22"), Perpetrator: alertHim, Victim: alertHer}}, nil); err != nil {
				t.Fatal(err)
			}
			ns := w.list(t, w.Manager)
			if len(ns) != 2 || ns[0].Kind != service.KindMARACHearing || !strings.Contains(ns[0].Summary, "heard at MARAC on 22 November 2026") {
				t.Errorf("after the hearing: %+v", ns)
			}
			if ns := w.list(t, w.IDVA); len(ns) != 2 || ns[0].Kind != service.KindMARACHearing {
				t.Errorf("the IDVA after the hearing: %+v", ns)
			}
			for _, u := range []*account.User{w.OtherManager, w.IDVALeader, w.Analyst} {
				if ns := w.list(t, u); len(ns) != 0 {
					t.Errorf("%s was notified: %+v", u.Username, ns)
				}
			}
		})
	}
}

func alertID(n int64) string { return strconv.FormatInt(n, 10) }

// TestNotificationsReadAndMark checks, on both engines, that the list is
// the user's own and audited, marking read works one by one and all at
// once, and nobody can reach another's notification.
func TestNotificationsReadAndMark(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newAlertWorld(t, e)
			ctx := context.Background()
			w.linkFromFirstImport(t)
			for i, ref := range []string{"A1", "A2"} {
				if _, _, err := w.svc.ImportIncidents(ctx, service.CommandLine(), w.Site.Code, []incident.Record{
					{Ref: ref, On: drive.MustDate("2026-11-20").AddDays(i), Type: "harassment", Suspect: alertHim, Victim: alertHer}}, nil); err != nil {
					t.Fatal(err)
				}
			}
			cm := w.as(w.Manager)
			ns := w.list(t, w.Manager)
			if len(ns) != 2 || !ns[0].CreatedAt.Equal(now) || !strings.Contains(ns[0].Summary, "not recorded as a crime") {
				t.Fatalf("list = %+v", ns)
			}
			var listed int
			err := w.db.View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEvents(ctx, store.AuditFilter{Limit: 50})
				for _, e := range es {
					if e.Action == "record.list" && e.RecordType == "notification" && e.ActorID == w.Manager.ID {
						listed++
					}
				}
				return err
			})
			if err != nil || listed == 0 {
				t.Errorf("the list was not audited (%d, %v)", listed, err)
			}
			if _, err := w.svc.MarkNotificationsRead(ctx, w.as(w.OtherManager), ns[0].ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("another user marking: %v; want not found", err)
			}
			if _, err := w.svc.Notifications(ctx, service.CommandLine(), false); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("the command line listing: %v; want not found", err)
			}
			if n, err := w.svc.MarkNotificationsRead(ctx, cm, ns[1].ID); err != nil || n != 1 {
				t.Errorf("mark one = %d, %v", n, err)
			}
			if unread, _ := w.svc.Notifications(ctx, cm, true); len(unread) != 1 || unread[0].ID != ns[0].ID {
				t.Errorf("unread = %+v", unread)
			}
			if n, err := w.svc.MarkNotificationsRead(ctx, cm, 0); err != nil || n != 1 {
				t.Errorf("mark all = %d, %v", n, err)
			}
			if n, err := w.svc.UnreadNotifications(ctx, cm); err != nil || n != 0 {
				t.Errorf("unread after all = %d, %v", n, err)
			}
			if n, _ := w.svc.UnreadNotifications(ctx, w.as(w.Leader)); n != 2 {
				t.Errorf("the leader's unread = %d; want 2, untouched", n)
			}
			if err := w.svc.SetNotificationEmail(ctx, cm, "not an address"); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a bad address: %v", err)
			}
		})
	}
}

// smtpSink is a tiny SMTP server on 127.0.0.1 that keeps what it is sent.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []sinkMessage
	got  chan struct{}
}

type sinkMessage struct {
	To   []string
	Data string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, got: make(chan struct{}, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 sink ready")
	var m sinkMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.To = append(m.To, strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>"))
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.Data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			m = sinkMessage{}
			say("250 kept")
			s.got <- struct{}{}
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// TestNotificationEmail checks, on both engines, that a user who gave an
// address is told by e-mail, through the configured SMTP server, that a
// notification is waiting, with nothing of what it says (no name, no case
// number, no incident); users who gave none get no e-mail. The e-mails
// are jobs queued with the notifications: nothing is sent inside the
// import, two servers draining the queue at once send each e-mail once,
// and a mail server that is down fails neither the import nor the e-mail,
// which is tried again after the queue's backoff and then sent once.
func TestNotificationEmail(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(now)
			dbs := storetest.Replicas(t, e, 2, clock.Now)
			sink := newSMTPSink(t)
			mail := &service.Mail{Addr: sink.ln.Addr().String(), From: "drive@example.org"}
			keys := storetest.DatabaseKeys(t)
			w := &alertWorld{AlertSite: storetest.NewAlertSite(t, dbs[0], "NTF"), db: dbs[0], svc: &service.Service{DB: dbs[0], Keys: keys, Mail: mail}}
			other := &service.Service{DB: dbs[1], Keys: keys, Mail: mail}
			w.linkFromFirstImport(t)
			if err := w.svc.SetNotificationEmail(ctx, w.as(w.Manager), "cm@example.org"); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.SetNotificationEmail(ctx, w.as(w.IDVA), "idva@example.org"); err != nil {
				t.Fatal(err)
			}
			if got, err := w.svc.NotificationEmail(ctx, w.as(w.IDVA)); err != nil || got != "idva@example.org" {
				t.Errorf("NotificationEmail = %q, %v", got, err)
			}
			if _, _, err := w.svc.ImportIncidents(ctx, service.CommandLine(), w.Site.Code, []incident.Record{
				{Ref: "M1", On: drive.MustDate("2026-11-20"), Type: "stalking", Crime: true, Suspect: alertHim, Victim: alertHer},
				{Ref: "M2", On: drive.MustDate("2026-11-21"), Type: "abh", Crime: true, Suspect: alertHim, Victim: alertHer}}, nil); err != nil {
				t.Fatal(err)
			}
			if got := sink.messages(); len(got) != 0 {
				t.Fatalf("e-mailed before any worker ran: %v", got)
			}
			queued := mailJobs(t, w.db)
			if len(queued) != 2 {
				t.Fatalf("%d e-mail jobs queued, want 2 (one per user with an address): %+v", len(queued), queued)
			}
			for _, j := range queued {
				if strings.Contains(j.Payload, "@") || strings.Contains(j.UniqueKey, "@example") {
					t.Errorf("a mail job carries the address: %+v", j)
				}
			}
			// Two servers drain the queue at once.
			var wg sync.WaitGroup
			for i, svc := range []*service.Service{w.svc, other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					drain(t, svc, mailWorker(svc, "replica-"+strconv.Itoa(i)))
				}()
			}
			wg.Wait()
			msgs := sink.messages()
			to := map[string]int{}
			for _, m := range msgs {
				for _, r := range m.To {
					to[r]++
				}
				if !strings.Contains(m.Data, "Subject: "+service.MailSubject) || !strings.HasSuffix(m.Data, service.MailBody) {
					t.Errorf("e-mail %q", m.Data)
				}
				for _, leak := range []string{"Darren", "Hollis", "Sian", "Marsh", "case " + alertID(w.Case.ID), "/cases/", "/victims/", "Stalking", "stalking", "NM4", "2026"} {
					if strings.Contains(m.Data, leak) {
						t.Errorf("the e-mail says %q: %q", leak, m.Data)
					}
				}
			}
			if len(msgs) != 2 || to["cm@example.org"] != 1 || to["idva@example.org"] != 1 {
				t.Errorf("e-mails to %v; want one each to the manager and the IDVA (two notifications each, one e-mail)", to)
			}

			// A server that is down: the import stands, its alerts too,
			// and the e-mails wait for the backoff.
			sink.ln.Close()
			if _, _, err := w.svc.ImportIncidents(ctx, service.CommandLine(), w.Site.Code, []incident.Record{
				{Ref: "M3", On: drive.MustDate("2026-11-22"), Type: "abh", Crime: true, Suspect: alertHim, Victim: alertHer}}, nil); err != nil {
				t.Fatalf("the import failed with the mail server down: %v", err)
			}
			if ns := w.list(t, w.Manager); len(ns) != 3 {
				t.Errorf("the manager has %d notifications; want 3", len(ns))
			}
			drain(t, w.svc, mailWorker(w.svc, "replica-0"))
			failed := 0
			for _, j := range mailJobs(t, w.db) {
				if j.State == jobs.Done {
					continue
				}
				failed++
				if j.State != jobs.Queued || j.Attempts != 1 || !j.RunAt.Equal(clock.Now().Add(jobs.BaseBackoff)) ||
					!strings.Contains(j.LastError, "could not be reached") || strings.Contains(j.LastError, "@") {
					t.Errorf("after the mail server failed: %+v", j)
				}
			}
			if failed != 2 {
				t.Fatalf("%d e-mail jobs waiting after the failure, want 2", failed)
			}
			back := newSMTPSink(t)
			mail.Addr = back.ln.Addr().String()
			drain(t, other, mailWorker(other, "replica-1"))
			if got := back.messages(); len(got) != 0 {
				t.Fatalf("tried again before the backoff: %v", got)
			}
			clock.Advance(jobs.BaseBackoff)
			drain(t, other, mailWorker(other, "replica-1"))
			drain(t, w.svc, mailWorker(w.svc, "replica-0"))
			to = map[string]int{}
			for _, m := range back.messages() {
				for _, r := range m.To {
					to[r]++
				}
			}
			if len(to) != 2 || to["cm@example.org"] != 1 || to["idva@example.org"] != 1 {
				t.Errorf("e-mails after the mail server came back: %v; want one each", to)
			}
			for _, j := range mailJobs(t, w.db) {
				if j.State != jobs.Done {
					t.Errorf("an e-mail job not done: %+v", j)
				}
			}
		})
	}
}

// messages is a copy of what the sink has kept.
func (s *smtpSink) messages() []sinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMessage(nil), s.msgs...)
}

// mailWorker is a job worker that sends notification e-mails only.
func mailWorker(svc *service.Service, id string) *service.JobWorker {
	return &service.JobWorker{ID: id, Lease: time.Minute, Handlers: map[string]service.JobHandler{service.JobMailNotify: svc.MailHandler()}}
}

// mailJobs are the queued, running, done and dead e-mail jobs.
func mailJobs(t *testing.T, db *store.DB) []*jobs.Job {
	t.Helper()
	var out []*jobs.Job
	if err := db.View(context.Background(), func(tx *store.Tx) (err error) {
		out, err = tx.Jobs(context.Background(), store.JobFilter{Kind: service.JobMailNotify})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
