package resources_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigFileServer streams size bytes of audio for every stored recording,
// generated on the fly from one 64 KiB buffer. written counts the bytes
// the handler got written; done is closed when it returns.
type bigFileServer struct {
	URL     string
	written atomic.Int64
	done    chan struct{}
}

func newBigFileServer(t *testing.T, size int64) *bigFileServer {
	t.Helper()
	bs := &bigFileServer{done: make(chan struct{})}
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	copy(chunk, "RIFF\xff\xff\xff\xffWAVE")
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		defer close(bs.done)
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		w.WriteHeader(http.StatusOK)
		for left := size; left > 0; {
			n := min(left, int64(len(chunk)))
			k, err := w.Write(chunk[:n])
			bs.written.Add(int64(k))
			if err != nil {
				return
			}
			left -= n
		}
	})
	bs.URL = srv.URL
	return bs
}

// heapWatcher follows the heap while a download runs.
type heapWatcher struct {
	start   runtime.MemStats
	maxHeap uint64
}

func newHeapWatcher() *heapWatcher {
	runtime.GC()
	h := &heapWatcher{}
	runtime.ReadMemStats(&h.start)
	h.maxHeap = h.start.HeapAlloc
	return h
}

func (h *heapWatcher) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.maxHeap = max(h.maxHeap, ms.HeapAlloc)
}

// growth returns how much the heap grew at most, and how much was
// allocated in all, since the watcher started.
func (h *heapWatcher) growth() (heap, total uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.maxHeap = max(h.maxHeap, ms.HeapAlloc)
	return h.maxHeap - min(h.maxHeap, h.start.HeapAlloc), ms.TotalAlloc - h.start.TotalAlloc
}

// TestGetStoredFileStreams reads a 256 MiB recording through the
// io.ReadCloser of Recordings.GetStoredFile with bounded memory.
func TestGetStoredFileStreams(t *testing.T) {
	const size = 256 << 20
	const bound = 16 << 20
	bs := newBigFileServer(t, size)
	c := newClient(t, bs.URL, "22.10.1")
	ctx := context.Background()

	h := newHeapWatcher()
	start := time.Now()
	rc, err := c.Recordings.GetStoredFile(ctx, "big")
	require.NoError(t, err)

	buf := make([]byte, 32<<10)
	var n int64
	var head []byte
	nextSample := int64(0)
	for {
		k, err := rc.Read(buf)
		if len(head) < 12 {
			head = append(head, buf[:min(k, 12-len(head))]...)
		}
		n += int64(k)
		if n >= nextSample {
			h.sample()
			nextSample += 16 << 20
		}
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}
	require.NoError(t, rc.Close())
	heap, total := h.growth()
	t.Logf("read %d MiB in %v; heap grew at most %d KiB, %d KiB allocated in all",
		n>>20, time.Since(start).Round(time.Millisecond), heap>>10, total>>10)

	assert.EqualValues(t, size, n)
	assert.Equal(t, "RIFF\xff\xff\xff\xffWAVE", string(head))
	assert.Less(t, heap, uint64(bound), "heap growth")
	assert.Less(t, total, uint64(bound), "allocations")
	<-bs.done
	assert.EqualValues(t, size, bs.written.Load())
}

// TestGetStoredFileEarlyClose closes the download after 1 MiB: the
// transfer stops instead of running to the end.
func TestGetStoredFileEarlyClose(t *testing.T) {
	const size = 256 << 20
	bs := newBigFileServer(t, size)
	c := newClient(t, bs.URL, "22.10.1")

	rc, err := c.Recordings.GetStoredFile(context.Background(), "big")
	require.NoError(t, err)
	_, err = io.CopyN(io.Discard, rc, 1<<20)
	require.NoError(t, err)

	start := time.Now()
	require.NoError(t, rc.Close())
	assert.Less(t, time.Since(start), time.Second, "Close does not read the rest")

	select {
	case <-bs.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the server is still sending after Close (%d MiB written)", bs.written.Load()>>20)
	}
	written := bs.written.Load()
	t.Logf("the server wrote %d KiB of %d MiB before the connection closed", written>>10, size>>20)
	assert.Less(t, written, int64(64<<20), "the transfer stopped")
}

// TestGetStoredFileCancel cancels the context mid-download: reading stops
// with the context's error.
func TestGetStoredFileCancel(t *testing.T) {
	const size = 256 << 20
	bs := newBigFileServer(t, size)
	c := newClient(t, bs.URL, "22.10.1")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc, err := c.Recordings.GetStoredFile(ctx, "big")
	require.NoError(t, err)
	t.Cleanup(func() { rc.Close() })
	_, err = io.CopyN(io.Discard, rc, 1<<20)
	require.NoError(t, err)
	cancel()
	_, err = io.Copy(io.Discard, rc)
	assert.ErrorIs(t, err, context.Canceled)
	select {
	case <-bs.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the server is still sending after the cancel")
	}
	assert.Less(t, bs.written.Load(), int64(64<<20))
}
