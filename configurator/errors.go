package configurator

import (
	"errors"
	"net/http"
	"strings"

	"gostasis.dev/ari"
)

// Kinds of failure, matched with errors.Is against what Reconcile returns.
// The *ari.Error underneath stays reachable too: errors.Is(err,
// ari.ErrForbidden), errors.As(err, &ariErr).
var (
	// ErrRejected: Asterisk refused a field or a value (400): the type has
	// no such field, or its handler refused the value.
	ErrRejected = errors.New("configurator: Asterisk rejected the object's fields")
	// ErrNotLoaded: Asterisk has no such configuration class or object
	// type (404 "configClass ... not found" / "objectType ... not found"):
	// the module is not loaded, or the names are wrong.
	ErrNotLoaded = errors.New("configurator: configuration class or object type not found")
	// ErrNotDynamic: Asterisk cannot create, change or delete the object
	// (403 "Cannot create sorcery objects of type ...", "Could not update
	// sorcery object ...", "Could not delete object ..."): sorcery.conf
	// gives the type no writable wizard (add e.g. "endpoint=memory" under
	// [res_pjsip]), or the object comes from a configuration file.
	ErrNotDynamic = errors.New("configurator: object type not writable over ARI")
	// ErrWriteDenied: the ARI user is read-only (403 "Write access
	// denied"; ari.conf read_only = yes).
	ErrWriteDenied = errors.New("configurator: ARI user is read-only")
)

// Error is the failure of one operation on one object. It names the
// object and, when it can be told, the field; Err is the *ari.Error (or
// the context's error) and Kind one of ErrRejected, ErrNotLoaded,
// ErrNotDynamic, ErrWriteDenied, or nil.
//
// Asterisk's 400 does not say which field it refused. When an update of
// several fields is refused, the configurator sends them one at a time to
// find out (see Reconcile), so Field is set. When the creation of an
// object is refused, it cannot (that would create the object without some
// of its fields): Field is empty and Fields lists the fields sent.
type Error struct {
	Class, Type, ID string
	// Op is "get", "create", "update" or "delete".
	Op string
	// Field is the field Asterisk refused, when known.
	Field string
	// Fields are the fields sent, when Field could not be told.
	Fields []string
	// Kind classifies the failure; nil for others (a transport error, a
	// cancelled context, an unexpected status).
	Kind error
	// Err is the underlying error, usually an *ari.Error.
	Err error
}

// Ref returns the object's Ref.
func (e *Error) Ref() Ref { return Ref{e.Class, e.Type, e.ID} }

// Error formats e on one line, e.g. `configurator: update
// res_pjsip/endpoint/alice: field dtmf_mode: Asterisk rejected the
// object's fields: ari: asterisk.updateObject PUT ...: 400 Bad Request:
// Update of object 'alice' failed field value validation`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("configurator: ")
	b.WriteString(e.Op)
	b.WriteByte(' ')
	b.WriteString(e.Ref().String())
	switch {
	case e.Field != "":
		b.WriteString(": field ")
		b.WriteString(e.Field)
	case len(e.Fields) > 0:
		b.WriteString(": one of the fields ")
		b.WriteString(strings.Join(e.Fields, ", "))
	}
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "configurator: "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Kind.
func (e *Error) Is(target error) bool { return e.Kind != nil && target == e.Kind }

// newError wraps err of op on ref, classifying it.
func newError(ref Ref, op string, err error) *Error {
	return &Error{Class: ref.Class, Type: ref.Type, ID: ref.ID, Op: op, Kind: kind(err), Err: err}
}

// kind classifies an error of the dynamic configuration endpoints by its
// status and Asterisk's message.
func kind(err error) error {
	var ae *ari.Error
	if !errors.As(err, &ae) {
		return nil
	}
	switch ae.Status {
	case http.StatusBadRequest:
		return ErrRejected
	case http.StatusNotFound:
		if isClassOrTypeMissing(ae.Message) {
			return ErrNotLoaded
		}
	case http.StatusForbidden:
		if ae.Message == "Write access denied" {
			return ErrWriteDenied
		}
		return ErrNotDynamic
	}
	return nil
}

// isClassOrTypeMissing tells Asterisk's 404 for a class or type it does
// not have from its 404 for an object that does not exist ("Object with
// id '...' not found").
func isClassOrTypeMissing(msg string) bool {
	return strings.HasPrefix(msg, "configClass ") || strings.HasPrefix(msg, "objectType ")
}

// isAbsent reports whether err is the 404 of an object that does not
// exist.
func isAbsent(err error) bool {
	var ae *ari.Error
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound && !isClassOrTypeMissing(ae.Message)
}
