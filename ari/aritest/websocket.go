package aritest

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"gostasis.dev/ari/events"
)

// wsConn is one events websocket. Events are queued by the simulator (never
// blocking it) and written by the connection's writer goroutine; a client
// that does not take an event within Timing.WriteTimeout is dropped, as
// Asterisk drops it.
type wsConn struct {
	s    *Server
	ws   *websocket.Conn
	user *User
	apps []*app // guarded by s.mu

	// stalled connections lose every event and answer no ping, as a
	// half-open TCP connection does (StallWebsockets).
	stalled atomic.Bool

	// out is the outbound session of a connection the simulator dialed
	// (outbound.go); nil for an events websocket the client opened.
	out *outboundSession
	// firstSent, on an outbound connection, is closed once the first
	// frame is written: requests read before wait for it.
	firstSent chan struct{}

	mu     sync.Mutex
	q      [][]byte
	closed bool
	// queued and written count the frames queued and written so far;
	// flushed, when set, is closed after the writer's next batch
	// (waitWritten, for Server.Replay).
	queued, written uint64
	flushed         chan struct{}
	// closeFrame asks the writer for a close frame (1000) after the
	// queued frames (outbound per-call connections).
	closeFrame bool
	wake       chan struct{}
	done       chan struct{}
	once       sync.Once
}

var upgrader = websocket.Upgrader{
	Subprotocols:    []string{"ari"},
	ReadBufferSize:  4096,
	WriteBufferSize: 16384,
	CheckOrigin:     func(*http.Request) bool { return true },
}

// serveEvents handles GET /ari/events: the upgrade to the events websocket.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request, user *User, q map[string]string) {
	appParam := q["app"]
	if appParam == "" {
		htmlError(w, 400, "Bad Request", "HTTP request is missing param: [app]")
		return
	}
	s.mu.Lock()
	refuse := s.refusing()
	closed := s.closed
	s.unlock()
	if closed || refuse {
		// As an Asterisk that is not fully booted answers.
		writeReply(w, errReply(503, "Asterisk not booted"))
		return
	}
	// The applications are registered before the upgrade completes, so
	// that a client told it is connected can rely on them: events for
	// them queue until the writer starts.
	c := &wsConn{s: s, user: user, wake: make(chan struct{}, 1), done: make(chan struct{})}
	names := strings.Split(appParam, ",")
	subAll := isTrue(q["subscribeAll"])
	s.mu.Lock()
	if s.closed {
		s.unlock()
		writeReply(w, errReply(503, "Asterisk not booted"))
		return
	}
	s.conns[c] = struct{}{}
	for _, n := range names {
		if n == "" {
			continue
		}
		a := s.getApp(n)
		if old := a.conn; old != nil && old != c {
			// The newer websocket wins; the older one is told so.
			s.send(&events.ApplicationReplaced{}, target{direct: a})
			old.removeApp(a)
		}
		a.conn = c
		c.apps = append(c.apps, a)
		if subAll {
			yes := true
			s.setAll(a, &yes, &yes, &yes, &yes)
		}
	}
	wbuf := s.wsWriteBuf
	s.unlock()
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		c.close() // the upgrader has replied
		return
	}
	if tc, ok := ws.NetConn().(*net.TCPConn); ok && wbuf > 0 {
		_ = tc.SetWriteBuffer(wbuf)
	}
	s.mu.Lock()
	c.mu.Lock()
	gone := c.closed
	c.ws = ws
	c.mu.Unlock()
	if gone || s.closed {
		s.unlock()
		ws.Close()
		c.close()
		return
	}
	s.connWG.Add(2)
	s.unlock()
	go c.writeLoop()
	go c.readLoop()
	c.wakeUp()
}

// refusing reports whether RefuseWebsockets is in force. Call with s.mu
// held.
func (s *Server) refusing() bool {
	return !s.refuseUntil.IsZero() && time.Now().Before(s.refuseUntil)
}

// refusingNow is refusing for a caller without s.mu.
func (s *Server) refusingNow() bool {
	s.mu.Lock()
	defer s.runlock()
	return s.refusing()
}

// removeApp detaches a from the connection. Call with s.mu held.
func (c *wsConn) removeApp(a *app) {
	for i, x := range c.apps {
		if x == a {
			c.apps = append(c.apps[:i], c.apps[i+1:]...)
			break
		}
	}
	if a.conn == c {
		a.conn = nil
	}
}

// enqueue queues a frame; it never blocks. Call with s.mu held (the
// order of frames is the order of the calls). It returns the frame's
// position for waitWritten: 0 for a frame lost at once (a stalled or
// closed connection).
func (c *wsConn) enqueue(frame []byte) uint64 {
	if c.stalled.Load() {
		return 0 // lost on the way, as into a dead TCP connection
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0
	}
	c.q = append(c.q, frame)
	c.queued++
	pos := c.queued
	c.mu.Unlock()
	c.wakeUp()
	return pos
}

// errConnGone is waitWritten's error when the connection closes before
// the frame is written.
var errConnGone = errors.New("aritest: the websocket closed before the frame was written")

// waitWritten waits until the writer has written the frame enqueue put at
// pos, the connection closes (errConnGone) or ctx ends.
func (c *wsConn) waitWritten(ctx context.Context, pos uint64) error {
	for {
		c.mu.Lock()
		if c.written >= pos {
			c.mu.Unlock()
			return nil
		}
		if c.closed {
			c.mu.Unlock()
			return errConnGone
		}
		if c.flushed == nil {
			c.flushed = make(chan struct{})
		}
		ch := c.flushed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// wroteBatch counts n frames written and wakes waitWritten.
func (c *wsConn) wroteBatch(n int) {
	c.mu.Lock()
	c.written += uint64(n)
	ch := c.flushed
	c.flushed = nil
	c.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// wakeUp tells the writer there is something to write.
func (c *wsConn) wakeUp() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// close closes the connection (without a close frame) and detaches its
// applications. It may be called from any goroutine without s.mu held.
func (c *wsConn) close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.q = nil
		ws := c.ws
		c.mu.Unlock()
		close(c.done)
		if ws != nil {
			ws.Close()
		}
		s := c.s
		s.mu.Lock()
		delete(s.conns, c)
		if c.out != nil {
			c.out.connLost(c)
		} else {
			for _, a := range append([]*app(nil), c.apps...) {
				c.removeApp(a)
			}
		}
		s.unlock()
	})
}

// discard drops a pending outbound connection, which has no websocket and
// no goroutine. Call with s.mu held.
func (c *wsConn) discard() {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.q = nil
		c.mu.Unlock()
		close(c.done)
	})
}

// requestClose makes the writer send a close frame (1000) after the frames
// queued so far, and stop.
func (c *wsConn) requestClose() {
	c.mu.Lock()
	c.closeFrame = true
	c.mu.Unlock()
	c.wakeUp()
}

// writeLoop writes queued frames until the connection closes.
func (c *wsConn) writeLoop() {
	defer c.s.connWG.Done()
	var batch [][]byte
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
		}
		c.mu.Lock()
		batch, c.q = c.q, batch[:0]
		closeFrame := c.closeFrame
		c.mu.Unlock()
		for i, frame := range batch {
			_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.Timing.WriteTimeout))
			if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
				c.s.log.Debug("aritest: dropping an events websocket", "error", err)
				c.close()
				return
			}
			batch[i] = nil
			if c.firstSent != nil && i == 0 {
				select {
				case <-c.firstSent:
				default:
					close(c.firstSent)
				}
			}
		}
		c.wroteBatch(len(batch))
		if closeFrame {
			// The close handshake: the reader ends with the peer's close
			// frame, or after a second without it.
			if !c.stalled.Load() {
				msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.s.cfg.Timing.WriteTimeout))
			}
			_ = c.ws.SetReadDeadline(time.Now().Add(time.Second))
			return
		}
	}
}

// readLoop reads the client's messages (pings are answered by the
// websocket library; RESTRequest messages are served) until the connection
// fails.
func (c *wsConn) readLoop() {
	defer c.s.connWG.Done()
	defer c.close()
	c.ws.SetPingHandler(func(data string) error {
		if c.stalled.Load() {
			return nil
		}
		err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		if err == websocket.ErrCloseSent {
			return nil
		}
		return err
	})
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if c.firstSent != nil {
			// Asterisk reads a request sent before its first message
			// along with the handshake, and answers it only later.
			select {
			case <-c.firstSent:
			case <-c.done:
				return
			}
		}
		c.serveRESTRequest(data)
	}
}

// restRequest is the RESTRequest message of REST over websocket.
type restRequest struct {
	Type          string `json:"type"`
	TransactionID string `json:"transaction_id"`
	RequestID     string `json:"request_id"`
	Method        string `json:"method"`
	URI           string `json:"uri"`
	QueryStrings  []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"query_strings"`
	ContentType string `json:"content_type"`
	MessageBody string `json:"message_body"`
}

// serveRESTRequest answers a RESTRequest with a RESTResponse on the same
// websocket (Asterisk 20.14+); other messages are ignored.
func (c *wsConn) serveRESTRequest(data []byte) {
	var req restRequest
	if json.Unmarshal(data, &req) != nil || req.Type != "RESTRequest" {
		return
	}
	uri := "/" + strings.TrimPrefix(req.URI, "/")
	path, rawQuery, _ := strings.Cut(uri, "?")
	q := make(map[string]string)
	if rawQuery != "" {
		parseQueryInto(q, rawQuery)
	}
	for _, kv := range req.QueryStrings {
		q[kv.Name] = kv.Value
	}
	var body []byte
	if req.MessageBody != "" {
		body = []byte(req.MessageBody)
	}
	var rep reply
	if c.out != nil && c.s.refusingNow() {
		// An outbound connection opens before Asterisk is fully booted.
		rep = errReply(503, "Asterisk not booted")
	} else {
		rep = c.s.dispatch(strings.ToUpper(req.Method), path, q, body, c.user, "", nil)
	}
	resp := &events.RESTResponse{
		TransactionID: req.TransactionID,
		RequestID:     req.RequestID,
		StatusCode:    rep.status,
		ReasonPhrase:  http.StatusText(rep.status),
		URI:           req.URI,
	}
	if len(rep.body) > 0 {
		resp.ContentType = rep.contentType()
		resp.MessageBody = string(rep.body)
	}
	c.s.mu.Lock()
	if len(c.apps) > 0 {
		c.s.send(resp, target{direct: c.apps[0]})
	}
	c.s.unlock()
}
