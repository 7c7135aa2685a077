package ari

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventFilterJSON(t *testing.T) {
	tests := []struct {
		name string
		f    EventFilter
		want string
	}{
		{"allowed only", AllowEvents("StasisStart", "StasisEnd"), `{"allowed":[{"type":"StasisStart"},{"type":"StasisEnd"}]}`},
		{"disallowed only", DisallowEvents("ChannelVarset"), `{"disallowed":[{"type":"ChannelVarset"}]}`},
		{"both", EventFilter{Allowed: []EventMatch{{Type: "Dial"}}, Disallowed: []EventMatch{{Type: "ChannelVarset"}}}, `{"allowed":[{"type":"Dial"}],"disallowed":[{"type":"ChannelVarset"}]}`},
		{"clear both", EventFilter{}, `{}`},
		{"clear allowed only", EventFilter{Allowed: []EventMatch{}}, `{"allowed":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.f)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(b))
		})
	}
}

// TestEventMatchReadsApplication reads the filters Asterisk reports in an
// Application (captured from 22.10.1).
func TestEventMatchReadsApplication(t *testing.T) {
	const app = `{"name":"router","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[],"events_allowed":[{"type":"StasisStart"},{"type":"StasisEnd"}],"events_disallowed":[]}`
	var a struct {
		Allowed    []EventMatch `json:"events_allowed"`
		Disallowed []EventMatch `json:"events_disallowed"`
	}
	require.NoError(t, json.Unmarshal([]byte(app), &a))
	assert.Equal(t, AllowEvents("StasisStart", "StasisEnd").Allowed, a.Allowed)
	assert.Empty(t, a.Disallowed)
}
