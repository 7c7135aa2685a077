package resources_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/resources"
)

// hostileIDs are ids that would change the request path if sent as they are.
var hostileIDs = []string{
	"../asterisk/info", "a/b", "a?b=c", "a#b", "..", ".", "%2e%2e", "a b", "a+b", "ü",
	"/", "?", "#", "%", "a%2Fb", "./x", "x/..", "a;b", "a\\b", "a\x00b", "a\nb", "\u202e",
}

// escapeCase is a typed method whose path parameters all get the same id.
type escapeCase struct {
	name  string
	op    string // the operation it calls
	call  func(ctx context.Context, c *resources.Client, id string) error
	reply string // JSON reply body; "" for 204
}

var escapeCases = []escapeCase{
	{name: "Channels.Get", op: "channels.get",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			_, err := c.Channels.Get(ctx, id)
			return err
		}, reply: `{"id":"x","name":"n","state":"Up","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"s","priority":1,"app_name":"","app_data":""},"creationtime":"2026-11-25T19:41:00.885+0000","language":"en"}`},
	{name: "Channels.Hangup", op: "channels.hangup",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			return c.Channels.Hangup(ctx, id, &resources.ChannelHangupParams{Reason: resources.HangupReasonBusy})
		}},
	{name: "Channels.PlayWithID", op: "channels.playWithId",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			_, err := c.Channels.PlayWithID(ctx, id, id, &resources.ChannelPlayWithIDParams{Media: []string{"sound:beep"}})
			return err
		}, reply: `{"id":"p","media_uri":"sound:beep","target_uri":"channel:x","language":"en","state":"queued"}`},
	{name: "Bridges.AddChannel", op: "bridges.addChannel",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			return c.Bridges.AddChannel(ctx, id, &resources.BridgeAddChannelParams{Channel: []string{id}})
		}},
	{name: "Recordings.GetStoredFile", op: "recordings.getStoredFile",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			rc, err := c.Recordings.GetStoredFile(ctx, id)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			return err
		}, reply: `RIFF`},
	{name: "Asterisk.GetObject", op: "asterisk.getObject",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			_, err := c.Asterisk.GetObject(ctx, id, id, id)
			return err
		}, reply: `[]`},
	{name: "Endpoints.Get", op: "endpoints.get",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			_, err := c.Endpoints.Get(ctx, id, id)
			return err
		}, reply: `{"technology":"PJSIP","resource":"alice","state":"online","channel_ids":[]}`},
	{name: "Mailboxes.Update", op: "mailboxes.update",
		call: func(ctx context.Context, c *resources.Client, id string) error {
			return c.Mailboxes.Update(ctx, id, &resources.MailboxUpdateParams{OldMessages: 1, NewMessages: 1})
		}},
}

// hit is one request the escape server received, routed as Asterisk
// routes: split the escaped path on '/', decode each segment, and match
// the operations' templates, literal segments first.
type hit struct {
	op      string // the operation it reached, "" for none
	args    []string
	escaped string
	query   string
}

// escapeServer answers the operation under test with reply, and records
// every request with the operation it reaches.
func escapeServer(t *testing.T, reply string) (*httptest.Server, func() []hit) {
	t.Helper()
	var mu sync.Mutex
	var hits []hit
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		h := hit{escaped: r.URL.EscapedPath(), query: r.URL.RawQuery}
		if p, ok := strings.CutPrefix(h.escaped, "/ari/"); ok {
			if op, args := opForRequest(r.Method, "/"+p); op != nil {
				h.op, h.args = opKey(op), args
			}
		}
		mu.Lock()
		hits = append(hits, h)
		mu.Unlock()
		if reply == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, reply)
	})
	return srv, func() []hit {
		mu.Lock()
		defer mu.Unlock()
		out := hits
		hits = nil
		return out
	}
}

// TestPathEscaping passes hostile ids to typed methods and checks that the
// server sees one path segment per parameter holding exactly the id, and
// that no other operation is reached.
func TestPathEscaping(t *testing.T) {
	byKey := operationsByKey(t)
	for _, ec := range escapeCases {
		t.Run(ec.name, func(t *testing.T) {
			op := byKey[ec.op]
			require.NotNil(t, op, ec.op)
			srv, hits := escapeServer(t, ec.reply)
			c := newClient(t, srv.URL, "22.10.1")
			tmpl := append([]string{"ari"}, strings.Split(strings.TrimPrefix(op.Path, "/"), "/")...)
			for _, id := range hostileIDs {
				err := ec.call(context.Background(), c, id)
				require.NoError(t, err, "id %q", id)
				hs := hits()
				require.Len(t, hs, 1, "id %q: requests", id)
				h := hs[0]
				require.Equal(t, ec.op, h.op, "id %q reached %q at %s", id, h.op, h.escaped)
				for i, a := range h.args {
					assert.Equal(t, id, a, "id %q: path argument %d (path %s)", id, i, h.escaped)
				}
				// One segment per template segment; each parameter segment
				// unescapes to the id and is neither "." nor "..", which a
				// proxy or server would collapse.
				segs := strings.Split(strings.TrimPrefix(h.escaped, "/"), "/")
				require.Len(t, segs, len(tmpl), "id %q: segments of %s", id, h.escaped)
				decoded := pathSegments(t, h.escaped)
				for i, seg := range tmpl {
					if strings.HasPrefix(seg, "{") {
						assert.Equal(t, id, decoded[i], "id %q: segment %d of %s", id, i, h.escaped)
						assert.NotEqual(t, ".", segs[i])
						assert.NotEqual(t, "..", segs[i])
					} else {
						assert.Equal(t, seg, segs[i])
					}
				}
				if ec.op == "bridges.addChannel" {
					assert.Equal(t, q("channel", id), parseQuery(t, h.query), "id %q as a query value", id)
				}
			}
		})
	}
}

// TestEmptyPathParameter checks that an empty id, which would call another
// operation (GET /channels/ instead of GET /channels/{channelId}), is
// refused before sending.
func TestEmptyPathParameter(t *testing.T) {
	rec := newRecorder(t)
	c := newClient(t, rec.srv.URL, "22.10.1")
	ctx := context.Background()
	_, err := c.Channels.Get(ctx, "")
	assert.Error(t, err)
	assert.Error(t, c.Channels.Hangup(ctx, "", nil))
	_, err = c.Endpoints.Get(ctx, "PJSIP", "")
	assert.Error(t, err)
	_, err = c.Asterisk.GetObject(ctx, "res_mwi_external", "", "mb1")
	assert.Error(t, err)
	_, err = c.Recordings.GetStoredFile(ctx, "")
	assert.Error(t, err)
	assert.Empty(t, rec.take(), "nothing is sent")
}
