package ari

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffCeiling(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2}
	want := []time.Duration{0, 100, 200, 400, 800, 1000, 1000}
	for n, w := range want {
		assert.Equal(t, w*time.Millisecond, b.Ceiling(n), "failures=%d", n)
	}
	assert.Equal(t, time.Second, b.Ceiling(100000), "no overflow")
	assert.Equal(t, 0*time.Second, b.Ceiling(-1))
}

func TestBackoffDefaults(t *testing.T) {
	var b Backoff
	assert.Equal(t, DefaultBackoffInitial, b.Ceiling(1))
	assert.Equal(t, 2*DefaultBackoffInitial, b.Ceiling(2))
	assert.Equal(t, DefaultBackoffMax, b.Ceiling(50))
	assert.Equal(t, DefaultBackoffJitter, b.jitter())
	assert.Equal(t, DefaultBackoffJitter, b.withDefaults().jitter())
	assert.Equal(t, 0.0, Backoff{Jitter: -1}.jitter())
	assert.Equal(t, 0.0, Backoff{Jitter: -1}.withDefaults().jitter(), "withDefaults keeps jitter off")
	assert.Equal(t, 1.0, Backoff{Jitter: 3}.jitter())
	assert.Equal(t, 2.0, Backoff{Multiplier: 0.5}.withDefaults().Multiplier)
	assert.Equal(t, time.Second, Backoff{Initial: time.Second, Max: time.Millisecond}.withDefaults().Max)
}

func TestBackoffJitter(t *testing.T) {
	tests := []struct {
		jitter float64
		lo     time.Duration // of a ceiling of 1s
	}{
		{-1, time.Second},
		{0.2, 800 * time.Millisecond},
		{0.5, 500 * time.Millisecond},
		{1, 0},
	}
	for _, tt := range tests {
		b := Backoff{Initial: time.Second, Max: time.Second, Jitter: tt.jitter}
		var lo, hi time.Duration = time.Hour, 0
		for range 2000 {
			d := b.Delay(1)
			lo, hi = min(lo, d), max(hi, d)
			assert.GreaterOrEqual(t, d, tt.lo)
			assert.LessOrEqual(t, d, time.Second)
		}
		if tt.jitter > 0 {
			assert.Less(t, lo, hi, "jitter %v varies the delay", tt.jitter)
		}
	}
}

func TestConnStateString(t *testing.T) {
	assert.Equal(t, "connecting", StateConnecting.String())
	assert.Equal(t, "connected", StateConnected.String())
	assert.Equal(t, "disconnected", StateDisconnected.String())
	assert.Equal(t, "stopped", StateStopped.String())
	assert.Equal(t, "ConnState(0)", ConnState(0).String())
	sc := StateChange{State: StateDisconnected, Attempt: 2, Conn: 3, RetryIn: time.Second, Err: ErrPongTimeout}
	assert.Equal(t, "disconnected (attempt 2, conn 3, retry in 1s): "+ErrPongTimeout.Error(), sc.String())
	assert.Equal(t, "connected (attempt 1, conn 2, reconnect)", StateChange{State: StateConnected, Attempt: 1, Conn: 2, Reconnect: true}.String())
}
