package stasistest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/stasistest"
)

// The greeter answers and plays hello-world over the websocket the
// simulated Asterisk opened, persistent or per call.
func TestStartOutbound(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode stasistest.OutboundMode
	}{{"persistent", stasistest.Persistent}, {"per-call", stasistest.PerCall}} {
		t.Run(tc.name, func(t *testing.T) {
			appIDs := make(chan string, 1)
			app := stasis.App{Name: "greeter", New: func(ctx context.Context, call *stasis.Call) (any, error) {
				appIDs <- call.AppID
				return newGreeter(ctx, call)
			}}
			srv, rt := stasistest.StartOutbound(t, aritest.Config{Timing: aritest.FastTiming()}, tc.mode,
				stasistest.Options{Config: stasis.Config{Apps: []stasis.App{app}}})
			phone, err := srv.PlaceCall(aritest.PlaceCallParams{App: "greeter"})
			require.NoError(t, err)
			require.NoError(t, phone.WaitEnd(t.Context()))
			assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())
			id := <-appIDs
			if tc.mode == stasistest.PerCall {
				assert.True(t, strings.HasPrefix(id, "greeter:"), id)
			} else {
				assert.Equal(t, "greeter", id)
			}
			assert.Positive(t, rt.OutboundStats().Accepted)
		})
	}
}
