// Package stasistest runs stasis apps against a simulated Asterisk
// (package aritest) in tests: one call starts the runtime, waits until
// the simulator sees the apps, and stops the runtime when the test ends,
// checking that it left no goroutine behind.
//
//	func TestGreeter(t *testing.T) {
//		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
//		stasistest.Run(t, srv, stasis.App{Name: "greeter", New: newGreeter})
//
//		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "greeter"})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if err := phone.WaitEnd(t.Context()); err != nil {
//			t.Fatal(err)
//		}
//		// phone.MediaHeard() is what the caller heard
//	}
//
// Run takes the apps; Start takes an Options with a whole stasis.Config
// and the limits of the start, the shutdown and the leak check.
// StartOutbound tests the same apps served over Asterisk's outbound
// websockets: the simulator dials the runtime, with one persistent
// connection or one connection per call.
package stasistest
