package ari

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// ErrConnectionLost reports a call sent over the events websocket (see
// EventStream.RESTClient) that got no reply because the websocket was not
// connected, or dropped before the reply came.
var ErrConnectionLost = errors.New("ari: the events websocket is not connected or dropped before the reply")

// DefaultMaxPendingRequests is the default
// EventStreamConfig.MaxPendingRequests.
const DefaultMaxPendingRequests = 1024

// restOverWebsocketSince lists, per release line, the first release with
// REST over the events websocket (RESTRequest and RESTResponse messages):
// 20.14, 21.9 and 22.4; every later line has it. The schemas agree: the
// models are in 20.20.1, 21.12.3, 22.10.1 and 23.4.1, not in 16 or 18.
var restOverWebsocketSince = [...]Version{{20, 14, 0}, {21, 9, 0}, {22, 4, 0}}

// restOverWebsocketIn reports whether v has REST over the events
// websocket. The zero Version (unknown, a development build) has it.
func restOverWebsocketIn(v Version) bool {
	if v.IsZero() {
		return true
	}
	for _, s := range restOverWebsocketSince {
		if v.Major == s.Major {
			return v.Compare(s) >= 0
		}
	}
	return v.Major > restOverWebsocketSince[len(restOverWebsocketSince)-1].Major
}

// wsCaller sends a RESTRequest over a websocket and waits for its reply.
type wsCaller interface {
	call(ctx context.Context, msg *restRequest) restReply
}

// restWS carries calls over one websocket at a time as RESTRequest
// messages and completes them from the RESTResponse messages the reader
// hands to route. An EventStream keeps one across its reconnects; an
// OutboundConn has one for its single connection.
type restWS struct {
	slots chan struct{} // one token per call in flight
	log   *slog.Logger
	wmu   sync.Mutex // one writer at a time on the connection

	mu      sync.Mutex
	conn    *websocket.Conn // the connection calls go on; nil while down
	ready   chan struct{}   // closed once calls may be sent on conn
	nextID  uint64
	pending map[string]chan restReply

	requests, responses, late atomic.Uint64 // Stats
}

func newRestWS(maxPending int, log *slog.Logger) *restWS {
	if maxPending <= 0 {
		maxPending = DefaultMaxPendingRequests
	}
	return &restWS{
		slots:   make(chan struct{}, maxPending),
		log:     log,
		pending: make(map[string]chan restReply),
	}
}

// attach makes conn the connection calls go on. When ready is false,
// calls wait for markReady: Asterisk's outbound websocket does not read
// what the app sends before its own first message.
func (w *restWS) attach(conn *websocket.Conn, ready bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.conn = conn
	w.ready = make(chan struct{})
	if ready {
		close(w.ready)
	}
}

// markReady lets calls be sent on the attached connection.
func (w *restWS) markReady() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ready != nil {
		select {
		case <-w.ready:
		default:
			close(w.ready)
		}
	}
}

// detach forgets the connection and fails every pending call.
func (w *restWS) detach() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.conn = nil
	if w.ready != nil {
		select {
		case <-w.ready:
		default:
			close(w.ready) // waiters find conn nil
		}
	}
	for id, ch := range w.pending {
		ch <- restReply{err: ErrConnectionLost}
		delete(w.pending, id)
	}
}

// restReply is what completes a call: a response or a failure.
type restReply struct {
	status int
	body   string
	err    error
}

// restRequest is a RESTRequest message. It is declared here rather than
// taken from the generated models so that the client builds from any
// release's API description, including those without the message.
type restRequest struct {
	Type          string            `json:"type"`
	TransactionID string            `json:"transaction_id"`
	RequestID     string            `json:"request_id"`
	Method        string            `json:"method"`
	URI           string            `json:"uri"`
	ContentType   string            `json:"content_type,omitempty"`
	QueryStrings  []restQueryString `json:"query_strings,omitempty"`
	MessageBody   string            `json:"message_body,omitempty"`
}

// restQueryString is one of a RESTRequest's query_strings.
type restQueryString struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// restResponse is the part of a RESTResponse message the client reads.
type restResponse struct {
	Type        string `json:"type"`
	RequestID   string `json:"request_id"`
	StatusCode  int    `json:"status_code"`
	ContentType string `json:"content_type"`
	MessageBody string `json:"message_body"`
}

// RESTClient returns a client whose calls go over the stream's websocket
// as RESTRequest messages (Asterisk 20.14, 21.9, 22.4 and later), each
// completed by the RESTResponse with its request id: one connection for
// events and REST. Give it to resources.New for the same typed API, with
// the same *Error values (status, Asterisk's message, reason) and the
// same version checks.
//
// Calls need a running stream (Run) with a connection up; otherwise, and
// when the connection drops before the reply, they fail at once with an
// *Error matching ErrConnectionLost. The server's version is learned over
// HTTP by the client that made the stream (or taken from Config.Version),
// and a call to an Asterisk without REST over websocket is refused before
// sending with an *Error matching ErrUnsupported, unless
// Config.DisableVersionCheck is set.
//
// RESTResponse messages are never delivered to Run's deliver; a call
// returns after every event that preceded its response was delivered. A
// call whose ctx ends stops waiting and frees its slot (see
// EventStreamConfig.MaxPendingRequests); its response, if it comes later,
// is dropped and counted in EventStreamStats.LateResponses.
//
// Responses are read by the goroutine that runs deliver: deliver must not
// wait for a call of this client, or neither ever completes.
//
// Asterisk passes RESTResponse messages through the application's event
// filter (res/ari/ari_websockets.c, ari_websocket_send_event): an
// applications.filter whose allowed list lacks RESTResponse makes every
// call wait until its ctx ends. Give calls a deadline, and allow
// RESTResponse in such filters.
func (s *EventStream) RESTClient() *Client {
	c := s.c
	return &Client{
		ep:       c.ep,
		restBase: c.restBase,
		auth:     c.auth,
		keyParam: c.keyParam,
		ua:       c.ua,
		hc:       c.hc,
		log:      c.log,
		noGate:   c.noGate,
		maxReply: c.maxReply,
		ws:       s.rest,
		vc:       c.vc,
		verFrom:  c,
		obs:      c.obs,
	}
}

// sendWS sends r over the stream's websocket and returns the reply as an
// HTTP response, so that Do and Open treat it as one from HTTP.
func (c *Client) sendWS(ctx context.Context, r *Request) (*http.Response, error) {
	if !c.noGate && r.Op != opAsteriskInfo { // not the version's own discovery
		sv, err := c.serverVersion(ctx)
		if err == nil && !restOverWebsocketIn(sv.v) {
			e := c.newError(r, 0, ErrUnsupported)
			e.Version = sv.v
			e.Message = "Asterisk " + sv.v.String() + " has no REST over the events websocket; it is in 20.14, 21.9, 22.4 and later"
			return nil, e
		}
		// A version that cannot be learned was already reported by gate
		// when the call needed it; otherwise let the server judge.
	}
	msg := restRequest{
		Type:   "RESTRequest",
		Method: r.Op.Method,
		URI:    strings.TrimPrefix(r.Path, "/"),
	}
	if r.Query != "" {
		qs, err := queryStrings(r.Query)
		if err != nil {
			return nil, c.newError(r, 0, err)
		}
		msg.QueryStrings = qs
	}
	if r.Body != nil {
		data, err := json.Marshal(r.Body)
		if err != nil {
			return nil, c.newError(r, 0, err)
		}
		msg.ContentType = "application/json"
		msg.MessageBody = string(data)
	}
	rep := c.ws.call(ctx, &msg)
	for wait := notBootedFirstWait; notBooted(rep) && wait <= notBootedLastWait; wait *= 2 {
		// Asterisk refused before dispatching: safe to send again.
		c.log.Debug("ari: Asterisk is not fully booted; retrying", "op", r.Op.String(), "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, c.newError(r, 0, ctx.Err())
		}
		rep = c.ws.call(ctx, &msg)
	}
	if rep.err != nil {
		return nil, c.newError(r, 0, rep.err)
	}
	resp := &http.Response{
		StatusCode:    rep.status,
		Status:        strconv.Itoa(rep.status) + " " + http.StatusText(rep.status),
		Body:          io.NopCloser(strings.NewReader(rep.body)),
		ContentLength: int64(len(rep.body)),
		Header:        http.Header{},
	}
	if rep.status < 200 || rep.status > 299 {
		return nil, c.statusError(r, resp)
	}
	return resp, nil
}

// Retries of a request Asterisk answered with 503 "Asterisk not booted":
// an outbound websocket opens some milliseconds before Asterisk is fully
// booted, and res_ari refuses every request before dispatching it until
// then. Waits double from the first to the last: about 3 s in all.
const (
	notBootedFirstWait = 25 * time.Millisecond
	notBootedLastWait  = 1600 * time.Millisecond
)

// notBooted reports Asterisk's 503 "Asterisk not booted".
func notBooted(rep restReply) bool {
	return rep.err == nil && rep.status == http.StatusServiceUnavailable && strings.Contains(rep.body, "Asterisk not booted")
}

// queryStrings splits an encoded query into RESTRequest query_strings, in
// order.
func queryStrings(q string) ([]restQueryString, error) {
	out := make([]restQueryString, 0, strings.Count(q, "&")+1)
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("ari: query %q: %w", k, err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("ari: query %q: %w", k, err)
		}
		out = append(out, restQueryString{Name: name, Value: value})
	}
	return out, nil
}

// call sends msg on the current connection and waits for its response,
// the connection's loss, or ctx.
func (w *restWS) call(ctx context.Context, msg *restRequest) restReply {
	select {
	case w.slots <- struct{}{}:
	case <-ctx.Done():
		return restReply{err: ctx.Err()}
	}
	defer func() { <-w.slots }()

	w.mu.Lock()
	ready := w.ready
	w.mu.Unlock()
	if ready != nil {
		select {
		case <-ready:
		case <-ctx.Done():
			return restReply{err: ctx.Err()}
		}
	}

	ch := make(chan restReply, 1)
	w.mu.Lock()
	conn := w.conn
	if conn == nil {
		w.mu.Unlock()
		return restReply{err: ErrConnectionLost}
	}
	w.nextID++
	id := "gostasis-" + strconv.FormatUint(w.nextID, 10)
	w.pending[id] = ch
	w.mu.Unlock()

	msg.RequestID, msg.TransactionID = id, id
	data, err := json.Marshal(msg)
	if err == nil {
		w.wmu.Lock()
		_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
		err = conn.WriteMessage(websocket.TextMessage, data)
		w.wmu.Unlock()
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrConnectionLost, err)
			conn.Close() // a half-written message leaves it unusable
		}
	}
	if err != nil {
		w.forget(id)
		return restReply{err: err}
	}
	w.requests.Add(1)
	select {
	case rep := <-ch:
		return rep
	case <-ctx.Done():
		if !w.forget(id) {
			// Completed meanwhile: the reply is in ch.
			return <-ch
		}
		return restReply{err: ctx.Err()}
	}
}

// forget removes a pending call; it reports whether it was still pending.
func (w *restWS) forget(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.pending[id]; !ok {
		return false
	}
	delete(w.pending, id)
	return true
}

// restMarker is how every RESTResponse message names its type.
var restMarker = []byte(`"RESTResponse"`)

// route completes the call a RESTResponse message answers and reports
// whether data was one (and so is not an event).
func (w *restWS) route(data []byte) bool {
	if !bytes.Contains(data, restMarker) {
		return false
	}
	var m restResponse
	if json.Unmarshal(data, &m) != nil || m.Type != "RESTResponse" {
		return false
	}
	w.mu.Lock()
	ch, ok := w.pending[m.RequestID]
	delete(w.pending, m.RequestID)
	w.mu.Unlock()
	if !ok {
		w.late.Add(1)
		w.log.Debug("ari: dropping a RESTResponse nobody waits for", "request_id", m.RequestID)
		return true
	}
	w.responses.Add(1)
	ch <- restReply{status: m.StatusCode, body: m.MessageBody}
	return true
}
