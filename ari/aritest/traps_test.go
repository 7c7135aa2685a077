package aritest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// neverRing is FastTiming with dialled phones left to the test.
func neverRing() aritest.Timing {
	t := aritest.FastTiming()
	t.Ring = aritest.Never
	return t
}

// A WaitPhone match may call the phone and the server: it runs without
// the server's lock (it used to deadlock until its context ended).
func TestWaitPhoneMatchMayCallThePhone(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: neverRing()})
	dialEvents(t, srv, "app=app1")
	c := ctx(t)
	require.NoError(t, srv.WaitApp(c, "app1"))
	_, err := srv.Resources().Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Test/bob", App: "app1"})
	require.NoError(t, err)

	short, cancel := context.WithTimeout(c, 2*time.Second)
	defer cancel()
	bob, err := srv.WaitPhone(short, func(p *aritest.Phone) bool {
		return strings.HasPrefix(p.Channel().Name, "Test/bob-") &&
			p.State() == ari.ChannelStateRinging &&
			len(srv.Channels()) == 1
	})
	require.NoError(t, err, "the match could call the phone and the server")
	assert.Equal(t, "Test/bob", bob.Endpoint())

	// WaitEvent's and a cursor's match functions may call the server too.
	ev, err := srv.WaitEvent(short, func(e events.Event) bool {
		_, exists := srv.Channel(bob.ID())
		return e.EventType() == "Dial" && exists
	})
	require.NoError(t, err)
	assert.Equal(t, "Dial", ev.EventType())
	cur := srv.Cursor()
	require.NoError(t, bob.Answer())
	_, err = cur.Next(short, func(se aritest.SentEvent) bool {
		return se.Event.EventType() == "StasisStart" && bob.State() == ari.ChannelStateUp
	})
	require.NoError(t, err)
}

// WaitPhone returns the phone of an outbound call once the call rings it,
// so that Answer can follow at once.
func TestWaitPhoneReturnsOnceTheCallRings(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: neverRing()})
	ws := dialEvents(t, srv, "app=app1")
	c := ctx(t)
	require.NoError(t, srv.WaitApp(c, "app1"))
	rc := srv.Resources()

	t.Run("created, then dialled", func(t *testing.T) {
		defer ws.use(t)()
		_, err := rc.Channels.Create(c, &resources.ChannelCreateParams{Endpoint: "Test/carol", App: "app1", ChannelID: "carol1"})
		require.NoError(t, err)
		ws.skipTo("StasisStart carol1")
		found := make(chan *aritest.Phone, 1)
		go func() {
			p, _ := srv.WaitPhone(c, (*aritest.Phone).Outbound)
			found <- p
		}()
		select {
		case p := <-found:
			t.Fatalf("WaitPhone returned %s before the call was dialled", p.ID())
		case <-time.After(30 * time.Millisecond):
		}
		require.NoError(t, rc.Channels.Dial(c, "carol1", nil))
		carol := <-found
		require.NotNil(t, carol)
		require.NoError(t, carol.Answer(), "a phone WaitPhone returned can be answered at once")
		ws.skipTo("Dial carol1 ANSWER")
		require.NoError(t, carol.Hangup(resources.HangupReasonNormal))
		ws.skipTo("ChannelDestroyed carol1")
	})

	t.Run("originated", func(t *testing.T) {
		defer ws.use(t)()
		for i := range 20 {
			_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Test/dave", App: "app1"})
			require.NoError(t, err)
			dave, err := srv.WaitPhone(c, (*aritest.Phone).Outbound)
			require.NoError(t, err)
			require.NoError(t, dave.Answer(), "attempt %d", i)
			require.NoError(t, dave.Hangup(resources.HangupReasonNormal))
			require.NoError(t, dave.WaitEnd(c))
		}
	})
}

// Digits a phone sends while the dialplan's Answer pauses reach the
// application after StasisStart, as Asterisk queues them back; they used
// to be lost.
func TestDTMFDuringAnswerIsKept(t *testing.T) {
	for _, tc := range []struct {
		name   string
		timing aritest.Timing
		params aritest.PlaceCallParams
	}{
		{"PlaceCall with Answer, default timing", aritest.Timing{}, aritest.PlaceCallParams{App: "app1", Answer: true}},
		{"PlaceCall with Answer, fast timing", aritest.FastTiming(), aritest.PlaceCallParams{App: "app1", Answer: true}},
		{"through the dialplan", aritest.FastTiming(), aritest.PlaceCallParams{Extension: "42"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dp := aritest.DefaultDialplan()
			dp["default"]["_X."] = aritest.Exten("Answer()", "Stasis(app1)")
			srv := aritest.Start(t, aritest.Config{Timing: tc.timing, Dialplan: dp})
			ws := dialEvents(t, srv, "app=app1")
			require.NoError(t, srv.WaitApp(ctx(t), "app1"))
			n := 5
			if tc.timing.AnswerDelay == 0 { // the default 500ms
				n = 2
			}
			for range n {
				phone, err := srv.PlaceCall(tc.params)
				require.NoError(t, err)
				require.NoError(t, phone.SendDTMF("12"))
				ws.skipTo("StasisStart " + phone.ID())
				ws.expect("ChannelDtmfReceived "+phone.ID()+" 1", "ChannelDtmfReceived "+phone.ID()+" 2")
				require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
				ws.skipTo("StasisEnd " + phone.ID())
			}
		})
	}
}

// Originating to PJSIP, SIP and IAX2 endpoints the server knows reaches
// simulated phones; unknown endpoints fail as on Asterisk.
func TestOriginateToPhoneTechnologies(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: neverRing(), Endpoints: []string{"alice", "PJSIP/trunk", "SIP/sippeer", "IAX2/iaxpeer"}})
	ws := dialEvents(t, srv, "app=app1")
	c := ctx(t)
	require.NoError(t, srv.WaitApp(c, "app1"))
	rc := srv.Resources()
	_, err := rc.Asterisk.UpdateObject(c, "res_pjsip", "endpoint", "bob", &resources.AsteriskUpdateObjectParams{
		Fields: []ari.ConfigTuple{{Attribute: "context", Value: "default"}},
	})
	require.NoError(t, err)

	for _, tc := range []struct{ dial, endpoint string }{
		{"PJSIP/bob", "PJSIP/bob"},
		{"pjsip/bob/sip:bob@192.0.2.1:5060", "PJSIP/bob"},
		{"PJSIP/100@trunk", "PJSIP/trunk"},
		{"PJSIP/trunk", "PJSIP/trunk"},
		{"SIP/sippeer", "SIP/sippeer"},
		{"SIP/100@sippeer", "SIP/sippeer"},
		{"IAX2/iaxpeer/100", "IAX2/iaxpeer"},
		{"IAX2/user:secret@iaxpeer/100", "IAX2/iaxpeer"},
		{"Test/alice", "Test/alice"},
	} {
		t.Run(tc.dial, func(t *testing.T) {
			defer ws.use(t)()
			ch, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: tc.dial, App: "app1"})
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(ch.Name, tc.endpoint+"-"), "channel name %q", ch.Name)
			phone, err := srv.WaitPhone(c, func(p *aritest.Phone) bool { return p.Endpoint() == tc.endpoint })
			require.NoError(t, err)
			assert.Equal(t, ch.ID, phone.ID())
			require.NoError(t, phone.Answer())
			ws.skipTo("StasisStart " + ch.ID)
			require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
			ws.skipTo("ChannelDestroyed " + ch.ID)
		})
	}

	for _, dial := range []string{"PJSIP/nobody", "PJSIP/1000@nowhere", "SIP/nobody", "IAX2/nobody/100", "Foo/bar"} {
		t.Run("unknown "+dial, func(t *testing.T) {
			_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: dial, App: "app1"})
			var ae *ari.Error
			require.True(t, errors.As(err, &ae), "%v", err)
			assert.Equal(t, 500, ae.Status)
			assert.Equal(t, "Allocation failed", ae.Message)
			_, err = rc.Channels.Create(c, &resources.ChannelCreateParams{Endpoint: dial, App: "app1"})
			require.True(t, errors.As(err, &ae), "%v", err)
			assert.Equal(t, 500, ae.Status)
		})
	}

	t.Run("listed endpoints", func(t *testing.T) {
		list, err := rc.Endpoints.ListByTech(c, "PJSIP")
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "PJSIP", list[0].Technology)
		assert.Equal(t, "trunk", list[0].Resource)
		assert.Empty(t, list[0].ChannelIDs)
		all, err := rc.Endpoints.List(c)
		require.NoError(t, err)
		var ids []string
		for _, e := range all {
			ids = append(ids, e.Technology+"/"+e.Resource)
		}
		assert.Equal(t, []string{"IAX2/iaxpeer", "PJSIP/trunk", "SIP/sippeer", "Test/alice"}, ids)
		ep, err := rc.Endpoints.Get(c, "SIP", "sippeer")
		require.NoError(t, err)
		assert.Equal(t, "SIP", ep.Technology)
	})

	t.Run("a call placed from a PJSIP phone", func(t *testing.T) {
		defer ws.use(t)()
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app1", Endpoint: "PJSIP/bob"})
		require.NoError(t, err)
		assert.Equal(t, "PJSIP/bob", phone.Endpoint())
		assert.True(t, strings.HasPrefix(phone.Channel().Name, "PJSIP/bob-"), phone.Channel().Name)
		ws.skipTo("StasisStart " + phone.ID())
		require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
		_, err = srv.PlaceCall(aritest.PlaceCallParams{App: "app1", Endpoint: "Foo/bar"})
		assert.ErrorIs(t, err, aritest.ErrInvalid)
	})
}

// Phones take the SDK's types: a resources.HangupReason, an
// ari.ChannelState.
func TestPhoneHangupReasons(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: neverRing()})
	ws := dialEvents(t, srv, "app=app1")
	c := ctx(t)
	require.NoError(t, srv.WaitApp(c, "app1"))

	for _, tc := range []struct {
		reason resources.HangupReason
		cause  int
	}{
		{"", 16},
		{resources.HangupReasonNormal, 16},
		{resources.HangupReasonBusy, 17},
		{resources.HangupReasonNoAnswer, 19},
		{resources.HangupReasonCongestion, 34},
	} {
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "app1", Answer: true})
		require.NoError(t, err)
		require.NoError(t, phone.WaitState(c, ari.ChannelStateUp))
		assert.ErrorIs(t, phone.Hangup("hung_up_softly"), aritest.ErrInvalid)
		require.NoError(t, phone.Hangup(tc.reason))
		require.NoError(t, phone.WaitEnd(c))
		assert.Equal(t, tc.cause, phone.Cause(), "reason %q", tc.reason)
	}

	for _, tc := range []struct {
		reason resources.HangupReason
		status string
		cause  int
	}{
		{"", "CHANUNAVAIL", 21},
		{resources.HangupReasonBusy, "BUSY", 17},
		{resources.HangupReasonCongestion, "CONGESTION", 34},
		{resources.HangupReasonNoAnswer, "NOANSWER", 19},
	} {
		func() {
			defer ws.use(t)()
			ch, err := srv.Resources().Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Test/bob", App: "app1"})
			require.NoError(t, err)
			bob, err := srv.WaitPhone(c, func(p *aritest.Phone) bool { return p.ID() == ch.ID })
			require.NoError(t, err)
			assert.Equal(t, ari.ChannelStateRinging, bob.State())
			assert.ErrorIs(t, bob.Reject("nope"), aritest.ErrInvalid)
			require.NoError(t, bob.Reject(tc.reason))
			ws.skipTo("Dial " + ch.ID + " " + tc.status)
			require.NoError(t, bob.WaitEnd(c))
			assert.Equal(t, tc.cause, bob.Cause())
		}()
	}
}
