package ari

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestQueryHas(t *testing.T) {
	tests := []struct {
		query, name string
		want        bool
	}{
		{"", "app", false},
		{"app=a", "app", true},
		{"app=a,b&subscribeAll=true", "subscribeAll", true},
		{"app=a&subscribeAll", "subscribeAll", true},
		{"apps=a", "app", false},
		{"x=app", "app", false},
		{"x=1&&app=", "app", true},
		{"my%20name=1", "my name", true},
		{"a%2Bb=1", "a+b", true},
		{"bad%zz=1", "bad%zz", true},
		{"bad%zz=1", "bad", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, queryHas(tt.query, tt.name), "%q in %q", tt.name, tt.query)
	}
}

// TestQueryHasEncoded checks queryHas against what Query encodes.
func TestQueryHasEncoded(t *testing.T) {
	var q Query
	for _, name := range []string{"channelId", "reason_code", "a b", "x+y", "ü", "a=b", "a&b"} {
		q.Reset()
		q.Add("first", "1")
		q.Add(name, "v")
		assert.True(t, queryHas(q.Encode(), name), "%q in %q", name, q.Encode())
		assert.False(t, queryHas(q.Encode(), name+"2"), "%q in %q", name+"2", q.Encode())
	}
}

func TestRequestSends(t *testing.T) {
	op := &Operation{Params: []Param{
		{Name: "channelId", In: "path"},
		{Name: "reason_code", In: "query"},
		{Name: "variables", In: "body"},
		{Name: "x", In: "header"},
	}}
	r := &Request{Op: op, Query: "reason=busy"}
	assert.True(t, r.sends(&op.Params[0]), "a path parameter always")
	assert.False(t, r.sends(&op.Params[1]))
	assert.False(t, r.sends(&op.Params[2]))
	assert.False(t, r.sends(&op.Params[3]), "nowhere Client.Do sends it")
	r = &Request{Op: op, Query: "reason_code=17", Body: struct{}{}}
	assert.True(t, r.sends(&op.Params[1]))
	assert.True(t, r.sends(&op.Params[2]))
}
