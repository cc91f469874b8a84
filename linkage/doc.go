// Package linkage finds the records of one person among records of many
// people: probabilistic record linkage in the Fellegi-Sunter tradition, for
// any table of people (police incident extracts, MARAC lists, or any CSV).
//
// A caller builds a Table with the fields to compare and their kinds, adds
// records, and calls Link. Link blocks the records into candidate pairs
// (BlockingRule), grades each field of each pair into comparison levels (see
// the Kind constants), estimates how much each level says about a match
// (u from random pairs, m by expectation-maximisation, term-frequency
// adjustments for common values), scores every candidate pair, and joins the
// pairs at or above a probability threshold into clusters, one per person,
// guarding against one bad link chaining two people together. Result.Explain
// shows the weight each field added for any pair.
//
// The package is pure Go with no storage or network: it reads CSV through
// CSVReader, and everything else works on memory. Results depend only on the
// input, its order, the options and the seed. Randomness comes from the seed
// in Options; the package holds no mutable state.
//
// Errors a user can fix (a bad option, rule or field, a repeated id, a
// malformed CSV row) are drive.Error values with code EINVALID and a message
// that says what to do.
package linkage
