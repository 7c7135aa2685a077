package ari

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsOptions are the settings for reading one websocket connection.
type wsOptions struct {
	pingInterval time.Duration // <= 0: no pings and no silence check
	pongTimeout  time.Duration // silence after which the connection is dead
	maxFrameSize int64
}

// writeWait bounds writing a control frame.
const writeWait = 5 * time.Second

// readWS reads conn until it fails or ctx ends. It answers pings, sends
// one every pingInterval, closes a connection silent for pongTimeout,
// gives RESTResponse messages to rest and every other message to deliver,
// in order. started runs before the first read. When ctx ends the
// connection is closed politely (close 1000); readWS closes conn and
// waits for its goroutines before it returns the read error.
func readWS(ctx context.Context, conn *websocket.Conn, o wsOptions, rest *restWS, scratch *[]byte, started func(), deliver func([]byte)) error {
	// Close the connection (politely) when ctx ends; wait for that to
	// finish before returning so that no goroutine outlives the caller.
	closing := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		defer close(closing)
		_ = conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		conn.Close()
	})

	var wg sync.WaitGroup
	stopPing := make(chan struct{})
	defer func() {
		close(stopPing)
		if !stopAfter() {
			<-closing
		}
		conn.Close()
		wg.Wait()
	}()

	timeout := o.pongTimeout
	alive := func() {
		if timeout > 0 {
			_ = conn.SetReadDeadline(time.Now().Add(timeout))
		}
	}
	conn.SetPongHandler(func(string) error { alive(); return nil })
	conn.SetPingHandler(func(data string) error {
		alive()
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
		var ne net.Error
		if err == websocket.ErrCloseSent || errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		return err
	})
	if o.pingInterval > 0 {
		wg.Add(1)
		go pingLoop(conn, o.pingInterval, stopPing, &wg)
	}

	conn.SetReadLimit(o.maxFrameSize)
	started()
	for {
		alive()
		data, err := readFrame(conn, scratch, o.maxFrameSize)
		if err != nil {
			return err
		}
		if rest.route(data) {
			continue
		}
		deliver(data)
	}
}

// readFrame reads the next message into a slice of its own, through the
// scratch buffer: a message that fits is copied out at its exact size; a
// larger one is read into buffers that grow towards max (see
// readLimited) and handed over as read.
func readFrame(conn *websocket.Conn, scratch *[]byte, max int64) ([]byte, error) {
	_, r, err := conn.NextReader()
	if err != nil {
		return nil, err
	}
	if *scratch == nil {
		*scratch = make([]byte, 0, frameScratch)
	}
	b, err := readLimited(r, *scratch, -1, max)
	if err == errTooLarge {
		// Not expected: the websocket library refuses a message whose
		// frame headers exceed the read limit before reading them. A
		// second guard, reported alike.
		err = websocket.ErrReadLimit
	}
	if err != nil {
		return nil, err
	}
	if cap(b) == cap(*scratch) {
		return bytes.Clone(b), nil
	}
	return b, nil
}

// pingLoop sends a ping every interval until stop is closed; a failed
// write closes the connection.
func pingLoop(conn *websocket.Conn, interval time.Duration, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				conn.Close()
				return
			}
		}
	}
}

// explainReadError says why reading a connection failed: a message over
// the limit (tooLarge is then true) or a silent connection.
func explainReadError(err error, o wsOptions) (_ error, tooLarge bool) {
	if errors.Is(err, websocket.ErrReadLimit) {
		return fmt.Errorf("%w (%d bytes): the connection was closed with 1009 (message too big): %w", ErrFrameTooLarge, o.maxFrameSize, err), true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w (%s): %w", ErrPongTimeout, o.pongTimeout, err), false
	}
	return err, false
}
