package generator

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// module is the module path the tests generate for: the repository's own,
// so that the output compiles with its hand-written files.
const module = "gostasis.dev"

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// repoRoot finds the module root (the folder whose go.mod declares module
// gostasis.dev) from the test's working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && bytes.Contains(data, []byte("module "+module+"\n")) {
				rootDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = os.ErrNotExist
				return
			}
			dir = parent
		}
	})
	require.NoError(t, rootErr, "no go.mod declaring module %s above the working directory", module)
	return rootDir
}

// generatedDirs are the packages generated files land in, relative to the
// module root.
var generatedDirs = []string{"ari", "ari/internal/wire", "ari/events", "ari/resources"}

// commandDirs are the commands generated files land in (the ari command's
// operation table). compileCheck leaves them out: a command needs its
// hand-written files and their imports, which the throw-away module does
// not have; building the repository compiles them.
var commandDirs = []string{"cmd/ari"}

// inCommand reports whether the generated file name is in a command.
func inCommand(name string) bool {
	return slices.Contains(commandDirs, name[:max(strings.LastIndex(name, "/"), 0)])
}

func isGenerated(name string) bool { return strings.HasSuffix(name, "_gen.go") }

// repoGoFiles returns the module-relative, slash-separated paths of the Go
// files of the generated packages for which keep returns true.
func repoGoFiles(t testing.TB, keep func(name string) bool) []string {
	t.Helper()
	root := repoRoot(t)
	dirs := append([]string(nil), generatedDirs...)
	// The generated packages import ari/internal's plumbing packages.
	internal, err := os.ReadDir(filepath.Join(root, "ari", "internal"))
	require.NoError(t, err)
	for _, e := range internal {
		if e.IsDir() && !slices.Contains(dirs, "ari/internal/"+e.Name()) {
			dirs = append(dirs, "ari/internal/"+e.Name())
		}
	}
	var out []string
	for _, dir := range dirs {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
		require.NoError(t, err)
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || !keep(e.Name()) {
				continue
			}
			out = append(out, dir+"/"+e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// writeFiles writes files (keyed by slash-separated relative path) under dir.
func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, data, 0o644))
	}
}

// compileCheck builds and vets generated output together with the
// repository's hand-written files of the generated packages, in a
// throw-away copy of the module. It works offline from the module cache.
func compileCheck(t *testing.T, generated map[string][]byte) {
	t.Helper()
	if testing.Short() {
		t.Skip("compile check skipped in -short mode")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	files := map[string][]byte{}
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(root, name))
		require.NoError(t, err)
		files[name] = data
	}
	for _, name := range repoGoFiles(t, func(n string) bool { return !isGenerated(n) && !strings.HasSuffix(n, "_test.go") }) {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		require.NoError(t, err)
		files[name] = data
	}
	for name, data := range generated {
		if !inCommand(name) {
			files[name] = data
		}
	}
	writeFiles(t, dir, files)
	for _, args := range [][]string{{"build", "-trimpath", "./..."}, {"vet", "-trimpath", "./..."}} {
		cmd := exec.Command(goTool(), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s in %s:\n%s", strings.Join(args, " "), dir, out)
	}
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// generate runs Generate and fails the test on error.
func generate(t testing.TB, schemas string) map[string][]byte {
	t.Helper()
	files, err := Generate(Options{Schemas: schemas, Module: module})
	require.NoError(t, err)
	return files
}

// sortedNames returns the keys of files, sorted.
func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
