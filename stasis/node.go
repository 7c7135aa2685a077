package stasis

import (
	"log/slog"
	"sync/atomic"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// node is one Asterisk server the runtime serves: its apps' registrars
// (calls are keyed by node and channel) and its connections.
type node struct {
	name   string
	client *ari.Client
	rest   *resources.Client // the node's REST: its calls' and the runtime's own work
	log    *slog.Logger
	apps   map[string]*appState
	conns  []*conn

	// Counters of Stats.Nodes.
	live                          atomic.Int64
	started, received, reconnects atomic.Uint64
	up                            atomic.Int32 // connections up now
}

// NodeStats are the counters of one node (Config.Nodes).
type NodeStats struct {
	// Name is the node's name.
	Name string
	// Connected reports whether every events connection of the node is up.
	Connected bool
	// LiveCalls, CallsStarted, EventsReceived and Reconnects are as in
	// Stats, for this node.
	LiveCalls      int64
	CallsStarted   uint64
	EventsReceived uint64
	Reconnects     uint64
}

func (n *node) snapshot() NodeStats {
	return NodeStats{
		Name: n.name, Connected: int(n.up.Load()) == len(n.conns),
		LiveCalls: n.live.Load(), CallsStarted: n.started.Load(),
		EventsReceived: n.received.Load(), Reconnects: n.reconnects.Load(),
	}
}

// nodeSpecs returns the nodes cfg describes: Nodes, or one unnamed node
// for Client.
func nodeSpecs(cfg *Config) []Node {
	if len(cfg.Nodes) > 0 {
		return cfg.Nodes
	}
	return []Node{{Client: cfg.Client, REST: cfg.REST}}
}
