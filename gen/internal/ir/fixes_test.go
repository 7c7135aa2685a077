package ir_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRerouteBridgesCreate: with variables, bridges.create is sent as
// bridges.createWithId (quirks.go, reroutes), every other parameter under
// its name, and the method's documentation says so.
func TestRerouteBridgesCreate(t *testing.T) {
	api := knownModel(t)
	create := operation(t, api, "bridges", "create")
	require.NotNil(t, create)
	rr := create.Reroute
	require.NotNil(t, rr, "bridges.create is rerouted")
	assert.Equal(t, "createWithId", rr.Via.Nickname)
	assert.Equal(t, "variables", rr.When.Name)
	assert.Equal(t, "bridgeId", rr.ID.Name)
	var args []string
	for _, a := range rr.Args {
		assert.Equal(t, a[0].Name, a[1].Name)
		args = append(args, a[0].Name)
	}
	assert.ElementsMatch(t, []string{"type", "name", "variables"}, args)
	assert.Contains(t, create.Notes, "With Variables set, the call goes to CreateWithID")
	for _, r := range api.Resources {
		for _, o := range r.Ops {
			if o != create {
				assert.Nil(t, o.Reroute, "%s.%s", r.Name, o.Nickname)
			}
		}
	}
}

// TestErrorFixes: the error statuses of quirks.go's errorFixes replace the
// declared ones.
func TestErrorFixes(t *testing.T) {
	api := knownModel(t)
	reasons := func(key string) map[int]string {
		res, nick, _ := strings.Cut(key, ".")
		op := operation(t, api, res, nick)
		out := map[int]string{}
		for _, e := range op.Errors {
			out[e.Status] = e.Reason
		}
		return out
	}
	unsub := reasons("applications.unsubscribe")
	assert.NotContains(t, unsub, 409, "Asterisk never answers it")
	assert.Contains(t, unsub[422], "not subscribed")
	assert.Equal(t, "Application does not exist.", unsub[404], "the others are kept")
	rtp := reasons("channels.rtpstatistics")
	assert.Contains(t, rtp[403], "Unsupported channel type")
	assert.Contains(t, rtp[404], "no RTP session")
	for _, key := range []string{"channels.originate", "channels.originateWithId", "channels.create", "channels.externalMedia"} {
		assert.Contains(t, reasons(key)[409], "begins with it", key)
	}
	op := operation(t, api, "channels", "rtpstatistics")
	for i := 1; i < len(op.Errors); i++ {
		assert.Less(t, op.Errors[i-1].Status, op.Errors[i].Status, "sorted by status")
	}
}
