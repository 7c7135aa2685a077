package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
)

const replayUsage = `Usage: ari replay [-listen ADDR] [-speed X] [-strict] [-wait D] [-ids P,P...] [-once] [-auth USER:PASSWORD] FILE
       ari replay -print [-json] FILE

Plays a session recorded by ` + "`ari record`" + ` into a simulated Asterisk
(package gostasis.dev/ari/aritest), as a regression test of the
application that connects to it. The first line on stdout is
ARI_URL=<the server's URL>: point the application (or ` + "`ari events`" + `) at
it. The recorded events go to the events websocket of the application each
names (/ari/events?app=...), unchanged and in the recorded order, as soon
as that application is connected; a message without an application goes
to every application of the recording. REST requests matching a recorded
exchange (method, path, query without api_key, and the JSON body of a POST
or PUT) get the recorded answer; any other request is served by the
simulator. The users are aritest's: asterisk/asterisk and the read-only
viewer/viewer, or only the one of -auth.

With -strict, each event waits until the application has made the requests
recorded before it, and the replay fails when one is not made within -wait
(a session recorded without -listen holds the recorder's own requests,
which -strict expects too). Ids the application makes up afresh on each
run, in the request parameters -ids names (by default playbackId,
channelId, otherChannelId, bridgeId, snoopId and recordingName), are
paired with the recorded ones; -ids "" pairs none.
Once every event is sent, a report goes to stderr: the events sent, the
recorded answers given, the recorded requests never made (missing) and the
requests not recorded. With -once the command then exits (status 1 when a
strict replay failed); otherwise it keeps serving the simulator until
interrupted (and then exits with status 1 if the strict replay failed).
From Go tests, aritest's Server.Replay does the same.

With -print, prints the session's events as ` + "`ari events`" + ` would
instead (-json: one JSON line each).

Flags:
`

// runReplay runs `ari replay`.
func runReplay(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ari replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "the address to serve on")
	speed := fs.Float64("speed", 0, "replay the recorded gaps between events at this speed (1: real time; 0: no gaps)")
	strict := fs.Bool("strict", false, "pace the events on the recorded requests and fail when one is not made")
	wait := fs.Duration("wait", aritest.DefaultRequestWait, "with -strict, how long to wait for each recorded request")
	ids := fs.String("ids", strings.Join(aritest.DefaultGeneratedIDs(), ","), "the request parameters that carry ids the application makes up, comma-separated")
	once := fs.Bool("once", false, "exit once every event is sent")
	auth := fs.String("auth", "", "the only ARI user, USER:PASSWORD (default: asterisk:asterisk and the read-only viewer:viewer)")
	print := fs.Bool("print", false, "print the events instead of serving them")
	asJSON := fs.Bool("json", false, "with -print, print each event's JSON on one line")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), replayUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usagef("replay: the session file is required")
	case fs.NArg() > 1:
		return usagef("replay: unexpected argument %q", fs.Arg(1))
	case *speed < 0:
		return usagef("replay: -speed must not be negative")
	case *wait <= 0:
		return usagef("replay: -wait must be positive")
	}
	var users []aritest.User
	if *auth != "" {
		u, p, ok := strings.Cut(*auth, ":")
		if !ok || u == "" {
			return usagef("replay: -auth takes USER:PASSWORD")
		}
		users = []aritest.User{{Name: u, Password: p}}
	}
	sess, err := session.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	if *print {
		p := &eventPrinter{out: stdout, errOut: stderr, asJSON: *asJSON}
		for _, e := range sess.Events {
			p.frame(e.Data)
		}
		return nil
	}
	// Listening here turns a bad address into an error (aritest.NewServer
	// would panic).
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	srv := aritest.NewServer(aritest.Config{Listener: ln, Users: users, Version: sess.Header.Version})
	defer srv.Close()
	fmt.Fprintf(stdout, "ARI_URL=%s\n", srv.URL)
	apps := strings.Join(sess.Header.Apps, ",")
	if apps == "" {
		apps = "(those the events name)"
	}
	fmt.Fprintf(stderr, "ari: replaying %s: Asterisk %s, apps %s, %d events, %d REST exchanges\n",
		fs.Arg(0), sess.Header.Version, apps, len(sess.Events), len(sess.Exchanges))
	rep, err := srv.Replay(ctx, sess, aritest.ReplayOptions{Speed: *speed, Strict: *strict, RequestWait: *wait, GeneratedIDs: splitIDs(*ids)})
	if ctx.Err() != nil {
		return nil // interrupted
	}
	printReplayReport(stderr, rep)
	if *once {
		return err
	}
	if err != nil {
		fmt.Fprintf(stderr, "ari: %v; still serving until interrupted\n", err)
	}
	<-ctx.Done()
	return err
}

// printReplayReport writes what a replay did, one line per missing or
// unrecorded request.
func printReplayReport(w io.Writer, rep *aritest.ReplayReport) {
	if rep == nil {
		return
	}
	fmt.Fprintf(w, "ari: replayed %d events; %d recorded answers given, %d recorded requests missing, %d requests not recorded\n",
		rep.Events, len(rep.Answered), len(rep.Missing), len(rep.Unrecorded))
	for _, x := range rep.Missing {
		q := ""
		if x.Query != "" {
			q = "?" + x.Query
		}
		fmt.Fprintf(w, "ari: missing: %s %s%s (recorded after %d events)\n", x.Method, x.Path, q, x.After)
	}
	for _, u := range rep.Unrecorded {
		fmt.Fprintf(w, "ari: not recorded (answered by the simulator): %s\n", u)
	}
}

// splitIDs reads -ids: an empty list pairs no ids (not the default).
func splitIDs(s string) []string {
	out := []string{}
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
