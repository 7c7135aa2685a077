package session

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gostasis.dev/ari"
)

// DefaultWriteTimeout is how long Server waits for a client to take one
// event before it drops the connection, as Asterisk does, when
// ServerConfig.WriteTimeout is zero.
const DefaultWriteTimeout = 10 * time.Second

// ServerConfig configures a Server. The zero value replays as fast as the
// client reads and accepts any credentials.
type ServerConfig struct {
	// Speed scales the recorded gaps between events: 1 replays them in
	// real time, 2 twice as fast. Zero or less sends each event as soon as
	// the client takes the previous one.
	Speed float64
	// Username and Password, when Username is set, are the only ARI
	// credentials accepted (basic authentication or api_key); requests
	// without them get 401, as from Asterisk.
	Username, Password string
	// Addr is the address to listen on. Default "127.0.0.1:0" (a free
	// loopback port).
	Addr string
	// WriteTimeout bounds the sending of one event; a client that does not
	// take it in time is dropped. Zero means DefaultWriteTimeout.
	WriteTimeout time.Duration
}

// Server serves a recorded session over ARI on a loopback port:
//
//   - the events websocket (/ari/events?app=a,b, subprotocol "ari"): each
//     connection gets, from the start, the recorded events of the
//     applications it names, in the recorded order (one connection, even if
//     the recording reconnected), then stays open until the client closes it;
//   - REST: a request matching a recorded exchange (method, path and query,
//     api_key aside) gets the recorded answer, the exchanges of one request
//     in turn and the last one again after that; GET /ari/asterisk/info
//     reports the recorded version when it was not recorded; any other
//     request gets 501.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>", without
	// "/ari".
	URL string

	sess   *Session
	cfg    ServerConfig
	client *ari.Client
	apps   []string // application of each event; "" for a frame without one
	ln     net.Listener
	hs     *http.Server

	mu      sync.Mutex
	next    map[string]int // next exchange per request key
	conns   map[*websocket.Conn]struct{}
	closed  bool
	played  chan struct{}
	didPlay bool
	wg      sync.WaitGroup
}

// NewServer starts serving sess. It fails only when it cannot listen on
// cfg.Addr.
func NewServer(sess *Session, cfg ServerConfig) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	s := &Server{
		URL:    "http://" + ln.Addr().String(),
		sess:   sess,
		cfg:    cfg,
		ln:     ln,
		next:   map[string]int{},
		conns:  map[*websocket.Conn]struct{}{},
		played: make(chan struct{}),
	}
	for _, e := range sess.Events {
		var m struct {
			Application string `json:"application"`
		}
		_ = json.Unmarshal(e.Data, &m) // a frame that is not JSON goes to every connection
		s.apps = append(s.apps, m.Application)
	}
	s.client, err = ari.NewClient(ari.Config{URL: s.URL, Username: cfg.Username, Password: cfg.Password})
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("session: %w", err)
	}
	s.hs = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.hs.Serve(ln) }()
	return s, nil
}

// Client returns a client of the server, with its credentials.
func (s *Server) Client() *ari.Client { return s.client }

// Played is closed once a connection of the events websocket has been
// sent every event recorded for its applications.
func (s *Server) Played() <-chan struct{} { return s.played }

// closeGrace is how long Close waits for clients to answer its close
// message before it cuts their connections.
const closeGrace = time.Second

// Close stops the server. It closes each events websocket with a close
// message (1001, going away) after the events already sent, so that the
// client reads them all, and cuts the connections of clients that do not
// answer within a second.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*websocket.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "session server closing")
	for _, c := range conns {
		_ = c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeGrace):
		for _, c := range conns {
			_ = c.Close()
		}
		<-done
	}
	_ = s.hs.Close()
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
		writeJSON(w, http.StatusUnauthorized, []byte(`{"message":"Authentication required"}`))
		return
	}
	if r.URL.Path == "/ari/events" && websocket.IsWebSocketUpgrade(r) {
		s.serveEvents(w, r)
		return
	}
	query := normalQuery(r.URL.RawQuery)
	key := r.Method + " " + r.URL.Path + "?" + query
	var found []int
	for i, x := range s.sess.Exchanges {
		if x.Method == r.Method && x.Path == r.URL.Path && normalQuery(x.Query) == query {
			found = append(found, i)
		}
	}
	if len(found) > 0 {
		s.mu.Lock()
		n := s.next[key]
		if n < len(found)-1 {
			s.next[key] = n + 1
		}
		s.mu.Unlock()
		x := s.sess.Exchanges[found[n]]
		writeJSON(w, x.Status, x.Body)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/ari/asterisk/info" {
		b, _ := json.Marshal(map[string]any{"system": map[string]string{"version": s.sess.Header.Version}})
		writeJSON(w, http.StatusOK, b)
		return
	}
	msg, _ := json.Marshal(map[string]string{"message": "session: " + r.Method + " " + r.URL.Path + " is not in the recorded session"})
	writeJSON(w, http.StatusNotImplemented, msg)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	if len(body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// normalQuery is q without api_key, its parameters sorted.
func normalQuery(q string) string {
	v, err := url.ParseQuery(q)
	if err != nil {
		return q
	}
	v.Del("api_key")
	return v.Encode()
}

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Username == "" {
		return true
	}
	if u, p, ok := r.BasicAuth(); ok {
		return equal(u, s.cfg.Username) && equal(p, s.cfg.Password)
	}
	if k := r.URL.Query().Get("api_key"); k != "" {
		u, p, _ := strings.Cut(k, ":")
		return equal(u, s.cfg.Username) && equal(p, s.cfg.Password)
	}
	return false
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

var upgrader = websocket.Upgrader{
	Subprotocols: []string{"ari"},
	CheckOrigin:  func(*http.Request) bool { return true },
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	var apps []string
	for a := range strings.SplitSeq(r.URL.Query().Get("app"), ",") {
		if a != "" {
			apps = append(apps, a)
		}
	}
	if len(apps) == 0 {
		writeJSON(w, http.StatusBadRequest, []byte(`{"message":"Missing param 'app'"}`))
		return
	}
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = c.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		_ = c.Close()
	}()

	// The reader answers pings and notices the client leaving.
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	if !s.play(c, apps, gone) {
		return
	}
	<-gone
}

// play sends the events of apps in order, spaced as recorded when
// cfg.Speed is positive. It reports whether it sent them all.
func (s *Server) play(c *websocket.Conn, apps []string, gone <-chan struct{}) bool {
	var last time.Time
	for i, e := range s.sess.Events {
		if a := s.apps[i]; a != "" && !slices.Contains(apps, a) {
			continue
		}
		if s.cfg.Speed > 0 && !last.IsZero() && e.Time.After(last) {
			t := time.NewTimer(time.Duration(float64(e.Time.Sub(last)) / s.cfg.Speed))
			select {
			case <-t.C:
			case <-gone:
				t.Stop()
				return false
			}
		}
		last = e.Time
		_ = c.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		if err := c.WriteMessage(websocket.TextMessage, e.Data); err != nil {
			return false
		}
	}
	s.mu.Lock()
	if !s.didPlay {
		s.didPlay = true
		close(s.played)
	}
	s.mu.Unlock()
	return true
}

// WaitPlayed waits until a connection has been sent every event recorded
// for its applications (see Played), or ctx ends.
func (s *Server) WaitPlayed(ctx context.Context) error {
	select {
	case <-s.played:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
