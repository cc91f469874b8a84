package service

import (
	"runtime/debug"
	"testing"
)

func TestImportMemoryCapIsSharedAndGivenBack(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	_, a := capImportMemory(100<<20, 150<<20)
	if got := debug.SetMemoryLimit(-1); got != 250<<20 {
		t.Fatalf("one import: limit %d, want %d", got, 250<<20)
	}
	limit, b := capImportMemory(300<<20, 50<<20) // a second import adds what it may use to the first one's base
	if got := debug.SetMemoryLimit(-1); got != 300<<20 || limit != got {
		t.Fatalf("two imports: limit %d (said %d), want %d", got, limit, 300<<20)
	}
	a()
	a() // letting go twice changes nothing
	if got := debug.SetMemoryLimit(-1); got != 150<<20 {
		t.Fatalf("after the first ended: limit %d, want %d", got, 150<<20)
	}
	b()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("after both ended: limit %d, want the process's own %d", got, before)
	}
	if RuntimeMemory() <= 0 {
		t.Fatal("the runtime's memory reads as nothing")
	}
}
