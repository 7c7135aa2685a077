package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/internal/cutproxy"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/natspeers"
)

// The credentials of the simulated servers' ARI user.
const (
	ariUser     = "asterisk"
	ariPassword = "asterisk"
)

// instance is one instance of the application, as a process of its own
// would run it: a runtime over every server and a NATS connection, every
// connection through a proxy of its own so that it can be killed.
type instance struct {
	n       int
	rt      *stasis.Runtime
	peers   *natspeers.Peers
	nc      *nats.Conn
	proxies []*cutproxy.Proxy
	dead    atomic.Bool // killed: its log is silent, as a dead process's
	done    chan error  // Run's result
	stopped bool
}

// startInstance starts instance n over sims, with NATS at natsAddr; its
// handlers record their calls in led and it logs to log (nil: nowhere).
func startInstance(ctx context.Context, n int, sims []*aritest.Server, natsAddr string, led *ledger, log slog.Handler) (_ *instance, err error) {
	in := &instance{n: n, done: make(chan error, 1)}
	defer func() {
		if err != nil {
			if in.nc != nil {
				in.nc.Close()
			}
			in.cut()
		}
	}()
	if log == nil {
		log = slog.DiscardHandler
	}
	logger := slog.New(&muteHandler{h: log, mute: &in.dead})
	nodes := make([]stasis.Node, 0, len(sims))
	for i, srv := range sims {
		p, err := in.proxy(strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			return nil, err
		}
		client, err := ari.NewClient(ari.Config{URL: "http://" + p.Addr(), Username: ariUser, Password: ariPassword})
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, stasis.Node{Name: nodeName(i), Client: client})
	}
	p, err := in.proxy(natsAddr)
	if err != nil {
		return nil, err
	}
	if in.nc, err = nats.Connect("nats://"+p.Addr(), nats.Name("instance "+strconv.Itoa(n))); err != nil {
		return nil, fmt.Errorf("connecting to NATS: %w", err)
	}
	js, err := jetstream.New(in.nc)
	if err != nil {
		return nil, err
	}
	if in.peers, err = natspeers.New(ctx, js, natspeers.Config{TTL: peersTTL, Logger: logger}); err != nil {
		return nil, err
	}
	in.rt, err = stasis.New(stasis.Config{
		Nodes: nodes,
		Apps: []stasis.App{{
			Name:      appName(n),
			Broadcast: &stasis.BroadcastConfig{Policy: stasis.ClaimFewest(claimStep, 0)},
			New:       newWorker(n, led),
		}},
		Cluster: &stasis.ClusterConfig{
			Instance: strconv.Itoa(n), Peers: in.peers, InstanceOf: instanceOf, Interval: adoptInterval,
		},
		Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	go func() { in.done <- in.rt.Run(context.Background()) }()
	return in, nil
}

// proxy starts a proxy to target for the instance.
func (in *instance) proxy(target string) (*cutproxy.Proxy, error) {
	p, err := cutproxy.New(target)
	if err != nil {
		return nil, err
	}
	in.proxies = append(in.proxies, p)
	return p, nil
}

// kill kills the instance as a crash would: it cuts every connection,
// then stops what is left of it in this process, which can no longer
// reach Asterisk or NATS. It returns the calls the instance held.
func (in *instance) kill() (live int64) {
	live = in.rt.Stats().LiveCalls
	in.dead.Store(true)
	in.cut()
	in.nc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = in.rt.Shutdown(ctx)
	<-in.done
	in.stopped = true
	return live
}

// stop shuts a live instance down: its calls finish, it leaves NATS, and
// its connections close.
func (in *instance) stop() error {
	var err error
	if in.rt != nil && !in.stopped {
		in.stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		err = in.rt.Shutdown(ctx)
		if rerr := <-in.done; !errors.Is(rerr, stasis.ErrRuntimeClosed) {
			err = errors.Join(err, rerr)
		}
	}
	if in.nc != nil {
		in.nc.Close()
	}
	in.cut()
	return err
}

// cut cuts every connection of the instance.
func (in *instance) cut() {
	for _, p := range in.proxies {
		p.Cut()
	}
}

// waitIdle waits until a live instance's handlers have all seen their
// call's end.
func (in *instance) waitIdle(ctx context.Context) error {
	if in.stopped {
		return nil
	}
	err := waitUntil(ctx, stopTimeout, func() bool { return in.rt.Stats().LiveCalls == 0 })
	if err != nil {
		return fmt.Errorf("waiting for instance %d's calls to end: %w", in.n, err)
	}
	return nil
}

// waitAlive waits until the instance sees every one of names alive.
func (in *instance) waitAlive(ctx context.Context, names []string) error {
	var alive []string
	err := waitUntil(ctx, natsReady, func() bool {
		var err error
		alive, err = in.peers.Alive(ctx)
		if err != nil {
			return false
		}
		for _, name := range names {
			if !slices.Contains(alive, name) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("waiting for instances %v to be seen alive (alive: %v): %w", names, alive, err)
	}
	return nil
}
