// Command drive runs the Drive platform: the web service and its
// administrative subcommands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: drive COMMAND [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "link":
		err = runLink(ctx, os.Args[2:], os.Stdout, os.Stderr)
	case "bench":
		if len(os.Args) > 2 && os.Args[2] == "link" {
			err = runBenchLink(ctx, os.Args[3:], os.Stdout, os.Stderr)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drive:", err)
		os.Exit(1)
	}
}
