package generator

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/schematest"
)

// realReleases are the release folders of the repository's schemas/,
// whatever they are: releases are data, and the tests below check what
// must hold for any release.
func realReleases(t *testing.T) []string {
	t.Helper()
	dirs, err := Releases(filepath.Join(repoRoot(t), "schemas"))
	require.NoError(t, err)
	return dirs
}

// TestRealReleaseAlone generates from each real release folder on its own
// (symlinked into an otherwise empty schemas folder): every release must
// be enough to generate from, not only the union, and its output must
// compile with the hand-written code, which must not depend on what only
// some releases have.
func TestRealReleaseAlone(t *testing.T) {
	for _, dir := range realReleases(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			schemas := t.TempDir()
			require.NoError(t, os.Symlink(dir, filepath.Join(schemas, name)))
			files := generate(t, schemas)
			checkReleases(t, files, name)
			t.Run("compile", func(t *testing.T) { compileCheck(t, files) })
		})
	}
}

// TestFutureRelease adds a release no test knows (a copy of the newest
// with one more operation, parameter and event) to schemas/: the union
// generates, lists it and compiles with the hand-written code.
func TestFutureRelease(t *testing.T) {
	schemas, version := schematest.WithFutureRelease(t, filepath.Join(repoRoot(t), "schemas"))
	files := generate(t, schemas)
	dirs, err := Releases(schemas)
	require.NoError(t, err)
	for _, d := range dirs {
		checkReleases(t, files, filepath.Base(d))
	}
	assert.Contains(t, string(files["ari/releases_gen.go"]), "asterisk-"+version)
	t.Run("compile", func(t *testing.T) { compileCheck(t, files) })
}

// checkReleases checks that generated output lists the release folder
// name and has the files every release yields.
func checkReleases(t *testing.T, files map[string][]byte, name string) {
	t.Helper()
	version := strings.TrimPrefix(name, "asterisk-")
	releases := string(files["ari/releases_gen.go"])
	assert.Contains(t, releases, "{"+strings.ReplaceAll(version, ".", ", ")+"}")
	assert.Regexp(t, `// Source: (.*, )?schemas/`+regexp.QuoteMeta(name)+`(, |\n)`, releases)
	for _, f := range []string{"ari/events/types_gen.go", "ari/resources/channels_gen.go", "ari/models_channels_gen.go"} {
		assert.Contains(t, files, f)
	}
}

// TestRealSchemasReproduceRepo is "go generate reproduces every file" as a
// test: generating from all of schemas/ gives exactly the repository's
// *_gen.go files, byte for byte, and no other.
func TestRealSchemasReproduceRepo(t *testing.T) {
	root := repoRoot(t)
	files := generate(t, filepath.Join(root, "schemas"))
	committed := repoGoFiles(t, isGenerated)
	for _, dir := range commandDirs {
		m, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), "*_gen.go"))
		require.NoError(t, err)
		for _, path := range m {
			committed = append(committed, dir+"/"+filepath.Base(path))
		}
	}
	sort.Strings(committed)
	assert.Equal(t, committed, sortedNames(files), "generated file set differs from the repository's *_gen.go files")
	for _, name := range sortedNames(files) {
		have, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if !assert.NoError(t, err, "%s is generated but not in the repository (run go generate ./... in gen/)", name) {
			continue
		}
		if d := firstDiff(have, files[name]); d != "" {
			t.Errorf("%s is stale (run go generate ./... in gen/): %s", name, d)
		}
	}
}

// firstDiff describes the first line where have and want differ, or
// returns "" when they are equal.
func firstDiff(have, want []byte) string {
	if bytes.Equal(have, want) {
		return ""
	}
	h := strings.Split(string(have), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < len(h) || i < len(w); i++ {
		var hl, wl string
		if i < len(h) {
			hl = h[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if hl != wl || i >= len(h) || i >= len(w) {
			return fmt.Sprintf("line %d is %q in the repository, %q generated (%d and %d lines)", i+1, hl, wl, len(h), len(w))
		}
	}
	return "same lines, different bytes"
}
