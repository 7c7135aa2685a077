package media_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// failingRecordings returns a client for srv through a proxy that turns
// every RecordingFinished into a RecordingFailed (cause "disk full"): the
// simulator never fails a recording by itself.
func failingRecordings(t *testing.T, srv *aritest.Server) *ari.Client {
	t.Helper()
	upstream, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rest := httputil.NewSingleHostReverseProxy(upstream)
	var wg sync.WaitGroup
	mux := http.NewServeMux()
	mux.Handle("/", rest)
	mux.HandleFunc("/ari/events", func(w http.ResponseWriter, r *http.Request) {
		u := *upstream
		u.Scheme = "ws"
		u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
		h := http.Header{"Authorization": r.Header.Values("Authorization")}
		up, resp, err := (&websocket.Dialer{Subprotocols: []string{"ari"}}).Dial(u.String(), h)
		if err != nil {
			status := http.StatusBadGateway
			if resp != nil {
				status = resp.StatusCode
			}
			http.Error(w, err.Error(), status)
			return
		}
		down, err := (&websocket.Upgrader{Subprotocols: []string{"ari"}}).Upgrade(w, r, nil)
		if err != nil {
			up.Close()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer down.Close()
			defer up.Close()
			go func() {
				// The client's frames (and its close) go upstream.
				for {
					kind, msg, err := down.ReadMessage()
					if err != nil {
						up.Close()
						return
					}
					_ = up.WriteMessage(kind, msg)
				}
			}()
			for {
				kind, msg, err := up.ReadMessage()
				if err != nil {
					return
				}
				if err := down.WriteMessage(kind, failRecording(msg)); err != nil {
					return
				}
			}
		}()
	})
	proxy := httptest.NewServer(mux)
	t.Cleanup(func() {
		proxy.CloseClientConnections()
		proxy.Close()
		wg.Wait()
	})
	cfg := srv.Config()
	cl, err := ari.NewClient(ari.Config{URL: proxy.URL, Username: cfg.Users[0].Name, Password: cfg.Users[0].Password, Version: cfg.Version})
	require.NoError(t, err)
	return cl
}

// failRecording rewrites a RecordingFinished frame as a RecordingFailed.
func failRecording(msg []byte) []byte {
	if !strings.Contains(string(msg), `"RecordingFinished"`) {
		return msg
	}
	var ev map[string]any
	if err := json.Unmarshal(msg, &ev); err != nil {
		return msg
	}
	rec, ok := ev["recording"].(map[string]any)
	if !ok {
		return msg
	}
	ev["type"] = "RecordingFailed"
	rec["state"] = "failed"
	rec["cause"] = "disk full"
	out, err := json.Marshal(ev)
	if err != nil {
		return msg
	}
	return out
}

// startThrough serves apps against srv through client cl.
func startThrough(t *testing.T, srv *aritest.Server, cl *ari.Client, apps ...stasis.App) {
	t.Helper()
	stasistest.Start(t, srv, stasistest.Options{Config: stasis.Config{Client: cl, Apps: apps}})
}
