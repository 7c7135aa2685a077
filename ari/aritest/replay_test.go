package aritest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
)

// capturedReq is one line of testdata/rest/responses.jsonl.
type capturedReq struct {
	method, target, user, pass string
	status                     int
	body                       string
}

var reqLine = regexp.MustCompile(`^(\w+) (\S+) \(user ([^:]+):([^)]+)\)$`)

func loadRequests(t testing.TB) []capturedReq {
	t.Helper()
	data, err := os.ReadFile("testdata/rest/responses.jsonl")
	require.NoError(t, err)
	var out []capturedReq
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r struct {
			Request string `json:"request"`
			Status  int    `json:"status"`
			Body    string `json:"body"`
		}
		require.NoError(t, json.Unmarshal(line, &r))
		m := reqLine.FindStringSubmatch(r.Request)
		require.NotNil(t, m, r.Request)
		out = append(out, capturedReq{method: m[1], target: m[2], user: m[3], pass: m[4], status: r.Status, body: r.Body})
	}
	return out
}

func loadStream(t testing.TB) []map[string]any {
	t.Helper()
	fh, err := os.Open("testdata/streams/testapp.jsonl")
	require.NoError(t, err)
	defer fh.Close()
	var out []map[string]any
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		out = append(out, m)
	}
	require.NoError(t, sc.Err())
	return out
}

// replayer sends the captured requests to the simulator and holds its
// replies and events to the capture.
type replayer struct {
	t      *testing.T
	srv    *aritest.Server
	reqs   []capturedReq
	stream []map[string]any
	ws     *wsClient
}

// Reply checks.
const (
	exact  = iota // same status and body (host in basePath aside)
	shape         // same status, same JSON shape
	status        // same status only
)

// do sends captured request i and checks the reply.
func (r *replayer) do(i int, check int) []byte {
	r.t.Helper()
	return r.send(i, r.reqs[i].method, r.reqs[i].target, nil, check)
}

// send sends a request in place of captured request i (whose reply it is
// held to).
func (r *replayer) send(i int, method, target string, body []byte, check int) []byte {
	r.t.Helper()
	cr := r.reqs[i]
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, r.srv.URL+"/ari"+target, rd)
	require.NoError(r.t, err)
	req.SetBasicAuth(cr.user, cr.pass)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(r.t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(r.t, err)
	what := fmt.Sprintf("responses.jsonl:%d %s %s", i+1, cr.method, cr.target)
	require.Equal(r.t, cr.status, resp.StatusCode, "%s: %s", what, got)
	switch {
	case check == exact || cr.status >= 400:
		want := strings.ReplaceAll(cr.body, "127.0.0.1:8088", strings.TrimPrefix(r.srv.URL, "http://"))
		var g, w any
		if json.Unmarshal(got, &g) == nil && json.Unmarshal([]byte(want), &w) == nil {
			// The same JSON, times and name counters aside.
			assert.Equal(r.t, normalize(w), normalize(g), "%s\ngot:  %s\nwant: %s", what, got, want)
		} else {
			assert.Equal(r.t, want, string(got), what)
		}
	case check == shape && cr.body != "":
		var g, w any
		require.NoError(r.t, json.Unmarshal(got, &g), what)
		require.NoError(r.t, json.Unmarshal([]byte(cr.body), &w), what)
		assert.Empty(r.t, shapeDiff("body", g, w), "%s\ngot:  %s\nwant: %s", what, got, cr.body)
	}
	return got
}

// mark returns the position of the websocket's next event.
func (r *replayer) mark() int {
	r.ws.mu.Lock()
	defer r.ws.mu.Unlock()
	return len(r.ws.frames)
}

// selector picks the events of a scenario.
type selector struct {
	ids   []string // channel, playback or bridge ids
	types []string // if set, only these types
	skip  func(map[string]any) bool
}

func (sel selector) match(m map[string]any) bool {
	if len(sel.types) > 0 && !contains(sel.types, m["type"].(string)) {
		return false
	}
	if sel.skip != nil && sel.skip(m) {
		return false
	}
	for _, id := range relatedIDs(m) {
		if contains(sel.ids, id) {
			return true
		}
	}
	return false
}

func relatedIDs(m map[string]any) []string {
	var out []string
	for _, k := range []string{"channel", "peer", "bridge", "playback"} {
		if o, ok := m[k].(map[string]any); ok {
			if id, ok := o["id"].(string); ok {
				out = append(out, id)
			}
			if tu, ok := o["target_uri"].(string); ok {
				_, id, _ := strings.Cut(tu, ":")
				out = append(out, id)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// check waits until the simulator has sent, since mark, as many selected
// events as the capture has in lines (1-based, inclusive ranges), then
// compares the two sequences event by event, application by application
// (the order between two applications' websockets is not defined).
func (r *replayer) check(name string, since int, sel selector, lines ...[2]int) {
	r.t.Helper()
	want := map[string][]string{}
	nwant := 0
	for _, rg := range lines {
		for n := rg[0]; n <= rg[1]; n++ {
			if m := r.stream[n-1]; sel.match(m) {
				app := m["application"].(string)
				want[app] = append(want[app], summary(m))
				nwant++
			}
		}
	}
	var got map[string][]string
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = map[string][]string{}
		ngot := 0
		r.ws.mu.Lock()
		frames := append([][]byte(nil), r.ws.frames[since:]...)
		r.ws.mu.Unlock()
		for _, f := range frames {
			var m map[string]any
			require.NoError(r.t, json.Unmarshal(f, &m))
			if sel.match(m) {
				app := m["application"].(string)
				got[app] = append(got[app], summary(m))
				ngot++
			}
		}
		if ngot >= nwant || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	flat := func(m map[string][]string) string {
		var apps []string
		for a := range m {
			apps = append(apps, a)
		}
		sort.Strings(apps)
		var b strings.Builder
		for _, a := range apps {
			b.WriteString(strings.Join(m[a], "\n"))
			b.WriteString("\n")
		}
		return b.String()
	}
	if !assert.Equal(r.t, flat(want), flat(got), "scenario %q: events differ from testapp.jsonl %v", name, lines) {
		return
	}
	r.t.Logf("scenario %q: %d events as captured", name, nwant)
}

var (
	chanSuffix = regexp.MustCompile(`-[0-9a-f]{8}\b`)
	uuidRe     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// summary describes an event by everything but times and counters.
func summary(m map[string]any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", m["application"], m["type"])
	party := func(k string) {
		o, ok := m[k].(map[string]any)
		if !ok {
			return
		}
		dp := o["dialplan"].(map[string]any)
		fmt.Fprintf(&b, " %s=%s[%s] caller=%v connected=%v dp=%s/%s/%v/%s(%s)", k, o["id"], o["state"],
			party2(o["caller"]), party2(o["connected"]), dp["context"], dp["exten"], dp["priority"], dp["app_name"], dp["app_data"])
	}
	party("channel")
	party("peer")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "type", "application", "timestamp", "asterisk_id", "channel", "peer":
			continue
		}
		v, _ := json.Marshal(m[k])
		if o, ok := m[k].(map[string]any); ok {
			delete(o, "creationtime")
			v, _ = json.Marshal(o)
		}
		fmt.Fprintf(&b, " %s=%s", k, v)
	}
	s := chanSuffix.ReplaceAllString(b.String(), "-N")
	return uuidRe.ReplaceAllString(s, "UUID")
}

// normalize replaces what differs from run to run (times, the counters in
// channel names, generated uuids) in a decoded JSON value.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case string:
		if _, err := time.Parse("2006-01-02T15:04:05.000-0700", x); err == nil {
			return "TIME"
		}
		if _, err := time.Parse("2006-01-02 15:04:05 MST", x); err == nil {
			return "TIME"
		}
		return uuidRe.ReplaceAllString(chanSuffix.ReplaceAllString(x, "-N"), "UUID")
	}
	return v
}

func party2(v any) string {
	o, _ := v.(map[string]any)
	return fmt.Sprintf("%v<%v>", o["name"], o["number"])
}

// TestReplayCapture replays the requests of the capture (in its order)
// against the simulator: every reply must have the captured status and
// shape (error bodies and a few lists must be identical), and the events
// of each scenario must be the captured ones, in the same order, with the
// same states, dialplan locations, variables, causes and playbacks.
func TestReplayCapture(t *testing.T) {
	timing := aritest.FastTiming()
	timing.DTMFDuration = 100 * time.Millisecond // reported as duration_ms
	srv := aritest.Start(t, aritest.Config{Timing: timing})
	r := &replayer{t: t, srv: srv, reqs: loadRequests(t), stream: loadStream(t)}
	r.ws = dialEvents(t, srv, "app=testapp,router")
	require.NoError(t, srv.WaitApp(ctx(t), "testapp", "router"))
	c := ctx(t)
	waitEv := func(typ, id string) {
		t.Helper()
		_, err := srv.WaitEvent(c, func(e eventsEvent) bool {
			return e.EventType() == typ && contains(events.ChannelIDs(e), id)
		})
		require.NoError(t, err, "%s %s", typ, id)
	}
	waitPlayback := func(typ, id string) {
		t.Helper()
		_, err := srv.WaitEvent(c, func(e eventsEvent) bool {
			return e.EventType() == typ && strings.Contains(mustJSON(t, e), `"id":"`+id+`"`)
		})
		require.NoError(t, err, "%s %s", typ, id)
	}

	// Asterisk, api-docs, modules, logging, global variables.
	r.do(0, shape)
	r.do(1, exact)
	r.do(2, shape)
	for i := 3; i <= 5; i++ {
		r.do(i, exact)
	}
	for i := 6; i <= 17; i++ {
		r.do(i, exact)
	}
	// The read-only user, applications.
	r.do(18, exact)
	r.do(19, exact)
	r.do(20, exact)
	r.do(21, exact)
	r.do(22, exact)

	// Originate Local/100@default with a caller id.
	m := r.mark()
	r.do(23, exact)
	waitEv("StasisStart", "c1b-1795635659")
	r.check("originate Local/100 with a caller id", m, selector{ids: []string{"c1-1795635659", "c1b-1795635659"}}, [2]int{1, 12})
	r.do(24, exact)
	r.do(25, shape)
	r.do(26, exact)

	// Originate with appArgs; a pattern extension going to router; a
	// missing context.
	m = r.mark()
	r.do(27, shape)
	waitEv("StasisStart", "c2b-1795635659")
	r.check("originate with appArgs", m, selector{ids: []string{"c2-1795635659", "c2b-1795635659"}}, [2]int{13, 22})
	m = r.mark()
	r.do(28, shape)
	waitEv("StasisStart", "c3b-1795635659")
	r.check("originate to the _X. pattern (router)", m, selector{ids: []string{"c3-1795635659", "c3b-1795635659"}}, [2]int{23, 32})
	m = r.mark()
	r.do(31, shape)
	r.check("originate to a missing context", m, selector{ids: []string{"bad-1795635659", "bad-1795635659;2"}}, [2]int{42, 43})

	// Playbacks: one, a list, control operations, a tone, a missing sound.
	m = r.mark()
	r.do(32, exact)
	r.send(33, r.reqs[33].method, r.reqs[33].target, nil, shape)
	waitPlayback("PlaybackFinished", "pb2-1795635659")
	// tt-monkeys plays for seconds on Asterisk, for milliseconds here: skip
	// by 1ms (instead of the default 3s) so that forward does not end it.
	r.send(34, "POST", r.reqs[34].target+"&skipms=1", nil, exact)
	waitPlayback("PlaybackStarted", "pb3-1795635659")
	for i := 35; i <= 42; i++ {
		r.do(i, exact)
	}
	r.do(43, exact)
	waitPlayback("PlaybackStarted", "pb4-1795635659")
	r.do(44, exact)
	r.do(45, exact)
	waitPlayback("PlaybackFinished", "pb5-1795635659")
	r.check("playbacks", m, selector{ids: []string{"pb1-1795635659", "pb2-1795635659", "pb3-1795635659", "pb4-1795635659", "pb5-1795635659"}}, [2]int{44, 61})

	// DTMF sent to the first half, heard on the second.
	m = r.mark()
	r.do(46, exact)
	r.check("sendDTMF", m, selector{ids: []string{"c1b-1795635659"}, types: []string{"ChannelDtmfReceived"}}, [2]int{62, 64})

	// Extension 600: the dialplan sends DTMF, waits and hangs up.
	m600 := r.mark()
	r.do(47, shape)

	// Variables and caller id functions.
	m = r.mark()
	r.do(48, exact)
	r.do(49, exact)
	r.do(50, exact)
	r.send(51, "POST", "/channels/c1-1795635659/variables", []byte(`{"variables":{"V1":"a","V2":"b"}}`), exact)
	r.do(52, exact)
	r.do(53, exact)
	r.do(54, exact)
	r.check("variables", m, selector{ids: []string{"c1-1795635659"}}, [2]int{77, 81})
	for i := 55; i <= 66; i++ { // hold, mute, moh, silence, ring
		r.do(i, exact)
	}

	// Extension 800: Stasis without answer, then ring, progress, answer.
	m = r.mark()
	r.do(72, shape)
	waitEv("StasisStart", "c8b-1795635659")
	r.do(73, exact)
	r.do(74, exact)
	r.do(75, exact)
	waitEv("StasisStart", "c8-1795635659")
	r.check("ring, progress, answer", m, selector{ids: []string{"c8-1795635659", "c8b-1795635659"}}, [2]int{85, 96})

	// channels/create, then dial.
	m = r.mark()
	r.do(76, shape)
	r.do(77, exact)
	waitEv("StasisStart", "crb-1795635659")
	r.check("create and dial", m, selector{ids: []string{"cr-1795635659", "crb-1795635659"}}, [2]int{97, 102}, [2]int{104, 104})

	// Hang up a channel that is playing.
	m = r.mark()
	r.do(93, shape)
	waitEv("StasisStart", "q4b-1795635659")
	r.do(94, shape)
	waitEv("PlaybackStarted", "q4-1795635659")
	r.do(98, exact)
	waitEv("ChannelDestroyed", "q4b-1795635659")
	r.check("hangup while playing", m, selector{ids: []string{"q4-1795635659", "q4b-1795635659"}}, [2]int{107, 128})

	// Snoop.
	m = r.mark()
	r.do(103, exact)
	r.do(104, exact)
	r.check("snoop", m, selector{ids: []string{"sn-1795635659"}}, [2]int{130, 132})

	// Bridges: subscribe to all bridges, a mixing bridge with two then
	// three channels, errors, destroy; a holding bridge.
	r.do(105, shape)
	bridgeEvents := []string{"BridgeCreated", "BridgeDestroyed", "ChannelEnteredBridge", "ChannelLeftBridge", "ChannelVarset", "ChannelConnectedLine"}
	m = r.mark()
	r.do(106, shape)
	r.do(107, shape)
	r.do(108, shape)
	r.do(109, exact)
	r.check("bridge: two channels", m, selector{ids: []string{"brA-1795635659", "c1-1795635659", "c2-1795635659"}, types: bridgeEvents}, [2]int{133, 139})
	m = r.mark()
	r.do(114, exact)
	r.do(115, shape)
	r.do(116, exact)
	r.do(117, exact)
	r.do(118, exact)
	r.do(119, exact)
	r.check("bridge: third channel, destroy", m, selector{ids: []string{"brA-1795635659", "c1-1795635659", "c2-1795635659", "c3-1795635659"}, types: bridgeEvents}, [2]int{156, 168})
	r.do(126, exact)
	m = r.mark()
	for i := 127; i <= 132; i++ {
		r.do(i, exact)
	}
	r.check("holding bridge", m, selector{ids: []string{"brH-1795635659"}, types: bridgeEvents}, [2]int{172, 177})
	r.do(133, exact)

	// External media (RTP) in a bridge; the application hangs it up, then
	// destroys the bridge.
	m = r.mark()
	r.do(134, shape)
	r.do(135, shape)
	r.do(136, shape)
	r.do(137, exact)
	r.do(138, shape)
	r.do(140, exact)
	r.do(141, exact)
	r.check("external media in a bridge", m, selector{ids: []string{"em-1795635659", "c2-1795635659", "brE-1795635659"}}, [2]int{178, 188}, [2]int{191, 199})

	// AudioSocket external media playing, then hung up.
	m = r.mark()
	r.do(142, shape)
	r.do(143, shape)
	waitEv("PlaybackFinished", "as-1795635659")
	r.do(144, exact)
	r.check("audiosocket", m, selector{ids: []string{"as-1795635659"}}, [2]int{200, 205}, [2]int{214, 218})

	// Continue in the dialplan, move to another application, redirect, a
	// user event.
	m = r.mark()
	r.do(146, exact)
	waitEv("ChannelDialplan", "c8b-1795635659")
	r.do(147, exact)
	waitEv("StasisEnd", "c8-1795635659")
	r.check("continue and move", m, selector{ids: []string{"c8-1795635659", "c8b-1795635659"}}, [2]int{230, 235})
	r.do(148, exact)
	r.do(149, exact)
	r.do(150, exact)

	// Extension 600 (started above): its events, up to its hangup.
	waitEv("ChannelDestroyed", "c6-1795635659")
	r.check("extension 600", m600, selector{ids: []string{"c6-1795635659", "c6-1795635659;2"}}, [2]int{65, 76}, [2]int{82, 82}, [2]int{206, 213})

	// Hangups with a reason code and a reason.
	m = r.mark()
	r.do(154, exact)
	waitEv("ChannelDestroyed", "c2b-1795635659")
	r.check("hangup reason_code=17", m, selector{ids: []string{"c2-1795635659", "c2b-1795635659"}}, [2]int{246, 255})
	m = r.mark()
	r.do(155, exact)
	waitEv("ChannelDestroyed", "c3b-1795635659")
	r.check("hangup reason=busy", m, selector{ids: []string{"c3-1795635659", "c3b-1795635659"}}, [2]int{256, 266})
	r.do(156, exact)

	// Device states, mailboxes, dynamic configuration, endpoints, sounds.
	r.do(157, shape)
	for i := 158; i <= 162; i++ {
		r.do(i, exact)
	}
	r.do(163, shape)
	r.do(164, exact)
	r.do(165, exact)
	r.do(166, exact)
	r.do(167, exact)
	r.send(168, "PUT", "/asterisk/config/dynamic/res_mwi_external/mailboxes/mb2@default", []byte(`{"fields":[{"attribute":"msgs_new","value":"3"}]}`), exact)
	for i := 169; i <= 173; i++ {
		r.do(i, exact)
	}
	r.do(174, shape)
	r.do(175, exact)
	r.send(176, "PUT", "/applications/router/eventFilter", []byte(`{"allowed":[{"type":"StasisStart"},{"type":"StasisEnd"}]}`), shape)
	r.send(177, "PUT", "/applications/router/eventFilter", []byte(`{}`), shape)
}
