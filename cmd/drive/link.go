package main

import (
	"context"
	"errors"
	"io"
)

// runLink is replaced by the record-linkage command.
func runLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("drive link: not built yet")
}

// runBenchLink is replaced by the record-linkage benchmark.
func runBenchLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("drive bench link: not built yet")
}
