package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest/session"
	"gostasis.dev/ari/resources"
)

const recordUsage = `Usage: ari record -o FILE -app NAME[,NAME...] [-all] [-duration D]
       ari record -o FILE -listen ADDR [-app NAME,...] [-duration D]

Records a session to FILE as JSON lines (- for stdout): a header (when, the
server's URL without credentials, its Asterisk version, the applications),
then events, each with the time it arrived, and REST exchanges, in the
order they happened. It runs until interrupted or for -duration.
No credentials are written: no request header, no user information or
query of the URL, no api_key parameter.

Without -listen, the recorder registers the Stasis applications on the
events websocket itself and records every event they receive, and its own
REST exchanges (the version check and the channels that exist when it
starts).

With -listen, the recorder is a proxy that records an application's own
session: it serves ARI on ADDR (the first line on stdout is
ARI_URL=http://ADDR, on stderr when -o is -; point the application there)
and forwards everything to the server:
  - each REST request under /ari, recorded with its answer; the
    application's credentials (Authorization header or api_key) are
    forwarded as they are, the recorder's are used when it sends none;
  - each events websocket (/ari/events, with the application's query and
    credentials): every message from Asterisk is recorded as an event, on
    connection 1, 2... in the order they were opened, except the
    RESTResponse messages of REST over the websocket: each is recorded
    with its RESTRequest as an exchange (transport websocket).
An exchange takes its place among the events when its request is sent
(Exchange.After counts the events the application had been sent then;
when 10,000 events or 64 MiB arrive before its answer, it is recorded
where its answer comes, noted on stderr); a request that gets no answer
is not recorded. Close codes are passed on both ways, and either side
leaving closes the other. When Asterisk cannot be reached the application
gets 502. The version in the header comes from the recorder's own check
(not recorded; when Asterisk refuses the recorder's credentials the
header has no version). -app only fills the header's list of
applications: the applications are those the application's websockets
name, which the header cannot know in advance.
Answers larger than 16 MiB are passed on whole and recorded without
their body; a message from Asterisk larger than 16 MiB closes the
websocket (1009).

` + "`ari replay FILE`" + ` plays the session back; from Go tests,
session.Load (package gostasis.dev/ari/aritest/session) reads it and
aritest's Server.Replay replays it.

Flags:
`

// maxRecordedBody bounds the body of a REST answer that is recorded: a
// longer one is recorded without its body (noted on stderr), so that every
// line of the file stays under session.MaxLineSize.
const maxRecordedBody = ari.DefaultMaxFrameSize

// runRecord runs `ari record`.
func runRecord(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ari record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs)
	out := fs.String("o", "", "the file to write (required; - for stdout)")
	apps := fs.String("app", "", "Stasis applications to register, comma-separated (required without -listen)")
	all := fs.Bool("all", false, "subscribe the applications to every event source (subscribeAll; not with -listen)")
	duration := fs.Duration("duration", 0, "stop after this long (default: until interrupted)")
	listen := fs.String("listen", "", "record as a proxy serving ARI on this address, e.g. 127.0.0.1:8089")
	maxWebsockets := fs.Int("max-websockets", defaultMaxProxiedWebsockets, "with -listen, the events websockets proxied at once (more get 503)")
	maxRequestBody := fs.Int64("max-request-body", defaultMaxRequestBody, "with -listen, the largest request body or application message, in bytes (larger: 413, or close 1009)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), recordUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("record: unexpected argument %q", fs.Arg(0))
	}
	appList := splitList(*apps)
	switch {
	case *out == "":
		return usagef("record: -o is required")
	case *duration < 0:
		return usagef("record: -duration must not be negative")
	case *listen != "" && *all:
		return usagef("record: -all does not apply to -listen: the application chooses its subscriptions")
	case *maxWebsockets < 1:
		return usagef("record: -max-websockets must be at least 1")
	case *maxRequestBody < 1:
		return usagef("record: -max-request-body must be at least 1")
	case *listen == "" && len(appList) == 0:
		return usagef("record: -app is required (or -listen)")
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	if *listen != "" {
		return runRecordProxy(ctx, proxyOptions{out: *out, listen: *listen, apps: appList,
			maxWebsockets: *maxWebsockets, maxRequestBody: *maxRequestBody}, &cf, env, stdout, stderr)
	}
	r := &recorder{maxBody: maxRecordedBody, stderr: stderr}
	client, cfg, err := cf.client(env, func(c *ari.Config) {
		c.HTTPClient = &http.Client{Transport: r}
	})
	if err != nil {
		return err
	}

	// The REST exchanges before the header is written are kept until then.
	v, err := client.Version(ctx)
	if err != nil {
		return err
	}
	var w io.Writer = stdout
	var file *os.File
	if *out != "-" {
		if file, err = os.Create(*out); err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	sw, err := session.NewWriter(w, session.Header{
		Recorded: time.Now().UTC(),
		Server:   session.RedactURL(cfg.URL),
		Version:  v.String(),
		Apps:     appList,
	})
	if err != nil {
		return err
	}
	if err := r.start(sw); err != nil {
		return err
	}
	if _, err := resources.New(client).Channels.List(ctx); err != nil {
		return err
	}
	var n atomic.Int64
	err = streamEvents(ctx, client, ari.EventStreamConfig{Apps: appList, SubscribeAll: *all}, stderr,
		func(f ari.Frame, at time.Time) {
			if err := sw.WriteEvent(session.Event{Time: at, Conn: f.Conn, Data: f.Data}); err != nil {
				return // kept by sw and returned by Flush
			}
			n.Add(1)
		})
	if errors.Is(err, context.DeadlineExceeded) && *duration > 0 {
		err = nil
	}
	if ferr := sw.Flush(); err == nil {
		err = ferr
	}
	if file != nil && err == nil {
		err = file.Close()
	}
	fmt.Fprintf(stderr, "ari: recorded %d events\n", n.Load())
	return err
}

// recorder is the HTTP transport of `ari record`: it sends each request
// and records the exchange (never a header: no credentials).
type recorder struct {
	next    http.RoundTripper // default: http.DefaultTransport
	maxBody int
	stderr  io.Writer

	mu      sync.Mutex
	w       *session.Writer    // nil before start
	pending []session.Exchange // the exchanges before start
}

// start writes the exchanges made before the header, then records the
// next ones as they happen.
func (r *recorder) start(w *session.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.pending {
		if err := w.WriteExchange(x); err != nil {
			return err
		}
	}
	r.pending = nil
	r.w = w
	return nil
}

// RoundTrip implements http.RoundTripper.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	at := time.Now().UTC()
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := captureAnswer(resp, r.maxBody, r.stderr, req.Method, req.URL.Path)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	x := session.Exchange{Time: at, Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Status: resp.StatusCode, Body: body}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		r.pending = append(r.pending, x)
	} else if err := r.w.WriteExchange(x); err != nil {
		fmt.Fprintf(r.stderr, "ari: recording %s %s: %v\n", req.Method, req.URL.Path, err)
	}
	return resp, nil
}

// captureAnswer reads the first max+1 bytes of resp's body for the
// recording and leaves resp.Body reading the whole answer from its start.
// It returns the body to record: nil for an answer larger than max, which
// it notes on stderr (an answer is recorded whole or not at all).
func captureAnswer(resp *http.Response, max int, stderr io.Writer, method, path string) ([]byte, error) {
	got, err := io.ReadAll(io.LimitReader(resp.Body, int64(max)+1))
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(got), resp.Body), resp.Body}
	if len(got) > max {
		fmt.Fprintf(stderr, "ari: the answer to %s %s is larger than %d bytes: recorded without its body\n", method, path, max)
		return nil, nil
	}
	return got, nil
}
