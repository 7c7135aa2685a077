package stasis

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// TestCallParamsByPointer checks that Call's wrappers take params as the
// resources methods do, by pointer with nil for none, and leave the
// caller's struct as it was.
func TestCallParamsByPointer(t *testing.T) {
	f := newFakeAsterisk(t)
	log := newCallLog()
	f.handle("POST /channels", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"id":%q,"name":"PJSIP/bob","state":"Down","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"s","priority":1,"app_name":"","app_data":""},"creationtime":"2026-11-25T19:41:00.885+0000","language":"en"}`, r.URL.Query().Get("channelId"))
	})
	f.handle("POST /bridges", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"id":%q,"technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis","creator":"Stasis","name":"","channels":[],"creationtime":"2026-11-25T19:41:00.885+0000","video_mode":"none"}`, r.URL.Query().Get("bridgeId"))
	})
	f.handleJSON("POST /applications/*", http.StatusOK, `{"name":"app","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[]}`)
	done := make(chan error, 1)
	log.hook = func(call *Call, ctx context.Context, e events.Event) error {
		if s, ok := e.(*events.StasisStart); !ok || s.Channel.ID != call.ChannelID {
			return nil
		}
		p := &resources.ChannelOriginateParams{Endpoint: "PJSIP/bob", AppArgs: []string{"a,b"}}
		_, err := call.Originate(ctx, p)
		if err == nil && (p.ChannelID != "" || p.App != "") {
			err = fmt.Errorf("Originate wrote into the caller's params: %+v", *p)
		}
		if err == nil {
			_, err = call.CreateBridge(ctx, nil)
		}
		done <- err
		return nil
	}
	rt, err := New(Config{Client: f.client(), Apps: []App{log.app("app")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(stasisStart("app", "caller"))
	require.NoError(t, <-done)
	var originate, bridge string
	for _, req := range f.requestLog() {
		switch {
		case strings.HasPrefix(req, "POST /channels?"):
			originate = req
		case strings.HasPrefix(req, "POST /bridges?"):
			bridge = req
		}
	}
	assert.Contains(t, originate, "appArgs=a%5C%2Cb", "the argument is escaped for Stasis()")
	assert.Contains(t, originate, "app=app")
	assert.Contains(t, bridge, "bridgeId=")
	f.send(stasisEnd("app", "caller"))
	log.waitEnded(t, 1)
}

// TestRouterArgsAsList checks that the router moves a call with its
// arguments as a list, and hangs up a call whose arguments a move cannot
// carry (channels.move splits at every comma) instead of moving it with
// other arguments.
func TestRouterArgsAsList(t *testing.T) {
	f := newFakeAsterisk(t)
	moves := make(chan string, 8)
	f.handle("POST /channels/*", func(w http.ResponseWriter, r *http.Request) {
		moves <- r.URL.Path + "?" + r.URL.RawQuery
		w.WriteHeader(http.StatusNoContent)
	})
	hangups := make(chan string, 8)
	f.handle("DELETE /channels/*", func(w http.ResponseWriter, r *http.Request) {
		hangups <- r.URL.Path + "?" + r.URL.RawQuery
		w.WriteHeader(http.StatusNoContent)
	})
	log := newCallLog()
	rt, err := New(Config{Client: f.client(), Apps: []App{Router(RouterConfig{Routes: map[string]string{"100": "ivr"}}), log.app("ivr")}})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()

	f.send(stasisStart("router", "m1", "100", "b c"))
	assert.Equal(t, "/ari/channels/m1/move?app=ivr&appArgs=100,b%20c", <-moves)
	f.send(stasisEnd("router", "m1"))

	f.send(stasisStart("router", "m2", "100", "x,y"))
	assert.Equal(t, "/ari/channels/m2?reason=unallocated", <-hangups)
	assert.Empty(t, moves)
	f.send(stasisEnd("router", "m2"))
}
