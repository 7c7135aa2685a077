package aritest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// TestAppArgsAsAsteriskReadsThem originates with arguments that hold
// commas, quotes and backslashes: the SDK escapes them and the simulator
// reads them back as Asterisk's argument parser does, so StasisStart
// carries exactly the arguments given.
func TestAppArgsAsAsteriskReadsThem(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	_ = dialEvents(t, srv, "app=testapp")
	require.NoError(t, srv.WaitApp(ctx(t), "testapp"))
	c := ctx(t)
	args := []string{"a,b", `say "hi"`, `back\slash`, "(x,y)", "plain"}
	_, err := srv.Resources().Channels.Originate(c, &resources.ChannelOriginateParams{
		Endpoint: "Local/100@default", App: "testapp", ChannelID: "args-1", AppArgs: args,
	})
	require.NoError(t, err)
	ev, err := srv.WaitEvent(c, func(e eventsEvent) bool {
		return e.EventType() == "StasisStart" && events.ChannelIDs(e)[0] == "args-1"
	})
	require.NoError(t, err)
	assert.Equal(t, args, ev.(*events.StasisStart).Args)
}
