package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/web"
)

func runServe(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	addr := e.getenv("DRIVE_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	fs.StringVar(&addr, "addr", addr, "address to listen on, HOST:PORT (env DRIVE_ADDR)")
	keysPath, err := e.value("DRIVE_KEYS_FILE")
	if err != nil {
		return err
	}
	fs.StringVar(&keysPath, "keys", keysPath, "key file protecting victim-survivors' details (env DRIVE_KEYS_FILE; default: drive-keys.json beside a SQLite database)")
	secure := e.getenv("DRIVE_SECURE") == "true"
	fs.BoolVar(&secure, "secure", secure, "users reach the service over TLS (a proxy terminates it): mark cookies Secure and send HSTS (env DRIVE_SECURE=true)")
	smtpAddr, smtpFrom := e.getenv("DRIVE_SMTP_ADDR"), e.getenv("DRIVE_SMTP_FROM")
	fs.StringVar(&smtpAddr, "smtp-addr", smtpAddr, "SMTP server HOST:PORT that tells users a notification is waiting, never what it says (env DRIVE_SMTP_ADDR; default: no e-mail)")
	fs.StringVar(&smtpFrom, "smtp-from", smtpFrom, "sender of those e-mails (env DRIVE_SMTP_FROM)")
	inboxDir := e.getenv("DRIVE_INBOX")
	fs.StringVar(&inboxDir, "inbox", inboxDir, "folder to watch for police extracts and MARAC lists: DIR/SITE/incidents/ and DIR/SITE/marac/ (env DRIVE_INBOX; default: none)")
	proxies := e.getenv("DRIVE_TRUSTED_PROXIES")
	fs.StringVar(&proxies, "trusted-proxies", proxies, "addresses or CIDR ranges of the reverse proxies in front, comma-separated: only from them is X-Forwarded-For believed (env DRIVE_TRUSTED_PROXIES; default: none)")
	metricsToken := e.getenv("DRIVE_METRICS_TOKEN")
	metricsAddr := e.getenv("DRIVE_METRICS_ADDR")
	fs.StringVar(&metricsAddr, "metrics-addr", metricsAddr, "serve /metrics on this HOST:PORT only, for monitoring, and not on --addr (env DRIVE_METRICS_ADDR; default: on --addr)")
	role := e.getenv("DRIVE_ROLE")
	if role == "" {
		role = roleAll
	}
	fs.StringVar(&role, "role", role, "what this process does: all (answer requests and run background jobs), web (answer requests only) or worker (run background jobs and imports only); several web and worker processes may share one PostgreSQL database (env DRIVE_ROLE; default all)")
	settle := fs.Duration("inbox-settle", 30*time.Second, "how long a file in the inbox must stay unchanged before it is taken")
	inboxEvery := e.getenv("DRIVE_INBOX_INTERVAL")
	if inboxEvery == "" {
		inboxEvery = "7d"
	}
	fs.StringVar(&inboxEvery, "inbox-interval", inboxEvery, "how often a file is expected in each inbox folder (12h, 1d, 7d...): a folder silent longer than that notifies the site's analysts and team leaders (env DRIVE_INBOX_INTERVAL)")
	daily := e.getenv("DRIVE_RETENTION_DAILY") == "true"
	fs.BoolVar(&daily, "retention-daily", daily, "apply the retention schedule once a day, once across all servers of the database (env DRIVE_RETENTION_DAILY=true; default: off, run drive retention run from a scheduler)")
	schedulePath := fs.String("retention-schedule", e.getenv("DRIVE_RETENTION_SCHEDULE_FILE"), "retention schedule `FILE` (JSON) for the daily run, as drive retention run takes (env DRIVE_RETENTION_SCHEDULE_FILE)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	schedule, err := loadSchedule(*schedulePath)
	if err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if role != roleAll && role != roleWeb && role != roleWorker {
		return usageError{fmt.Sprintf("--role %q: choose all, web or worker", role)}
	}
	if role == roleWeb && (inboxDir != "" || daily) {
		return usageError{"--role web runs no background work: give --inbox and --retention-daily to the worker (or use --role all)"}
	}
	if inboxDir != "" {
		if st, err := os.Stat(inboxDir); err != nil || !st.IsDir() {
			return usageError{fmt.Sprintf("--inbox %q: the folder does not exist; create it first", inboxDir)}
		}
	}
	inboxInterval, err := parseInterval(inboxEvery)
	if err != nil {
		return usageError{fmt.Sprintf("--inbox-interval %q: give how often a file is expected, such as 12h, 1d or 7d", inboxEvery)}
	}
	log, err := c.logger()
	if err != nil {
		return err
	}
	mail, err := notificationMail(smtpAddr, smtpFrom)
	if err != nil {
		return err
	}
	// Without its keys the service could neither show nor store where a
	// victim-survivor is: refuse to start rather than half-work.
	keys, _, err := loadKeyring(keysPath, c.DB, stderr)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, c.DB, keys, c.now)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("database migrated", slog.Any("applied", applied))
	}
	// Notes and sign-in secrets written before they were sealed at rest
	// are sealed now, so an existing database is migrated in place.
	svc := db.Svc
	svc.Mail = mail
	// The records of processing show the schedule the daily run applies.
	svc.Schedule = &schedule
	// Outcome reports are served from memory for ten minutes: a national
	// report reads every case in the country (docs/reports.md).
	svc.Reports = service.NewReportCache(service.ReportCacheTTL)
	// Identification lists are ranked once per version of the police
	// data and day, not on every view (docs/identify.md).
	svc.Identification = &service.IdentificationCache{}
	if n, err := svc.SealNotes(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("case notes sealed at rest", slog.Int("notes", n))
	}
	if n, err := svc.SealCredentials(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("sign-in secrets sealed at rest", slog.Int("secrets", n))
	}
	trusted, err := parseProxies(proxies)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{Service: db.Svc, Log: log, Version: version, Secure: secure,
		MetricsToken: metricsToken, MetricsElsewhere: metricsAddr != "", TrustedProxies: trusted})
	if err != nil {
		return err
	}
	if metricsAddr != "" {
		mln, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			return usageError{fmt.Sprintf("cannot listen on %s for metrics: %v (choose another with --metrics-addr)", metricsAddr, err)}
		}
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = ms.Serve(mln) }()
		defer ms.Close()
		log.Info("metrics serving", slog.String("addr", mln.Addr().String()))
	}
	// The worker role (and all) runs the queued background jobs, the
	// import jobs and the inbox; the web role answers requests only.
	if role != roleWeb {
		id := workerID()
		go runJobWorker(ctx, svc, log, newJobWorker(svc, log, id, daily, schedule), jobWorkerPollEvery)
		// Import jobs (files sent by feeds or dropped in the inbox) run
		// here, one at a time per site, and the inbox's folders are
		// watched for silence.
		var in *inbox
		if inboxDir != "" {
			in = newInbox(inboxDir, svc, log, *settle, inboxInterval)
		}
		go newBackground(svc, log, in, 5*time.Second).run(ctx)
	}
	if role == roleWorker {
		log.Info("drive worker running", slog.String("engine", db.Engine()), slog.String("version", version))
		fmt.Fprintln(stdout, "Drive's worker is running background jobs (press Ctrl-C to stop)")
		<-ctx.Done()
		log.Info("drive stopping")
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError{fmt.Sprintf("cannot listen on %s: %v (is another server using that port? choose one with --addr)", addr, err)}
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("drive serving", slog.String("addr", ln.Addr().String()), slog.String("engine", db.Engine()), slog.String("role", role), slog.String("version", version))
	fmt.Fprintf(stdout, "Drive is running: open http://%s/ (press Ctrl-C to stop)\n", ln.Addr().String())
	// Each web process keeps its own report cache warm.
	go warmReports(ctx, srv, log, service.ReportCacheTTL*3/4)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("drive stopping")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runMigrate(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	status := fs.Bool("status", false, "only report applied and pending migrations")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	db, err := openDatabase(ctx, c.DB, nil, c.now)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		applied, pending, err := db.Status(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied: %v\npending: %v\n", applied, pending)
		return nil
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "The database is up to date.")
		return nil
	}
	fmt.Fprintf(stdout, "Applied migrations %v.\n", applied)
	return nil
}

// warmReports computes the national outcome page's report into the
// report cache at start and then every interval (shorter than the cache
// keeps a report), so no national reader waits while every case in the
// country is read. A failure is logged; the page then computes it itself.
func warmReports(ctx context.Context, srv *web.Server, log *slog.Logger, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		start := time.Now()
		if err := srv.WarmReports(ctx); err != nil && ctx.Err() == nil {
			log.Error("computing the national outcome report", slog.String("error", err.Error()))
		} else if err == nil {
			log.Info("national outcome report computed", slog.Duration("took", time.Since(start).Round(time.Millisecond)))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// parseProxies reads --trusted-proxies: addresses or CIDR ranges,
// comma-separated; an address is a range of one.
func parseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--trusted-proxies: %q is not an address or a CIDR range, for example 10.0.0.5 or 10.0.0.0/24", f)}
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// What a drive serve process does (--role).
const (
	roleAll    = "all"
	roleWeb    = "web"
	roleWorker = "worker"
)
