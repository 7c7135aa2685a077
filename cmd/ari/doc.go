// Command ari is a command line for the Asterisk REST Interface: it tails
// events, calls any operation, records a session and replays it, and says
// what a server's Asterisk version lacks.
//
// Install it with
//
//	go install gostasis.dev/cmd/ari@latest
//
// Usage:
//
//	ari [-url URL] [-user NAME] [-password SECRET] <command> [arguments]
//
// The commands:
//
//	events   tail the events of Stasis applications (pretty or JSON lines)
//	call     call an operation: ari call channels.originate endpoint=PJSIP/alice app=demo
//	record   record the events of applications and the REST exchanges to a file
//	replay   play a recorded session into a simulated Asterisk (aritest), or print its events
//	version  the server's Asterisk version and the operations it lacks
//
// The connection settings come from the flags -url, -user and -password
// (before or after the command's name), or else from the environment
// variables ARI_URL, ARI_USERNAME and ARI_PASSWORD; the URL defaults to
// http://127.0.0.1:8088. Prefer ARI_PASSWORD to -password, which other users
// of the machine can read in the process list. Credentials are never
// printed or recorded.
//
// A session that `ari record` writes is JSON lines: the events and the REST
// exchanges, credentials redacted. By default the recorder registers the
// applications itself; with -listen ADDR it records an application's own
// session as a proxy: point the application at http://ADDR and every REST
// request (over HTTP or over the events websocket) and every event passes
// through the recorder to Asterisk and is recorded. Package
// gostasis.dev/ari/aritest/session reads a session, and aritest's
// Server.Replay replays it from Go tests, so that a session recorded on a
// real Asterisk becomes a regression test:
//
//	ari record -listen 127.0.0.1:8089 -o call.jsonl   # ARI_URL names the real Asterisk
//	ARI_URL=http://127.0.0.1:8089 go run ./myapp      # the app, through the recorder; place calls
//	ari replay -strict -once call.jsonl               # prints ARI_URL=...: point the app there
//
// `ari replay -strict` sends each event only once the application has
// made the requests recorded before it, and fails naming the first one it
// does not make. examples/ivr/replay_test.go does the same in a Go test
// with a session recorded from a real Asterisk 22.10.1.
//
// `ari <command> -h` describes a command. The exit status is 0 on success,
// 2 for a usage error and 1 for any other failure.
package main
