package main

import (
	"fmt"
	"io"
	"sync"

	"gostasis.dev/ari/aritest/session"
)

// Bounds of what a timeline holds back behind an unanswered exchange.
const (
	defaultMaxHeldLines = 10_000
	defaultMaxHeldBytes = 64 << 20
)

// timeline writes the lines of a proxied session in the order things
// happened: an exchange takes its place among the events when its request
// is sent, so that Exchange.After counts the events the application had
// been sent before it made the request, not those that arrived while
// Asterisk answered. The events that arrive meanwhile are held until the
// answer comes (or the request fails, when the exchange is not recorded).
// If more than maxLines lines or maxBytes bytes of events wait behind one
// request, the timeline stops waiting for it: it is recorded where its
// answer comes, and noted on stderr.
type timeline struct {
	w        *session.Writer
	stderr   io.Writer
	maxLines int
	maxBytes int

	mu        sync.Mutex
	held      []*slot // held[0] is an unanswered exchange
	heldBytes int
	events    int
	exchanges int
}

// slot is a line of the timeline: an event, or an exchange whose answer
// may not have come yet.
type slot struct {
	event *session.Event
	x     session.Exchange
	done  bool // the event, or the answered or failed exchange
	ok    bool // an exchange to write (answered)
	late  bool // given up waiting for: written when it completes
}

func newTimeline(w *session.Writer, stderr io.Writer) *timeline {
	return &timeline{w: w, stderr: stderr, maxLines: defaultMaxHeldLines, maxBytes: defaultMaxHeldBytes}
}

// event records an event.
func (t *timeline) event(e session.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.held) == 0 {
		t.write(&slot{event: &e})
		return
	}
	t.held = append(t.held, &slot{event: &e, done: true})
	t.heldBytes += len(e.Data)
	for len(t.held) > 0 && (len(t.held) > t.maxLines || t.heldBytes > t.maxBytes) {
		head := t.held[0]
		head.late = true
		t.held[0] = nil
		t.held = t.held[1:]
		fmt.Fprintf(t.stderr, "ari: no answer yet to %s %s and too many events waiting behind it: it is recorded where its answer comes\n", head.x.Method, head.x.Path)
		t.flush()
	}
}

// reserve takes the place of exchange x, whose request is being sent;
// complete fills it in.
func (t *timeline) reserve(x session.Exchange) *slot {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &slot{x: x}
	t.held = append(t.held, s)
	return s
}

// complete records s's exchange with its answer (status and body set in
// x) when ok, or gives up its place (no answer: nothing is recorded).
func (t *timeline) complete(s *slot, x session.Exchange, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.done {
		return
	}
	s.x, s.ok, s.done = x, ok, true
	if s.late {
		if ok {
			t.write(s)
		}
		return
	}
	t.flush()
}

// flush writes the held lines up to the first unanswered exchange.
func (t *timeline) flush() {
	n := 0
	for n < len(t.held) && t.held[n].done {
		s := t.held[n]
		if s.event != nil {
			t.heldBytes -= len(s.event.Data)
		}
		t.write(s)
		t.held[n] = nil
		n++
	}
	t.held = t.held[n:]
	if len(t.held) == 0 {
		t.held = nil
		t.heldBytes = 0
	}
}

// write writes s. An error is kept by the Writer and returned by its
// Flush.
func (t *timeline) write(s *slot) {
	switch {
	case s.event != nil:
		if t.w.WriteEvent(*s.event) == nil {
			t.events++
		}
	case s.ok:
		if t.w.WriteExchange(s.x) == nil {
			t.exchanges++
		}
	}
}

// counts returns how many events and exchanges were written.
func (t *timeline) counts() (events, exchanges int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.events, t.exchanges
}
