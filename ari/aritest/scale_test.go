package aritest_test

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// TestScale10000Calls places 10,000 calls into an application whose
// events websocket (an ari.EventStream) reads them all, keeps them up,
// then hangs them all up, over REST (from the callers' side under the race
// detector, where 10,000 HTTP requests take long), and logs the time taken
// and the memory the calls hold.
func TestScale10000Calls(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test skipped with -short")
	}
	const calls = 10000
	timing := aritest.FastTiming()
	// The reader competes for two cores with 10,000 calls being set up
	// (and the race detector, if on): give it more than Asterisk's 100ms.
	timing.WriteTimeout = 5 * time.Second
	srv := aritest.Start(t, aritest.Config{Timing: timing, EventLogSize: 1000})

	var starts, ends atomic.Int64
	var frames atomic.Int64
	cfg := ari.EventStreamConfig{Apps: []string{"scale"}}
	es := srv.Client().EventStream(cfg)
	runCtx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		_ = es.Run(runCtx, func(f ari.Frame) {
			frames.Add(1)
			switch {
			case bytes.Contains(f.Data, []byte(`"type":"StasisStart"`)):
				starts.Add(1)
			case bytes.Contains(f.Data, []byte(`"type":"StasisEnd"`)):
				ends.Add(1)
			}
		})
	}()
	defer func() { cancel(); <-stopped }()
	require.NoError(t, srv.WaitApp(ctx(t), "scale"))

	waitCount := func(c *atomic.Int64, n int64, what string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for c.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d", what, c.Load(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	before := heapInUse()
	start := time.Now()
	ids := make([]string, 0, calls)
	for i := 0; i < calls; i++ {
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "scale", Answer: true, Caller: ari.CallerID{Name: "Caller", Number: "1000"}})
		require.NoError(t, err)
		ids = append(ids, phone.ID())
	}
	placed := time.Since(start)
	waitCount(&starts, calls, "StasisStart received")
	up := time.Since(start)
	require.Len(t, srv.Channels(), calls)
	after := heapInUse()

	// Hang up over REST, 32 requests at a time (or from the phones).
	rc := resources.New(srv.Client())
	hstart := time.Now()
	how := "over REST"
	if raceDetector {
		how = "by the callers"
		for _, id := range ids {
			require.NoError(t, srv.Phone(id).Hangup(resources.HangupReasonNormal))
		}
	} else {
		var wg sync.WaitGroup
		work := make(chan string)
		var failed atomic.Int64
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range work {
					if err := rc.Channels.Hangup(context.Background(), id, nil); err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		for _, id := range ids {
			work <- id
		}
		close(work)
		wg.Wait()
		require.Zero(t, failed.Load())
	}
	waitCount(&ends, calls, "StasisEnd received")
	hungUp := time.Since(hstart)
	require.Empty(t, srv.Channels())

	perCall := float64(int64(after)-int64(before)) / calls
	t.Logf("%d calls: placed in %v, all StasisStart read after %v; hung up %s in %v; %d frames read",
		calls, placed.Round(time.Millisecond), up.Round(time.Millisecond), how, hungUp.Round(time.Millisecond), frames.Load())
	t.Logf("heap in use: %.1f MiB before, %.1f MiB with the calls up: %.0f bytes per call",
		float64(before)/(1<<20), float64(after)/(1<<20), perCall)
	require.Less(t, perCall, 16384.0, "memory per call")
}

// heapInUse returns runtime.MemStats.HeapInuse after a garbage collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkPlaceCall measures placing a call into an application and
// hanging it up from the phone, with a websocket client reading.
func BenchmarkPlaceCall(b *testing.B) {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming(), EventLogSize: 100})
	defer srv.Close()
	ws := dialEvents(b, srv, "app=bench")
	_ = ws
	require.NoError(b, srv.WaitApp(context.Background(), "bench"))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if err := phone.Hangup(resources.HangupReasonNormal); err != nil {
			b.Fatal(err)
		}
	}
}
