package ari

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVarValueJSON(t *testing.T) {
	tests := []struct {
		v    VarValue
		want string
	}{
		{VarValue{Value: "Alice"}, `"Alice"`},
		{VarValue{}, `""`},
		{VarValue{Value: "WaitingForAgent", ReportEvents: true}, `{"value":"WaitingForAgent","report_events":true}`},
		{VarValue{Value: "q\"<&>\n", ReportEvents: true}, `{"value":"q\"\u003c\u0026\u003e\n","report_events":true}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(b))
		var back VarValue
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tt.v, back)
	}
}

func TestVarValueUnmarshal(t *testing.T) {
	tests := []struct {
		in   string
		want VarValue
		err  bool
	}{
		{`"x"`, VarValue{Value: "x"}, false},
		{`{"value":"y"}`, VarValue{Value: "y"}, false},
		{`{"value":"y","report_events":false}`, VarValue{Value: "y"}, false},
		{`{"report_events":true,"value":"z","extra":1}`, VarValue{Value: "z", ReportEvents: true}, false},
		{`null`, VarValue{Value: "unchanged"}, false},
		{`12`, VarValue{}, true},
		{`[]`, VarValue{}, true},
		{`{"value":1}`, VarValue{}, true},
	}
	for _, tt := range tests {
		v := VarValue{Value: "unchanged"}
		err := json.Unmarshal([]byte(tt.in), &v)
		if tt.err {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, v, tt.in)
	}
}

func TestVars(t *testing.T) {
	vs := VarsOf(map[string]string{"CALLERID(name)": "Alice"})
	vs["Call_State"] = VarValue{Value: "WaitingForAgent", ReportEvents: true}
	vs.Set("X", "1")
	b, err := json.Marshal(struct {
		Variables Vars `json:"variables"`
	}{vs})
	require.NoError(t, err)
	// The example of channels.originate in Asterisk's API description.
	assert.JSONEq(t, `{"variables":{"CALLERID(name)":"Alice","Call_State":{"value":"WaitingForAgent","report_events":true},"X":"1"}}`, string(b))

	var back struct {
		Variables Vars `json:"variables"`
	}
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, vs, back.Variables)
	assert.Nil(t, VarsOf(nil))
}
