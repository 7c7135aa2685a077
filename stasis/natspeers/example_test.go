package natspeers_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gostasis.dev/ari"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/natspeers"
)

// This example runs an embedded NATS server (in production: a NATS
// server, or cluster, that every instance reaches), announces an instance
// and claims a channel twice.
func Example() {
	dir, _ := os.MkdirTemp("", "natspeers")
	defer os.RemoveAll(dir)
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	ns.ReadyForConnections(10 * time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Println(err)
		return
	}
	peers, err := natspeers.New(ctx, js, natspeers.Config{TTL: 5 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}

	joinCtx, leave := context.WithCancel(ctx)
	defer leave()
	joined := make(chan error, 1)
	go func() { joined <- peers.Join(joinCtx, "pod-a") }()
	for {
		alive, err := peers.Alive(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if len(alive) > 0 {
			fmt.Println("alive:", alive)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	won, _ := peers.Claim(ctx, "adopt/pbx1/Local/100@default-00000001;1", "pod-b")
	fmt.Println("pod-b claims:", won)
	won, _ = peers.Claim(ctx, "adopt/pbx1/Local/100@default-00000001;1", "pod-c")
	fmt.Println("pod-c claims:", won)

	leave()
	fmt.Println("Join:", <-joined)
	alive, _ := peers.Alive(ctx)
	fmt.Println("alive after leaving:", alive)
	// Output:
	// alive: [pod-a]
	// pod-b claims: true
	// pod-c claims: false
	// Join: context canceled
	// alive after leaving: []
}

// This example wires Peers into a stasis runtime: the instance serves the
// app "w-<hostname>" and takes over the calls of the apps "w-<other>" whose
// instance has died.
func Example_cluster() {
	ctx := context.Background()
	hostname, _ := os.Hostname()
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Println(err)
		return
	}
	peers, err := natspeers.New(ctx, js, natspeers.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := ari.NewClient(ari.Config{URL: "http://asterisk:8088", Username: "app", Password: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rt, err := stasis.New(stasis.Config{
		Client: client,
		Apps: []stasis.App{{Name: "w-" + hostname, New: func(ctx context.Context, call *stasis.Call) (any, error) {
			return nil, nil // your handler; an adopted call's Args are ["adopted", "<old app>"]
		}}},
		Cluster: &stasis.ClusterConfig{
			Instance: hostname,
			Peers:    peers,
			InstanceOf: func(app string) (string, bool) {
				return strings.CutPrefix(app, "w-")
			},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rt.Run(ctx))
}
