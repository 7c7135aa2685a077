package configurator_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
)

// TestREADMEApp runs the README's app (Example_stasisApp's runPBX)
// against the simulated Asterisk: Alice's phone is provisioned through
// OnConnect, a call to 100 goes through the router to the greeter, and
// after an Asterisk restart the phone is provisioned again.
func TestREADMEApp(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{
		Timing: aritest.FastTiming(),
		Dialplan: aritest.Dialplan{"from-phones": aritest.Extensions{
			"_X.": aritest.Exten("Stasis(router,${EXTEN})"),
		}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	done := make(chan error, 1)
	go func() { done <- runPBX(ctx, srv.Client(), "s3cret") }()
	t.Cleanup(func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})

	provisioned := func() {
		t.Helper()
		for !slices.Contains(srv.DynamicConfig().IDs("res_pjsip", "identify"), "alice") {
			require.NoError(t, ctx.Err())
			time.Sleep(time.Millisecond)
		}
		ep, err := srv.Resources().Asterisk.GetObject(ctx, "res_pjsip", "endpoint", "alice")
		require.NoError(t, err)
		assert.Contains(t, ep, ari.ConfigTuple{Attribute: "allow", Value: "(opus|ulaw)"})
		assert.Contains(t, ep, ari.ConfigTuple{Attribute: "rewrite_contact", Value: "true"})
	}
	require.NoError(t, srv.WaitApp(ctx, "router", "greeter"))
	provisioned()

	phone, err := srv.PlaceCall(aritest.PlaceCallParams{Context: "from-phones", Extension: "100", Caller: ari.CallerID{Name: "Alice", Number: "1001"}})
	require.NoError(t, err)
	require.NoError(t, phone.WaitEnd(ctx))
	assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())

	srv.Restart()
	require.NoError(t, srv.WaitApp(ctx, "router", "greeter"))
	provisioned()
}
