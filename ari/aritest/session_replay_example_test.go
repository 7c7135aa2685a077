package aritest_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/events"
)

// A recorded session (two events and the request the application made
// between them, as `ari record` writes them) replayed to an events
// stream: the consumer sees the recorded events in the recorded order,
// and its request gets the recorded answer.
func ExampleServer_Replay() {
	file := `{"kind":"header","format":1,"version":"22.10.1","apps":["demo"]}
{"kind":"event","time":"2026-12-01T10:00:00Z","conn":1,"event":{"type":"StasisStart","application":"demo","timestamp":"2026-12-01T10:00:00.000+0000","args":[],"channel":{"id":"c1","name":"PJSIP/alice-1","state":"Up"}}}
{"kind":"rest","time":"2026-12-01T10:00:00.5Z","method":"DELETE","path":"/ari/channels/c1","status":204}
{"kind":"event","time":"2026-12-01T10:00:01Z","conn":1,"event":{"type":"StasisEnd","application":"demo","timestamp":"2026-12-01T10:00:01.000+0000","channel":{"id":"c1","name":"PJSIP/alice-1","state":"Up"}}}
`
	sess, err := session.Read(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := aritest.NewServer(aritest.Config{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The application under test: it hangs up each call it is given.
	appCtx, stop := context.WithCancel(ctx)
	appDone := make(chan struct{})
	go func() {
		defer close(appDone)
		_ = srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{"demo"}}).Run(appCtx, func(f ari.Frame) {
			e, err := events.Decode(f.Data)
			if err != nil {
				return
			}
			fmt.Println(e.EventType(), events.ChannelIDs(e))
			switch e := e.(type) {
			case *events.StasisStart:
				_ = srv.Resources().Channels.Hangup(ctx, e.Channel.ID, nil) // the recorded 204
			case *events.StasisEnd:
				stop()
			}
		})
	}()

	rep, err := srv.Replay(ctx, sess, aritest.ReplayOptions{Strict: true})
	<-appDone
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Events, "events,", len(rep.Answered), "recorded answer,", len(rep.Missing), "missing")
	// Output:
	// StasisStart [c1]
	// StasisEnd [c1]
	// 2 events, 1 recorded answer, 0 missing
}
