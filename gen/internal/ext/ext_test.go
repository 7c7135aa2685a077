package ext

import (
	"encoding/json"
	"testing"

	"github.com/go-openapi/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZeroWhenAbsent(t *testing.T) {
	assert.Equal(t, Document{}, DocumentOf(&spec.Swagger{}))
	assert.Equal(t, Operation{}, OperationOf(&spec.Operation{}))
	assert.Equal(t, Parameter{}, ParameterOf(&spec.Parameter{}))
	assert.Equal(t, Model{}, ModelOf(&spec.Schema{}))
	assert.Equal(t, Type{}, TypeOf(&spec.Schema{}))
}

func TestSetAndRead(t *testing.T) {
	doc := &spec.Swagger{}
	SetDocument(doc, Document{Version: "22.10.1"})
	assert.Equal(t, Document{Version: "22.10.1"}, DocumentOf(doc))

	op := spec.NewOperation("channels.get")
	o := Operation{Resource: "channels", Nickname: "get", Since: []string{"12.0.0"}, ResponseClass: "Channel", Order: 3}
	SetOperation(op, o)
	assert.Equal(t, o, OperationOf(op))

	p := &spec.Parameter{}
	SetParameter(p, Parameter{DataType: "containers"})
	assert.Equal(t, Parameter{DataType: "containers"}, ParameterOf(p))

	// A definition and a property schema hold different values under the
	// one key: each accessor sees only its own.
	def := &spec.Schema{}
	SetModel(def, Model{Resource: "channels", Properties: []string{"id", "name"}})
	assert.Equal(t, []string{"id", "name"}, ModelOf(def).Properties)
	assert.Equal(t, Type{}, TypeOf(def))
	prop := &spec.Schema{}
	SetType(prop, Type{DataType: "Date"})
	assert.Equal(t, "Date", TypeOf(prop).DataType)
	assert.Equal(t, Model{}, ModelOf(prop))
}

// TestJSON shows the extension in a document's JSON form, for inspection.
func TestJSON(t *testing.T) {
	op := spec.NewOperation("channels.get")
	SetOperation(op, Operation{Resource: "channels", Nickname: "get"})
	data, err := json.Marshal(op)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"x-asterisk":{"resource":"channels","nickname":"get","order":0}`)
}
