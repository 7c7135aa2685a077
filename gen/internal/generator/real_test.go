package generator

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realReleases are the release folders of the repository's schemas/.
func realReleases(t *testing.T) []string {
	t.Helper()
	dirs, err := Releases(filepath.Join(repoRoot(t), "schemas"))
	require.NoError(t, err)
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Base(d))
	}
	require.Equal(t, []string{
		"asterisk-16.30.1", "asterisk-18.26.4", "asterisk-20.20.1",
		"asterisk-21.12.3", "asterisk-22.10.1", "asterisk-23.4.1",
	}, names)
	return dirs
}

// TestRealReleaseAlone generates from each real release folder on its own
// (symlinked into an otherwise empty schemas folder): every release must
// be enough to generate from, not only the union. The output of the
// oldest is also compiled with the hand-written code, which must not
// depend on what only newer releases have.
func TestRealReleaseAlone(t *testing.T) {
	for i, dir := range realReleases(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			schemas := t.TempDir()
			require.NoError(t, os.Symlink(dir, filepath.Join(schemas, name)))
			files := generate(t, schemas)
			version := strings.TrimPrefix(name, "asterisk-")
			releases := string(files["ari/releases_gen.go"])
			assert.Contains(t, releases, "{"+strings.ReplaceAll(version, ".", ", ")+"}}")
			assert.Contains(t, releases, "// Source: schemas/"+name+"\n")
			for _, f := range []string{"ari/events/types_gen.go", "ari/resources/channels_gen.go", "ari/models_channels_gen.go"} {
				assert.Contains(t, files, f)
			}
			if i == 0 {
				t.Run("compile", func(t *testing.T) { compileCheck(t, files) })
			}
		})
	}
}

// TestRealSchemasReproduceRepo is "go generate reproduces every file" as a
// test: generating from all of schemas/ gives exactly the repository's
// *_gen.go files, byte for byte, and no other.
func TestRealSchemasReproduceRepo(t *testing.T) {
	root := repoRoot(t)
	files := generate(t, filepath.Join(root, "schemas"))
	committed := repoGoFiles(t, isGenerated)
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
