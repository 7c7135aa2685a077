package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gostasis.dev/ari"
)

// fakeAsterisk serves the API description of a schemas folder the way
// Asterisk does, with basic authentication.
type fakeAsterisk struct {
	files   map[string][]byte // URL path under /ari -> body
	version string
	gets    atomic.Int32
}

func (f *fakeAsterisk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.gets.Add(1)
	if u, p, ok := r.BasicAuth(); !ok || u != "asterisk" || p != "secret" {
		w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message":"Authentication required"}`))
		return
	}
	if r.URL.Path == "/ari/asterisk/info" {
		w.Write([]byte(`{"system":{"version":"` + f.version + `","entity_id":"02:fc:00:00:00:01"}}`))
		return
	}
	body, ok := f.files[r.URL.EscapedPath()]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Resource not found"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// loadSchema reads the repository's copy of a release's description.
func loadSchema(t *testing.T, release string) map[string][]byte {
	t.Helper()
	root := filepath.Join("..", "..", "schemas", "asterisk-"+release)
	files := map[string][]byte{}
	index, err := os.ReadFile(filepath.Join(root, "resources.json"))
	require.NoError(t, err)
	files["/ari/api-docs/resources.json"] = index
	decls, err := filepath.Glob(filepath.Join(root, "api-docs", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, decls)
	for _, d := range decls {
		b, err := os.ReadFile(d)
		require.NoError(t, err)
		files["/ari/api-docs/"+filepath.Base(d)] = b
	}
	return files
}

func newFake(t *testing.T, version string, files map[string][]byte) (*fakeAsterisk, *ari.Client) {
	t.Helper()
	fake := &fakeAsterisk{files: files, version: version}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "secret", DisableVersionCheck: true})
	require.NoError(t, err)
	return fake, c
}

func TestFetch(t *testing.T) {
	files := loadSchema(t, "22.10.1")
	_, c := newFake(t, "22.10.1", files)
	out := filepath.Join(t.TempDir(), "schemas")
	ctx := context.Background()

	res, err := fetch(ctx, c, options{Out: out})
	require.NoError(t, err)
	assert.Equal(t, "22.10.1", res.Version)
	assert.Equal(t, filepath.Join(out, "asterisk-22.10.1"), res.Dir)
	assert.Len(t, res.Files, 11)

	// Every file is there, byte for byte.
	got := map[string][]byte{}
	filepath.WalkDir(res.Dir, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() {
			rel, _ := filepath.Rel(res.Dir, p)
			key := "/ari/" + filepath.ToSlash(rel) // api-docs/<name>.json
			if rel == "resources.json" {
				key = "/ari/api-docs/resources.json" // served under api-docs
			}
			b, _ := os.ReadFile(p)
			got[key] = b
		}
		return nil
	})
	assert.Equal(t, files, got)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary folder left")

	// A second run refuses to overwrite; -force replaces.
	marker := filepath.Join(res.Dir, "api-docs", "stale.json")
	require.NoError(t, os.WriteFile(marker, []byte("{}"), 0o644))
	_, err = fetch(ctx, c, options{Out: out})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exists; use -force")
	assert.FileExists(t, marker)
	_, err = fetch(ctx, c, options{Out: out, Force: true})
	require.NoError(t, err)
	assert.NoFileExists(t, marker)
}

func TestFetchVersionNames(t *testing.T) {
	files := loadSchema(t, "22.10.1")
	ctx := context.Background()

	_, c := newFake(t, "GIT-master-abc123", files)
	_, err := fetch(ctx, c, options{Out: t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-version")

	res, err := fetch(ctx, c, options{Out: t.TempDir(), Version: "24.0.0"})
	require.NoError(t, err)
	assert.Equal(t, "asterisk-24.0.0", filepath.Base(res.Dir))

	_, err = fetch(ctx, c, options{Out: t.TempDir(), Version: "../x"})
	require.Error(t, err)
}

func TestFetchErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("bad credentials", func(t *testing.T) {
		fake, _ := newFake(t, "22.10.1", loadSchema(t, "22.10.1"))
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		c, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "asterisk", Password: "wrong"})
		require.NoError(t, err)
		_, err = fetch(ctx, c, options{Out: t.TempDir()})
		require.ErrorIs(t, err, ari.ErrUnauthorized)
		assert.Contains(t, err.Error(), "Authentication required")
		assert.NotContains(t, err.Error(), "wrong")
	})
	t.Run("missing declaration", func(t *testing.T) {
		files := loadSchema(t, "22.10.1")
		delete(files, "/ari/api-docs/sounds.json")
		_, c := newFake(t, "22.10.1", files)
		out := t.TempDir()
		_, err := fetch(ctx, c, options{Out: out})
		require.ErrorIs(t, err, ari.ErrNotFound)
		entries, _ := os.ReadDir(out)
		assert.Empty(t, entries, "nothing written")
	})
	t.Run("hostile listing", func(t *testing.T) {
		files := loadSchema(t, "22.10.1")
		files["/ari/api-docs/resources.json"] = []byte(`{"apis":[{"path":"/api-docs/../../etc/passwd.{format}"}]}`)
		_, c := newFake(t, "22.10.1", files)
		_, err := fetch(ctx, c, options{Out: t.TempDir()})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not a /api-docs/<name>.{format} path")
	})
	t.Run("not JSON", func(t *testing.T) {
		files := loadSchema(t, "22.10.1")
		files["/ari/api-docs/sounds.json"] = []byte(`<html>oops</html>`)
		_, c := newFake(t, "22.10.1", files)
		_, err := fetch(ctx, c, options{Out: t.TempDir()})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not JSON")
	})
}
