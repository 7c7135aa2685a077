package otelari_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: an Observer's
// reporting goroutine ends with Shutdown.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
