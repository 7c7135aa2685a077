package natspeers_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/stasis/natspeers"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// natsServer is an embedded NATS server with JetStream, on a random port,
// storing in a directory of the test's.
type natsServer struct {
	t    *testing.T
	dir  string
	port int
	srv  *server.Server
}

// startNATS starts a natsServer, shut down when the test ends.
func startNATS(t *testing.T) *natsServer {
	t.Helper()
	s := &natsServer{t: t, dir: t.TempDir(), port: server.RANDOM_PORT}
	s.start()
	t.Cleanup(s.stop)
	return s
}

// start starts the server, on the port it had if it ran before, with the
// streams it had.
func (s *natsServer) start() {
	s.t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: s.port, JetStream: true, StoreDir: s.dir,
		NoLog: true, NoSigs: true,
	})
	require.NoError(s.t, err)
	srv.Start()
	require.True(s.t, srv.ReadyForConnections(10*time.Second), "nats-server did not start")
	s.srv = srv
	s.port = srv.Addr().(*net.TCPAddr).Port
}

// stop shuts the server down: the test's NATS is down until start.
func (s *natsServer) stop() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
		s.srv = nil
	}
}

// connect opens a NATS connection, closed when the test ends, that
// reconnects quickly.
func (s *natsServer) connect() *nats.Conn {
	s.t.Helper()
	nc, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", s.port),
		nats.ReconnectWait(50*time.Millisecond), nats.MaxReconnects(-1))
	require.NoError(s.t, err)
	s.t.Cleanup(nc.Close)
	return nc
}

// peers returns a Peers on a connection of its own (an instance's
// process) with cfg.
func (s *natsServer) peers(cfg natspeers.Config) (*natspeers.Peers, *nats.Conn) {
	s.t.Helper()
	nc := s.connect()
	js, err := jetstream.New(nc)
	require.NoError(s.t, err)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p, err := natspeers.New(testCtx(s.t), js, cfg)
	require.NoError(s.t, err)
	return p, nc
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// join runs p.Join(instance) until the returned stop is called (or the
// test ends); stop returns what Join returned.
func join(t *testing.T, p *natspeers.Peers, instance string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Join(ctx, instance) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = fmt.Errorf("Join did not return")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// alive returns p.Alive, failing the test on an error.
func alive(t *testing.T, p *natspeers.Peers) []string {
	t.Helper()
	names, err := p.Alive(testCtx(t))
	require.NoError(t, err)
	return names
}

// waitAlive waits until p.Alive is want.
func waitAlive(t *testing.T, p *natspeers.Peers, within time.Duration, want ...string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		names, err := p.Alive(testCtx(t))
		require.NoError(c, err)
		assert.Equal(c, want, names)
	}, within, 20*time.Millisecond)
}

func TestJoinAliveTwoInstances(t *testing.T) {
	ns := startNATS(t)
	a, _ := ns.peers(natspeers.Config{})
	b, _ := ns.peers(natspeers.Config{})
	assert.Empty(t, alive(t, a))

	join(t, a, "a")
	waitAlive(t, b, 5*time.Second, "a")
	join(t, b, "b")
	waitAlive(t, a, 5*time.Second, "a", "b")
	waitAlive(t, b, 5*time.Second, "a", "b")
}

// Join refreshes its key, so an instance stays alive past the TTL.
func TestJoinRefreshesPastTTL(t *testing.T) {
	ns := startNATS(t)
	p, _ := ns.peers(natspeers.Config{TTL: 500 * time.Millisecond})
	join(t, p, "a")
	waitAlive(t, p, 5*time.Second, "a")
	for range 10 { // 1.5s, three TTLs
		time.Sleep(150 * time.Millisecond)
		assert.Equal(t, []string{"a"}, alive(t, p))
	}
}

// When Join's ctx ends, its key is deleted before it returns: the
// instance is seen dead at once, not after the TTL.
func TestJoinCancelLeavesAtOnce(t *testing.T) {
	ns := startNATS(t)
	a, _ := ns.peers(natspeers.Config{TTL: time.Minute})
	b, _ := ns.peers(natspeers.Config{TTL: time.Minute})
	stopA := join(t, a, "a")
	join(t, b, "b")
	waitAlive(t, b, 5*time.Second, "a", "b")

	assert.ErrorIs(t, stopA(), context.Canceled)
	// At once: well within the TTL (a minute); the other client's
	// listing may lag the delete by a moment.
	assert.Eventually(t, func() bool {
		got := alive(t, b)
		return len(got) == 1 && got[0] == "b"
	}, 5*time.Second, 10*time.Millisecond)
}

// Two processes announce the same name (a pod restarted under its name
// while the old one stops): the one that stops leaves the name alive if
// the other wrote it last.
func TestLeaveKeepsAnotherProcessAnnouncement(t *testing.T) {
	ns := startNATS(t)
	old, _ := ns.peers(natspeers.Config{TTL: time.Minute})
	restarted, _ := ns.peers(natspeers.Config{TTL: time.Minute})
	stopOld := join(t, old, "pod-0")
	waitAlive(t, old, 5*time.Second, "pod-0")
	stopRestarted := join(t, restarted, "pod-0")
	kv := bucket(t, ns, natspeers.DefaultBucket)
	require.Eventually(t, func() bool { // its announcement is written: a new revision
		e, err := kv.Get(testCtx(t), "alive.cG9kLTA") // base64url("pod-0")
		return err == nil && e.Revision() > 1
	}, 5*time.Second, 10*time.Millisecond)

	assert.ErrorIs(t, stopOld(), context.Canceled)
	assert.Equal(t, []string{"pod-0"}, alive(t, restarted))
	assert.ErrorIs(t, stopRestarted(), context.Canceled)
	assert.Empty(t, alive(t, restarted))
}

// bucket returns the KV bucket name on a connection of its own.
func bucket(t *testing.T, ns *natsServer, name string) jetstream.KeyValue {
	t.Helper()
	js, err := jetstream.New(ns.connect())
	require.NoError(t, err)
	kv, err := js.KeyValue(testCtx(t), name)
	require.NoError(t, err)
	return kv
}

// A process that dies (here: its NATS connection closes, so its Join can
// neither refresh nor delete) is seen dead once its key is older than the
// TTL, and not before.
func TestCrashedInstanceExpiresAfterTTL(t *testing.T) {
	const ttl = time.Second
	ns := startNATS(t)
	a, ncA := ns.peers(natspeers.Config{TTL: ttl})
	b, _ := ns.peers(natspeers.Config{TTL: ttl})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	joined := make(chan error, 1)
	go func() { joined <- a.Join(ctx, "a") }()
	waitAlive(t, b, 5*time.Second, "a")

	ncA.Close()
	crashed := time.Now()
	assert.Equal(t, []string{"a"}, alive(t, b), "no clean leave")
	select {
	case err := <-joined: // its next refresh finds the connection closed
		assert.ErrorIs(t, err, nats.ErrConnectionClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Join went on with a closed connection")
	}
	waitAlive(t, b, ttl+3*time.Second)
	assert.Greater(t, time.Since(crashed), ttl/2, "seen dead before its last refresh was a TTL old")
}

// 50 instances claim the same key at once: exactly one wins.
func TestClaimExactlyOnce(t *testing.T) {
	ns := startNATS(t)
	var ps []*natspeers.Peers
	for range 5 { // 5 connections, 10 claimers each
		p, _ := ns.peers(natspeers.Config{})
		ps = append(ps, p)
	}
	ctx := testCtx(t)
	for _, key := range []string{"adopt/pbx1/1700000000.1", "adopt/pbx2/1700000000.1"} {
		var won atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 50 {
			wg.Go(func() {
				<-start
				inst := fmt.Sprintf("i%d", i)
				ok, err := ps[i%len(ps)].Claim(ctx, key, inst)
				assert.NoError(t, err)
				if ok {
					won.Add(1)
					winner.Store(inst)
				}
			})
		}
		close(start)
		wg.Wait()
		assert.Equal(t, int32(1), won.Load(), key)
		// The loser asking again still loses, the winner too: a claim is taken once.
		ok, err := ps[0].Claim(ctx, key, winner.Load().(string))
		require.NoError(t, err)
		assert.False(t, ok)
	}
}

// Keys are independent of each other, whatever characters they hold
// (channel ids have ';' and '.', keys have '/').
func TestClaimKeysAnyCharacters(t *testing.T) {
	ns := startNATS(t)
	p, _ := ns.peers(natspeers.Config{})
	ctx := testCtx(t)
	keys := []string{
		"adopt/pbx1/Local/100@default-00000001;1",
		"adopt/pbx1/Local/100@default-00000001;2",
		"adopt/pbx1/1700000000.12",
		"adopt/pbx1/1700000000.1",
		"with spaces and * > wildcards",
		"..",
		"é/ü",
		strings.Repeat("k", natspeers.MaxNameLen),
	}
	for _, k := range keys {
		ok, err := p.Claim(ctx, k, "a")
		require.NoError(t, err, k)
		assert.True(t, ok, "first claim of %q", k)
	}
	for _, k := range keys {
		ok, err := p.Claim(ctx, k, "b")
		require.NoError(t, err, k)
		assert.False(t, ok, "second claim of %q", k)
	}
	// Instance names are encoded alike.
	join(t, p, "pod;1 / é")
	waitAlive(t, p, 5*time.Second, "pod;1 / é")
}

// A claim lives for the TTL, then the key can be taken again.
func TestClaimExpiresAfterTTL(t *testing.T) {
	const ttl = time.Second
	ns := startNATS(t)
	p, _ := ns.peers(natspeers.Config{TTL: ttl})
	ctx := testCtx(t)
	ok, err := p.Claim(ctx, "k", "a")
	require.NoError(t, err)
	require.True(t, ok)
	claimed := time.Now()

	ok, err = p.Claim(ctx, "k", "b")
	require.NoError(t, err)
	assert.False(t, ok, "taken")
	require.Eventually(t, func() bool {
		ok, err := p.Claim(ctx, "k", "b")
		return err == nil && ok
	}, ttl+3*time.Second, 50*time.Millisecond)
	assert.Greater(t, time.Since(claimed), ttl/2)
}

// With NATS down every call returns an error by its ctx's deadline, and
// Join fails at once.
func TestServerDownReturnsErrors(t *testing.T) {
	ns := startNATS(t)
	p, _ := ns.peers(natspeers.Config{})
	ns.stop()

	for name, call := range map[string]func(context.Context) error{
		"Alive": func(ctx context.Context) error { _, err := p.Alive(ctx); return err },
		"Claim": func(ctx context.Context) error { _, err := p.Claim(ctx, "k", "a"); return err },
		"Join":  func(ctx context.Context) error { return p.Join(ctx, "a") },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		began := time.Now()
		err := call(ctx)
		cancel()
		assert.Error(t, err, name)
		assert.Less(t, time.Since(began), 3*time.Second, name)
	}
	// Join bounds its first write by TTL/3 even without a deadline.
	p, _ = startNATSPeersThenStop(t, natspeers.Config{TTL: 600 * time.Millisecond})
	began := time.Now()
	assert.Error(t, p.Join(context.Background(), "a"))
	assert.Less(t, time.Since(began), 3*time.Second)
}

// startNATSPeersThenStop returns a Peers whose NATS server is down.
func startNATSPeersThenStop(t *testing.T, cfg natspeers.Config) (*natspeers.Peers, *nats.Conn) {
	ns := startNATS(t)
	p, nc := ns.peers(cfg)
	ns.stop()
	return p, nc
}

// A NATS outage shorter than the TTL is ridden out: Join logs its failed
// refreshes, goes on, and announces the instance again once NATS is back.
func TestJoinRidesOutNATSRestart(t *testing.T) {
	ns := startNATS(t)
	var logs syncBuffer
	a, _ := ns.peers(natspeers.Config{TTL: 600 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	b, _ := ns.peers(natspeers.Config{TTL: 600 * time.Millisecond})
	stop := join(t, a, "a")
	waitAlive(t, b, 5*time.Second, "a")

	ns.stop()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "refreshing an instance's alive key failed") },
		5*time.Second, 20*time.Millisecond)
	ns.start()
	waitAlive(t, b, 10*time.Second, "a")
	time.Sleep(1200 * time.Millisecond) // two TTLs: the key seen is a refresh after the restart
	assert.Equal(t, []string{"a"}, alive(t, b))
	assert.ErrorIs(t, stop(), context.Canceled)
	assert.Empty(t, alive(t, b))
}

func TestNewConfig(t *testing.T) {
	ns := startNATS(t)
	js, err := jetstream.New(ns.connect())
	require.NoError(t, err)
	ctx := testCtx(t)

	for name, cfg := range map[string]natspeers.Config{
		"bad bucket":   {Bucket: "a.b"},
		"negative TTL": {TTL: -time.Second},
		"short TTL":    {TTL: 50 * time.Millisecond},
		"replicas":     {Replicas: natspeers.MaxReplicas + 1},
		"negative":     {Replicas: -1},
	} {
		_, err := natspeers.New(ctx, js, cfg)
		assert.ErrorIs(t, err, natspeers.ErrInvalidConfig, name)
	}
	_, err = natspeers.New(ctx, nil, natspeers.Config{})
	assert.ErrorIs(t, err, natspeers.ErrInvalidConfig)

	// Defaults: the bucket gostasis-peers with a 10s TTL.
	_, err = natspeers.New(ctx, js, natspeers.Config{})
	require.NoError(t, err)
	kv, err := js.KeyValue(ctx, natspeers.DefaultBucket)
	require.NoError(t, err)
	st, err := kv.Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, natspeers.DefaultTTL, st.TTL())

	// A second instance binds the same bucket; one with another TTL is refused.
	_, err = natspeers.New(ctx, js, natspeers.Config{TTL: natspeers.DefaultTTL})
	require.NoError(t, err)
	_, err = natspeers.New(ctx, js, natspeers.Config{TTL: time.Minute})
	assert.ErrorIs(t, err, natspeers.ErrBucketMismatch)

	// An existing bucket that differs in something else than the TTL is bound.
	_, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "other", TTL: time.Second, History: 5})
	require.NoError(t, err)
	_, err = natspeers.New(ctx, js, natspeers.Config{Bucket: "other", TTL: time.Second})
	require.NoError(t, err)
}

func TestInvalidNames(t *testing.T) {
	ns := startNATS(t)
	p, _ := ns.peers(natspeers.Config{})
	ctx := testCtx(t)
	long := strings.Repeat("x", natspeers.MaxNameLen+1)

	assert.ErrorIs(t, p.Join(ctx, ""), natspeers.ErrInvalidName)
	assert.ErrorIs(t, p.Join(ctx, long), natspeers.ErrInvalidName)
	for _, c := range [][2]string{{"", "a"}, {"k", ""}, {long, "a"}, {"k", long}} {
		ok, err := p.Claim(ctx, c[0], c[1])
		assert.ErrorIs(t, err, natspeers.ErrInvalidName)
		assert.False(t, ok)
	}
}

// Keys in the bucket that are not ours are left out of Alive.
func TestAliveIgnoresForeignKeys(t *testing.T) {
	ns := startNATS(t)
	p, nc := ns.peers(natspeers.Config{Bucket: "shared"})
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx := testCtx(t)
	kv, err := js.KeyValue(ctx, "shared")
	require.NoError(t, err)
	_, err = kv.PutString(ctx, "alive.a.b", "x") // '.' is no base64url
	require.NoError(t, err)
	_, err = kv.PutString(ctx, "alive.a", "x") // one character: no base64 of anything
	require.NoError(t, err)
	_, err = kv.PutString(ctx, "other", "x")
	require.NoError(t, err)
	join(t, p, "a")
	waitAlive(t, p, 5*time.Second, "a")
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
