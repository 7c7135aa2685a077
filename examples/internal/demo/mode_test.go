package demo

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMode(t *testing.T) {
	m, err := ParseMode("")
	require.NoError(t, err)
	assert.Equal(t, ModeHTTP, m, "the default")
	for _, want := range Modes() {
		m, err := ParseMode(string(want))
		require.NoError(t, err)
		assert.Equal(t, want, m)
	}
	_, err = ParseMode("outbound_per_call")
	require.ErrorIs(t, err, ErrUnknownMode)
	assert.ErrorContains(t, err, `"outbound_per_call" (want http, websocket, outbound, outbound-per-call)`)
}

func TestArgsOverrideTheEnvironment(t *testing.T) {
	base := map[string]string{EnvTransport: "websocket", EnvListen: "127.0.0.1:1", EnvURL: "http://asterisk:8088"}
	var errOut bytes.Buffer
	env, err := Args("ivr", []string{"-transport=outbound", "-listen", "127.0.0.1:8765"}, func(k string) string { return base[k] }, &errOut)
	require.NoError(t, err)
	assert.Equal(t, "outbound", env(EnvTransport))
	assert.Equal(t, "127.0.0.1:8765", env(EnvListen))
	assert.Equal(t, "http://asterisk:8088", env(EnvURL), "the rest of the environment")
	assert.Empty(t, errOut.String())

	env, err = Args("ivr", nil, func(k string) string { return base[k] }, &errOut)
	require.NoError(t, err)
	assert.Equal(t, "websocket", env(EnvTransport), "no flag: the environment's")
}

func TestArgsRefuseABadCommandLine(t *testing.T) {
	for _, args := range [][]string{{"-transport=tcp"}, {"-port=1"}, {"extra"}} {
		var errOut bytes.Buffer
		_, err := Args("ivr", args, noEnv, &errOut)
		require.Error(t, err, "%q", args)
		assert.Contains(t, errOut.String(), "usage: ivr [-transport mode] [-listen address]", "%q", args)
	}
	var errOut bytes.Buffer
	_, err := Args("ivr", []string{"-transport=tcp"}, noEnv, &errOut)
	require.ErrorIs(t, err, ErrUnknownMode)
	_, err = Args("ivr", []string{"-h"}, noEnv, &errOut)
	require.ErrorIs(t, err, flag.ErrHelp)
}

func TestLive(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		live bool
	}{
		{map[string]string{}, false},
		{map[string]string{EnvURL: "http://127.0.0.1:8088"}, true},
		{map[string]string{EnvURL: "http://127.0.0.1:8088", EnvTransport: "outbound"}, true},
		{map[string]string{EnvListen: "127.0.0.1:8765"}, false}, // http: the listen address is unused
		{map[string]string{EnvListen: "127.0.0.1:8765", EnvTransport: "websocket"}, false},
		{map[string]string{EnvListen: "127.0.0.1:8765", EnvTransport: "outbound"}, true},
		{map[string]string{EnvListen: "127.0.0.1:8765", EnvTransport: "outbound-per-call"}, true},
		{map[string]string{EnvListen: "127.0.0.1:8765", EnvTransport: "bad"}, false},
	} {
		assert.Equal(t, c.live, Live(func(k string) string { return c.env[k] }), "%v", c.env)
	}
}

func TestRunRefusesAnUnknownTransport(t *testing.T) {
	var out bytes.Buffer
	err := Run(t.Context(), &out, func(k string) string { return map[string]string{EnvTransport: "tcp"}[k] }, Config{Apps: nil})
	require.ErrorIs(t, err, ErrUnknownMode)
	assert.Empty(t, out.String())
}
