package wire

import (
	"encoding/json"
	"strconv"
	"time"
)

// The types and decoders in this file stand for what the generator emits
// for the StasisStart event, so that tests and benchmarks can measure the
// Decoder the way it will be used.

type tCallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

type tDialplan struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int64  `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

type tChannel struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	State        string            `json:"state"`
	ProtocolID   string            `json:"protocol_id"`
	Caller       tCallerID         `json:"caller"`
	Connected    tCallerID         `json:"connected"`
	Accountcode  string            `json:"accountcode"`
	Dialplan     tDialplan         `json:"dialplan"`
	Creationtime jsonTime          `json:"creationtime"`
	Language     string            `json:"language"`
	Channelvars  map[string]string `json:"channelvars,omitempty"`
}

type tStasisStart struct {
	Type           string    `json:"type"`
	Timestamp      jsonTime  `json:"timestamp"`
	Args           []string  `json:"args"`
	Channel        tChannel  `json:"channel"`
	ReplaceChannel *tChannel `json:"replace_channel,omitempty"`
	AsteriskID     string    `json:"asterisk_id"`
	Application    string    `json:"application"`
}

// jsonTime is how an encoding/json based SDK reads Asterisk dates.
type jsonTime struct{ time.Time }

func (t *jsonTime) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil || s == "" {
		return err
	}
	t.Time, err = time.Parse(Layout, s)
	return err
}

// eventType finds the discriminator of an event, as generated dispatch code
// does before choosing the decoder.
func eventType(s string) string {
	var d Decoder
	d.Reset(s)
	if !d.Object() {
		return ""
	}
	for {
		k, ok := d.Key()
		if !ok {
			return ""
		}
		if k == "type" {
			return d.String()
		}
		d.Skip()
	}
}

// decodeStasisStart decodes s into ev, which must be zero.
func decodeStasisStart(s string, ev *tStasisStart) error {
	var d Decoder
	d.Reset(s)
	if d.Object() {
		for {
			k, ok := d.Key()
			if !ok {
				break
			}
			switch k {
			case "type":
				ev.Type = d.String()
			case "timestamp":
				ev.Timestamp.Time = d.Time()
			case "args":
				ev.Args = d.Strings()
			case "channel":
				decodeChannel(&d, &ev.Channel)
			case "replace_channel":
				if d.Null() {
					break
				}
				ev.ReplaceChannel = new(tChannel)
				decodeChannel(&d, ev.ReplaceChannel)
			case "asterisk_id":
				ev.AsteriskID = d.String()
			case "application":
				ev.Application = d.String()
			default:
				d.Skip()
			}
		}
	}
	d.End()
	return d.Err()
}

func decodeChannel(d *Decoder, c *tChannel) {
	if !d.Object() {
		return
	}
	for {
		k, ok := d.Key()
		if !ok {
			return
		}
		switch k {
		case "id":
			c.ID = d.String()
		case "name":
			c.Name = d.String()
		case "state":
			c.State = d.String()
		case "protocol_id":
			c.ProtocolID = d.String()
		case "caller":
			decodeCallerID(d, &c.Caller)
		case "connected":
			decodeCallerID(d, &c.Connected)
		case "accountcode":
			c.Accountcode = d.String()
		case "dialplan":
			decodeDialplan(d, &c.Dialplan)
		case "creationtime":
			c.Creationtime.Time = d.Time()
		case "language":
			c.Language = d.String()
		case "channelvars":
			c.Channelvars = d.StringMap()
		default:
			d.Skip()
		}
	}
}

func decodeCallerID(d *Decoder, c *tCallerID) {
	if !d.Object() {
		return
	}
	for {
		k, ok := d.Key()
		if !ok {
			return
		}
		switch k {
		case "name":
			c.Name = d.String()
		case "number":
			c.Number = d.String()
		default:
			d.Skip()
		}
	}
}

func decodeDialplan(d *Decoder, p *tDialplan) {
	if !d.Object() {
		return
	}
	for {
		k, ok := d.Key()
		if !ok {
			return
		}
		switch k {
		case "context":
			p.Context = d.String()
		case "exten":
			p.Exten = d.String()
		case "priority":
			p.Priority = d.Int64()
		case "app_name":
			p.AppName = d.String()
		case "app_data":
			p.AppData = d.String()
		default:
			d.Skip()
		}
	}
}

// decodeWithEncodingJSON is what the leading Go peer does: parse once for
// the type, then again into the concrete struct.
func decodeWithEncodingJSON(data []byte, ev *tStasisStart) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	return json.Unmarshal(data, ev)
}
