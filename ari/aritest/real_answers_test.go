package aritest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// TestBridgesCreateReadsTheBodyAsVariables: Asterisk 22.10.1 (to
// 23.5.0-rc1 and master) reads the whole body of POST /bridges as the
// variables, once the bridge exists; POST /bridges/{bridgeId} reads its
// "variables" member. The simulator answers both raw requests as Asterisk
// does, leaks included.
func TestBridgesCreateReadsTheBodyAsVariables(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	rc := srv.Resources()
	c := ctx(t)
	const auth = "asterisk:asterisk"
	bridgeVar := func(id, name string) string {
		t.Helper()
		v, err := rc.Bridges.GetBridgeVar(c, id, &resources.BridgeGetBridgeVarParams{Variable: name})
		require.NoError(t, err, "%s %s", id, name)
		return v.Value
	}
	exists := func(id string) bool {
		_, err := rc.Bridges.Get(c, id)
		return err == nil
	}

	for _, tt := range []struct {
		name, body, message string
	}{
		{"the documented body", `{"variables": {"A": {"value": "1"}}}`, "Each object value in 'variables' must include string field 'value'"},
		{"the documented body with strings", `{"variables": {"A": "1"}}`, "Each object value in 'variables' must include string field 'value'"},
		{"no variables", `{"variables": {}}`, "Each object value in 'variables' must include string field 'value'"},
		{"a number", `{"A": 5}`, "Each value in 'variables' must be a string or an object with 'value' and optional 'report_events'"},
		{"null", `{"A": null}`, "Each value in 'variables' must be a string or an object with 'value' and optional 'report_events'"},
		{"report_events not a boolean", `{"A": {"value": "1", "report_events": "yes"}}`, "Field 'report_events' in 'variables' entries must be boolean"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := "leak-" + strings.ReplaceAll(tt.name, " ", "-")
			r := call(t, srv, "POST", "/ari/bridges?bridgeId="+id, tt.body, auth)
			assert.Equal(t, 400, r.status)
			assert.Equal(t, mustJSON(t, map[string]string{"message": tt.message}), r.body)
			assert.True(t, exists(id), "the bridge was created before the variables were read, and stays")
		})
	}

	r := call(t, srv, "POST", "/ari/bridges?bridgeId=flat&name=n", `{"A": "1", "B": {"value": "2", "report_events": true}, "": "skipped"}`, auth)
	require.Equal(t, 200, r.status, r.body)
	assert.Equal(t, "1", bridgeVar("flat", "A"))
	assert.Equal(t, "2", bridgeVar("flat", "B"))

	r = call(t, srv, "POST", "/ari/bridges/withid?name=n", `{"variables": {"A": "1", "B": {"value": "2", "report_events": true}}}`, auth)
	require.Equal(t, 200, r.status, r.body)
	assert.Equal(t, "1", bridgeVar("withid", "A"))
	assert.Equal(t, "2", bridgeVar("withid", "B"))

	r = call(t, srv, "POST", "/ari/bridges/withid2", `{"variables": {"A": {"report_events": true}}}`, auth)
	assert.Equal(t, 400, r.status)
	assert.Equal(t, mustJSON(t, map[string]string{"message": "Each object value in 'variables' must include string field 'value'"}), r.body)
	assert.True(t, exists("withid2"), "createWithId leaks too when a value is bad")

	r = call(t, srv, "POST", "/ari/bridges/withid", "", auth)
	assert.Equal(t, 409, r.status)
	assert.Equal(t, mustJSON(t, map[string]string{"message": "Bridge with id 'withid' already exists"}), r.body)
}

// TestAnswersTheSchemaDoesNotList reproduces real answers of Asterisk
// 22.10.1 that its API description does not list, and checks how the
// typed client labels each: the sentinel of the status, Asterisk's
// message, and a Reason that does not contradict it.
func TestAnswersTheSchemaDoesNotList(t *testing.T) {
	srv := errorFixture(t)
	rc := srv.Resources()
	c := ctx(t)
	check := func(t *testing.T, err error, is error, message, reasonHas string) {
		t.Helper()
		require.ErrorIs(t, err, is)
		var ae *ari.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, message, ae.Message)
		assert.Contains(t, ae.Reason, reasonHas)
	}

	t.Run("rtpstatistics on a Local channel", func(t *testing.T) {
		_, err := rc.Channels.RTPStatistics(c, "c1")
		check(t, err, ari.ErrForbidden, "Unsupported channel type", "no RTP")
	})

	t.Run("unsubscribing a source not subscribed", func(t *testing.T) {
		_, err := rc.Applications.Unsubscribe(c, "testapp", &resources.ApplicationUnsubscribeParams{EventSource: []string{"channel:x1"}})
		check(t, err, ari.ErrUnprocessable, "Event source was not subscribed to", "not subscribed")
		var ae *ari.Error
		require.ErrorAs(t, err, &ae)
		assert.NotEqual(t, "Event source does not exist.", ae.Reason, "the description's reason for 422")
	})

	t.Run("deleteLog after rotateLog", func(t *testing.T) {
		require.NoError(t, rc.Asterisk.AddLog(c, "rot.log", &resources.AsteriskAddLogParams{Configuration: "notice"}))
		require.NoError(t, rc.Asterisk.AddLog(c, "other.log", &resources.AsteriskAddLogParams{Configuration: "notice"}))
		require.NoError(t, rc.Asterisk.RotateLog(c, "rot.log"))
		// Rotating rebuilt the log channels from logger.conf: both are gone.
		check(t, rc.Asterisk.DeleteLog(c, "rot.log"), ari.ErrNotFound, "Log channel does not exist", "does not exist")
		check(t, rc.Asterisk.DeleteLog(c, "other.log"), ari.ErrNotFound, "Log channel does not exist", "does not exist")
		// A configured channel rotates; a missing one answers 404.
		require.NoError(t, rc.Asterisk.RotateLog(c, "messages.log"))
		check(t, rc.Asterisk.RotateLog(c, "nosuch.log"), ari.ErrNotFound, "Log channel does not exist", "does not exist")
	})

	t.Run("ids match as prefixes", func(t *testing.T) {
		_, err := rc.Channels.Create(c, &resources.ChannelCreateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: "call-1-phone", OtherChannelID: "call-1-phone-b"})
		require.NoError(t, err)
		for _, id := range []string{"call-1", "CALL-1-P", "call-1-phone"} {
			_, err = rc.Channels.Create(c, &resources.ChannelCreateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: id})
			check(t, err, ari.ErrConflict, "Channel with given unique ID already exists", "begins with it")
		}
		_, err = rc.Channels.Create(c, &resources.ChannelCreateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: "call-1-phone-c"})
		require.NoError(t, err, "a longer id is no prefix of the existing ones")
	})

	t.Run("an unknown technology after an id conflict", func(t *testing.T) {
		// One connection, as one thread of Asterisk's HTTP server.
		tr := &http.Transport{MaxConnsPerHost: 1}
		t.Cleanup(tr.CloseIdleConnections)
		raw := func(target string) rawReply {
			req, err := http.NewRequest("POST", srv.URL+target, nil)
			require.NoError(t, err)
			req.SetBasicAuth("asterisk", "asterisk")
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return rawReply{resp.StatusCode, resp.Header, string(b)}
		}
		r := raw("/ari/channels?endpoint=Nope/x&app=testapp")
		assert.Equal(t, 500, r.status)
		assert.Equal(t, mustJSON(t, map[string]string{"message": "Allocation failed"}), r.body)
		r = raw("/ari/channels?endpoint=Local/100@default&app=testapp&channelId=c1")
		assert.Equal(t, 409, r.status)
		r = raw("/ari/channels?endpoint=Nope/x&app=testapp")
		assert.Equal(t, 409, r.status, "Asterisk reports the thread's last channel error")
		assert.Equal(t, mustJSON(t, map[string]string{"message": "Channel with given unique ID already exists"}), r.body)

		// Through the typed client, whose connection also had a conflict.
		_, err := rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Local/100@default", App: "testapp", ChannelID: "c1"})
		require.ErrorIs(t, err, ari.ErrConflict)
		_, err = rc.Channels.Originate(c, &resources.ChannelOriginateParams{Endpoint: "Nope/x", App: "testapp"})
		check(t, err, ari.ErrConflict, "Channel with given unique ID already exists", "unknown technology")
	})
}
