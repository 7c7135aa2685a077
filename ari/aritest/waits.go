package aritest

import (
	"context"

	"gostasis.dev/ari"
)

// runlock unlocks mu after a read that changed nothing: unlike unlock, it
// wakes no waiter. Read-only accessors (Channels, Bridges, Phone.State,
// ...) use it, so that a condition calling them does not wake its own
// wait.
func (s *Server) runlock() { s.mu.Unlock() }

// waitOutside calls cond without mu, at once and after each change of the
// simulation, until it reports true or fails, ctx ends or the server
// closes (ErrClosed). prepare, when set, runs with mu held just before
// each call of cond, to take the snapshot cond looks at.
func (s *Server) waitOutside(ctx context.Context, prepare func(), cond func() (bool, error)) error {
	for {
		s.mu.Lock()
		closed := s.closed
		changed := s.changed()
		if prepare != nil {
			prepare()
		}
		s.runlock()
		if ok, err := cond(); ok || err != nil {
			return err
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitUntil waits until cond reports true. cond runs at once and again
// after each change of the simulation (a request, an event, a timer, a
// test script's action), without the server's lock, so it may inspect the
// server and its phones (Bridges, Channel, Phone.DTMFHeard, ...); it should
// not change them. It fails with ctx's error when ctx ends first, and with
// ErrClosed when the server closes first.
//
//	// the application destroyed its bridges
//	err := srv.WaitUntil(ctx, func() bool { return len(srv.Bridges()) == 0 })
func (s *Server) WaitUntil(ctx context.Context, cond func() bool) error {
	return s.waitOutside(ctx, nil, func() (bool, error) { return cond(), nil })
}

// WaitBridge waits for a bridge whose snapshot match accepts (nil accepts
// any) and returns that snapshot; bridges are tried oldest first. match
// runs without the server's lock, at once and after each change, as
// WaitUntil's condition does.
//
//	// the application bridged two channels
//	b, err := srv.WaitBridge(ctx, func(b ari.Bridge) bool { return len(b.Channels) == 2 })
func (s *Server) WaitBridge(ctx context.Context, match func(ari.Bridge) bool) (ari.Bridge, error) {
	var snaps []ari.Bridge
	var found ari.Bridge
	err := s.waitOutside(ctx, func() {
		snaps = snaps[:0]
		for _, b := range s.sortedBridges() {
			snaps = append(snaps, b.model())
		}
	}, func() (bool, error) {
		for _, b := range snaps {
			if match == nil || match(b) {
				found = b
				return true, nil
			}
		}
		return false, nil
	})
	return found, err
}

// WaitChannel waits for a channel whose snapshot match accepts (nil
// accepts any) and returns that snapshot; channels are tried oldest
// first. match runs without the server's lock, at once and after each
// change, as WaitUntil's condition does. It waits for any channel, the
// application's own included; Phone.WaitState waits for a phone's.
//
//	// the application answered the channel id
//	ch, err := srv.WaitChannel(ctx, func(c ari.Channel) bool {
//		return c.ID == id && c.State == ari.ChannelStateUp
//	})
func (s *Server) WaitChannel(ctx context.Context, match func(ari.Channel) bool) (ari.Channel, error) {
	var snaps []ari.Channel
	var found ari.Channel
	err := s.waitOutside(ctx, func() {
		snaps = snaps[:0]
		for _, ch := range s.sortedChannels() {
			snaps = append(snaps, ch.snapshot())
		}
	}, func() (bool, error) {
		for _, c := range snaps {
			if match == nil || match(c) {
				found = c
				return true, nil
			}
		}
		return false, nil
	})
	return found, err
}
