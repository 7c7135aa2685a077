// Package aritest is a simulated Asterisk for testing ARI applications
// without a PBX. Like net/http/httptest, it listens on a loopback port;
// it speaks ARI over real HTTP and websockets the way Asterisk 22.10.1
// does, keeps Asterisk's state, and lets the test play the people at the
// phones.
//
// Each call has two sides. The application under test drives its side
// over ARI (with package stasis, through a *stasis.Call). The test drives
// the far end, a *Phone: it places a call, presses keys, hangs up,
// answers or rejects a call the application dials, and tells what it
// heard.
//
//	func TestIVR(t *testing.T) {
//		ctx := t.Context()
//		srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
//		go myapp.Run(ctx, srv.Client()) // the application under test, named "ivr"
//		_ = srv.WaitApp(ctx, "ivr")
//
//		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "ivr"})
//		if err != nil {
//			t.Fatal(err)
//		}
//		_ = phone.WaitState(ctx, ari.ChannelStateUp) // the application answered
//		_ = phone.SendDTMF("1#")                     // the caller presses keys
//		_ = phone.WaitEnd(ctx)                       // the application hung up
//		t.Log(phone.MediaHeard())                    // what the caller heard
//	}
//
// Where to go next: the package example runs a whole test, application
// included, the example of Server.PlaceCall sends a call through the
// dialplan, and the example of Server.Replay replays a recorded session
// (see "Replaying a recorded session" below). Server lists what a test
// can do and inspect, Phone what the far end of a call can do, Config
// and Timing what can be set. examples/ivr/main_test.go in this
// repository tests a stasis application this way; package
// gostasis.dev/stasis/stasistest starts a stasis runtime against a
// Server, and stops it, in one call. The sections below say what the
// simulator does and where it differs from Asterisk.
//
// # What it speaks
//
// Every REST route of the 22.10.1 API is served under /ari, the route table
// being built from resources.Operations(). Operations the simulator does
// not implement answer 501 with a message naming them (Server.Operations
// lists which); none fakes a success. The events websocket is at
// /ari/events (app=a,b, subscribeAll=true, subprotocol "ari"); REST over
// that websocket (RESTRequest / RESTResponse) works too. Users
// authenticate with Basic authentication or api_key; a read-only user may
// only GET. /ari/api-docs serves Asterisk's own description, with basePath
// rewritten as Asterisk does. docs/ari-notes.md in this repository
// describes the wire protocol and the error replies it follows.
//
// Where Asterisk departs from its description, the simulator answers as
// Asterisk does, so that a test sees what a real server would do:
// POST /bridges reads its whole body as the variables (the documented
// {"variables": {...}} fails with 400 once the bridge exists, and the
// bridge stays), POST /bridges/{bridgeId} reads them as documented and
// answers 409 for an existing bridge; a new channel id conflicts with
// every existing id it begins, ignoring case ("call-1" with
// "call-1-phone"); after such a conflict, a channel request that fails
// otherwise (an unknown technology) answers 409 on the same connection;
// rtp_statistics of a channel without RTP (Local) answers 403; rotating a
// log channel drops every channel added over ARI; unsubscribing a source
// that is not subscribed answers 422.
//
// # State, not canned replies
//
// The server keeps Asterisk's state: channels (states, caller and
// connected line, dialplan location, variables and the CALLERID and
// CONNECTEDLINE functions), Local channel pairs (;1 and ;2, media and DTMF
// sent to one half are heard on the other), a "Test" technology standing
// for phones, a small dialplan (DefaultDialplan reproduces the one the
// fixtures were captured with), Stasis applications and their
// subscriptions and event filters, bridges, playbacks and their controls,
// live and stored recordings (a stored recording downloads as a valid WAV
// file of silence), DTMF, global variables, user events, device states,
// mailboxes, sounds, endpoints, modules, log channels and the dynamic
// configuration (ConfigRegistry: res_pjsip endpoint, aor, auth and
// identify objects and res_mwi_external mailboxes, stored and printed back
// the way Asterisk does).
//
// Events are built from the generated types of package events and are
// held, by this package's tests, to the events captured from a real
// Asterisk 22.10.1 (copies in testdata/): the same members with the same JSON types, and the
// same order for each scenario of the captured session (originate, answer,
// playback lists, DTMF, bridges, recordings, hangups with causes, continue,
// move, snoop, external media...). Error replies carry Asterisk's status
// and message.
//
// Each events websocket has its own queue: the simulator never waits for a
// client, and a client that does not take an event within
// Timing.WriteTimeout is dropped, as Asterisk drops it. Asterisk keeps no
// events for a disconnected application, and neither does the simulator.
//
// # Time
//
// Delays are real (timers, not goroutines) and configurable in Timing:
// the length of a media item, of a DTMF digit and the gap between digits,
// how long a dialled phone rings, the pause of the dialplan's Answer, the
// unit of Wait, the silence after which a recording ends by itself, the
// websocket write timeout. DefaultTiming is realistic; FastTiming makes
// tests fast while keeping the order of events. Config.Now sets the clock
// of timestamps.
//
// # The far end of calls
//
// The far end of calls is driven from the test: Server.PlaceCall sends a
// call from a phone into an application or the dialplan and returns its
// *Phone; Server.WaitPhone returns the Phone of a call the application
// dialled, once it rings, which otherwise answers by itself after
// Timing.Ring (or never, with Never). Phones answer Test/<name> (any
// name), and the PJSIP, SIP and IAX2 endpoints the server knows: a PJSIP
// endpoint of the dynamic configuration (DynamicConfig) or of
// Config.Endpoints, a SIP or IAX2 peer of Config.Endpoints; dialling
// another endpoint fails with 500 "Allocation failed", as on Asterisk. A
// Phone sends DTMF, holds, talks, hangs up for a
// resources.HangupReason, and answers, rings or rejects a call ringing
// it. Digits a phone sends during the dialplan's Answer pause reach the
// next application, as on Asterisk: PlaceCall with Answer followed at
// once by SendDTMF delivers the digits after StasisStart.
//
// Server.WaitEvent, Server.Cursor, Phone.WaitEvent and Server.Events give
// the events sent; Channels, Bridges, Playbacks, Recordings,
// StoredRecordings and Phones give the state. Server.WaitUntil,
// WaitBridge, WaitChannel, WaitPhone and Phone.WaitState wait for a state
// instead of polling; their match functions run without the server's
// lock, so they may call the server and its phones. DropWebsockets,
// StallWebsockets (a half-open connection that loses events),
// RefuseWebsockets and Restart test reconnections and resynchronisation.
//
// # Offering calls: StasisBroadcast and claims
//
// The dialplan's StasisBroadcast(timeout,app_filter,args,notify_claimed),
// or a call placed with PlaceCallParams.Broadcast, offers the call to
// every connected application whose name the filter matches, with
// CallBroadcast (in random order, as Asterisk shuffles them), and the call
// waits. The first POST /events/claim wins (204): the channel enters
// Stasis(application,args...) as Stasis() would put it there, with
// StasisStart. Later claims get 409 until the winner's Stasis session
// ends, then 404, as does a claim of a channel that is not offered; with
// notify_claimed, the matching applications get CallClaimed. Claims are
// atomic: of any number of concurrent claims, one wins. When nobody claims
// the call within the timeout, STASISSTATUS is TIMEOUT and the dialplan
// goes on; a hangup also ends the offer with TIMEOUT. A claim naming an
// application without a websocket wins, but the call fails to enter it
// (STASISSTATUS=FAILED) and goes on in the dialplan, as on Asterisk.
// Digits the caller sends while the call waits reach the winner after
// StasisStart. DefaultDialplan's extension 900 runs the broadcast of the
// captures.
//
// Servers in one test share nothing: each has its own calls, applications
// and events. Give each its own Config.SystemName, the prefix of the
// channel ids it generates, and Config.AsteriskID, stamped on its events
// as asterisk_id, to tell their calls apart as in a cluster of Asterisk
// servers.
//
// # Outbound websockets
//
// Config.Outbound makes the simulator dial the application, as Asterisk
// 22.5 and later do for the outbound_websocket sections of ari.conf. The
// upgrade request is Asterisk's: GET with the path and query of the URI,
// Sec-WebSocket-Protocol "ari", Basic credentials only when both Username
// and Password are set, no Origin. A 101 with or without the subprotocol
// is accepted; any other answer is a failed attempt. REST over the
// connection (RESTRequest and RESTResponse, as on the events websocket)
// runs with the rights of LocalUser.
//
// A persistent connection registers its applications when the server
// starts, and they stay registered while it is down: calls enter them and
// their events are queued, then delivered on reconnection with their
// original timestamps, before a new ApplicationRegistered (the first
// message of every connection). The simulator retries every
// ReconnectInterval forever, with a warning on Config.Logger every
// ReconnectAttempts failures, and reconnects at once after a drop.
//
// A per-call application gets a new connection for each call that runs
// Stasis(app), or enters the context stasis-<app> that Asterisk creates.
// The application is then "<app>:<channel name>" in every event and reply
// and in /applications. ApplicationRegistered comes first, then
// StasisStart at the next check of the connection (Timing.OutboundPoll).
// After the call's StasisEnd, the simulator closes the connection (1000)
// after Timing.PerCallClose, without ApplicationUnregistered; if the
// application closes it first, the simulator connects once more, with
// ApplicationRegistered only, as Asterisk does. When ReconnectAttempts
// attempts fail, before the call entered the application or after a drop,
// the call leaves Stasis with STASISSTATUS=FAILED and goes on in the
// dialplan. DropWebsockets, StallWebsockets, RefuseWebsockets and Restart
// act on outbound connections too, and Server.OutboundSessions shows
// each session.
//
// # Replaying a recorded session
//
// Server.Replay plays a session recorded from a real Asterisk (`ari
// record`, package gostasis.dev/ari/aritest/session) into the server, so
// that the recording becomes a regression test of the application
// connected to it. The recorded events go, unchanged, to the events
// websocket of the application each names, in the recorded order (spaced
// as recorded with ReplayOptions.Speed), and into the event log. The
// application's REST requests, over HTTP or over the websocket, that
// match a recorded exchange (method, path, query without api_key, and
// the body of a POST or PUT) get the recorded answer; the others are
// served by the simulator as usual, and listed in the report. In strict
// mode (ReplayOptions.Strict) each event waits until the application has
// made the requests recorded before it, and the replay fails with a
// *ReplayMismatchError (ErrReplayMismatch) naming the first request not
// made within ReplayOptions.RequestWait. The recorded answers stay in
// place after Replay returns, until the next Replay or Close. `ari replay
// FILE` serves a session this way from the command line.
//
// The simulator's state does not follow the recording: a recorded
// channel exists only in the recorded events and answers, so requests
// the recording lacks get the simulator's answers for unknown objects
// (404 "Channel not found"...). Ids the application makes up afresh on
// each run (package stasis gives each playback a random playbackId; an
// originate may give a channelId, a bridge an id) are paired with the
// recorded ones: a POST that differs from the first unanswered recorded
// POST only in such ids (ReplayOptions.GeneratedIDs, by default
// DefaultGeneratedIDs) gets its answer, and from then on the recorded id
// stands for the application's in its later requests, in the recorded
// answers and in the events sent. examples/ivr replays a session
// recorded from a real Asterisk 22.10.1 this way.
//
// # Differences from Asterisk
//
// The simulator moves no audio: media only takes time, and recordings are
// silence. Bridge playbacks and music on hold use no Announcer or Recorder
// channel, so the BRIDGEPEER updates those channels cause on Asterisk are
// not sent. Local channels are never optimised away. /endpoints lists the
// endpoints of Config.Endpoints only (Asterisk lists no Local endpoints,
// and would list every PJSIP endpoint).
//
// StasisBroadcast on Asterisk notices a hangup at its next check (every
// 200ms) and accepts a claim until then (the winner gets StasisStart and
// StasisEnd at once); the simulator ends the offer at the hangup. Asterisk
// writes CallBroadcast and CallClaimed to the websockets at once, while
// the other events go through its message bus, so an application
// subscribed to the channel may see them before or after the events
// around them; the simulator sends ChannelDialplan, CallBroadcast, then
// the ChannelVarset of STASISSTATUS, and CallClaimed before StasisStart.
// Its broadcast timeout is not scaled by Timing.
//
// On outbound websockets: Asterisk 22.10.1 often leaves a RESTRequest sent
// before its first message unanswered until the application's next frame
// (it read the request along with the handshake); the simulator answers it
// once its first message is out. Asterisk does not set TCP_NODELAY on
// these connections, which delays many replies by about 40ms; the
// simulator has no such delay. Asterisk answers 503 "Asterisk not booted"
// to requests in the first milliseconds after it starts; the simulator
// does while RefuseWebsockets is in force. A per-call connection whose
// call hangs up before StasisStart is closed at once here, without
// StasisStart. Only the dialplan's Stasis() opens a per-call connection:
// channels.originate or channels.create naming a per-call application
// fails as for an application without a websocket (not measured on
// Asterisk).
package aritest
