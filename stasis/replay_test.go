package stasis

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/events"
)

// streamFrames reads the real event stream captured from Asterisk 22.10.1
// (apps testapp and router).
func streamFrames(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/testapp.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			out = append(out, sc.Text())
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// oracle computes, independently of the runtime, which frames each call
// should receive: a call (app, channel) lives from its StasisStart to its
// StasisEnd and receives the events of its app that name its channel, plus
// those naming a bridge its channel is in.
func oracle(t testing.TB, frames []string) map[string][]int {
	type key struct{ app, ch string }
	live := map[key]bool{}
	inBridge := map[key]map[string]bool{} // call -> bridges it is in
	got := map[string][]int{}
	for i, fr := range frames {
		e, err := events.Decode([]byte(fr))
		require.NoError(t, err)
		app := e.Base().Application
		var recipients []key
		add := func(k key) {
			for _, r := range recipients {
				if r == k {
					return
				}
			}
			recipients = append(recipients, k)
		}
		if s, ok := e.(*events.StasisStart); ok {
			live[key{app, s.Channel.ID}] = true
		}
		for _, id := range events.ChannelIDs(e) {
			if live[key{app, id}] {
				add(key{app, id})
			}
		}
		for _, b := range events.BridgeIDs(e) {
			for k, bs := range inBridge {
				if k.app == app && bs[b] && live[k] {
					add(k)
				}
			}
		}
		for _, k := range recipients {
			got[k.app+"/"+k.ch] = append(got[k.app+"/"+k.ch], i)
		}
		switch x := e.(type) {
		case *events.ChannelEnteredBridge:
			if x.Channel != nil && live[key{app, x.Channel.ID}] {
				k := key{app, x.Channel.ID}
				if inBridge[k] == nil {
					inBridge[k] = map[string]bool{}
				}
				inBridge[k][x.Bridge.ID] = true
			}
		case *events.ChannelLeftBridge:
			delete(inBridge[key{app, x.Channel.ID}], x.Bridge.ID)
		case *events.StasisEnd:
			delete(live, key{app, x.Channel.ID})
			delete(inBridge, key{app, x.Channel.ID})
		}
	}
	return got
}

func TestReplayRealStream(t *testing.T) {
	frames := streamFrames(t)
	want := oracle(t, frames)

	f := newFakeAsterisk(t)
	var mu sync.Mutex
	got := map[string][]string{}
	handlers := map[string]int{}
	done := make(chan string, 256)
	app := func(name string) App {
		return App{Name: name, New: func(ctx context.Context, call *Call) (any, error) {
			key := call.App + "/" + call.ChannelID
			mu.Lock()
			handlers[key]++
			mu.Unlock()
			return &frameRecorder{key: key, mu: &mu, got: got, done: done}, nil
		}}
	}
	// Other handlers' channels are not hung up: this is a replay.
	rt, err := New(Config{Client: f.client(), Apps: []App{app("testapp"), app("router")}, KeepResourcesOnEnd: true})
	require.NoError(t, err)
	startRuntime(t, rt)
	f.waitConnected()
	f.send(frames...)

	for range want {
		select {
		case <-done:
		case <-contextDone(t):
			t.Fatal("not every call ended")
		}
	}
	eventually(t, func() bool { return rt.Stats().LiveCalls == 0 }, "no live call")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, len(want), len(handlers))
	for k, n := range handlers {
		assert.Equal(t, 1, n, "handlers for %s", k)
	}
	for k, idx := range want {
		var wantFrames []string
		for _, i := range idx {
			wantFrames = append(wantFrames, canonical(t, []byte(frames[i])))
		}
		assert.Equal(t, wantFrames, got[k], "events of call %s", k)
		last := frames[idx[len(idx)-1]]
		assert.Contains(t, last, `"type":"StasisEnd"`, "call %s ends with its StasisEnd", k)
	}
	for _, a := range rt.nodes[0].apps {
		a.mu.Lock()
		assert.Empty(t, a.channels, "registrar of %s empty", a.name)
		assert.Empty(t, a.bridges)
		a.mu.Unlock()
	}
	st := rt.Stats()
	assert.EqualValues(t, len(frames), st.EventsReceived)
	assert.EqualValues(t, len(frames), st.Routed+st.Unrouted)
	assert.Zero(t, st.DecodeErrors)
}

// frameRecorder records each event its call gets, as canonical JSON.
type frameRecorder struct {
	key  string
	mu   *sync.Mutex
	got  map[string][]string
	done chan string
}

func (r *frameRecorder) OnEvent(ctx context.Context, e events.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	c, err := canonicalJSON(b)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.got[r.key] = append(r.got[r.key], c)
	r.mu.Unlock()
	if _, end := e.(*events.StasisEnd); end {
		r.done <- r.key
	}
	return nil
}

func contextDone(t testing.TB) <-chan struct{} {
	ctx, cancel := context.WithTimeout(context.Background(), 10e9)
	t.Cleanup(cancel)
	return ctx.Done()
}

// canonicalJSON re-encodes JSON with sorted keys, so that equal values
// compare equal as strings.
func canonicalJSON(b []byte) (string, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v)
	return string(out), err
}

func canonical(t testing.TB, b []byte) string {
	t.Helper()
	c, err := canonicalJSON(b)
	require.NoError(t, err)
	return c
}
