package ari

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test of the package leaves a goroutine behind
// (websocket readers, pingers, HTTP connections).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newTestClient returns a client for srv with cfg's other settings; idle
// connections are closed when the test ends.
func newTestClient(t testing.TB, srv *httptest.Server, cfg Config) *Client {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = srv.URL
	}
	if cfg.Username == "" && cfg.Password == "" {
		cfg.Username, cfg.Password = "asterisk", "s3cret-pass"
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(c.hc.CloseIdleConnections)
	return c
}

// newServer starts an httptest server closed when the test ends.
func newServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// universal is an Availability that every known release has.
func universal() Availability { return Availability{Releases: KnownReleases()} }

// testOp returns a universal operation.
func testOp(method, resource, nickname, path string, errs ...ErrorResponse) *Operation {
	return &Operation{Resource: resource, Nickname: nickname, Method: method, Path: path, Availability: universal(), Errors: errs}
}
