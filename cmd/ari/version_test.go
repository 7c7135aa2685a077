package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

func TestVersionHasAll(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	out, _, err := runARI(t, aritestEnv(srv), "version")
	require.NoError(t, err)
	assert.Equal(t, "Asterisk 22.10.1\nhas all 109 operations of this build\n", out)
}

func TestVersionLacks(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Version: "16.30.1"})
	out, _, err := runARI(t, aritestEnv(srv), "version", "-json")
	require.NoError(t, err)
	var rep versionReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "16.30.1", rep.Version)
	assert.Equal(t, len(resources.Operations()), rep.Operations)

	// What the report says is what the generated table says.
	v := ari.MustParseVersion("16.30.1")
	var want []string
	for _, op := range resources.Operations() {
		if !op.Availability.In(v) {
			want = append(want, op.Resource+"."+op.Nickname)
		}
	}
	var got []string
	for _, l := range rep.Lacks {
		got = append(got, l.Operation)
	}
	require.NotEmpty(t, want, "16 lacks newer operations")
	assert.Equal(t, want, got)
	assert.Contains(t, got, "events.claimChannel", "StasisBroadcast claims are newer")

	text, _, err := runARI(t, aritestEnv(srv), "version")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(text, "Asterisk 16.30.1\nlacks "), text)
	assert.Contains(t, text, "events.claimChannel")
}

func TestVersionDevelopmentBuild(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Version: "GIT-master-abc123"})
	out, _, err := runARI(t, aritestEnv(srv), "version")
	require.NoError(t, err)
	assert.Contains(t, out, "development build")
}

func TestVersionFlagsOverEnv(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{})
	env := envOf(map[string]string{"ARI_URL": "http://127.0.0.1:1", "ARI_USERNAME": "nobody", "ARI_PASSWORD": "nothing"})
	// Before the command's name, or after it.
	out, _, err := runARI(t, env, "-url", srv.URL, "-user", "viewer", "-password", "viewer", "version")
	require.NoError(t, err)
	assert.Contains(t, out, "Asterisk 22.10.1")
	out, _, err = runARI(t, env, "version", "-url", srv.URL, "-user", "viewer", "-password", "viewer")
	require.NoError(t, err)
	assert.Contains(t, out, "Asterisk 22.10.1")

	_, _, err = runARI(t, env, "version")
	require.Error(t, err, "the environment's settings, when no flag is given")
	assert.NotContains(t, err.Error(), "nothing")
}
