package ari

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redirectTarget is a server that records the Authorization header of
// every request it gets.
type redirectTarget struct {
	srv  *httptest.Server
	mu   sync.Mutex
	auth []string
}

func newRedirectTarget(t *testing.T, addr string) *redirectTarget {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	rt := &redirectTarget{}
	rt.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.mu.Lock()
		rt.auth = append(rt.auth, r.Header.Get("Authorization"))
		rt.mu.Unlock()
		w.Write([]byte(`{"id":"stolen"}`))
	}))
	rt.srv.Listener.Close()
	rt.srv.Listener = l
	rt.srv.Start()
	t.Cleanup(rt.srv.Close)
	return rt
}

func (rt *redirectTarget) requests() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.auth...)
}

// TestRedirectRefused: the default client does not follow a redirect, not
// to the same host on another port (where Go's client would resend the
// Authorization header) nor to another host; the call fails with
// ErrRedirect and the target sees nothing.
func TestRedirectRefused(t *testing.T) {
	targets := map[string]*redirectTarget{
		"same host, other port": newRedirectTarget(t, "127.0.0.1:0"),
	}
	if l, err := net.Listen("tcp", "127.0.0.2:0"); err == nil {
		l.Close()
		targets["other host"] = newRedirectTarget(t, "127.0.0.2:0")
	}
	for name, target := range targets {
		for _, code := range []int{301, 302, 303, 307, 308} {
			t.Run(name+" "+strconv.Itoa(code), func(t *testing.T) {
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target.srv.URL+r.URL.RequestURI(), code)
				})
				c := newTestClient(t, srv, Config{})
				op := testOp("GET", "channels", "get", "/channels/{channelId}")
				var ch Channel
				err := c.Do(context.Background(), &Request{Op: op, Path: "/channels/x"}, &ch)
				require.ErrorIs(t, err, ErrRedirect)
				assert.Equal(t, code, StatusCode(err))
				assert.Empty(t, ch.ID)
				require.ErrorIs(t, c.Do(context.Background(), &Request{Op: op, Path: "/channels/x"}, nil), ErrRedirect)
				_, err = c.Open(context.Background(), &Request{Op: op, Path: "/channels/x"})
				require.ErrorIs(t, err, ErrRedirect)
				assert.Empty(t, target.requests(), "the redirect was followed")
			})
		}
	}
}

// TestRedirectUserClient: a Config.HTTPClient without a redirect policy
// refuses redirects too (through a copy; the caller's client is not
// changed); one with its own policy keeps it.
func TestRedirectUserClient(t *testing.T) {
	target := newRedirectTarget(t, "127.0.0.1:0")
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.srv.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	op := testOp("GET", "channels", "get", "/channels/{channelId}")

	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(hc.CloseIdleConnections)
	c := newTestClient(t, srv, Config{HTTPClient: hc})
	require.ErrorIs(t, c.Do(context.Background(), &Request{Op: op, Path: "/channels/x"}, nil), ErrRedirect)
	assert.Nil(t, hc.CheckRedirect, "the caller's client is unchanged")
	assert.Empty(t, target.requests())

	followed := 0
	hc2 := &http.Client{
		Transport: hc.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			followed++
			return nil
		},
	}
	c = newTestClient(t, srv, Config{HTTPClient: hc2})
	var ch Channel
	require.NoError(t, c.Do(context.Background(), &Request{Op: op, Path: "/channels/x"}, &ch))
	assert.Equal(t, 1, followed)
	assert.Equal(t, "stolen", ch.ID)
}
