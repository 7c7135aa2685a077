package stasis

import "gostasis.dev/ari/events"

// LegKind says what a channel is to a call.
type LegKind uint8

// The kinds of a call's channels.
const (
	// LegNone: the channel is not one of the call's (a bridge event, or
	// a channel the call released).
	LegNone LegKind = iota
	// LegPrimary: the channel that entered the app and started the call
	// (Call.ChannelID).
	LegPrimary
	// LegOriginated: a channel the call dialled or created
	// (Call.Originate, Call.Create); for a Local channel, its first half.
	LegOriginated
	// LegLocalPeer: the other half (";2") of a Local channel the call
	// originated or created. Media and DTMF that go through a Local pair
	// are reported on both halves, so a digit the caller presses in a
	// bridge with the first half arrives again on this one.
	LegLocalPeer
	// LegSnoop: a snoop channel the call created (Call.Snoop).
	LegSnoop
	// LegAdopted: a channel the call adopted (Call.Adopt).
	LegAdopted
	// LegReplacement: a channel that took the place of one of the call's
	// channels (a StasisStart with replace_channel, e.g. after a
	// transfer).
	LegReplacement
)

// String names the kind, e.g. "primary".
func (k LegKind) String() string {
	switch k {
	case LegNone:
		return "none"
	case LegPrimary:
		return "primary"
	case LegOriginated:
		return "originated"
	case LegLocalPeer:
		return "local-peer"
	case LegSnoop:
		return "snoop"
	case LegAdopted:
		return "adopted"
	case LegReplacement:
		return "replacement"
	}
	return "unknown"
}

// created reports the kinds the call made, and hangs up when it ends.
func (k LegKind) created() bool {
	return k == LegOriginated || k == LegLocalPeer || k == LegSnoop
}

// Leg is one of a call's channels, and what it is to the call.
type Leg struct {
	// ChannelID is the channel's id ("" with LegNone).
	ChannelID string
	// Kind says what the channel is to the call.
	Kind LegKind
}

// Leg says which of the call's channels e concerns: the first of e's
// channels (in events.ChannelIDs order, the event's main channel first)
// that is one of the call's. Every event a handler gets concerns the
// call's channels or bridges; bridge events with no channel of the call
// give LegNone. A channel keeps its kind after it is destroyed, so late
// events of a leg that hung up are still told apart; a released channel
// is forgotten.
//
// The model: a call has one primary channel and any number of other
// legs; all their events reach the call's one handler, in order. Tell
// them apart with Leg, e.g. ignore a Local channel's echo with
// Leg(e).Kind == LegLocalPeer, or react to a DTMF only when Leg(e).Kind
// == LegPrimary. The Wait helpers name the channel they wait on, so an
// agent leg's digit never satisfies WaitDTMF, which waits on the primary.
func (c *Call) Leg(e events.Event) Leg {
	if e == nil {
		return Leg{}
	}
	var buf [4]string
	ids := events.AppendChannelIDs(buf[:0], e)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if s, ok := c.channels[id]; ok {
			return Leg{ChannelID: id, Kind: s.kind}
		}
		if id == c.ChannelID {
			return Leg{ChannelID: id, Kind: LegPrimary}
		}
	}
	return Leg{}
}

// legState is what the call knows of one of its channels.
type legState struct {
	kind LegKind
	// gone is set once the channel is destroyed: it no longer routes,
	// nor is cleaned up, but Leg still names its late events.
	gone bool
}
