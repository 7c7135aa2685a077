package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
	"gostasis.dev/examples/internal/demo"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// confTest is one test's simulated Asterisk, serving the app.
type confTest struct {
	t   *testing.T
	ctx context.Context
	srv *aritest.Server
	rt  *stasis.Runtime
}

func start(t *testing.T) *confTest { return startWith(t, aritest.FastTiming()) }

func startWith(t *testing.T, tm aritest.Timing) *confTest {
	srv := aritest.Start(t, aritest.Config{Timing: tm, Sounds: []string{"conf-placeintoconf"}})
	rt := stasistest.Run(t, srv, App("conference"))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return &confTest{t: t, ctx: ctx, srv: srv, rt: rt}
}

// callAtOnce places n calls to the app from n goroutines released
// together.
func (c *confTest) callAtOnce(n int) []*aritest.Phone {
	c.t.Helper()
	phones := make([]*aritest.Phone, n)
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			phones[i], errs[i] = c.srv.PlaceCall(aritest.PlaceCallParams{App: "conference", Caller: ari.CallerID{Name: fmt.Sprint("caller ", i)}})
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
	for _, err := range errs {
		require.NoError(c.t, err)
	}
	return phones
}

// room waits until the app's only bridge holds exactly the channels of
// phones, and returns it.
func (c *confTest) room(phones ...*aritest.Phone) ari.Bridge {
	c.t.Helper()
	ids := make([]string, len(phones))
	for i, p := range phones {
		ids[i] = p.ID()
	}
	slices.Sort(ids)
	var last []ari.Bridge
	err := c.srv.WaitUntil(c.ctx, func() bool {
		last = c.srv.Bridges()
		if len(last) != 1 {
			return false
		}
		got := slices.Sorted(slices.Values(last[0].Channels))
		return slices.Equal(got, ids)
	})
	require.NoError(c.t, err, "waiting for one bridge with %d channels; bridges: %+v", len(ids), last)
	return last[0]
}

// hangup hangs phones up and waits until they are gone.
func (c *confTest) hangup(phones ...*aritest.Phone) {
	c.t.Helper()
	for _, p := range phones {
		require.NoError(c.t, p.Hangup(resources.HangupReasonNormal))
	}
	for _, p := range phones {
		require.NoError(c.t, p.WaitEnd(c.ctx))
	}
}

// idle waits until the app's calls have ended and checks that no handler
// failed.
func (c *confTest) idle() {
	c.t.Helper()
	require.Eventually(c.t, func() bool { return c.rt.Stats().LiveCalls == 0 }, 10*time.Second, 2*time.Millisecond, "the calls end")
	st := c.rt.Stats()
	assert.Zero(c.t, st.HandlerErrors+st.Panics, "handler errors")
}

func TestTenCallersJoinAtOnce(t *testing.T) {
	c := start(t)
	phones := c.callAtOnce(10)
	room := c.room(phones...) // one bridge, all ten in it
	assert.Equal(t, "room", room.Name)
	assert.Contains(t, room.Technology, "softmix", "a mixing bridge")
	for _, p := range phones {
		assert.Equal(t, []string{Welcome}, p.MediaHeard(), "%s heard the announcement", p.ID())
		assert.Equal(t, ari.ChannelStateUp, p.State())
	}

	// Nine leave at once: the room stays for the last one.
	c.hangup(phones[:9]...)
	assert.Equal(t, room.ID, c.room(phones[9]).ID, "the same bridge")

	// The last one leaves: the room is destroyed.
	c.hangup(phones[9])
	require.NoError(t, c.srv.WaitUntil(c.ctx, func() bool { return len(c.srv.Bridges()) == 0 }))
	c.idle()
}

func TestANewRoomAfterTheLastLeft(t *testing.T) {
	c := start(t)
	first := c.callAtOnce(2)
	room := c.room(first...)
	c.hangup(first...)
	require.NoError(t, c.srv.WaitUntil(c.ctx, func() bool { return len(c.srv.Bridges()) == 0 }))

	next := c.callAtOnce(1)
	assert.NotEqual(t, room.ID, c.room(next...).ID, "a new bridge")
	c.hangup(next...)
	require.NoError(t, c.srv.WaitUntil(c.ctx, func() bool { return len(c.srv.Bridges()) == 0 }))
	c.idle()
}

func TestACallerHangsUpDuringTheAnnouncement(t *testing.T) {
	tm := aritest.FastTiming()
	tm.Playback = 300 * time.Millisecond // long enough to hang up during it
	c := startWith(t, tm)
	in := c.callAtOnce(1)
	c.room(in...)

	late := c.callAtOnce(1)[0]
	require.NoError(t, c.srv.WaitUntil(c.ctx, func() bool { return slices.Contains(late.MediaHeard(), Welcome) }))
	c.hangup(late)
	c.room(in...) // the room is as it was
	c.hangup(in...)
	require.NoError(t, c.srv.WaitUntil(c.ctx, func() bool { return len(c.srv.Bridges()) == 0 }))
	c.idle()
}

// TestDemo runs the demo main runs (no ARI_URL: the simulated Asterisk).
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	err := demo.Run(t.Context(), &out, func(string) string { return "" }, demo.Config{
		Apps:   []stasis.App{App("conference")},
		Sim:    aritest.Config{Timing: aritest.FastTiming(), Sounds: []string{"conf-placeintoconf"}},
		Script: meeting,
	})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "3 callers talk in bridge \"room\"\nthey hung up: the bridge is gone\n")
	for _, name := range []string{"Alice", "Bob", "Carol"} {
		assert.Contains(t, out.String(), name+" heard "+Welcome+"; hung up with cause 16\n")
	}
	assert.Contains(t, out.String(), "0 handler errors")
}
