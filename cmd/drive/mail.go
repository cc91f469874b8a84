package main

import (
	"net"
	"strings"

	"github.com/drive-platform/drive/service"
)

// notificationMail is the SMTP server that tells users a notification is
// waiting (service.Mail), from --smtp-addr and --smtp-from or
// DRIVE_SMTP_ADDR and DRIVE_SMTP_FROM; nil when no server is named, and
// then nobody is e-mailed. The server is reached without a login, with
// STARTTLS when it offers it: name a relay on the same host or network
// (the e-mail says only that a notification is waiting, never what it is
// about). The e-mails are background jobs: whichever worker claims one
// sends it, so every worker needs these settings.
func notificationMail(addr, from string) (*service.Mail, error) {
	addr, from = strings.TrimSpace(addr), strings.TrimSpace(from)
	if addr == "" {
		return nil, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, usageError{"the SMTP server " + addr + " is not HOST:PORT: give one such as mail.example.org:25 (--smtp-addr or DRIVE_SMTP_ADDR)"}
	}
	if from == "" {
		return nil, usageError{"an SMTP server is named but no sender: give one with --smtp-from or DRIVE_SMTP_FROM, such as drive@example.org"}
	}
	return &service.Mail{Addr: addr, From: from}, nil
}

// importMail is notificationMail from the environment, for the import
// commands: their alerts' e-mails are queued as jobs, as the web
// service's are, and the workers of drive serve send them.
func importMail(e env) (*service.Mail, error) {
	return notificationMail(e.getenv("DRIVE_SMTP_ADDR"), e.getenv("DRIVE_SMTP_FROM"))
}
