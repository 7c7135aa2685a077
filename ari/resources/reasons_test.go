package resources_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// correctedReasons are the error reasons the client states where
// Asterisk's description contradicts Asterisk's code
// (gen/internal/ir/quirks.go, errorFixes): "" for a declared status
// Asterisk never answers.
var correctedReasons = map[string]map[int]string{
	"channels.rtpstatistics": {
		403: "Unsupported channel type: the channel's technology has no RTP (a Local channel)",
		404: "Channel not found, or it has no RTP session or statistics",
	},
	"applications.unsubscribe": {
		409: "",
		422: "Application not subscribed to event source (whether or not it exists)",
	},
	"channels.originate":       {409: idConflict},
	"channels.originateWithId": {409: idConflict},
	"channels.create":          {409: idConflict},
	"channels.externalMedia":   {409: idConflict},
}

const idConflict = "Channel with given unique ID already exists, or one whose id begins with it (ignoring case); after such a conflict, also the answer on that HTTP connection for an unknown technology"

// statedReason is the Reason an *ari.Error of op states for status: the
// description's, or its correction.
func statedReason(op string, status int, so schemaOp) string {
	if r, ok := correctedReasons[op][status]; ok {
		return r
	}
	return so.Reasons[status]
}

// TestCorrectedReasons checks the reasons of the answers Asterisk gives
// that its description does not list, or lists with another meaning: the
// Reason of the error never says what the status does not mean there
// (unsubscribing a source that is not subscribed answers 422, which the
// description calls "Event source does not exist"; it declares a 409 that
// Asterisk never sends).
func TestCorrectedReasons(t *testing.T) {
	byKey := operationsByKey(t)
	for key, fixes := range correctedReasons {
		op := byKey[key]
		require.NotNil(t, op, key)
		for status, want := range fixes {
			assert.Equal(t, want, op.Reason(status), "%s %d", key, status)
		}
	}

	for _, c := range []struct {
		name    string
		status  int
		message string
		call    func(ctx context.Context, c *resources.Client) error
		want    string
		is      error
	}{
		{"rtpstatistics on a Local channel", 403, "Unsupported channel type", func(ctx context.Context, c *resources.Client) error {
			_, err := c.Channels.RTPStatistics(ctx, chID)
			return err
		}, correctedReasons["channels.rtpstatistics"][403], ari.ErrForbidden},
		{"unsubscribing a source not subscribed", 422, "Event source was not subscribed to", func(ctx context.Context, c *resources.Client) error {
			_, err := c.Applications.Unsubscribe(ctx, "testapp", &resources.ApplicationUnsubscribeParams{EventSource: []string{"channel:" + chID}})
			return err
		}, correctedReasons["applications.unsubscribe"][422], ari.ErrUnprocessable},
		{"an undeclared 409 of unsubscribe", 409, "Conflict", func(ctx context.Context, c *resources.Client) error {
			_, err := c.Applications.Unsubscribe(ctx, "testapp", &resources.ApplicationUnsubscribeParams{EventSource: []string{"channel:" + chID}})
			return err
		}, "", ari.ErrConflict},
		{"originating to an unknown technology", 409, "Channel with given unique ID already exists", func(ctx context.Context, c *resources.Client) error {
			_, err := c.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Nope/x", App: "testapp"})
			return err
		}, idConflict, ari.ErrConflict},
		{"deleteLog after rotateLog", 404, "Log channel does not exist", func(ctx context.Context, c *resources.Client) error {
			return c.Asterisk.DeleteLog(ctx, logCh)
		}, "Log channel does not exist.", ari.ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder(t)
			rec.setReply(reply{status: c.status, body: []byte(`{"message":"` + c.message + `"}`)})
			err := c.call(context.Background(), newClient(t, rec.srv.URL, "22.10.1"))
			require.Error(t, err)
			assert.ErrorIs(t, err, c.is)
			var e *ari.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.message, e.Message, "Asterisk's message, verbatim")
			assert.Equal(t, c.want, e.Reason)
		})
	}
}
