package ir_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/ir"
)

// TestRealListParams pins the string parameters Asterisk reads as a
// comma-separated list (quirks.go, listParams) and how it splits each.
func TestRealListParams(t *testing.T) {
	api := knownModel(t)
	requireAllKnown(t, api)
	want := map[string]ir.Split{
		"bridges.create.type":                 ir.SplitPlain,
		"bridges.createWithId.type":           ir.SplitPlain,
		"channels.originate.formats":          ir.SplitPlain,
		"channels.originateWithId.formats":    ir.SplitPlain,
		"channels.create.formats":             ir.SplitPlain,
		"channels.originate.appArgs":          ir.SplitAppArgs,
		"channels.originateWithId.appArgs":    ir.SplitAppArgs,
		"channels.create.appArgs":             ir.SplitAppArgs,
		"channels.snoopChannel.appArgs":       ir.SplitAppArgs,
		"channels.snoopChannelWithId.appArgs": ir.SplitAppArgs,
		"channels.move.appArgs":               ir.SplitStrtok,
	}
	got := map[string]ir.Split{}
	for _, r := range api.Resources {
		for _, o := range r.Ops {
			for _, p := range o.Params {
				if p.Multiple && p.Split != ir.SplitMultiple {
					got[r.Name+"."+o.Nickname+"."+p.Name] = p.Split
				}
			}
		}
	}
	assert.Equal(t, want, got)
}

// TestRealBridgeCreateType checks the enum of bridges.create's type, whose
// values only the description lists: one type for both operations, each
// value available where the description lists it.
func TestRealBridgeCreateType(t *testing.T) {
	api := knownModel(t)
	requireAllKnown(t, api)
	create := param(t, operation(t, api, "bridges", "create"), "type")
	withID := param(t, operation(t, api, "bridges", "createWithId"), "type")
	require.Equal(t, ir.EnumRef, create.Type.Kind)
	assert.True(t, create.Multiple)
	assert.True(t, create.ValuesInDoc)
	e := create.Type.Enum
	assert.Same(t, e, withID.Type.Enum)
	assert.True(t, e.Param)
	assert.Equal(t, "BridgeCreateType", e.GoName)
	var values []string
	for _, v := range e.Values {
		values = append(values, v.Value)
		if v.Value == "sdp_label" {
			assert.Equal(t, bits(t, api, "18.26.4", "20.20.1", "21.12.3", "22.10.1", "23.4.1"), v.Avail.Releases)
		}
	}
	assert.Equal(t, []string{"mixing", "holding", "dtmf_events", "proxy_media", "video_sfu", "video_single", "sdp_label"}, values)
	assert.Contains(t, api.ParamEnums, e)
}

// TestRealModelEnumParams checks that a parameter whose values are a
// subset of a model enum's uses the model enum, and that no parameter
// enum duplicates one.
func TestRealModelEnumParams(t *testing.T) {
	api := knownModel(t)
	requireAllKnown(t, api)
	ds := param(t, operation(t, api, "deviceStates", "update"), "deviceState")
	require.Equal(t, ir.EnumRef, ds.Type.Kind)
	assert.False(t, ds.Type.Enum.Param)
	assert.Equal(t, "DeviceStateValue", ds.Type.Enum.GoName)
	assert.Contains(t, api.Enums, ds.Type.Enum)
	for _, e := range api.ParamEnums {
		assert.True(t, e.Param, e.GoName)
		assert.NotContains(t, api.Enums, e)
	}
	// The older parameter enums keep their names.
	names := map[string]bool{}
	for _, e := range api.ParamEnums {
		names[e.GoName] = true
	}
	for _, n := range []string{"MuteDirection", "HangupReason", "ControlOperation", "RecordIfExists", "SnoopChannelSpy", "GetInfoOnly"} {
		assert.True(t, names[n], n)
	}
}

// TestRealCallerIDParams pins the parameters in caller id syntax.
func TestRealCallerIDParams(t *testing.T) {
	api := knownModel(t)
	requireAllKnown(t, api)
	var got []string
	for _, r := range api.Resources {
		for _, o := range r.Ops {
			for _, p := range o.Params {
				if p.CallerID {
					got = append(got, r.Name+"."+o.Nickname+"."+p.Name)
					assert.Equal(t, ir.String, p.Type.Kind)
					assert.False(t, p.Multiple)
				}
			}
		}
	}
	assert.ElementsMatch(t, []string{"channels.originate.callerId", "channels.originateWithId.callerId"}, got)
}
