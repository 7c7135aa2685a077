package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// callAgainst runs "ari call args..." against srv with the connection in
// the environment, and returns stdout and the error.
func callAgainst(t *testing.T, srv *aritest.Server, args ...string) (string, error) {
	t.Helper()
	env := map[string]string{"ARI_URL": srv.URL, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "asterisk"}
	var stdout, stderr bytes.Buffer
	err := runCall(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	assert.Empty(t, stderr.String(), "stderr")
	return stdout.String(), err
}

// callNoServer runs "ari call args..." without a server: for help and for
// arguments refused before anything is sent.
func callNoServer(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := func(k string) string {
		if k == "ARI_URL" {
			return "http://127.0.0.1:1" // nothing listens: a sent call fails
		}
		return ""
	}
	err := runCall(context.Background(), args, env, &stdout, &stderr)
	return stdout.String(), err
}

// callArgErr asserts that err is a *callArgError and returns it.
func callArgErr(t *testing.T, err error) *callArgError {
	t.Helper()
	var ae *callArgError
	require.True(t, errors.As(err, &ae), "want a *callArgError, got %T: %v", err, err)
	return ae
}

func TestCallTableMatchesResources(t *testing.T) {
	ops := resources.Operations()
	require.Len(t, callOps, len(ops))
	for i, op := range ops {
		c := callOps[i]
		assert.Equal(t, op.String(), c.name)
		require.Len(t, c.params, len(op.Params), c.name)
		for j, p := range op.Params {
			assert.Equal(t, p.Name, c.params[j].name, c.name)
			assert.Equal(t, p.In, c.params[j].in, c.name)
			assert.Equal(t, p.Required, c.params[j].required, "%s %s", c.name, p.Name)
		}
		assert.NotEmpty(t, c.avail, c.name)
	}
}

func TestCallPathAndEnumQuery(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	out, err := callAgainst(t, srv, "deviceStates.update", "deviceName=Stasis:door/1", "deviceState=BUSY")
	require.NoError(t, err)
	assert.Equal(t, "ok\n", out)

	out, err = callAgainst(t, srv, "deviceStates.get", "deviceName=Stasis:door/1")
	require.NoError(t, err)
	var ds ari.DeviceState
	require.NoError(t, json.Unmarshal([]byte(out), &ds), out)
	assert.Equal(t, "Stasis:door/1", ds.Name)
	assert.Equal(t, ari.DeviceStateValueBusy, ds.State)
	assert.Contains(t, out, "\n  \"name\"", "indented")
}

func TestCallQueryListOfEnum(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	out, err := callAgainst(t, srv, "asterisk.getInfo", "only=system,build")
	require.NoError(t, err)
	var info map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &info), out)
	assert.Contains(t, info, "system")
	assert.Contains(t, info, "build")
	assert.NotContains(t, info, "status")

	_, err = callAgainst(t, srv, "asterisk.getInfo", "only=system,bild")
	ae := callArgErr(t, err)
	assert.Equal(t, "only", ae.Param)
	assert.Contains(t, ae.Error(), `"bild" is not one of build, system, config, status; did you mean "build"?`)
}

func TestCallQueryStringAndVoid(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	out, err := callAgainst(t, srv, "asterisk.setGlobalVar", "variable=GREETING", "value=hello world, again")
	require.NoError(t, err)
	assert.Equal(t, "ok\n", out)
	out, err = callAgainst(t, srv, "asterisk.getGlobalVar", "variable=GREETING")
	require.NoError(t, err)
	assert.JSONEq(t, `{"value": "hello world, again"}`, out)
}

func TestCallBody(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	out, err := callAgainst(t, srv, "asterisk.updateObject", "configClass=res_pjsip", "objectType=endpoint", "id=alice",
		`fields={"allow": "ulaw", "context": "from-phones"}`)
	require.NoError(t, err)
	assert.Contains(t, out, `"attribute": "context"`)
	out, err = callAgainst(t, srv, "asterisk.getObject", "configClass=res_pjsip", "objectType=endpoint", "id=alice")
	require.NoError(t, err)
	var tuples []ari.ConfigTuple
	require.NoError(t, json.Unmarshal([]byte(out), &tuples), out)
	assert.Contains(t, tuples, ari.ConfigTuple{Attribute: "context", Value: "from-phones"})

	_, err = callAgainst(t, srv, "asterisk.updateObject", "configClass=res_pjsip", "objectType=endpoint", "id=bob", `fields={"allow": 1}`)
	assert.Equal(t, "fields", callArgErr(t, err).Param)
	_, err = callAgainst(t, srv, "bridges.createWithId", "bridgeId=b1", `variables=not json`)
	assert.Contains(t, callArgErr(t, err).Error(), "variables: not JSON")
}

func TestCallBodyVariables(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	env := map[string]string{"ARI_URL": srv.URL, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "asterisk"}
	call := func(args ...string) (string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := runCall(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
		require.NoError(t, err)
		return stdout.String(), stderr.String()
	}

	// Asterisk 22.10.1 reads POST /bridges' whole body as the variables:
	// like resources.Bridges.Create, ari call sends the call to
	// bridges.createWithId instead, and says so.
	out, note := call("bridges.create", "bridgeId=room1", "type=mixing,dtmf_events",
		`variables={"TOPIC": "support", "STATE": {"value": "open", "report_events": true}}`)
	assert.Contains(t, out, `"id": "room1"`)
	assert.Equal(t, "ari call: bridges.create with variables is sent as bridges.createWithId (see ari call bridges.create --help)\n", note)
	out, _ = call("bridges.getBridgeVar", "bridgeId=room1", "variable=STATE")
	assert.JSONEq(t, `{"value": "open"}`, out)

	// Without an id, a new one.
	out, _ = call("bridges.create", `variables={"TOPIC": "sales"}`)
	var b ari.Bridge
	require.NoError(t, json.Unmarshal([]byte(out), &b), out)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, b.ID)
	out, _ = call("bridges.getBridgeVar", "bridgeId="+b.ID, "variable=TOPIC")
	assert.JSONEq(t, `{"value": "sales"}`, out)

	// Without variables, bridges.create as it is.
	out, note = call("bridges.create", "bridgeId=room2")
	assert.Contains(t, out, `"id": "room2"`)
	assert.Empty(t, note)
}

func TestCallAsteriskError(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	_, err := callAgainst(t, srv, "channels.get", "channelId=nosuch")
	var ae *ari.Error
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.True(t, errors.Is(err, ari.ErrNotFound))
	assert.Equal(t, "Channel not found", ae.Message)
	assert.Contains(t, err.Error(), "Channel not found")

	// A binary operation streams its reply; its errors are the same.
	_, err = callAgainst(t, srv, "recordings.getStoredFile", "recordingName=nosuch")
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.True(t, errors.Is(err, ari.ErrNotFound))
	assert.Equal(t, "Recording not found", ae.Message)
}

func TestCallRefusesBadArguments(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		param string
		want  string
	}{
		{"unknown operation", []string{"channels.orignate"}, "", `unknown operation; did you mean "channels.originate"?`},
		{"unknown key", []string{"channels.originate", "endpont=PJSIP/alice"}, "endpont", `unknown parameter; did you mean "endpoint"?`},
		{"unknown key, other case", []string{"channels.originate", "endpoint=PJSIP/alice", "CallerID=Bob"}, "CallerID", `did you mean "callerId"?`},
		{"missing required", []string{"channels.originate", "app=demo"}, "", "missing required parameter endpoint"},
		{"missing path", []string{"channels.hangup"}, "", "missing required parameter channelId"},
		{"empty path", []string{"channels.hangup", "channelId="}, "channelId", "must not be empty"},
		{"not an integer", []string{"channels.originate", "endpoint=PJSIP/alice", "timeout=soon"}, "timeout", `"soon" is not an integer`},
		{"below minimum", []string{"bridges.play", "bridgeId=b1", "media=sound:beep", "skipms=-5"}, "skipms", "below the minimum 0"},
		{"not a boolean", []string{"channels.record", "channelId=c1", "name=r", "format=wav", "beep=maybe"}, "beep", `"maybe" is not true or false`},
		{"enum", []string{"channels.hangup", "channelId=c1", "reason=bussy"}, "reason", `did you mean "busy"?`},
		{"not key=value", []string{"channels.list", "oops"}, "", `argument "oops" is not key=value`},
		{"twice", []string{"channels.originate", "endpoint=a", "endpoint=b"}, "endpoint", "given twice"},
		{"websocket", []string{"events.eventWebsocket", "app=demo"}, "", "use ari events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := callNoServer(t, tt.args...)
			ae := callArgErr(t, err)
			assert.Equal(t, tt.param, ae.Param)
			assert.Contains(t, ae.Error(), tt.want)
		})
	}
}

func TestCallFlagsAndEnvironment(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	var stdout bytes.Buffer
	noEnv := func(string) string { return "" }
	// Flags before and after the operation; the viewer may read.
	err := runCall(context.Background(), []string{"-url", srv.URL, "asterisk.getInfo", "-user", "viewer", "-password=viewer", "only=build"}, noEnv, &stdout, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Contains(t, stdout.String(), `"build"`)

	// Flags win over the environment.
	env := map[string]string{"ARI_URL": srv.URL, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "wrong"}
	err = runCall(context.Background(), []string{"-password", "asterisk", "asterisk.ping"}, func(k string) string { return env[k] }, &stdout, &bytes.Buffer{})
	require.NoError(t, err)
	err = runCall(context.Background(), []string{"asterisk.ping"}, func(k string) string { return env[k] }, &stdout, &bytes.Buffer{})
	assert.True(t, errors.Is(err, ari.ErrUnauthorized), "%v", err)

	err = runCall(context.Background(), []string{"-bogus", "asterisk.ping"}, noEnv, &stdout, &bytes.Buffer{})
	assert.ErrorContains(t, err, "-bogus")
}

func TestCallOperationHelp(t *testing.T) {
	for _, flag := range []string{"--help", "-h", "-help"} {
		out, err := callNoServer(t, "channels.originate", flag)
		require.NoError(t, err, flag)
		for _, want := range []string{
			"Usage: ari call channels.originate endpoint=... [key=value ...]\n",
			"\nCreate a new channel (originate).\n",
			"snapshot of it returned. If a\nStasis application is provided it will be automatically subscribed to the\n",
			"\nPOST /channels -> Channel\n",
			"Asterisk: every known release (16.30.1 to 23.4.1); since 12.0.0.\n",
			"\n  endpoint (string, in query, required)\n      Endpoint to call.\n",
			"\n  timeout (integer, in query, default 30)\n",
			"\n  appArgs (comma-separated list of strings, in query)\n",
			"\n  callerId (caller id \"Name\" <number>, in query)\n",
			"\n  variables (JSON object {\"name\": \"value\" or {\"value\": \"...\", \"report_events\": true}}, in body)\n",
			"\nErrors:\n  400  Invalid parameters for originating a channel.\n  409  Channel with given unique ID already exists, or one whose id begins with\n       it (ignoring case);",
		} {
			assert.Contains(t, out, want, flag)
		}
	}

	out, err := callNoServer(t, "channels.hangup", "-url", "http://127.0.0.1:1", "-h")
	require.NoError(t, err)
	assert.Contains(t, out, "Usage: ari call channels.hangup channelId=... [key=value ...]\n")

	out, err = callNoServer(t, "channels.hangup", "channelId=c1", "-h")
	require.NoError(t, err)
	assert.Contains(t, out, "\n  reason (one of the values, in query, values: normal, busy,")
	assert.Contains(t, out, "\n  reason_code (string, in query)\n")
	assert.Contains(t, out, "      Asterisk: 18.26.4, 20.20.1, 21.12.3, 22.10.1, 23.4.1.\n", "a parameter not every release has")

	out, err = callNoServer(t, "recordings.getStoredFile", "-h")
	require.NoError(t, err)
	assert.Contains(t, out, "GET /recordings/stored/{recordingName}/file -> binary data")

	out, err = callNoServer(t, "bridges.create", "-h")
	require.NoError(t, err)
	assert.Contains(t, out, "\n  type (comma-separated list of the values, in query, values: mixing, holding,")
}

func TestCallUsageListsOperations(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {}, {"help"}} {
		out, err := callNoServer(t, args...)
		require.NoError(t, err, "%q", args)
		assert.Contains(t, out, "Usage: ari call [flags] <resource.nickname> [key=value ...]")
		assert.Contains(t, out, "  -url ")
		assert.Contains(t, out, "Operations (109):\n")
		assert.Regexp(t, `\n  channels\.originate +Create a new channel \(originate\)\.\n`, out)
		lines := 0
		for _, l := range strings.Split(out, "\n") {
			for _, op := range callOps {
				if strings.HasPrefix(l, "  "+op.name+" ") {
					lines++
				}
			}
		}
		assert.Equal(t, len(callOps), lines)
	}
}
