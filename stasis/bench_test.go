package stasis

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// countingHandler counts the events it receives.
type countingHandler struct{ n *atomic.Int64 }

func (h countingHandler) OnEvent(context.Context, events.Event) error {
	h.n.Add(1)
	return nil
}

// benchRuntime is a runtime whose calls are started by feeding the router
// directly, without a websocket: for measuring routing and memory.
func benchRuntime(tb testing.TB, counter *atomic.Int64) (*Runtime, *appState) {
	tb.Helper()
	client, err := ari.NewClient(ari.Config{URL: "http://127.0.0.1:1", Version: "22.10.1"})
	require.NoError(tb, err)
	app := App{Name: "app", New: func(ctx context.Context, call *Call) (any, error) { return countingHandler{counter}, nil }}
	rt, err := New(Config{Client: client, Apps: []App{app}, KeepChannelOnError: true})
	require.NoError(tb, err)
	rt.callsCtx, rt.cancelAll = context.WithCancelCause(context.Background())
	return rt, rt.nodes[0].apps["app"]
}

// startCalls starts n calls and waits until their StasisStart is handled.
func startCalls(tb testing.TB, a *appState, counter *atomic.Int64, n int) {
	tb.Helper()
	var sc routeScratch
	base := counter.Load()
	for i := 0; i < n; i++ {
		a.route(decode(tb, stasisStart("app", fmt.Sprintf("c%d", i))), 1, &sc)
	}
	for counter.Load() < base+int64(n) {
		time.Sleep(time.Millisecond)
	}
}

// stopCalls cancels every call and waits for the goroutines.
func stopCalls(rt *Runtime) {
	rt.close()
	rt.cancelAll(errShutdown)
	rt.calls.Wait()
}

func decode(tb testing.TB, frame string) events.Event {
	tb.Helper()
	e, err := events.Decode([]byte(frame))
	require.NoError(tb, err)
	return e
}

// BenchmarkRoute measures routing one decoded event to its call (registrar
// lookup and mailbox append) with 1 and with 10,000 live calls: the cost
// must not grow with the number of calls. Compare the two ns/op; the ratio
// must stay under 1.5. The calls' mailboxes are drained by the benchmark
// itself, with the timer stopped, every drainEvery events and without
// handler goroutines, so that the figure is steady-state routing alone
// (BenchmarkEndToEnd includes goroutine wake-ups). Draining rarely matters:
// stopping the timer reads memory statistics, which stops the world and
// evicts the caches, a cost the 10,000-call case would pay more often.
func BenchmarkRoute(b *testing.B) {
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			var counter atomic.Int64
			rt, a := benchRuntime(b, &counter)
			calls := make([]*Call, n)
			for i := range calls {
				start := decode(b, stasisStart("app", fmt.Sprintf("c%d", i))).(*events.StasisStart)
				calls[i] = rt.newCall(a, start, 1, nil, false)
				require.NoError(b, a.register(calls[i], LegPrimary, start.Channel.ID))
			}
			// Events for a rotating set of 64 calls, spread over the range.
			evs := make([]events.Event, 64)
			targets := make([]*Call, 64)
			for i := range evs {
				k := (i * 7919) % n
				evs[i] = decode(b, dtmf("app", fmt.Sprintf("c%d", k), "1"))
				targets[i] = calls[k]
			}
			var sc routeScratch
			// Mailboxes are drained (timer stopped) every drainEvery events.
			const drainEvery = 4096
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a.route(evs[i%len(evs)], 1, &sc)
				if i%drainEvery == drainEvery-1 {
					b.StopTimer()
					for _, c := range targets {
						for {
							if _, ok := c.mb.pop(); !ok {
								break
							}
						}
					}
					b.StartTimer()
				}
			}
		})
	}
}

// BenchmarkIdleCallMemory reports the memory one idle live call takes
// (handler goroutine, mailbox, registrar entry) with 10,000 live calls,
// as the bytes/call metric. Target: under 8 KiB.
func BenchmarkIdleCallMemory(b *testing.B) {
	const n = 10_000
	for i := 0; i < b.N; i++ {
		var counter atomic.Int64
		rt, a := benchRuntime(b, &counter)
		before := memInUse()
		startCalls(b, a, &counter, n)
		after := memInUse()
		b.ReportMetric(float64(after-before)/n, "bytes/call")
		stopCalls(rt)
	}
}

func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkEndToEnd measures events per second from websocket frames to
// handlers with 1,000 live calls: each op is one frame written by the
// fake Asterisk, decoded, routed and handled.
func BenchmarkEndToEnd(b *testing.B) {
	const calls = 1000
	f := newFakeAsterisk(b)
	var counter atomic.Int64
	app := App{Name: "app", New: func(ctx context.Context, call *Call) (any, error) { return countingHandler{n: &counter}, nil }}
	rt, err := New(Config{Client: f.client(), Apps: []App{app}, KeepChannelOnError: true})
	require.NoError(b, err)
	done := make(chan error, 1)
	go func() { done <- rt.Run(context.Background()) }()
	f.waitConnected()
	for i := 0; i < calls; i++ {
		f.send(stasisStart("app", fmt.Sprintf("c%d", i)))
	}
	for counter.Load() < calls {
		time.Sleep(time.Millisecond)
	}
	frames := make([]string, calls)
	for i := range frames {
		frames[i] = dtmf("app", fmt.Sprintf("c%d", i), "5")
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		f.send(frames[i%calls])
	}
	for counter.Load() < int64(calls+b.N) {
		time.Sleep(100 * time.Microsecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = rt.Shutdown(ctx)
	<-done
}
