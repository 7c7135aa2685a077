package stasis

import "strings"

// defaultResyncEndedLimit is the default of Config.ResyncEndedLimit.
const defaultResyncEndedLimit = 50_000

// endedSet remembers the channels whose StasisEnd was routed after a
// reconnect, until that reconnect's re-sync has run: the channel list the
// re-sync reads may be older than those events, and a channel that ended
// must be neither resumed nor ended a second time. It keeps at most max
// ids and forgets the oldest first, since only the most recent ends can
// race the re-sync's list. Guarded by appState.mu.
type endedSet struct {
	conn uint64            // the connection whose re-sync reads it
	ids  map[string]uint64 // id -> sequence number of its ring entry
	ring []endedEntry      // oldest first from head, at most max entries
	head int
	seq  uint64
	max  int
}

type endedEntry struct {
	id  string
	seq uint64
}

func newEndedSet(conn uint64, limit int) *endedSet {
	if limit <= 0 {
		limit = defaultResyncEndedLimit
	}
	return &endedSet{conn: conn, ids: map[string]uint64{}, max: limit}
}

// add records id. The id is copied, so that the set does not keep the
// frame it was decoded from alive.
func (s *endedSet) add(id string) {
	if s == nil {
		return
	}
	if _, ok := s.ids[id]; ok {
		return
	}
	id = strings.Clone(id)
	s.seq++
	e := endedEntry{id: id, seq: s.seq}
	if len(s.ring) < s.max {
		s.ring = append(s.ring, e)
	} else {
		// Forget the oldest, unless it was removed and added again since.
		old := s.ring[s.head]
		if s.ids[old.id] == old.seq {
			delete(s.ids, old.id)
		}
		s.ring[s.head] = e
		s.head = (s.head + 1) % s.max
	}
	s.ids[id] = s.seq
}

// remove forgets id (the channel entered the app again).
func (s *endedSet) remove(id string) {
	if s != nil {
		delete(s.ids, id)
	}
}

// has reports whether id's StasisEnd was recorded.
func (s *endedSet) has(id string) bool {
	if s == nil {
		return false
	}
	_, ok := s.ids[id]
	return ok
}

// len is how many ids the set remembers.
func (s *endedSet) len() int {
	if s == nil {
		return 0
	}
	return len(s.ids)
}
