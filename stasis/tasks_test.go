package stasis

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// Tests of AfterFunc and Post. The handlers below keep their state
// without a lock: the race detector checks that timers, posted funcs and
// methods never run concurrently.

func TestAfterFuncRunsSeriallyAndMayWait(t *testing.T) {
	log := newCallLog()
	var order []string // call goroutine only
	inTimer := make(chan struct{})
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		order = append(order, label(e))
		if _, ok := e.(*events.StasisStart); ok {
			call.AfterFunc(20*time.Millisecond, func(ctx context.Context) error {
				order = append(order, "timer")
				close(inTimer)
				d, err := call.WaitDTMF(ctx)
				order = append(order, "timer got "+d)
				return err
			})
		}
		return nil
	}
	f, rt := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"))
	<-inTimer
	f.send(dtmf("app", "c1", "5"), dtmf("app", "c1", "6"), stasisEnd("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, []string{"StasisStart c1", "timer", "timer got 5", "ChannelDtmfReceived c1 6", "StasisEnd c1"}, order)
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Zero(t, rt.Stats().HandlerErrors)
}

func TestAfterFuncDueDuringAWaitRunsAfterIt(t *testing.T) {
	log := newCallLog()
	var order []string
	waiting := make(chan struct{})
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		order = append(order, label(e))
		if _, ok := e.(*events.StasisStart); ok {
			call.AfterFunc(time.Millisecond, func(ctx context.Context) error {
				order = append(order, "timer")
				return nil
			})
			close(waiting)
			d, err := call.WaitDTMF(ctx)
			order = append(order, "got "+d)
			return err
		}
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"))
	<-waiting
	time.Sleep(30 * time.Millisecond) // the timer comes due during the wait
	f.send(dtmf("app", "c1", "1"), stasisEnd("app", "c1"))
	log.waitEnded(t, 1)
	assert.Equal(t, []string{"StasisStart c1", "got 1", "timer", "StasisEnd c1"}, order)
}

func TestAfterFuncErrorEndsTheCall(t *testing.T) {
	log := newCallLog()
	hung := make(chan string, 4)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			call.AfterFunc(5*time.Millisecond, func(ctx context.Context) error { return errors.New("no agent") })
		}
		return nil
	}
	f, rt := fakeRuntime(t, log)
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) {
		hung <- r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	})
	f.send(stasisStart("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndError, r.end().Reason)
	assert.EqualError(t, r.end().Err, "no agent")
	assert.Equal(t, "/ari/channels/c1", <-hung, "the channel is hung up as after a handler error")
	assert.EqualValues(t, 1, rt.Stats().HandlerErrors)
}

func TestTimerAndPostPanicsEndTheCall(t *testing.T) {
	for _, name := range []string{"AfterFunc", "Post"} {
		t.Run(name, func(t *testing.T) {
			log := newCallLog()
			log.hook = func(call *Call, ctx context.Context, e events.Event) error {
				if _, ok := e.(*events.StasisStart); ok {
					fn := func(ctx context.Context) error { panic("timer bug") }
					if name == "Post" {
						return call.Post(fn)
					}
					call.AfterFunc(time.Millisecond, fn)
				}
				return nil
			}
			f, rt := fakeRuntime(t, log)
			f.send(stasisStart("app", "c1"))
			r := log.waitEnded(t, 1)[0]
			assert.Equal(t, EndPanic, r.end().Reason)
			assert.Contains(t, r.end().Err.Error(), "timer bug")
			assert.EqualValues(t, 1, rt.Stats().Panics)
		})
	}
}

func TestPendingTimersStopAtCallEnd(t *testing.T) {
	log := newCallLog()
	var ran atomic.Bool
	stops := make(chan func() bool, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			stops <- call.AfterFunc(50*time.Millisecond, func(ctx context.Context) error {
				ran.Store(true)
				return nil
			})
		}
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"), stasisEnd("app", "c1"))
	log.waitEnded(t, 1)
	stop := <-stops
	time.Sleep(150 * time.Millisecond)
	assert.False(t, ran.Load(), "a timer pending at the end does not run")
	assert.False(t, stop(), "the end already stopped it")
}

func TestAfterFuncStop(t *testing.T) {
	log := newCallLog()
	var ran atomic.Bool
	stopped := make(chan [2]bool, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			stop := call.AfterFunc(20*time.Millisecond, func(ctx context.Context) error {
				ran.Store(true)
				return nil
			})
			stopped <- [2]bool{stop(), stop()}
			// A timer that came due is stopped before it runs, too.
			stop = call.AfterFunc(0, func(ctx context.Context) error {
				ran.Store(true)
				return nil
			})
			time.Sleep(20 * time.Millisecond)
			assert.True(t, stop())
		}
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"))
	assert.Equal(t, [2]bool{true, false}, <-stopped)
	time.Sleep(60 * time.Millisecond)
	f.send(stasisEnd("app", "c1"))
	log.waitEnded(t, 1)
	assert.False(t, ran.Load())
}

func TestPostFromAnotherGoroutine(t *testing.T) {
	log := newCallLog()
	var order []string // call goroutine only
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		order = append(order, label(e))
		return nil
	}
	f, _ := fakeRuntime(t, log)
	f.send(stasisStart("app", "c1"))
	var call *Call
	eventually(t, func() bool {
		if rs := log.get("app", "c1"); len(rs) == 1 {
			call = rs[0].call
			return true
		}
		return false
	}, "the call started")
	done := make(chan struct{})
	require.NoError(t, call.Post(func(ctx context.Context) error {
		order = append(order, "posted")
		d, err := call.WaitDTMF(ctx)
		order = append(order, "posted got "+d)
		close(done)
		return err
	}))
	f.send(dtmf("app", "c1", "3"))
	<-done
	f.send(stasisEnd("app", "c1"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, EndStasisEnd, r.end().Reason)
	assert.Equal(t, []string{"StasisStart c1", "posted", "posted got 3", "StasisEnd c1"}, order)
	assert.ErrorIs(t, call.Post(func(context.Context) error { return nil }), ErrCallEnded, "after the end")
	assert.Error(t, call.Post(nil))
	assert.False(t, call.AfterFunc(time.Millisecond, func(context.Context) error { return nil })(), "a timer set after the end never runs")
}
