package events_test

import (
	"context"
	"errors"
	"fmt"

	"gostasis.dev/ari/events"
)

// frames are websocket frames as Asterisk sends them (shortened).
var frames = []string{
	`{"type":"StasisStart","application":"ivr","args":["sales"],"channel":{"id":"c1","name":"PJSIP/100-00000001","state":"Up"}}`,
	`{"type":"ChannelDtmfReceived","application":"ivr","digit":"5","duration_ms":120,"channel":{"id":"c1"}}`,
	`{"type":"PlaybackFinished","application":"ivr","playback":{"id":"pb1","target_uri":"bridge:b1","state":"done"}}`,
	`{"type":"ChannelHangupRequest","application":"ivr","cause":16,"channel":{"id":"c1"}}`,
	`{"type":"SomethingNewer","application":"ivr","channel":{"id":"c1"}}`,
}

// A type switch over events.Event is checked by the compiler: the interface
// is sealed, so only this package's types can appear.
func ExampleDecode() {
	for _, frame := range frames {
		ev, err := events.Decode([]byte(frame))
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		switch e := ev.(type) {
		case *events.StasisStart:
			fmt.Printf("call %s entered with args %v\n", e.Channel.ID, e.Args)
		case *events.ChannelDTMFReceived:
			fmt.Printf("call %s pressed %s\n", e.Channel.ID, e.Digit)
		case *events.PlaybackFinished:
			fmt.Printf("playback %s done on bridges %v\n", e.Playback.ID, events.BridgeIDs(e))
		case *events.Unknown:
			fmt.Printf("newer event %s about channels %v\n", e.Type, events.ChannelIDs(e))
		default:
			fmt.Printf("%s about channels %v\n", e.EventType(), events.ChannelIDs(e))
		}
	}
	// Output:
	// call c1 entered with args [sales]
	// call c1 pressed 5
	// playback pb1 done on bridges [b1]
	// ChannelHangupRequest about channels [c1]
	// newer event SomethingNewer about channels [c1]
}

// Malformed frames give an *ari.DecodeError saying what and where.
func ExampleDecode_error() {
	_, err := events.Decode([]byte(`{"type":"StasisStart","channel":[]}`))
	fmt.Println(err)
	_, err = events.Decode([]byte(`{"type":5}`))
	fmt.Println(err, errors.Is(err, events.ErrNoType))
	// Output:
	// ari: decoding StasisStart: json: at byte 32 (key "channel"): expected '{', found '['
	// ari: decoding event: at byte 8 (key "type"): expected string, found number: the message has no "type" true
}

// ivr handles only the events it cares about; Dispatch calls the matching
// method.
type ivr struct{}

func (ivr) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	fmt.Println("answer", e.Channel.ID)
	return nil
}

func (ivr) OnChannelDTMFReceived(ctx context.Context, e *events.ChannelDTMFReceived) error {
	if e.Digit == "5" {
		return errors.New("no prompt for 5")
	}
	fmt.Println("digit", e.Digit)
	return nil
}

// OnEvent receives the known events that have no method of their own.
func (ivr) OnEvent(ctx context.Context, e events.Event) error {
	fmt.Println("other:", e.EventType())
	return nil
}

// OnUnknown receives the events this build does not know.
func (ivr) OnUnknown(ctx context.Context, e *events.Unknown) error {
	fmt.Printf("unknown: %s, %d bytes\n", e.Type, len(e.Raw))
	return nil
}

func ExampleDispatch() {
	ctx := context.Background()
	for _, frame := range frames {
		ev, err := events.Decode([]byte(frame))
		if err != nil {
			panic(err)
		}
		handled, err := events.Dispatch(ctx, ivr{}, ev)
		if err != nil {
			// Returning an error ends the handler's call.
			fmt.Println("handler failed:", err)
		}
		_ = handled
	}

	// Without OnEvent, events with no method are not handled.
	handled, _ := events.Dispatch(ctx, struct{ events.StasisStartHandler }{ivr{}}, events.New("StasisEnd"))
	fmt.Println("StasisEnd handled:", handled)
	// Output:
	// answer c1
	// handler failed: no prompt for 5
	// other: PlaybackFinished
	// other: ChannelHangupRequest
	// unknown: SomethingNewer, 67 bytes
	// StasisEnd handled: false
}

// AppendChannelIDs routes an event without allocating, into a reused buffer.
func ExampleAppendChannelIDs() {
	ev, _ := events.Decode([]byte(`{"type":"Dial","peer":{"id":"c2"},"caller":{"id":"c1"},"dialstatus":"ANSWER"}`))
	buf := make([]string, 0, 8)
	buf = events.AppendChannelIDs(buf[:0], ev)
	fmt.Println(buf)
	// Output:
	// [c2 c1]
}
