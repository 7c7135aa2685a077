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

Registers the Stasis applications on the events websocket and records, to
FILE as JSON lines (- for stdout), a header (when, the server's URL without
credentials, its Asterisk version, the applications), every event received
with the time it arrived, and the REST exchanges of the recorder itself
(the version check and the channels that exist when it starts). It runs
until interrupted or for -duration. No credentials are written: no request
header, no user information or query of the URL, no api_key parameter.

` + "`ari replay FILE`" + ` plays the session back; package
gostasis.dev/ari/aritest/session replays it from Go tests.

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
	apps := fs.String("app", "", "Stasis applications to register, comma-separated (required)")
	all := fs.Bool("all", false, "subscribe the applications to every event source (subscribeAll)")
	duration := fs.Duration("duration", 0, "stop after this long (default: until interrupted)")
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
	case len(appList) == 0:
		return usagef("record: -app is required")
	case *duration < 0:
		return usagef("record: -duration must not be negative")
	}
	r := &recorder{maxBody: maxRecordedBody, stderr: stderr}
	client, cfg, err := cf.client(env, func(c *ari.Config) {
		c.HTTPClient = &http.Client{Transport: r}
	})
	if err != nil {
		return err
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
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
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(r.maxBody)+1))
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	x := session.Exchange{Time: at, Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Status: resp.StatusCode, Body: body}
	if len(body) > r.maxBody {
		x.Body = nil
		fmt.Fprintf(r.stderr, "ari: the answer to %s %s is larger than %d bytes: recorded without its body\n", req.Method, req.URL.Path, r.maxBody)
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	} else {
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		r.pending = append(r.pending, x)
	} else if err := r.w.WriteExchange(x); err != nil {
		fmt.Fprintf(r.stderr, "ari: recording %s %s: %v\n", req.Method, req.URL.Path, err)
	}
	return resp, nil
}
