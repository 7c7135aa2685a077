package configurator

import (
	"errors"
	"fmt"
)

// Configuration classes this package knows.
const (
	// PJSIP is res_pjsip's configuration class: endpoint, aor, auth,
	// identify, ...
	PJSIP = "res_pjsip"
	// MWI is res_mwi_external's configuration class: its "mailboxes"
	// objects hold the message counts of external voicemail (msgs_new,
	// msgs_old).
	MWI = "res_mwi_external"
)

// Ref names one configuration object: the configuration class (the
// module, e.g. "res_pjsip"), the object type (e.g. "endpoint") and the id.
type Ref struct {
	Class, Type, ID string
}

// String returns "class/type/id".
func (r Ref) String() string { return r.Class + "/" + r.Type + "/" + r.ID }

// Field is one attribute/value pair of an object.
type Field struct {
	Name, Value string
}

// Object is a configuration object as the app wants it: any sorcery
// object that Asterisk's /asterisk/config/dynamic exposes. Fields are
// ordered: a new object is created with them in this order (Asterisk
// applies them in order), and each name may appear once (use one
// comma-separated value for lists). Fields not listed keep the value
// Asterisk has (its default for a new object).
type Object struct {
	Class, Type, ID string
	Fields          []Field
}

// Ref returns the object's Ref.
func (o Object) Ref() Ref { return Ref{o.Class, o.Type, o.ID} }

// Object returns o itself, so that an Object is a Declarable.
func (o Object) Object() Object { return o }

// Declarable is what Declare and Set take: an Object, or a typed builder
// (Endpoint, AOR, Auth, Identify) that produces one.
type Declarable interface {
	Object() Object
}

var _ Declarable = Object{}

// validate checks an object's declaration.
func (o Object) validate() error {
	if o.Class == "" || o.Type == "" || o.ID == "" {
		return fmt.Errorf("configurator: object %q: class, type and id are required", o.Ref().String())
	}
	seen := make(map[string]bool, len(o.Fields))
	for _, f := range o.Fields {
		if f.Name == "" {
			return fmt.Errorf("configurator: object %s: a field has no name", o.Ref())
		}
		if seen[f.Name] {
			return fmt.Errorf("configurator: object %s: field %s declared twice (give a list as one comma-separated value)", o.Ref(), f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

// collect turns declarables into validated copies, refusing duplicates.
func collect(ds []Declarable) ([]Object, error) {
	out := make([]Object, 0, len(ds))
	seen := make(map[Ref]bool, len(ds))
	var errs []error
	for _, d := range ds {
		if d == nil {
			errs = append(errs, errors.New("configurator: nil declaration"))
			continue
		}
		o := d.Object()
		o.Fields = append([]Field(nil), o.Fields...)
		if err := o.validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[o.Ref()] {
			errs = append(errs, fmt.Errorf("configurator: object %s declared twice", o.Ref()))
			continue
		}
		seen[o.Ref()] = true
		out = append(out, o)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// rank orders object types for writing: what others reference first. In
// res_pjsip an endpoint names its aors and auths, and an identify (or a
// registration, an outbound publish) names an endpoint or an auth, so
// auths and aors come first, then endpoints, then the rest of res_pjsip's
// referencing types. Other types keep their declaration order, before
// those.
func rank(r Ref) int {
	if r.Class != PJSIP {
		return 0
	}
	switch r.Type {
	case "auth", "aor":
		return 1
	case "endpoint":
		return 2
	case "identify", "registration", "outbound_publish", "inbound_publication", "phoneprov":
		return 3
	}
	return 0
}
