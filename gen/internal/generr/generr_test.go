package generr

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestError(t *testing.T) {
	assert.EqualError(t, New("a.json", "model X", "bad %q", "y"), `a.json: model X: bad "y"`)
	assert.EqualError(t, New("a.json", "", "bad"), "a.json: bad")
	assert.EqualError(t, &Error{File: "a.json", Element: "model X"}, "a.json: model X")

	err := Wrap("a.json", "", fs.ErrNotExist)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.ErrorIs(t, New("a.json", "x", "reading: %w", fs.ErrNotExist), fs.ErrNotExist)
	var ge *Error
	assert.True(t, errors.As(error(err), &ge))
	assert.Equal(t, "a.json", ge.File)
}
