package aritest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// claim claims channel id for app over REST.
func claim(t testing.TB, srv *aritest.Server, id, app string) error {
	t.Helper()
	return srv.Resources().Events.ClaimChannel(ctx(t), &resources.EventClaimChannelParams{ChannelID: id, Application: app})
}

// requireClaimError checks that err is Asterisk's reply with status and
// message.
func requireClaimError(t testing.TB, err error, sentinel error, message string) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var ae *ari.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, message, ae.Message)
}

const (
	msgNotInBroadcast = "Channel not found or not in broadcast state"
	msgClaimed        = "Channel has already been claimed by another application"
)

// TestBroadcastFirstClaimWins offers a call to the applications a filter
// matches: only they get CallBroadcast, the first claim wins and the
// winner gets StasisStart with the broadcast's args, a second claim gets
// 409, every matching application gets CallClaimed, and once the
// winner's Stasis session ends a claim gets 404.
func TestBroadcastFirstClaimWins(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	a := dialEvents(t, srv, "app=ivr-a")
	b := dialEvents(t, srv, "app=ivr-b")
	other := dialEvents(t, srv, "app=other")
	require.NoError(t, srv.WaitApp(ctx(t), "ivr-a", "ivr-b", "other"))

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{
		ChannelID: "bc1", Extension: "123", Answer: true,
		Caller: ari.CallerID{Name: "Alice", Number: "555"},
		Broadcast: &aritest.BroadcastParams{
			Timeout: 10 * time.Second, Filter: "^ivr-", Args: []string{"sales", "vip"}, NotifyClaimed: true,
		},
	})
	require.NoError(t, err)

	offer := a.expect("CallBroadcast bc1")[0].(*events.CallBroadcast)
	b.expect("CallBroadcast bc1")
	assert.Equal(t, "555", offer.Caller)
	assert.Equal(t, "123", offer.Called)
	assert.Equal(t, ari.ChannelStateUp, offer.Channel.State)
	assert.Equal(t, ari.DialplanCEP{Context: "default", Exten: "123", Priority: 2, AppName: "StasisBroadcast", AppData: "10000,^ivr-,sales:vip,yes"}, offer.Channel.Dialplan)

	require.NoError(t, claim(t, srv, "bc1", "ivr-b"))
	requireClaimError(t, claim(t, srv, "bc1", "ivr-a"), ari.ErrConflict, msgClaimed)

	got := b.expect("CallClaimed bc1", "StasisStart bc1 sales,vip")
	assert.Equal(t, "ivr-b", got[0].(*events.CallClaimed).WinnerApp)
	start := got[1].(*events.StasisStart)
	assert.Equal(t, []string{"sales", "vip"}, start.Args)
	assert.Equal(t, "StasisBroadcast", start.Channel.Dialplan.AppName, "the channel shows the application it runs")
	assert.Equal(t, "ivr-b", a.expect("CallClaimed bc1")[0].(*events.CallClaimed).WinnerApp)
	v, _ := srv.ChannelVar("bc1", "STASISSTATUS")
	assert.Equal(t, "", v, "STASISSTATUS is empty during the Stasis session")

	// The winner has the call.
	_, err = srv.Resources().Channels.Play(ctx(t), "bc1", &resources.ChannelPlayParams{Media: []string{"sound:beep"}})
	require.NoError(t, err)
	b.expect("PlaybackStarted")
	// Claims during the session get 409; after it, 404.
	requireClaimError(t, claim(t, srv, "bc1", "ivr-b"), ari.ErrConflict, msgClaimed)
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	b.skipTo("StasisEnd bc1")
	require.NoError(t, phone.WaitEnd(ctx(t)))
	requireClaimError(t, claim(t, srv, "bc1", "ivr-b"), ari.ErrNotFound, msgNotInBroadcast)

	other.quiet(50 * time.Millisecond)
	for _, se := range srv.Events() {
		assert.NotEqual(t, "other", se.App, "the filter leaves other out: %s", se.Raw)
	}
}

// TestBroadcastConcurrentClaims has 50 goroutines claim one call at once:
// exactly one gets 204, the others 409, and only the winner gets
// StasisStart.
func TestBroadcastConcurrentClaims(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	apps := []string{"inst-1", "inst-2"}
	ws := map[string]*wsClient{}
	for _, name := range apps {
		ws[name] = dialEvents(t, srv, "app="+name)
	}
	require.NoError(t, srv.WaitApp(ctx(t), apps...))
	_, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "cc1", Broadcast: &aritest.BroadcastParams{Timeout: 10 * time.Second}})
	require.NoError(t, err)
	for _, name := range apps {
		ws[name].expect("CallBroadcast cc1")
	}

	const claimers = 50
	errs := make([]error, claimers)
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for i := range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			errs[i] = srv.Resources().Events.ClaimChannel(context.Background(), &resources.EventClaimChannelParams{ChannelID: "cc1", Application: apps[i%2]})
		}()
	}
	close(ready)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "claims %d and %d both won", winner, i)
			winner = i
			continue
		}
		requireClaimError(t, err, ari.ErrConflict, msgClaimed)
	}
	require.NotEqual(t, -1, winner, "no claim won")
	won, lost := apps[winner%2], apps[1-winner%2]
	ws[won].expect("StasisStart cc1")
	ws[lost].quiet(50 * time.Millisecond)
}

// TestBroadcastTimeout runs StasisBroadcast() from the dialplan without a
// claim: CallBroadcast, STASISSTATUS empty, then TIMEOUT when the timeout
// ends, and the dialplan goes on; a claim then gets 404. An invalid
// timeout is Asterisk's default, 500ms.
func TestBroadcastTimeout(t *testing.T) {
	dp := aritest.DefaultDialplan()
	dp["default"]["901"] = aritest.Exten("Answer()", "StasisBroadcast(30,,x,yes)", "Set(RESULT=${STASISSTATUS})", "Hangup()")
	dp["default"]["902"] = aritest.Exten("StasisBroadcast(70000)", "Hangup()")
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Dialplan: dp})
	watch := dialEvents(t, srv, "app=watch&subscribeAll=true")
	late := dialEvents(t, srv, "app=late")
	require.NoError(t, srv.WaitApp(ctx(t), "watch", "late"))

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "901", ChannelID: "t1"})
	require.NoError(t, err)
	watch.skipTo("ChannelDialplan t1 StasisBroadcast(30,,x,yes)")
	watch.expect(
		"CallBroadcast t1",
		"ChannelVarset t1 STASISSTATUS=",
		"ChannelVarset t1 STASISSTATUS=TIMEOUT",
		"ChannelDialplan t1 Set(RESULT=TIMEOUT)",
		"ChannelVarset t1 RESULT=TIMEOUT",
		"ChannelDialplan t1 Hangup()",
	)
	late.expect("CallBroadcast t1")
	require.NoError(t, phone.WaitEnd(ctx(t)))
	requireClaimError(t, claim(t, srv, "t1", "late"), ari.ErrNotFound, msgNotInBroadcast)

	t.Run("no wait", func(t *testing.T) {
		defer late.use(t)()
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "t2", Broadcast: &aritest.BroadcastParams{Timeout: aritest.NoDelay}})
		require.NoError(t, err)
		late.expect("CallBroadcast t2")
		require.NoError(t, phone.WaitEnd(ctx(t)))
		var status []string
		for _, se := range phone.Events() {
			if e, ok := se.Event.(*events.ChannelVarset); ok && se.App == "watch" && e.Variable == "STASISSTATUS" {
				status = append(status, e.Value)
			}
		}
		assert.Equal(t, []string{"", "TIMEOUT"}, status)
	})

	t.Run("out of range is the default", func(t *testing.T) {
		defer late.use(t)()
		start := time.Now()
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "902", ChannelID: "t3"})
		require.NoError(t, err)
		late.expect("CallBroadcast t3")
		require.NoError(t, phone.WaitEnd(ctx(t)))
		assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

// TestBroadcastHangup hangs up a call waiting for a claim: the broadcast
// ends with STASISSTATUS=TIMEOUT, the channel goes, and a claim gets 404.
func TestBroadcastHangup(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	watch := dialEvents(t, srv, "app=watch&subscribeAll=true")
	require.NoError(t, srv.WaitApp(ctx(t), "watch"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "h1", Broadcast: &aritest.BroadcastParams{Timeout: 10 * time.Second}})
	require.NoError(t, err)
	watch.skipTo("ChannelVarset h1 STASISSTATUS=")
	require.NoError(t, phone.Hangup(resources.HangupReasonBusy))
	watch.expect(
		"ChannelHangupRequest h1 cause=17 soft=false",
		"ChannelVarset h1 STASISSTATUS=TIMEOUT",
		"ChannelHangupRequest h1 cause=16 soft=true",
	)
	watch.skipTo("ChannelDestroyed h1 cause=17")
	requireClaimError(t, claim(t, srv, "h1", "watch"), ari.ErrNotFound, msgNotInBroadcast)
	require.Empty(t, srv.Channels())
}

// TestBroadcastClaimForAppWithoutWebsocket claims a call for an
// application that is not connected: the claim wins (204) and
// CallClaimed names it, but Stasis fails: STASISSTATUS=FAILED and the
// dialplan goes on, as on Asterisk.
func TestBroadcastClaimForAppWithoutWebsocket(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	watch := dialEvents(t, srv, "app=watch&subscribeAll=true")
	require.NoError(t, srv.WaitApp(ctx(t), "watch"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "n1", Broadcast: &aritest.BroadcastParams{Timeout: 10 * time.Second, NotifyClaimed: true}})
	require.NoError(t, err)
	watch.skipTo("ChannelVarset n1 STASISSTATUS=")
	require.NoError(t, claim(t, srv, "n1", "nosuchapp"))
	got := watch.expect("CallClaimed n1", "ChannelVarset n1 STASISSTATUS=FAILED")
	assert.Equal(t, "nosuchapp", got[0].(*events.CallClaimed).WinnerApp)
	require.NoError(t, phone.WaitEnd(ctx(t)), "the dialplan went on (and ended)")
	requireClaimError(t, claim(t, srv, "n1", "watch"), ari.ErrNotFound, msgNotInBroadcast)
}

// TestBroadcastDTMFHeld sends digits while a call waits for a claim:
// nobody reads the channel meanwhile, so the winner gets them after
// StasisStart.
func TestBroadcastDTMFHeld(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	// watch would get any ChannelDtmfReceived of the call.
	_ = dialEvents(t, srv, "app=watch&subscribeAll=true")
	app := dialEvents(t, srv, "app=ivr")
	require.NoError(t, srv.WaitApp(ctx(t), "watch", "ivr"))
	phone, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "d1", Answer: true, Broadcast: &aritest.BroadcastParams{Timeout: 10 * time.Second, Filter: "^ivr$"}})
	require.NoError(t, err)
	require.NoError(t, phone.SendDTMF("12"))
	app.expect("CallBroadcast d1")
	time.Sleep(50 * time.Millisecond) // the digits have been sent
	for _, se := range phone.Events() {
		assert.NotEqual(t, "ChannelDtmfReceived", se.Event.EventType())
	}
	require.NoError(t, claim(t, srv, "d1", "ivr"))
	app.expect("StasisStart d1", "ChannelDtmfReceived d1 1", "ChannelDtmfReceived d1 2")
}

// TestBroadcastFilter holds app_filter to Asterisk's reading of it: a
// POSIX extended regular expression matched anywhere in the name, and a
// filter Asterisk rejects (too long, too complex, invalid) broadcasts to
// every application.
func TestBroadcastFilter(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	_ = dialEvents(t, srv, "app=ivr-1,sales")
	require.NoError(t, srv.WaitApp(ctx(t), "ivr-1", "sales"))
	tests := []struct {
		filter string
		want   []string
	}{
		{"", []string{"ivr-1", "sales"}},
		{"^ivr-", []string{"ivr-1"}},
		{"ale", []string{"sales"}},
		{"^(ivr-[0-9]|nobody)$", []string{"ivr-1"}},
		{"[[:digit:]]", []string{"ivr-1"}},
		{"^x", nil},
		{"(s)+(a)*(l)?", []string{"sales"}},                          // 3 quantified groups: accepted
		{"(s)+(a)*(l)?(e)+", []string{"ivr-1", "sales"}},             // 4: rejected
		{"^s{1,101}", []string{"ivr-1", "sales"}},                    // bound over 100: rejected
		{"^s{1,100}a", []string{"sales"}},                            // accepted
		{"(", []string{"ivr-1", "sales"}},                            // invalid
		{"^" + strings.Repeat("s", 256), []string{"ivr-1", "sales"}}, // too long
		{"[(]+x", nil},                                               // '(' in a class is no group
		{"^sales|^nomatch", []string{"sales"}},
	}
	for i, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			id := "f" + string(rune('a'+i))
			_, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: id, Broadcast: &aritest.BroadcastParams{Filter: tt.filter, Timeout: aritest.NoDelay}})
			require.NoError(t, err)
			var got []string
			for _, se := range srv.Events() {
				if e, ok := se.Event.(*events.CallBroadcast); ok && e.Channel.ID == id {
					got = append(got, se.App)
				}
			}
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}

// TestBroadcastParams checks what PlaceCall refuses and that Filter and
// Args reach Asterisk's parser unchanged, whatever they contain.
func TestBroadcastParams(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	app := dialEvents(t, srv, "app=a(1)")
	require.NoError(t, srv.WaitApp(ctx(t), "a(1)"))

	for name, p := range map[string]aritest.PlaceCallParams{
		"timeout over a minute": {Broadcast: &aritest.BroadcastParams{Timeout: time.Minute + time.Millisecond}},
		"an arg with ':'":       {Broadcast: &aritest.BroadcastParams{Args: []string{"a:b"}}},
		"App and Broadcast":     {App: "a(1)", Broadcast: &aritest.BroadcastParams{}},
	} {
		_, err := srv.PlaceCall(p)
		assert.ErrorIs(t, err, aritest.ErrInvalid, name)
	}

	args := []string{`x,y`, `q"r`, `(p]`, `back\slash`, ""}
	_, err := srv.PlaceCall(aritest.PlaceCallParams{ChannelID: "p1", Broadcast: &aritest.BroadcastParams{
		Timeout: 1500 * time.Microsecond, Filter: `^a\(1\)$`, Args: args,
	}})
	require.NoError(t, err)
	offer := app.expect("CallBroadcast p1")[0].(*events.CallBroadcast)
	assert.Equal(t, `2,^a\\\(1\\\)$,x\,y:q\"r:\(p\]:back\\slash:`, offer.Channel.Dialplan.AppData)
	require.NoError(t, claim(t, srv, "p1", "a(1)"))
	assert.Equal(t, args, app.expect("StasisStart p1")[0].(*events.StasisStart).Args)
}

// TestBroadcastShapesMatchAsterisk runs the broadcast of the captures
// (extension 900 of DefaultDialplan, claimed by router, then by testapp)
// and holds CallBroadcast, CallClaimed and StasisStart to the captured
// events: the same members with the same JSON types, and the same values
// where they do not depend on the run.
func TestBroadcastShapesMatchAsterisk(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	watch := dialEvents(t, srv, "app=watch&subscribeAll=true")
	router := dialEvents(t, srv, "app=router")
	testapp := dialEvents(t, srv, "app=testapp")
	require.NoError(t, srv.WaitApp(ctx(t), "watch", "router", "testapp"))

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Extension: "900", ChannelID: "bcb-1"})
	require.NoError(t, err)
	router.expect("CallBroadcast bcb-1")
	testapp.expect("CallBroadcast bcb-1")
	require.NoError(t, claim(t, srv, "bcb-1", "router"))
	requireClaimError(t, claim(t, srv, "bcb-1", "testapp"), ari.ErrConflict, msgClaimed)
	router.expect("CallClaimed bcb-1", "StasisStart bcb-1 bc1,bc2")
	testapp.expect("CallClaimed bcb-1")

	sent := func(typ, app string) map[string]any {
		t.Helper()
		for _, se := range srv.Events() {
			if se.App == app && se.Event.EventType() == typ {
				var v map[string]any
				require.NoError(t, json.Unmarshal(se.Raw, &v))
				return v
			}
		}
		t.Fatalf("no %s sent to %s", typ, app)
		return nil
	}
	capture := func(file string) map[string]any {
		t.Helper()
		data, err := os.ReadFile("testdata/events/" + file)
		require.NoError(t, err)
		var v map[string]any
		require.NoError(t, json.Unmarshal(data, &v))
		return v
	}
	for _, c := range []struct{ file, typ, app string }{
		{"CallBroadcast.json", "CallBroadcast", "testapp"},
		{"CallClaimed.json", "CallClaimed", "router"},
		{"StasisStart.broadcast.json", "StasisStart", "router"},
	} {
		got, want := sent(c.typ, c.app), capture(c.file)
		assert.Empty(t, shapeDiff(c.typ, got, want), c.file)
		gotCh, wantCh := got["channel"].(map[string]any), want["channel"].(map[string]any)
		assert.Equal(t, wantCh["dialplan"], gotCh["dialplan"], c.file)
		for _, k := range []string{"state", "caller", "connected", "language", "accountcode"} {
			assert.Equal(t, wantCh[k], gotCh[k], "%s: channel.%s", c.file, k)
		}
		for _, k := range []string{"caller", "called", "winner_app", "args", "application"} {
			assert.Equal(t, want[k], got[k], "%s: %s", c.file, k)
		}
	}

	// Continued, the dialplan sees SUCCESS.
	require.NoError(t, srv.Resources().Channels.ContinueInDialplan(ctx(t), "bcb-1", nil))
	router.expect("StasisEnd bcb-1")
	watch.skipTo("ChannelVarset bcb-1 STASISSTATUS=SUCCESS")
	watch.expect("ChannelDialplan bcb-1 Set(BCAST=SUCCESS)", "ChannelVarset bcb-1 BCAST=SUCCESS")
	require.NoError(t, phone.WaitEnd(ctx(t)))
}

// TestBroadcastScale offers 3,000 calls to 3 application instances on one
// server, each claiming every call it is offered: every call is handled
// by exactly one instance, the two others get 409.
func TestBroadcastScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test skipped with -short")
	}
	const calls = 3000
	timing := aritest.FastTiming()
	timing.WriteTimeout = 5 * time.Second
	srv := aritest.Start(t, aritest.Config{Timing: timing, EventLogSize: 1000})
	apps := []string{"inst-a", "inst-b", "inst-c"}

	var mu sync.Mutex
	winner := map[string]string{} // channel -> app whose claim won
	starts := map[string]string{} // channel -> app that got StasisStart
	var conflicts, unexpected atomic.Int64
	runCtx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for _, name := range apps {
		offers := make(chan string, calls)
		es := srv.Client().EventStream(ari.EventStreamConfig{Apps: []string{name}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(offers)
			_ = es.Run(runCtx, func(f ari.Frame) {
				ev, err := events.Decode(f.Data)
				if err != nil {
					unexpected.Add(1)
					return
				}
				switch e := ev.(type) {
				case *events.CallBroadcast:
					offers <- e.Channel.ID
				case *events.StasisStart:
					mu.Lock()
					if prev, ok := starts[e.Channel.ID]; ok {
						t.Errorf("%s: StasisStart for %s and %s", e.Channel.ID, prev, name)
					}
					starts[e.Channel.ID] = name
					mu.Unlock()
				}
			})
		}()
		for range 4 { // claimers of this instance
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range offers {
					err := srv.Resources().Events.ClaimChannel(runCtx, &resources.EventClaimChannelParams{ChannelID: id, Application: name})
					switch {
					case err == nil:
						mu.Lock()
						if prev, ok := winner[id]; ok {
							t.Errorf("%s: claims of %s and %s both won", id, prev, name)
						}
						winner[id] = name
						mu.Unlock()
					case errors.Is(err, ari.ErrConflict):
						conflicts.Add(1)
					case runCtx.Err() == nil:
						t.Errorf("claim of %s by %s: %v", id, name, err)
						unexpected.Add(1)
					}
				}
			}()
		}
	}
	require.NoError(t, srv.WaitApp(ctx(t), apps...))

	start := time.Now()
	phones := make([]*aritest.Phone, 0, calls)
	for range calls {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{Broadcast: &aritest.BroadcastParams{Timeout: time.Minute}})
		require.NoError(t, err)
		phones = append(phones, p)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		mu.Lock()
		n, m := len(winner), len(starts)
		mu.Unlock()
		if n == calls && m == calls && conflicts.Load() == 2*calls {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes: %d calls won, %d StasisStart, %d conflicts", n, m, conflicts.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	require.Zero(t, unexpected.Load())
	perApp := map[string]int{}
	mu.Lock()
	for id, app := range winner {
		assert.Equal(t, app, starts[id], "%s: StasisStart went to the winner", id)
		perApp[app]++
	}
	mu.Unlock()
	t.Logf("%d broadcast calls claimed by %d instances in %v: %v", calls, len(apps), elapsed, perApp)

	for _, p := range phones {
		require.NoError(t, p.Hangup(resources.HangupReasonNormal))
	}
	require.Empty(t, srv.Channels())
}

// TestServersShareNothing runs two simulated servers in one test: each
// stamps its own asterisk_id, their channel ids never collide when their
// SystemName differ, a broadcast and a claim stay on their server, and
// restarting one leaves the other's calls alone.
func TestServersShareNothing(t *testing.T) {
	cfg := func(name, id string) aritest.Config {
		return aritest.Config{Timing: aritest.FastTiming(), SystemName: name, AsteriskID: id}
	}
	s1 := aritest.Start(t, cfg("ast1", "02:fc:00:00:00:01"))
	s2 := aritest.Start(t, cfg("ast2", "02:fc:00:00:00:02"))
	servers := []*aritest.Server{s1, s2}
	ws := make([]*wsClient, 2)
	for i, s := range servers {
		ws[i] = dialEvents(t, s, "app=app&subscribeAll=true")
		require.NoError(t, s.WaitApp(ctx(t), "app"))
	}

	const n = 20
	ids := [2]map[string]bool{{}, {}}
	for i, s := range servers {
		for range n {
			p, err := s.PlaceCall(aritest.PlaceCallParams{App: "app"})
			require.NoError(t, err)
			ids[i][p.ID()] = true
			ch, err := s.Resources().Channels.Originate(ctx(t), &resources.ChannelOriginateParams{Endpoint: "Local/400@default", App: "app"})
			require.NoError(t, err)
			ids[i][ch.ID] = true
		}
		for _, ch := range s.Channels() {
			ids[i][ch.ID] = true
		}
	}
	for id := range ids[0] {
		assert.False(t, ids[1][id], "channel id %s on both servers", id)
		assert.True(t, strings.HasPrefix(id, "ast1-"), id)
	}
	for id := range ids[1] {
		assert.True(t, strings.HasPrefix(id, "ast2-"), id)
	}
	for i, s := range servers {
		want := s.Config().AsteriskID
		require.NotEmpty(t, s.Events())
		for _, se := range s.Events() {
			require.Equal(t, want, se.Event.Base().AsteriskID, "server %d: %s", i+1, se.Raw)
		}
		info, err := s.Resources().Asterisk.GetInfo(ctx(t), nil)
		require.NoError(t, err)
		assert.Equal(t, want, info.System.EntityID)
		ev := ws[i].skipTo("StasisStart")
		assert.Equal(t, want, ev.Base().AsteriskID)
	}

	// A broadcast on s1 reaches s1's application only; s2 knows no such
	// channel.
	_, err := s1.PlaceCall(aritest.PlaceCallParams{ChannelID: "shared-id", Broadcast: &aritest.BroadcastParams{Timeout: 10 * time.Second}})
	require.NoError(t, err)
	_, err = s2.PlaceCall(aritest.PlaceCallParams{ChannelID: "shared-id", App: "app"})
	require.NoError(t, err, "the same id on another server is no conflict")
	requireClaimError(t, claim(t, s2, "shared-id", "app"), ari.ErrNotFound, msgNotInBroadcast)
	require.NoError(t, claim(t, s1, "shared-id", "app"))
	for _, se := range s2.Events() {
		assert.NotEqual(t, "CallBroadcast", se.Event.EventType())
	}

	// Restarting s1 leaves s2's calls in place.
	before := len(s2.Channels())
	s1.Restart()
	assert.Empty(t, s1.Channels())
	assert.Len(t, s2.Channels(), before)
}
