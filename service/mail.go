package service

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/smtp"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/store"
)

// Mail is the SMTP server notifications are announced through. The
// e-mail says only that a notification is waiting: no name, no case
// number, nothing of what it is about, because mailboxes are shared,
// forwarded and read on phones.
//
// E-mails are background jobs (JobMailNotify): raising a notification
// queues one in the same transaction, and a worker sends it, trying again
// with the queue's backoff while the mail server is down, so an e-mail is
// neither lost when a server stops nor sent by two servers.
type Mail struct {
	// Addr is the server's host:port.
	Addr string
	// From is the envelope and header sender.
	From string
}

// MailSubject and MailBody are the whole of every notification e-mail.
const (
	MailSubject = "You have a new notification in Drive"
	MailBody    = "You have a new notification in Drive.\r\nSign in to Drive to read it.\r\n"
)

// JobMailNotify is the kind of the job that e-mails one user that a
// notification is waiting.
const JobMailNotify = "mail.notify"

// mailAttempts is how many times an e-mail is tried: with the queue's
// backoff, ten attempts span about four hours of a mail server being
// down before the job is dead and shown to administrators.
const mailAttempts = 10

// mailPayload is a mail job's payload: the user to tell, by id. The
// address is read when the e-mail is sent (the queue is shown to
// administrators, and the user may have changed it meanwhile).
type mailPayload struct {
	User int64 `json:"user"`
}

// queueMail queues, inside tx, an e-mail to each of users who gave an
// address, when the service e-mails at all. first holds, per user, the
// first notification raised for them now: the job's unique key names it,
// so the same notification is never announced twice.
func (s *Service) queueMail(ctx context.Context, tx *store.Tx, users []int64, first map[int64]int64) error {
	if s.Mail == nil || s.Mail.Addr == "" || len(users) == 0 {
		return nil
	}
	addrs, err := tx.NotificationEmails(ctx, users)
	if err != nil {
		return err
	}
	for _, u := range users {
		if _, ok := addrs[u]; !ok {
			continue
		}
		p, err := json.Marshal(mailPayload{User: u})
		if err != nil {
			return err
		}
		j := &jobs.Job{Kind: JobMailNotify, Payload: string(p), MaxAttempts: mailAttempts,
			UniqueKey: JobMailNotify + "@notification:" + strconv.FormatInt(first[u], 10)}
		if err := j.Validate(); err != nil {
			return err
		}
		if _, err := tx.EnqueueJob(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// MailHandler is the handler of JobMailNotify jobs, for the workers of
// a server that has a mail server (s.Mail): it reads the user's address
// and sends the e-mail. A user who has since removed their address is
// sent nothing. A failure to reach the mail server, or its refusal, fails
// the job with a message that names neither the user nor the address
// (the server's reply may quote it), so it is tried again after the
// queue's backoff.
func (s *Service) MailHandler() JobHandler {
	return func(ctx context.Context, j *jobs.Job) error {
		var p mailPayload
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil || p.User <= 0 {
			return jobs.Permanent{Err: drive.Errorf(drive.EINVALID, "the e-mail job names no user")}
		}
		if s.Mail == nil || s.Mail.Addr == "" {
			return drive.Errorf(drive.ENOTIMPLEMENTED, "this server has no mail server: give the workers --smtp-addr")
		}
		var addrs map[int64]string
		if err := s.DB.View(ctx, func(tx *store.Tx) (err error) {
			addrs, err = tx.NotificationEmails(ctx, []int64{p.User})
			return err
		}); err != nil {
			return err
		}
		to, ok := addrs[p.User]
		if !ok {
			return nil
		}
		return s.Mail.send(to)
	}
}

// send hands one notification e-mail to the mail server.
func (m *Mail) send(to string) error {
	msg := "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: " + MailSubject +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + MailBody
	err := smtp.SendMail(m.Addr, nil, m.From, []string{to}, []byte(msg))
	if err == nil {
		return nil
	}
	// The server's own words may quote the address: keep only what kind
	// of failure it was.
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, net.ErrClosed) {
		return drive.Errorf(drive.EUNAVAILABLE, "the mail server %s could not be reached", m.Addr)
	}
	return drive.Errorf(drive.EUNAVAILABLE, "the mail server %s did not accept the e-mail", m.Addr)
}
