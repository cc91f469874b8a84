package evaluation

import (
	"fmt"
	"strings"
	"testing"
)

// TestSecretsNotPrinted formats a pseudonymiser and an allocator every
// usual way and looks for their secret in the text.
func TestSecretsNotPrinted(t *testing.T) {
	p := mustPseudonymiser(t, secret(0xab))
	a := NewAllocator(987654321)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		if s := fmt.Sprintf(verb, p); strings.Contains(s, "abab") || strings.Contains(s, "171") {
			t.Errorf("%s of a pseudonymiser shows its secret: %s", verb, s)
		}
		if s := fmt.Sprintf(verb, a); strings.Contains(s, "987654321") || strings.Contains(s, "3ade68b1") {
			t.Errorf("%s of an allocator shows its seed: %s", verb, s)
		}
	}
}
