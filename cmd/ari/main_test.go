package main

import (
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMainUsage(t *testing.T) {
	_, stderr, err := runARI(t, envOf(nil))
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	for _, name := range commandOrder {
		assert.Contains(t, stderr, "\n  "+name+" ", "the usage lists %s", name)
	}
	var exit strings.Builder
	assert.Equal(t, 2, exitCode(err, &exit))
	assert.Empty(t, exit.String(), "the flag package printed it already")

	_, _, err = runARI(t, envOf(nil), "frobnicate")
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), `unknown command "frobnicate"`)
	assert.Equal(t, 2, exitCode(err, &exit))
	assert.Contains(t, exit.String(), "ari: unknown command")

	out, _, err := runARI(t, envOf(nil), "help")
	require.NoError(t, err)
	assert.Contains(t, out, "Usage: ari [-url URL]")
	assert.Contains(t, out, "ARI_USERNAME")

	_, _, err = runARI(t, envOf(nil), "-h")
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Equal(t, 0, exitCode(err, &exit))
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, name := range []string{"events", "record", "replay", "version"} {
		t.Run(name, func(t *testing.T) {
			_, stderr, err := runARI(t, envOf(nil), name, "-h")
			require.ErrorIs(t, err, flag.ErrHelp)
			assert.Contains(t, stderr, "Usage: ari "+name)
			out, _, err := runARI(t, envOf(nil), "help", name)
			require.ErrorIs(t, err, flag.ErrHelp)
			assert.Contains(t, out, "Usage: ari "+name, "ari help %s prints to stdout", name)
		})
	}
}

func TestExitCodeOfFailure(t *testing.T) {
	_, _, err := runARI(t, envOf(map[string]string{"ARI_URL": "http://127.0.0.1:1"}), "version")
	require.Error(t, err)
	var out strings.Builder
	assert.Equal(t, 1, exitCode(err, &out))
	assert.True(t, strings.HasPrefix(out.String(), "ari: "), out.String())
}

// A call's bad arguments are a usage error (status 2); an SDK error is
// printed with one "ari: " prefix.
func TestExitCodeOfCallArguments(t *testing.T) {
	_, _, err := runARI(t, envOf(map[string]string{"ARI_URL": "http://127.0.0.1:1"}), "call", "channels.hangup", "nosuchkey=1")
	require.Error(t, err)
	var out strings.Builder
	assert.Equal(t, 2, exitCode(err, &out))

	out.Reset()
	_, _, err = runARI(t, envOf(map[string]string{"ARI_URL": "http://127.0.0.1:1"}), "call", "asterisk.ping")
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err, &out))
	assert.NotContains(t, out.String(), "ari: ari:")
}
