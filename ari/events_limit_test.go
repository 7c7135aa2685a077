package ari

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// textFrame returns a JSON text of exactly n bytes (n >= 2).
func textFrame(n int) []byte {
	return []byte(`"` + strings.Repeat("a", n-2) + `"`)
}

// rawFrame returns an unmasked websocket frame (server to client) with
// opcode op and n bytes of 'b' as payload.
func rawFrame(op byte, fin bool, n int) []byte {
	b := []byte{op}
	if fin {
		b[0] |= 0x80
	}
	switch {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, bytes.Repeat([]byte("b"), n)...)
}

// TestEventStreamFrameLimit: a message over MaxFrameSize closes the
// connection with 1009, is counted and reported (ErrFrameTooLarge), and
// the stream reconnects; messages up to the limit are delivered whole.
func TestEventStreamFrameLimit(t *testing.T) {
	const limit = 1024
	closeCode := make(chan int, 1)
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		if k == 1 {
			c.WriteMessage(websocket.TextMessage, textFrame(limit))
			// A fragmented message: each fragment is under the limit,
			// the whole is not.
			raw := c.UnderlyingConn()
			raw.Write(rawFrame(0x01, false, limit/2+1))
			raw.Write(rawFrame(0x00, false, limit/2))
			raw.Write(rawFrame(0x00, true, 10))
			c.WriteMessage(websocket.TextMessage, []byte(`"never delivered"`))
			_, _, err := c.ReadMessage()
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				closeCode <- ce.Code
			} else {
				closeCode <- -1
			}
			return
		}
		c.WriteMessage(websocket.TextMessage, []byte(`"second connection"`))
		drain(c)
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{
		Apps: []string{"a"}, MaxFrameSize: limit, OnState: rec.onState,
		Backoff: Backoff{Initial: time.Millisecond, Max: time.Millisecond, Jitter: -1},
	})
	stop := runStream(t, s, rec)

	down := rec.waitState(t, "disconnected", is(StateDisconnected))
	require.ErrorIs(t, down.Err, ErrFrameTooLarge)
	require.ErrorIs(t, down.Err, websocket.ErrReadLimit)
	assert.Contains(t, down.Err.Error(), "(1024 bytes)")
	assert.Equal(t, uint64(1), down.Conn)
	select {
	case code := <-closeCode:
		assert.Equal(t, websocket.CloseMessageTooBig, code)
	case <-time.After(10 * time.Second):
		t.Fatal("the server saw no close")
	}
	up := rec.waitState(t, "reconnected", is(StateConnected))
	assert.True(t, up.Reconnect, "the next connection says state must be re-read")
	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == 2 }, 10*time.Second, time.Millisecond)
	_, _ = stop()

	_, _, frames, _ := rec.snapshot()
	require.Len(t, frames, 2)
	assert.Equal(t, textFrame(limit), frames[0].Data)
	assert.Equal(t, uint64(1), frames[0].Conn)
	assert.Equal(t, `"second connection"`, string(frames[1].Data))
	assert.Equal(t, uint64(2), frames[1].Conn)
	assert.Equal(t, EventStreamStats{Connections: 2, Frames: 2, FramesTooLarge: 1}, s.Stats())
}

// TestEventStreamFrameLimitDefault: with the default limit a message of
// DefaultMaxFrameSize is delivered and one byte more is refused; before the
// limit existed both were delivered.
func TestEventStreamFrameLimitDefault(t *testing.T) {
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		c.WriteMessage(websocket.TextMessage, textFrame(DefaultMaxFrameSize))
		c.WriteMessage(websocket.TextMessage, textFrame(DefaultMaxFrameSize+1))
		drain(c)
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, OnState: rec.onState, Backoff: Backoff{Initial: time.Hour}})
	stop := runStream(t, s, rec)
	down := rec.waitState(t, "disconnected", is(StateDisconnected))
	require.ErrorIs(t, down.Err, ErrFrameTooLarge)
	_, _ = stop()
	_, _, frames, _ := rec.snapshot()
	require.Len(t, frames, 1)
	assert.Len(t, frames[0].Data, DefaultMaxFrameSize)
	assert.Equal(t, uint64(1), s.Stats().FramesTooLarge)
}

// TestEventStreamHugeFrameNotRead: a message whose header announces
// 768 MiB is refused at once, before any of it arrives, and costs no
// memory; before the limit existed the stream waited to buffer it whole.
func TestEventStreamHugeFrameNotRead(t *testing.T) {
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		if k > 1 {
			drain(c)
			return
		}
		// FIN + text, 64-bit length, unmasked (server to client).
		hdr := []byte{0x81, 127, 0, 0, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint64(hdr[2:], 768<<20)
		c.UnderlyingConn().Write(hdr)
		c.UnderlyingConn().Write([]byte(`"aaaa`)) // and then nothing
		drain(c)
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, OnState: rec.onState, Backoff: Backoff{Initial: time.Hour}})
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	stop := runStream(t, s, rec)
	down := rec.waitState(t, "disconnected", is(StateDisconnected))
	took := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, down.Err, ErrFrameTooLarge)
	assert.Less(t, took, 5*time.Second)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated while refusing the message")
	_, _ = stop()
	_, _, frames, _ := rec.snapshot()
	assert.Empty(t, frames)
}

// TestEventStreamFrameCopies: each delivered frame has its own memory,
// whether it fitted the scratch buffer or not (Frame.Data may be kept).
func TestEventStreamFrameCopies(t *testing.T) {
	sizes := []int{2, 100, frameScratch - 1, frameScratch, frameScratch + 1, 5 * frameScratch, 100, 2}
	ws := newWSServer(t, nil, func(k int, c *websocket.Conn) {
		for i, n := range sizes {
			b := bytes.Repeat([]byte{byte('a' + i)}, n)
			c.WriteMessage(websocket.BinaryMessage, b)
		}
		drain(c)
	})
	client := newTestClient(t, ws.srv, Config{})
	rec := newRecorder()
	s := client.EventStream(EventStreamConfig{Apps: []string{"a"}, OnState: rec.onState})
	stop := runStream(t, s, rec)
	require.Eventually(t, func() bool { _, _, f, _ := rec.snapshot(); return len(f) == len(sizes) }, 10*time.Second, time.Millisecond)
	_, _ = stop()
	_, _, frames, _ := rec.snapshot()
	for i, n := range sizes {
		assert.Equal(t, bytes.Repeat([]byte{byte('a' + i)}, n), frames[i].Data, "frame %d", i)
	}
}
