package ari

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathEscape(t *testing.T) {
	tests := map[string]string{
		"abc-DEF_123~":                 "abc-DEF_123~",
		"1795635659.42":                "1795635659%2E42",
		"../asterisk/info":             "%2E%2E%2Fasterisk%2Finfo",
		"a/b":                          "a%2Fb",
		"a?b=c":                        "a%3Fb%3Dc",
		"a#b":                          "a%23b",
		"..":                           "%2E%2E",
		".":                            "%2E",
		"%2e%2e":                       "%252e%252e",
		"a b+c":                        "a%20b%2Bc",
		"Local/100@default-00000001;2": "Local%2F100%40default-00000001%3B2",
		"Stasis:foo":                   "Stasis%3Afoo",
		"é":                            "%C3%A9",
		"":                             "",
	}
	for in, want := range tests {
		got := PathEscape(in)
		assert.Equal(t, want, got, in)
		dec, err := url.PathUnescape(got)
		require.NoError(t, err)
		assert.Equal(t, in, dec)
	}
}

// TestHostileIDs sends ids that would change the path if sent raw and
// checks they arrive as one segment, byte for byte as escaped, and decode
// back to the id.
func TestHostileIDs(t *testing.T) {
	ids := []string{
		"../asterisk/info", "a/b", "a?b=c", "a#b", "..", ".", "%2e%2e", "%2F", "a b", "a+b",
		"ünïcödé-☎", "x;2", "a\\b", "\x00\x7f", "with%", "?", "#", "//", "a/../../b",
	}
	type seen struct{ requestURI, path, rawPath string }
	got := make(chan seen, 1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.RequestURI, r.URL.Path, r.URL.EscapedPath()}
		w.WriteHeader(http.StatusNoContent)
	})
	c := newTestClient(t, srv, Config{})
	op := testOp("POST", "channels", "play", "/channels/{channelId}/play")
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			esc := PathEscape(id)
			var q Query
			q.Add("media", "sound:"+id)
			err := c.Do(context.Background(), &Request{Op: op, Path: "/channels/" + esc + "/play", Query: q.Encode()}, nil)
			require.NoError(t, err)
			s := <-got
			want := "/ari/channels/" + esc + "/play"
			assert.Equal(t, want+"?"+q.Encode(), s.requestURI)
			assert.Equal(t, want, s.rawPath)
			segs := strings.Split(strings.TrimPrefix(s.rawPath, "/"), "/")
			require.Len(t, segs, 4)
			dec, err := url.PathUnescape(segs[2])
			require.NoError(t, err)
			assert.Equal(t, id, dec)
			vals, err := url.ParseQuery(strings.SplitN(s.requestURI, "?", 2)[1])
			require.NoError(t, err)
			assert.Equal(t, []string{"sound:" + id}, vals["media"])
		})
	}
}
