// Command gen generates the SDK's Go code from Asterisk's ARI API
// descriptions: the models in package ari, the events in ari/events and
// the typed REST clients in ari/resources.
//
//	go run ./gen -schemas schemas -out .
//
// It reads every schemas/asterisk-<version> folder, so adding a release is
// dropping its folder there and running go generate ./..., which also
// rewrites the listing of the exported API (api/, see tools/apilist) that
// a new release may extend.
package main

//go:generate go run . -schemas ../schemas -out ..
//go:generate go run ../tools/apilist -root ..

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gostasis.dev/gen/internal/generator"
)

func main() {
	schemas := flag.String("schemas", "schemas", "folder holding one asterisk-<version> folder per release")
	out := flag.String("out", ".", "module root to write the generated files under")
	module := flag.String("module", "", "module path (default: read from <out>/go.mod)")
	flag.Parse()
	if err := run(*schemas, *out, *module); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(schemas, out, module string) error {
	if module == "" {
		m, err := modulePath(filepath.Join(out, "go.mod"))
		if err != nil {
			return err
		}
		module = m
	}
	files, err := generator.Generate(generator.Options{Schemas: schemas, Module: module})
	if err != nil {
		return err
	}
	return write(out, files)
}

func modulePath(gomod string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}

// write replaces the generated files under root: every *_gen.go file in
// the generated packages that the generator no longer produces is removed,
// so that output never depends on what was there before.
func write(root string, files map[string][]byte) error {
	dirs := map[string]bool{}
	for name := range files {
		dirs[filepath.Dir(name)] = true
	}
	for dir := range dirs {
		old, _ := filepath.Glob(filepath.Join(root, dir, "*_gen.go"))
		for _, path := range old {
			rel, _ := filepath.Rel(root, path)
			if _, keep := files[filepath.ToSlash(rel)]; !keep {
				if err := os.Remove(path); err != nil {
					return err
				}
			}
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if old, err := os.ReadFile(path); err == nil && string(old) == string(files[name]) {
			continue
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
