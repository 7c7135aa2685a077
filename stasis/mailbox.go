package stasis

import (
	"context"
	"errors"
	"sync"

	"gostasis.dev/ari/events"
)

// delivery is one item of a call's mailbox: an event, or a runtime notice.
type delivery struct {
	ev events.Event
	// synthetic marks an event the runtime made up (re-sync) rather than
	// one Asterisk sent.
	synthetic bool
	// note, when set, makes the delivery a notice rather than an event.
	// Notices are rare: one pointer for all of them keeps a delivery, which
	// routing copies into a mailbox, at 32 bytes.
	note *notice
}

// notice is a delivery that is not an event.
type notice struct {
	// resync, when set, tells the handler that events may have been missed.
	resync *Resync
	// task, when set, is work to run on the call's goroutine (Call.Post,
	// Call.AfterFunc).
	task *task
}

// inlineDeliveries is how many deliveries a mailbox holds without
// allocating: an idle or keeping-up call needs no buffer of its own.
const inlineDeliveries = 2

// mailbox is a call's queue of deliveries: the websocket reader appends
// without ever blocking, the call's goroutine takes them in order.
//
// It is a growable ring buffer guarded by a mutex, starting in storage
// inside the mailbox, with a condition variable that wakes the consumer.
// Everything a routed event touches is in one small struct, so routing
// costs the same whatever the number of live calls.
type mailbox struct {
	mu      sync.Mutex
	cond    sync.Cond
	buf     []delivery
	head, n int
	waiting bool // the consumer sleeps in next
	stopped bool // next returns false from now on
	closed  bool // push refuses from now on
	inline  [inlineDeliveries]delivery
}

// init prepares a mailbox in place (it is embedded in Call and appState).
func (m *mailbox) init() {
	m.cond.L = &m.mu
	m.buf = m.inline[:]
}

// push appends d and reports the queue length after it, or -1 when the
// mailbox is closed (the call has ended). It never blocks.
func (m *mailbox) push(d delivery) int {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return -1
	}
	if m.n == len(m.buf) {
		m.grow()
	}
	m.buf[(m.head+m.n)%len(m.buf)] = d
	m.n++
	n := m.n
	if m.waiting {
		m.cond.Signal()
	}
	m.mu.Unlock()
	return n
}

func (m *mailbox) grow() {
	buf := make([]delivery, 2*len(m.buf))
	for i := 0; i < m.n; i++ {
		buf[i] = m.buf[(m.head+i)%len(m.buf)]
	}
	m.buf, m.head = buf, 0
}

// next waits for the oldest delivery and takes it; it returns false once
// stop was called.
func (m *mailbox) next() (delivery, bool) {
	d, err := m.wait(nil)
	return d, err == nil
}

// errStopped is returned by wait once stop was called.
var errStopped = errors.New("stasis: mailbox stopped")

// wait is next that also returns ctx's error once ctx (which may be nil)
// has ended and nothing is queued; whoever ends ctx must call wake.
func (m *mailbox) wait(ctx context.Context) (delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.n == 0 {
		if m.stopped {
			return delivery{}, errStopped
		}
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				return delivery{}, err
			}
		}
		// Give back a large buffer once drained, so an idle call stays small.
		if len(m.buf) > 64 {
			m.buf, m.head = m.inline[:], 0
		}
		m.waiting = true
		m.cond.Wait()
		m.waiting = false
	}
	if m.stopped {
		return delivery{}, errStopped
	}
	return m.take(), nil
}

// wake wakes the consumer so that wait checks its context.
func (m *mailbox) wake() {
	m.mu.Lock()
	m.cond.Broadcast()
	m.mu.Unlock()
}

// pop takes the oldest delivery without waiting.
func (m *mailbox) pop() (delivery, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == 0 {
		return delivery{}, false
	}
	return m.take(), true
}

// take removes the oldest delivery. m.mu is held and m.n > 0.
func (m *mailbox) take() delivery {
	d := m.buf[m.head]
	m.buf[m.head] = delivery{}
	m.head = (m.head + 1) % len(m.buf)
	m.n--
	return d
}

// stop wakes the consumer for good: next returns false.
func (m *mailbox) stop() {
	m.mu.Lock()
	m.stopped = true
	m.cond.Broadcast()
	m.mu.Unlock()
}

// close refuses further pushes and returns what was still queued.
func (m *mailbox) close() []delivery {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	var rest []delivery
	for m.n > 0 {
		rest = append(rest, m.take())
	}
	m.buf, m.head = m.inline[:], 0
	return rest
}

// dropNewest removes the most recent delivery, if it is an event (a
// runtime notice or a posted task pushed meanwhile is never dropped).
func (m *mailbox) dropNewest() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == 0 || m.buf[(m.head+m.n-1)%len(m.buf)].ev == nil {
		return false
	}
	m.n--
	m.buf[(m.head+m.n)%len(m.buf)] = delivery{}
	return true
}
