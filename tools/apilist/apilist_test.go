package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListingIsCurrent fails when the exported API changed without the
// committed listing in api/ being rewritten: every change to the public
// surface must show in review.
func TestListingIsCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	listing, err := List(root)
	require.NoError(t, err)
	require.Contains(t, listing, "gostasis.dev_ari.txt")
	stale, err := Stale(root, listing)
	require.NoError(t, err)
	assert.Empty(t, stale, "the exported API changed: run `go run ./tools/apilist` and review the diff of api/")
}

func TestListingCoversPublicPackagesOnly(t *testing.T) {
	listing, err := List(filepath.Join("..", ".."))
	require.NoError(t, err)
	for name := range listing {
		assert.NotContains(t, name, "internal", "internal packages are not public API")
		assert.NotContains(t, name, "examples", "commands have no API")
	}
	assert.NotContains(t, listing, "gostasis.dev_gen.txt", "the generator is a command")
}

func TestListingShape(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	write("go.mod", "module example.com/m\n\ngo 1.22\n")
	write("p/p.go", `package p

import "context"

// Doc comments are left out.
const A, b = 1, 2

type T struct {
	X    int
	y    int
	Embedded
	*hidden
}

type Embedded struct{}

type hidden struct{}

type I interface {
	M(ctx context.Context) error
	sealed()
}

func New() *T { return nil }

func (t *T) Do(ctx context.Context) (int, error) { return 0, nil }

func (t *T) private() {}
`)
	write("p/p_test.go", "package p\n\nfunc Exported() {}\n")
	write("p/internal/q/q.go", "package q\n\nfunc Q() {}\n")
	write("cmd/c/main.go", "package main\n\nfunc main() {}\n")
	listing, err := List(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"example.com_m_p.txt"}, keys(listing))
	assert.Equal(t, strings.Join([]string{
		"pkg example.com/m/p, const A = 1",
		"pkg example.com/m/p, func New() *T",
		"pkg example.com/m/p, method (t *T) Do(ctx context.Context) (int, error)",
		"pkg example.com/m/p, type Embedded struct",
		"pkg example.com/m/p, type I interface",
		"pkg example.com/m/p, type I interface, M(ctx context.Context) error",
		"pkg example.com/m/p, type I interface, unexported methods",
		"pkg example.com/m/p, type T struct",
		"pkg example.com/m/p, type T struct, X int",
		"pkg example.com/m/p, type T struct, embedded Embedded",
		"",
	}, "\n"), string(listing["example.com_m_p.txt"]))

	require.NoError(t, Write(dir, listing))
	stale, err := Stale(dir, listing)
	require.NoError(t, err)
	assert.Empty(t, stale)
	write("api/example.com_m_gone.txt", "pkg example.com/m/gone, func F()\n")
	stale, err = Stale(dir, listing)
	require.NoError(t, err)
	assert.Equal(t, []string{"api/example.com_m_gone.txt"}, stale)
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
