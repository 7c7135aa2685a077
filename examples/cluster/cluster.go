package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
)

// cluster is the demo's world: the servers, NATS and the instances.
type cluster struct {
	out    io.Writer
	opts   options
	sims   []*aritest.Server
	nats   *natsServer
	ins    []*instance
	ledger *ledger
}

// run runs the demo: it starts the servers, NATS and the instances,
// places opts.Calls calls, kills instance opts.Kill mid-way, waits for
// every call to end, prints the report to out and returns it, with an
// error if a call was not handled exactly once. It stops everything it
// started before it returns, and gives up after 30s plus twice the time
// it takes to place the calls.
func run(ctx context.Context, out io.Writer, opts options) (rep *report, err error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second+2*time.Duration(opts.Calls)*callGap)
	defer cancel()
	c := &cluster{out: out, opts: opts, ledger: newLedger()}
	defer func() {
		if cerr := c.close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	phones, err := c.place(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range phones {
		if err := p.phone.WaitEnd(ctx); err != nil {
			return nil, fmt.Errorf("waiting for call %s on %s to end: %w", p.phone.ID(), p.node, err)
		}
	}
	for _, in := range c.ins {
		if err := in.waitIdle(ctx); err != nil {
			return nil, err
		}
	}
	rep = c.report(phones)
	for _, in := range c.ins {
		if !in.stopped {
			rep.Moved += in.rt.Stats().Adopted
		}
	}
	rep.print(out)
	if len(rep.Problems) > 0 {
		return rep, fmt.Errorf("%d of %d calls were not handled exactly once", len(rep.Problems), rep.Calls)
	}
	return rep, nil
}

// report checks every call against the ledger.
func (c *cluster) report(phones []placed) *report {
	calls := make([]endedCall, len(phones))
	for i, p := range phones {
		calls[i] = endedCall{node: p.node, channel: p.phone.ID(), cause: p.phone.Cause()}
	}
	nodes := make([]string, servers)
	for i := range nodes {
		nodes[i] = nodeName(i)
	}
	return buildReport(calls, nodes, instances, c.ledger)
}

// start starts NATS, the servers and the instances, and waits until every
// instance serves its app on every server and is seen alive.
func (c *cluster) start(ctx context.Context) error {
	var err error
	if c.nats, err = startNATS(); err != nil {
		return err
	}
	for i := range servers {
		srv := aritest.NewServer(simConfig(i))
		c.sims = append(c.sims, srv)
		fmt.Fprintf(c.out, "Asterisk %s (asterisk_id %s) at %s\n", nodeName(i), simConfig(i).AsteriskID, srv.URL)
	}
	fmt.Fprintf(c.out, "NATS JetStream at %s: an instance is seen dead %v after its last refresh\n", c.nats.url, peersTTL)
	apps := make([]string, 0, instances)
	for n := 1; n <= instances; n++ {
		in, err := startInstance(ctx, n, c.sims, c.nats.addr, c.ledger, c.logHandler(n))
		if err != nil {
			return fmt.Errorf("instance %d: %w", n, err)
		}
		c.ins = append(c.ins, in)
		apps = append(apps, appName(n))
	}
	for _, srv := range c.sims {
		if err := srv.WaitApp(ctx, apps...); err != nil {
			return fmt.Errorf("waiting for the apps to connect: %w", err)
		}
	}
	// An instance not yet announced would be seen dead, and its calls
	// adopted: wait for every announcement before the first call.
	names := make([]string, 0, instances)
	for n := 1; n <= instances; n++ {
		names = append(names, strconv.Itoa(n))
	}
	if err := c.ins[0].waitAlive(ctx, names); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "instances 1 to %d, each serving its app %s<n> on every server, claiming with ClaimFewest\n", instances, appPrefix)
	return nil
}

// placed is one call the demo placed.
type placed struct {
	node  string
	phone *aritest.Phone
}

// place places the calls callGap apart, in turn on each server, and kills
// instance opts.Kill once half of them are placed and it holds a call.
func (c *cluster) place(ctx context.Context) ([]placed, error) {
	n := c.opts.Calls
	fmt.Fprintf(c.out, "placing %d calls through StasisBroadcast(%d,^%s), in turn on each server\n",
		n, broadcastTimeout.Milliseconds(), appPrefix)
	var victim *instance
	if c.opts.Kill > 0 {
		victim = c.ins[c.opts.Kill-1]
	}
	phones := make([]placed, 0, n)
	tick := time.NewTicker(callGap)
	defer tick.Stop()
	for i := range n {
		if victim != nil && i >= n/2 && victim.rt.Stats().LiveCalls > 0 {
			c.kill(victim, i)
			victim = nil
		}
		srv := c.sims[i%servers]
		p, err := srv.PlaceCall(aritest.PlaceCallParams{
			Context: "from-phones", Extension: strconv.Itoa(1000 + i),
			Caller: ari.CallerID{Name: fmt.Sprintf("caller %d", i+1), Number: strconv.Itoa(2000 + i)},
		})
		if err != nil {
			return nil, fmt.Errorf("placing call %d: %w", i+1, err)
		}
		phones = append(phones, placed{node: nodeName(i % servers), phone: p})
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("placing the calls: %w", ctx.Err())
		case <-tick.C:
		}
	}
	if victim != nil {
		// Few calls: wait for the victim to hold one.
		if err := waitUntil(ctx, killWait, func() bool { return victim.rt.Stats().LiveCalls > 0 }); err != nil {
			return nil, fmt.Errorf("instance %d never held a call to be killed with: %w", victim.n, err)
		}
		c.kill(victim, n)
	}
	return phones, nil
}

// kill kills in, after calls were placed.
func (c *cluster) kill(in *instance, after int) {
	live := in.kill()
	c.ledger.kill(in.n, live)
	fmt.Fprintf(c.out, "killed instance %d after %d calls, with %d calls up: its connections cut, nothing cleaned up\n",
		in.n, after, live)
}

// logHandler is the log of instance n: opts.Log at WARN (INFO when
// Verbose), each line naming the instance.
func (c *cluster) logHandler(n int) slog.Handler {
	if c.opts.Log == nil {
		return nil
	}
	min := slog.LevelWarn
	if c.opts.Verbose {
		min = slog.LevelInfo
	}
	return &levelHandler{h: c.opts.Log.WithAttrs([]slog.Attr{slog.Int("instance", n)}), min: min}
}

// close stops the instances, the servers and NATS.
func (c *cluster) close() error {
	var errs []error
	for _, in := range c.ins {
		if err := in.stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping instance %d: %w", in.n, err))
		}
	}
	for _, srv := range c.sims {
		srv.Close()
	}
	if c.nats != nil {
		if err := c.nats.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// waitUntil polls cond until it holds, ctx ends or limit passes.
func waitUntil(ctx context.Context, limit time.Duration, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}
