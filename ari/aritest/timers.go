package aritest

import "time"

// simTimer is a delayed action of the simulation. Its callback runs with
// the server's mutex held; stop cancels it. Timers are time.AfterFunc
// timers: no goroutine exists until one fires.
type simTimer struct {
	s         *Server
	t         *time.Timer
	cancelled bool
}

// after schedules f to run with mu held after d. Call with mu held.
func (s *Server) after(d time.Duration, f func()) *simTimer {
	if s.closed {
		return &simTimer{s: s, cancelled: true}
	}
	st := &simTimer{s: s}
	s.timers[st] = struct{}{}
	s.timerWG.Add(1)
	st.t = time.AfterFunc(d, func() {
		defer s.timerWG.Done()
		s.mu.Lock()
		defer s.unlock()
		if st.cancelled || s.closed {
			return
		}
		st.cancelled = true
		delete(s.timers, st)
		f()
	})
	return st
}

// stop cancels the timer if it has not run yet. Call with mu held. A nil
// timer is ignored.
func (st *simTimer) stop() {
	if st == nil || st.cancelled {
		return
	}
	st.cancelled = true
	delete(st.s.timers, st)
	if st.t != nil && st.t.Stop() {
		st.s.timerWG.Done()
	}
}

// stopAllTimers cancels every pending timer. Call with mu held.
func (s *Server) stopAllTimers() {
	for st := range s.timers {
		st.cancelled = true
		if st.t != nil && st.t.Stop() {
			s.timerWG.Done()
		}
	}
	clear(s.timers)
}
