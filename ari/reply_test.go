package ari

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDoEmptyOrNullReply: a 200 with an empty or null body to an
// operation that returns a model (channels.get) fails with ErrEmptyReply
// instead of giving a zero Channel and a nil error.
func TestDoEmptyOrNullReply(t *testing.T) {
	bodies := map[string]string{
		"empty":      "",
		"null":       "null",
		"spaced":     " \r\n\tnull \n",
		"whitespace": "\n\n",
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ari/channels/nocontent" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		body := bodies[strings.TrimPrefix(r.URL.Path, "/ari/channels/")]
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, body)
		w.(http.Flusher).Flush()
	})
	c := newTestClient(t, srv, Config{})
	op := testOp("GET", "channels", "get", "/channels/{channelId}")
	ctx := context.Background()
	for name := range bodies {
		for _, q := range []string{"", "chunked=1"} {
			t.Run(name+q, func(t *testing.T) {
				var ch Channel
				err := c.Do(ctx, &Request{Op: op, Path: "/channels/" + name, Query: q}, &ch)
				require.ErrorIs(t, err, ErrEmptyReply)
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, 200, e.Status)
				assert.Equal(t, "channels.get", e.Op)
				assert.Equal(t, "ari: channels.get GET /channels/"+name+": 200 OK: ari: empty or null reply where a result was expected", err.Error())

				var list []Channel
				require.ErrorIs(t, c.Do(ctx, &Request{Op: op, Path: "/channels/" + name, Query: q}, &list), ErrEmptyReply)
				var raw rawCapture
				require.ErrorIs(t, c.Do(ctx, &Request{Op: op, Path: "/channels/" + name, Query: q}, &raw), ErrEmptyReply)
				assert.Nil(t, raw.got, "the decoder is not called")
			})
		}
	}
	// A 204 to a call that expects a result is just as empty; with a nil
	// out it is fine.
	require.ErrorIs(t, c.Do(ctx, &Request{Op: op, Path: "/channels/nocontent"}, &Channel{}), ErrEmptyReply)
	require.NoError(t, c.Do(ctx, &Request{Op: op, Path: "/channels/nocontent"}, nil))
	require.NoError(t, c.Do(ctx, &Request{Op: op, Path: "/channels/null"}, nil))
}

// TestDoReplyLimit: a reply over Config.MaxReplySize fails with
// ErrReplyTooLarge, whether Content-Length announces it or not, and one at
// the limit is decoded.
func TestDoReplyLimit(t *testing.T) {
	const limit = 1000
	reply := func(n int) string { // a JSON string of n bytes
		return `"` + strings.Repeat("a", n-2) + `"`
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		body := reply(n)
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		// Two writes, so that a chunked reply arrives in pieces.
		io.WriteString(w, body[:n/2])
		w.(http.Flusher).Flush()
		io.WriteString(w, body[n/2:])
	})
	c := newTestClient(t, srv, Config{MaxReplySize: limit})
	op := testOp("GET", "sounds", "list", "/sounds")
	ctx := context.Background()
	for _, chunked := range []string{"", "1"} {
		for _, n := range []int{2, 10, limit - 1, limit} {
			var raw rawCapture
			q := "n=" + strconv.Itoa(n) + "&chunked=" + chunked
			require.NoError(t, c.Do(ctx, &Request{Op: op, Path: "/sounds", Query: q}, &raw), q)
			assert.Equal(t, reply(n), string(raw.got), q)
		}
		for _, n := range []int{limit + 1, 3 * limit} {
			var raw rawCapture
			q := "n=" + strconv.Itoa(n) + "&chunked=" + chunked
			err := c.Do(ctx, &Request{Op: op, Path: "/sounds", Query: q}, &raw)
			require.ErrorIs(t, err, ErrReplyTooLarge, q)
			assert.Equal(t, 200, StatusCode(err))
			assert.Nil(t, raw.got, "the decoder is not called")
			assert.Contains(t, err.Error(), "ari: sounds.list GET /sounds: 200 OK: ari: reply larger than Config.MaxReplySize (1000 bytes)")
		}
	}
}

// TestDoReplyLimitDefault: with the default limit, a reply that announces
// 1 GiB fails at once, before its body is read, and one that streams
// without end fails once the limit is passed. Before the limit existed the
// first call waited for the whole body and the second never ended.
func TestDoReplyLimitDefault(t *testing.T) {
	var streamed int64
	done := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ari/announced":
			w.Header().Set("Content-Length", strconv.Itoa(1<<30))
			io.WriteString(w, `"aaaa`)
			w.(http.Flusher).Flush()
			select { // the rest never comes
			case <-r.Context().Done():
			case <-done:
			}
		case "/ari/endless":
			chunk := []byte(strings.Repeat("a", 64<<10))
			io.WriteString(w, `"`)
			for streamed < 2*DefaultMaxReplySize {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				streamed += int64(len(chunk))
			}
		}
	})
	t.Cleanup(func() { close(done) })
	c := newTestClient(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	var raw rawCapture
	start := time.Now()
	err := c.Do(ctx, &Request{Op: testOp("GET", "x", "announced", "/announced"), Path: "/announced"}, &raw)
	require.ErrorIs(t, err, ErrReplyTooLarge)
	assert.Less(t, time.Since(start), 5*time.Second)

	err = c.Do(ctx, &Request{Op: testOp("GET", "x", "endless", "/endless"), Path: "/endless"}, &raw)
	require.ErrorIs(t, err, ErrReplyTooLarge)
	assert.Contains(t, err.Error(), "(67108864 bytes)")
	assert.Nil(t, raw.got)
}

// TestDoErrorBodyDeadline: an error reply whose body is still arriving
// when the context's deadline passes keeps the deadline as its cause and
// does not pass the fragment off as Asterisk's message.
func TestDoErrorBodyDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"message":"aa`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	c := newTestClient(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := c.Do(ctx, &Request{Op: testOp("GET", "channels", "list", "/channels"), Path: "/channels"}, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 500, e.Status)
	assert.Empty(t, e.Message)
	assert.NotContains(t, err.Error(), `"aa`)
	assert.Equal(t, "ari: channels.list GET /channels: 500 Internal Server Error: reading the error reply: context deadline exceeded", err.Error())

	// A complete error body is still Asterisk's message.
	srv2 := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"message":"Allocation failed"}`)
	})
	err = newTestClient(t, srv2, Config{}).Do(context.Background(), &Request{Op: testOp("GET", "channels", "list", "/channels"), Path: "/channels"}, nil)
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "Allocation failed", e.Message)
	assert.NoError(t, e.Err)
}
