package aritest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// Server is a simulated Asterisk 22.10.1 listening on a loopback port. It
// speaks ARI (REST, the events websocket, api-docs) and keeps the state a
// real Asterisk would: channels, bridges, playbacks, recordings, Stasis
// applications and their subscriptions, variables, device states,
// mailboxes and dynamic configuration.
//
// Create one with NewServer (or Start in a test), point the code under test
// at URL (or use Client / Resources), and drive the far end of calls with
// the scripting methods (PlaceCall, Phone.SendDTMF, Phone.Hangup, ...).
// Close it when done. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server's HTTP interface,
	// "http://127.0.0.1:<port>", without "/ari".
	URL string

	cfg  Config
	dp   *compiledDialplan
	hs   *httptest.Server
	hc   *http.Client
	cl   *ari.Client
	res  *resources.Client
	rt   *router
	docs *apiDocs
	log  *slog.Logger

	// mu guards everything below. Every state change and every event is
	// made under it, so the event order is one total order.
	mu     sync.Mutex
	closed bool
	waitCh chan struct{} // closed at the next unlock when someone waits

	startup, lastReload time.Time

	seqUnique  uint64 // generated unique ids
	seqChan    uint64 // channel name suffixes (Local/..-0000001a)
	seqSnoop   uint64 // Snoop/<id>-00000001
	seqPointer uint64 // fake pointers in channel names

	channels  map[string]*channel
	bridges   map[string]*bridge
	playbacks map[string]*playback
	liveRecs  map[string]*liveRecording
	stored    map[string]*storedRecording
	apps      map[string]*app
	conns     map[*wsConn]struct{}
	phones    map[string]*Phone // by channel id

	allChanApps, allBridgeApps, allEndpointApps, allDeviceApps []*app

	globals     map[string]string
	devices     map[string]string // Stasis:<name> -> state
	dynConfig   *ConfigRegistry
	modules     []ari.Module
	logChannels []ari.LogChannel
	dynLogs     map[string]string // log channels added over ARI
	endpoints   []string

	refuseUntil time.Time // websocket upgrades (and outbound attempts) refused until then
	wsWriteBuf  int       // SO_SNDBUF of new events websockets (tests), 0: the system's

	events *eventLog

	// replay holds the recorded answers of the latest Server.Replay
	// (session_replay.go); its state is guarded by mu.
	replay atomic.Pointer[replayState]

	outbound []*outboundSession // live outbound websocket sessions (outbound.go)

	timers  map[*simTimer]struct{}
	timerWG sync.WaitGroup
	connWG  sync.WaitGroup
}

// NewServer starts a simulated Asterisk on 127.0.0.1 (a random port), or
// on Config.Listener. It panics if the configuration is invalid (a
// malformed dialplan pattern, an outbound websocket without a ws:// or
// wss:// URI: an error matching ErrInvalid) or the server cannot listen,
// as httptest.NewServer does; to serve on a fixed address without the
// panic, listen first and pass the listener in Config.Listener. The
// persistent outbound websockets start dialing before it returns.
func NewServer(cfg Config) *Server {
	cfg = cfg.withDefaults()
	if err := validateOutbound(cfg); err != nil {
		panic(err)
	}
	dp, err := compileDialplan(outboundContexts(cfg.Dialplan, cfg.Outbound))
	if err != nil {
		panic(err)
	}
	s := &Server{
		cfg:       cfg,
		dp:        dp,
		log:       cfg.Logger,
		channels:  make(map[string]*channel),
		bridges:   make(map[string]*bridge),
		playbacks: make(map[string]*playback),
		liveRecs:  make(map[string]*liveRecording),
		stored:    make(map[string]*storedRecording),
		apps:      make(map[string]*app),
		conns:     make(map[*wsConn]struct{}),
		phones:    make(map[string]*Phone),
		timers:    make(map[*simTimer]struct{}),
		events:    newEventLog(cfg.EventLogSize),
		dynConfig: NewConfigRegistry(),
		endpoints: cfg.Endpoints,
	}
	s.resetSystem()
	s.rt = newRouter(s)
	s.docs = loadAPIDocs()
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.Listener != nil {
		_ = s.hs.Listener.Close()
		s.hs.Listener = cfg.Listener
	}
	s.hs.Config.ErrorLog = nil
	s.hs.Config.ConnContext = withConnState
	s.hs.Start()
	s.URL = s.hs.URL

	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	s.hc = &http.Client{Transport: t}
	user := s.cfg.Users[0]
	for _, u := range s.cfg.Users {
		if !u.ReadOnly {
			user = u
			break
		}
	}
	s.cl, err = ari.NewClient(ari.Config{
		URL:        s.URL,
		Username:   user.Name,
		Password:   user.Password,
		HTTPClient: s.hc,
		Version:    s.cfg.Version,
		Logger:     s.cfg.Logger,
	})
	if err != nil {
		s.hs.Close()
		panic(fmt.Sprintf("aritest: %v", err))
	}
	s.res = resources.New(s.cl)
	s.startOutbound()
	return s
}

// Start starts a server for the test and closes it when the test ends
// (t.Cleanup).
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	s := NewServer(cfg)
	t.Cleanup(s.Close)
	return s
}

// Client returns an ARI client configured for the server: its URL, the
// first read-write user, and Version set so that no version discovery
// request is made.
func (s *Server) Client() *ari.Client { return s.cl }

// Resources returns the typed REST clients over Client.
func (s *Server) Resources() *resources.Client { return s.res }

// Config returns the server's configuration with its defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Close closes every events websocket (outbound ones included, without a
// close frame, as a stopping Asterisk does), stops dialing the outbound
// websockets, stops every timer and the HTTP server, and waits for the
// server's goroutines to end. Calls in progress end without events. Close
// is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.stopAllTimers()
	for _, o := range s.outbound {
		o.cancel() // stop dialing
	}
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	for _, ch := range s.channels {
		ch.gone = true
		if ch.phone != nil {
			ch.phone.end()
		}
	}
	s.unlock()
	for _, c := range conns {
		c.close()
	}
	s.timerWG.Wait()
	s.connWG.Wait()
	s.hs.Close()
	s.hc.CloseIdleConnections()
}

// unlock wakes the goroutines waiting for a change (WaitEvent, WaitState,
// ...) and unlocks mu. Every holder of mu that may have changed something
// releases it with unlock; a read-only accessor uses runlock (waits.go).
func (s *Server) unlock() {
	if s.waitCh != nil {
		close(s.waitCh)
		s.waitCh = nil
	}
	s.mu.Unlock()
}

// changed returns a channel closed at the next state change. Call with mu
// held.
func (s *Server) changed() <-chan struct{} {
	if s.waitCh == nil {
		s.waitCh = make(chan struct{})
	}
	return s.waitCh
}

// waitFor calls cond with mu held until it reports true or ctx ends. It
// returns ErrClosed when the server closes first.
func (s *Server) waitFor(ctx context.Context, cond func() (bool, error)) error {
	for {
		s.mu.Lock()
		ok, err := cond()
		if ok || err != nil {
			s.unlock()
			return err
		}
		if s.closed {
			s.unlock()
			return ErrClosed
		}
		ch := s.changed()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// resetSystem sets the state of a freshly started Asterisk. Call with mu
// held (or before the server is shared).
func (s *Server) resetSystem() {
	now := s.now()
	s.startup, s.lastReload = now, now
	s.globals = make(map[string]string)
	s.devices = make(map[string]string)
	s.dynConfig.clear()
	s.modules = defaultModules()
	s.logChannels = defaultLogChannels()
	s.dynLogs = make(map[string]string)
}

// Restart simulates an Asterisk restart: every channel, bridge, playback
// and live recording disappears without any event, the events websockets
// are dropped, applications and their subscriptions are forgotten, global
// variables, device states and dynamic configuration objects (mailboxes
// included) are cleared, and startup_time changes. Stored recordings, like
// files on disk, survive. Outbound websockets are closed without a close
// frame; the persistent ones register their applications again and
// reconnect at once, the per-call ones end with their calls.
func (s *Server) Restart() {
	s.mu.Lock()
	s.stopAllTimers()
	for _, ch := range s.channels {
		ch.gone = true
		if ch.phone != nil {
			ch.phone.end()
		}
	}
	s.channels = make(map[string]*channel)
	s.bridges = make(map[string]*bridge)
	s.playbacks = make(map[string]*playback)
	s.liveRecs = make(map[string]*liveRecording)
	s.phones = make(map[string]*Phone)
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.apps = make(map[string]*app)
	s.allChanApps, s.allBridgeApps, s.allEndpointApps, s.allDeviceApps = nil, nil, nil, nil
	prev := s.startup
	s.resetSystem()
	if !s.startup.After(prev) { // startup_time must visibly change
		s.startup = prev.Add(time.Millisecond)
		s.lastReload = s.startup
	}
	s.restartOutbound()
	s.unlock()
	for _, c := range conns {
		c.close()
	}
}

// DropWebsockets closes every events websocket at once, without a close
// frame, as a network failure or an Asterisk crash would. Applications stay
// registered in their inactive state with their subscriptions; channels
// stay in Stasis. Clients are expected to reconnect and resynchronise.
// Outbound websockets are dropped too, and the simulator reconnects them
// at once, as Asterisk does.
func (s *Server) DropWebsockets() {
	s.mu.Lock()
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.unlock()
	for _, c := range conns {
		c.close()
	}
}

// StallWebsockets makes every events websocket open now lose all events
// and stop answering pings, as a half-open TCP connection does after a
// network failure: Asterisk keeps the applications active and keeps
// writing into the void until the client notices (its ping timeout) and
// reconnects; a new connection replaces the stalled one. Events sent
// meanwhile are lost, as with Asterisk, so channels can enter and leave
// an application without its client seeing it: what a client's re-sync
// must repair. Outbound websockets stall too; when the application closes
// one, the simulator reconnects at once.
func (s *Server) StallWebsockets() {
	s.mu.Lock()
	for c := range s.conns {
		c.stalled.Store(true)
	}
	s.unlock()
}

// RefuseWebsockets makes the server refuse events websocket upgrades for d
// (with a 503 reply, as an Asterisk that is still starting does), to test
// a client's reconnection backoff. RefuseWebsockets(0) accepts upgrades
// again at once. Existing connections are not affected (see
// DropWebsockets). Meanwhile outbound websocket attempts fail as if the
// application were unreachable (they count as failed attempts), and REST
// requests over an outbound websocket get 503 "Asterisk not booted".
func (s *Server) RefuseWebsockets(d time.Duration) {
	s.mu.Lock()
	if d <= 0 {
		s.refuseUntil = time.Time{}
	} else {
		s.refuseUntil = time.Now().Add(d)
	}
	s.unlock()
}

// Apps returns the names of the registered Stasis applications with an
// events websocket connected (or an outbound websocket up), sorted.
func (s *Server) Apps() []string {
	s.mu.Lock()
	defer s.runlock()
	var out []string
	for name, a := range s.apps {
		if a.connected() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// WaitApp waits until an events websocket is connected for every named
// application; for an application of an outbound websocket, until the
// simulator's connection to it is up.
func (s *Server) WaitApp(ctx context.Context, names ...string) error {
	return s.waitFor(ctx, func() (bool, error) {
		for _, n := range names {
			if a := s.apps[n]; a == nil || !a.connected() {
				return false, nil
			}
		}
		return true, nil
	})
}
