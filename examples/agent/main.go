// Command agent is the "press 1 for sales, 2 for support" IVR of issue
// 10, written as a call flow of package stasis: the caller hears a menu,
// presses a key (once more after a wrong key or none), and is bridged
// with the agent the app dials for that key; when either hangs up, so
// does the other.
//
// With no arguments it starts a simulated Asterisk in-process, where
// Alice calls, presses 1 and talks to sales until sales hangs up, and
// prints what each side heard (main_test.go plays the other cases):
//
//	go run ./examples/agent
//
// With ARI_URL, ARI_USERNAME and ARI_PASSWORD set it serves a real
// Asterisk instead, until interrupted: its dialplan sends calls to
// Stasis(agent), and PJSIP/sales and PJSIP/support are its endpoints.
package main

import (
	"context"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/examples/internal/demo"
	"gostasis.dev/stasis"
)

func main() {
	demo.Main("agent", demo.Config{
		Apps: []stasis.App{App("agent", DefaultConfig)},
		Sim: aritest.Config{Timing: aritest.FastTiming(), Endpoints: []string{"PJSIP/sales", "PJSIP/support"},
			Sounds: []string{"press-1-for-sales-2-for-support", "option-is-invalid", "is-curntly-busy"}},
		Script: alice,
	})
}

// alice is the demo: Alice calls, presses 1 during the menu and talks to
// sales until sales hangs up.
func alice(ctx context.Context, s *demo.Sim) error {
	sc := s.Script(ctx)
	alice := sc.Call(aritest.PlaceCallParams{App: "agent", Caller: ari.CallerID{Name: "Alice", Number: "1001"}})
	sc.Hear(alice, Menu)
	sc.Press(alice, "1")
	sales := sc.Answer("PJSIP/sales")
	sc.Bridged(alice, sales)
	sc.Hangup(sales)
	sc.Report(alice, sales)
	return sc.Err()
}
