package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"gostasis.dev/ari/aritest/session"
)

const replayUsage = `Usage: ari replay [-listen ADDR] [-speed X] [-once] [-auth USER:PASSWORD] FILE
       ari replay -print [-json] FILE

Serves a session recorded by ` + "`ari record`" + ` over ARI, until interrupted
(or, with -once, until one client has been sent every event): the events
websocket (/ari/events?app=...) sends each connection the recorded events of
the applications it names, in the recorded order; REST requests the
recorder made get the recorded answers; GET /ari/asterisk/info reports the
recorded version; anything else gets 501. The first line on stdout is
ARI_URL=<the server's URL>: point an application, ` + "`ari events`" + ` or a
test at it. Package gostasis.dev/ari/aritest/session does the same from Go
tests (session.Load, session.NewServer).

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
	once := fs.Bool("once", false, "stop once a client has been sent every event")
	auth := fs.String("auth", "", "accept only these credentials, USER:PASSWORD (default: any)")
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
	cfg := session.ServerConfig{Addr: *listen, Speed: *speed}
	if *auth != "" {
		u, p, ok := strings.Cut(*auth, ":")
		if !ok || u == "" {
			return usagef("replay: -auth takes USER:PASSWORD")
		}
		cfg.Username, cfg.Password = u, p
	}
	srv, err := session.NewServer(sess, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "ARI_URL=%s\n", srv.URL)
	fmt.Fprintf(stderr, "ari: serving %s: Asterisk %s, apps %s, %d events, %d REST exchanges\n",
		fs.Arg(0), sess.Header.Version, strings.Join(sess.Header.Apps, ","), len(sess.Events), len(sess.Exchanges))
	if *once {
		select {
		case <-srv.Played():
		case <-ctx.Done():
		}
		return nil
	}
	<-ctx.Done()
	return nil
}
