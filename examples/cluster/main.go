// Command cluster runs one application as three instances over three
// Asterisk servers, kills one instance mid-way as a crashed process would
// die, and prints who handled which call: every call is handled exactly
// once, and the survivors take over the dead instance's calls.
//
//	go run ./examples/cluster              # 60 calls, instance 2 killed
//	go run ./examples/cluster -calls=300 -kill=3
//	go run ./examples/cluster -kill=0      # nobody killed
//
// -calls is the number of calls (default 60, at most 10000: they are
// placed 25ms apart), -kill the instance to kill (default 2; 0 kills
// none). The runtimes' warnings and errors go to slog.Default(); -v adds
// their INFO lines (connections, adoptions). The command exits with
// status 1 if a call was not handled exactly once.
//
// # The setup
//
// Everything runs in this process, on loopback:
//
//   - Three simulated Asterisk 22.10.1 servers (gostasis.dev/ari/aritest),
//     ast1, ast2 and ast3, each with its own asterisk_id and its own
//     channel ids, whose dialplan offers every call to the apps named
//     worker-<n> (below).
//   - An embedded NATS server with JetStream, where package
//     gostasis.dev/stasis/natspeers keeps which instances are alive (an
//     instance is seen dead three seconds, natspeers.Config.TTL, after its
//     last refresh) and lets exactly one instance take each orphaned
//     call. An in-memory stasis.Peers would do in one process, but the
//     embedded server costs a few milliseconds at start, and this is
//     what a deployment runs.
//   - Three instances of the application, 1, 2 and 3: each a
//     stasis.Runtime over all three servers (stasis.Config.Nodes) serving
//     its own app, worker-<n>, which claims broadcast calls with
//     stasis.ClaimFewest (the instance with the fewest live calls claims
//     first) and is one instance of a cluster (stasis.Config.Cluster on
//     natspeers). Each call is answered, hears hello-world and is hung
//     up. Every connection of an instance, to each Asterisk and to NATS,
//     goes through a TCP proxy of its own.
//
// The servers' dialplan, as extensions.conf would have it: the first app
// to claim a call gets it, and a call no app took hangs up with a cause
// that says why.
//
//	[from-phones]
//	exten => _X.,1,StasisBroadcast(5000,^worker-)
//	 same => n,Goto(stasis-${STASISSTATUS},1)
//	exten => stasis-FAILED,1,Hangup(41)   ; claimed by an app that was gone
//	exten => stasis-TIMEOUT,1,Hangup(34)  ; nobody claimed it in 5s
//
// The first call is placed once every instance is seen alive in NATS
// (an instance not yet announced would look dead to the others, which
// would adopt its calls), then the calls go in turn to ast1, ast2 and
// ast3. After half of them,
// once the instance -kill serves some calls, its proxies cut all of its
// connections at once and it is stopped without touching Asterisk or NATS:
// what a crash or a power cut looks like from the network. Its calls stay
// in Stasis in its app; once its announcement in NATS has lapsed, the
// survivors move each into their own app (channels.move), where it starts
// again with the arguments "adopted" and "worker-<n>".
//
// # What it shows
//
// The guarantees are those of package stasis (stasis/doc.go, "Several
// Asterisk servers", "Broadcast calls" and "A dead instance's calls"; see
// [gostasis.dev/stasis]): calls are keyed by server and channel; Asterisk
// gives a broadcast call to the first claim only, so no two instances
// handle it; and exactly one survivor adopts each call of the dead
// instance, whose handlers never run again. The report at the end counts,
// per instance and per server, the calls each instance finished, and how
// many it adopted, and checks every call: handled exactly once, or
// adopted once from the dead instance. One outcome is Asterisk's own: a
// call whose claim the dying instance won in its last instant enters its
// app after the app's websocket is gone, so StasisBroadcast returns it to
// the dialplan with STASISSTATUS=FAILED; the report lists such calls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	opts, err := parseArgs(os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		os.Exit(2)
	}
	opts.Log = slog.Default().Handler()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	_, err = run(ctx, os.Stdout, opts)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cluster: %v\n", err)
		os.Exit(1)
	}
}

// parseArgs reads the command line into options; errors and -h go to
// stderr. A value out of range fails with an error matching
// errInvalidOption.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	opts := options{}
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&opts.Calls, "calls", defaultCalls, fmt.Sprintf("calls to place, 1 to %d", maxCalls))
	fs.IntVar(&opts.Kill, "kill", defaultKill, fmt.Sprintf("the instance to kill mid-way, 1 to %d; 0 kills none", instances))
	fs.BoolVar(&opts.Verbose, "v", false, "log the runtimes' INFO lines too (adoptions), not only warnings")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("%w: unexpected argument %q", errInvalidOption, fs.Arg(0))
		fmt.Fprintln(stderr, err)
		return options{}, err
	}
	if err := opts.check(); err != nil {
		fmt.Fprintln(stderr, err)
		return options{}, err
	}
	return opts, nil
}
