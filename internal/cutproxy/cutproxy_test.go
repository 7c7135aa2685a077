package cutproxy_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/internal/cutproxy"
)

// echo serves a line echo on a loopback port.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(l)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestForwardsUntilCut forwards both ways, then Cut closes the open
// connection and refuses new ones.
func TestForwardsUntilCut(t *testing.T) {
	p, err := cutproxy.New(echo(t))
	require.NoError(t, err)
	assert.Equal(t, "http://"+p.Addr(), p.URL())
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("hello\n"))
	require.NoError(t, err)
	r := bufio.NewReader(c)
	l, err := r.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "hello\n", l)

	p.Cut()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = r.ReadString('\n')
	assert.Error(t, err, "the open connection is closed")
	_, err = net.Dial("tcp", p.Addr())
	assert.Error(t, err, "new connections refused")
	p.Cut() // again: no effect
}

// TestTargetDown closes a connection whose target refuses.
func TestTargetDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	p, err := cutproxy.New(addr)
	require.NoError(t, err)
	defer p.Cut()
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = c.Read(make([]byte, 1))
	assert.Error(t, err)
}
