package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Dir is the folder, relative to the module root, holding the listing.
const Dir = "api"

// List returns the listing of every importable package of the module at
// root, keyed by file name under Dir (e.g. "gostasis.dev_ari.txt").
// Internal packages, commands, examples and test files are left out.
func List(root string) (map[string][]byte, error) {
	module, err := modulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		base := d.Name()
		if rel != "." && (base == "testdata" || base == "internal" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
			return filepath.SkipDir
		}
		importPath := module
		if rel != "." {
			importPath = module + "/" + rel
		}
		text, ok, err := listPackage(p, importPath)
		if err != nil || !ok {
			return err
		}
		out[fileName(importPath)] = text
		return nil
	})
	return out, err
}

// fileName is the listing's file name for a package.
func fileName(importPath string) string {
	return strings.ReplaceAll(importPath, "/", "_") + ".txt"
}

// listPackage lists the package in dir; ok is false for a folder with no
// package or a command.
func listPackage(dir, importPath string) (text []byte, ok bool, err error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, false, err
		}
		if !buildable(f) {
			continue
		}
		files = append(files, f)
	}
	if len(files) == 0 || files[0].Name.Name == "main" {
		return nil, false, nil
	}
	pkg, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return nil, false, err
	}
	l := &lister{fset: fset, prefix: "pkg " + importPath + ", "}
	for _, v := range pkg.Consts {
		l.values("const", v)
	}
	for _, v := range pkg.Vars {
		l.values("var", v)
	}
	for _, f := range pkg.Funcs {
		l.add("func " + l.signature(f.Decl))
	}
	for _, t := range pkg.Types {
		l.typ(t)
	}
	slices.Sort(l.lines)
	l.lines = slices.Compact(l.lines)
	var b bytes.Buffer
	for _, line := range l.lines {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), true, nil
}

// buildable reports whether f is part of the default build: files with an
// "ignore" or another OS's build constraint are left out.
func buildable(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, "ignore") {
				return false
			}
		}
	}
	return true
}

type lister struct {
	fset   *token.FileSet
	prefix string
	lines  []string
}

func (l *lister) add(s string) { l.lines = append(l.lines, l.prefix+s) }

// node prints n on one line, without comments.
func (l *lister) node(n ast.Node) string {
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.RawFormat}
	_ = cfg.Fprint(&b, l.fset, n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// signature prints a function declaration without its body or comments.
func (l *lister) signature(d *ast.FuncDecl) string {
	fn := *d
	fn.Body = nil
	fn.Doc = nil
	return strings.TrimPrefix(l.node(&fn), "func ")
}

func (l *lister) values(kind string, v *doc.Value) {
	for _, spec := range v.Decl.Specs {
		vs := spec.(*ast.ValueSpec)
		for i, name := range vs.Names {
			if !name.IsExported() {
				continue
			}
			line := kind + " " + name.Name
			if vs.Type != nil {
				line += " " + l.node(vs.Type)
			}
			if i < len(vs.Values) {
				line += " = " + l.node(vs.Values[i])
			}
			l.add(line)
		}
	}
}

func (l *lister) typ(t *doc.Type) {
	for _, spec := range t.Decl.Specs {
		ts := spec.(*ast.TypeSpec)
		if !ts.Name.IsExported() {
			continue
		}
		name := ts.Name.Name
		tparams := ""
		if ts.TypeParams != nil {
			tparams = l.node(ts.TypeParams)
		}
		switch st := ts.Type.(type) {
		case *ast.StructType:
			l.add("type " + name + tparams + " struct")
			for _, f := range st.Fields.List {
				typ := l.node(f.Type)
				if len(f.Names) == 0 {
					if embeddedName(f.Type) != "" && ast.IsExported(embeddedName(f.Type)) {
						l.add("type " + name + " struct, embedded " + typ)
					}
					continue
				}
				for _, n := range f.Names {
					if n.IsExported() {
						l.add("type " + name + " struct, " + n.Name + " " + typ)
					}
				}
			}
		case *ast.InterfaceType:
			l.add("type " + name + tparams + " interface")
			for _, m := range st.Methods.List {
				if len(m.Names) == 0 {
					l.add("type " + name + " interface, " + l.node(m.Type))
					continue
				}
				for _, n := range m.Names {
					if n.IsExported() {
						l.add("type " + name + " interface, " + n.Name + strings.TrimPrefix(l.node(m.Type), "func"))
					}
				}
			}
			// go/doc drops unexported methods and says so: such an
			// interface is sealed, which matters to implementers.
			if st.Incomplete {
				l.add("type " + name + " interface, unexported methods")
			}
		default:
			eq := " "
			if ts.Assign.IsValid() {
				eq = " = "
			}
			l.add("type " + name + tparams + eq + l.node(ts.Type))
		}
	}
	for _, v := range t.Consts {
		l.values("const", v)
	}
	for _, v := range t.Vars {
		l.values("var", v)
	}
	for _, f := range t.Funcs {
		l.add("func " + l.signature(f.Decl))
	}
	for _, m := range t.Methods {
		l.add("method " + l.signature(m.Decl))
	}
}

// embeddedName is the type name of an embedded field: T, *T, pkg.T.
func embeddedName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return embeddedName(e.X)
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.IndexExpr:
		return embeddedName(e.X)
	}
	return ""
}

// Stale returns the names of the listing files under root that differ from
// listing, are missing, or list a package that no longer exists.
func Stale(root string, listing map[string][]byte) ([]string, error) {
	var stale []string
	for name, want := range listing {
		got, err := os.ReadFile(filepath.Join(root, Dir, name))
		if err != nil || !bytes.Equal(got, want) {
			stale = append(stale, path.Join(Dir, name))
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, Dir))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, e := range entries {
		if _, ok := listing[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".txt") {
			stale = append(stale, path.Join(Dir, e.Name()))
		}
	}
	slices.Sort(stale)
	return stale, nil
}

// Write replaces the listing under root.
func Write(root string, listing map[string][]byte) error {
	dir := filepath.Join(root, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	for _, p := range old {
		if _, ok := listing[filepath.Base(p)]; !ok {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	for name, data := range listing {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// modulePath reads the module line of a go.mod file.
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
