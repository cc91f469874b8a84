package main

import (
	"context"
	"fmt"
	"io"

	"github.com/drive-platform/drive/access"
)

// runPolicy prints the access policy. `drive policy doc` writes the
// Markdown that docs/access-policy.md must equal (a test checks it).
func runPolicy(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] != "doc" {
		return usageError{"use: drive policy doc > docs/access-policy.md"}
	}
	_, err := fmt.Fprint(stdout, access.Markdown())
	return err
}
