package main

import (
	"context"

	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// Welcome is the announcement each caller hears before joining, a sound
// of Asterisk's core set ("you will now be placed into the conference").
const Welcome = "sound:conf-placeintoconf"

// App is the conference app: it answers each call, announces the
// conference and puts the caller in one mixing bridge that the app's
// calls share, its room. The bridge is created with the first caller and
// destroyed when the last one leaves: the runtime counts the members
// (stasis.Call.JoinBridge), so the app keeps no count and takes no lock.
func App(name string) stasis.App {
	return stasis.App{Name: name, New: func(ctx context.Context, call *stasis.Call) (any, error) {
		return &member{call: call}, nil
	}}
}

// member is the handler of one caller's call.
type member struct{ call *stasis.Call }

// OnStasisStart answers, announces and joins the caller. When the caller
// hangs up, the call ends and leaves the room; nothing else is needed.
func (m *member) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := m.call.Answer(ctx); err != nil {
		return err
	}
	if err := media.Play(ctx, m.call, media.Primary, Welcome); err != nil {
		return err // stasis.ErrCallEnded when the caller hung up: the call just ends
	}
	room, err := m.call.JoinBridge(ctx, "room", &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing}, Name: "room"})
	if err != nil {
		return err
	}
	return m.call.REST().Bridges.AddChannel(ctx, room.ID, &resources.BridgeAddChannelParams{Channel: []string{m.call.ChannelID}})
}
