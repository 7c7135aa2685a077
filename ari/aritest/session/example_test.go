package session_test

import (
	"fmt"
	"strings"

	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/events"
)

// A recorded session (two events and the REST exchange between them, as
// `ari record` writes them) read back: each exchange knows how many events
// came before it. aritest's Server.Replay plays such a session into a
// simulated Asterisk.
func Example() {
	file := `{"kind":"header","format":1,"version":"22.10.1","apps":["demo"]}
{"kind":"event","time":"2026-12-01T10:00:00Z","conn":1,"event":{"type":"StasisStart","application":"demo","timestamp":"2026-12-01T10:00:00.000+0000","args":[],"channel":{"id":"c1","name":"PJSIP/alice-1","state":"Up"}}}
{"kind":"rest","time":"2026-12-01T10:00:00.5Z","method":"DELETE","path":"/ari/channels/c1","query":"reason=normal","status":204}
{"kind":"event","time":"2026-12-01T10:00:01Z","conn":1,"event":{"type":"StasisEnd","application":"demo","timestamp":"2026-12-01T10:00:01.000+0000","channel":{"id":"c1","name":"PJSIP/alice-1","state":"Up"}}}
`
	sess, err := session.Read(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Asterisk", sess.Header.Version, "apps", sess.Header.Apps)
	for _, e := range sess.Events {
		ev, err := events.Decode(e.Data)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ev.EventType(), events.ChannelIDs(ev))
	}
	for _, x := range sess.Exchanges {
		fmt.Println(x.Method, x.Path+"?"+x.Query, x.Status, "after", x.After, "event(s)")
	}
	// Output:
	// Asterisk 22.10.1 apps [demo]
	// StasisStart [c1]
	// StasisEnd [c1]
	// DELETE /ari/channels/c1?reason=normal 204 after 1 event(s)
}
