package ari

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client talks to one Asterisk server over ARI's HTTP REST interface and
// opens its events websocket (see EventStream). It is safe for concurrent
// use; create one per server and share it.
//
// The typed clients in package gostasis.dev/ari/resources build a Request
// per operation and send it with Do or Open.
type Client struct {
	ep       endpoint
	restBase string   // "http(s)://host[/prefix]/ari"
	auth     []string // Authorization header value, nil when no credentials
	keyParam string   // "api_key=<escaped key>", "" when no APIKey
	ua       []string // User-Agent header value
	hc       *http.Client
	log      *slog.Logger
	noGate   bool
	maxReply int64 // Config.MaxReplySize or its default

	// ws, when set, carries the calls over a websocket
	// (EventStream.RESTClient, OutboundConn.RESTClient) instead of HTTP.
	ws wsCaller

	vc      *versionCache   // the server's version, shared with the clients made from this one
	verFrom *Client         // the client that learns the version; nil: this one
	obs     RequestObserver // Config.Observer

	// discover, when set, gives the version instead of vc (an outbound
	// websocket's client: the version of the Asterisk it reaches now).
	discover func(context.Context) (*serverVersion, error)
}

// serverVersion is what the client knows of the server's version.
type serverVersion struct {
	v   Version // zero when raw has no release number
	raw string
}

// versionCall is one discovery request shared by concurrent callers.
type versionCall struct {
	done chan struct{}
	sv   *serverVersion
	err  error
}

// Shared header values; the transport only reads them.
var (
	acceptJSON      = []string{"application/json"}
	contentTypeJSON = []string{"application/json"}
)

// NewClient returns a client for the server cfg describes. It does not
// contact the server.
func NewClient(cfg Config) (*Client, error) {
	ep, err := parseEndpoint(cfg.URL)
	if err != nil {
		return nil, err
	}
	user, pass := cfg.Username, cfg.Password
	if user == "" {
		user = ep.user
	}
	if pass == "" {
		pass = ep.pass
	}
	key := cfg.APIKey
	if key == "" {
		key = ep.key
	}
	ep.user, ep.pass, ep.key = "", "", "" // kept only in the header and parameter below
	c := &Client{
		ep:       ep,
		restBase: ep.httpBase() + "/ari",
		hc:       httpClient(cfg.HTTPClient),
		log:      cfg.Logger,
		noGate:   cfg.DisableVersionCheck,
		maxReply: cfg.MaxReplySize,
		vc:       &versionCache{},
		obs:      cfg.Observer,
	}
	if user != "" || pass != "" {
		c.auth = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}
	}
	if key != "" {
		c.keyParam = "api_key=" + url.QueryEscape(key)
	}
	if c.maxReply <= 0 {
		c.maxReply = DefaultMaxReplySize
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = defaultUserAgent
	}
	c.ua = []string{ua}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.vc.preset(cfg.Version, c.log)
	return c, nil
}

// Logger returns the client's logger (a discarding one when Config.Logger
// was nil), for code built on the client to log alike.
func (c *Client) Logger() *slog.Logger { return c.log }

// errEmptySegment refuses a path that an empty path parameter would turn
// into another operation's path.
var errEmptySegment = errors.New("ari: request path must start with '/' and have no empty segment (an empty id?)")

// Do sends r and decodes a successful reply's JSON body into out.
//
// Before sending, Do refuses with an *Error matching ErrUnsupported an
// operation, or a parameter the request sends (see Request), that the
// server's Asterisk version does not have; the version is learned once,
// on the first such call, unless Config.Version is set (see Version).
// Operations every known release has are never checked, nor are
// hand-built ones whose Availability is the zero value.
//
// out is nil to discard the body (void operations, 204 and 202 replies)
// and otherwise must receive the result: an empty or null body then fails
// with an *Error matching ErrEmptyReply, since an operation that returns a
// result always has one. When out implements json.Unmarshaler its
// UnmarshalJSON gets the body directly; otherwise Do uses json.Unmarshal.
// A body longer than Config.MaxReplySize fails with ErrReplyTooLarge,
// unread past the limit. A reply outside 2xx gives an *Error with
// Asterisk's message (a 3xx matches ErrRedirect); a transport failure
// gives an *Error wrapping it (so errors.Is(err,
// context.DeadlineExceeded) works).
func (c *Client) Do(ctx context.Context, r *Request, out any) error {
	resp, err := c.roundTrip(ctx, r)
	if err != nil {
		return err
	}
	if out == nil {
		drainClose(resp.Body)
		return nil
	}
	bp := getBuf()
	buf, err := readLimited(resp.Body, *bp, resp.ContentLength, c.maxReply)
	if err == errTooLarge {
		// Not drained: the rest may be huge. Closing the body closes the
		// connection.
		resp.Body.Close()
		putBuf(bp, buf)
		return c.newError(r, resp.StatusCode, fmt.Errorf("%w (%d bytes)", ErrReplyTooLarge, c.maxReply))
	}
	resp.Body.Close()
	if err != nil {
		putBuf(bp, buf)
		return c.replyError(r, resp.StatusCode, err)
	}
	if isEmptyJSON(buf) {
		putBuf(bp, buf)
		return c.newError(r, resp.StatusCode, ErrEmptyReply)
	}
	if u, ok := out.(json.Unmarshaler); ok {
		err = u.UnmarshalJSON(buf)
	} else {
		err = json.Unmarshal(buf, out)
	}
	putBuf(bp, buf)
	if err != nil {
		return c.replyError(r, resp.StatusCode, err)
	}
	return nil
}

// isEmptyJSON reports whether b is empty, white space, or null: no result.
func isEmptyJSON(b []byte) bool {
	i, j := 0, len(b)
	for i < j && isJSONSpace(b[i]) {
		i++
	}
	for j > i && isJSONSpace(b[j-1]) {
		j--
	}
	return i == j || string(b[i:j]) == "null"
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Open sends r and returns the body of a successful reply as it streams in
// (recordings.getStoredFile's audio), unbuffered; the caller must close it,
// and ctx must stay alive until then. Errors are as for Do.
func (c *Client) Open(ctx context.Context, r *Request) (io.ReadCloser, error) {
	resp, err := c.roundTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// roundTrip checks and sends r and turns a non-2xx reply into an *Error.
// On success the caller owns resp.Body.
func (c *Client) roundTrip(ctx context.Context, r *Request) (*http.Response, error) {
	if r == nil || r.Op == nil {
		return nil, errors.New("ari: Request or Request.Op is nil")
	}
	p := r.Path
	if p == "" || p[0] != '/' || p[len(p)-1] == '/' || strings.Contains(p, "//") {
		return nil, c.newError(r, 0, errEmptySegment)
	}
	if err := c.gate(ctx, r); err != nil {
		return nil, err
	}
	return c.send(ctx, r)
}

// send sends r without version checks, telling Config.Observer.
func (c *Client) send(ctx context.Context, r *Request) (*http.Response, error) {
	o := c.obs
	if o == nil {
		return c.transmit(ctx, r)
	}
	ctx = o.RequestStart(ctx, r)
	resp, err := c.transmit(ctx, r)
	status := 0
	var e *Error
	switch {
	case err == nil:
		status = resp.StatusCode
	case errors.As(err, &e):
		status = e.Status
	}
	o.RequestEnd(ctx, r, status, err)
	return resp, err
}

// transmit sends r over the client's transport.
func (c *Client) transmit(ctx context.Context, r *Request) (*http.Response, error) {
	debug := c.log.Enabled(ctx, slog.LevelDebug)
	var start time.Time
	if debug {
		start = time.Now()
	}
	if c.ws != nil {
		resp, err := c.sendWS(ctx, r)
		if debug {
			var e *Error
			switch {
			case err == nil:
				c.logRequest(ctx, r, resp.StatusCode, start, nil)
			case errors.As(err, &e) && e.Status == 0 && e.Err != nil:
				c.logRequest(ctx, r, 0, start, e.Err)
			case e != nil:
				c.logRequest(ctx, r, e.Status, start, nil)
			}
		}
		return resp, err
	}

	var sb strings.Builder
	sb.Grow(len(c.restBase) + len(r.Path) + 2 + len(r.Query) + len(c.keyParam))
	sb.WriteString(c.restBase)
	sb.WriteString(r.Path)
	if r.Query != "" {
		sb.WriteByte('?')
		sb.WriteString(r.Query)
	}
	if c.keyParam != "" {
		if r.Query != "" {
			sb.WriteByte('&')
		} else {
			sb.WriteByte('?')
		}
		sb.WriteString(c.keyParam)
	}

	var body io.Reader
	if r.Body != nil {
		data, err := json.Marshal(r.Body)
		if err != nil {
			return nil, c.newError(r, 0, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, r.Op.Method, sb.String(), body)
	if err != nil {
		return nil, c.newError(r, 0, c.hideKey(err))
	}
	h := req.Header
	if c.auth != nil {
		h["Authorization"] = c.auth
	}
	h["User-Agent"] = c.ua
	h["Accept"] = acceptJSON
	if body != nil {
		h["Content-Type"] = contentTypeJSON
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		err = c.hideKey(err)
		if debug {
			c.logRequest(ctx, r, 0, start, err)
		}
		return nil, c.newError(r, 0, err)
	}
	if debug {
		c.logRequest(ctx, r, resp.StatusCode, start, nil)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.statusError(r, resp)
	}
	return resp, nil
}

func (c *Client) logRequest(ctx context.Context, r *Request, status int, start time.Time, err error) {
	attrs := []slog.Attr{
		slog.String("op", r.Op.String()),
		slog.String("method", r.Op.Method),
		slog.String("path", r.Path),
		slog.Int("status", status),
		slog.Duration("took", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.newError(r, 0, err).Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "ari: request", attrs...)
}

// newError returns an *Error for r with the given status and cause.
func (c *Client) newError(r *Request, status int, err error) *Error {
	e := &Error{Status: status, Err: err}
	if r != nil {
		e.Path = r.Path
		if r.Op != nil {
			e.Op = r.Op.String()
			e.Method = r.Op.Method
			if status != 0 {
				e.Reason = r.Op.Reason(status)
			}
		}
	}
	return e
}

// replyError reports a successful reply that could not be read or decoded.
func (c *Client) replyError(r *Request, status int, err error) *Error {
	return c.newError(r, status, fmt.Errorf("reading the reply: %w", err))
}

// statusError turns an error reply into an *Error and closes its body. A
// body that could not be read whole (the context ended while it was
// arriving...) is no message: the error keeps the cause instead.
func (c *Client) statusError(r *Request, resp *http.Response) *Error {
	e := c.newError(r, resp.StatusCode, nil)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// A redirect's body is a proxy's, not Asterisk's.
		e.Err = ErrRedirect
		drainClose(resp.Body)
		return e
	}
	msg, err := readErrorBody(resp.Body)
	drainClose(resp.Body)
	if err != nil {
		e.Err = fmt.Errorf("reading the error reply: %w", err)
		return e
	}
	e.Message = msg
	return e
}

// hideKey removes the api_key from the URL that a *url.Error in err's
// chain repeats (net/http puts the whole URL in its errors), so that no
// error shows the key.
func (c *Client) hideKey(err error) error {
	if c.keyParam == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, c.keyParam, "api_key=xxxxx")
	}
	if strings.Contains(err.Error(), c.keyParam) {
		return errors.New(strings.ReplaceAll(err.Error(), c.keyParam, "api_key=xxxxx"))
	}
	return err
}

// drainClose reads what is left of a body (up to a bound) so that the
// connection can be reused, and closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 256<<10))
	body.Close()
}

// Reply buffers, reused across calls. Decoders must not keep the bytes
// (json.Unmarshaler's contract).
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledBuf = 1 << 20

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(bp *[]byte, b []byte) {
	if cap(b) > maxPooledBuf {
		return
	}
	*bp = b[:0]
	bufPool.Put(bp)
}
