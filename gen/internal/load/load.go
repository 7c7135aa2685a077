// Package load reads one release folder of Asterisk's ARI API description
// straight into a go-openapi/spec Swagger 2.0 document, the generator's one
// typed layer between the JSON and the intermediate model.
//
// Asterisk writes Swagger 1.1 keywords with 1.2's subTypes and
// discriminator (docs/ari-notes.md section 1). The document gets paths and
// operations with ids, parameters with enums, defaults and collection
// formats, responses keyed by status, definitions with subtypes as allOf
// under the discriminator, one tag per declaration file, and, through
// package ext, what Swagger 2.0 has no word for (nicknames, since lists,
// Asterisk's type names, declaration order). The quirks of real releases
// (docs/ari-notes.md section 2: missing keys, string error codes, misspelt
// and unknown keys) are tolerated; anything else is a *generr.Error naming
// the file and the element at fault.
package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-openapi/spec"

	"gostasis.dev/gen/internal/ext"
	"gostasis.dev/gen/internal/generr"
)

// Release is one folder of the schemas directory: resources.json and the
// declaration files it lists, read into one document.
type Release struct {
	// Dir is the folder read.
	Dir string
	// Name is the folder's base name, e.g. "asterisk-22.10.1".
	Name string
	// Version is the Asterisk version taken from the folder name, e.g. "22.10.1".
	Version string
	// APIVersion is resources.json's apiVersion, e.g. "10.0.0".
	APIVersion string
	// Doc is the release's description. Its tags are the declaration
	// files in resources.json's order, with their descriptions.
	Doc *spec.Swagger
	// Files maps each resource name (e.g. "channels") to the declaration
	// file it was read from, for error messages.
	Files map[string]string
}

// Dir reads the release folder dir. Its base name must be
// "asterisk-<version>".
func Dir(dir string) (*Release, error) {
	name := filepath.Base(dir)
	version, ok := strings.CutPrefix(name, "asterisk-")
	if !ok || version == "" {
		return nil, generr.New(dir, "", "folder name must be asterisk-<version>")
	}
	idxPath := filepath.Join(dir, "resources.json")
	var idx rawIndex
	if err := readJSON(idxPath, &idx); err != nil {
		return nil, err
	}
	if len(idx.APIs) == 0 {
		return nil, generr.New(idxPath, "apis", "lists no declaration files")
	}
	rel := &Release{
		Dir: dir, Name: name, Version: version, APIVersion: idx.APIVersion,
		Doc: newDocument(version, idx.APIVersion), Files: map[string]string{},
	}
	r := &reader{doc: rel.Doc, modelFile: map[string]string{}}
	for i, a := range idx.APIs {
		// "/api-docs/channels.{format}" -> channels
		base := strings.TrimSuffix(filepath.Base(a.Path), ".{format}")
		elem := fmt.Sprintf("apis[%d].path %q", i, a.Path)
		if base == "" || base == "." || strings.ContainsAny(base, `/\{}`) {
			return nil, generr.New(idxPath, elem, "not a declaration file path")
		}
		if _, dup := rel.Files[base]; dup {
			return nil, generr.New(idxPath, elem, "listed twice")
		}
		path := filepath.Join(dir, "api-docs", base+".json")
		rel.Files[base] = path
		if err := r.readFile(path, base, a.Description); err != nil {
			return nil, err
		}
	}
	if err := r.linkSubtypes(); err != nil {
		return nil, err
	}
	if err := r.checkRefs(rel.Files); err != nil {
		return nil, err
	}
	return rel, nil
}

func newDocument(version, apiVersion string) *spec.Swagger {
	doc := &spec.Swagger{}
	doc.Swagger = "2.0"
	doc.Info = &spec.Info{}
	doc.Info.Title = "Asterisk REST Interface " + version
	doc.Info.Version = apiVersion
	doc.BasePath = "/ari"
	doc.Paths = &spec.Paths{Paths: map[string]spec.PathItem{}}
	doc.Definitions = spec.Definitions{}
	ext.SetDocument(doc, ext.Document{Version: version})
	return doc
}

// reader fills one release's document, one declaration file at a time.
type reader struct {
	doc *spec.Swagger
	// modelFile maps a model id to the file declaring it.
	modelFile map[string]string
	// order counts the operations read, for ext.Operation.Order.
	order int
}

// readFile reads the declaration file at path, for resource name.
func (r *reader) readFile(path, name, description string) error {
	var raw rawFile
	if err := readJSON(path, &raw); err != nil {
		return err
	}
	r.doc.Tags = append(r.doc.Tags, spec.NewTag(name, description, nil))
	for _, api := range raw.APIs {
		if err := r.readAPI(path, name, api); err != nil {
			return err
		}
	}
	models, err := orderedObject(raw.Models)
	if err != nil {
		return generr.Wrap(path, "models", err)
	}
	for _, kv := range models {
		s, err := readModel(path, name, kv.key, kv.value)
		if err != nil {
			return err
		}
		if prev, dup := r.modelFile[kv.key]; dup {
			return generr.New(path, "model "+kv.key, "also declared in %s", prev)
		}
		r.modelFile[kv.key] = path
		r.doc.Definitions[kv.key] = s
	}
	return nil
}

// readJSON decodes the file at path into v.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return generr.Wrap(path, "", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return generr.Wrap(path, "", describeJSONError(data, err))
	}
	return nil
}

// describeJSONError adds the line and column to encoding/json's errors.
func describeJSONError(data []byte, err error) error {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	}
	if off <= 0 || off > int64(len(data)) {
		return err
	}
	// Offset counts the bytes read, the offending one included: point at it.
	off--
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Errorf("line %d column %d: %w", line, col, err)
}
