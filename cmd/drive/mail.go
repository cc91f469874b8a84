package main

import (
	"io"
	"log/slog"
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
// about).
func notificationMail(addr, from string, log *slog.Logger) (*service.Mail, error) {
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
	return &service.Mail{Addr: addr, From: from, Log: log}, nil
}

// importMail is notificationMail from the environment, for the import
// commands, whose alerts are e-mailed like the web service's; failures to
// send are reported on stderr and never fail the import.
func importMail(e env, stderr io.Writer) (*service.Mail, error) {
	return notificationMail(e.getenv("DRIVE_SMTP_ADDR"), e.getenv("DRIVE_SMTP_FROM"), slog.New(slog.NewTextHandler(stderr, nil)))
}
