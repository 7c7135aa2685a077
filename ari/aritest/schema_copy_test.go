package aritest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmbeddedSchemaIsTheRepositoryCopy: the API description the simulator
// serves (embedded, so it must live in this package) is byte for byte the
// one in schemas/ that the SDK is generated from.
func TestEmbeddedSchemaIsTheRepositoryCopy(t *testing.T) {
	const release = "asterisk-22.10.1"
	want := filepath.Join("..", "..", "schemas", release)
	got := filepath.Join("schema", release)
	var files []string
	require.NoError(t, filepath.WalkDir(want, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(want, path)
			files = append(files, rel)
		}
		return err
	}))
	require.NotEmpty(t, files)
	for _, rel := range files {
		w, err := os.ReadFile(filepath.Join(want, rel))
		require.NoError(t, err)
		g, err := os.ReadFile(filepath.Join(got, rel))
		require.NoError(t, err, "%s missing from the embedded copy", rel)
		assert.Equal(t, string(w), string(g), "%s differs from schemas/%s", rel, release)
	}
}
