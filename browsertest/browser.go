// Package browsertest drives a real headless Chromium from Go tests, so page
// tests can check what a person's browser does with Drive's HTML: that the
// stylesheet and script load under the Content-Security-Policy, that forms
// submit, that pages work with JavaScript off, and that axe-core finds no
// WCAG 2.2 AA failures.
//
// It needs Debian's chromium package and axe-core from web/assets/node_modules
// (npm ci in web/assets). When either is missing the test fails, never skips:
// a skipped accessibility check reads as a passed one. make test installs both.
//
// A typical test:
//
//	b := browsertest.New(t)
//	if _, err := b.Navigate(srv.URL + "/"); err != nil {
//		t.Fatal(err)
//	}
//	b.AssertAccessible(t)
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds browser start-up and every call on a Browser, so a
// hung browser fails the test instead of hanging it.
const DefaultTimeout = 30 * time.Second

// Browser is one headless Chromium process with one tab. It belongs to a
// single test and is not safe for concurrent use.
type Browser struct {
	ctx       context.Context // the tab's chromedp context
	timeout   time.Duration
	scriptOff bool
	axeSource string

	mu        sync.Mutex
	console   []consoleError  // console errors and uncaught exceptions, in order
	documents map[string]bool // URLs of pages loaded by Navigate and Submit
}

type consoleError struct {
	text, url string
	// status is set for the browser's "the server responded with a status
	// of N" log entry, which is expected for a page deliberately served
	// with an error status, such as a form re-shown with 422.
	status bool
}

// Option changes how New starts the browser.
type Option func(*options)

type options struct {
	timeout      time.Duration
	width        int
	height       int
	noJavaScript bool
}

// WithoutJavaScript turns off script execution in the tab, as for a person
// whose browser has JavaScript disabled or whose script failed to load. Axe
// still works: it switches script on only while it checks the page.
func WithoutJavaScript() Option {
	return func(o *options) { o.noJavaScript = true }
}

// WindowSize sets the size of the page's viewport in CSS pixels; the default
// is 1280 by 900. It is emulated rather than a window size, because headless
// Chromium will not make a window narrower than about 500 pixels, and reflow
// checks need 320.
func WindowSize(width, height int) Option {
	return func(o *options) { o.width, o.height = width, height }
}

// Timeout replaces DefaultTimeout.
func Timeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// New starts a headless Chromium for the test, with a fresh profile, and
// closes it when the test ends; under Main it opens a private window (a
// browser context of its own) in the package's shared Chromium instead,
// closed when the test ends. It fails the test, with instructions, if
// Chromium or axe-core is not installed, or if the browser does not start.
func New(t testing.TB, opts ...Option) *Browser {
	t.Helper()
	o := options{timeout: DefaultTimeout, width: 1280, height: 900}
	for _, opt := range opts {
		opt(&o)
	}

	exe, err := FindChromium()
	if err != nil {
		t.Fatal(err)
	}
	axe, err := loadAxe()
	if err != nil {
		t.Fatal(err)
	}
	var (
		ctx       context.Context
		cancelTab context.CancelFunc
		output    fmt.Stringer
		closeAll  func()
	)
	if sharing.Load() {
		// A new browser context in the shared browser: cookies, storage
		// and cache of its own, as a browser started for the test has.
		var browser context.Context
		browser, output, err = sharedBrowser(o.timeout)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancelTab = chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		closeAll = cancelTab
	} else {
		var cancelBrowser func()
		ctx, cancelBrowser, output, err = startBrowser(exe, o.width, o.height)
		if err != nil {
			t.Fatal(err)
		}
		cancelTab, closeAll = cancelBrowser, cancelBrowser
	}

	b := &Browser{
		ctx:       ctx,
		timeout:   o.timeout,
		scriptOff: o.noJavaScript,
		axeSource: axe,
		documents: map[string]bool{},
	}
	t.Cleanup(func() {
		// Close gracefully, but never wait on a hung browser for long.
		closeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_ = chromedp.Cancel(closeCtx)
		cancel()
		closeAll()
	})

	// The first call starts the browser (or opens the tab), and the browser
	// lives as long as the context of that call, so it cannot carry a
	// deadline; time it out here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("browsertest: starting %s: %v\nbrowser output:\n%s", exe, err, output)
		}
	case <-time.After(o.timeout):
		cancelTab()
		t.Fatalf("browsertest: %s did not start within %s\nbrowser output:\n%s", exe, o.timeout, output)
	}

	b.watchConsole()
	err = b.Run(
		chromedp.EmulateViewport(int64(o.width), int64(o.height)),
		// A headless tab never has the operating system's focus, so without
		// this :focus styles never match and focus checks see nothing.
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("browsertest: setting up the tab: %v", err)
	}
	if o.noJavaScript {
		if err := b.Run(setScriptDisabled(true)); err != nil {
			t.Fatalf("browsertest: turning off JavaScript: %v", err)
		}
	}
	return b
}

// setScriptDisabled switches the page's script execution off or on.
func setScriptDisabled(disabled bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: disabled})
		return err
	})
}

// startBrowser starts a headless Chromium with a fresh profile and a
// window of width by height, and returns the context of its first tab
// (the browser starts on the first run in it), a function that stops the
// browser and removes its profile, and the browser's recent output.
func startBrowser(exe string, width, height int) (context.Context, func(), fmt.Stringer, error) {
	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("browsertest: %v", err)
	}
	output := &tailBuffer{max: 16 << 10}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Containers often have a tiny /dev/shm; a full one crashes tabs.
		chromedp.Flag("disable-dev-shm-usage", true),
		// The same colours on every machine, for screenshots.
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-GB"),
		chromedp.WindowSize(width, height),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(output),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	stop := func() {
		cancelTab()
		cancelAlloc()
		removeProfile(profile)
	}
	return ctx, stop, output, nil
}

// sharing says whether New opens its tab in the one browser the package's
// tests share (see Main) rather than starting a browser of its own.
var sharing atomic.Bool

// shared is the browser the tests share: its first tab's context, which
// lives as long as the browser, the function that stops it, and its
// output. The mutex guards it; New starts it on first use, and again if
// it has died, so one crash fails one test rather than all that follow.
var shared struct {
	mu     sync.Mutex
	ctx    context.Context
	stop   func()
	output fmt.Stringer
}

// Main runs a package's tests, as TestMain does, with every Browser that
// New makes opened as a new browser context (its own cookies, storage
// and cache, like a private window) in one shared Chromium, stopped when
// the tests end. Starting Chromium costs over a second of CPU, and a
// package with dozens of browser tests paid it for each.
//
//	func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }
//
// Without Main, New starts a browser for each test, as before.
func Main(m *testing.M) int {
	sharing.Store(true)
	code := m.Run()
	shared.mu.Lock()
	if shared.stop != nil {
		closeCtx, cancel := context.WithTimeout(shared.ctx, 10*time.Second)
		_ = chromedp.Cancel(closeCtx)
		cancel()
		shared.stop()
		shared.ctx, shared.stop = nil, nil
	}
	shared.mu.Unlock()
	return code
}

// sharedBrowser returns the shared browser's first tab's context,
// starting the browser if it is not running, within timeout.
func sharedBrowser(timeout time.Duration) (context.Context, fmt.Stringer, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx != nil && shared.ctx.Err() == nil {
		return shared.ctx, shared.output, nil
	}
	if shared.stop != nil {
		shared.stop()
	}
	exe, err := FindChromium()
	if err != nil {
		return nil, nil, err
	}
	ctx, stop, output, err := startBrowser(exe, 1280, 900)
	if err != nil {
		return nil, nil, err
	}
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(timeout):
		err = fmt.Errorf("did not start within %s", timeout)
	}
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("browsertest: starting %s: %v\nbrowser output:\n%s", exe, err, output)
	}
	shared.ctx, shared.stop, shared.output = ctx, stop, output
	return ctx, output, nil
}

// FindChromium returns the Chromium executable: $CHROMIUM if set, else
// /usr/bin/chromium, else chromium or chromium-browser on $PATH.
func FindChromium() (string, error) {
	if exe := os.Getenv("CHROMIUM"); exe != "" {
		if _, err := exec.LookPath(exe); err != nil {
			return "", fmt.Errorf("browsertest: $CHROMIUM is %q, which is not an executable: %v", exe, err)
		}
		return exe, nil
	}
	if _, err := exec.LookPath("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if exe, err := exec.LookPath(name); err == nil {
			return exe, nil
		}
	}
	return "", errors.New("browsertest: headless Chromium not found: install Debian's chromium (apt-get install chromium) or run make test, which installs it; or set $CHROMIUM to its path")
}

// ModuleRoot returns the directory holding the module's go.mod, found by
// walking up from the working directory (a package's directory under go test).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
}

func loadAxe() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	path := filepath.Join(root, "web", "assets", "node_modules", "axe-core", "axe.min.js")
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("browsertest: axe-core not found at %s: run npm ci in web/assets (make test does this): %v", path, err)
	}
	return string(src), nil
}

// removeProfile deletes the browser profile. Chromium's helper processes can
// still be flushing files for a moment after it exits, so retry briefly.
func removeProfile(dir string) {
	for range 20 {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Context returns the tab's chromedp context, for actions this package has
// no method for. Bound each use with a timeout derived from it.
func (b *Browser) Context() context.Context { return b.ctx }

// Run runs the actions in order in the tab, giving up after the timeout.
func (b *Browser) Run(actions ...chromedp.Action[chromedp.Void]) error {
	_, err := RunValue(b, chromedp.Steps(actions...))
	return err
}

// RunValue runs one action that returns a value, e.g. chromedp.Title(),
// giving up after the browser's timeout.
func RunValue[T any](b *Browser, action chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("browsertest: browser did not finish within %s: %w", b.timeout, err)
	}
	return v, err
}

// Navigate loads the URL, waits for the page to load, and returns the HTTP
// status of the document.
func (b *Browser) Navigate(url string) (int, error) {
	resp, err := RunValue(b, chromedp.NavigateResponse(url))
	if err != nil {
		return 0, fmt.Errorf("browsertest: navigating to %s: %w", url, err)
	}
	return b.loaded(resp), nil
}

// Fill types the value into the form field that the CSS selector matches,
// replacing what was there.
func (b *Browser) Fill(selector, value string) error {
	return b.Run(
		chromedp.WaitReady(chromedp.CSS(selector)),
		chromedp.Clear(chromedp.CSS(selector)),
		chromedp.SendKeys(chromedp.CSS(selector), value),
	)
}

// Click clicks the element the CSS selector matches, without waiting for any
// navigation it starts; use Submit for that.
func (b *Browser) Click(selector string) error {
	return b.Run(chromedp.Click(chromedp.CSS(selector)))
}

// Submit clicks the button or link the CSS selector matches, waits for the
// page it leads to, and returns that page's HTTP status (after redirects).
//
// A click lands where the element was when the browser measured it; on a
// busy machine a page can still be settling then (scripts hiding what they
// reveal on demand move the buttons below), and the click meets nothing.
// So the page notes whether a navigation starts (the Navigation API's
// navigate event, for links and forms alike), and when none has started a
// third of the way into the timeout, the click is made once more. A
// navigation that has started is waited for, however slow; a second
// click is never made after one that worked, so nothing is sent twice.
func (b *Browser) Submit(selector string) (int, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__browsertestNavigating = false;
		if (window.navigation) navigation.addEventListener("navigate", () => { window.__browsertestNavigating = true }, {once: true});
		true`)); err != nil {
		return 0, fmt.Errorf("browsertest: submitting with %s: %w", selector, err)
	}
	first, stop := context.WithTimeout(ctx, b.timeout/3)
	resp, err := chromedp.RunResponse(first, chromedp.Click(chromedp.CSS(selector)))
	stop()
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		if navigating, e := chromedp.Run(ctx, chromedp.Evaluate[any](`window.__browsertestNavigating`)); e == nil && navigating == false {
			resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
		} else {
			return b.awaitNavigation(ctx, selector)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("browsertest: submitting with %s: %w", selector, err)
	}
	return b.loaded(resp), nil
}

// awaitNavigation waits for a navigation Submit saw start to load, and
// returns the status of the page it loaded.
func (b *Browser) awaitNavigation(ctx context.Context, selector string) (int, error) {
	type page struct {
		Loaded bool    `json:"loaded"`
		URL    string  `json:"url"`
		Status float64 `json:"status"`
	}
	for {
		page, err := chromedp.Run(ctx, chromedp.Evaluate[page](`({
			loaded: window.__browsertestNavigating === undefined && document.readyState === "complete",
			url: location.href,
			status: (performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0,
		})`))
		if err == nil && page.Loaded {
			b.noteDocument(page.URL)
			return int(page.Status), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("browsertest: submitting with %s: the page did not load: %w", selector, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// loaded notes the page a navigation loaded and returns its status.
func (b *Browser) loaded(resp *network.Response) int {
	if resp == nil {
		return 0
	}
	b.noteDocument(resp.URL)
	return int(resp.Status)
}

// noteDocument records that a navigation loaded the page at url.
func (b *Browser) noteDocument(url string) {
	b.mu.Lock()
	b.documents[url] = true
	b.mu.Unlock()
}

// URL returns the address of the current page.
func (b *Browser) URL() (string, error) {
	return RunValue(b, chromedp.Location())
}

// Title returns the current page's title.
func (b *Browser) Title() (string, error) {
	return RunValue(b, chromedp.Title())
}

// SetCookie gives the tab a cookie for the site at base (an address such
// as http://127.0.0.1:PORT) with path /, as a response from it would, but
// through the browser itself: no page needs to be open, and a cookie of
// the same name is replaced whatever its flags (script cannot replace an
// HttpOnly one). Tests use it to be a user whose session they made,
// without going through the sign-in pages tested elsewhere.
func (b *Browser) SetCookie(base, name, value string) error {
	return b.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: strings.TrimSuffix(base, "/") + "/", Path: "/"})
		return err
	}))
}

// HTML returns the current document's markup as the browser now has it,
// after any changes made by script.
func (b *Browser) HTML() (string, error) {
	return RunValue(b, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
}

// Text returns the rendered text (innerText) of the first element the CSS
// selector matches, waiting for one to appear.
func (b *Browser) Text(selector string) (string, error) {
	return RunValue(b, chromedp.Text(chromedp.CSS(selector)))
}

// Exists reports whether any element matches the CSS selector now.
func (b *Browser) Exists(selector string) (bool, error) {
	return RunValue(b, chromedp.Evaluate[bool](fmt.Sprintf(
		`document.querySelector(%s) !== null`, strconv.Quote(selector))))
}

// ComputedStyle returns the computed value of a CSS property, e.g.
// "background-color", for the first element the selector matches.
func (b *Browser) ComputedStyle(selector, property string) (string, error) {
	v, err := RunValue(b, chromedp.Evaluate[*string](fmt.Sprintf(
		`(() => { const el = document.querySelector(%s); return el ? getComputedStyle(el).getPropertyValue(%s) : null })()`,
		strconv.Quote(selector), strconv.Quote(property))))
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", fmt.Errorf("browsertest: no element matches %s", selector)
	}
	return *v, nil
}

// Screenshot saves a PNG of the whole page, for people to look at.
func (b *Browser) Screenshot(path string) error {
	png, err := RunValue(b, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("browsertest: screenshot: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

// ConsoleErrors returns the console errors, uncaught exceptions and browser
// log errors (failed loads, Content-Security-Policy violations) seen so far.
// The browser's complaint about an error status on a page loaded with
// Navigate or Submit is left out: the caller has that status already.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.console {
		if e.status && b.documents[e.url] {
			continue
		}
		out = append(out, e.text)
	}
	return out
}

// AssertNoConsoleErrors fails the test for each console error seen so far.
func (b *Browser) AssertNoConsoleErrors(t testing.TB) {
	t.Helper()
	for _, m := range b.ConsoleErrors() {
		t.Errorf("browser console: %s", m)
	}
}

func (b *Browser) watchConsole() {
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			e := consoleError{
				text:   m.String(),
				url:    m.URL,
				status: m.Source == "network" && strings.Contains(m.Text, "the server responded with a status of"),
			}
			if m.URL != "" {
				e.text += " (" + m.URL + ")"
			}
			b.mu.Lock()
			b.console = append(b.console, e)
			b.mu.Unlock()
		}
	}()
}

// tailBuffer keeps the last max bytes written to it, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.TrimSpace(string(w.buf))
}
