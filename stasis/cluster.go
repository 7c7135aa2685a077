package stasis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// Peers tells the instances of an application which of them are alive,
// and lets exactly one of them take a thing, through an engine outside
// this package (package natspeers implements it on NATS JetStream): the
// runtime builds no consensus of its own.
type Peers interface {
	// Join announces instance alive and keeps the announcement fresh until
	// ctx ends; from then on (or once the process dies) the instance is
	// seen dead within the engine's time to live. It returns when ctx
	// ends, or at once with an error.
	Join(ctx context.Context, instance string) error
	// Alive lists the instances seen alive now.
	Alive(ctx context.Context) ([]string, error)
	// Claim takes key for instance: of all the callers of Claim with the
	// same key, exactly one gets true (until the engine forgets keys older
	// than its time to live).
	Claim(ctx context.Context, key, instance string) (bool, error)
}

// ClusterConfig makes the runtime one instance of an application that runs
// as several, each serving apps of its own (Config.Apps), so that the
// calls of an instance that dies are taken over.
//
// When an instance dies, Asterisk keeps its channels in Stasis, in that
// instance's apps, with nobody to drive them. Every Interval each live
// instance lists the apps on each node (applications.list); for an app of
// the cluster (InstanceOf) whose instance is not alive (Peers.Alive), it
// takes each channel with Peers.Claim, so that exactly one instance takes
// each, and moves it into its own app AdoptInto (channels.move, with the
// app's name and "adopted" as arguments), where it starts as a new call.
// When the AdoptInto app has a ClaimPolicy (App.Broadcast), it decides
// as for a broadcast call (Broadcast.Event is nil), so that less loaded
// instances take orphans first.
//
// Run announces the instance and waits until Peers lists it alive before
// it connects, so that no call it takes looks like a dead instance's; it
// fails when the announcement fails. A call moved away (an instance seen
// dead while alive, after a long partition from the engine) ends in its
// old instance with StasisEnd: a channel is in one app at a time.
type ClusterConfig struct {
	// Instance is this instance's name, unique in the cluster (a hostname,
	// a pod name). Required.
	Instance string
	// Peers is the liveness and claim engine. Required.
	Peers Peers
	// InstanceOf returns the instance that serves an Asterisk app and
	// whether the app is one of the cluster's at all (other apps are left
	// alone). Required.
	InstanceOf func(app string) (instance string, ok bool)
	// AdoptInto is the app of this instance that adopted channels are
	// moved into. Default: the first of Config.Apps.
	AdoptInto string
	// Interval is how often orphans are looked for. Default 2s.
	Interval time.Duration
}

// AdoptedArg is the first argument of the StasisStart of a channel
// adopted from a dead instance (ClusterConfig); the second is the app it
// was in.
const AdoptedArg = "adopted"

func (c *ClusterConfig) check(apps []App) error {
	switch {
	case c.Instance == "" || c.Peers == nil || c.InstanceOf == nil:
		return errors.New("stasis: ClusterConfig needs Instance, Peers and InstanceOf")
	case c.AdoptInto == "":
		c.AdoptInto = apps[0].Name
	}
	for _, a := range apps {
		if a.Name == c.AdoptInto {
			return nil
		}
	}
	return errors.New("stasis: ClusterConfig.AdoptInto names no app of Config.Apps")
}

func (c *ClusterConfig) interval() time.Duration {
	if c.Interval > 0 {
		return c.Interval
	}
	return 2 * time.Second
}

// joinCluster announces this instance and waits until Peers sees it
// alive, so that no other instance takes its calls for a dead one's: the
// runtime connects only then. The announcement is kept fresh until ctx
// ends; joined is closed when that stops.
func (rt *Runtime) joinCluster(ctx context.Context) (joined <-chan struct{}, err error) {
	cl := rt.cfg.Cluster
	done := make(chan struct{})
	failed := make(chan error, 1)
	go func() {
		defer close(done)
		err := cl.Peers.Join(ctx, cl.Instance)
		if err != nil && ctx.Err() == nil {
			failed <- err
			rt.log.Error("stasis: cluster: announcing this instance failed; the others will take its calls over", "instance", cl.Instance, "err", err)
		}
	}()
	wait := time.NewTimer(rt.cfg.cleanupTimeout())
	defer wait.Stop()
	for {
		alive, err := cl.Peers.Alive(ctx)
		if err == nil && slices.Contains(alive, cl.Instance) {
			return done, nil
		}
		t := time.NewTimer(20 * time.Millisecond)
		select {
		case err := <-failed:
			t.Stop()
			return done, fmt.Errorf("stasis: cluster: announcing instance %q: %w", cl.Instance, err)
		case <-wait.C:
			t.Stop()
			if err == nil {
				err = errors.New("not listed alive")
			}
			return done, fmt.Errorf("stasis: cluster: instance %q not seen alive within %s: %w", cl.Instance, rt.cfg.cleanupTimeout(), err)
		case <-ctx.Done():
			t.Stop()
			return done, ctx.Err()
		case <-rt.shutdown:
			t.Stop()
			return done, ErrRuntimeClosed
		case <-t.C:
		}
	}
}

// runCluster adopts orphans until ctx ends.
func (rt *Runtime) runCluster(ctx context.Context) {
	cl := rt.cfg.Cluster
	t := time.NewTicker(cl.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, n := range rt.nodeList() {
			if ctx.Err() != nil {
				return
			}
			if err := rt.adoptOrphans(ctx, n); err != nil && ctx.Err() == nil {
				n.log.Warn("stasis: cluster: looking for orphaned calls failed", "err", err)
			}
		}
	}
}

// adoptOrphans moves into this instance the channels that dead instances'
// apps hold on node n.
func (rt *Runtime) adoptOrphans(parent context.Context, n *node) error {
	cl := rt.cfg.Cluster
	ctx, cancel := context.WithTimeout(parent, rt.cfg.cleanupTimeout())
	defer cancel()
	apps, err := n.rest.Applications.List(ctx)
	if err != nil {
		return err
	}
	var alive map[string]bool
	for _, app := range apps {
		inst, ok := cl.InstanceOf(app.Name)
		if !ok || inst == cl.Instance || len(app.ChannelIDs) == 0 {
			continue
		}
		if alive == nil {
			names, err := cl.Peers.Alive(ctx)
			if err != nil {
				return err
			}
			alive = map[string]bool{}
			for _, name := range names {
				alive[name] = true
			}
		}
		if alive[inst] {
			continue
		}
		if !rt.wantsAdoption(ctx, n, true) {
			continue // left to less loaded instances
		}
		for _, id := range app.ChannelIDs {
			actx, cancel := context.WithTimeout(parent, rt.cfg.cleanupTimeout())
			err := rt.adopt(actx, n, app.Name, id)
			cancel()
			if err != nil && parent.Err() == nil {
				n.log.Warn("stasis: cluster: adopting a channel failed", "app", app.Name, "channel", id, "err", err)
			}
		}
	}
	return nil
}

// adopt claims channel id of a dead instance's app and moves it into this
// instance.
func (rt *Runtime) adopt(ctx context.Context, n *node, from, id string) error {
	cl := rt.cfg.Cluster
	key := "adopt/" + id
	if n.name != "" {
		key = "adopt/" + n.name + "/" + id
	}
	rt.adoptMu.Lock()
	retry := rt.adoptWon[key] // won earlier, the move failed
	rt.adoptMu.Unlock()
	if !retry && !rt.wantsAdoption(ctx, n, false) {
		return nil // full: left to the others
	}
	if !retry {
		won, err := cl.Peers.Claim(ctx, key, cl.Instance)
		if err != nil || !won {
			return err
		}
	}
	err := n.rest.Channels.Move(ctx, id, &resources.ChannelMoveParams{App: cl.AdoptInto, AppArgs: []string{AdoptedArg, from}})
	rt.adoptMu.Lock()
	defer rt.adoptMu.Unlock()
	if rt.adoptWon == nil {
		rt.adoptWon = map[string]bool{}
	}
	switch {
	case errors.Is(err, ari.ErrNotFound):
		delete(rt.adoptWon, key) // gone meanwhile
		return nil
	case err != nil:
		// Ours to move: try again at the next look, without claiming.
		rt.adoptWon[key] = true
		return err
	}
	delete(rt.adoptWon, key)
	rt.stats.adopted.Add(1)
	n.log.Info("stasis: cluster: adopted a call of a dead instance", "channel", id, "from", from, "into", cl.AdoptInto)
	return nil
}

// wantsAdoption asks the AdoptInto app's ClaimPolicy (App.Broadcast), as
// for a broadcast call, whether to take one more call, and with wait
// waits its delay, so that less loaded instances take orphans first.
// Without a policy it always does.
func (rt *Runtime) wantsAdoption(ctx context.Context, n *node, wait bool) bool {
	a := n.apps[rt.cfg.Cluster.AdoptInto]
	if a == nil || a.app.Broadcast == nil || a.app.Broadcast.Policy == nil {
		return true
	}
	claim, delay := a.app.Broadcast.Policy(Broadcast{App: a.name, Node: n.name, LiveCalls: rt.appLoad(a.name)})
	if !claim || delay <= 0 || !wait {
		return claim
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
