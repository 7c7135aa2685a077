package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// natsReady bounds the embedded NATS server's start.
const natsReady = 10 * time.Second

// natsServer is the embedded NATS server, with JetStream, that the
// instances share (in production: a NATS server or cluster every instance
// reaches).
type natsServer struct {
	srv  *server.Server
	dir  string // JetStream's store
	addr string // host:port
	url  string
}

// startNATS starts a NATS server with JetStream on a loopback port, its
// store in a temporary directory.
func startNATS() (*natsServer, error) {
	dir, err := os.MkdirTemp("", "gostasis-cluster-nats-")
	if err != nil {
		return nil, err
	}
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: dir,
		NoLog: true, NoSigs: true,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("nats-server: %w", err)
	}
	srv.Start()
	s := &natsServer{srv: srv, dir: dir}
	if !srv.ReadyForConnections(natsReady) {
		return nil, errors.Join(fmt.Errorf("nats-server: not ready after %v", natsReady), s.stop())
	}
	s.addr = srv.Addr().String()
	s.url = srv.ClientURL()
	return s, nil
}

// stop shuts the server down and removes its store.
func (s *natsServer) stop() error {
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	return os.RemoveAll(s.dir)
}
