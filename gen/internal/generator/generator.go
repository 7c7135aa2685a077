// Package generator runs the pipeline: load every release folder into a
// go-openapi/spec document (package load), merge the documents into the
// intermediate model (package ir), and emit Go source (package emit).
// Generate is pure: it returns file contents keyed by path and writes
// nothing. Errors about the schemas are *generr.Error values naming the
// file and the element at fault.
package generator

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gostasis.dev/gen/internal/emit"
	"gostasis.dev/gen/internal/generr"
	"gostasis.dev/gen/internal/ir"
	"gostasis.dev/gen/internal/load"
)

// Options configure a generation.
type Options struct {
	// Schemas is the folder holding one asterisk-<version> folder per release.
	Schemas string
	// Module is the Go module path of the generated packages' root, e.g.
	// "gostasis.dev"; imports are Module+"/ari" and so on.
	Module string
}

// Releases lists the release folders under dir, sorted by name.
func Releases(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "asterisk-") {
			continue
		}
		// os.Stat follows a symbolic link to a release folder.
		if info, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && info.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, generr.New(dir, "", "no asterisk-<version> folder")
	}
	return out, nil
}

// Model loads and merges the releases into the intermediate model.
func Model(dirs []string) (*ir.API, error) {
	var inputs []ir.Input
	for _, dir := range dirs {
		rel, err := load.Dir(dir)
		if err != nil {
			return nil, err
		}
		r, err := ir.ParseRelease(rel.Version, rel.Name, rel.APIVersion)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, ir.Input{Release: r, Doc: rel.Doc, Files: rel.Files})
	}
	return ir.Build(inputs)
}

// Generate returns the generated files, keyed by slash-separated path
// relative to the module root.
func Generate(opts Options) (map[string][]byte, error) {
	dirs, err := Releases(opts.Schemas)
	if err != nil {
		return nil, err
	}
	api, err := Model(dirs)
	if err != nil {
		return nil, err
	}
	return emit.All(api, opts.Module)
}
