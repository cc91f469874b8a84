// Package evaluation holds the rules for giving independent evaluators of
// the Drive intervention what they need without identifying anyone: the
// evaluation project and its approval, pseudonyms, coarsened dates and ages,
// the k-anonymity check run before an extract is released, and random
// allocation for a trial.
//
// The package is pure: no SQL, no HTTP, no clock. Today, now and any
// randomness are passed in, so every answer can be recomputed and tested.
//
// Why keyed hashes. A pseudonym must be stable within a project (two
// extracts of one project join up) and must not be reversible by anyone who
// holds a list of candidate identifiers. A plain hash of a record id can be
// reversed by hashing every small integer; an HMAC keyed with a secret drawn
// for the project cannot be, and two projects (two secrets) get unrelated
// pseudonyms, so evaluators of different projects cannot join their data.
//
// Why k. Names and addresses are never extracted, but a combination of age
// band, sex, ethnicity, site and month can still single out a person to a
// reader who knows the area. Every combination of those quasi-identifiers
// must be shared by at least k people (5 unless the project sets more,
// never fewer than 3); Generalise widens categories until that holds, and
// release is refused when it cannot.
//
// Why permuted blocks. Simple randomisation can leave a small site with
// many more people in one arm than the other. Allocating in blocks of 4 or
// 6, each holding equal numbers of both arms in a random order, keeps every
// site and risk band balanced to within half a block at all times, and
// varying the block size at random stops a worker who knows the last few
// allocations from predicting the next one. Each allocation is a pure
// function of the trial's secret seed, the stratum and the referral's place
// in it, so it can be recomputed for audit, and nothing about the sequence
// is exposed before the referral is recorded.
package evaluation
