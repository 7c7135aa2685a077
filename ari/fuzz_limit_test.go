package ari

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// FuzzReplyLimit drives Client.Do with any reply body, limit and way of
// sending (with Content-Length or chunked, split anywhere): a body over
// MaxReplySize fails with ErrReplyTooLarge without reaching the decoder,
// an empty or null one with ErrEmptyReply, and any other reaches the
// decoder byte for byte.
func FuzzReplyLimit(f *testing.F) {
	f.Add([]byte(`{"id":"a"}`), uint16(100), false, uint16(3))
	f.Add([]byte(`{"id":"a"}`), uint16(9), true, uint16(5))
	f.Add([]byte(`{"id":"a"}`), uint16(10), true, uint16(0))
	f.Add([]byte(" null\n"), uint16(10), false, uint16(2))
	f.Add([]byte(""), uint16(1), true, uint16(0))
	f.Add(bytes.Repeat([]byte("a"), 5000), uint16(4096), true, uint16(4095))

	var (
		mu      sync.Mutex
		body    []byte
		chunked bool
		split   int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, ch, sp := body, chunked, split
		mu.Unlock()
		if !ch {
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		}
		w.WriteHeader(http.StatusOK)
		w.Write(b[:sp])
		w.(http.Flusher).Flush()
		w.Write(b[sp:])
	}))
	defer srv.Close()
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer hc.CloseIdleConnections()
	op := testOp("GET", "channels", "get", "/channels/{channelId}")

	f.Fuzz(func(t *testing.T, b []byte, lim uint16, ch bool, sp uint16) {
		limit := int64(lim%8192) + 1
		mu.Lock()
		body, chunked = b, ch
		split = 0
		if len(b) > 0 {
			split = int(sp) % (len(b) + 1)
		}
		mu.Unlock()
		c, err := NewClient(Config{URL: srv.URL, HTTPClient: hc, MaxReplySize: limit, Version: "22.10.1"})
		if err != nil {
			t.Fatal(err)
		}
		var raw rawCapture
		err = c.Do(context.Background(), &Request{Op: op, Path: "/channels/x"}, &raw)
		switch {
		case int64(len(b)) > limit:
			if !errors.Is(err, ErrReplyTooLarge) {
				t.Fatalf("%d bytes over a limit of %d: got %v", len(b), limit, err)
			}
			if raw.got != nil {
				t.Fatal("the decoder got a reply over the limit")
			}
		case isEmptyJSON(b):
			if !errors.Is(err, ErrEmptyReply) {
				t.Fatalf("empty reply %q: got %v", b, err)
			}
		default:
			if err != nil {
				t.Fatalf("%d bytes under a limit of %d: %v", len(b), limit, err)
			}
			if !bytes.Equal(raw.got, b) {
				t.Fatalf("decoder got %q, want %q", raw.got, b)
			}
		}
	})
}

// FuzzFrameLimit drives an EventStream with any sequence of messages,
// each split into fragments (with pings between them), against any
// MaxFrameSize: messages up to the limit are delivered whole and in order;
// the first one over it ends the connection with ErrFrameTooLarge, and
// nothing after it is delivered.
//
// The script is read three bytes per message: flags (bits 0-1: fragments
// - 1; bit 2: binary; bit 3: a ping between fragments) and a big-endian
// length (modulo 4096).
func FuzzFrameLimit(f *testing.F) {
	f.Add(uint16(100), []byte{0, 0, 10, 1, 0, 100, 3, 0, 101, 0, 0, 1})
	f.Add(uint16(1), []byte{0, 0, 0, 0, 0, 1, 0, 0, 2})
	f.Add(uint16(4095), []byte{15, 15, 255, 0, 0, 3})
	f.Add(uint16(300), []byte{11, 1, 44, 11, 1, 45})

	var (
		mu     sync.Mutex
		script []byte
	)
	up := websocket.Upgrader{Subprotocols: []string{"ari"}}
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		wg.Add(1)
		defer wg.Done()
		defer c.Close()
		mu.Lock()
		s := script
		mu.Unlock()
		var out []byte
		for _, m := range parseScript(s) {
			out = appendMessage(out, m)
		}
		c.UnderlyingConn().Write(out)
		// Wait for the client to hang up (after a refused message, or
		// after reading everything and seeing the close below).
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}))
	defer func() { srv.Close(); wg.Wait() }()
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer hc.CloseIdleConnections()
	client, err := NewClient(Config{URL: srv.URL, HTTPClient: hc})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, lim uint16, s []byte) {
		limit := int64(lim%4096) + 1
		mu.Lock()
		script = s
		mu.Unlock()
		msgs := parseScript(s)

		var got [][]byte
		stream := client.EventStream(EventStreamConfig{Apps: []string{"a"}, MaxFrameSize: limit, MaxAttempts: 1, StableAfter: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := stream.Run(ctx, func(fr Frame) {
			if int64(len(fr.Data)) > limit {
				t.Fatalf("a frame of %d bytes passed a limit of %d", len(fr.Data), limit)
			}
			got = append(got, fr.Data)
		})
		if ctx.Err() != nil {
			t.Fatal("Run did not end")
		}
		want := 0
		tooLarge := false
		for _, m := range msgs {
			if int64(m.size) > limit {
				tooLarge = true
				break
			}
			want++
		}
		if len(got) != want {
			t.Fatalf("delivered %d messages, want %d (limit %d, err %v)", len(got), want, limit, err)
		}
		for i := range got {
			if !bytes.Equal(got[i], msgs[i].payload()) {
				t.Fatalf("message %d: got %d bytes, want %d", i, len(got[i]), msgs[i].size)
			}
		}
		if tooLarge != errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("limit %d, a message over it: %v; Run: %v", limit, tooLarge, err)
		}
		if st := stream.Stats(); st.Frames != uint64(want) || (st.FramesTooLarge == 1) != tooLarge {
			t.Fatalf("stats %+v, want %d frames, too large %v", st, want, tooLarge)
		}
	})
}

// scriptMessage is one message of a FuzzFrameLimit script.
type scriptMessage struct {
	size   int
	frags  int
	binary bool
	ping   bool
	fill   byte
}

func (m scriptMessage) payload() []byte { return bytes.Repeat([]byte{m.fill}, m.size) }

func parseScript(s []byte) []scriptMessage {
	var out []scriptMessage
	for i := 0; i+3 <= len(s) && len(out) < 64; i += 3 {
		out = append(out, scriptMessage{
			size:   int(binary.BigEndian.Uint16(s[i+1:])) % 4096,
			frags:  int(s[i]&3) + 1,
			binary: s[i]&4 != 0,
			ping:   s[i]&8 != 0,
			fill:   byte('a' + len(out)%26),
		})
	}
	return out
}

// appendMessage appends m's frames, unmasked (server to client).
func appendMessage(b []byte, m scriptMessage) []byte {
	p := m.payload()
	n := m.frags
	for i := range n {
		part := p[len(p)*i/n : len(p)*(i+1)/n]
		op := byte(0) // continuation
		if i == 0 {
			op = 1 // text
			if m.binary {
				op = 2
			}
		}
		if i == n-1 {
			op |= 0x80
		}
		b = appendFrame(b, op, part)
		if m.ping && i < n-1 {
			b = appendFrame(b, 0x89, []byte("p"))
		}
	}
	return b
}

func appendFrame(b []byte, op byte, p []byte) []byte {
	b = append(b, op)
	switch n := len(p); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, p...)
}
