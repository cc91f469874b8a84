// Package outcomes computes every outcome measure the platform publishes:
// behaviour change, risk change, DASH change, police incidents, repeat
// MARAC, reach, fidelity to the model and equality monitoring, for a site,
// a region or the nation, per programme and over a period (issue 14, items
// 1 to 3; definitions from DOMAIN.md "Outcome measures").
//
// It is pure: the caller fills one CaseFacts per perpetrator's case from
// the database and passes the as-of date; Compute returns figures that are
// already safe to publish, each with its definition, its N and the cases
// left out and why. Pages, downloads, `drive report` and the JSON API only
// render a Report; none of them should count anything again.
//
// # Small numbers and differencing
//
// A published figure must not let a reader who knows the area work out a
// count of 1 to 4 people, either from one report (a total less the cells
// shown) or from two reports whose scopes differ by one filter (all sites
// against all sites but one; a period against the same period one day
// longer). Suppressing cells of 1 to 4 alone cannot stop the second: 203
// cases in one report and 200 in the other give 3 away. The rule, after
// NHS Digital's published practice, is:
//
//  1. Every published integer (a numerator, a denominator, a cell of a
//     paired or equality table, a count of cases left out) is zero when it
//     is zero, withheld ("[c]") when its size is 1 to 7, and otherwise
//     rounded to the nearest multiple of 5 (sign kept: a fall in
//     incidents is a negative count). 1 to 4 is DOMAIN.md's threshold; 5
//     to 7 are withheld as well because, rounded, they would be published
//     as 5 beside a withheld 4, and a withheld 4 in one report against 10
//     (8 to 12) in the other would give a difference of exactly 4 away.
//     This is NHS Digital's published rule (suppress 1 to 7, round the
//     rest to 5). For another threshold t the withheld range runs from 1
//     to the first count of at least t that ends in 2 or 7. Rows of an
//     equality table also get secondary suppression (suppress.Row) over
//     the same range before rounding.
//  2. Every derived figure (a share, a mean, a percentage change, a Wilson
//     interval, a McNemar p-value) is computed from the published, rounded
//     counts, never from the true ones, so it carries no information the
//     counts do not. A p-value whose discordant count is withheld is the
//     largest p-value any withheld value could give.
//  3. A derived figure is withheld when a count it is made from is withheld
//     or when its published denominator is below the minimum (10 unless the
//     scope sets another), and a withheld measure carries zeros and a null
//     value, never its true numbers.
//
// Why this defeats differencing: a published count r stands for a true
// count from r-2 to r+2 and a withheld one for 1 to 7, so the difference
// of two published counts stands for a run of possible true differences
// that, wherever it meets 1..4, holds at least two of them (two shown
// counts give a run of nine; a withheld count beside 10 gives 1 to 11). Subtraction therefore never narrows a small difference to one
// value. differencing_test.go builds random case sets, computes pairs of
// reports differing by one filter (all sites against all but a small one;
// a period against the same period one day longer, with a few referrals on
// that day), and tries to recover every difference of 1 to 4 between them
// by subtraction, knowing the rule; it fails if any is pinned down, and it
// checks that the same attack succeeds when rounding is switched off, so
// the test has teeth.
//
// Limits, stated honestly: the proof is for two reports. Many reports over
// overlapping scopes could still be combined to narrow a count, as with any
// rounding scheme; the pages should offer fixed filters (sites, quarters)
// rather than arbitrary date ranges. The median days from referral to
// allocation is a median, not a count: it is published only over at least
// the minimum number of cases and rounded to whole days, and is outside
// the differencing proof. The number of case managers behind the caseload
// figure counts staff, not people the service works with, and is
// published as it is. Rounding costs accuracy at a single site (a share
// over 50 cases may move by a few points); every figure is computed from
// the rounded counts shown beside it, so a reader can check it.
package outcomes
