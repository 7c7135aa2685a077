package resources_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// statusSentinels maps each status with a sentinel to it.
var statusSentinels = map[int]error{
	400: ari.ErrBadRequest, 401: ari.ErrUnauthorized, 403: ari.ErrForbidden, 404: ari.ErrNotFound,
	409: ari.ErrConflict, 412: ari.ErrInvalidState, 422: ari.ErrUnprocessable,
	501: ari.ErrNotImplemented, 503: ari.ErrUnavailable,
}

// TestFixtureErrorReplies serves every error reply of responses.jsonl
// back through the typed method of the operation it answered.
func TestFixtureErrorReplies(t *testing.T) {
	fixtures := loadFixtures(t)
	s := loadSchema(t, "22.10.1")
	statuses := map[int]int{}
	for _, fx := range fixtures {
		if fx.Status < 400 {
			continue
		}
		statuses[fx.Status]++
		t.Run(fx.Request, func(t *testing.T) {
			op, args := opForRequest(fx.method, fx.path)
			require.NotNil(t, op, "no operation for %s %s", fx.method, fx.path)
			so := s.Ops[opKey(op)]

			rec := newRecorder(t)
			rec.setReply(reply{status: fx.Status, body: []byte(fx.Body)})
			c := newClient(t, rec.srv.URL, "22.10.1")

			got, err := invoke(t, context.Background(), c, op, args)
			require.Error(t, err)
			if got != nil {
				assert.True(t, reflect.ValueOf(got).IsNil(), "a failed call returns no result, got %#v", got)
			}

			want := statusSentinels[fx.Status]
			require.NotNil(t, want, "no sentinel for %d", fx.Status)
			assert.ErrorIs(t, err, want)
			for st, other := range statusSentinels {
				if st != fx.Status {
					assert.NotErrorIs(t, err, other)
				}
			}
			assert.NotErrorIs(t, err, ari.ErrUnsupported)

			var e *ari.Error
			require.ErrorAs(t, err, &e)
			var body struct {
				Message string `json:"message"`
			}
			require.NoError(t, json.Unmarshal([]byte(fx.Body), &body))
			assert.Equal(t, body.Message, e.Message, "Asterisk's message, verbatim")
			assert.Equal(t, fx.Status, e.Status)
			assert.Equal(t, fx.Status, ari.StatusCode(err))
			assert.Equal(t, statedReason(opKey(op), fx.Status, so), e.Reason, "the description's reason for %d, or its correction", fx.Status)
			assert.Equal(t, op.Method, e.Method)
			assert.Equal(t, op.String(), e.Op)
			reqs := rec.take()
			require.Len(t, reqs, 1)
			assert.Equal(t, "/ari"+e.Path, reqs[0].EscapedPath, "Error.Path is the path sent")
			assert.Equal(t, args, pathSegmentsArgs(t, op.Path, e.Path), "path arguments")
			assert.Contains(t, e.Error(), body.Message)
			assert.Contains(t, e.Error(), fmt.Sprintf("%s %s: %d ", op.Method, e.Path, fx.Status))
			assertNoSecrets(t, err.Error())
		})
	}
	t.Logf("error replies by status: %v", statuses)
	assert.GreaterOrEqual(t, len(statuses), 5, "distinct error statuses in the capture")
}

// pathSegmentsArgs returns the path arguments of an escaped path.
func pathSegmentsArgs(t *testing.T, tmpl, escaped string) []string {
	t.Helper()
	var args []string
	segs := pathSegments(t, escaped)
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	require.Len(t, segs, len(ts))
	for i, seg := range ts {
		if strings.HasPrefix(seg, "{") {
			args = append(args, segs[i])
		}
	}
	return args
}

// TestErrorHTMLUnauthorized checks a 401 whose body is Asterisk's HTML page.
func TestErrorHTMLUnauthorized(t *testing.T) {
	const page = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\r\n<html><head>\r\n<title>401 Unauthorized</title>\r\n</head><body>\r\n<h1>Unauthorized</h1>\r\n<p>Authentication Required</p>\r\n<hr />\r\n<address>Asterisk Server</address>\r\n</body></html>\r\n"
	rec := newRecorder(t)
	rec.setReply(reply{status: 401, body: []byte(page), header: map[string]string{
		"Content-Type": "text/html", "WWW-Authenticate": `Basic realm="Asterisk REST Interface"`,
	}})
	c := newClient(t, rec.srv.URL, "22.10.1")

	chans, err := c.Channels.List(context.Background())
	require.Error(t, err)
	assert.Nil(t, chans)
	assert.ErrorIs(t, err, ari.ErrUnauthorized)
	var e *ari.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.Status)
	assert.Equal(t, strings.TrimSpace(page), e.Message, "the HTML text is kept")
	assert.Contains(t, e.Message, "<title>401 Unauthorized</title>")
	assert.Empty(t, e.Reason, "channels.list declares no 401")
	assert.Equal(t, "GET", e.Method)
	assert.Equal(t, "/channels", e.Path)
	assert.Contains(t, e.Error(), "401 Unauthorized: <!DOCTYPE HTML")
	assert.NotContains(t, e.Error(), "\n")
	assertNoSecrets(t, err.Error())
}

// TestErrorConnectionRefused calls a closed port.
func TestErrorConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	for name, cfg := range map[string]ari.Config{
		"credentials in Config":  {URL: "http://" + addr, Version: "22.10.1"},
		"credentials in the URL": {URL: "http://" + testUser + ":" + testPass + "@" + addr + "/ari", Version: "22.10.1"},
	} {
		t.Run(name, func(t *testing.T) { checkConnectionRefused(t, cfg) })
	}
}

func checkConnectionRefused(t *testing.T, cfg ari.Config) {
	t.Helper()
	c := newTypedClient(t, cfg)
	ch, err := c.Channels.Get(context.Background(), chID)
	require.Error(t, err)
	assert.Nil(t, ch)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr, "the dial error is kept: %v", err)
	assert.Equal(t, "dial", opErr.Op)
	var e *ari.Error
	require.ErrorAs(t, err, &e)
	assert.Zero(t, e.Status)
	assert.Zero(t, ari.StatusCode(err))
	assert.Equal(t, "GET", e.Method)
	assert.Equal(t, "/channels/"+chID, e.Path)
	assert.Contains(t, err.Error(), "connection refused")
	assertNoSecrets(t, err.Error())
	assertNoSecrets(t, fmt.Sprintf("%+v", err))
}

// TestErrorDeadline calls a server that never answers.
func TestErrorDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	c := newClient(t, srv.URL, "22.10.1")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Channels.Originate(ctx, nil)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var e *ari.Error
	require.ErrorAs(t, err, &e)
	assert.Zero(t, e.Status)
	assert.Equal(t, "channels.originate", e.Op)
	assertNoSecrets(t, err.Error())

	// A context already canceled: nothing is sent.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	err = c.Channels.Answer(ctx, chID)
	assert.ErrorIs(t, err, context.Canceled)
}

// newTypedClient is newClient with a whole Config.
func newTypedClient(t *testing.T, cfg ari.Config) *resources.Client {
	t.Helper()
	return resources.New(newARIClient(t, cfg))
}

// TestErrorsNeverShowCredentials collects the errors of many failure modes
// and checks none shows the credentials.
func TestErrorsNeverShowCredentials(t *testing.T) {
	var errs []error
	rec := newRecorder(t)
	for _, status := range []int{400, 401, 403, 404, 409, 412, 422, 500, 501, 503} {
		rec.setReply(reply{status: status, body: []byte(`{"message":"nope"}`)})
		c := newTypedClient(t, ari.Config{URL: "http://" + testUser + ":" + testPass + "@" + strings.TrimPrefix(rec.srv.URL, "http://"), Version: "22.10.1"})
		_, err := c.Channels.Get(context.Background(), chID)
		errs = append(errs, err)
		err = c.Channels.Progress(context.Background(), chID)
		errs = append(errs, err)
	}
	old := newTypedClient(t, ari.Config{URL: rec.srv.URL, Version: "16.30.1"})
	errs = append(errs, old.Channels.Progress(context.Background(), chID))
	_, err := ari.NewClient(ari.Config{URL: "ftp://" + testUser + ":" + testPass + "@host"})
	errs = append(errs, err)
	_, err = ari.NewClient(ari.Config{URL: "http://" + testUser + ":" + testPass + "@host:bad port"})
	errs = append(errs, err)
	for _, err := range errs {
		require.Error(t, err)
		assertNoSecrets(t, err.Error())
		assertNoSecrets(t, fmt.Sprintf("%v", err))
	}
	for _, r := range rec.take() {
		assert.Equal(t, basicAuth(testUser, testPass), r.Auth, "the URL's credentials are sent as basic auth")
	}
	assert.NotErrorIs(t, errs[0], errors.ErrUnsupported)
}

// TestDeclaredErrorReasons serves, for every operation, every error status
// its newest description declares, and checks the sentinel and the reason.
func TestDeclaredErrorReasons(t *testing.T) {
	s := loadSchema(t, "23.4.1")
	n := 0
	for _, op := range resources.Operations() {
		if opKey(op) == "events.eventWebsocket" {
			continue
		}
		so, ok := s.Ops[opKey(op)]
		require.True(t, ok, "%s is not in the 23.4.1 description", op)
		var args []string
		for _, p := range op.Params {
			if p.In == "path" {
				args = append(args, "x-"+p.Name)
			}
		}
		for _, status := range sortedStatuses(so.Reasons) {
			n++
			t.Run(fmt.Sprintf("%s/%d", op, status), func(t *testing.T) {
				rec := newRecorder(t)
				rec.setReply(reply{status: status, body: []byte(`{"message":"asterisk says no"}`)})
				c := newClient(t, rec.srv.URL, "23.4.1")
				_, err := invoke(t, context.Background(), c, op, args)
				require.Error(t, err)
				var e *ari.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, statedReason(opKey(op), status, so), e.Reason)
				assert.Equal(t, "asterisk says no", e.Message)
				if want := statusSentinels[status]; assert.NotNil(t, want, "no sentinel for %d", status) {
					assert.ErrorIs(t, err, want)
				}
				assert.Len(t, rec.take(), 1)
			})
		}
	}
	t.Logf("%d declared error statuses checked", n)
}

func sortedStatuses(m map[int]string) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// TestMalformedReply checks that a success reply that does not decode is
// an *ari.Error keeping the status and the decoding error.
func TestMalformedReply(t *testing.T) {
	rec := newRecorder(t)
	c := newClient(t, rec.srv.URL, "22.10.1")
	for _, body := range []string{`{"id": 5}`, `{"id": "c1"`, `[1,2]`, `<html>`} {
		rec.setReply(reply{status: 200, body: []byte(body)})
		ch, err := c.Channels.Get(context.Background(), chID)
		require.Error(t, err, body)
		assert.Nil(t, ch)
		var e *ari.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 200, e.Status)
		var de *ari.DecodeError
		assert.ErrorAs(t, err, &de, "body %s: %v", body, err)
		for _, s := range statusSentinels {
			assert.NotErrorIs(t, err, s)
		}
	}
	rec.setReply(reply{status: 200, body: []byte(`{"id": 5}`)})
	list, err := c.Channels.List(context.Background())
	assert.Error(t, err)
	assert.Nil(t, list)
}
