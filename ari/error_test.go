package ari

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is one line of the captured REST replies.
type fixture struct {
	Request string `json:"request"` // "METHOD /path?query (user ...)"
	Status  int    `json:"status"`
	Body    string `json:"body"`
}

// loadFixtures reads the real Asterisk 22.10.1 replies copied unchanged
// into testdata/responses.jsonl (see testdata/README.md).
func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "responses.jsonl"))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	var out []fixture
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var fx fixture
		require.NoError(t, json.Unmarshal(sc.Bytes(), &fx))
		out = append(out, fx)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// TestFixtureErrors replays every error reply Asterisk 22.10.1 gave and
// checks its sentinel, status and verbatim message.
func TestFixtureErrors(t *testing.T) {
	fixtures := loadFixtures(t)
	sentinels := map[int]error{
		400: ErrBadRequest, 401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound,
		409: ErrConflict, 412: ErrInvalidState, 422: ErrUnprocessable,
		501: ErrNotImplemented, 503: ErrUnavailable,
	}
	n := 0
	for _, fx := range fixtures {
		if fx.Status < 300 {
			continue
		}
		n++
		method, rest, _ := strings.Cut(fx.Request, " ")
		target, _, _ := strings.Cut(rest, " ")
		path, query, _ := strings.Cut(target, "?")
		t.Run(fx.Request, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(fx.Status)
				io.WriteString(w, fx.Body)
			})
			c := newTestClient(t, srv, Config{})
			op := testOp(method, "res", "op", path, ErrorResponse{Status: fx.Status, Reason: "declared reason"})
			err := c.Do(context.Background(), &Request{Op: op, Path: path, Query: query}, nil)
			require.Error(t, err)
			want, ok := sentinels[fx.Status]
			require.True(t, ok, "no sentinel for %d", fx.Status)
			assert.ErrorIs(t, err, want)
			for st, s := range sentinels {
				if st != fx.Status {
					assert.NotErrorIs(t, err, s)
				}
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			var body struct{ Message string }
			require.NoError(t, json.Unmarshal([]byte(fx.Body), &body))
			assert.Equal(t, body.Message, e.Message)
			assert.Equal(t, fx.Status, e.Status)
			assert.Equal(t, fx.Status, StatusCode(err))
			assert.Equal(t, method, e.Method)
			assert.Equal(t, path, e.Path)
			assert.Equal(t, "declared reason", e.Reason)
			assert.Nil(t, e.Err)
			assert.Equal(t, "ari: res.op "+method+" "+path+": "+strconv.Itoa(fx.Status)+" "+http.StatusText(fx.Status)+": "+body.Message, e.Error())
		})
	}
	assert.GreaterOrEqual(t, n, 10)
}

func TestErrorBodies(t *testing.T) {
	const html401 = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\r\n<html><head>\r\n<title>401 Unauthorized</title>\r\n</head><body>\r\n<h1>Unauthorized</h1>\r\n<p>Authentication Required</p>\r\n<hr />\r\n<address>Asterisk Server</address>\r\n</body></html>\r\n"
	big := strings.Repeat("y", maxErrorBody+5000)
	tests := []struct {
		name    string
		status  int
		body    string
		want    error
		message string
		text    string // substring of Error()
	}{
		{"html 401", 401, html401, ErrUnauthorized, strings.TrimSpace(html401), "401 Unauthorized: <!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\"> <html><head> <title>401 Unauthorized</title>"},
		{"412", 412, `{"message":"Channel in invalid state"}`, ErrInvalidState, "Channel in invalid state", "412 Precondition Failed: Channel in invalid state"},
		{"503 text", 503, "  starting up \n", ErrUnavailable, "starting up", "503 Service Unavailable: starting up"},
		{"500 no sentinel", 500, `{"message":"Allocation failed"}`, nil, "Allocation failed", "500 Internal Server Error: Allocation failed"},
		{"json without message", 400, `{"error":"x"}`, ErrBadRequest, `{"error":"x"}`, `400 Bad Request: {"error":"x"}`},
		{"empty body uses reason", 404, "", ErrNotFound, "", "404 Not Found: Channel not found."},
		{"oversized", 400, big, ErrBadRequest, big[:maxErrorBody], "400 Bad Request: yyyy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			c := newTestClient(t, srv, Config{})
			op := testOp("GET", "channels", "get", "/channels/{channelId}", ErrorResponse{Status: 404, Reason: "Channel not found."})
			err := c.Do(context.Background(), &Request{Op: op, Path: "/channels/x"}, nil)
			var e *Error
			require.ErrorAs(t, err, &e)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
			assert.Equal(t, tt.status, StatusCode(err))
			assert.Equal(t, tt.message, e.Message)
			assert.LessOrEqual(t, len(e.Message), maxErrorBody)
			assert.Contains(t, e.Error(), tt.text)
			assert.NotContains(t, e.Error(), "\n")
			assert.Less(t, len(e.Error()), maxErrorText+200)
		})
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    *Error
		want string
	}{
		{&Error{Op: "channels.get", Method: "GET", Path: "/channels/nosuch", Status: 404, Message: "Channel not found"},
			"ari: channels.get GET /channels/nosuch: 404 Not Found: Channel not found"},
		{&Error{Op: "channels.get", Method: "GET", Path: "/channels/x", Status: 404, Reason: "Channel not found."},
			"ari: channels.get GET /channels/x: 404 Not Found: Channel not found."},
		{&Error{Op: "channels.progress", Method: "POST", Path: "/channels/x/progress", Message: "Asterisk 22.3.0 does not have channels.progress", Err: ErrUnsupported},
			"ari: channels.progress POST /channels/x/progress: Asterisk 22.3.0 does not have channels.progress"},
		{&Error{Method: "GET", Path: "/x", Status: 599}, "ari: GET /x: 599"},
		{&Error{Method: "GET", Path: "/x"}, "ari: GET /x: failed"},
		{&Error{Method: "GET", Path: "/x", Err: errors.New("boom")}, "ari: GET /x: boom"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.e.Error())
	}
	e := &Error{Err: ErrUnsupported}
	assert.ErrorIs(t, e, ErrUnsupported)
	assert.ErrorIs(t, e, errors.ErrUnsupported)
	assert.NotErrorIs(t, e, ErrNotFound)
	assert.Zero(t, StatusCode(errors.New("x")))
	assert.Zero(t, StatusCode(nil))
}

func TestOneLine(t *testing.T) {
	assert.Equal(t, "a b c", oneLine("a\n  b\tc", 100))
	s := oneLine(strings.Repeat("é", 300), 101)
	assert.True(t, strings.HasSuffix(s, "..."))
	assert.True(t, len(s) <= 104)
	assert.True(t, strings.ToValidUTF8(s, "?") == s)
}

// slogTo returns a debug-level text logger writing to w under mu.
func slogTo(w io.Writer, mu *sync.Mutex) *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{w: w, mu: mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
