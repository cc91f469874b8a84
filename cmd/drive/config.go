package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// env reads configuration from the environment. Each setting NAME may
// instead be given as NAME_FILE, the path of a file holding the value, so
// secrets (a database URL with a password) can come from mounted secret
// files rather than the process environment.
type env struct {
	getenv func(string) string
	// now is the command line's clock; nil means the system clock. It is
	// the one place a command learns what day it is.
	now func() time.Time
}

// today is the date by the command line's clock.
func (e env) today() drive.Date {
	if e.now == nil {
		return drive.DateOf(time.Now())
	}
	return drive.DateOf(e.now())
}

// clock is the command line's clock.
func (e env) clock() time.Time {
	if e.now == nil {
		return time.Now()
	}
	return e.now()
}

// value returns the setting, reading NAME_FILE if NAME is unset.
func (e env) value(name string) (string, error) {
	if v := e.getenv(name); v != "" {
		return v, nil
	}
	path := e.getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: cannot read %s: %w", name, path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// common holds the settings every database command shares.
type common struct {
	DB       string
	LogLevel string
	// Keys is the key file named by DRIVE_KEYS_FILE, if any; see
	// optionalKeys.
	Keys string
	// now is the command line's clock (env.clock), given to the
	// database it opens.
	now func() time.Time
}

// bindCommon adds --db and --log-level to fs, defaulting from DRIVE_DB
// (or DRIVE_DB_FILE) and DRIVE_LOG_LEVEL.
func bindCommon(fs *flag.FlagSet, e env, c *common) error {
	db, err := e.value("DRIVE_DB")
	if err != nil {
		return err
	}
	level := e.getenv("DRIVE_LOG_LEVEL")
	if level == "" {
		level = "info"
	}
	c.Keys = e.getenv("DRIVE_KEYS_FILE")
	c.now = e.clock
	fs.StringVar(&c.DB, "db", db, "SQLite file path or postgres:// URL (env DRIVE_DB or DRIVE_DB_FILE)")
	fs.StringVar(&c.LogLevel, "log-level", level, "log level: debug, info, warn or error (env DRIVE_LOG_LEVEL)")
	return nil
}

func (c common) check() error {
	if strings.TrimSpace(c.DB) == "" {
		return usageError{"no database given: pass --db with a SQLite file path (e.g. var/drive.db) or a postgres:// URL, or set DRIVE_DB"}
	}
	return nil
}

// logger returns a JSON logger on stderr at the configured level.
func (c common) logger() (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, usageError{fmt.Sprintf("unknown --log-level %q: use debug, info, warn or error", c.LogLevel)}
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lv})), nil
}

// usageError is a mistake in how a command was called; it exits with 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u) || errors.Is(err, flag.ErrHelp)
}

// parseFlags parses args and refuses stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err // -h: the flags were printed; exit 0
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q; see drive %s -h", fs.Arg(0), fs.Name())}
	}
	return nil
}
