package workload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"runtime/trace"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/auth"
)

// Login is what a virtual user signs in with, and the API token and user
// id the benchmark reads their cases and checks their writes with.
type Login struct {
	Account
	UserID   int64
	APIToken string
}

// Options say how hard and how long to run.
type Options struct {
	BaseURL  string
	Logins   []Login // one a virtual user, each on a different account
	Duration time.Duration
	// PerUser, when above zero, has each user make exactly that many
	// operations instead of running for Duration: the same seed then
	// gives the same sequence, for tests.
	PerUser int
	Seed    uint64
	// Think is the mean pause a user takes between operations, drawn
	// from an exponential distribution (as independent practitioners'
	// requests arrive), so a run can be made at a practitioner's pace
	// as well as saturated. Zero runs the operations back to back.
	Think time.Duration
	// Now is the clock TOTP codes are made with: the server's.
	Now func() time.Time
	// CPU, when set, reads the CPU time used so far, so the run can say
	// what its timed operations cost, sign-in and read-back left out.
	CPU func() time.Duration
}

// Op names one kind of request the workload makes.
type Op string

// The workload's operations. Each is one practitioner's action: a write
// is the form post and the page it lands on.
const (
	OpCasePage   Op = "case_page"
	OpCaseload   Op = "caseload"
	OpTeam       Op = "team"
	OpCaseList   Op = "case_list"
	OpListByName Op = "case_list_by_name"
	OpSearch     Op = "search"
	OpPersonPage Op = "person_page"
	OpAPICase    Op = "api_case"
	OpNote       Op = "note"
	OpContact    Op = "contact"
	OpAction     Op = "action"
)

// mix is how often each operation comes up, per hundred, for a case
// manager and a team leader.
var mix = map[access.Role][]struct {
	op     Op
	weight int
}{
	access.CaseManager: {{OpCasePage, 40}, {OpCaseload, 10}, {OpCaseList, 8}, {OpListByName, 3}, {OpSearch, 8}, {OpPersonPage, 5},
		{OpAPICase, 5}, {OpNote, 8}, {OpContact, 7}, {OpAction, 6}},
	access.TeamLeader: {{OpCasePage, 40}, {OpTeam, 15}, {OpCaseList, 15}, {OpListByName, 5}, {OpSearch, 15}, {OpPersonPage, 5}, {OpAPICase, 5}},
}

// Stats are one operation's figures.
type Stats struct {
	Op                 Op
	Count, Errors      int
	P50, P95, P99, Max time.Duration
}

// Result is what a run measured.
type Result struct {
	Elapsed time.Duration
	// CPU is the CPU time used while the operations ran (Options.CPU).
	CPU      time.Duration
	Requests int // operations completed, errors included
	Errors   int
	Stats    []Stats
	// Written is how many writes the server acknowledged, ReadBack how
	// many of them were found afterwards; Lost names those that were not.
	Written, ReadBack int
	Lost              []string
	// FirstErrors are up to 10 error descriptions, for the operator.
	FirstErrors []string
}

// Throughput is completed operations per second.
func (r *Result) Throughput() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Of returns the figures of op.
func (r *Result) Of(op Op) Stats {
	for _, s := range r.Stats {
		if s.Op == op {
			return s
		}
	}
	return Stats{Op: op}
}

// write is a write the server acknowledged, to be read back at the end.
type write struct {
	login  *Login
	op     Op
	caseID int64
	marker string
}

// user is one virtual practitioner with a signed-in browser.
type user struct {
	login     *Login
	client    *http.Client
	csrf      string
	cases     []caseRef // cases they may read
	writable  []int64   // their own open cases
	rng       *rand.Rand
	base      string
	seq       int
	surnames  []string
	durations map[Op][]time.Duration
	errors    map[Op]int
	written   []write
	firstErrs []string
}

type caseRef struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	State    string `json:"state"`
	Manager  int64  `json:"case_manager_id"`
	Person   string `json:"person_name"`
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// Run signs every login in through the sign-in page, then lets each run
// its role's mix of operations back to back until the duration is over,
// and finally reads back every acknowledged write through the API.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if len(opt.Logins) == 0 {
		return nil, errors.New("no users to run as")
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	users := make([]*user, len(opt.Logins))
	var setup sync.WaitGroup
	setupErrs := make([]error, len(users))
	// A few sign in at a time: each hashes a password on purpose slowly,
	// and fifty at once on a busy machine can outlast the 30 seconds a
	// security code is good for.
	signing := make(chan struct{}, 4)
	for i := range opt.Logins {
		jar, _ := cookiejar.New(nil)
		users[i] = &user{login: &opt.Logins[i], base: opt.BaseURL, rng: rand.New(rand.NewPCG(opt.Seed, uint64(i))),
			client:    &http.Client{Jar: jar, Timeout: 60 * time.Second, Transport: transport(len(users))},
			durations: map[Op][]time.Duration{}, errors: map[Op]int{}}
		setup.Add(1)
		go func(i int) {
			defer setup.Done()
			signing <- struct{}{}
			defer func() { <-signing }()
			setupErrs[i] = users[i].start(ctx, now)
		}(i)
	}
	setup.Wait()
	if err := errors.Join(setupErrs...); err != nil {
		return nil, err
	}
	var cpu0 time.Duration
	if opt.CPU != nil {
		cpu0 = opt.CPU()
	}
	// In an execution trace, what came before this mark is signing in.
	trace.Log(ctx, "workload", "timed operations begin")
	start := time.Now()
	deadline := start.Add(opt.Duration)
	var wg sync.WaitGroup
	for n, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Pauses have their own source, so a seed gives the same
			// operations with or without them.
			pauses := rand.New(rand.NewPCG(opt.Seed, uint64(n)|1<<32))
			for i := 0; ctx.Err() == nil; i++ {
				if opt.PerUser > 0 && i >= opt.PerUser || opt.PerUser <= 0 && !time.Now().Before(deadline) {
					break
				}
				// A pause before the first operation too, so the users
				// start spread out as they would be, not all at once. A
				// user whose pause runs to the end of the run stops there:
				// were she to act at the deadline, every user still
				// pausing would ask at the same instant, and the last
				// operations of a run at a practitioner's pace would be a
				// burst of one per user (one case page in seventeen in a
				// 30 s run, which set the p99).
				if opt.Think > 0 && !think(ctx, time.Duration(pauses.ExpFloat64()*float64(opt.Think)), deadline, opt.PerUser > 0) {
					break
				}
				u.step(ctx)
			}
		}()
	}
	wg.Wait()
	res := &Result{Elapsed: time.Since(start)}
	if opt.CPU != nil {
		res.CPU = opt.CPU() - cpu0
	}
	all := map[Op][]time.Duration{}
	errs := map[Op]int{}
	var written []write
	for _, u := range users {
		for op, ds := range u.durations {
			all[op] = append(all[op], ds...)
		}
		for op, n := range u.errors {
			errs[op] += n
			res.Errors += n
		}
		written = append(written, u.written...)
		for _, e := range u.firstErrs {
			if len(res.FirstErrors) < 10 {
				res.FirstErrors = append(res.FirstErrors, e)
			}
		}
	}
	for op, ds := range all {
		slices.Sort(ds)
		res.Stats = append(res.Stats, Stats{Op: op, Count: len(ds), Errors: errs[op], P50: pct(ds, 50), P95: pct(ds, 95), P99: pct(ds, 99), Max: ds[len(ds)-1]})
		res.Requests += len(ds)
	}
	sort.Slice(res.Stats, func(i, j int) bool { return res.Stats[i].Op < res.Stats[j].Op })
	res.Written = len(written)
	lost, err := readBack(ctx, opt.BaseURL, written)
	if err != nil {
		return res, err
	}
	res.Lost = lost
	res.ReadBack = res.Written - len(lost)
	return res, nil
}

// think pauses for d and reports whether the user should go on: false
// if the pause would end at or after the run's deadline, when it runs
// for a time (counted runs have none), in which case it waits only until
// the deadline; false too if ctx ends first.
func think(ctx context.Context, d time.Duration, deadline time.Time, counted bool) bool {
	goOn := true
	if !counted {
		if left := time.Until(deadline); d >= left {
			d, goOn = left, false
		}
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return goOn && ctx.Err() == nil
}

func transport(users int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = users + 1
	return t
}

// pct is the p-th percentile of sorted ds (nearest rank).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := (len(ds)*p + 99) / 100
	return ds[max(i-1, 0)]
}

// start signs the user in as a browser does (the sign-in page's form
// token, the password and a code from their authenticator) and reads the
// cases they work on.
func (u *user) start(ctx context.Context, now func() time.Time) error {
	for attempt := 0; ; attempt++ {
		err := u.signIn(ctx, now())
		if err == nil {
			break
		}
		// A code is accepted once: a second sign-in in the same 30
		// seconds (an earlier run) waits for the next code.
		if attempt >= 2 {
			return fmt.Errorf("%s: %w", u.login.Username, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(30*time.Second - time.Duration(now().Unix()%30)*time.Second + time.Second):
		}
	}
	body, err := u.get(ctx, "/cases")
	if err != nil {
		return err
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		return fmt.Errorf("%s: no form token on the case list", u.login.Username)
	}
	u.csrf = m[1]
	for _, state := range []string{"active", "allocated", "closing", "closed", "referred"} {
		var list struct {
			Items []caseRef `json:"items"`
		}
		if err := u.api(ctx, "/api/v1/cases?limit=200&state="+state, &list); err != nil {
			return err
		}
		for _, c := range list.Items {
			u.cases = append(u.cases, c)
			if c.Manager == u.login.UserID && (c.State == "active" || c.State == "allocated" || c.State == "closing") {
				u.writable = append(u.writable, c.ID)
			}
			if f := strings.Fields(c.Person); len(f) > 1 {
				u.surnames = append(u.surnames, strings.SplitN(f[len(f)-1], "-", 2)[0])
			}
		}
	}
	if len(u.cases) == 0 {
		return fmt.Errorf("%s sees no cases", u.login.Username)
	}
	if u.login.Role == access.CaseManager && len(u.writable) == 0 {
		return fmt.Errorf("%s has no open cases of their own", u.login.Username)
	}
	return nil
}

func (u *user) signIn(ctx context.Context, at time.Time) error {
	page, err := u.get(ctx, "/signin")
	if err != nil {
		return err
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return errors.New("no form token on the sign-in page")
	}
	code, err := auth.TOTPCode(u.login.TOTPSecret, at)
	if err != nil {
		return err
	}
	resp, err := u.post(ctx, "/signin", url.Values{"csrf_token": {m[1]}, "username": {u.login.Username}, "password": {Password}, "code": {code}})
	if err != nil {
		return err
	}
	if resp.Request.URL.Path == "/signin" {
		return errors.New("sign-in refused")
	}
	return nil
}

func (u *user) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u.base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", routeOf(path), resp.StatusCode)
	}
	return string(b), nil
}

// post sends a form; the client follows the redirect a successful form
// answers with, so a write counts once the page it lands on is served.
func (u *user) post(ctx context.Context, path string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", u.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST %s: status %d", routeOf(path), resp.StatusCode)
	}
	return resp, nil
}

func (u *user) api(ctx context.Context, path string, into any) error {
	return apiGet(ctx, u.client, u.base, u.login.APIToken, path, into)
}

func apiGet(ctx context.Context, c *http.Client, base, token, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("GET %s: status %d", routeOf(path), resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

var digits = regexp.MustCompile(`[0-9]+`)

// routeOf replaces ids in a path, so an error names the route and no
// record.
func routeOf(path string) string {
	path, _, _ = strings.Cut(path, "?")
	return digits.ReplaceAllString(path, "N")
}

// step runs one operation of the user's mix and records its time.
func (u *user) step(ctx context.Context) {
	ops := mix[u.login.Role]
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	x := u.rng.IntN(total)
	var op Op
	for _, o := range ops {
		if x < o.weight {
			op = o.op
			break
		}
		x -= o.weight
	}
	// Each operation is a task in an execution trace (drive bench load
	// --trace), so a slow one can be set beside what the server did then.
	tctx, task := trace.NewTask(ctx, string(op))
	start := time.Now()
	err := u.do(tctx, op)
	d := time.Since(start)
	task.End()
	if ctx.Err() != nil {
		return
	}
	u.durations[op] = append(u.durations[op], d)
	if err != nil {
		u.errors[op]++
		if len(u.firstErrs) < 3 {
			u.firstErrs = append(u.firstErrs, fmt.Sprintf("%s: %v", op, err))
		}
	}
}

func (u *user) do(ctx context.Context, op Op) error {
	c := u.cases[u.rng.IntN(len(u.cases))]
	today := time.Now().UTC()
	switch op {
	case OpCasePage:
		_, err := u.get(ctx, "/cases/"+strconv.FormatInt(c.ID, 10))
		return err
	case OpCaseload:
		_, err := u.get(ctx, "/caseload")
		return err
	case OpTeam:
		_, err := u.get(ctx, "/team")
		return err
	case OpCaseList:
		_, err := u.get(ctx, "/cases")
		return err
	case OpListByName:
		_, err := u.get(ctx, "/cases?sort=name")
		return err
	case OpSearch:
		q := "Ashworth"
		if len(u.surnames) > 0 {
			q = u.surnames[u.rng.IntN(len(u.surnames))]
		}
		_, err := u.post(ctx, "/cases/search", url.Values{"csrf_token": {u.csrf}, "q": {q}})
		return err
	case OpPersonPage:
		_, err := u.get(ctx, "/people/"+strconv.FormatInt(c.PersonID, 10))
		return err
	case OpAPICase:
		var out map[string]any
		return u.api(ctx, "/api/v1/cases/"+strconv.FormatInt(c.ID, 10), &out)
	}
	// Writes go to the user's own open cases, each with a marker the
	// read-back looks for.
	id := u.writable[u.rng.IntN(len(u.writable))]
	u.seq++
	marker := fmt.Sprintf("load %s %d %d", u.login.Username, u.seq, time.Now().UnixNano())
	path := "/cases/" + strconv.FormatInt(id, 10) + "/"
	var form url.Values
	switch op {
	case OpNote:
		path += "notes"
		form = url.Values{"text": {"Spoke about the plan. " + marker}}
	case OpContact:
		path += "contacts"
		form = url.Values{"kind": {"contact"}, "method": {"phone"}, "contact_summary": {"Phoned about the plan. " + marker},
			"contact_on": {today.Format("2/1/2006")}}
	case OpAction:
		path += "actions"
		form = url.Values{"type": {"one-to-one"}, "agency": {"Drive"}, "owner": {marker}, "due_on": {today.AddDate(0, 0, 14).Format("2/1/2006")}}
	default:
		return fmt.Errorf("unknown operation %s", op)
	}
	form.Set("csrf_token", u.csrf)
	if _, err := u.post(ctx, path, form); err != nil {
		return err
	}
	u.written = append(u.written, write{login: u.login, op: op, caseID: id, marker: marker})
	return nil
}

// readBack looks for every acknowledged write through the API, as its
// writer, and names those not found.
func readBack(ctx context.Context, base string, written []write) ([]string, error) {
	c := &http.Client{Timeout: 60 * time.Second}
	type key struct {
		login  *Login
		caseID int64
		op     Op
	}
	seen := map[key]string{}
	var lost []string
	for _, w := range written {
		k := key{w.login, w.caseID, w.op}
		text, ok := seen[k]
		if !ok {
			var path string
			switch w.op {
			case OpNote:
				path = "/notes"
			case OpContact:
				path = "/contacts"
			case OpAction:
				path = "/actions"
			}
			var items []map[string]any
			if err := apiGet(ctx, c, base, w.login.APIToken, "/api/v1/cases/"+strconv.FormatInt(w.caseID, 10)+path, &items); err != nil {
				return nil, fmt.Errorf("reading back: %w", err)
			}
			b, _ := json.Marshal(items)
			text = string(b)
			seen[k] = text
		}
		if !strings.Contains(text, w.marker) {
			lost = append(lost, fmt.Sprintf("%s on case %d: %q", w.op, w.caseID, w.marker))
		}
	}
	return lost, nil
}
