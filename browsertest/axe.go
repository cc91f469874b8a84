package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeTags are the axe-core rule tags Axe runs, as a JavaScript array: WCAG
// 2.0, 2.1 and 2.2 at levels A and AA, the standard UK public-sector services
// must meet.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]`

// Violation is one axe-core rule that failed on the page.
type Violation struct {
	ID          string   `json:"id"`     // rule id, e.g. "color-contrast"
	Impact      string   `json:"impact"` // "minor", "moderate", "serious" or "critical"
	Description string   `json:"description"`
	Help        string   `json:"help"` // one line saying what to fix
	HelpURL     string   `json:"helpUrl"`
	Tags        []string `json:"tags"`
	Nodes       []Node   `json:"nodes"`
}

// Node is one element that failed a rule.
type Node struct {
	// Target is the CSS selector path to the element; elements in shadow DOM
	// or frames have one selector per level, joined by " >>> ".
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// runAxe runs axe over the document and reduces the result to what Violation
// holds, so nested shadow-DOM targets arrive as plain strings.
const runAxe = `(async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: %s },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact || "",
    description: v.description,
    help: v.help,
    helpUrl: v.helpUrl,
    tags: v.tags,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : String(t))),
      html: n.html,
      failureSummary: n.failureSummary || "",
    })),
  }));
})()`

// Axe runs axe-core's WCAG 2.2 A and AA rules against the current page and
// returns the violations, none when the page passes. Checks axe cannot
// decide (its "incomplete" results) are not reported.
//
// With WithoutJavaScript, script is switched on only while axe runs; the
// page's own scripts have already been skipped and do not run then.
func (b *Browser) Axe() ([]Violation, error) {
	if b.scriptOff {
		if err := b.Run(setScriptDisabled(false)); err != nil {
			return nil, fmt.Errorf("browsertest: axe: %w", err)
		}
		defer func() { _ = b.Run(setScriptDisabled(true)) }()
	}

	loaded, err := RunValue(b, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, fmt.Errorf("browsertest: axe: %w", err)
	}
	if !loaded {
		if err := b.Run(chromedp.Evaluate[chromedp.Void](b.axeSource)); err != nil {
			return nil, fmt.Errorf("browsertest: loading axe-core: %w", err)
		}
	}
	violations, err := RunValue(b, chromedp.Evaluate[[]Violation](fmt.Sprintf(runAxe, axeTags), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("browsertest: running axe-core: %w", err)
	}
	return violations, nil
}

// AssertAccessible runs Axe and fails the test once for each violation,
// naming the rule, its impact, what to fix and the first few elements.
func (b *Browser) AssertAccessible(t testing.TB) {
	t.Helper()
	violations, err := b.Axe()
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) == 0 {
		return
	}
	url, _ := b.URL()
	for _, v := range violations {
		t.Errorf("axe: %s", v.describe(url))
	}
}

// describe formats the violation for a test failure.
func (v Violation) describe(url string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s (%s) on %s: %s\n    %s", v.ID, v.Impact, url, v.Help, v.HelpURL)
	const shown = 3
	for i, n := range v.Nodes {
		if i == shown {
			fmt.Fprintf(&s, "\n    ... and %d more", len(v.Nodes)-shown)
			break
		}
		fmt.Fprintf(&s, "\n    at %s", strings.Join(n.Target, " "))
		if n.FailureSummary != "" {
			fmt.Fprintf(&s, "\n       %s", strings.ReplaceAll(n.FailureSummary, "\n", "\n       "))
		}
	}
	return s.String()
}
