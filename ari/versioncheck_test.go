package ari

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// versionServer is a fake Asterisk that reports version and counts the
// discovery requests and the other calls.
type versionServer struct {
	version   atomic.Pointer[string]
	infoFail  atomic.Int32 // status to answer /asterisk/info with, 0 = ok
	infoDelay time.Duration
	infos     atomic.Int32
	calls     atomic.Int32
}

func (vs *versionServer) handler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ari/asterisk/info" {
		vs.infos.Add(1)
		if r.URL.RawQuery != "only=system" {
			http.Error(w, "want only=system", http.StatusBadRequest)
			return
		}
		if vs.infoDelay > 0 {
			time.Sleep(vs.infoDelay)
		}
		if st := vs.infoFail.Load(); st != 0 {
			w.WriteHeader(int(st))
			io.WriteString(w, `{"message":"Write access denied"}`)
			return
		}
		io.WriteString(w, `{"system":{"version":"`+*vs.version.Load()+`","entity_id":"02:fc:00:00:00:01"}}`)
		return
	}
	vs.calls.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

func newVersionServer(t *testing.T, version string) (*versionServer, string) {
	t.Helper()
	vs := &versionServer{}
	vs.version.Store(&version)
	srv := newServer(t, vs.handler)
	return vs, srv.URL
}

// knownLines returns the known releases of the given lines; it skips the
// test when one of them is not known to this build.
func knownLines(t *testing.T, majors ...int) []Version {
	t.Helper()
	var out []Version
	for _, m := range majors {
		found := false
		for _, r := range knownReleases {
			if r.Major == m {
				out = append(out, r)
				found = true
			}
		}
		if !found {
			t.Skipf("release line %d is not known to this build", m)
		}
	}
	return out
}

// progressOp is like channels.progress: 20.16+, 21.11+, 22.6+, 23.
func progressOp(t *testing.T) *Operation {
	return &Operation{
		Resource: "channels", Nickname: "progress", Method: "POST", Path: "/channels/{channelId}/progress",
		Availability: Availability{Releases: knownLines(t, 20, 21, 22, 23), Since: []Version{{20, 16, 0}, {21, 11, 0}, {22, 6, 0}}},
	}
}

func TestGateUniversalNeverDiscovers(t *testing.T) {
	vs, url := newVersionServer(t, "22.10.1")
	c := newTestClient(t, nil, Config{URL: url})
	op := testOp("GET", "channels", "list", "/channels")
	op.Params = []Param{{Name: "x", In: "query", Availability: universal()}}
	for range 3 {
		require.NoError(t, c.Do(context.Background(), &Request{Op: op, Path: "/channels"}, nil))
	}
	ok, err := c.Supports(context.Background(), op)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Zero(t, vs.infos.Load())
	assert.Equal(t, int32(3), vs.calls.Load())
}

func TestGateZeroAvailability(t *testing.T) {
	vs, url := newVersionServer(t, "16.30.1")
	c := newTestClient(t, nil, Config{URL: url})
	op := &Operation{Resource: "custom", Nickname: "thing", Method: "GET", Path: "/thing", Params: []Param{{Name: "x", In: "query"}}}
	require.NoError(t, c.Do(context.Background(), &Request{Op: op, Path: "/thing", Query: "x=1"}, nil))
	ok, err := c.Supports(context.Background(), op)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Zero(t, vs.infos.Load())
}

func TestGateRefusesUnsupported(t *testing.T) {
	vs, url := newVersionServer(t, "22.3.0")
	c := newTestClient(t, nil, Config{URL: url})
	op := progressOp(t)
	err := c.Do(context.Background(), &Request{Op: op, Path: "/channels/c1/progress"}, nil)
	require.ErrorIs(t, err, ErrUnsupported)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, Version{22, 3, 0}, e.Version)
	assert.Zero(t, e.Status)
	assert.Equal(t, "channels.progress", e.Op)
	assert.Equal(t, "/channels/c1/progress", e.Path)
	assert.Equal(t, "ari: channels.progress POST /channels/c1/progress: Asterisk 22.3.0 does not have channels.progress; it is in Asterisk 20.20.1, 21.12.3, 22.10.1, 23.4.1 (since 20.16.0, 21.11.0, 22.6.0)", err.Error())
	assert.Zero(t, vs.calls.Load(), "the request is not sent")

	// Open is gated alike; the version is learned once.
	_, err = c.Open(context.Background(), &Request{Op: op, Path: "/channels/c1/progress"})
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Equal(t, int32(1), vs.infos.Load())

	ok, err := c.Supports(context.Background(), op)
	require.NoError(t, err)
	assert.False(t, ok)
	v, err := c.Version(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Version{22, 3, 0}, v)
}

func TestGateAllowsSupported(t *testing.T) {
	vs, url := newVersionServer(t, "22.10.1")
	c := newTestClient(t, nil, Config{URL: url})
	require.NoError(t, c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil))
	assert.Equal(t, int32(1), vs.calls.Load())
	assert.Equal(t, int32(1), vs.infos.Load())
	ok, err := c.Supports(context.Background(), progressOp(t))
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestGateParams(t *testing.T) {
	vs, url := newVersionServer(t, "16.30.1")
	c := newTestClient(t, nil, Config{URL: url})
	op := testOp("DELETE", "channels", "hangup", "/channels/{channelId}")
	op.Params = []Param{
		{Name: "reason", In: "query", Availability: universal()},
		{Name: "reason_code", In: "query", Availability: Availability{Releases: knownLines(t, 18, 20, 21, 22, 23)}},
	}
	// Without the gated parameter: no discovery at all.
	require.NoError(t, c.Do(context.Background(), &Request{Op: op, Path: "/channels/c1", Query: "reason=busy"}, nil))
	assert.Zero(t, vs.infos.Load())
	// With it: refused on 16.
	err := c.Do(context.Background(), &Request{Op: op, Path: "/channels/c1", Query: "reason=busy&reason_code=17"}, nil)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), `does not accept parameter "reason_code" of channels.hangup`)
	assert.Equal(t, int32(1), vs.calls.Load())

	// A release that has it: sent.
	c22 := newTestClient(t, nil, Config{URL: url, Version: "22.10.1"})
	require.NoError(t, c22.Do(context.Background(), &Request{Op: op, Path: "/channels/c1", Query: "reason_code=17"}, nil))
	assert.Equal(t, int32(2), vs.calls.Load())

	// A body parameter is sent when the body is set.
	bop := testOp("POST", "channels", "originate", "/channels")
	bop.Params = []Param{
		{Name: "endpoint", In: "query"},
		{Name: "variables", In: "body", Availability: Availability{Releases: knownLines(t, 20, 21, 22, 23)}},
	}
	require.NoError(t, c.Do(context.Background(), &Request{Op: bop, Path: "/channels", Query: "endpoint=PJSIP%2Falice"}, nil))
	err = c.Do(context.Background(), &Request{Op: bop, Path: "/channels", Body: map[string]any{"variables": map[string]string{"A": "1"}}}, nil)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), `does not accept parameter "variables" of channels.originate`)
	assert.Equal(t, int32(3), vs.calls.Load())
}

func TestGateConfigVersion(t *testing.T) {
	vs, url := newVersionServer(t, "23.4.1")
	c := newTestClient(t, nil, Config{URL: url, Version: "22.3.0"})
	err := c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Zero(t, vs.infos.Load(), "Config.Version skips discovery")
	v, err := c.Version(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Version{22, 3, 0}, v)
}

func TestGateOff(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		server    string
		wantInfos int32
	}{
		{"DisableVersionCheck", Config{DisableVersionCheck: true}, "16.30.1", 0},
		{"development build", Config{}, "GIT-master-abc123", 1},
		{"development build in Config", Config{Version: "GIT-master-abc123"}, "16.30.1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, url := newVersionServer(t, tt.server)
			tt.cfg.URL = url
			c := newTestClient(t, nil, tt.cfg)
			for range 2 {
				require.NoError(t, c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil))
			}
			assert.Equal(t, int32(2), vs.calls.Load())
			assert.Equal(t, tt.wantInfos, vs.infos.Load())
		})
	}
}

func TestGateDiscoveryHTTPError(t *testing.T) {
	vs, url := newVersionServer(t, "16.30.1")
	vs.infoFail.Store(http.StatusForbidden)
	c := newTestClient(t, nil, Config{URL: url})
	// Asterisk answered, but not with its version: the call goes out
	// unchecked, and the failure is not remembered.
	require.NoError(t, c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil))
	require.NoError(t, c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil))
	assert.Equal(t, int32(2), vs.calls.Load())
	assert.Equal(t, int32(2), vs.infos.Load())
	_, err := c.Version(context.Background())
	require.ErrorIs(t, err, ErrForbidden)
	_, err = c.Supports(context.Background(), progressOp(t))
	require.ErrorIs(t, err, ErrForbidden)

	// Once discovery works, the call is checked.
	vs.infoFail.Store(0)
	err = c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil)
	require.ErrorIs(t, err, ErrUnsupported)
}

func TestGateDiscoveryTransportError(t *testing.T) {
	c, err := NewClient(Config{URL: "http://" + closedAddr(t)})
	require.NoError(t, err)
	err = c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrUnsupported)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "channels.progress", e.Op)
	assert.Contains(t, err.Error(), "learning the Asterisk version")
	assert.Contains(t, err.Error(), "connect")
}

func TestVersionDiscoveredOnce(t *testing.T) {
	vs, url := newVersionServer(t, "22.10.1")
	vs.infoDelay = 50 * time.Millisecond
	c := newTestClient(t, nil, Config{URL: url})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			errs <- c.Do(context.Background(), &Request{Op: progressOp(t), Path: "/channels/c1/progress"}, nil)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), vs.infos.Load())
	assert.Equal(t, int32(20), vs.calls.Load())
}

// TestVersionLeaderCancelled checks that a caller waiting on another's
// discovery retries when that caller's context ends, rather than failing.
func TestVersionLeaderCancelled(t *testing.T) {
	vs, url := newVersionServer(t, "22.10.1")
	vs.infoDelay = 100 * time.Millisecond
	c := newTestClient(t, nil, Config{URL: url})
	leaderCtx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	leaderErr := make(chan error, 1)
	go func() {
		_, err := c.Version(leaderCtx)
		leaderErr <- err
	}()
	// Wait until the leader's request is in flight.
	require.Eventually(t, func() bool { return vs.infos.Load() == 1 }, 5*time.Second, time.Millisecond)
	v, err := c.Version(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Version{22, 10, 1}, v)
	assert.ErrorIs(t, <-leaderErr, context.DeadlineExceeded)
	assert.Equal(t, int32(2), vs.infos.Load())

	// A waiter whose own context ends stops waiting.
	c2 := newTestClient(t, nil, Config{URL: url})
	go func() { _, _ = c2.Version(context.Background()) }()
	require.Eventually(t, func() bool { return vs.infos.Load() == 3 }, 5*time.Second, time.Millisecond)
	ctx, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	_, err = c2.Version(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = c2.Version(context.Background())
	require.NoError(t, err)
}
