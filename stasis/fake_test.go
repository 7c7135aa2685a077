package stasis

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
)

// fakeAsterisk is a minimal ARI server for runtime tests: an events
// websocket the test writes frames to, and REST handlers the test sets.
// (End-to-end tests against the full simulated Asterisk live in
// e2e_test.go.)
type fakeAsterisk struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	conns    []*websocket.Conn
	connApps []string
	connect  chan string // app list of each new websocket
	refuse   int         // refuse the next n upgrades
	attempts int
	rest     map[string]http.HandlerFunc // "METHOD /path" -> handler
	requests []string
}

func newFakeAsterisk(t testing.TB) *fakeAsterisk {
	f := &fakeAsterisk{t: t, connect: make(chan string, 64), rest: map[string]http.HandlerFunc{}}
	up := websocket.Upgrader{Subprotocols: []string{"ari"}}
	mux := http.NewServeMux()
	mux.HandleFunc("/ari/events", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.attempts++
		if f.refuse > 0 {
			f.refuse--
			f.mu.Unlock()
			http.Error(w, "refused", http.StatusServiceUnavailable)
			return
		}
		f.mu.Unlock()
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.connApps = append(f.connApps, r.URL.Query().Get("app"))
		f.mu.Unlock()
		f.connect <- r.URL.Query().Get("app")
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	})
	mux.HandleFunc("/ari/", func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/ari")
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, key+"?"+r.URL.RawQuery+" "+string(body))
		h := f.rest[key]
		if h == nil {
			for pattern, hh := range f.rest {
				if strings.HasSuffix(pattern, "*") && strings.HasPrefix(key, strings.TrimSuffix(pattern, "*")) {
					h = hh
				}
			}
		}
		f.mu.Unlock()
		if h == nil {
			w.Header().Set("Content-Type", "application/json")
			if r.Method == http.MethodGet {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"message":"Resource not found"}`))
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.close)
	return f
}

func (f *fakeAsterisk) close() {
	f.mu.Lock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	f.srv.Close()
}

// client returns an ari.Client for the fake with fast reconnects.
func (f *fakeAsterisk) client() *ari.Client {
	c, err := ari.NewClient(ari.Config{URL: f.srv.URL, Username: "asterisk", Password: "asterisk", Version: "22.10.1"})
	require.NoError(f.t, err)
	return c
}

// handle sets the REST handler of "METHOD /path" (a trailing * matches a
// prefix).
func (f *fakeAsterisk) handle(key string, h http.HandlerFunc) {
	f.mu.Lock()
	f.rest[key] = h
	f.mu.Unlock()
}

// handleJSON answers "METHOD /path" with status and body.
func (f *fakeAsterisk) handleJSON(key string, status int, body string) {
	f.handle(key, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

// waitConnected waits for the next websocket connection.
func (f *fakeAsterisk) waitConnected() string {
	f.t.Helper()
	select {
	case apps := <-f.connect:
		return apps
	case <-time.After(5 * time.Second):
		f.t.Fatal("no websocket connection")
	}
	return ""
}

// send writes frames to the newest websocket, in order.
func (f *fakeAsterisk) send(frames ...string) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(f.t, f.conns, "no websocket to send to")
	c := f.conns[len(f.conns)-1]
	for _, fr := range frames {
		require.NoError(f.t, c.WriteMessage(websocket.TextMessage, []byte(fr)))
	}
}

// sendOn writes frames to the i-th websocket accepted.
func (f *fakeAsterisk) sendOn(i int, frames ...string) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Less(f.t, i, len(f.conns))
	for _, fr := range frames {
		require.NoError(f.t, f.conns[i].WriteMessage(websocket.TextMessage, []byte(fr)))
	}
}

// drop closes every websocket.
func (f *fakeAsterisk) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
}

func (f *fakeAsterisk) requestLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// ev builds an event frame of type typ for app with the given members.
func ev(typ, app string, members map[string]any) string {
	m := map[string]any{"type": typ, "application": app, "timestamp": "2026-11-25T19:41:00.885+0000", "asterisk_id": "02:fc:00:00:00:01"}
	for k, v := range members {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// channel is a Channel object with id and extension.
func channel(id string) map[string]any {
	return map[string]any{
		"id": id, "name": "PJSIP/" + id, "state": "Up", "protocol_id": "",
		"caller":       map[string]any{"name": "Alice", "number": "1001"},
		"connected":    map[string]any{"name": "", "number": ""},
		"accountcode":  "",
		"dialplan":     map[string]any{"context": "default", "exten": "100", "priority": 1, "app_name": "Stasis", "app_data": "app"},
		"creationtime": "2026-11-25T19:41:00.885+0000", "language": "en",
	}
}

func stasisStart(app, id string, args ...string) string {
	if args == nil {
		args = []string{}
	}
	return ev("StasisStart", app, map[string]any{"channel": channel(id), "args": args})
}

func stasisEnd(app, id string) string {
	return ev("StasisEnd", app, map[string]any{"channel": channel(id)})
}

func dtmf(app, id, digit string) string {
	return ev("ChannelDtmfReceived", app, map[string]any{"channel": channel(id), "digit": digit, "duration_ms": 100})
}
