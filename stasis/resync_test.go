package stasis

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
)

func channelJSON(id string, appData string) string {
	return fmt.Sprintf(`{"id":%q,"name":"PJSIP/%s","state":"Up","protocol_id":"","caller":{"name":"Carol","number":"1003"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"100","priority":2,"app_name":"Stasis","app_data":%q},"creationtime":"2026-11-25T19:41:00.885+0000","language":"en"}`, id, id, appData)
}

func fastStream() ari.EventStreamConfig {
	return ari.EventStreamConfig{Backoff: ari.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond}, StableAfter: time.Millisecond}
}

func TestReconnectResync(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	// While the websocket is down: c2 hung up, c3 entered the app, c1 lives.
	f.handleJSON("GET /channels", 200, "["+channelJSON("c1", "app")+","+channelJSON("c3", "app,x,y")+","+channelJSON("other", "elsewhere")+"]")
	f.handleJSON("GET /applications/app", 200, `{"name":"app","channel_ids":["c1","c3"],"bridge_ids":[],"endpoint_ids":[],"device_names":[],"events_allowed":[],"events_disallowed":[]}`)
	var mu sync.Mutex
	var seq []string
	resynced := make(chan ResyncReport, 1)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, Stream: fastStream(),
		OnState: func(sc ari.StateChange) {
			assert.Equal(t, []string{"app"}, sc.Apps)
			mu.Lock()
			seq = append(seq, sc.State.String())
			mu.Unlock()
		},
		OnResync: func(r ResyncReport) {
			mu.Lock()
			seq = append(seq, "resynced")
			mu.Unlock()
			resynced <- r
		},
	})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"))
	eventually(t, func() bool { return rt.Stats().LiveCalls == 2 }, "two calls")

	f.drop()
	f.waitConnected()
	report := <-resynced
	assert.Equal(t, ResyncReport{Apps: []string{"app"}, Ended: 1, Resumed: 1, Survived: 1}, report)

	ended := log.waitEnded(t, 1)[0]
	assert.Equal(t, "c2", ended.call.ChannelID)
	assert.Equal(t, EndSynthetic, ended.end().Reason)
	assert.Equal(t, []string{"StasisStart", "StasisEnd"}, ended.types())
	assert.Equal(t, []bool{false, true}, ended.synth, "the StasisEnd is flagged synthetic")

	eventually(t, func() bool { return len(log.get("app", "c3")) == 1 && len(log.get("app", "c3")[0].types()) == 1 }, "c3 resumed")
	c3 := log.get("app", "c3")[0]
	assert.True(t, c3.call.Resumed)
	assert.Equal(t, []string{"x", "y"}, c3.call.Args)
	assert.Equal(t, "1003", c3.call.Caller.Number)
	assert.Equal(t, []bool{true}, c3.synth)

	c1 := log.get("app", "c1")[0]
	eventually(t, func() bool { c1.mu.Lock(); defer c1.mu.Unlock(); return len(c1.resync) == 1 }, "c1 told of the gap")
	assert.Equal(t, ResyncReconnect, c1.resync[0].Reason)
	assert.Nil(t, c1.end())

	// Events flow to survivors and resumed calls on the new connection.
	f.send(dtmf("app", "c1", "1"), dtmf("app", "c3", "3"), stasisEnd("app", "c1"), stasisEnd("app", "c3"))
	log.waitEnded(t, 2)
	assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "StasisEnd"}, c1.types())
	assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "StasisEnd"}, c3.types())

	st := rt.Stats()
	assert.EqualValues(t, 1, st.Reconnects)
	assert.EqualValues(t, 1, st.Resyncs)
	assert.EqualValues(t, 1, st.Resumed)
	assert.EqualValues(t, 1, st.SyntheticEnds)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "connecting connected disconnected connecting connected resynced", strings.Join(seq, " "))
}

func TestReconnectBacksOffWhenRefused(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	f.handleJSON("GET /channels", 200, "[]")
	f.handleJSON("GET /applications/app", 200, `{"name":"app","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[],"events_allowed":[],"events_disallowed":[]}`)
	cfg := fastStream()
	cfg.Backoff = ari.Backoff{Initial: 20 * time.Millisecond, Max: 80 * time.Millisecond}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, Stream: cfg})
	require.NoError(t, err)
	f.mu.Lock()
	f.refuse = 1 << 30
	f.mu.Unlock()
	startRuntime(t, rt)
	time.Sleep(400 * time.Millisecond)
	f.mu.Lock()
	attempts := f.attempts
	f.refuse = 0
	f.mu.Unlock()
	// 20+40+80+80+... ms: about 6 attempts in 400 ms; a tight loop would
	// make thousands.
	assert.Greater(t, attempts, 1)
	assert.Less(t, attempts, 20)
	f.waitConnected()
}
