package main

import (
	"testing"

	"gostasis.dev/examples/internal/budget"
)

// TestSize holds the example to issue 10's bar: at most 60 lines of code
// (gofmt'd, without comments and tests), with no mutex, no time.AfterFunc
// and no goroutine of its own.
func TestSize(t *testing.T) { budget.Check(t, ".", 60) }
