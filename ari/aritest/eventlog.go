package aritest

import (
	"context"
	"errors"
	"sync"

	"gostasis.dev/ari/events"
)

// ErrClosed is returned by the waiting methods when the server closes
// before the condition is met.
var ErrClosed = errors.New("aritest: server closed")

// ErrCallEnded is returned by the methods of a Phone whose call has ended
// (its channel is gone).
var ErrCallEnded = errors.New("aritest: call ended")

// SentEvent is one event the server wrote to an events websocket.
type SentEvent struct {
	// Seq numbers the events sent by the server, from 1, in the order they
	// were sent (an event sent to two applications is two SentEvents).
	Seq uint64
	// App is the application the event was sent to.
	App string
	// Event is the event, decoded from Raw.
	Event events.Event
	// Raw is the websocket frame as written.
	Raw []byte
}

// logEntry is a SentEvent whose Event is decoded on demand.
type logEntry struct {
	seq uint64
	app string
	raw []byte
	ev  events.Event
}

func (e *logEntry) event() events.Event {
	if e.ev == nil {
		ev, err := events.Decode(e.raw)
		if err != nil {
			ev = &events.Unknown{Raw: e.raw}
		}
		e.ev = ev
	}
	return e.ev
}

func (e *logEntry) sent() SentEvent {
	return SentEvent{Seq: e.seq, App: e.app, Event: e.event(), Raw: e.raw}
}

// eventLog keeps the last events sent, in a ring. It is guarded by the
// server's mutex.
type eventLog struct {
	limit   int // <0: no limit
	entries []*logEntry
	start   int // index of the oldest entry when the ring is full
	seq     uint64
}

func newEventLog(limit int) *eventLog { return &eventLog{limit: limit} }

func (l *eventLog) add(app string, raw []byte) {
	l.seq++
	e := &logEntry{seq: l.seq, app: app, raw: raw}
	if l.limit < 0 || len(l.entries) < l.limit {
		l.entries = append(l.entries, e)
		return
	}
	l.entries[l.start] = e
	l.start = (l.start + 1) % len(l.entries)
}

// each calls f with the entries whose seq is greater than after, oldest
// first, until f returns false.
func (l *eventLog) each(after uint64, f func(*logEntry) bool) {
	n := len(l.entries)
	for i := 0; i < n; i++ {
		e := l.entries[(l.start+i)%n]
		if e.seq <= after {
			continue
		}
		if !f(e) {
			return
		}
	}
}

// Events returns the events sent so far (at most Config.EventLogSize of
// the latest), oldest first.
func (s *Server) Events() []SentEvent {
	s.mu.Lock()
	defer s.runlock()
	var out []SentEvent
	s.events.each(0, func(e *logEntry) bool {
		out = append(out, e.sent())
		return true
	})
	return out
}

// WaitEvent returns the first event sent, from the start of the event log
// on, for which match reports true, waiting for it if it has not been sent
// yet. A match function should therefore pick out one event (by type and
// channel id, say); EventCursor waits for events in sequence. match (nil
// matches anything) runs without the server's lock: it may call the
// server and its phones.
func (s *Server) WaitEvent(ctx context.Context, match func(events.Event) bool) (events.Event, error) {
	c := &EventCursor{s: s}
	se, err := c.Next(ctx, func(se SentEvent) bool { return match == nil || match(se.Event) })
	return se.Event, err
}

// EventCursor reads the event log in order from a point: each Next returns
// the next matching event sent after the previous one returned. Calls of
// Next on one cursor run one at a time.
type EventCursor struct {
	s   *Server
	mu  sync.Mutex // serialises Next
	pos uint64
}

// Cursor returns a cursor positioned after the last event sent so far.
func (s *Server) Cursor() *EventCursor {
	s.mu.Lock()
	defer s.runlock()
	return &EventCursor{s: s, pos: s.events.seq}
}

// Next waits for the next event after the cursor for which match reports
// true (nil matches anything), moves the cursor past it and returns it.
// Events the cursor passes over are skipped for good. match runs without
// the server's lock: it may call the server and its phones.
func (c *EventCursor) Next(ctx context.Context, match func(SentEvent) bool) (SentEvent, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var batch []SentEvent
	var found SentEvent
	err := c.s.waitOutside(ctx, func() {
		batch = batch[:0]
		c.s.events.each(c.pos, func(e *logEntry) bool {
			batch = append(batch, e.sent())
			return true
		})
	}, func() (bool, error) {
		for _, se := range batch {
			c.pos = se.Seq
			if match == nil || match(se) {
				found = se
				return true, nil
			}
		}
		return false, nil
	})
	return found, err
}

// Type returns a match function for Next that accepts events of the given
// types sent to any application.
func Type(types ...string) func(SentEvent) bool {
	return func(se SentEvent) bool {
		for _, t := range types {
			if se.Event.EventType() == t {
				return true
			}
		}
		return false
	}
}
