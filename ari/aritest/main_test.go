package aritest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: Close must stop
// every websocket reader and writer, timer and HTTP connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
