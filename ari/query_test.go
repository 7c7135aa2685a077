package ari

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuery(t *testing.T) {
	var zero Query
	assert.Equal(t, "", zero.Encode())
	assert.Zero(t, zero.Len())

	tests := []struct {
		name  string
		build func(q *Query)
		want  string
	}{
		{"one", func(q *Query) { q.Add("endpoint", "PJSIP/alice") }, "endpoint=PJSIP%2Falice"},
		{"space is %20", func(q *Query) { q.Add("text", "a b+c") }, "text=a%20b%2Bc"},
		{"reserved", func(q *Query) { q.Add("v", "a&b=c?d#e%f,g") }, "v=a%26b%3Dc%3Fd%23e%25f%2Cg"},
		{"unicode", func(q *Query) { q.Add("callerId", "Zoë <100>") }, "callerId=Zo%C3%AB%20%3C100%3E"},
		{"empty value", func(q *Query) { q.Add("a", "") }, "a="},
		{"int", func(q *Query) { q.AddInt("timeout", -1); q.AddInt("max", 9223372036854775807) }, "timeout=-1&max=9223372036854775807"},
		{"bool", func(q *Query) { q.AddBool("beep", true); q.AddBool("terminateOn", false) }, "beep=true&terminateOn=false"},
		{"list", func(q *Query) { q.AddList("media", []string{"sound:hello-world", "sound:vm goodbye"}) }, "media=sound%3Ahello-world,sound%3Avm%20goodbye"},
		{"list escapes commas in values", func(q *Query) { q.AddList("app", []string{"a,b", "c"}) }, "app=a%2Cb,c"},
		{"empty list adds nothing", func(q *Query) { q.Add("a", "1"); q.AddList("b", nil); q.AddList("c", []string{}) }, "a=1"},
		{"one-element list", func(q *Query) { q.AddList("app", []string{"x"}) }, "app=x"},
		{"order kept", func(q *Query) { q.Add("z", "1"); q.Add("a", "2"); q.Add("z", "3") }, "z=1&a=2&z=3"},
		{"name escaped", func(q *Query) { q.Add("a b", "c") }, "a%20b=c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q Query
			tt.build(&q)
			assert.Equal(t, tt.want, q.Encode())
			assert.Equal(t, len(tt.want), q.Len())
			_, err := url.ParseQuery(q.Encode())
			require.NoError(t, err)
		})
	}

	var q Query
	q.Add("a", "1")
	q.Reset()
	q.Add("b", "2")
	assert.Equal(t, "b=2", q.Encode())
}

func TestQueryRoundTrip(t *testing.T) {
	for _, v := range []string{"", "plain", "a b", "a+b", "100%", "&=?#", "ünï", "\x00\xff"} {
		var q Query
		q.Add("k", v)
		vals, err := url.ParseQuery(q.Encode())
		require.NoError(t, err)
		assert.Equal(t, v, vals.Get("k"))
	}
}

func BenchmarkQuery(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var q Query
		q.Add("endpoint", "PJSIP/alice")
		q.Add("app", "myapp")
		q.AddList("appArgs", []string{"a", "b"})
		q.AddInt("timeout", 30)
		q.AddBool("early", true)
		_ = q.Encode()
	}
}
