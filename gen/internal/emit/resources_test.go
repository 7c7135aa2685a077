package emit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
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

// TestParamFieldTypes generates from the repository's schemas/ and checks
// the Go types of the parameters Asterisk parses in its own way: a caller
// id, comma-separated lists, enums that are a model's or listed in the
// description.
func TestParamFieldTypes(t *testing.T) {
	files, err := generator.Generate(generator.Options{Schemas: filepath.Join("..", "..", "..", "schemas"), Module: "gostasis.dev"})
	require.NoError(t, err)
	fields := map[string]string{} // "Struct.Field" -> type
	for path, src := range files {
		if !strings.HasPrefix(path, "ari/resources/") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
		require.NoError(t, err, path)
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					for _, name := range fl.Names {
						fields[ts.Name.Name+"."+name.Name] = types.ExprString(fl.Type)
					}
				}
			}
			return false
		})
	}
	want := map[string]string{
		"ChannelOriginateParams.CallerID":       "ari.CallerID",
		"ChannelOriginateWithIDParams.CallerID": "ari.CallerID",
		"ChannelOriginateParams.AppArgs":        "[]string",
		"ChannelCreateParams.AppArgs":           "[]string",
		"ChannelMoveParams.AppArgs":             "[]string",
		"ChannelSnoopChannelParams.AppArgs":     "[]string",
		"ChannelOriginateParams.Formats":        "[]string",
		"ChannelCreateParams.Formats":           "[]string",
		"BridgeCreateParams.Type":               "[]BridgeCreateType",
		"BridgeCreateWithIDParams.Type":         "[]BridgeCreateType",
		"DeviceStateUpdateParams.DeviceState":   "ari.DeviceStateValue",
		"ChannelHangupParams.Reason":            "HangupReason",
		"ChannelPlayParams.Media":               "[]string",
	}
	for k, v := range want {
		assert.Equal(t, v, fields[k], k)
	}
}
