package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// soundRef is a sound an example plays: "sound:<name>" in Go source.
var soundRef = regexp.MustCompile(`"sound:([A-Za-z0-9_/-]+)"`)

// TestPromptsCoverExamples: every sound the documented examples play has a
// stand-in, so none of their playbacks fails on the synthetic set.
func TestPromptsCoverExamples(t *testing.T) {
	var names []string
	for _, p := range prompts {
		names = append(names, p.name)
	}
	found := 0
	for _, dir := range []string{"ivr", "agent", "conference"} {
		files, err := filepath.Glob(filepath.Join("..", "..", "examples", dir, "*.go"))
		require.NoError(t, err)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, m := range soundRef.FindAllSubmatch(src, -1) {
				found++
				assert.Contains(t, names, string(m[1]), "%s plays it", f)
			}
		}
	}
	assert.GreaterOrEqual(t, found, 9, "the examples' sounds were found")
}

// TestWrite: one .sln file per prompt, 16-bit samples at 8 kHz for the
// prompt's length; running it again overwrites them.
func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sounds", "en")
	for range 2 {
		n, err := write(dir)
		require.NoError(t, err)
		assert.Equal(t, len(prompts), n)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	for _, p := range prompts {
		assert.True(t, slices.Contains(got, p.name+".sln"), p.name)
		fi, err := os.Stat(filepath.Join(dir, p.name+".sln"))
		require.NoError(t, err)
		assert.Equal(t, int64(2*sampleRate*p.len.Seconds()), fi.Size(), p.name)
	}
	assert.Len(t, got, len(prompts))
}

// TestWriteBadDir: a directory that cannot be made is an error.
func TestWriteBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := write(filepath.Join(file, "sounds"))
	assert.Error(t, err)
}
