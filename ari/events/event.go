package events

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/internal/wire"
)

// Event is a message Asterisk sends on the events websocket. It is sealed:
// only this package's types implement it, so a type switch over Event is
// checked by the compiler. *Unknown stands for the types this build does
// not know.
//
// Every event type also implements json.Marshaler (encoding the event as
// Asterisk does) and json.Unmarshaler. ChannelIDs, BridgeIDs and their
// Append forms say which channels and bridges an event is about.
type Event interface {
	// EventType is the "type" Asterisk gives the event, e.g. "StasisStart".
	EventType() string
	// Base gives access to the members every event carries.
	Base() *EventBase

	isEvent()
	appendChannelIDs(dst []string) []string
	appendBridgeIDs(dst []string) []string
}

// decodable is an event Decode can fill member by member.
type decodable interface {
	Event
	decodeKey(d *wire.Decoder, key string)
}

// Base returns b itself; every event type embeds an EventBase.
func (b *EventBase) Base() *EventBase { return b }

// EventHandler is the fallback of Dispatch: it receives the events whose
// type has no handler method on the handler.
type EventHandler interface {
	OnEvent(ctx context.Context, e Event) error
}

// UnknownHandler is implemented by handlers of events this build does not
// know.
type UnknownHandler interface {
	OnUnknown(ctx context.Context, e *Unknown) error
}

// TypeInfo describes one message type this build knows.
type TypeInfo struct {
	// Name is the type's name, e.g. "StasisStart".
	Name string
	// Availability says which Asterisk releases send it.
	Availability ari.Availability
}

// Types lists the message types this build knows, sorted by name.
func Types() []TypeInfo { return append([]TypeInfo(nil), knownTypes...) }

// Known reports whether this build has a type for events of type typ. It
// does not allocate.
func Known(typ string) bool {
	_, ok := slices.BinarySearchFunc(knownTypes, typ, func(t TypeInfo, typ string) int {
		return strings.Compare(t.Name, typ)
	})
	return ok
}

// New returns a new, empty event of type typ (with its Type set), or nil
// when this build does not know typ.
func New(typ string) Event {
	e := newEvent(typ)
	if e == nil {
		return nil
	}
	e.Base().Type = typ
	return e
}

// Unknown is an event of a type this build does not know, typically one a
// newer Asterisk added. Raw keeps the whole JSON object; the members every
// event carries are decoded into EventBase. So that such an event still
// reaches the call it is about, the id of a top-level "channel" or
// "bridge" object (the shape of every channel and bridge event Asterisk
// has ever sent) is extracted too.
type Unknown struct {
	EventBase
	// Raw is the event as Asterisk sent it.
	Raw json.RawMessage

	channelID string
	bridgeID  string
}

var _ Event = (*Unknown)(nil)

// EventType returns the type Asterisk gave the event.
func (e *Unknown) EventType() string { return e.Type }

func (*Unknown) isEvent() {}

// appendChannelIDs appends the id of the event's top-level "channel"
// object, if it has one.
func (e *Unknown) appendChannelIDs(dst []string) []string {
	return appendID(dst, len(dst), e.channelID)
}

// appendBridgeIDs appends the id of the event's top-level "bridge" object,
// if it has one.
func (e *Unknown) appendBridgeIDs(dst []string) []string {
	return appendID(dst, len(dst), e.bridgeID)
}

// MarshalJSON returns Raw, or the common members when Raw is empty.
func (e *Unknown) MarshalJSON() ([]byte, error) {
	if len(e.Raw) > 0 {
		return e.Raw, nil
	}
	var enc wire.Encoder
	enc.ObjectStart()
	enc.Key("type")
	enc.String(e.Type)
	if e.AsteriskID != "" {
		enc.Key("asterisk_id")
		enc.String(e.AsteriskID)
	}
	if e.Application != "" {
		enc.Key("application")
		enc.String(e.Application)
	}
	if !e.Timestamp.IsZero() {
		enc.Key("timestamp")
		enc.Time(e.Timestamp.Time)
	}
	enc.ObjectEnd()
	return enc.Bytes(), nil
}

// decodeKey reads the members of an unknown event that every event has.
func (e *Unknown) decodeKey(d *wire.Decoder, key string) {
	d.SetKeyContext(key)
	switch key {
	case "type":
		e.Type = d.String()
	case "asterisk_id":
		e.AsteriskID = d.String()
	case "application":
		e.Application = d.String()
	case "timestamp":
		e.Timestamp = ari.Time{Time: d.Time()}
	case "channel":
		e.channelID = objectID(d)
	case "bridge":
		e.bridgeID = objectID(d)
	default:
		d.Skip()
	}
}

// objectID reads an object and returns its string "id" member, skipping
// anything that is not an object.
func objectID(d *wire.Decoder) string {
	if d.Peek() != wire.KindObject {
		d.Skip()
		return ""
	}
	id := ""
	d.Object()
	for {
		k, ok := d.Key()
		if !ok {
			return id
		}
		if k == "id" && d.Peek() == wire.KindString {
			id = d.String()
			continue
		}
		d.Skip()
	}
}
