package configurator_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind (the stasis
// runtime that runs OnConnect, the simulated Asterisk, HTTP connections).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
