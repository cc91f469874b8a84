// Package auth holds the credential primitives of the Drive platform:
// password hashing and policy, time-based one-time passwords, QR codes for
// enrolling an authenticator app, recovery codes, opaque tokens, CSRF tokens
// and the sign-in throttling policy.
//
// The package is pure Go. It imports neither SQL nor HTTP: storage,
// sessions and handlers are built on top of it. Randomness and time are
// always passed in (an io.Reader, a time.Time), so that tests are exact and
// nothing in here reads a clock or a global source of randomness behind the
// caller's back. There is no package-level mutable state; values that must
// be computed once, such as the dummy hash that hides whether an account
// exists, live in a Hasher that the caller constructs once at start-up.
//
// # What is stored, and why
//
//   - Passwords: argon2id in a self-describing PHC string, so that the cost
//     can be raised later and old hashes upgraded at the next sign-in
//     (VerifyPassword reports needsRehash).
//   - Session tokens, API tokens and recovery codes: SHA-256 of the secret.
//     These secrets are random with 74 or more bits of entropy, so a slow
//     hash would add cost without adding safety; a leaked table of hashes
//     still cannot be turned back into working secrets.
//   - TOTP secrets: the base32 secret itself, because the server needs it to
//     compute codes. The storage layer should encrypt it at rest.
//   - The last accepted TOTP step per account, so that a code works once.
//
// # Errors
//
// Errors meant for the person at the keyboard are *drive.Error values with
// code EINVALID, EUNAUTHORIZED or ETOOMANY and a message that says what to
// do. Errors caused by bad stored data or a failing random source are plain
// errors, which the application reports as EINTERNAL without detail; they
// never contain a secret, a hash or a password.
//
// # Common-password list
//
// CheckPassword refuses passwords found in common-passwords.txt, embedded in
// the binary. The list is the file src/passwords.json of the npm package
// @zxcvbn-ts/language-common version 4.1.3 (49,233 passwords, most common
// first), used under the MIT licence; copyright (c) 2012-2016 Dan Wheeler and
// Dropbox, Inc., and (c) 2021 @zxcvbn-ts. The licence text is kept at the top
// of the list file itself, as the licence requires.
package auth
