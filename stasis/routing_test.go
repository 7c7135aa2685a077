package stasis

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

func TestOriginateEventsBeforeReply(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	// Asterisk sends the new channel's events before the REST reply.
	f.handle("POST /channels", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("channelId")
		f.send(ev("ChannelCreated", "app", map[string]any{"channel": channel(id)}),
			ev("ChannelStateChange", "app", map[string]any{"channel": channel(id)}),
			stasisStart("app", id))
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"id":%q,"name":"PJSIP/bob","state":"Down","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"s","priority":1,"app_name":"","app_data":""},"creationtime":"2026-11-25T19:41:00.885+0000","language":"en"}`, id)
	})
	origID := make(chan string, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if s, ok := e.(*events.StasisStart); ok && s.Channel.ID == call.ChannelID {
			ch, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "PJSIP/bob"})
			if err != nil {
				return err
			}
			origID <- ch.ID
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "caller"))
	id := <-origID
	assert.NotEmpty(t, id)
	f.send(dtmf("app", id, "7"), stasisEnd("app", "caller"))
	r := log.waitEnded(t, 1)[0]
	assert.Equal(t, []string{"StasisStart", "ChannelCreated", "ChannelStateChange", "StasisStart", "ChannelDtmfReceived", "StasisEnd"}, r.types())
	assert.Len(t, log.get("app", id), 0, "the originated channel did not start a call of its own")
	// The request named the id and the app.
	var sent string
	for _, req := range f.requestLog() {
		if strings.HasPrefix(req, "POST /channels?") {
			sent = req
		}
	}
	assert.Contains(t, sent, "channelId="+id)
	assert.Contains(t, sent, "app=app")
	assert.Contains(t, sent, "endpoint=PJSIP%2Fbob")
	// When the call ended, the channel it originated was hung up.
	eventually(t, func() bool {
		for _, req := range f.requestLog() {
			if strings.HasPrefix(req, "DELETE /channels/"+id) {
				return true
			}
		}
		return false
	}, "originated channel hung up")
}

func TestOriginateFailureUnregisters(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	f.handleJSON("POST /channels", http.StatusBadRequest, `{"message":"Invalid parameters"}`)
	errs := make(chan error, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if _, ok := e.(*events.StasisStart); ok {
			_, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "PJSIP/bob", ChannelID: "x1"})
			errs <- err
		}
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "caller"))
	require.Error(t, <-errs)
	a := rt.nodes[0].apps["app"]
	eventually(t, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.channels["x1"] == nil && a.channels["x1;2"] == nil
	}, "x1 unregistered")
	f.send(stasisEnd("app", "caller"))
	log.waitEnded(t, 1)
}

func TestBridgeEventsReachMembersOnly(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	bridge := map[string]any{"id": "b1", "technology": "simple_bridge", "bridge_type": "mixing", "bridge_class": "stasis", "creator": "Stasis", "name": "", "channels": []string{}, "creationtime": "2026-11-25T19:41:00.885+0000", "video_mode": "talker"}
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"), stasisStart("app", "c3"),
		ev("ChannelEnteredBridge", "app", map[string]any{"bridge": bridge, "channel": channel("c1")}),
		ev("ChannelEnteredBridge", "app", map[string]any{"bridge": bridge, "channel": channel("c2")}),
		// A bridge-only event reaches c1 and c2, not c3.
		ev("BridgeVideoSourceChanged", "app", map[string]any{"bridge": bridge}),
		ev("ChannelLeftBridge", "app", map[string]any{"bridge": bridge, "channel": channel("c1")}),
		ev("BridgeVideoSourceChanged", "app", map[string]any{"bridge": bridge}),
		stasisEnd("app", "c1"), stasisEnd("app", "c2"), stasisEnd("app", "c3"))
	ended := log.waitEnded(t, 3)
	got := map[string][]string{}
	for _, r := range ended {
		got[r.call.ChannelID] = r.types()
	}
	assert.Equal(t, []string{"StasisStart", "ChannelEnteredBridge", "ChannelEnteredBridge", "BridgeVideoSourceChanged", "ChannelLeftBridge", "StasisEnd"}, got["c1"])
	assert.Equal(t, []string{"StasisStart", "ChannelEnteredBridge", "BridgeVideoSourceChanged", "ChannelLeftBridge", "BridgeVideoSourceChanged", "StasisEnd"}, got["c2"])
	assert.Equal(t, []string{"StasisStart", "StasisEnd"}, got["c3"])
}

func TestPlaybackEventsReachTheirChannel(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	pb := func(target string) map[string]any {
		return map[string]any{"playback": map[string]any{"id": "p", "media_uri": "sound:x", "target_uri": target, "language": "en", "state": "playing"}}
	}
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"),
		ev("PlaybackStarted", "app", pb("channel:c1")),
		ev("PlaybackFinished", "app", pb("channel:c2")),
		ev("Dial", "app", map[string]any{"peer": channel("c2"), "dialstatus": "ANSWER"}),
		stasisEnd("app", "c1"), stasisEnd("app", "c2"))
	ended := log.waitEnded(t, 2)
	got := map[string][]string{}
	for _, r := range ended {
		got[r.call.ChannelID] = r.types()
	}
	assert.Equal(t, []string{"StasisStart", "PlaybackStarted", "StasisEnd"}, got["c1"])
	assert.Equal(t, []string{"StasisStart", "PlaybackFinished", "Dial", "StasisEnd"}, got["c2"])
}

func TestRouter(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	moves := make(chan string, 8)
	f.handle("POST /channels/*", func(w http.ResponseWriter, r *http.Request) {
		moves <- r.URL.Path + "?" + r.URL.RawQuery
		if r.URL.Query().Get("app") == "ghost" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"message":"Channel not in Stasis application"}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	hangups := make(chan string, 8)
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) {
		hangups <- r.URL.Path + "?" + r.URL.RawQuery
		w.WriteHeader(http.StatusNoContent)
	})
	router := Router(RouterConfig{Routes: map[string]string{"100": "ivr", "+15555550101": "ivr", "200": "ghost"}, Fallback: "operator"})
	rt, err := New(Config{Client: f.client(), Apps: []App{router, log.app("ivr"), log.app("operator")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	// Matched: moved to ivr with the original args.
	f.send(stasisStart("router", "m1", "100"))
	assert.Equal(t, "/ari/channels/m1/move?app=ivr&appArgs=100", <-moves)
	f.send(stasisEnd("router", "m1"))

	// Unmatched and no default: hung up.
	f.send(stasisStart("router", "u1", "999"))
	assert.Equal(t, "/ari/channels/u1?reason=unallocated", <-hangups)
	f.send(stasisEnd("router", "u1"))

	// The move fails: the call goes to the fallback.
	f.send(stasisStart("router", "g1", "200"))
	assert.Equal(t, "/ari/channels/g1/move?app=ghost&appArgs=200", <-moves)
	assert.Equal(t, "/ari/channels/g1/move?app=operator&appArgs=200", <-moves)
	f.send(stasisEnd("router", "g1"))

	// ApplicationMoveFailed: the fallback, then hangup when that fails too.
	f.send(stasisStart("router", "a1", "+15555550101"))
	assert.Equal(t, "/ari/channels/a1/move?app=ivr&appArgs=%2B15555550101", <-moves)
	f.send(ev("ApplicationMoveFailed", "router", map[string]any{"channel": channel("a1"), "destination": "ivr", "args": []string{}}))
	assert.Equal(t, "/ari/channels/a1/move?app=operator&appArgs=%2B15555550101", <-moves)
	f.send(ev("ApplicationMoveFailed", "router", map[string]any{"channel": channel("a1"), "destination": "operator", "args": []string{}}))
	assert.Equal(t, "/ari/channels/a1?reason=unallocated", <-hangups)
	f.send(stasisEnd("router", "a1"))
	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "router calls ended")
}

func TestRecordingEventsReachTheirTarget(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	rec := func(target string) map[string]any {
		return map[string]any{"recording": map[string]any{"name": "r", "format": "wav", "state": "recording", "target_uri": target}}
	}
	bridge := map[string]any{"id": "b1", "technology": "simple_bridge", "bridge_type": "mixing", "bridge_class": "stasis", "creator": "Stasis", "name": "", "channels": []string{"c2"}, "creationtime": "2026-11-25T19:41:00.885+0000", "video_mode": "talker"}
	f.send(stasisStart("app", "c1"), stasisStart("app", "c2"),
		ev("ChannelEnteredBridge", "app", map[string]any{"bridge": bridge, "channel": channel("c2")}),
		// A recording of c1 reaches c1; one of the bridge reaches its member c2.
		ev("RecordingStarted", "app", rec("channel:c1")),
		ev("RecordingFinished", "app", rec("bridge:b1")),
		stasisEnd("app", "c1"), stasisEnd("app", "c2"))
	ended := log.waitEnded(t, 2)
	got := map[string][]string{}
	for _, r := range ended {
		got[r.call.ChannelID] = r.types()
	}
	assert.Equal(t, []string{"StasisStart", "RecordingStarted", "StasisEnd"}, got["c1"])
	assert.Equal(t, []string{"StasisStart", "ChannelEnteredBridge", "RecordingFinished", "StasisEnd"}, got["c2"])
}

func TestConnectionPerApp(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	connected := make(chan string, 2)
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("a"), log.app("b")}, Connection: ConnectionPerApp,
		OnState: func(sc ari.StateChange) {
			if sc.State == ari.StateConnected {
				connected <- strings.Join(sc.Apps, ",")
			}
		}})
	require.NoError(t, err)
	startRuntime(t, rt)
	got := []string{f.waitConnected(), f.waitConnected()}
	assert.ElementsMatch(t, []string{"a", "b"}, got, "one websocket per app")
	assert.ElementsMatch(t, []string{"a", "b"}, []string{<-connected, <-connected}, "OnState says which connection")
	// Each app's events arrive on its own websocket.
	f.mu.Lock()
	conns := map[string]int{}
	for i, apps := range f.connApps {
		conns[apps] = i
	}
	f.mu.Unlock()
	f.sendOn(conns["a"], stasisStart("a", "c1"), stasisEnd("a", "c1"))
	f.sendOn(conns["b"], stasisStart("b", "c2"), stasisEnd("b", "c2"))
	ended := log.waitEnded(t, 2)
	apps := []string{ended[0].call.App, ended[1].call.App}
	assert.ElementsMatch(t, []string{"a", "b"}, apps)
}
