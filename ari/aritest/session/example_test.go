package session_test

import (
	"context"
	"fmt"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/events"
)

// A recorded session (here two events, as `ari record` writes them) served
// to an events stream: the consumer sees the recorded events in order.
func Example() {
	file := `{"kind":"header","format":1,"version":"22.10.1","apps":["demo"]}
{"kind":"event","time":"2026-12-01T10:00:00Z","conn":1,"event":{"type":"StasisStart","application":"demo","timestamp":"2026-12-01T10:00:00.000+0000","args":[],"channel":{"id":"c1","name":"PJSIP/alice-1","state":"Up"}}}
{"kind":"event","time":"2026-12-01T10:00:01Z","conn":1,"event":{"type":"StasisEnd","application":"demo","timestamp":"2026-12-01T10:00:01.000+0000","channel":{"id":"c1","name":"PJSIP/alice-1","state":"Up"}}}
`
	sess, err := session.Read(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := session.NewServer(sess, session.ServerConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	_ = srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"demo"}}).Run(ctx, func(f ari.Frame) {
		e, err := events.Decode(f.Data)
		if err != nil {
			return
		}
		fmt.Println(e.EventType(), events.ChannelIDs(e))
		if n++; n == len(sess.Events) {
			cancel()
		}
	})
	// Output:
	// StasisStart [c1]
	// StasisEnd [c1]
}
