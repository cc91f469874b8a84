package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"syscall"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/web"
	"github.com/drive-platform/drive/workload"
)

// runBenchLoad builds the national data set in an empty database, serves
// it on a local port as drive serve would, and runs the practitioners'
// workload against it over HTTP (package workload). The last line,
// case_page_p99_ms=N, is the figure the target is set on, for scripts.
func runBenchLoad(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drive bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	def := workload.DefaultShape()
	sites := fs.Int("sites", def.Sites, "sites to build when the database is empty")
	cases := fs.Int("cases", def.Cases, "perpetrator cases over all sites, each with a victim-survivor")
	incidents := fs.Int("incidents", 0, "police incidents over all sites, imported when the data are built")
	users := fs.Int("users", 50, "concurrent users")
	duration := fs.Duration("duration", time.Minute, "how long to run the workload")
	thinkTime := fs.Duration("think", 0, "mean pause between a user's operations (exponentially distributed), such as 2s for a practitioner's pace; 0 runs them back to back")
	seed := fs.Uint64("seed", 1, "seed for the data and the workload")
	keysFlag := fs.String("keys", "", "key file sealing notes: used if it exists, created otherwise (default: drive-keys.json beside the SQLite file, or the current folder for PostgreSQL)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the workload (server and users) to this file")
	traceFile := fs.String("trace", "", "write an execution trace of the timed run to this file (for go tool trace): what each goroutine waited for, and when")
	blockProfile := fs.String("blockprofile", "", "write a profile of where goroutines waited on channels, locks and selects during the timed run")
	mutexProfile := fs.String("mutexprofile", "", "write a profile of contended mutexes during the timed run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if *users < 1 || *duration <= 0 {
		return usageError{"give --users of at least 1 and a --duration such as 1m"}
	}
	if *thinkTime < 0 {
		return usageError{"give a --think of 0 (back to back) or more, such as 2s"}
	}
	keysPath := *keysFlag
	if keysPath == "" {
		if keysPath = defaultKeyFile(c.DB); keysPath == "" {
			keysPath = "drive-keys.json"
		}
	}
	keys, err := demoKeys(keysPath, stderr)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, c.DB, keys, c.now)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	svc := db.Svc
	// Each virtual user stands for many practitioners' writes, back to
	// back: the limit on one person's free-text writes a quarter hour
	// (against guessing her details by bulk writes) would refuse them.
	svc.TextLimit = math.MaxInt32
	shape := workload.Shape{Sites: *sites, Cases: *cases, Incidents: *incidents, Managers: def.Managers, Leads: def.Leads, Seed: *seed}
	built, err := workload.Built(ctx, svc)
	if err != nil {
		return err
	}
	if !built {
		fmt.Fprintf(stderr, "Building %d sites with %d cases and %d incidents...\n", shape.Sites, shape.Cases, shape.Incidents)
		start := time.Now()
		if err := workload.Build(ctx, svc, shape, func(s string) { fmt.Fprintln(stderr, s) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "built in %.1f s\n", time.Since(start).Seconds())
	} else {
		all, err := svc.Sites(ctx, service.CommandLine())
		if err != nil {
			return err
		}
		shape.Sites = 0
		for _, s := range all {
			if s.Code == workload.SiteCode(shape.Sites) {
				shape.Sites++
			}
		}
		fmt.Fprintf(stderr, "The database already holds the benchmark's %d sites; running on them.\n", shape.Sites)
	}
	logins, err := benchLogins(ctx, svc, shape, *users)
	if err != nil {
		return err
	}
	// The server logs every request as drive serve does; the lines are
	// made and thrown away, so their cost is measured but not printed.
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := web.New(web.Config{Service: svc, Log: log, Version: version})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var h http.Handler = srv
	if *traceFile != "" {
		h = tracedRequests(srv)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	stopWaits, err := startWaitProfiles(*traceFile, *blockProfile, *mutexProfile)
	if err != nil {
		return err
	}
	pace := "back to back"
	if *thinkTime > 0 {
		pace = "pausing " + thinkTime.String() + " on average between operations"
	}
	fmt.Fprintf(stderr, "Running %d users for %s on %s, %s...\n", len(logins), *duration, db.Engine(), pace)
	res, err := workload.Run(ctx, workload.Options{BaseURL: "http://" + ln.Addr().String(), Logins: logins, Duration: *duration,
		Seed: *seed, Now: svc.DB.Now, CPU: processCPU, Think: *thinkTime})
	if werr := stopWaits(); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	return printLoad(stdout, res)
}

// tracedRequests marks each request as a region of the execution trace,
// named by its method and route (ids replaced, so no record is named), so
// that go tool trace sums, for every route, the time its requests ran, were
// blocked on locks and channels, in system calls, or waiting for a core.
func tracedRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.Method + " " + traceDigits.ReplaceAllString(r.URL.Path, "N")
		trace.WithRegion(r.Context(), name, func() { h.ServeHTTP(w, r) })
	})
}

var traceDigits = regexp.MustCompile(`[0-9]+`)

// startWaitProfiles starts what shows where the run's time went while no
// CPU was spent: an execution trace, and block and mutex profiles (each
// written only if named). At a practitioner's pace the server is mostly
// idle, so a slow operation's time is a wait, and these name it; the
// returned function stops them and writes the profiles.
func startWaitProfiles(tracePath, blockPath, mutexPath string) (stop func() error, err error) {
	var traceOut *os.File
	if tracePath != "" {
		if traceOut, err = os.Create(tracePath); err != nil {
			return nil, err
		}
		if err := trace.Start(traceOut); err != nil {
			traceOut.Close()
			return nil, err
		}
	}
	if blockPath != "" {
		runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	}
	if mutexPath != "" {
		runtime.SetMutexProfileFraction(1)
	}
	return func() error {
		var errs []error
		if traceOut != nil {
			trace.Stop()
			errs = append(errs, traceOut.Close())
		}
		write := func(path, name string) {
			if path == "" {
				return
			}
			f, err := os.Create(path)
			if err != nil {
				errs = append(errs, err)
				return
			}
			errs = append(errs, pprof.Lookup(name).WriteTo(f, 0), f.Close())
		}
		write(blockPath, "block")
		write(mutexPath, "mutex")
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
		return errors.Join(errs...)
	}, nil
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLogins picks n accounts, a team leader for every tenth user and
// case managers otherwise, spread over the sites (user i starts at site i
// modulo the sites and moves on while a site has no account of the role
// left), and gives each an API token for reading their cases.
func benchLogins(ctx context.Context, svc *service.Service, sh workload.Shape, n int) ([]workload.Login, error) {
	accounts := workload.Accounts(sh)
	used := map[string]bool{}
	var out []workload.Login
	for i := 0; i < n; i++ {
		role := access.CaseManager
		if i%10 == 9 {
			role = access.TeamLeader
		}
		var pick *workload.Account
		for k := 0; k < sh.Sites && pick == nil; k++ {
			site := (i + k) % sh.Sites
			for j := range accounts {
				if a := &accounts[j]; a.Site == site && a.Role == role && !used[a.Username] {
					pick = a
					break
				}
			}
		}
		if pick == nil {
			return nil, usageError{fmt.Sprintf("%d users need more accounts than %d sites have (%d case managers and %d team leaders each): use fewer --users",
				n, sh.Sites, sh.Managers, sh.Leads)}
		}
		used[pick.Username] = true
		acc, err := svc.AccountNamed(ctx, service.CommandLine(), pick.Username)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", pick.Username, err)
		}
		token, _, err := svc.CreateToken(ctx, service.CommandLine(), acc.ID, "load benchmark", 24*time.Hour)
		if err != nil {
			return nil, err
		}
		out = append(out, workload.Login{Account: *pick, UserID: acc.ID, APIToken: token})
	}
	return out, nil
}

func printLoad(w io.Writer, r *workload.Result) error {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Fprintf(w, "%-18s %7s %6s %9s %9s %9s %9s\n", "operation", "count", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms")
	for _, s := range r.Stats {
		fmt.Fprintf(w, "%-18s %7d %6d %9.1f %9.1f %9.1f %9.1f\n", s.Op, s.Count, s.Errors, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
	}
	fmt.Fprintf(w, "operations=%d seconds=%.1f throughput_per_s=%.1f errors=%d\n", r.Requests, r.Elapsed.Seconds(), r.Throughput(), r.Errors)
	// The machine is shared, so waits say as much about the neighbours
	// as about the server; the CPU each operation costs (server and
	// users together, while the operations ran) does not.
	fmt.Fprintf(w, "cpu_seconds=%.1f cpu_ms_per_operation=%.2f\n", r.CPU.Seconds(), float64(r.CPU.Microseconds())/1000/float64(max(r.Requests, 1)))
	for _, e := range r.FirstErrors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	fmt.Fprintf(w, "writes_acknowledged=%d read_back=%d lost=%d\n", r.Written, r.ReadBack, len(r.Lost))
	for _, l := range r.Lost {
		fmt.Fprintf(w, "lost: %s\n", l)
	}
	_, err := fmt.Fprintf(w, "case_page_p99_ms=%d\n", int(ms(r.Of(workload.OpCasePage).P99)+0.5))
	if err != nil {
		return err
	}
	if len(r.Lost) > 0 {
		return fmt.Errorf("%d acknowledged writes were not read back", len(r.Lost))
	}
	return nil
}
