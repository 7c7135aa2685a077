package media_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// A caller who hangs up just before a helper sends its request makes
// Asterisk answer 404: the helper reports the call's end, which follows.
func TestHangupBeforeTheRequest(t *testing.T) {
	for name, helper := range map[string]func(ctx context.Context, call *stasis.Call) error{
		"Play": func(ctx context.Context, call *stasis.Call) error {
			return media.Play(ctx, call, media.Primary, "sound:menu")
		},
		"Prompt": func(ctx context.Context, call *stasis.Call) error {
			_, err := media.Prompt(ctx, call, media.Primary, menu)
			return err
		},
		"Record": func(ctx context.Context, call *stasis.Call) error {
			_, err := media.Record(ctx, call, media.Primary, media.RecordParams{})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			entered, proceed := make(chan struct{}), make(chan struct{})
			out := make(chan outcome[struct{}], 1)
			srv, rec := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
				close(entered)
				<-proceed // the call's events wait meanwhile
				err := helper(ctx, call)
				out <- outcome[struct{}]{struct{}{}, err}
				return err
			})
			phone := dial(t, srv)
			<-entered
			require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
			require.NoError(t, phone.WaitEnd(t.Context()))
			close(proceed)

			_, err := get(t, out)
			require.ErrorIs(t, err, stasis.ErrCallEnded)
			assert.Equal(t, stasis.EndStasisEnd, rec.waitEnd(t).Reason)
		})
	}
}
