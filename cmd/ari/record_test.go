package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/aritest/session"
)

const recPassword = "Pw-Zq9-secret"

// recordCalls records app on srv while n calls are placed, and returns
// the file and what srv sent the app.
func recordCalls(t *testing.T, srv *aritest.Server, app string, n int, extra ...string) (string, []string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "session.jsonl")
	// The credentials in the URL's user information and api_key.
	u := strings.Replace(srv.URL, "http://", "http://rec:"+recPassword+"@", 1) + "?api_key=rec:" + recPassword
	args := append([]string{"record", "-o", file, "-app", app, "-url", u}, extra...)
	cmd := startARI(t, envOf(nil), args...)
	require.NoError(t, srv.WaitApp(t.Context(), app))
	placeCalls(t, srv, app, n)
	want := sentTo(srv, app)
	require.Eventually(t, func() bool {
		s, err := session.Load(file)
		return err == nil && len(s.Events) == len(want)
	}, 10e9, 5e6)
	require.NoError(t, cmd.stop(t))
	assert.Contains(t, cmd.stderr.String(), "recorded ")
	return file, want
}

func recUsers() []aritest.User { return []aritest.User{{Name: "rec", Password: recPassword}} }

func TestRecordWritesSession(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: recUsers()})
	file, want := recordCalls(t, srv, "rec", 2)

	sess, err := session.Load(file)
	require.NoError(t, err)
	assert.Equal(t, "22.10.1", sess.Header.Version)
	assert.Equal(t, []string{"rec"}, sess.Header.Apps)
	assert.Equal(t, srv.URL, sess.Header.Server)
	assert.False(t, sess.Header.Recorded.IsZero())
	var got []string
	for i, e := range sess.Events {
		got = append(got, string(e.Data))
		assert.EqualValues(t, 1, e.Conn)
		assert.False(t, e.Time.IsZero())
		if i > 0 {
			assert.False(t, e.Time.Before(sess.Events[i-1].Time), "arrival times in order")
		}
	}
	assert.Equal(t, want, got)

	// The recorder's own REST exchanges: the version check, the channels.
	require.Len(t, sess.Exchanges, 2)
	assert.Equal(t, "/ari/asterisk/info", sess.Exchanges[0].Path)
	assert.Equal(t, "only=system", sess.Exchanges[0].Query, "api_key dropped")
	assert.Equal(t, 200, sess.Exchanges[0].Status)
	assert.Contains(t, string(sess.Exchanges[0].Body), `"version":"22.10.1"`)
	assert.Equal(t, "/ari/channels", sess.Exchanges[1].Path)
}

func TestRecordNeverWritesCredentials(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming(), Users: recUsers()})
	file, _ := recordCalls(t, srv, "rec", 1)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.NotContains(t, string(data), recPassword)
	assert.NotContains(t, string(data), "api_key")
	assert.NotContains(t, string(data), "rec:")
	assert.NotContains(t, string(data), "Authorization")
}

func TestRecordUsage(t *testing.T) {
	for _, args := range [][]string{
		{"record", "-app", "a"},
		{"record", "-o", "x.jsonl"},
		{"record", "-o", "x.jsonl", "-app", "a", "-duration", "-1s"},
		{"record", "-o", "x.jsonl", "-listen", "127.0.0.1:0", "-all"},
		{"record", "-o", "x.jsonl", "-listen", "127.0.0.1:0", "-max-websockets", "0"},
		{"record", "-o", "x.jsonl", "-listen", "127.0.0.1:0", "-max-request-body", "0"},
	} {
		_, _, err := runARI(t, envOf(nil), args...)
		var ue *usageError
		require.ErrorAs(t, err, &ue, args)
	}
	_, stderr, err := runARI(t, envOf(nil), "record", "-h")
	require.Error(t, err)
	assert.Contains(t, stderr, "No credentials are written")
	assert.Contains(t, stderr, "-listen")
	assert.Contains(t, stderr, "RESTResponse")
}

func TestRecordDuration(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	_, stderr, err := runARI(t, aritestEnv(srv), "record", "-o", filepath.Join(t.TempDir(), "s.jsonl"), "-app", "a", "-duration", "100ms")
	require.NoError(t, err)
	assert.Contains(t, stderr, "recorded 0 events")
}

// A REST answer too large to record is passed on whole and recorded
// without its body.
func TestRecorderBodyLimit(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 100)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(big) }))
	t.Cleanup(hs.Close)
	var file, stderr bytes.Buffer
	sw, err := session.NewWriter(&file, session.Header{})
	require.NoError(t, err)
	r := &recorder{maxBody: 10, stderr: &stderr}
	require.NoError(t, r.start(sw))
	cl := &http.Client{Transport: r}

	resp, err := cl.Get(hs.URL + "/ari/big")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, big, body)
	assert.Contains(t, stderr.String(), "recorded without its body")

	s, err := session.Read(&file)
	require.NoError(t, err)
	require.Len(t, s.Exchanges, 1)
	assert.Empty(t, s.Exchanges[0].Body)
	assert.Equal(t, 200, s.Exchanges[0].Status)
}

func TestRecordToStdout(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	out, _, err := runARI(t, aritestEnv(srv), "record", "-o", "-", "-app", "a", "-duration", "50ms")
	require.NoError(t, err)
	s, err := session.Read(strings.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, s.Header.Apps)
}

func TestRecordServerDown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.jsonl")
	_, _, err := runARI(t, envOf(map[string]string{"ARI_URL": "http://127.0.0.1:1"}), "record", "-o", file, "-app", "a")
	require.Error(t, err)
	_, statErr := os.Stat(file)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "no file without a server")
}
