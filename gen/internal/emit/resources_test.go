package emit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/generator"
)

// TestResourceDocsStartWithTheName generates from the repository's
// schemas/, whatever releases it holds, and checks the doc comment of
// every method and type of package resources: it starts with the name,
// then a lower-case word (a sentence, not "Name: summary").
func TestResourceDocsStartWithTheName(t *testing.T) {
	files, err := generator.Generate(generator.Options{Schemas: filepath.Join("..", "..", "..", "schemas"), Module: "gostasis.dev"})
	require.NoError(t, err)
	methods := 0
	for path, src := range files {
		if !strings.HasPrefix(path, "ari/resources/") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ParseComments)
		require.NoError(t, err, path)
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					methods++
				}
				checkDoc(t, path, d.Name.Name, d.Doc)
			case *ast.GenDecl:
				if d.Tok != token.TYPE {
					continue
				}
				for _, s := range d.Specs {
					doc := s.(*ast.TypeSpec).Doc
					if doc == nil {
						doc = d.Doc
					}
					checkDoc(t, path, s.(*ast.TypeSpec).Name.Name, doc)
				}
			}
		}
	}
	assert.Greater(t, methods, 0, "methods")
}

// checkDoc checks that an exported name's doc comment is a sentence about
// it: "Name verb ...".
func checkDoc(t *testing.T, path, name string, doc *ast.CommentGroup) {
	t.Helper()
	if !ast.IsExported(name) {
		return
	}
	if !assert.NotNil(t, doc, "%s: %s has no doc comment", path, name) {
		return
	}
	text := doc.Text()
	rest, ok := strings.CutPrefix(text, name+" ")
	if assert.True(t, ok, "%s: the doc of %s does not start with its name: %q", path, name, text) {
		assert.True(t, rest != "" && unicode.IsLower(rune(rest[0])), "%s: the doc of %s is not a sentence: %q", path, name, text)
	}
}
