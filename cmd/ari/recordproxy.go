package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest/session"
)

// Defaults of the limits of `ari record -listen`.
const (
	// defaultMaxProxiedWebsockets bounds the events websockets proxied at
	// once; one more is refused with 503.
	defaultMaxProxiedWebsockets = 64
	// defaultMaxRequestBody bounds the body of a proxied REST request and
	// a message an application sends on the events websocket; a longer
	// request is refused with 413, a longer message closes the websocket
	// with 1009.
	defaultMaxRequestBody = 1 << 20
	// proxyWriteWait bounds the forwarding of one message.
	proxyWriteWait = 10 * time.Second
	// proxyCloseWait is how long a side that was sent a close message has
	// to answer it before its connection is dropped.
	proxyCloseWait = time.Second
	// proxyShutdownWait is how long REST requests in flight may still take
	// when the recorder stops.
	proxyShutdownWait = 2 * time.Second
)

// proxyOptions are the flags of `ari record -listen`.
type proxyOptions struct {
	out            string
	listen         string
	apps           []string
	maxWebsockets  int
	maxRequestBody int64
}

// runRecordProxy runs `ari record -listen`: it serves ARI on o.listen and
// forwards everything to the configured server, recording what passes.
func runRecordProxy(ctx context.Context, o proxyOptions, cf *clientFlags, env func(string) string, stdout, stderr io.Writer) error {
	stderr = &syncWriter{w: stderr}
	client, cfg, err := cf.client(env, nil)
	if err != nil {
		return err
	}
	up, err := parseUpstream(cfg)
	if err != nil {
		return err
	}
	// The version check is the recorder's own: it is not recorded.
	var version string
	v, err := client.Version(ctx)
	var ae *ari.Error
	switch {
	case err == nil:
		version = v.String()
	case errors.As(err, &ae) && ae.Status != 0:
		// Asterisk answered: the application may have credentials that
		// the recorder lacks.
		fmt.Fprintf(stderr, "ari: the version check failed (%v): the header has no version\n", err)
	default:
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	defer ln.Close()

	var w io.Writer = stdout
	var file *os.File
	if o.out != "-" {
		if file, err = os.Create(o.out); err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	sw, err := session.NewWriter(w, session.Header{
		Recorded: time.Now().UTC(),
		Server:   session.RedactURL(cfg.URL),
		Version:  version,
		Apps:     o.apps,
	})
	if err != nil {
		return err
	}
	p := newProxy(up, newTimeline(sw, stderr), stderr)
	p.maxRequest = o.maxRequestBody
	p.slots = make(chan struct{}, o.maxWebsockets)

	urlLine := "ARI_URL=http://" + ln.Addr().String() + "\n"
	if o.out == "-" {
		fmt.Fprint(stderr, urlLine)
	} else {
		fmt.Fprint(stdout, urlLine)
	}
	fmt.Fprintf(stderr, "ari: recording as a proxy of %s\n", up.shown)
	err = p.serve(ctx, ln)
	if ferr := sw.Flush(); err == nil {
		err = ferr
	}
	if file != nil && err == nil {
		err = file.Close()
	}
	events, exchanges := p.tl.counts()
	fmt.Fprintf(stderr, "ari: recorded %d events and %d REST exchanges\n", events, exchanges)
	return err
}

// upstream is the server the proxy forwards to.
type upstream struct {
	httpBase, wsBase string // "http(s)://host[/prefix]", "ws(s)://host[/prefix]", without "/ari"
	shown            string // httpBase, for messages
	auth             string // the recorder's Authorization header, "" for none
	key              string // the recorder's api_key, "" for none
}

// parseUpstream reads the recorder's connection settings: its URL (user
// information and api_key removed) and credentials.
func parseUpstream(cfg ari.Config) (*upstream, error) {
	if _, err := ari.NewClient(cfg); err != nil { // its errors never show credentials
		return nil, fmt.Errorf("connection settings: %w", err)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("connection settings: the URL does not parse")
	}
	user, pass := cfg.Username, cfg.Password
	if u.User != nil {
		if user == "" {
			user = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && pass == "" {
			pass = p
		}
	}
	up := &upstream{key: cfg.APIKey}
	if up.key == "" {
		up.key = u.Query().Get("api_key")
	}
	if user != "" || pass != "" {
		up.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	prefix := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(u.EscapedPath(), "/"), "/ari"), "/")
	host := u.Host
	if strings.EqualFold(u.Scheme, "https") {
		up.httpBase, up.wsBase = "https://"+host+prefix, "wss://"+host+prefix
	} else {
		up.httpBase, up.wsBase = "http://"+host+prefix, "ws://"+host+prefix
	}
	up.shown = up.httpBase
	return up, nil
}

// target is the upstream URL of r: base, r's path, r's query, plus the
// recorder's api_key when r has no credentials of its own.
func (u *upstream) target(base string, r *http.Request, own bool) string {
	q := r.URL.RawQuery
	if !own && u.key != "" {
		if q != "" {
			q += "&"
		}
		q += "api_key=" + url.QueryEscape(u.key)
	}
	s := base + r.URL.EscapedPath()
	if q != "" {
		s += "?" + q
	}
	return s
}

// hasCredentials reports whether r carries ARI credentials of its own.
func hasCredentials(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return strings.Contains(r.URL.RawQuery, "api_key")
	}
	return q.Has("api_key")
}

// proxy serves ARI and forwards everything to upstream, recording the
// events and REST exchanges on its timeline.
type proxy struct {
	up         *upstream
	tl         *timeline
	stderr     io.Writer
	rt         http.RoundTripper
	dialer     *websocket.Dialer
	maxBody    int   // recorded answers
	maxRequest int64 // request bodies and the application's messages
	maxFrame   int64 // Asterisk's messages
	slots      chan struct{}

	mu     sync.Mutex
	closed bool
	seq    uint64
	conns  map[*wsPair]struct{}
	wg     sync.WaitGroup // requests being served
}

func newProxy(up *upstream, tl *timeline, stderr io.Writer) *proxy {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	return &proxy{
		up:         up,
		tl:         tl,
		stderr:     stderr,
		rt:         tr,
		dialer:     &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 10 * time.Second, Subprotocols: []string{"ari"}},
		maxBody:    maxRecordedBody,
		maxRequest: defaultMaxRequestBody,
		maxFrame:   ari.DefaultMaxFrameSize,
		slots:      make(chan struct{}, defaultMaxProxiedWebsockets),
		conns:      make(map[*wsPair]struct{}),
	}
}

// serve serves ln until ctx ends, then closes the websockets, lets the
// REST requests in flight finish (for proxyShutdownWait at most) and
// returns once every request's handler has returned.
func (p *proxy) serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(p.stderr, "ari: ", 0)}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-done:
	}
	p.mu.Lock()
	p.closed = true
	pairs := make([]*wsPair, 0, len(p.conns))
	for c := range p.conns {
		pairs = append(pairs, c)
	}
	p.mu.Unlock()
	for _, c := range pairs {
		c.stop()
	}
	sctx, cancel := context.WithTimeout(context.Background(), proxyShutdownWait)
	defer cancel()
	if hs.Shutdown(sctx) != nil {
		hs.Close()
	}
	if err == nil {
		err = <-done
	}
	p.wg.Wait()
	if tr, ok := p.rt.(interface{ CloseIdleConnections() }); ok {
		tr.CloseIdleConnections()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// ServeHTTP implements http.Handler.
func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		http.Error(w, "ari record: stopping", http.StatusServiceUnavailable)
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()
	if r.URL.Path != "/ari" && !strings.HasPrefix(r.URL.Path, "/ari/") {
		http.Error(w, "ari record: only /ari is proxied", http.StatusNotFound)
		return
	}
	if r.URL.Path == "/ari/events" && websocket.IsWebSocketUpgrade(r) {
		p.serveEvents(w, r)
		return
	}
	p.forward(w, r)
}

// hopHeaders are the headers of one HTTP connection, never forwarded.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// copyHeader copies src to dst, without the hop-by-hop headers.
func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
	for _, f := range src.Values("Connection") {
		for name := range strings.SplitSeq(f, ",") {
			dst.Del(strings.TrimSpace(name))
		}
	}
	for _, k := range hopHeaders {
		dst.Del(k)
	}
}

// forward sends a REST request to Asterisk, records the exchange and
// passes the answer back.
func (p *proxy) forward(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.ContentLength > p.maxRequest {
		p.tooLarge(w, r)
		return
	}
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, p.maxRequest+1))
		if err != nil {
			http.Error(w, "ari record: reading the request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if int64(len(b)) > p.maxRequest {
			p.tooLarge(w, r)
			return
		}
		body = b
	}
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	own := hasCredentials(r)
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.up.target(p.up.httpBase, r, own), rd)
	if err != nil {
		http.Error(w, "ari record: "+p.scrub(err.Error(), r.URL.RawQuery), http.StatusBadRequest)
		return
	}
	copyHeader(out.Header, r.Header)
	out.Header.Del("Accept-Encoding") // the transport asks for gzip and decodes it: bodies are recorded plain
	if !own && p.up.auth != "" {
		out.Header.Set("Authorization", p.up.auth)
	}

	x := session.Exchange{Time: time.Now().UTC(), Transport: session.TransportHTTP, Method: r.Method,
		Path: r.URL.Path, Query: session.RedactQuery(r.URL.RawQuery), Request: body}
	s := p.tl.reserve(x)
	resp, err := p.rt.RoundTrip(out)
	if err != nil {
		p.tl.complete(s, x, false)
		if r.Context().Err() != nil {
			return // the application left
		}
		msg := fmt.Sprintf("ari record: cannot reach Asterisk at %s: %s", p.up.shown, p.scrub(err.Error(), out.URL.RawQuery))
		fmt.Fprintf(p.stderr, "ari: %s %s: %s\n", r.Method, r.URL.Path, msg)
		http.Error(w, msg, http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	got, err := captureAnswer(resp, p.maxBody, p.stderr, r.Method, r.URL.Path)
	if err != nil {
		p.tl.complete(s, x, false)
		if r.Context().Err() == nil {
			http.Error(w, fmt.Sprintf("ari record: reading Asterisk's answer: %s", p.scrub(err.Error(), out.URL.RawQuery)), http.StatusBadGateway)
		}
		return
	}
	x.Status, x.Body = resp.StatusCode, got
	p.tl.complete(s, x, true)

	copyHeader(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// tooLarge refuses a request whose body is over the limit.
func (p *proxy) tooLarge(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(p.stderr, "ari: %s %s: the request's body is larger than %d bytes (-max-request-body): refused\n", r.Method, r.URL.Path, p.maxRequest)
	http.Error(w, fmt.Sprintf("ari record: the request's body is larger than %d bytes (-max-request-body)", p.maxRequest), http.StatusRequestEntityTooLarge)
}

// scrub removes from msg the query q of a request (which may hold an
// api_key) and the recorder's api_key.
func (p *proxy) scrub(msg, q string) string {
	if q != "" {
		msg = strings.ReplaceAll(msg, q, "xxxxx")
	}
	if p.up.key != "" {
		msg = strings.ReplaceAll(msg, url.QueryEscape(p.up.key), "xxxxx")
		msg = strings.ReplaceAll(msg, p.up.key, "xxxxx")
	}
	return msg
}

// syncWriter serializes the writes of the proxy's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
