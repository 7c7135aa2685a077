package wire_test

import (
	"fmt"

	"gostasis.dev/ari/internal/wire"
)

// A generated decoder reads each key and decodes or skips its value, then
// checks the one sticky error at the end.
func ExampleDecoder() {
	data := []byte(`{"type":"ChannelDtmfReceived","digit":"5","duration_ms":120,"channel":{"id":"c1","state":"Up"}}`)

	var digit, channelID string
	var duration int
	var d wire.Decoder
	d.Reset(string(data))
	if d.Object() {
		for {
			k, ok := d.Key()
			if !ok {
				break
			}
			switch k {
			case "digit":
				digit = d.String()
			case "duration_ms":
				duration = d.Int()
			case "channel":
				if d.Object() {
					for {
						k, ok := d.Key()
						if !ok {
							break
						}
						if k == "id" {
							channelID = d.String()
						} else {
							d.Skip()
						}
					}
				}
			default:
				d.Skip() // unknown fields are fine
			}
		}
	}
	d.End()
	if err := d.Err(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(digit, duration, channelID)
	// Output: 5 120 c1
}

// Errors carry the byte offset and the key being decoded.
func ExampleDecoder_error() {
	var d wire.Decoder
	d.Reset(`{"duration_ms":"120"}`)
	d.Object()
	d.Key()
	d.Int()
	fmt.Println(d.Err())
	// Output: json: at byte 15 (key "duration_ms"): expected integer, found string
}

// The Encoder inserts commas itself.
func ExampleEncoder() {
	var e wire.Encoder
	e.ObjectStart()
	e.Key("digit")
	e.String("5")
	e.Key("args")
	e.Strings([]string{"a<b", "c"})
	e.Key("variables")
	e.StringMap(map[string]string{"Y": "2", "X": "1"})
	e.ObjectEnd()
	fmt.Println(string(e.Bytes()))
	// Output: {"digit":"5","args":["a\u003cb","c"],"variables":{"X":"1","Y":"2"}}
}
