package stasis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// Tests of Wait and the typed waits, against the fake Asterisk so that
// the test decides exactly which frames arrive and when.

// fakeRuntime runs a runtime serving log's app "app" against a fake
// Asterisk that accepts subscriptions (Adopt) and channel requests.
func fakeRuntime(t *testing.T, log *callLog) (*fakeAsterisk, *Runtime) {
	t.Helper()
	f := newFakeAsterisk(t)
	f.handleJSON("POST /applications/*", 200, `{"name":"app","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[]}`)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	return f, rt
}

// seen lists what a recorder got: the type, and the digit or id that
// tells the test's events apart.
func seen(r *recorder) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = label(e)
	}
	return out
}

func label(e events.Event) string {
	switch e := e.(type) {
	case *events.ChannelDTMFReceived:
		return e.EventType() + " " + e.Channel.ID + " " + e.Digit
	case *events.PlaybackStarted:
		return e.EventType() + " " + e.Playback.ID
	case *events.PlaybackFinished:
		return e.EventType() + " " + e.Playback.ID
	case *events.RecordingStarted:
		return e.EventType() + " " + e.Recording.Name
	case *events.RecordingFinished:
		return e.EventType() + " " + e.Recording.Name
	case *events.RecordingFailed:
		return e.EventType() + " " + e.Recording.Name
	case *events.ChannelStateChange:
		return e.EventType() + " " + e.Channel.ID + " " + string(e.Channel.State)
	case *events.ChannelEnteredBridge:
		return e.EventType() + " " + e.Bridge.ID + " " + e.Channel.ID
	case *events.BridgeDestroyed:
		return e.EventType() + " " + e.Bridge.ID
	}
	return e.EventType() + " " + firstID(e)
}

func firstID(e events.Event) string {
	if ids := events.ChannelIDs(e); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

func TestWaitHoldsOtherEventsInOrder(t *testing.T) {
	log := newCallLog()
	got := make(chan string, 4)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		switch e := e.(type) {
		case *events.StasisStart:
			d, err := WaitFor(ctx, call, func(e *events.ChannelDTMFReceived) bool { return e.Digit == "9" })
			if err != nil {
				return err
			}
			got <- d.Digit
		case *events.ChannelDTMFReceived:
			if e.Digit == "1" {
				// The first wait held "2": this wait finds it there.
				d, err := call.WaitDTMF(ctx)
				if err != nil {
					return err
				}
				got <- d
			}
		}
		return nil
	}
	f, rt := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"), dtmf("app", "c1", "1"), dtmf("app", "c1", "2"), dtmf("app", "c1", "9"), dtmf("app", "c1", "3"), stasisEnd("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, "9", <-got)
	assert.Equal(t, "2", <-got)
	assert.Equal(t, []string{"StasisStart c1", "ChannelDtmfReceived c1 1", "ChannelDtmfReceived c1 3", "StasisEnd c1"}, seen(r),
		"the events the waits passed over reach the handler in order, those they took do not")
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Zero(t, rt.Stats().HandlerErrors)
}

func TestWaitCallEndsMidWait(t *testing.T) {
	log := newCallLog()
	errs := make(chan error, 3)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			_, err := call.WaitDTMF(ctx)
			errs <- err
			// Another wait ends at once; it could still take the events
			// that came before the StasisEnd.
			_, again := call.WaitDTMF(ctx)
			errs <- again
			errs <- call.Post(func(context.Context) error { return nil })
			return err // as a flow would: not a handler error
		}
		return nil
	}
	f, rt := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"), ev("ChannelHangupRequest", "app", map[string]any{"channel": channel("c1"), "cause": 16}), stasisEnd("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	for i := 0; i < 3; i++ {
		assert.ErrorIs(t, <-errs, ErrCallEnded)
	}
	assert.Equal(t, []string{"StasisStart c1", "ChannelHangupRequest c1", "StasisEnd c1"}, seen(r), "StasisEnd still reaches the handler")
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.NoError(t, r.end().Err)
	assert.Zero(t, rt.Stats().HandlerErrors)
}

func TestWaitTimeout(t *testing.T) {
	log := newCallLog()
	waited := make(chan error, 1)
	var took time.Duration
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			wctx, cancel := context.WithTimeout(ctx, 80*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := call.WaitDTMF(wctx)
			took = time.Since(start)
			waited <- err
		}
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"), ev("PlaybackStarted", "app", playback("p1", "channel:c1", "playing")))
	err := <-waited
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrCallEnded)
	assert.GreaterOrEqual(t, took, 80*time.Millisecond)
	assert.Less(t, took, 2*time.Second)
	// The call goes on: later events reach the handler.
	f.send(dtmf("app", "c1", "7"), stasisEnd("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, []string{"StasisStart c1", "PlaybackStarted p1", "ChannelDtmfReceived c1 7", "StasisEnd c1"}, seen(r))
	assert.Equal(t, EndStasisEnd, r.end().Reason)
}

func TestWaitTimeoutWithBusyMailbox(t *testing.T) {
	log := newCallLog()
	waited := make(chan error, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err := call.Wait(wctx, func(events.Event) bool { return false })
			waited <- err
		}
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"))
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				f.send(dtmf("app", "c1", "1"))
			}
		}
	}()
	select {
	case err := <-waited:
		assert.ErrorIs(t, err, context.DeadlineExceeded, "a stream of events does not hold the deadline off")
	case <-time.After(5 * time.Second):
		t.Fatal("the wait ignored its deadline")
	}
	close(stop)
	time.Sleep(10 * time.Millisecond)
	f.send(stasisEnd("app", "c1"))
	log.waitEnded(t, 1)
}

func TestWaitShutdownMidWait(t *testing.T) {
	log := newCallLog()
	waiting := make(chan struct{})
	waited := make(chan error, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			close(waiting)
			_, err := call.WaitDTMF(ctx)
			waited <- err
			return err
		}
		return nil
	}
	f, rt := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"))
	<-waiting
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = rt.Shutdown(ctx)
	err := <-waited
	assert.ErrorIs(t, err, ErrCallEnded)
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndShutdown, r.end().Reason)
	assert.Zero(t, rt.Stats().HandlerErrors)
}

func TestWaitOutsideTheCallGoroutine(t *testing.T) {
	log := newCallLog()
	waiting := make(chan *Call, 1)
	release := make(chan struct{})
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if d, ok := e.(*events.ChannelDTMFReceived); ok && d.Digit == "1" {
			waiting <- call
			_, err := WaitFor(ctx, call, func(e *events.ChannelDTMFReceived) bool { return e.Digit == "2" })
			<-release
			return err
		}
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"))
	var call *Call
	eventually(t, func() bool {
		rs := log.get("app", "c1")
		if len(rs) == 1 && len(rs[0].types()) == 1 {
			call = rs[0].call
			return call.flow.idle.Load()
		}
		return false
	}, "the call idles")
	ctx := testCtx(t)
	_, err := call.WaitDTMF(ctx)
	assert.ErrorIs(t, err, ErrNotCallGoroutine, "while the call is idle")

	f.send(dtmf("app", "c1", "1"))
	<-waiting
	eventually(t, func() bool { return call.flow.waiting.Load() }, "the handler waits")
	_, err = call.WaitDTMF(ctx)
	assert.ErrorIs(t, err, ErrNotCallGoroutine, "while the handler waits")
	close(release)
	f.send(dtmf("app", "c1", "2"), stasisEnd("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	_, err = call.WaitDTMF(ctx)
	assert.ErrorIs(t, err, ErrCallEnded, "after the end")
}

func TestWaitBadInput(t *testing.T) {
	log := newCallLog()
	errs := make(chan error, 2)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			_, err := call.Wait(ctx, nil)
			errs <- err
			//nolint:staticcheck // a nil context is the bad input under test
			_, err = call.WaitDTMF(nil)
			errs <- err
		}
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"), stasisEnd("app", "c1"))
	assert.Error(t, <-errs)
	assert.Error(t, <-errs)
	log.waitEnded(t, 1)
}

func TestWaitInFactory(t *testing.T) {
	log := newCallLog()
	got := make(chan string, 1)
	log.factory = func(ctx context.Context, call *Call) error {
		d, err := call.WaitDTMF(ctx)
		got <- d
		return err
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"), ev("ChannelHangupRequest", "app", map[string]any{"channel": channel("c1")}), dtmf("app", "c1", "4"), stasisEnd("app", "c1"))
	assert.Equal(t, "4", <-got)
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, []string{"StasisStart c1", "ChannelHangupRequest c1", "StasisEnd c1"}, seen(r), "StasisStart first, then what the factory's wait held")
}

// Frames of the typed waits' tests.

func playback(id, target, state string) map[string]any {
	return map[string]any{"playback": map[string]any{"id": id, "media_uri": "sound:x", "target_uri": target, "language": "en", "state": state}}
}

func recording(name, state string) map[string]any {
	return map[string]any{"recording": map[string]any{"name": name, "format": "wav", "target_uri": "channel:c1", "state": state}}
}

func channelIn(id, state string) map[string]any {
	ch := channel(id)
	ch["state"] = state
	return ch
}

func bridgeObj(id string) map[string]any {
	return map[string]any{"id": id, "technology": "simple_bridge", "bridge_type": "mixing", "bridge_class": "stasis", "creator": "Stasis", "name": "", "channels": []string{}, "creationtime": "2026-11-25T19:41:00.885+0000", "video_mode": "talker"}
}

func entered(bridge, ch string) string {
	return ev("ChannelEnteredBridge", "app", map[string]any{"bridge": bridgeObj(bridge), "channel": channel(ch)})
}

// waitCase is one typed wait: how to call it, the frame it waits for,
// frames it must pass over (held for the handler, in order), and
// optionally a frame that makes it fail.
type waitCase struct {
	name    string
	wait    func(ctx context.Context, call *Call) error
	match   string
	decoys  []string
	fail    string
	failErr func(t *testing.T, err error)
}

func waitCases() []waitCase {
	return []waitCase{
		{
			name:   "WaitDTMF",
			wait:   func(ctx context.Context, c *Call) error { _, err := c.WaitDTMF(ctx); return err },
			match:  dtmf("app", "c1", "5"),
			decoys: []string{dtmf("app", "leg1", "5"), ev("PlaybackStarted", "app", playback("p1", "channel:c1", "playing"))},
		},
		{
			name: "WaitPlaybackFinished",
			wait: func(ctx context.Context, c *Call) error {
				p, err := c.WaitPlaybackFinished(ctx, "p1")
				if err == nil && p.ID != "p1" {
					return fmt.Errorf("got playback %s", p.ID)
				}
				return err
			},
			match:  ev("PlaybackFinished", "app", playback("p1", "channel:c1", "done")),
			decoys: []string{ev("PlaybackStarted", "app", playback("p1", "channel:c1", "playing")), ev("PlaybackFinished", "app", playback("p0", "channel:c1", "done"))},
			fail:   ev("PlaybackFinished", "app", playback("p1", "channel:c1", "failed")),
			failErr: func(t *testing.T, err error) {
				var pf *PlaybackFailedError
				require.ErrorAs(t, err, &pf)
				assert.Equal(t, "p1", pf.Playback.ID)
			},
		},
		{
			name: "WaitRecording",
			wait: func(ctx context.Context, c *Call) error {
				r, err := c.WaitRecording(ctx, "rec1")
				if err == nil && r.Name != "rec1" {
					return fmt.Errorf("got recording %s", r.Name)
				}
				return err
			},
			match:  ev("RecordingFinished", "app", recording("rec1", "done")),
			decoys: []string{ev("RecordingStarted", "app", recording("rec1", "recording")), ev("RecordingFinished", "app", recording("rec0", "done"))},
			fail:   ev("RecordingFailed", "app", recording("rec1", "failed")),
			failErr: func(t *testing.T, err error) {
				var rf *RecordingFailedError
				require.ErrorAs(t, err, &rf)
				assert.Equal(t, "rec1", rf.Recording.Name)
			},
		},
		{
			name:   "WaitState",
			wait:   func(ctx context.Context, c *Call) error { return c.WaitState(ctx, "leg1", ari.ChannelStateUp) },
			match:  ev("ChannelStateChange", "app", map[string]any{"channel": channelIn("leg1", "Up")}),
			decoys: []string{ev("ChannelStateChange", "app", map[string]any{"channel": channelIn("leg1", "Ringing")}), ev("ChannelStateChange", "app", map[string]any{"channel": channelIn("c1", "Up")})},
			fail:   ev("ChannelDestroyed", "app", map[string]any{"channel": channel("leg1"), "cause": 17, "cause_txt": "User busy"}),
			failErr: func(t *testing.T, err error) {
				var g *GoneError
				require.ErrorAs(t, err, &g)
				assert.Equal(t, GoneError{Kind: "channel", ID: "leg1", Cause: 17, CauseText: "User busy"}, *g)
			},
		},
		{
			name: "WaitStasisStart",
			wait: func(ctx context.Context, c *Call) error {
				e, err := c.WaitStasisStart(ctx, "leg1")
				if err == nil && e.Channel.ID != "leg1" {
					return fmt.Errorf("got %s", e.Channel.ID)
				}
				return err
			},
			match:  stasisStart("app", "leg1"),
			decoys: []string{ev("ChannelStateChange", "app", map[string]any{"channel": channelIn("leg1", "Up")})},
			fail:   ev("ChannelDestroyed", "app", map[string]any{"channel": channel("leg1"), "cause": 17, "cause_txt": "User busy"}),
			failErr: func(t *testing.T, err error) {
				var g *GoneError
				require.ErrorAs(t, err, &g)
				assert.Equal(t, 17, g.Cause)
			},
		},
		{
			name:   "WaitBridged",
			wait:   func(ctx context.Context, c *Call) error { return c.WaitBridged(ctx, "b1", "leg1") },
			match:  entered("b1", "leg1"),
			decoys: []string{entered("b1", "c1"), entered("b0", "leg1")},
			fail:   ev("BridgeDestroyed", "app", map[string]any{"bridge": bridgeObj("b1")}),
			failErr: func(t *testing.T, err error) {
				var g *GoneError
				require.ErrorAs(t, err, &g)
				assert.Equal(t, "bridge", g.Kind)
			},
		},
	}
}

// TestTypedWaits runs every typed wait through the same scenarios: the
// awaited event arrives among others, the call ends mid-wait, the
// deadline passes, and (where it can) the wait fails. Each time, the
// events it does not return reach the handler, in order.
func TestTypedWaits(t *testing.T) {
	end := stasisEnd("app", "c1")
	after := dtmf("app", "c1", "8")
	for _, tc := range waitCases() {
		t.Run(tc.name, func(t *testing.T) {
			// run starts a call that waits, sends frames, and returns the
			// wait's error; then finally (unless already sent) and the
			// handler's record once the call ended.
			run := func(t *testing.T, timeout time.Duration, finally string, frames ...string) (error, *recorder) {
				log := newCallLog()
				ready := make(chan struct{})
				waited := make(chan error, 1)
				log.hook = func(call *Call, ctx context.Context, e events.Event) error {
					if s, ok := e.(*events.StasisStart); ok && s.Channel.ID == "c1" {
						if err := call.Adopt(ctx, "leg1"); err != nil {
							return err
						}
						close(ready)
						if timeout > 0 {
							var cancel context.CancelFunc
							ctx, cancel = context.WithTimeout(ctx, timeout)
							defer cancel()
						}
						err := tc.wait(ctx, call)
						waited <- err
						if errors.Is(err, ErrCallEnded) {
							return err // as a flow would: not a handler error
						}
					}
					return nil
				}
				f, rt := fakeRuntime(t, log)
				f.send(stasisStart("app", "c1"))
				<-ready
				f.send(frames...)
				var err error
				select {
				case err = <-waited:
				case <-time.After(5 * time.Second):
					t.Fatal("the wait did not return")
				}
				if finally != "" {
					f.send(finally)
				}
				r := log.waitEnded(t, 1)[0]
				assert.Equal(t, EndStasisEnd, r.end().Reason)
				assert.Zero(t, rt.Stats().HandlerErrors)
				return err, r
			}
			labels := func(frames ...string) []string {
				out := []string{"StasisStart c1"}
				for _, fr := range frames {
					out = append(out, label(decode(t, fr)))
				}
				return out
			}
			with := func(frames ...string) []string { return append(append([]string{}, tc.decoys...), frames...) }

			t.Run("match", func(t *testing.T) {
				err, r := run(t, 0, "", with(tc.match, after, end)...)
				require.NoError(t, err)
				assert.Equal(t, labels(with(after, end)...), seen(r), "all but the awaited event reach the handler, in order")
			})
			t.Run("ended", func(t *testing.T) {
				err, r := run(t, 0, "", with(end)...)
				assert.ErrorIs(t, err, ErrCallEnded)
				assert.Equal(t, labels(with(end)...), seen(r))
			})
			t.Run("timeout", func(t *testing.T) {
				err, r := run(t, 50*time.Millisecond, end, with()...)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				assert.Equal(t, labels(with(end)...), seen(r))
			})
			if tc.fail != "" {
				t.Run("fail", func(t *testing.T) {
					err, r := run(t, 0, "", with(tc.fail, end)...)
					tc.failErr(t, err)
					assert.Equal(t, labels(with(tc.fail, end)...), seen(r), "the event that failed the wait reaches the handler")
				})
			}
		})
	}
}

// Events a wait holds count toward Config.MailboxLimit, with the same
// policy as queued ones.
func TestWaitHeldEventsCountTowardMailboxLimit(t *testing.T) {
	for _, policy := range []OverflowPolicy{OverflowEndCall, OverflowDropNewest} {
		t.Run(map[OverflowPolicy]string{OverflowEndCall: "end", OverflowDropNewest: "drop"}[policy], func(t *testing.T) {
			log := newCallLog()
			waited := make(chan error, 1)
			log.hook = func(call *Call, ctx context.Context, e events.Event) error {
				if _, ok := e.(*events.StasisStart); ok {
					_, err := WaitFor(ctx, call, func(e *events.ChannelDTMFReceived) bool { return e.Digit == "9" })
					waited <- err
					return err
				}
				return nil
			}
			f := newFakeAsterisk(t)
			rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}, MailboxLimit: 3, Overflow: policy, Logger: slog.New(slog.DiscardHandler)})
			require.NoError(t, err)
			startRuntime(t, rt)
			f.waitConnected()
			f.send(stasisStart("app", "c1"))
			digits := []string{"1", "2", "3", "4", "5"}
			if policy == OverflowEndCall {
				digits = digits[:4]
			}
			for i, d := range digits {
				// One at a time, so that the mailbox itself never fills:
				// the wait holds (or drops) each before the next comes.
				f.send(dtmf("app", "c1", d))
				eventually(t, func() bool {
					st := rt.Stats()
					if i < 3 {
						return st.MailboxHighWater == int64(i+1)
					}
					return st.Overflows == uint64(i-2)
				}, "the wait took the event")
			}
			if policy == OverflowEndCall {
				assert.ErrorIs(t, <-waited, ErrCallEnded)
				r := log.waitEnded(t, 1)[0]
				assert.Equal(t, EndOverflow, r.end().Reason)
			} else {
				f.send(dtmf("app", "c1", "9"), stasisEnd("app", "c1"))
				require.NoError(t, <-waited)
				r := log.waitEnded(t, 1)[0]
				assert.Equal(t, []string{"StasisStart c1", "ChannelDtmfReceived c1 1", "ChannelDtmfReceived c1 2", "ChannelDtmfReceived c1 3", "StasisEnd c1"}, seen(r))
				r.mu.Lock()
				require.Len(t, r.resync, 1, "the handler is told events were dropped")
				assert.Equal(t, ResyncOverflow, r.resync[0].Reason)
				r.mu.Unlock()
			}
			assert.EqualValues(t, len(digits)-3, rt.Stats().Overflows)
		})
	}
}

// OnStasisEnd cannot wait for more: its waits fail at once.
func TestWaitInOnStasisEndFailsAtOnce(t *testing.T) {
	log := newCallLog()
	waited := make(chan error, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisEnd); ok {
			_, err := call.WaitDTMF(ctx)
			waited <- err
			return err
		}
		return nil
	}
	f, rt := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"), stasisEnd("app", "c1"))
	select {
	case err := <-waited:
		assert.ErrorIs(t, err, ErrCallEnded)
	case <-time.After(5 * time.Second):
		t.Fatal("a wait in OnStasisEnd blocked")
	}
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Zero(t, rt.Stats().HandlerErrors)
}
