package stasis

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// countObserver counts what it is told.
type countObserver struct {
	mu                    sync.Mutex
	routed, unrouted      map[string]int
	started, decodeErrors int
	reconnects            int
	ended                 map[EndReason]int
	highWater             int
}

func newCountObserver() *countObserver {
	return &countObserver{routed: map[string]int{}, unrouted: map[string]int{}, ended: map[EndReason]int{}}
}

func (o *countObserver) EventReceived(node string, ev events.Event, routed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if routed {
		o.routed[ev.EventType()]++
	} else {
		o.unrouted[ev.EventType()]++
	}
}
func (o *countObserver) DecodeError(string) { o.mu.Lock(); o.decodeErrors++; o.mu.Unlock() }
func (o *countObserver) Reconnected(string) { o.mu.Lock(); o.reconnects++; o.mu.Unlock() }
func (o *countObserver) CallStarted(app, node string) {
	o.mu.Lock()
	o.started++
	o.mu.Unlock()
}
func (o *countObserver) CallEnded(app, node string, r EndReason) {
	o.mu.Lock()
	o.ended[r]++
	o.mu.Unlock()
}
func (o *countObserver) MailboxHighWater(n int) {
	o.mu.Lock()
	if n > o.highWater {
		o.highWater = n
	}
	o.mu.Unlock()
}

// The observer is told of calls, routed and unrouted events by type,
// decode errors, reconnects and the mailbox high-water mark, as Stats
// counts them.
func TestObserver(t *testing.T) {
	obs := newCountObserver()
	f := newFakeAsterisk(t)
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, Observer: obs, Stream: fastStream()})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"), `{"type":"StasisStart",`, stasisEnd("app", "nobody"), stasisEnd("app", "c1"))
	log.waitEnded(t, 1)
	f.drop()
	f.waitConnected()
	eventually(t, func() bool { obs.mu.Lock(); defer obs.mu.Unlock(); return obs.reconnects == 1 }, "reconnect told")

	obs.mu.Lock()
	defer obs.mu.Unlock()
	st := rt.Stats()
	assert.Equal(t, 1, obs.started)
	assert.Equal(t, map[EndReason]int{EndStasisEnd: 1}, obs.ended)
	assert.Equal(t, map[string]int{"StasisStart": 1, "StasisEnd": 1}, obs.routed)
	assert.Equal(t, 1, obs.unrouted["StasisEnd"])
	assert.Equal(t, 1, obs.decodeErrors)
	assert.Equal(t, int(st.MailboxHighWater), obs.highWater)
	assert.Equal(t, st.Routed, uint64(obs.routed["StasisStart"]+obs.routed["StasisEnd"]))
}
