// Package ext is the typed access to the facts of Asterisk's API
// description that Swagger 2.0 has no word for (nicknames, "since" lists,
// Asterisk's own type names, declaration order, ...). Package load keeps
// them in go-openapi/spec's vendor extensions, under the one key Key, as
// the typed values of this package; package ir reads them back through
// the functions below and never through string keys.
package ext

import "github.com/go-openapi/spec"

// Key is the vendor extension holding this package's value on a document,
// an operation, a parameter or a schema.
const Key = "x-asterisk"

// Document is what a release's document records about the release.
type Document struct {
	// Version is the Asterisk release, e.g. "22.10.1".
	Version string `json:"version"`
}

// Operation is what Asterisk says about an operation beyond Swagger 2.0.
type Operation struct {
	// Resource is the declaration file, e.g. "channels".
	Resource string `json:"resource"`
	// Nickname is Asterisk's name of the operation, unique per file only.
	Nickname string `json:"nickname"`
	// Since is Asterisk's "since" list, as written (unordered).
	Since []string `json:"since,omitempty"`
	// ResponseClass is Asterisk's responseClass, e.g. "List[Channel]".
	ResponseClass string `json:"responseClass,omitempty"`
	// Upgrade is "websocket" on the events websocket.
	Upgrade string `json:"upgrade,omitempty"`
	// WebsocketProtocol is the websocket subprotocol, e.g. "ari".
	WebsocketProtocol string `json:"websocketProtocol,omitempty"`
	// PathDescription is the description of the operation's path.
	PathDescription string `json:"pathDescription,omitempty"`
	// Order is the operation's position in the release (declaration files
	// in resources.json's order, operations in file order), from 0.
	Order int `json:"order"`
}

// Parameter is what Asterisk says about a parameter beyond Swagger 2.0.
type Parameter struct {
	// DataType is Asterisk's dataType, e.g. "string" or "containers".
	DataType string `json:"dataType"`
}

// Model is what Asterisk says about a model (a definition) beyond Swagger 2.0.
type Model struct {
	// Resource is the declaration file that declares the model.
	Resource string `json:"resource"`
	// Properties are the model's own property names in declaration order.
	Properties []string `json:"properties,omitempty"`
	// SubTypes are the subtypes Asterisk lists, in declaration order.
	SubTypes []string `json:"subTypes,omitempty"`
}

// Type is what Asterisk says about the type of a property, a response or
// a body parameter.
type Type struct {
	// DataType is Asterisk's type name, e.g. "Date", "List[Channel]" or
	// "containers".
	DataType string `json:"dataType"`
}

// DocumentOf returns what doc records about its release (the zero value
// when nothing is recorded).
func DocumentOf(doc *spec.Swagger) Document { return get[Document](doc.Extensions) }

// SetDocument records d on doc.
func SetDocument(doc *spec.Swagger, d Document) { set(&doc.Extensions, d) }

// OperationOf returns what op records (the zero value when nothing is).
func OperationOf(op *spec.Operation) Operation { return get[Operation](op.Extensions) }

// SetOperation records o on op.
func SetOperation(op *spec.Operation, o Operation) { set(&op.Extensions, o) }

// ParameterOf returns what p records (the zero value when nothing is).
func ParameterOf(p *spec.Parameter) Parameter { return get[Parameter](p.Extensions) }

// SetParameter records x on p.
func SetParameter(p *spec.Parameter, x Parameter) { set(&p.Extensions, x) }

// ModelOf returns what the definition s records (the zero value when
// nothing is, or when s is not a definition).
func ModelOf(s *spec.Schema) Model { return get[Model](s.Extensions) }

// SetModel records m on the definition s.
func SetModel(s *spec.Schema, m Model) { set(&s.Extensions, m) }

// TypeOf returns what the property, response or body schema s records
// (the zero value when nothing is, or when s is a definition).
func TypeOf(s *spec.Schema) Type { return get[Type](s.Extensions) }

// SetType records t on the property, response or body schema s.
func SetType(s *spec.Schema, t Type) { set(&s.Extensions, t) }

func get[T any](e spec.Extensions) T {
	v, _ := e[Key].(T)
	return v
}

func set(e *spec.Extensions, v any) {
	if *e == nil {
		*e = spec.Extensions{}
	}
	(*e)[Key] = v
}
