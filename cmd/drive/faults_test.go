package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestMain lets the fault tests run drive as a real process of its own:
// started with DRIVE_FAULTS_CHILD=1, this test binary is the drive
// command (the same run as main), so a test can kill -9 it mid-write and
// start it again. DRIVE_FAULTS_CLOCK_AHEAD sets its clock that far ahead,
// standing for the time a real restart waits for a dead server's leases
// to run out.
func TestMain(m *testing.M) {
	if os.Getenv("DRIVE_FAULTS_CHILD") == "1" {
		os.Exit(faultChild())
	}
	code := m.Run()
	if cliDemo.dir != "" {
		os.RemoveAll(cliDemo.dir)
	}
	os.Exit(code)
}

func faultChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{getenv: os.Getenv}
	if ahead, err := time.ParseDuration(os.Getenv("DRIVE_FAULTS_CLOCK_AHEAD")); err == nil && ahead != 0 {
		e.now = func() time.Time { return time.Now().Add(ahead) }
	}
	return run(ctx, e, os.Args[1:], os.Stdout, os.Stderr)
}

// faultSite is a database with a site, its users and an open case, a key
// file, an API token of the case's manager and a feed token of the site,
// for a drive process to serve.
type faultSite struct {
	*storetest.AlertSite
	dir, dsn, keys string
	token, feed    string
	dbKeys         *sealed.Keyring
}

func newFaultSite(t *testing.T, dsn string) *faultSite {
	t.Helper()
	ctx := context.Background()
	f := &faultSite{dir: t.TempDir(), dsn: dsn}
	keys, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f.dbKeys, f.keys = keys, filepath.Join(f.dir, "keys.json")
	if err := keys.WriteFile(f.keys); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dsn, store.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f.AlertSite = storetest.NewAlertSite(t, db, "FLT")
	db.Close()
	environ := map[string]string{"DRIVE_KEYS_FILE": f.keys}
	if code, out, errOut := runCLIEnv(environ, "token", "create", "--db", dsn, "--user", f.Manager.Username, "--ttl", "1h"); code != 0 {
		t.Fatalf("token create: %s%s", out, errOut)
	} else {
		f.token = strings.TrimSpace(out)
	}
	code, out, errOut := runCLIEnv(environ, "feed", "create", "--db", dsn, "--site", "FLT", "--name", "Fault extract")
	words := strings.Fields(out)
	if code != 0 || len(words) == 0 {
		t.Fatalf("feed create: %s%s", out, errOut)
	}
	f.feed = words[len(words)-1]
	return f
}

func runCLIEnv(environ map[string]string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), env{getenv: func(k string) string { return environ[k] }}, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// view opens the database in the test, to look at what the processes
// stored.
func (f *faultSite) view(t *testing.T, fn func(tx *store.Tx) error) {
	t.Helper()
	db, err := store.Open(context.Background(), f.dsn, store.Options{Keys: f.dbKeys})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// auditVerifies runs drive audit verify on the database.
func (f *faultSite) auditVerifies(t *testing.T) {
	t.Helper()
	if code, out, errOut := runCLIEnv(map[string]string{"DRIVE_KEYS_FILE": f.keys}, "audit", "verify", "--db", f.dsn); code != 0 {
		t.Fatalf("drive audit verify: exit %d\n%s%s", code, out, errOut)
	}
}

// driveProc is a drive serve process.
type driveProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	log  string
}

// startDrive starts drive serve on the site's database in a process of
// its own and waits until /readyz says it is ready.
func startDrive(t *testing.T, f *faultSite, environ ...string) *driveProc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &driveProc{t: t, base: "http://" + addr, log: filepath.Join(f.dir, fmt.Sprintf("drive-%d.log", time.Now().UnixNano()))}
	out, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	p.cmd = exec.Command(os.Args[0], "serve", "--db", f.dsn, "--keys", f.keys, "--addr", addr, "--log-level", "warn")
	p.cmd.Env = append(append(os.Environ(), "DRIVE_FAULTS_CHILD=1"), environ...)
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if code, _ := p.get("/readyz", ""); code == http.StatusOK {
			return p
		}
	}
	p.fail("drive serve did not become ready within 30 s")
	return nil
}

// fail ends the test with the process's log.
func (p *driveProc) fail(format string, args ...any) {
	p.t.Helper()
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 && os.Getenv("DRIVE_FAULTS_KEEP_LOG") == "" {
		b = b[len(b)-4000:]
	}
	if os.Getenv("DRIVE_FAULTS_KEEP_LOG") != "" {
		_ = os.WriteFile(os.Getenv("DRIVE_FAULTS_KEEP_LOG"), b, 0o600)
	}
	p.t.Fatalf(format+"\nthe server's log ends:\n%s", append(args, b)...)
}

// kill9 kills the process at once, as a power cut or the kernel would.
func (p *driveProc) kill9() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// stop asks the process to stop, as systemd would, and waits.
func (p *driveProc) stop() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.fail("drive serve stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.fail("drive serve did not stop within 30 s of SIGTERM")
	}
}

var faultClient = &http.Client{Timeout: 15 * time.Second}

func (p *driveProc) get(path, token string) (int, []byte) {
	req, _ := http.NewRequest("GET", p.base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := faultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (p *driveProc) post(path, token, contentType string, body []byte) (int, []byte, error) {
	req, _ := http.NewRequest("POST", p.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := faultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// getJSON reads an API answer that must be 200 into v.
func (p *driveProc) getJSON(path, token string, v any) {
	p.t.Helper()
	code, b := p.get(path, token)
	if code != http.StatusOK {
		p.fail("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		p.fail("GET %s: %v", path, err)
	}
}

// writeLoad posts notes and contacts to one case from several clients at
// once and remembers which the server acknowledged (201) and which it
// was sent at all: a write cut off by a fault may or may not be stored,
// but one acknowledged must be.
type writeLoad struct {
	mu        sync.Mutex
	acked     map[string]bool // "note TEXT" or "contact SUMMARY"
	attempted map[string]bool
	refused   map[int]int // status: how many (not 201, not a lost connection)
	stop      chan struct{}
	wg        sync.WaitGroup
}

// faultFiller makes each note long enough that a torn write would show.
var faultFiller = strings.Repeat("Attended the session and discussed the plan. ", 20)

func startWrites(p func() *driveProc, f *faultSite, clients int, tag string) *writeLoad {
	l := &writeLoad{acked: map[string]bool{}, attempted: map[string]bool{}, refused: map[int]int{}, stop: make(chan struct{})}
	path := "/api/v1/cases/" + strconv.FormatInt(f.Case.ID, 10)
	for c := 0; c < clients; c++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				var key, route string
				var body []byte
				if i%2 == 0 {
					text := strings.TrimSpace(fmt.Sprintf("%s note %d-%d. %s", tag, c, i, faultFiller))
					key, route = "note "+text, path+"/notes"
					body, _ = json.Marshal(map[string]any{"text": text})
				} else {
					summary := fmt.Sprintf("%s contact %d-%d", tag, c, i)
					key, route = "contact "+summary, path+"/contacts"
					body, _ = json.Marshal(map[string]any{"kind": "contact", "on": time.Now().UTC().Format("2006-01-02"), "summary": summary})
				}
				l.mu.Lock()
				l.attempted[key] = true
				l.mu.Unlock()
				code, _, err := p().post(route, f.token, "application/json", body)
				l.mu.Lock()
				switch {
				case err != nil:
					// Cut off: not acknowledged.
				case code == http.StatusCreated:
					l.acked[key] = true
				default:
					l.refused[code]++
				}
				l.mu.Unlock()
				if err != nil || code != http.StatusCreated {
					time.Sleep(20 * time.Millisecond) // as a client backs off
				}
			}
		}()
	}
	return l
}

// waitAcked waits until at least n writes have been acknowledged.
func (l *writeLoad) waitAcked(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		l.mu.Lock()
		got := len(l.acked)
		l.mu.Unlock()
		if got >= n {
			return
		}
	}
	t.Fatalf("fewer than %d writes acknowledged within 30 s", n)
}

func (l *writeLoad) finish() {
	close(l.stop)
	l.wg.Wait()
}

// check reads the case's notes and contacts through p and holds them to
// the rule: every acknowledged write is there, once, whole; nothing is
// there that was not sent.
func (l *writeLoad) check(t *testing.T, p *driveProc, f *faultSite, tag string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	path := "/api/v1/cases/" + strconv.FormatInt(f.Case.ID, 10)
	var notes []struct{ Text string }
	var contacts []struct{ Summary string }
	p.getJSON(path+"/notes", f.token, &notes)
	p.getJSON(path+"/contacts", f.token, &contacts)
	stored := map[string]int{}
	for _, n := range notes {
		if strings.HasPrefix(n.Text, tag+" ") {
			stored["note "+n.Text]++
		}
	}
	for _, c := range contacts {
		if strings.HasPrefix(c.Summary, tag+" ") {
			stored["contact "+c.Summary]++
		}
	}
	for key, n := range stored {
		if !l.attempted[key] {
			t.Errorf("stored but never sent (a torn write?): %.80q", key)
		}
		if n != 1 {
			t.Errorf("stored %d times: %.80q", n, key)
		}
	}
	for key := range l.acked {
		if stored[key] == 0 {
			t.Errorf("acknowledged but lost: %.80q", key)
		}
	}
	if len(l.acked) == 0 {
		t.Error("no write was acknowledged")
	}
	t.Logf("%s: %d writes sent, %d acknowledged, %d stored; refused: %v", tag, len(l.attempted), len(l.acked), len(stored), l.refused)
}

// faultExtract is a police extract of n incidents, each with its own
// suspect, so importing it is long enough to be interrupted.
func faultExtract(n int) []byte {
	var b bytes.Buffer
	b.WriteString("ref,date,type,crime,suspect_given,suspect_family,suspect_dob,suspect_postcode,victim_given,victim_family,victim_dob,victim_age\n")
	given := []string{"Aaron", "Barry", "Colin", "Derek", "Edwin", "Frank", "Gareth", "Howard", "Ivan", "Jason"}
	family := []string{"Ashdown", "Brindle", "Corrick", "Dunmore", "Elsworth", "Fenwick", "Garside", "Holloway", "Ingram", "Jessop", "Kilby", "Lomax"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "FLT-%d,2025-%02d-%02d,%s,%s,%s,%s%d,19%02d-%02d-%02d,FL%d %dAB,Vicky,Parfitt%d,1990-01-01,35\n",
			i, 1+i%12, 1+i%28, []string{"common_assault", "harassment", "criminal_damage"}[i%3], []string{"yes", "no"}[i%2],
			given[i%len(given)], family[(i/len(given))%len(family)], i, 60+i%30, 1+i%12, 1+i%28, i%9, i%10, i)
	}
	return b.Bytes()
}

// TestKillMidWriteAndImport kills drive serve with SIGKILL, on both
// engines, first while many clients are adding notes and contacts, then
// while a feed's import job is running, and starts it again each time:
// every acknowledged write is there, once and whole; the import job is
// taken up again once its dead worker's lease has run out and imports the
// whole file once (nothing of the killed attempt is kept); and the audit
// chain verifies.
func TestKillMidWriteAndImport(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newFaultSite(t, e.Blank(t))

			// Killed mid-write.
			p := startDrive(t, f)
			load := startWrites(func() *driveProc { return p }, f, 6, "kill")
			load.waitAcked(t, 30)
			p.kill9()
			load.finish()
			p = startDrive(t, f)
			load.check(t, p, f, "kill")

			// Killed mid-import: long enough that a quiet machine is still
			// importing when the kill comes (3,000 rows finished first).
			const rows = 30000
			code, b, err := p.post("/api/v1/imports?kind=incidents", f.feed, "text/csv", faultExtract(rows))
			if err != nil || code != http.StatusAccepted {
				p.fail("queueing the import: %d %s %v", code, b, err)
			}
			var job struct {
				ID     int64
				Status string
				New    int
			}
			if err := json.Unmarshal(b, &job); err != nil {
				t.Fatal(err)
			}
			jobPath := "/api/v1/imports/" + strconv.FormatInt(job.ID, 10)
			for deadline := time.Now().Add(30 * time.Second); job.Status != "running"; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) || job.Status == "done" || job.Status == "failed" {
					p.fail("the import job was never seen running: %+v", job)
				}
				p.getJSON(jobPath, f.feed, &job)
			}
			time.Sleep(100 * time.Millisecond)
			p.kill9()
			f.view(t, func(tx *store.Tx) error {
				j, err := tx.ImportJob(context.Background(), job.ID)
				if err == nil && j.Status != "running" {
					err = fmt.Errorf("the import finished before the kill (%s): make the file longer", j.Status)
				}
				if n := len(siteIncidents(t, tx, f.Site.ID)); n != 0 {
					err = fmt.Errorf("%d incidents of the killed import were kept", n)
				}
				return err
			})
			// Started again as though the dead worker's two-minute lease
			// had run out.
			p = startDrive(t, f, "DRIVE_FAULTS_CLOCK_AHEAD=3m")
			for deadline := time.Now().Add(3 * time.Minute); job.Status != "done"; time.Sleep(100 * time.Millisecond) {
				if time.Now().After(deadline) || job.Status == "failed" {
					p.fail("the killed import was not taken up again: %+v", job)
				}
				p.getJSON(jobPath, f.feed, &job)
			}
			if job.New != rows {
				t.Errorf("the import brought %d incidents, want %d", job.New, rows)
			}
			load.check(t, p, f, "kill")
			p.stop()
			f.view(t, func(tx *store.Tx) error {
				refs := map[string]int{}
				for _, r := range siteIncidents(t, tx, f.Site.ID) {
					refs[r]++
				}
				if len(refs) != rows {
					t.Errorf("%d distinct incidents stored, want %d", len(refs), rows)
				}
				for r, n := range refs {
					if n != 1 {
						t.Errorf("incident %s stored %d times", r, n)
					}
				}
				return nil
			})
			f.auditVerifies(t)
		})
	}
}

func siteIncidents(t *testing.T, tx *store.Tx, siteID int64) []string {
	t.Helper()
	rs, err := tx.SitePoliceIncidents(context.Background(), siteID, drive.Date{})
	if err != nil {
		t.Fatal(err)
	}
	refs := make([]string, 0, len(rs))
	for _, r := range rs {
		refs = append(refs, r.Ref)
	}
	return refs
}

// testPostgres is a PostgreSQL server of the test's own, in a temporary
// directory, started as scripts/with-postgres starts one (as the postgres
// user when the test runs as root), so the test may stop and start it.
type testPostgres struct {
	t        *testing.T
	dir, bin string
	port     int
	asPG     []string
}

func startTestPostgres(t *testing.T) *testPostgres {
	t.Helper()
	bin := os.Getenv("PGBIN")
	if bin == "" {
		bin = "/usr/lib/postgresql/15/bin"
	}
	if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err != nil {
		t.Fatalf("PostgreSQL 15 server binaries not found in %s: install Debian's postgresql-15 or set PGBIN", bin)
	}
	// Not t.TempDir: its parent is private to this user, and the server
	// may run as another.
	dir, err := os.MkdirTemp("", "drive-faults-pg.")
	if err != nil {
		t.Fatal(err)
	}
	pg := &testPostgres{t: t, dir: dir, bin: bin}
	if os.Getuid() == 0 {
		if exec.Command("id", "postgres").Run() != nil {
			if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres").CombinedOutput(); err != nil {
				t.Fatalf("useradd postgres: %v %s", err, out)
			}
		}
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
		pg.asPG = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		_ = pg.command("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	if out, err := pg.command("initdb", "-D", filepath.Join(dir, "data"), "-U", "drive", "--auth=trust", "-E", "UTF8", "--no-locale").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pg.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	pg.start()
	return pg
}

func (pg *testPostgres) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string(nil), pg.asPG...), filepath.Join(pg.bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

// dsn is the URL of the server's postgres database.
func (pg *testPostgres) dsn() string {
	return fmt.Sprintf("postgres://drive@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// start starts the server on its port. Commits are written to the log
// before they are acknowledged (synchronous_commit stays on), as in
// production; fsync is off, which only matters if the machine loses
// power.
func (pg *testPostgres) start() {
	pg.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", pg.port, pg.dir)
	if out, err := pg.command("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-l", filepath.Join(pg.dir, "server.log"), "-w", "-t", "30", "-o", opts, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "server.log"))
		pg.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// crash stops the server at once, without a checkpoint (as a crash
// would; it recovers from its log when started again), cutting every
// connection.
func (pg *testPostgres) crash() {
	pg.t.Helper()
	if out, err := pg.command("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
		pg.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// TestPostgresRestartUnderLoad stops the PostgreSQL server under drive
// serve while clients are writing, and starts it again: meanwhile
// /readyz answers 503 saying the database is not answering; drive
// recovers by itself, without a restart; no acknowledged write is lost;
// and the audit chain verifies. It runs where the PostgreSQL suite runs
// (DRIVE_TEST_POSTGRES set, as make test and CI set it), with a server of
// its own.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if os.Getenv("DRIVE_TEST_POSTGRES") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but DRIVE_TEST_POSTGRES is not: the PostgreSQL tests must run in CI (use make test)")
		}
		t.Log("PostgreSQL is not configured (DRIVE_TEST_POSTGRES): nothing to restart")
		return
	}
	pg := startTestPostgres(t)
	f := newFaultSite(t, pg.dsn())
	p := startDrive(t, f)
	load := startWrites(func() *driveProc { return p }, f, 4, "restart")
	load.waitAcked(t, 20)

	pg.crash()
	var body []byte
	down := time.Now()
	for code := 0; code != http.StatusServiceUnavailable; time.Sleep(50 * time.Millisecond) {
		if time.Since(down) > 20*time.Second {
			p.fail("/readyz did not answer 503 within 20 s of the database stopping (last %d %s)", code, body)
		}
		code, body = p.get("/readyz", "")
	}
	if !strings.Contains(string(body), "the database is not answering") {
		t.Errorf("/readyz while the database is down says %q; want it to say the database is not answering", body)
	}
	time.Sleep(time.Second) // the clients keep trying meanwhile
	if code, _ := p.get("/readyz", ""); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz answered %d with the database still down", code)
	}
	load.mu.Lock()
	before := len(load.acked)
	load.mu.Unlock()

	pg.start()
	up := time.Now()
	for code := 0; code != http.StatusOK; time.Sleep(50 * time.Millisecond) {
		if time.Since(up) > 30*time.Second {
			p.fail("drive did not recover within 30 s of the database starting again (/readyz %d)", code)
		}
		if p.cmd.ProcessState != nil {
			p.fail("drive serve exited while the database was down")
		}
		code, _ = p.get("/readyz", "")
	}
	t.Logf("down %s; ready again %s after the database started", up.Sub(down).Round(time.Millisecond), time.Since(up).Round(time.Millisecond))
	load.waitAcked(t, before+20)
	load.finish()
	load.check(t, p, f, "restart")
	if n := load.refused[http.StatusInternalServerError]; n > 0 {
		p.fail("%d writes answered 500 while the database was away; want 503 (unavailable, try again)", n)
	}
	p.stop()
	f.auditVerifies(t)
}
