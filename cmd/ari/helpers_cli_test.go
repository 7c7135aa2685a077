package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
)

// lockedBuffer is a bytes.Buffer safe for a command writing in one
// goroutine while the test reads in another.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// lines are the non-empty lines written so far.
func (b *lockedBuffer) lines() []string {
	var out []string
	for l := range strings.SplitSeq(b.String(), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// envOf returns an env function reading m.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// aritestEnv is the environment that points the commands at srv.
func aritestEnv(srv *aritest.Server) func(string) string {
	return envOf(map[string]string{"ARI_URL": srv.URL, "ARI_USERNAME": "asterisk", "ARI_PASSWORD": "asterisk"})
}

// runARI runs the command line args to its end.
func runARI(t *testing.T, env func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err = run(ctx, args, env, &out, &errOut)
	return out.String(), errOut.String(), err
}

// bgCommand is a command running until stopped.
type bgCommand struct {
	stdout, stderr lockedBuffer
	cancel         context.CancelFunc
	done           chan error
}

// startARI starts the command line args in a goroutine; stop ends it.
func startARI(t *testing.T, env func(string) string, args ...string) *bgCommand {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	c := &bgCommand{cancel: cancel, done: make(chan error, 1)}
	go func() { c.done <- run(ctx, args, env, &c.stdout, &c.stderr) }()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

// stop interrupts the command and returns its error.
func (c *bgCommand) stop(t *testing.T) error {
	t.Helper()
	c.cancel()
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop")
		return nil
	}
}

// wait waits for the command to end by itself.
func (c *bgCommand) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-c.done:
		c.done <- err
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not end")
		return nil
	}
}

// waitLines waits until the command has written n lines on stdout.
func (c *bgCommand) waitLines(t *testing.T, n int) []string {
	t.Helper()
	require.Eventually(t, func() bool { return len(c.stdout.lines()) >= n }, 10*time.Second, 5*time.Millisecond,
		"want %d lines, have:\n%s\nstderr:\n%s", n, c.stdout.String(), c.stderr.String())
	return c.stdout.lines()
}

// placeCalls places n calls into app, each answered, sending "1", then
// hung up, and waits for their ends.
func placeCalls(t *testing.T, srv *aritest.Server, app string, n int) []*aritest.Phone {
	t.Helper()
	ctx := t.Context()
	var phones []*aritest.Phone
	for range n {
		p, err := srv.PlaceCall(aritest.PlaceCallParams{App: app, Answer: true})
		require.NoError(t, err)
		_, err = p.WaitEvent(ctx, "StasisStart")
		require.NoError(t, err)
		require.NoError(t, p.SendDTMF("1"))
		_, err = p.WaitEvent(ctx, "ChannelDtmfReceived")
		require.NoError(t, err)
		require.NoError(t, p.Hangup(""))
		require.NoError(t, p.WaitEnd(ctx))
		phones = append(phones, p)
	}
	return phones
}

// sentTo are the frames srv sent to app, compacted, in order.
func sentTo(srv *aritest.Server, app string) []string {
	var out []string
	for _, e := range srv.Events() {
		if e.App == app {
			out = append(out, compactFrame(e.Raw))
		}
	}
	return out
}

func compactFrame(b []byte) string {
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		return string(b)
	}
	return c.String()
}
