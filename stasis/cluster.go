package stasis

import (
	"context"
	"errors"
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

// runCluster announces this instance and adopts orphans until ctx ends.
func (rt *Runtime) runCluster(ctx context.Context) {
	cl := rt.cfg.Cluster
	joined := make(chan struct{})
	go func() {
		defer close(joined)
		if err := cl.Peers.Join(ctx, cl.Instance); err != nil && ctx.Err() == nil {
			rt.log.Error("stasis: cluster: joining failed; this instance's calls will not be taken over if it dies", "instance", cl.Instance, "err", err)
		}
	}()
	defer func() { <-joined }()
	t := time.NewTicker(cl.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, n := range rt.nodes {
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
func (rt *Runtime) adoptOrphans(ctx context.Context, n *node) error {
	cl := rt.cfg.Cluster
	ctx, cancel := context.WithTimeout(ctx, rt.cfg.cleanupTimeout())
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
		for _, id := range app.ChannelIDs {
			if err := rt.adopt(ctx, n, app.Name, id); err != nil && ctx.Err() == nil {
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
