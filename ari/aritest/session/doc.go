// Package session reads, writes and replays sessions recorded by
// `ari record`: the events an Asterisk server sent to some Stasis
// applications, with the time each arrived, and the REST exchanges the
// recorder made, in JSON lines (one header line, then one line per event
// or exchange, in the order they happened).
//
// A recorded session becomes a regression test: NewServer serves it on a
// loopback port the way Asterisk serves ARI, so that an application (or an
// ari.Client's EventStream) connecting to the server's URL sees the
// recorded events in the recorded order, and GET /ari/asterisk/info
// reports the recorded version:
//
//	func TestRecordedCall(t *testing.T) {
//		sess, err := session.Load("testdata/call.jsonl")
//		if err != nil {
//			t.Fatal(err)
//		}
//		srv := session.NewServer(sess, session.ServerConfig{})
//		t.Cleanup(srv.Close)
//		// point the code under test at srv.URL (or use srv.Client())
//	}
//
// A session never holds credentials: the recorder writes no header of a
// request and drops the api_key query parameter.
package session
