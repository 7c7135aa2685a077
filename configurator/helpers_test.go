package configurator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/configurator"
	"gostasis.dev/internal/syncbuf"
)

// request is one HTTP request as the simulated Asterisk received it.
type request struct {
	Method, Path, Body string
}

func (r request) String() string {
	if r.Body == "" {
		return r.Method + " " + r.Path
	}
	return r.Method + " " + r.Path + " " + r.Body
}

// recorder is an http.RoundTripper that records every request.
type recorder struct {
	next *http.Transport
	mu   sync.Mutex
	reqs []request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, request{req.Method, strings.TrimPrefix(req.URL.RequestURI(), "/ari"), canonicalJSON(body)})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// canonicalJSON re-encodes a JSON body without HTML escaping (the client
// writes "<" as "\u003c"), so that tests can spell bodies plainly.
func canonicalJSON(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return string(body)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

// take returns the requests recorded since the last take.
func (r *recorder) take() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// env is a simulated Asterisk and an ARI client whose requests are
// recorded.
type env struct {
	t      *testing.T
	srv    *aritest.Server
	rec    *recorder
	client *ari.Client
	logs   *logBuffer
}

func newEnv(t *testing.T, users ...aritest.User) *env {
	t.Helper()
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: users})
	user := srv.Config().Users[0]
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	rec := &recorder{next: tr}
	logs := &logBuffer{}
	client, err := ari.NewClient(ari.Config{
		URL: srv.URL, Username: user.Name, Password: user.Password,
		HTTPClient: &http.Client{Transport: rec},
		Version:    "22.10.1", // no discovery request
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, err)
	return &env{t: t, srv: srv, rec: rec, client: client, logs: logs}
}

// configurator returns a Configurator over the env's client.
func (e *env) configurator(cfg configurator.Config) *configurator.Configurator {
	e.t.Helper()
	cfg.Client = e.client
	c, err := configurator.New(cfg)
	require.NoError(e.t, err)
	return c
}

// expect asserts the requests made since the last call.
func (e *env) expect(want ...string) {
	e.t.Helper()
	got := e.rec.take()
	gs := make([]string, len(got))
	for i, r := range got {
		gs[i] = r.String()
	}
	if want == nil {
		want = []string{}
	}
	assert.Equal(e.t, want, gs)
}

// object returns an object's fields as the simulator holds them.
func (e *env) object(class, typ, id string) map[string]string {
	e.t.Helper()
	tuples, err := e.srv.Resources().Asterisk.GetObject(ctx(e.t), class, typ, id)
	require.NoError(e.t, err)
	out := map[string]string{}
	for _, tu := range tuples {
		if v, ok := out[tu.Attribute]; ok {
			out[tu.Attribute] = v + "," + tu.Value
		} else {
			out[tu.Attribute] = tu.Value
		}
	}
	return out
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// logBuffer collects log output written concurrently.
type logBuffer = syncbuf.Buffer
