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
	// dialIn marks the node of an Asterisk server that dials the runtime
	// (Config.Outbound): it has no conns, and up counts its persistent
	// connections.
	dialIn bool

	// Counters of Stats.Nodes.
	live                          atomic.Int64
	started, received, reconnects atomic.Uint64
	up                            atomic.Int32 // connections up now
}

// NodeStats are the counters of one node: of Config.Nodes, or of an
// Asterisk server that dials in (Config.Outbound).
type NodeStats struct {
	// Name is the node's name (Node.Name), or the asterisk_id of an
	// Asterisk server that dials in.
	Name string
	// Connected reports whether every events connection of the node is up
	// or, for a server that dials in, whether a persistent connection of
	// it is.
	Connected bool
	// LiveCalls, CallsStarted, EventsReceived and Reconnects are as in
	// Stats, for this node.
	LiveCalls      int64
	CallsStarted   uint64
	EventsReceived uint64
	Reconnects     uint64
}

func (n *node) snapshot() NodeStats {
	connected := int(n.up.Load()) == len(n.conns)
	if n.dialIn {
		connected = n.up.Load() > 0
	}
	return NodeStats{
		Name: n.name, Connected: connected,
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
