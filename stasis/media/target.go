package media

import (
	"slices"
	"strings"

	"gostasis.dev/stasis"
)

// Target names what a helper plays to or records: the call's own channel
// (Primary), or a channel or bridge of the call, written as Asterisk
// writes a playback's or recording's target_uri ("channel:<id>",
// "bridge:<id>"), so ari.Playback.TargetURI is a Target too.
type Target string

// Primary is the call's own channel (stasis.Call.ChannelID): the channel
// that entered the app. It is Target's zero value.
const Primary Target = ""

// Channel is the channel id, one of the call's channels (Call.Channels):
// its own, or one it originated, created, snooped or adopted.
func Channel(id string) Target { return Target("channel:" + id) }

// Bridge is the bridge id, one the call created, adopted or joined
// (Call.Bridges).
func Bridge(id string) Target { return Target("bridge:" + id) }

// The kinds of targets, as in target_uri.
const (
	kindChannel = "channel"
	kindBridge  = "bridge"
)

// resolve returns t's kind and id, checking that t is one of the call's
// channels or bridges: the others' events do not reach the call.
func (t Target) resolve(call *stasis.Call) (kind, id string, err error) {
	if t == Primary {
		return kindChannel, call.ChannelID, nil
	}
	kind, id, _ = strings.Cut(string(t), ":")
	switch {
	case id == "" || kind != kindChannel && kind != kindBridge:
		return "", "", &ParamError{Param: "target", Value: string(t), Reason: `not "channel:<id>" or "bridge:<id>"`}
	case kind == kindChannel && !slices.Contains(call.Channels(), id):
		return "", "", &ParamError{Param: "target", Value: string(t), Reason: "not one of the call's channels (Call.Channels): its events do not reach the call"}
	case kind == kindBridge && !slices.Contains(call.Bridges(), id):
		return "", "", &ParamError{Param: "target", Value: string(t), Reason: "not one of the call's bridges (Call.Bridges): its events do not reach the call"}
	}
	return kind, id, nil
}
