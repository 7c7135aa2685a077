package main

import (
	"sync"
	"time"
)

// ledger records, for every call, the handlers the instances started for
// it and who hung it up. The handlers of every instance write to it.
type ledger struct {
	mu     sync.Mutex
	calls  map[callKey]*callRecord
	killed int       // the killed instance; 0 while none
	killAt time.Time // when it was killed
	live   int64     // its live calls then
}

// callKey names a call: channel ids are unique only within one server.
type callKey struct{ node, channel string }

// callRecord is what happened to one call.
type callRecord struct {
	starts   []handlerStart // in order
	hungUpBy []int          // the instances whose handler hung it up
}

// handlerStart is a handler started for a call.
type handlerStart struct {
	instance int
	from     string // the app it was adopted from; "" if claimed
	at       time.Time
}

func newLedger() *ledger { return &ledger{calls: map[callKey]*callRecord{}} }

// record returns the record of a call. l.mu is held.
func (l *ledger) record(node, channel string) *callRecord {
	k := callKey{node, channel}
	r := l.calls[k]
	if r == nil {
		r = &callRecord{}
		l.calls[k] = r
	}
	return r
}

// started records a handler of instance n for a call, adopted from app
// from ("" if claimed).
func (l *ledger) started(node, channel string, n int, from string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.record(node, channel)
	r.starts = append(r.starts, handlerStart{instance: n, from: from, at: time.Now()})
}

// hungUp records that instance n's handler hung a call up.
func (l *ledger) hungUp(node, channel string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.record(node, channel)
	r.hungUpBy = append(r.hungUpBy, n)
}

// kill records that instance n was killed, holding live calls.
func (l *ledger) kill(n int, live int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.killed, l.killAt, l.live = n, time.Now(), live
}
