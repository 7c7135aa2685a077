package ari_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

type ctxKey struct{}

// recObserver records the requests it is told of.
type recObserver struct {
	mu   sync.Mutex
	seen []string
}

func (o *recObserver) RequestStart(ctx context.Context, r *ari.Request) context.Context {
	return context.WithValue(ctx, ctxKey{}, r.Op.String())
}

func (o *recObserver) RequestEnd(ctx context.Context, r *ari.Request, status int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	// The ctx is the one RequestStart returned.
	started, _ := ctx.Value(ctxKey{}).(string)
	result := strconv.Itoa(status)
	if err != nil {
		result = "err:" + result
	}
	o.seen = append(o.seen, started+" "+r.Op.String()+" "+result)
}

// The observer sees every request, its status and its error, over HTTP
// and over the events websocket.
func TestRequestObserver(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	obs := &recObserver{}
	c, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "asterisk", Observer: obs})
	require.NoError(t, err)
	ctx := context.Background()
	rc := resources.New(c)
	_, err = rc.Asterisk.GetInfo(ctx, nil)
	require.NoError(t, err)
	_, err = rc.Channels.Get(ctx, "nosuch")
	require.ErrorIs(t, err, ari.ErrNotFound)

	stream := c.EventStream(ari.EventStreamConfig{Apps: []string{"obs"}})
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = stream.Run(sctx, func(ari.Frame) {}) }()
	defer func() { stop(); <-done }()
	require.NoError(t, srv.WaitApp(ctx, "obs"))
	require.Eventually(t, func() bool { return stream.Stats().Connections == 1 }, 5*time.Second, 10*time.Millisecond)
	_, err = resources.New(stream.RESTClient()).Bridges.List(ctx)
	require.NoError(t, err)

	obs.mu.Lock()
	defer obs.mu.Unlock()
	assert.Equal(t, []string{
		"asterisk.getInfo asterisk.getInfo 200",
		"channels.get channels.get err:404",
		"asterisk.getInfo asterisk.getInfo 200", // the version, for the websocket transport's check
		"bridges.list bridges.list 200",         // over the websocket
	}, obs.seen)
}
