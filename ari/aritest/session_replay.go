package aritest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"time"

	"gostasis.dev/ari/aritest/session"
)

// DefaultRequestWait is how long a strict Replay waits for each recorded
// request when ReplayOptions.RequestWait is zero.
const DefaultRequestWait = 5 * time.Second

// ReplayOptions configures Server.Replay. The zero value sends the events
// as fast as the application takes them and fails on nothing.
type ReplayOptions struct {
	// Speed scales the recorded gaps between events: 1 replays them in
	// real time, 2 twice as fast. Zero sends each event as soon as the
	// previous one is written. It must not be negative.
	Speed float64
	// Strict paces the events on the application's requests: before each
	// event (once its application is connected), Replay waits until the
	// application has made every request recorded before that event, and
	// fails with a *ReplayMismatchError when one is not made within
	// RequestWait. Every exchange of the session counts, those a
	// recorder made itself included.
	Strict bool
	// RequestWait is how long a strict replay waits for the recorded
	// requests due before an event. Zero means DefaultRequestWait.
	RequestWait time.Duration
	// GeneratedIDs names the parameters (query parameters, top-level
	// members of a JSON body, and the last path parameter of a POST, as
	// in /channels/{channelId}/play/{playbackId}) that carry ids the
	// application makes up. A POST that matches no recorded exchange
	// but the first unanswered recorded POST with only such ids
	// differing is answered from it, and from then on each recorded id
	// stands for the application's: in its later requests, in the
	// recorded answers and in the events sent (whole ids made of
	// letters, digits, '.', '-' and '_'). Use it with Strict, which sends
	// an event only after the request that made its ids. Nil means
	// DefaultGeneratedIDs(); an empty slice pairs no ids.
	GeneratedIDs []string
}

// ReplayReport says what a replay did.
type ReplayReport struct {
	// Events is how many recorded events were sent.
	Events int
	// Answered are the recorded exchanges whose answer was given, each
	// once, in the order they were first given.
	Answered []session.Exchange
	// Missing are the recorded exchanges the application never asked
	// for, in the recorded order.
	Missing []session.Exchange
	// Unrecorded are the requests the application made that match no
	// recorded exchange, which the simulator answered: "METHOD
	// /ari/path?query" (without api_key, the parameters sorted), each
	// once, in the order first made.
	Unrecorded []string
}

// ErrReplayMismatch is matched (errors.Is) by every *ReplayMismatchError.
var ErrReplayMismatch = errors.New("aritest: the application did not make a recorded request")

// ReplayMismatchError is a strict replay's failure: the application did
// not make a recorded request in time.
type ReplayMismatchError struct {
	// Exchange is the recorded request that was not made (the first in
	// the recorded order).
	Exchange session.Exchange
	// Event is the index, in the session's Events, of the event the
	// request came before; len(Events) for a request recorded after the
	// last event.
	Event int
}

// Error implements error.
func (e *ReplayMismatchError) Error() string {
	return fmt.Sprintf("aritest: replay: the application did not ask %s (recorded after %d events)",
		exchangeText(e.Exchange.Method, e.Exchange.Path, e.Exchange.Query), e.Event)
}

// Is reports whether target is ErrReplayMismatch.
func (e *ReplayMismatchError) Is(target error) bool { return target == ErrReplayMismatch }

// Replay plays sess into the server, as a regression test of the
// application connected to it: the recorded events go to the
// application's events websocket in the recorded order, and the
// application's requests get the recorded answers.
//
// Recorded answers: from Replay's start until the server closes or the
// next Replay, a REST request (over HTTP or over the events websocket)
// that matches a recorded exchange gets the recorded status and body. A
// request matches on its method, path and query (api_key dropped, the
// parameters in any order) and, for POST and PUT, on its body when the
// exchange recorded one (compared as JSON). Requests matching several
// exchanges get their answers in turn, then the last one again. Any
// other request is served by the simulator as usual, and listed in
// ReplayReport.Unrecorded. Authentication (Config.Users) applies first.
//
// Events: each event goes, unchanged (ids, asterisk_id and timestamps as
// recorded), to the events websocket of the application named in its
// "application" member, once that application is connected: Replay waits
// for it. A message without an application (or not JSON) goes to every
// application of sess.Header.Apps (every connected application when the
// header names none). Each event is added to the event log (Events,
// WaitEvent, Cursor), of any type. An event whose websocket closes before
// it is written is sent again when the application reconnects.
//
// Replay returns once every event is written to its websocket (in strict
// mode, once the requests recorded after the last event are made too),
// with the report. It fails when ctx ends (with ctx's error), when the
// server closes (ErrClosed), on bad options (ErrInvalid) and, in strict
// mode, with a *ReplayMismatchError; the report then says what was done
// so far.
func (s *Server) Replay(ctx context.Context, sess *session.Session, opts ReplayOptions) (*ReplayReport, error) {
	if sess == nil {
		return nil, fmt.Errorf("%w: Replay of a nil session", ErrInvalid)
	}
	if opts.Speed < 0 || math.IsNaN(opts.Speed) || math.IsInf(opts.Speed, 0) {
		return nil, fmt.Errorf("%w: ReplayOptions.Speed %v", ErrInvalid, opts.Speed)
	}
	if opts.RequestWait <= 0 {
		opts.RequestWait = DefaultRequestWait
	}
	gen := opts.GeneratedIDs
	if gen == nil {
		gen = DefaultGeneratedIDs()
	}
	r := newReplayState(sess, gen)
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.replay.Store(r)
	}
	s.unlock()
	rep := &ReplayReport{}
	if closed {
		return rep, ErrClosed
	}
	fail := func(err error) (*ReplayReport, error) {
		s.fillReport(r, rep)
		return rep, err
	}
	var sentAt time.Time
	for i, e := range sess.Events {
		apps := eventApps(e.Data, sess.Header.Apps)
		if err := s.waitFor(ctx, func() (bool, error) { return s.appsConnected(apps), nil }); err != nil {
			return fail(replayErr(i, err))
		}
		if opts.Strict {
			if err := s.awaitRequests(ctx, r, i, opts.RequestWait); err != nil {
				return fail(replayErr(i, err))
			}
		}
		if opts.Speed > 0 && i > 0 {
			gap := e.Time.Sub(sess.Events[i-1].Time)
			if gap > 0 {
				if err := s.sleepUntil(ctx, sentAt.Add(time.Duration(float64(gap)/opts.Speed))); err != nil {
					return fail(replayErr(i, err))
				}
			}
		}
		if err := s.replayEvent(ctx, r, e.Data, apps); err != nil {
			return fail(replayErr(i, err))
		}
		sentAt = time.Now()
		rep.Events++
	}
	if opts.Strict {
		if err := s.awaitRequests(ctx, r, len(sess.Events), opts.RequestWait); err != nil {
			return fail(err)
		}
	}
	s.fillReport(r, rep)
	return rep, nil
}

// replayErr says which event a replay stopped at; a mismatch is returned
// as it is.
func replayErr(i int, err error) error {
	var me *ReplayMismatchError
	if errors.As(err, &me) {
		return err
	}
	return fmt.Errorf("aritest: replay stopped before event %d: %w", i, err)
}

// replayState is a replay's recorded answers and what the application
// asked. Its fields after sess are guarded by the server's mu.
type replayState struct {
	sess    *session.Session
	index   map[string][]int    // exchanges by request key (replayKey)
	paths   []string            // each exchange's path, as replayPath makes it
	queries []map[string]string // each exchange's query
	reqs    []any               // each exchange's request body decoded (nil: not compared)
	ids     *idAliases

	asked      []bool // by exchange
	answered   []int  // exchanges, in the order first given
	unrecorded []string
	seen       map[string]bool // unrecorded, already listed
}

func newReplayState(sess *session.Session, generatedIDs []string) *replayState {
	r := &replayState{
		sess:    sess,
		index:   make(map[string][]int),
		paths:   make([]string, len(sess.Exchanges)),
		queries: make([]map[string]string, len(sess.Exchanges)),
		reqs:    make([]any, len(sess.Exchanges)),
		ids:     newIDAliases(generatedIDs),
		asked:   make([]bool, len(sess.Exchanges)),
		seen:    make(map[string]bool),
	}
	for i, x := range sess.Exchanges {
		q := make(map[string]string)
		parseQueryInto(q, x.Query)
		delete(q, "api_key")
		r.queries[i] = q
		r.paths[i] = replayPath(splitPath(x.Path))
		key := exchangeText(x.Method, r.paths[i], replayQuery(q))
		r.index[key] = append(r.index[key], i)
		if hasBody(x.Method) && len(bytes.TrimSpace(x.Request)) > 0 {
			r.reqs[i] = decodeBody(x.Request)
		}
	}
	return r
}

// hasBody reports whether requests of method have their body compared.
func hasBody(method string) bool { return method == http.MethodPost || method == http.MethodPut }

// rawBody is a request body that is not JSON, compared byte for byte.
type rawBody string

// decodeBody decodes a JSON body (numbers kept as written), or returns it
// as a rawBody.
func decodeBody(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return rawBody(bytes.TrimSpace(b))
	}
	return v
}

// replayKey is the key of a request: its method, its decoded path
// segments without the leading "ari", and its query without api_key,
// sorted.
func replayKey(method string, segs []string, q map[string]string) string {
	return exchangeText(method, replayPath(segs), replayQuery(q))
}

func replayPath(segs []string) string {
	if len(segs) > 0 && segs[0] == "ari" {
		segs = segs[1:]
	}
	return "/ari/" + strings.Join(segs, "/")
}

func replayQuery(q map[string]string) string {
	v := make(url.Values, len(q))
	for k, x := range q {
		if k != "api_key" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// exchangeText is "METHOD path?query" ("METHOD path" without a query).
func exchangeText(method, path, query string) string {
	if query == "" {
		return method + " " + path
	}
	return method + " " + path + "?" + query
}

// recordedAnswer answers a request from the latest replay's recording:
// segs are the decoded path segments under /ari. It reports false for a
// request the recording does not answer, which it lists as unrecorded.
func (s *Server) recordedAnswer(method string, segs []string, q map[string]string, body []byte) (reply, bool) {
	if s.replay.Load() == nil {
		return reply{}, false
	}
	s.mu.Lock()
	defer s.unlock()
	r := s.replay.Load()
	asMade := replayKey(method, segs, q)
	segs, q, body = r.ids.recorded(segs, q, body)
	key := replayKey(method, segs, q)
	var got any
	decoded := false
	pick := -1
	for _, i := range r.index[key] {
		if want := r.reqs[i]; want != nil {
			if !decoded {
				got, decoded = decodeBody(body), true
			}
			if !reflect.DeepEqual(want, got) {
				continue
			}
		}
		pick = i
		if !r.asked[i] {
			break // the first not given yet; else the last again
		}
	}
	if pick < 0 {
		if !decoded && len(bytes.TrimSpace(body)) > 0 {
			got = decodeBody(body)
		}
		pick = r.ids.learn(r, method, segs, s.lastParam(segs), q, got)
	}
	if pick < 0 {
		if !r.seen[asMade] {
			r.seen[asMade] = true
			r.unrecorded = append(r.unrecorded, asMade)
		}
		return reply{}, false
	}
	if !r.asked[pick] {
		r.asked[pick] = true
		r.answered = append(r.answered, pick)
	}
	x := r.sess.Exchanges[pick]
	if x.Status < 100 || x.Status > 999 {
		return errReply(500, fmt.Sprintf("aritest: the recorded answer to %s has no valid status (%d)", key, x.Status)), true
	}
	rep := reply{status: x.Status, body: replace(x.Body, r.ids.out)}
	if len(x.Body) > 0 && !json.Valid(x.Body) {
		rep.ctype = "text/plain"
	}
	return rep, true
}

// fillReport fills what the application asked into rep.
func (s *Server) fillReport(r *replayState, rep *ReplayReport) {
	s.mu.Lock()
	defer s.runlock()
	rep.Answered = rep.Answered[:0]
	for _, i := range r.answered {
		rep.Answered = append(rep.Answered, r.sess.Exchanges[i])
	}
	rep.Missing = rep.Missing[:0]
	for i, asked := range r.asked {
		if !asked {
			rep.Missing = append(rep.Missing, r.sess.Exchanges[i])
		}
	}
	rep.Unrecorded = append(rep.Unrecorded[:0], r.unrecorded...)
}

// awaitRequests waits up to wait until the application has made every
// request recorded before event i (After <= i).
func (s *Server) awaitRequests(ctx context.Context, r *replayState, i int, wait time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	missing := -1
	err := s.waitFor(wctx, func() (bool, error) {
		for j, x := range r.sess.Exchanges {
			if x.After <= i && !r.asked[j] {
				missing = j
				return false, nil
			}
		}
		return true, nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil, errors.Is(err, ErrClosed), missing < 0:
		return err
	default:
		return &ReplayMismatchError{Exchange: r.sess.Exchanges[missing], Event: i}
	}
}

// sleepUntil waits until t, ctx ends or the server closes.
func (s *Server) sleepUntil(ctx context.Context, t time.Time) error {
	wctx, cancel := context.WithDeadline(ctx, t)
	defer cancel()
	err := s.waitFor(wctx, func() (bool, error) { return false, nil })
	if ctx.Err() != nil || errors.Is(err, ErrClosed) {
		return err
	}
	return nil
}

// eventApps returns the application an event names, or apps for a
// message without one (nil: every connected application).
func eventApps(data []byte, apps []string) []string {
	var m struct {
		Application string `json:"application"`
	}
	if json.Unmarshal(data, &m) == nil && m.Application != "" {
		return []string{m.Application}
	}
	return apps
}

// appsConnected reports whether every named application has a websocket
// connected (for nil, whether any has). Call with mu held.
func (s *Server) appsConnected(names []string) bool {
	if names == nil {
		for _, a := range s.apps {
			if a.connected() {
				return true
			}
		}
		return false
	}
	for _, n := range names {
		if a := s.apps[n]; a == nil || !a.connected() {
			return false
		}
	}
	return true
}

// replayEvent sends data to the websockets of apps (nil: of every
// connected application), logs it, and waits until it is written. When a
// websocket closes before, the event waits for the application to
// reconnect and goes again.
func (s *Server) replayEvent(ctx context.Context, r *replayState, data []byte, apps []string) error {
	type sent struct {
		app  string
		conn *wsConn
		pos  uint64
	}
	for {
		var out []sent
		err := s.waitFor(ctx, func() (bool, error) {
			if !s.appsConnected(apps) {
				return false, nil
			}
			names := apps
			if names == nil {
				for n, a := range s.apps {
					if a.connected() {
						names = append(names, n)
					}
				}
				sort.Strings(names)
			}
			frame := replace(data, r.ids.out) // the ids the application made up
			for _, n := range names {
				c := s.apps[n].conn
				out = append(out, sent{n, c, c.enqueue(frame)})
				s.events.add(n, frame)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		var again []string
		for _, x := range out {
			err := x.conn.waitWritten(ctx, x.pos)
			switch {
			case errors.Is(err, errConnGone):
				again = append(again, x.app)
			case err != nil:
				return err
			}
		}
		if len(again) == 0 {
			return nil
		}
		apps = again
	}
}
