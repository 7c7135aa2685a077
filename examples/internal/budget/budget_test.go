package budget

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCountSkipsBlankAndCommentLines(t *testing.T) {
	src := "// Package p is a package.\npackage p\n\n/*\nA block comment.\n*/\n\n// f is a func.\nfunc f() string { // a trailing comment\n\treturn `a\nb`\n}\n"
	n, err := countLines("p.go", []byte(src))
	require.NoError(t, err)
	// package p; func f...; return `a; b`; }
	assert.Equal(t, 5, n)
}

func TestCheckFindsWhatBreaksTheRules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	write("a.go", "package p\n\nimport (\n\t\"sync\"\n\t\"time\"\n)\n\nvar mu sync.Mutex\n\nfunc f() {\n\tgo f()\n\ttime.AfterFunc(time.Second, f)\n}\n")
	write("b.go", "package p\nvar  x = 1\n")
	write("a_test.go", "package p\n\nfunc g() { go g() }\n")

	byFile, total, err := Count(dir)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"a.go": 10, "b.go": 2}, byFile, "tests are not counted")
	assert.Equal(t, 12, total)

	problems, err := Problems(dir)
	require.NoError(t, err)
	require.Len(t, problems, 4, "%q", problems)
	assert.Contains(t, problems[0], "imports sync")
	assert.Contains(t, problems[1], "starts a goroutine")
	assert.Contains(t, problems[2], "time.AfterFunc")
	assert.Equal(t, "b.go: not gofmt'd", problems[3])

	ft := &fakeT{TB: t}
	Check(ft, dir, 11)
	assert.Len(t, ft.errors, 5, "over the limit, and the four problems")
}

// fakeT records Check's failures.
type fakeT struct {
	testing.TB
	errors []string
}

func (f *fakeT) Helper()                           {}
func (f *fakeT) Logf(format string, args ...any)   {}
func (f *fakeT) Errorf(format string, args ...any) { f.errors = append(f.errors, format) }
func (f *fakeT) Error(args ...any)                 { f.errors = append(f.errors, "") }
