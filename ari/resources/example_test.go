package resources_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// newFakeAsterisk starts a tiny in-process stand-in for Asterisk 22.10.1,
// enough for the examples: originate, get, play, and bridges. Its replies
// have the shape of a real Asterisk's.
func newFakeAsterisk() *httptest.Server {
	var mu sync.Mutex
	channels := map[string]string{}  // id -> caller id name
	bridges := map[string][]string{} // id -> channel ids

	channelJSON := func(id, name string) string {
		return `{"id":"` + id + `","name":"Local/100@default-00000012;1","state":"Down","protocol_id":"",` +
			`"caller":{"name":"` + name + `","number":"1001"},"connected":{"name":"","number":""},"accountcode":"",` +
			`"dialplan":{"context":"default","exten":"100","priority":1,"app_name":"AppDial2","app_data":"(Outgoing Line)"},` +
			`"creationtime":"2026-11-25T19:41:00.885+0000","language":"en"}`
	}
	bridgeJSON := func(id string, chans []string) string {
		ids := `"` + strings.Join(chans, `","`) + `"`
		if len(chans) == 0 {
			ids = ""
		}
		return `{"id":"` + id + `","technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis",` +
			`"creator":"Stasis","name":"","channels":[` + ids + `],"creationtime":"2026-11-25T19:41:01.102+0000","video_mode":"talker"}`
	}
	reply := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /ari/channels", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		id, name := q.Get("channelId"), strings.TrimSuffix(strings.Split(q.Get("callerId"), " <")[0], " ")
		mu.Lock()
		channels[id] = name
		mu.Unlock()
		reply(w, http.StatusOK, channelJSON(id, name))
	})
	mux.HandleFunc("GET /ari/channels/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		name, ok := channels[r.PathValue("id")]
		mu.Unlock()
		if !ok {
			reply(w, http.StatusNotFound, `{"message":"Channel not found"}`)
			return
		}
		reply(w, http.StatusOK, channelJSON(r.PathValue("id"), name))
	})
	mux.HandleFunc("POST /ari/channels/{id}/play", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		media := strings.Split(q.Get("media"), ",")
		next := ""
		if len(media) > 1 {
			next = `"next_media_uri":"` + media[1] + `",`
		}
		w.Header().Set("Location", "/ari/playbacks/"+q.Get("playbackId"))
		reply(w, http.StatusCreated, `{"id":"`+q.Get("playbackId")+`","media_uri":"`+media[0]+`",`+next+
			`"target_uri":"channel:`+r.PathValue("id")+`","language":"en","state":"queued"}`)
	})
	mux.HandleFunc("POST /ari/bridges", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("bridgeId")
		mu.Lock()
		bridges[id] = nil
		mu.Unlock()
		reply(w, http.StatusOK, bridgeJSON(id, nil))
	})
	mux.HandleFunc("POST /ari/bridges/{id}/addChannel", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		id := r.PathValue("id")
		if _, ok := bridges[id]; !ok {
			reply(w, http.StatusNotFound, `{"message":"Bridge not found"}`)
			return
		}
		bridges[id] = append(bridges[id], strings.Split(r.URL.Query().Get("channel"), ",")...)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /ari/bridges/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		chans, ok := bridges[r.PathValue("id")]
		mu.Unlock()
		if !ok {
			reply(w, http.StatusNotFound, `{"message":"Bridge not found"}`)
			return
		}
		reply(w, http.StatusOK, bridgeJSON(r.PathValue("id"), chans))
	})
	return httptest.NewServer(mux)
}

// newExampleClient connects to srv as an app would connect to Asterisk.
func newExampleClient(srv *httptest.Server) *resources.Client {
	c, err := ari.NewClient(ari.Config{
		URL:      srv.URL, // e.g. "http://127.0.0.1:8088"
		Username: "asterisk",
		Password: "secret",
		Version:  "22.10.1", // optional: skips asking the server
	})
	if err != nil {
		log.Fatal(err)
	}
	return resources.New(c)
}

// Originate a call to a local extension and hand it to the Stasis
// application "testapp".
func ExampleChannelsService_Originate() {
	srv := newFakeAsterisk()
	defer srv.Close()
	client := newExampleClient(srv)
	ctx := context.Background()

	ch, err := client.Channels.Originate(ctx, &resources.ChannelOriginateParams{
		Endpoint:  "Local/100@default",
		App:       "testapp",
		AppArgs:   "inbound,vip",
		ChannelID: "call-1",
		CallerID:  "Alice <1001>",
		Variables: ari.Vars{"CDR(userfield)": {Value: "demo"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ch.ID, ch.State, ch.Caller.Name, ch.Caller.Number)
	fmt.Println(ch.CreationTime.UTC().Format("2006-01-02 15:04:05.000"))
	// Output:
	// call-1 Down Alice 1001
	// 2026-11-25 19:41:00.885
}

// Play several sounds on a channel, one after the other, as one playback.
func ExampleChannelsService_Play() {
	srv := newFakeAsterisk()
	defer srv.Close()
	client := newExampleClient(srv)
	ctx := context.Background()

	pb, err := client.Channels.Play(ctx, "call-1", &resources.ChannelPlayParams{
		Media:      []string{"sound:hello-world", "digits:1234"},
		Lang:       "en",
		PlaybackID: "pb-1",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pb.ID, pb.State, pb.MediaURI, "then", pb.NextMediaURI, "on", pb.TargetURI)
	// Output:
	// pb-1 queued sound:hello-world then digits:1234 on channel:call-1
}

// Create a mixing bridge and put two channels in it.
func ExampleBridgesService_AddChannel() {
	srv := newFakeAsterisk()
	defer srv.Close()
	client := newExampleClient(srv)
	ctx := context.Background()

	br, err := client.Bridges.Create(ctx, &resources.BridgeCreateParams{Type: "mixing", BridgeID: "conf-1"})
	if err != nil {
		log.Fatal(err)
	}
	err = client.Bridges.AddChannel(ctx, br.ID, &resources.BridgeAddChannelParams{
		Channel: []string{"call-1", "call-2"},
		Role:    "participant",
	})
	if err != nil {
		log.Fatal(err)
	}
	br, err = client.Bridges.Get(ctx, br.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(br.ID, br.BridgeType, br.Channels)
	// Output:
	// conf-1 mixing [call-1 call-2]
}

// Errors are *ari.Error values: errors.Is matches the status sentinels, and
// errors.As gives the status, Asterisk's own message and the reason the
// API description gives.
func Example_errors() {
	srv := newFakeAsterisk()
	defer srv.Close()
	client := newExampleClient(srv)
	ctx := context.Background()

	_, err := client.Channels.Get(ctx, "nosuch")
	if errors.Is(err, ari.ErrNotFound) {
		fmt.Println("no such channel")
	}
	var ariErr *ari.Error
	if errors.As(err, &ariErr) {
		fmt.Println(ariErr.Status, ariErr.Message)
	}
	fmt.Println(err)

	// A call the server's Asterisk release does not have is refused
	// before anything is sent.
	old, _ := ari.NewClient(ari.Config{URL: srv.URL, Version: "16.30.1"})
	err = resources.New(old).Channels.Progress(ctx, "call-1")
	fmt.Println(errors.Is(err, ari.ErrUnsupported))
	// Output:
	// no such channel
	// 404 Channel not found
	// ari: channels.get GET /channels/nosuch: 404 Not Found: Channel not found
	// true
}
