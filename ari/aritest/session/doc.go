// Package session reads and writes sessions recorded by `ari record`: the
// events an Asterisk server sent to some Stasis applications, with the
// time each arrived, and the REST exchanges made meanwhile, in JSON lines
// (one header line, then one line per event or exchange, in the order
// they happened).
//
// A recorded session becomes a regression test with package
// gostasis.dev/ari/aritest: its Server.Replay plays the session into the
// simulated Asterisk, sending the recorded events to the application
// under test in the recorded order and answering its requests with the
// recorded answers; in strict mode it fails when the application does not
// make the recorded requests.
//
//	func TestRecordedCall(t *testing.T) {
//		sess, err := session.Load("testdata/call.jsonl")
//		if err != nil {
//			t.Fatal(err)
//		}
//		srv := aritest.Start(t, aritest.Config{})
//		// start the application under test against srv.Client()
//		if _, err := srv.Replay(t.Context(), sess, aritest.ReplayOptions{Strict: true}); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// `ari replay FILE` does the same from the command line.
//
// A session never holds credentials: the recorder writes no header of a
// request and drops the api_key query parameter.
package session
