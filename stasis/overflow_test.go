package stasis

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// blockStart makes every call's handler wait in OnStasisStart until
// release is closed or the call ends, so that the test fills its mailbox.
// The channel it returns receives each call's id once its handler is
// blocked, so that the test sends what must queue only then.
func blockStart(log *callLog, release <-chan struct{}) <-chan string {
	blocked := make(chan string, 16)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			blocked <- call.ChannelID
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return nil
	}
	return blocked
}

// waitBlocked waits until the handler of call id is blocked.
func waitBlocked(t *testing.T, blocked <-chan string, id string) {
	t.Helper()
	select {
	case got := <-blocked:
		require.Equal(t, id, got)
	case <-time.After(10 * time.Second):
		t.Fatalf("the handler of %s never started", id)
	}
}

func TestOverflowDropNewestTellsTheHandler(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	release := make(chan struct{})
	blocked := blockStart(log, release)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, MailboxLimit: 3, Overflow: OverflowDropNewest})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	// The StasisStart is being handled; 10 digits follow: 3 fit, the 4th
	// is dropped and replaced by one Resync, the 6 others are dropped.
	f.send(stasisStart("app", "c1"))
	waitBlocked(t, blocked, "c1")
	for _, d := range "0123456789" {
		f.send(dtmf("app", "c1", string(d)))
	}
	eventually(t, func() bool { return rt.Stats().Overflows == 7 }, "7 overflows")
	close(release)
	r := log.get("app", "c1")[0]
	eventually(t, func() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.resync) == 1 }, "the handler told of the loss")
	assert.Equal(t, ResyncOverflow, r.resync[0].Reason)

	f.send(stasisEnd("app", "c1"))
	ended := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, ended.end().Reason, "a drop does not end the call")
	assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "ChannelDtmfReceived", "ChannelDtmfReceived", "StasisEnd"}, ended.types())
	var digits string
	for _, e := range ended.events {
		if d, ok := e.(*events.ChannelDTMFReceived); ok {
			digits += d.Digit
		}
	}
	assert.Equal(t, "012", digits, "the oldest events are kept")
	assert.EqualValues(t, 7, rt.Stats().Overflows)
}

// TestOverflowDropNewestKeepsStasisEnd checks that a full mailbox never
// drops the call's own StasisEnd: the call ends when Asterisk says so, not
// at the next re-sync.
func TestOverflowDropNewestKeepsStasisEnd(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	release := make(chan struct{})
	blocked := blockStart(log, release)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, MailboxLimit: 2, Overflow: OverflowDropNewest})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	f.send(stasisStart("app", "c1"))
	waitBlocked(t, blocked, "c1")
	for _, d := range "0123" {
		f.send(dtmf("app", "c1", string(d)))
	}
	f.send(stasisEnd("app", "c1"))
	eventually(t, func() bool { return rt.Stats().Overflows == 2 }, "2 overflows")
	close(release)
	ended := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, ended.end().Reason)
	assert.Equal(t, "StasisEnd", ended.types()[len(ended.types())-1])
	assert.EqualValues(t, 2, rt.Stats().Overflows, "the StasisEnd is not counted as dropped")
}

func TestOverflowEndCallHangsUp(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	hung := make(chan string, 4)
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) {
		hung <- r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	})
	release := make(chan struct{})
	blocked := blockStart(log, release)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, MailboxLimit: 3})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"))
	for range 2 {
		<-blocked // both handlers hold their StasisStart
	}
	for _, d := range "0123" {
		f.send(dtmf("app", "c1", string(d)))
	}
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, "c1", r.call.ChannelID)
	assert.Equal(t, EndOverflow, r.end().Reason)
	assert.ErrorIs(t, r.end().Err, errOverflow)
	assert.Equal(t, "/ari/channels/c1", <-hung)
	assert.EqualValues(t, 1, rt.Stats().Overflows)

	// The other call is unaffected.
	close(release)
	f.send(dtmf("app", "c2", "5"), stasisEnd("app", "c2"))
	other := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, other.end().Reason)
	assert.Equal(t, []string{"StasisStart", "ChannelDtmfReceived", "StasisEnd"}, other.types())
}
