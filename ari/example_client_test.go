package ari_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"time"

	"gostasis.dev/ari"
)

func ExampleNewClient() {
	c, err := ari.NewClient(ari.Config{
		URL:      "http://127.0.0.1:8088",
		Username: "asterisk",
		Password: "secret",
		Logger:   slog.Default(),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := c.Version(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Asterisk", v)
}

// Errors carry Asterisk's message and match sentinels by status.
func ExampleError() {
	var err error = &ari.Error{
		Op: "channels.get", Method: "GET", Path: "/channels/nosuch",
		Status: 404, Message: "Channel not found",
	}
	if errors.Is(err, ari.ErrNotFound) {
		fmt.Println("gone:", err)
	}
	fmt.Println(ari.StatusCode(err))
	// Output:
	// gone: ari: channels.get GET /channels/nosuch: 404 Not Found: Channel not found
	// 404
}

func ExampleQuery() {
	var q ari.Query
	q.Add("endpoint", "PJSIP/alice")
	q.Add("callerId", "Alice <100>")
	q.AddList("app", []string{"ivr", "queue"})
	q.AddInt("timeout", 30)
	fmt.Println(q.Encode())
	// Output: endpoint=PJSIP%2Falice&callerId=Alice%20%3C100%3E&app=ivr,queue&timeout=30
}

func ExamplePathEscape() {
	fmt.Println("/channels/" + ari.PathEscape("Local/100@default-00000001;2") + "/answer")
	fmt.Println("/recordings/stored/" + ari.PathEscape("../../etc") + "/file")
	// Output:
	// /channels/Local%2F100%40default-00000001%3B2/answer
	// /recordings/stored/%2E%2E%2F%2E%2E%2Fetc/file
}

func ExampleClient_EventStream() {
	c, err := ari.NewClient(ari.Config{URL: "http://127.0.0.1:8088", Username: "asterisk", Password: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	frames := make(chan ari.Frame, 1024)
	stream := c.EventStream(ari.EventStreamConfig{
		Apps: []string{"ivr"},
		OnState: func(sc ari.StateChange) {
			if sc.State == ari.StateConnected && sc.Reconnect {
				// Events sent while disconnected are lost: re-read the
				// channels and bridges of the app.
				log.Println("reconnected: resynchronising")
			}
		},
	})
	go func() {
		for f := range frames {
			_ = f.Data // decode with package events
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// deliver must not block: hand each frame over and return.
	err = stream.Run(ctx, func(f ari.Frame) { frames <- f })
	log.Println("event stream stopped:", err)
}

func ExampleVars() {
	vars := ari.VarsOf(map[string]string{"CALLERID(name)": "Alice"})
	vars["Call_State"] = ari.VarValue{Value: "WaitingForAgent", ReportEvents: true}
	b, _ := json.Marshal(vars)
	fmt.Println(string(b))
	// Output: {"CALLERID(name)":"Alice","Call_State":{"value":"WaitingForAgent","report_events":true}}
}
