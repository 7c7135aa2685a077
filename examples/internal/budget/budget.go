// Package budget checks the examples' size and style limits in their
// tests: how many lines of code a package's non-test files hold, that
// they are gofmt'd, and that they start no goroutine, take no lock and
// set no time.AfterFunc (a call flow of package stasis needs none).
package budget

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Count returns the lines of code of the non-test Go files in dir, by
// file and in total: the lines that hold a token, so blank lines and
// lines holding only comments do not count (a raw string spanning lines
// counts each of them).
func Count(dir string) (byFile map[string]int, total int, err error) {
	names, err := sources(dir)
	if err != nil {
		return nil, 0, err
	}
	byFile = map[string]int{}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, 0, err
		}
		n, err := countLines(name, src)
		if err != nil {
			return nil, 0, err
		}
		byFile[name] = n
		total += n
	}
	return byFile, total, nil
}

// countLines counts the lines of src that hold a token.
func countLines(name string, src []byte) (int, error) {
	fset := token.NewFileSet()
	file := fset.AddFile(name, fset.Base(), len(src))
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(file, src, func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)
	lines := map[int]bool{}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // inserted at a line's end: that line has a token already
		}
		first := fset.Position(pos).Line
		last := first + strings.Count(lit, "\n")
		for l := first; l <= last; l++ {
			lines[l] = true
		}
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	return len(lines), nil
}

// sources lists the non-test Go files of dir, sorted.
func sources(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// Problems lists what breaks the examples' rules in the non-test Go
// files of dir: a file that is not gofmt'd, a go statement, an import of
// sync (a mutex), a call of time.AfterFunc.
func Problems(dir string) ([]string, error) {
	names, err := sources(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range names {
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
			out = append(out, fmt.Sprintf("%s: not gofmt'd", name))
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return nil, err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "sync" || p == "sync/atomic" {
				out = append(out, fmt.Sprintf("%s: imports %s", fset.Position(imp.Pos()), p))
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				out = append(out, fmt.Sprintf("%s: starts a goroutine", fset.Position(n.Pos())))
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "time" && n.Sel.Name == "AfterFunc" {
					out = append(out, fmt.Sprintf("%s: uses time.AfterFunc", fset.Position(n.Pos())))
				}
			}
			return true
		})
	}
	return out, nil
}

// Check fails t when the non-test Go files of dir hold more than max
// lines of code (see Count) or break the rules Problems checks, and logs
// the count.
func Check(t testing.TB, dir string, max int) {
	t.Helper()
	byFile, total, err := Count(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d lines of code (limit %d): %v", dir, total, max, byFile)
	if total > max {
		t.Errorf("%s holds %d lines of code, over its limit of %d: %v", dir, total, max, byFile)
	}
	problems, err := Problems(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
