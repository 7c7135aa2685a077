package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// eventFilter selects events by type and channel; an empty criterion
// selects every event. (The applications are chosen by registering them.)
type eventFilter struct {
	types   map[string]bool
	channel string
}

func newEventFilter(types []string, channel string) eventFilter {
	f := eventFilter{channel: channel}
	if len(types) > 0 {
		f.types = map[string]bool{}
		for _, t := range types {
			f.types[t] = true
		}
	}
	return f
}

func (f eventFilter) match(e events.Event) bool {
	if f.types != nil && !f.types[e.EventType()] {
		return false
	}
	if f.channel != "" {
		for _, id := range events.ChannelIDs(e) {
			if id == f.channel {
				return true
			}
		}
		return false
	}
	return true
}

// eventPrinter writes events as one line each: pretty, or the JSON as
// received (compacted) with asJSON.
type eventPrinter struct {
	out, errOut io.Writer
	filter      eventFilter
	asJSON      bool
}

// frame prints one message of the events websocket; a message that does
// not decode is reported on errOut.
func (p *eventPrinter) frame(data []byte) {
	e, err := events.Decode(data)
	if err != nil {
		fmt.Fprintf(p.errOut, "ari: undecodable event (%v): %s\n", err, clip(data, 200))
		return
	}
	if !p.filter.match(e) {
		return
	}
	if p.asJSON {
		var b bytes.Buffer
		if json.Compact(&b, data) != nil {
			b.Reset()
			b.Write(data)
		}
		b.WriteByte('\n')
		_, _ = p.out.Write(b.Bytes())
		return
	}
	fmt.Fprintln(p.out, pretty(e))
}

// clip returns data shortened to n bytes, for a message.
func clip(data []byte, n int) string {
	if len(data) <= n {
		return string(data)
	}
	return string(data[:n]) + "..."
}

// pretty is one line describing e: time, type, application, the channels
// and bridges it is about, and a few members of well-known types.
func pretty(e events.Event) string {
	b := e.Base()
	var s strings.Builder
	if !b.Timestamp.IsZero() {
		s.WriteString(b.Timestamp.Format("15:04:05.000"))
		s.WriteByte(' ')
	}
	s.WriteString(e.EventType())
	if b.Application != "" {
		s.WriteString(" app=" + b.Application)
	}
	if ids := events.ChannelIDs(e); len(ids) > 0 {
		s.WriteString(" channel=" + strings.Join(ids, ","))
	}
	if ids := events.BridgeIDs(e); len(ids) > 0 {
		s.WriteString(" bridge=" + strings.Join(ids, ","))
	}
	for _, kv := range details(e) {
		s.WriteString(" " + kv)
	}
	return s.String()
}

// details are the members worth a look of some event types, as key=value.
func details(e events.Event) []string {
	q := func(k, v string) string {
		if v == "" || strings.ContainsAny(v, " \"=") {
			return k + "=" + fmt.Sprintf("%q", v)
		}
		return k + "=" + v
	}
	ch := func(c ari.Channel) []string {
		return []string{q("name", c.Name), q("state", string(c.State))}
	}
	switch e := e.(type) {
	case *events.StasisStart:
		return append(ch(e.Channel), q("args", strings.Join(e.Args, ",")))
	case *events.ChannelStateChange:
		return ch(e.Channel)
	case *events.ChannelDTMFReceived:
		return []string{q("digit", e.Digit), fmt.Sprintf("duration_ms=%d", e.DurationMS)}
	case *events.ChannelHangupRequest:
		return []string{fmt.Sprintf("cause=%d", e.Cause)}
	case *events.ChannelDestroyed:
		return []string{fmt.Sprintf("cause=%d", e.Cause), q("cause_txt", e.CauseTxt)}
	case *events.ChannelVarset:
		return []string{q("variable", e.Variable), q("value", e.Value)}
	case *events.PlaybackStarted:
		return []string{q("playback", e.Playback.ID), q("media", e.Playback.MediaURI), q("state", string(e.Playback.State))}
	case *events.PlaybackFinished:
		return []string{q("playback", e.Playback.ID), q("media", e.Playback.MediaURI), q("state", string(e.Playback.State))}
	case *events.Dial:
		return []string{q("dialstatus", e.DialStatus), q("dialstring", e.DialString)}
	}
	return nil
}
