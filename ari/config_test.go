package ari

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientURL(t *testing.T) {
	tests := []struct {
		in       string
		rest, ws string
	}{
		{"http://127.0.0.1:8088", "http://127.0.0.1:8088/ari", "ws://127.0.0.1:8088"},
		{"http://127.0.0.1:8088/", "http://127.0.0.1:8088/ari", "ws://127.0.0.1:8088"},
		{"http://127.0.0.1:8088/ari", "http://127.0.0.1:8088/ari", "ws://127.0.0.1:8088"},
		{"http://127.0.0.1:8088/ari/", "http://127.0.0.1:8088/ari", "ws://127.0.0.1:8088"},
		{"https://pbx.example.com", "https://pbx.example.com/ari", "wss://pbx.example.com"},
		{"HTTPS://pbx.example.com:8089/ari", "https://pbx.example.com:8089/ari", "wss://pbx.example.com:8089"},
		{"http://[::1]:8088", "http://[::1]:8088/ari", "ws://[::1]:8088"},
		{"https://proxy.example.com/pbx1/ari/", "https://proxy.example.com/pbx1/ari", "wss://proxy.example.com/pbx1"},
		{"http://u:p@h:8088/ari", "http://h:8088/ari", "ws://h:8088"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := NewClient(Config{URL: tt.in})
			require.NoError(t, err)
			assert.Equal(t, tt.rest, c.restBase)
			assert.Equal(t, tt.ws+"/ari/events?app=a", c.EventsURL([]string{"a"}, false))
		})
	}
}

func TestNewClientBadURL(t *testing.T) {
	const pass = "hunter2-very-secret"
	tests := []string{
		"",
		"127.0.0.1:8088",
		"ftp://host",
		"http://",
		"http://host/ari?x=1",
		"http://user:" + pass + "@host:port/ari",
		"http://user:" + pass + "@ho st/ari",
		"http://user:" + pass + "@host:8088/%zz",
		"user:" + pass + "@host",
		"ws://user:" + pass + "@host",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			_, err := NewClient(Config{URL: in, Username: "user", Password: pass})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), pass)
			assert.True(t, strings.HasPrefix(err.Error(), "ari: "), err.Error())
		})
	}
}

func TestNewClientUserinfo(t *testing.T) {
	c, err := NewClient(Config{URL: "http://alice:pw%40x@h:8088"})
	require.NoError(t, err)
	assert.Equal(t, []string{"Basic YWxpY2U6cHdAeA=="}, c.auth) // alice:pw@x
	assert.NotContains(t, c.restBase, "alice")

	// Explicit credentials win.
	c, err = NewClient(Config{URL: "http://alice:pw@h:8088", Username: "bob", Password: "bpw"})
	require.NoError(t, err)
	assert.Equal(t, []string{"Basic Ym9iOmJwdw=="}, c.auth)

	// No credentials: no header.
	c, err = NewClient(Config{URL: "http://h:8088"})
	require.NoError(t, err)
	assert.Nil(t, c.auth)
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"http://u:p@h/x@y":  "http://xxxxx@h/x@y",
		"http://h/x@y":      "http://h/x@y",
		"u:p@h":             "xxxxx@h",
		"http://a@b:c@h:1/": "http://xxxxx@h:1/",
		"http://h":          "http://h",
	}
	for in, want := range tests {
		assert.Equal(t, want, redactURL(in), in)
	}
}

func TestDefaults(t *testing.T) {
	c, err := NewClient(Config{URL: "http://h:8088"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(c.ua[0], "gostasis/"), c.ua[0])
	assert.NotNil(t, c.Logger())
	require.NotNil(t, c.hc)
	assert.Zero(t, c.hc.Timeout, "no global timeout: calls take a context")
	c2, err := NewClient(Config{URL: "http://h:8088"})
	require.NoError(t, err)
	assert.NotSame(t, c.hc.Transport, c2.hc.Transport, "each client has its own transport")
}
