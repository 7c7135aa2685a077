// Command conference is a conference room written as a call flow of
// package stasis: each caller is answered, hears an announcement and
// joins one mixing bridge that all the app's calls share; the bridge is
// created with the first caller and destroyed when the last one leaves,
// and the app keeps no count and takes no lock of its own.
//
// With no arguments it starts a simulated Asterisk in-process, where
// Alice, Bob and Carol call in, talk, and hang up, and prints what each
// heard:
//
//	go run ./examples/conference
//
// With ARI_URL, ARI_USERNAME and ARI_PASSWORD set it serves a real
// Asterisk instead, until interrupted: its dialplan sends calls to
// Stasis(conference).
package main

import (
	"context"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/examples/internal/demo"
	"gostasis.dev/stasis"
)

func main() {
	demo.Main("conference", demo.Config{
		Apps:   []stasis.App{App("conference")},
		Sim:    aritest.Config{Timing: aritest.FastTiming(), Sounds: []string{"conf-placeintoconf"}},
		Script: meeting,
	})
}

// meeting is the demo: three callers meet, then hang up.
func meeting(ctx context.Context, s *demo.Sim) error {
	sc := s.Script(ctx)
	var phones []*aritest.Phone
	for _, name := range []string{"Alice", "Bob", "Carol"} {
		phones = append(phones, sc.Call(aritest.PlaceCallParams{App: "conference", Caller: ari.CallerID{Name: name}}))
	}
	room := sc.Bridged(phones...)
	sc.Printf("%d callers talk in bridge %q", len(room.Channels), room.Name)
	for _, p := range phones {
		sc.Hangup(p)
	}
	sc.NoBridge()
	sc.Printf("they hung up: the bridge is gone")
	sc.Report(phones...)
	return sc.Err()
}
