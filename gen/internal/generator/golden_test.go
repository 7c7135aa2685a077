package generator

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files of gen/testdata/*/golden")

// goldenCases lists the folders of gen/testdata holding a schemas folder.
func goldenCases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("..", "..", "testdata"))
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if e.IsDir() && fileExists(filepath.Join("..", "..", "testdata", e.Name(), "schemas")) {
			out = append(out, e.Name())
		}
	}
	require.NotEmpty(t, out, "no golden case under gen/testdata")
	return out
}

// TestGolden generates each gen/testdata/<case>/schemas and compares every
// output file with gen/testdata/<case>/golden/<path>.golden. Run with
// -update to rewrite the golden files. Unless -short, the output is also
// compiled and vetted with the repository's hand-written files.
func TestGolden(t *testing.T) {
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("..", "..", "testdata", name)
			files := generate(t, filepath.Join(dir, "schemas"))
			again := generate(t, filepath.Join(dir, "schemas"))
			require.Equal(t, sortedNames(files), sortedNames(again), "the second run produced other files")
			for _, n := range sortedNames(files) {
				require.True(t, bytes.Equal(files[n], again[n]), "%s differs between two runs: output is not deterministic", n)
			}

			golden := filepath.Join(dir, "golden")
			if *update {
				require.NoError(t, os.RemoveAll(golden))
				out := map[string][]byte{}
				for n, data := range files {
					out[n+".golden"] = data
				}
				writeFiles(t, golden, out)
			}
			checkGolden(t, golden, files)
			t.Run("compile", func(t *testing.T) { compileCheck(t, files) })
		})
	}
}

// checkGolden compares files with the golden folder, both ways.
func checkGolden(t *testing.T, golden string, files map[string][]byte) {
	t.Helper()
	for _, n := range sortedNames(files) {
		want, err := os.ReadFile(filepath.Join(golden, filepath.FromSlash(n)+".golden"))
		if !assert.NoError(t, err, "%s: no golden file (run go test ./gen/... -run Golden -update)", n) {
			continue
		}
		assert.Equal(t, string(want), string(files[n]), "%s differs from its golden file (run go test ./gen/... -run Golden -update if the change is intended)", n)
	}
	err := filepath.WalkDir(golden, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(golden, path)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.ToSlash(rel), ".golden")
		assert.Contains(t, files, name, "golden file %s matches no generated file", rel)
		return nil
	})
	require.NoError(t, err)
}
