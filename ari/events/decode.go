package events

import (
	"errors"
	"fmt"
	"strconv"

	"gostasis.dev/ari"
	"gostasis.dev/ari/internal/wire"
)

// ErrNotObject is the error (inside an *ari.DecodeError) for a frame that
// is not a JSON object.
var ErrNotObject = errors.New("a message must be a JSON object")

// ErrNoType is the error (inside an *ari.DecodeError) for an object
// without a string "type" member.
var ErrNoType = errors.New(`the message has no "type"`)

// member is an object member read before "type" was known.
type member struct {
	key string
	raw string
	off int
}

// Decode reads one message from the events websocket into the concrete type
// its "type" names. It reads the bytes once: members are decoded straight
// into the event once "type" is known (Asterisk sends it first; members
// before it are kept as unparsed slices and decoded when it arrives). An
// unknown type gives an *Unknown, never an error. Malformed JSON gives an
// *ari.DecodeError whose Err says what and at which byte.
//
// data is not retained: the event's strings share one copy of it.
func Decode(data []byte) (Event, error) {
	s := string(data)
	var d wire.Decoder
	d.Reset(s)
	if k := d.Peek(); k != wire.KindObject {
		return nil, &ari.DecodeError{Type: "event", Err: notObject(s, d.Offset(), k)}
	}
	start := d.Offset()
	d.Object()
	var early [8]member
	before := early[:0]
	badType, badKind := -1, wire.KindInvalid // the first "type" that is not a string
	for {
		key, ok := d.Key()
		if !ok {
			break
		}
		if key != "type" {
			off := d.Offset()
			raw := d.Raw()
			before = append(before, member{key: key, raw: raw, off: valueStart(s, off)})
			continue
		}
		if k := d.Peek(); k != wire.KindString {
			if badType < 0 {
				badType, badKind = valueStart(s, d.Offset()), k
			}
			d.Skip()
			continue
		}
		typ := d.String()
		if d.Err() != nil {
			break
		}
		var ev decodable
		var unknown *Unknown
		if ev = newEvent(typ); ev == nil {
			unknown = &Unknown{}
			ev = unknown
		}
		ev.Base().Type = typ
		if len(before) > 0 {
			// Replay the members read before "type", each on its own, with
			// d itself: a second Decoder would be one more allocation per
			// member, as decodeKey's dynamic call makes its argument escape.
			saved := d
			for _, m := range before {
				d.Reset(m.raw)
				ev.decodeKey(&d, m.key)
				if err := d.Err(); err != nil {
					return nil, &ari.DecodeError{Type: typ, Err: shift(err, m.off)}
				}
			}
			d = saved
		}
		for {
			key, ok := d.Key()
			if !ok {
				break
			}
			if key == "type" {
				// The first "type" decides; a repeated one is ignored.
				d.Skip()
				continue
			}
			ev.decodeKey(&d, key)
		}
		d.End()
		if err := d.Err(); err != nil {
			return nil, &ari.DecodeError{Type: typ, Err: err}
		}
		if unknown != nil {
			unknown.Raw = []byte(s)
		}
		return ev, nil
	}
	d.End()
	if err := d.Err(); err != nil {
		return nil, &ari.DecodeError{Type: "event", Err: err}
	}
	if badType >= 0 {
		return nil, &ari.DecodeError{Type: "event", Err: fmt.Errorf(`at byte %d (key "type"): expected string, found %s: %w`, badType, badKind, ErrNoType)}
	}
	return nil, &ari.DecodeError{Type: "event", Err: fmt.Errorf("in the object at byte %d: %w", start, ErrNoType)}
}

// notObject is the error for a message that is not an object: its first
// value, of kind k, starts at off.
func notObject(s string, off int, k wire.Kind) error {
	var found string
	switch {
	case off >= len(s):
		found = "the end of the input"
	case k == wire.KindInvalid:
		found = "the character " + strconv.QuoteRune(rune(s[off]))
	default:
		found = k.String()
	}
	return fmt.Errorf("at byte %d: %w, found %s", off, ErrNotObject, found)
}

// valueStart is the offset of the value that starts at or after off.
func valueStart(s string, off int) int {
	for off < len(s) && (s[off] == ' ' || s[off] == '\t' || s[off] == '\n' || s[off] == '\r') {
		off++
	}
	return off
}

// shift makes an error found in a member decoded on its own report its
// offset in the whole message.
func shift(err error, off int) error {
	var se *wire.SyntaxError
	if errors.As(err, &se) {
		c := *se
		c.Offset += off
		return &c
	}
	return fmt.Errorf("at byte %d: %w", off, err)
}

// decodeDone checks that d consumed its whole input and wraps its error.
func decodeDone(d *wire.Decoder, typ string) error {
	d.End()
	if err := d.Err(); err != nil {
		return &ari.DecodeError{Type: typ, Err: err}
	}
	return nil
}
