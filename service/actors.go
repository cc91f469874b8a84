package service

import (
	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
)

// The actors that are not people. A person reaches the service through
// the web pages or the API, signed in, and the access policy decides what
// they may do. A few entry points are trusted by whoever runs them rather
// than by a sign-in: the command line (run by the operator on the server)
// and the demo generator. They act under a name of their own, so every
// audit event they write says which entry point it was (Remote, with the
// role "system" and no user), and the use cases only they may ask for
// (bulk imports, resolving a site's people, matching across sites) refuse
// anyone without a name.

// CommandLine is the actor for the `drive` commands: the system itself,
// with the powers of a national administrator and no more, from no network
// address. Like any administrator it cannot change a victim-side account
// alone. It may also ask for the trusted entry points' use cases (imports,
// identification), as `drive import` and `drive identify` do.
func CommandLine() Actor {
	a := System("cli")
	a.Subject = access.Subject{Grants: []access.Grant{{Role: access.Admin}}}
	return a
}

// System is a trusted entry point named name ("cli", "demo"): it holds no
// role, so the access policy gives it nothing, and it may ask only for the
// use cases written for trusted entry points.
func System(name string) Actor {
	return Actor{System: name, Remote: name}
}

// trusted refuses an actor that is not a named entry point: a person may
// not ask for a system's use case, whatever roles they hold. The answer is
// "not found", as for any record the actor may not see.
func trusted(a Actor, what string) error {
	if a.System == "" || a.UserID != 0 {
		return drive.NotFound(what)
	}
	return nil
}

// Scheduler is the actor for what drive serve does on its own on a
// schedule that needs a national administrator's powers (the daily
// retention run): like CommandLine, but its audit events say "schedule".
func Scheduler() Actor {
	a := System("schedule")
	a.Subject = access.Subject{Grants: []access.Grant{{Role: access.Admin}}}
	return a
}
