package stasis

import (
	"sync"

	"gostasis.dev/ari/events"
)

// delivery is one item of a call's mailbox: an event, or a runtime notice.
type delivery struct {
	ev events.Event
	// synthetic marks an event the runtime made up (re-sync) rather than
	// one Asterisk sent.
	synthetic bool
	// resync, when set, tells the handler that events may have been missed.
	resync *Resync
}

// mailbox is a call's queue of deliveries: the websocket reader appends
// without ever blocking, the call's goroutine takes them in order.
//
// It is a growable ring buffer guarded by a mutex, with a one-slot signal
// channel that wakes the consumer. An idle mailbox holds no buffer.
type mailbox struct {
	mu     sync.Mutex
	buf    []delivery
	head   int
	n      int
	closed bool
	// signal has capacity 1: a pending wake-up is never lost, and a push
	// never blocks.
	signal chan struct{}
}

func newMailbox() *mailbox { return &mailbox{signal: make(chan struct{}, 1)} }

// forcePush is push for the runtime's own notices, which the mailbox limit
// does not apply to.
func (m *mailbox) forcePush(d delivery) { m.push(d) }

// push appends d and reports the queue length after it, or -1 when the
// mailbox is closed (the call has ended).
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
	m.mu.Unlock()
	select {
	case m.signal <- struct{}{}:
	default:
	}
	return n
}

func (m *mailbox) grow() {
	size := 2 * len(m.buf)
	if size == 0 {
		size = 4
	}
	buf := make([]delivery, size)
	for i := 0; i < m.n; i++ {
		buf[i] = m.buf[(m.head+i)%len(m.buf)]
	}
	m.buf, m.head = buf, 0
}

// pop takes the oldest delivery, if any.
func (m *mailbox) pop() (delivery, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == 0 {
		// Release a large buffer once drained, so an idle call stays small.
		if len(m.buf) > 64 {
			m.buf, m.head = nil, 0
		}
		return delivery{}, false
	}
	d := m.buf[m.head]
	m.buf[m.head] = delivery{}
	m.head = (m.head + 1) % len(m.buf)
	m.n--
	return d, true
}

// len is the number of waiting deliveries.
func (m *mailbox) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}

// close refuses further pushes and returns what was still queued.
func (m *mailbox) close() []delivery {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	var rest []delivery
	for m.n > 0 {
		rest = append(rest, m.buf[m.head])
		m.buf[m.head] = delivery{}
		m.head = (m.head + 1) % len(m.buf)
		m.n--
	}
	m.buf = nil
	return rest
}

// dropNewest removes the most recent delivery, if any.
func (m *mailbox) dropNewest() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == 0 {
		return false
	}
	m.n--
	m.buf[(m.head+m.n)%len(m.buf)] = delivery{}
	return true
}
