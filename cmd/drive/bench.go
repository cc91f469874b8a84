package main

import (
	"context"
	"io"
)

// runBench dispatches drive bench WHAT.
func runBench(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"say what to benchmark: drive bench link --records N, drive bench identify --incidents N, or drive bench load --db D"}
	}
	switch args[0] {
	case "link":
		return runBenchLink(ctx, args[1:], stdout, stderr)
	case "identify":
		return runBenchIdentify(ctx, e, args[1:], stdout, stderr)
	case "load":
		return runBenchLoad(ctx, e, args[1:], stdout, stderr)
	}
	return usageError{"unknown benchmark " + args[0] + ": use drive bench link, drive bench identify or drive bench load"}
}
