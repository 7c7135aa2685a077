package ari

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/gorilla/websocket"
)

// heapGrowth measures the heap an operation needs. With the collector off,
// nothing is freed while op runs, so the growth of HeapAlloc is every byte
// allocated meanwhile (by the client, the in-process server and the
// runtime): an upper bound on the operation's peak heap.
type heapGrowth struct {
	b    *testing.B
	peak uint64
}

func newHeapGrowth(b *testing.B) *heapGrowth {
	old := debug.SetGCPercent(-1)
	b.Cleanup(func() { debug.SetGCPercent(old) })
	return &heapGrowth{b: b}
}

func (h *heapGrowth) measure(op func()) {
	h.b.StopTimer()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h.b.StartTimer()
	op()
	h.b.StopTimer()
	runtime.ReadMemStats(&after)
	if d := after.HeapAlloc - before.HeapAlloc; d > h.peak {
		h.peak = d
	}
	h.b.StartTimer()
}

// report adds the peak heap, in bytes and as a multiple of size.
func (h *heapGrowth) report(size int) {
	h.b.ReportMetric(float64(h.peak), "peak-heap-B")
	h.b.ReportMetric(float64(h.peak)/float64(size), "peak-heap/size")
}

// BenchmarkFrameAtLimit receives one events message of exactly
// MaxFrameSize bytes per iteration and reports the peak heap it needs
// (peak-heap/size must stay under 2). Sizes: the default limit, and a
// limit that is not a power of two.
func BenchmarkFrameAtLimit(b *testing.B) {
	for _, limit := range []int{DefaultMaxFrameSize, 10 << 20} {
		b.Run(strconv.Itoa(limit>>20)+"MiB", func(b *testing.B) {
			payload := textFrame(limit)
			send := make(chan struct{})
			up := websocket.Upgrader{Subprotocols: []string{"ari"}}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, err := up.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer c.Close()
				go func() { // answer pings, see the end
					for {
						if _, _, err := c.NextReader(); err != nil {
							return
						}
					}
				}()
				for range send {
					if err := c.WriteMessage(websocket.TextMessage, payload); err != nil {
						return
					}
				}
			}))
			defer srv.Close()
			c, err := NewClient(Config{URL: srv.URL})
			if err != nil {
				b.Fatal(err)
			}
			got := make(chan int, 1)
			s := c.EventStream(EventStreamConfig{Apps: []string{"a"}, MaxFrameSize: int64(limit)})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				s.Run(ctx, func(f Frame) { got <- len(f.Data) })
			}()
			defer func() { close(send); cancel(); <-done }()

			send <- struct{}{} // warm up: the connection and scratch buffer
			<-got
			h := newHeapGrowth(b)
			b.SetBytes(int64(limit))
			b.ResetTimer()
			for range b.N {
				h.measure(func() {
					send <- struct{}{}
					if n := <-got; n != limit {
						b.Fatalf("got %d bytes", n)
					}
				})
			}
			h.report(limit)
		})
	}
}

// discard is a json.Unmarshaler that keeps nothing, so that
// BenchmarkReplyAtLimit measures the client's own memory.
type discard struct{ n int }

func (d *discard) UnmarshalJSON(b []byte) error { d.n = len(b); return nil }

// BenchmarkReplyAtLimit reads one JSON reply of exactly MaxReplySize
// bytes per iteration, announced by Content-Length or chunked, and
// reports the peak heap it needs (peak-heap/size must stay under 2).
func BenchmarkReplyAtLimit(b *testing.B) {
	const limit = 16 << 20
	payload := textFrame(limit)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		}
		w.WriteHeader(http.StatusOK)
		for p := payload; len(p) > 0; {
			n := min(len(p), 64<<10)
			w.Write(p[:n])
			p = p[n:]
		}
	}))
	defer srv.Close()
	for _, mode := range []string{"content-length", "chunked"} {
		b.Run(mode, func(b *testing.B) {
			c, err := NewClient(Config{URL: srv.URL, MaxReplySize: limit})
			if err != nil {
				b.Fatal(err)
			}
			defer c.hc.CloseIdleConnections()
			r := &Request{Op: testOp("GET", "x", "big", "/big"), Path: "/big"}
			if mode == "chunked" {
				r.Query = "chunked=1"
			}
			var d discard
			if err := c.Do(context.Background(), r, &d); err != nil { // warm up
				b.Fatal(err)
			}
			h := newHeapGrowth(b)
			b.SetBytes(limit)
			b.ResetTimer()
			for range b.N {
				h.measure(func() {
					if err := c.Do(context.Background(), r, &d); err != nil || d.n != limit {
						b.Fatal(err, d.n)
					}
				})
			}
			h.report(limit)
		})
	}
}
