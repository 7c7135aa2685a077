package aritest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReplaceWholeIDs(t *testing.T) {
	m := map[string]string{"pb-1": "mine", "c.1": "X"}
	for in, want := range map[string]string{
		"":                              "",
		"pb-1":                          "mine",
		`{"id":"pb-1","x":"pb-10"}`:     `{"id":"mine","x":"pb-10"}`,
		"channel:pb-1/pb-1 xpb-1 pb-1.": "channel:mine/mine xpb-1 pb-1.",
		"c.1 c.10 c.1,c.1":              "X c.10 X,X",
		"no ids here":                   "no ids here",
	} {
		assert.Equal(t, want, string(replace([]byte(in), m)), "%q", in)
	}
	data := []byte("pb-2")
	assert.Same(t, &data[0], &replace(data, m)[0], "nothing replaced: the same bytes")
}

// FuzzReplace checks that replacing ids with fresh ones that appear
// nowhere, then back, gives the data back, and that a whole id never
// grows out of part of another.
func FuzzReplace(f *testing.F) {
	f.Add([]byte(`{"id":"pb-1","target_uri":"channel:c1"}`), "pb-1")
	f.Add([]byte("a a.b a-b a"), "a")
	f.Add([]byte(""), "x")
	f.Fuzz(func(t *testing.T, data []byte, id string) {
		if !isID(id) {
			return
		}
		fresh := "zz" + id + "-fresh-QQ"
		if bytes.Contains(data, []byte(fresh)) || bytes.Contains(data, []byte("QQ")) {
			return
		}
		out := replace(data, map[string]string{id: fresh})
		back := replace(out, map[string]string{fresh: id})
		if !bytes.Equal(back, data) {
			t.Fatalf("replace %q -> %q and back: %q, want %q", id, fresh, back, data)
		}
	})
}
