package ari

import (
	"bytes"
	"strings"
	"sync"
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

// TestNewClientHostileURLs checks that no URL error prints any part of
// the user information or the query, whatever the secret holds: an
// unescaped '/', '#', '?' or '@' (which moves where a parser thinks the
// host is), a bad % escape (which Go's parser quotes), control
// characters. Every 3-byte piece of each secret is looked for in the
// error and in the log.
func TestNewClientHostileURLs(t *testing.T) {
	tests := []struct {
		name, url string
		secrets   []string
	}{
		{"slash in password", "http://asterisk:Kd7/Zq9x@pbx.example.com:8088/ari", []string{"Kd7/Zq9x"}},
		{"slash then port-like", "http://asterisk:8088/Xw3vQ@pbx.example.com/ari", []string{"8088/Xw3vQ"}},
		{"hash in password", "http://asterisk:Rt5#Mn2b@pbx.example.com:8088", []string{"Rt5#Mn2b"}},
		{"question mark in password", "http://asterisk:Yh8?Lp4c@pbx.example.com:8088", []string{"Yh8?Lp4c"}},
		{"bad escape in password", "http://asterisk:Gf6%zzWe1@pbx.example.com:8088", []string{"Gf6%zzWe1"}},
		{"lone percent in password", "http://asterisk:Hj2%Vb@pbx.example.com:8088", []string{"Hj2%Vb"}},
		{"at in password", "http://asterisk:Uo3@Ia@pbx.example.com:bad", []string{"Uo3@Ia"}},
		{"space in password", "http://asterisk:Pq1 Ws@pbx.example.com:8088", []string{"Pq1 Ws"}},
		{"control character", "http://asterisk:Nm4\x01Bv@pbx.example.com:8088", []string{"Nm4\x01Bv"}},
		{"secret user name", "http://Ek9Sx4Vt:Tz7Pq9W@pbx.example.com:notaport", []string{"Ek9Sx4Vt", "Tz7Pq9W"}},
		{"no host marker", "Ek9Sx4Vt:Tz7Pq9W@pbx.example.com", []string{"Ek9Sx4Vt", "Tz7Pq9W"}},
		{"user:pass without @", "http://Ek9Sx4Vt:Tz7Pq9W", []string{"Ek9Sx4Vt", "Tz7Pq9W"}},
		{"websocket scheme", "ws://Ek9Sx4Vt:Tz7Pq9W@pbx.example.com", []string{"Ek9Sx4Vt", "Tz7Pq9W"}},
		{"other query", "http://pbx.example.com:8088/ari?token=Ab1Cd2Ef3", []string{"Ab1Cd2Ef3"}},
		{"api_key and other", "http://pbx.example.com:8088/ari?api_key=asterisk:Qw8Er7&x=1", []string{"Qw8Er7"}},
		{"api_key twice", "http://pbx.example.com:8088/ari?api_key=asterisk:Qw8Er7&api_key=a:Zx5Cv4", []string{"Qw8Er7", "Zx5Cv4"}},
		{"api_key bad escape", "http://pbx.example.com:8088/ari?api_key=asterisk:Qw8%zzEr7", []string{"Qw8%zzEr7"}},
		{"fragment", "http://Ek9Sx4Vt:Tz7Pq9W@pbx.example.com:8088/ari#Lk2Fx8g", []string{"Ek9Sx4Vt", "Tz7Pq9W", "Lk2Fx8g"}},
		{"no host", "http://Ek9Sx4Vt:Tz7Pq9W@/ari?api_key=a:Qw8Er7", []string{"Ek9Sx4Vt", "Tz7Pq9W", "Qw8Er7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			var mu sync.Mutex
			_, err := NewClient(Config{URL: tt.url, Logger: slogTo(&logs, &mu)})
			require.Error(t, err)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "ari: Config.URL"), msg)
			mu.Lock()
			out := msg + "\n" + logs.String()
			mu.Unlock()
			for _, secret := range tt.secrets {
				for i := 0; i+3 <= len(secret); i++ {
					assert.NotContains(t, out, secret[i:i+3], "a piece of %q shows in %q", secret, msg)
				}
			}
		})
	}
}

// TestNewClientURLKey checks that an api_key in the URL's query fills
// Config.APIKey, and that Config.APIKey wins.
func TestNewClientURLKey(t *testing.T) {
	c, err := NewClient(Config{URL: "http://h:8088/ari?api_key=asterisk:s%2Fecret"})
	require.NoError(t, err)
	assert.Equal(t, "api_key=asterisk%3As%2Fecret", c.keyParam)
	assert.Equal(t, "http://h:8088/ari", c.restBase)
	assert.Nil(t, c.auth)

	c, err = NewClient(Config{URL: "http://h:8088/ari?api_key=a:b", APIKey: "c:d"})
	require.NoError(t, err)
	assert.Equal(t, "api_key=c%3Ad", c.keyParam)
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
