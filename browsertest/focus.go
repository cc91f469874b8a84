package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// Focused reports whether the first element the CSS selector matches has
// the focus (document.activeElement). A page's script may move the focus
// once it starts, after the load event, so this asks again for up to three
// seconds before answering no.
func (b *Browser) Focused(selector string) (bool, error) {
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e !== null && document.activeElement === e })()`, strconv.Quote(selector))
	deadline := time.Now().Add(3 * time.Second)
	for {
		ok, err := RunValue(b, chromedp.Evaluate[bool](js))
		if err != nil || ok || time.Now().After(deadline) {
			return ok, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// successBanner is the GOV.UK success notification banner a page shows
// after a change.
const successBanner = ".govuk-notification-banner--success"

// Confirmed checks the page shows the success banner with the heading
// want, and that the banner has the focus, so a screen reader announces
// what changed. It returns an error saying what is wrong otherwise.
func Confirmed(b *Browser, want string) error {
	ok, err := b.Exists(successBanner)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("browsertest: no success banner; want one saying %q", want)
	}
	got, err := b.Text(successBanner + " .govuk-notification-banner__heading")
	if err != nil {
		return err
	}
	if got = strings.TrimSpace(got); got != want {
		return fmt.Errorf("browsertest: the success banner says %q; want %q", got, want)
	}
	if focused, err := b.Focused(successBanner); err != nil {
		return err
	} else if !focused {
		return fmt.Errorf("browsertest: the success banner saying %q does not have the focus", want)
	}
	return nil
}
