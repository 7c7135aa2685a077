package astparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStasisArgs(t *testing.T) {
	for _, c := range []struct {
		data string
		app  string
		args []string
	}{
		{"app", "app", []string{}},
		{"app,a,b", "app", []string{"a", "b"}},
		{`app,"a,b",c`, "app", []string{"a,b", "c"}},
		{`app,a\,b`, "app", []string{"a,b"}},
		{"app,(x,y),[p,q]", "app", []string{"(x,y)", "[p,q]"}},
		{"app,a,", "app", []string{"a", ""}},
		{"", "", []string{}},
	} {
		app, args := StasisArgs(c.data)
		assert.Equal(t, c.app, app, c.data)
		assert.Equal(t, c.args, args, c.data)
	}
	assert.Equal(t, []string{}, OriginateArgs(""))
	assert.Equal(t, []string{"a", "b"}, MoveArgs("a,,b,"))
}
