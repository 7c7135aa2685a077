package ari

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff spaces reconnection attempts: the delay before attempt n+1
// after n consecutive failures is Initial * Multiplier^(n-1), capped at
// Max, then randomised by Jitter. The zero value uses the defaults.
type Backoff struct {
	// Initial is the delay after the first failure. Default 100ms.
	Initial time.Duration
	// Max caps the delay. Default 30s.
	Max time.Duration
	// Multiplier is the growth factor per failure. Default (and for any
	// value below 1) 2.
	Multiplier float64
	// Jitter is the fraction of each delay that is random: the delay d is
	// drawn uniformly from [d*(1-Jitter), d]. 1 is "full jitter", 0.5
	// "equal jitter". Default 0.2; a negative value disables jitter; values
	// above 1 count as 1. Jitter keeps many clients from reconnecting in
	// step when Asterisk restarts.
	Jitter float64
}

// Default backoff values.
const (
	DefaultBackoffInitial    = 100 * time.Millisecond
	DefaultBackoffMax        = 30 * time.Second
	DefaultBackoffMultiplier = 2
	DefaultBackoffJitter     = 0.2
)

// withDefaults fills in the zero fields but Jitter (see jitter); it is
// idempotent.
func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = DefaultBackoffInitial
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	if b.Multiplier < 1 {
		b.Multiplier = DefaultBackoffMultiplier
	}
	return b
}

// jitter returns the effective jitter fraction.
func (b Backoff) jitter() float64 {
	switch {
	case b.Jitter == 0:
		return DefaultBackoffJitter
	case b.Jitter < 0:
		return 0
	case b.Jitter > 1:
		return 1
	}
	return b.Jitter
}

// Ceiling returns the delay after failures consecutive failures before
// jitter: Initial * Multiplier^(failures-1), capped at Max. It is 0 for
// failures < 1.
func (b Backoff) Ceiling(failures int) time.Duration {
	if failures < 1 {
		return 0
	}
	b = b.withDefaults()
	d := float64(b.Initial) * math.Pow(b.Multiplier, float64(failures-1))
	if d >= float64(b.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		return b.Max
	}
	return time.Duration(d)
}

// Delay returns the randomised delay after failures consecutive failures:
// Ceiling(failures) minus a random part of at most Jitter of it.
func (b Backoff) Delay(failures int) time.Duration {
	d := b.Ceiling(failures)
	j := b.jitter()
	if d <= 0 || j == 0 {
		return d
	}
	return d - time.Duration(rand.Float64()*j*float64(d))
}
