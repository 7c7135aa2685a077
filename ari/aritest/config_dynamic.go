package aritest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"gostasis.dev/ari"
)

// ConfigRegistry holds the objects of Asterisk's dynamic configuration
// (/ari/asterisk/config/dynamic/{configClass}/{objectType}/{id}), in
// memory, like a sorcery memory wizard. Each object type must be
// registered (Register) with its fields and, optionally, a validation
// function; requests for an unregistered class or type answer 404 as
// Asterisk does for a module that is not loaded.
//
// The simulator registers res_mwi_external's "mailboxes" type, which also
// backs /ari/mailboxes. Other types (res_pjsip's endpoint, aor, auth,
// identify, ...) can be added with Register. A registry is safe for
// concurrent use.
type ConfigRegistry struct {
	mu      sync.Mutex
	types   map[typeKey]*ConfigType
	objects map[typeKey]map[string]map[string]string // id -> attribute -> value
}

type typeKey struct{ class, typ string }

// ConfigType describes one object type of a configuration class.
type ConfigType struct {
	// Class is the configuration class (the module), e.g. "res_pjsip".
	Class string
	// Type is the object type, e.g. "endpoint".
	Type string
	// Fields lists the type's fields in the order GET returns them, with
	// their defaults. An object always has every field. When Fields is
	// empty the type is free-form: any attribute is accepted and GET
	// returns the attributes set, sorted.
	Fields []ConfigField
	// Normalize, when set, checks and rewrites an object's complete field
	// set after an update is applied (it may change values or add
	// attributes). An error refuses the request with 400 "<Creation|Update>
	// of object '<id>' failed field value validation", as Asterisk does when
	// sorcery rejects a value.
	Normalize func(id string, fields map[string]string) error
}

// ConfigField is one field of a ConfigType.
type ConfigField struct {
	Name    string
	Default string
	// Check, when set, validates and normalises a value (e.g. "03" to
	// "3"); an error refuses the request like Normalize.
	Check func(value string) (string, error)
}

// NewConfigRegistry returns a registry with the types the simulator knows:
// res_mwi_external/mailboxes.
func NewConfigRegistry() *ConfigRegistry {
	r := &ConfigRegistry{
		types:   make(map[typeKey]*ConfigType),
		objects: make(map[typeKey]map[string]map[string]string),
	}
	r.Register(ConfigType{
		Class: "res_mwi_external",
		Type:  "mailboxes",
		Fields: []ConfigField{
			{Name: "msgs_new", Default: "0", Check: checkUint},
			{Name: "msgs_old", Default: "0", Check: checkUint},
		},
	})
	return r
}

// checkUint accepts a non-negative integer, as sorcery's uint fields do.
func checkUint(v string) (string, error) {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return "", fmt.Errorf("%q is not an unsigned integer", v)
	}
	return strconv.FormatUint(n, 10), nil
}

// Register adds (or replaces) an object type; existing objects of the type
// are kept.
func (r *ConfigRegistry) Register(t ConfigType) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t.Fields = append([]ConfigField(nil), t.Fields...)
	k := typeKey{t.Class, t.Type}
	r.types[k] = &t
	if r.objects[k] == nil {
		r.objects[k] = make(map[string]map[string]string)
	}
}

// clear deletes every object (a restart); types stay registered.
func (r *ConfigRegistry) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.objects {
		r.objects[k] = make(map[string]map[string]string)
	}
}

// ConfigError is an error of a registry operation, with the HTTP status
// and Asterisk's message.
type ConfigError struct {
	Status  int
	Message string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

func (r *ConfigRegistry) lookupType(class, typ string) (*ConfigType, *ConfigError) {
	found := false
	for k := range r.types {
		if k.class == class {
			found = true
			break
		}
	}
	if !found {
		return nil, &ConfigError{404, fmt.Sprintf("configClass '%s' not found", class)}
	}
	t := r.types[typeKey{class, typ}]
	if t == nil {
		return nil, &ConfigError{404, fmt.Sprintf("objectType '%s' not found", typ)}
	}
	return t, nil
}

// tuples returns an object's fields as ARI's ConfigTuple list.
func (t *ConfigType) tuples(obj map[string]string) []ari.ConfigTuple {
	out := make([]ari.ConfigTuple, 0, len(obj))
	if len(t.Fields) > 0 {
		seen := make(map[string]bool, len(t.Fields))
		for _, f := range t.Fields {
			out = append(out, ari.ConfigTuple{Attribute: f.Name, Value: obj[f.Name]})
			seen[f.Name] = true
		}
		var extra []string
		for k := range obj {
			if !seen[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			out = append(out, ari.ConfigTuple{Attribute: k, Value: obj[k]})
		}
		return out
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, ari.ConfigTuple{Attribute: k, Value: obj[k]})
	}
	return out
}

// Get returns an object's fields.
func (r *ConfigRegistry) Get(class, typ, id string) ([]ari.ConfigTuple, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, cerr := r.lookupType(class, typ)
	if cerr != nil {
		return nil, cerr
	}
	obj := r.objects[typeKey{class, typ}][id]
	if obj == nil {
		return nil, &ConfigError{404, fmt.Sprintf("Object with id '%s' not found", id)}
	}
	return t.tuples(obj), nil
}

// Put creates or updates an object with fields (nil: no "fields" member)
// and returns its fields.
func (r *ConfigRegistry) Put(class, typ, id string, fields []ari.ConfigTuple) ([]ari.ConfigTuple, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, cerr := r.lookupType(class, typ)
	if cerr != nil {
		return nil, cerr
	}
	objs := r.objects[typeKey{class, typ}]
	old := objs[id]
	if fields == nil && old == nil {
		return nil, &ConfigError{400, "Fields must be provided to create a new object"}
	}
	verb := "Update"
	obj := make(map[string]string, len(t.Fields)+len(fields))
	if old == nil {
		verb = "Creation"
		for _, f := range t.Fields {
			obj[f.Name] = f.Default
		}
	} else {
		for k, v := range old {
			obj[k] = v
		}
	}
	invalid := &ConfigError{400, fmt.Sprintf("%s of object '%s' failed field value validation", verb, id)}
	for _, tu := range fields {
		v := tu.Value
		if len(t.Fields) > 0 {
			var f *ConfigField
			for i := range t.Fields {
				if t.Fields[i].Name == tu.Attribute {
					f = &t.Fields[i]
					break
				}
			}
			if f == nil {
				return nil, invalid
			}
			if f.Check != nil {
				nv, err := f.Check(v)
				if err != nil {
					return nil, invalid
				}
				v = nv
			}
		}
		obj[tu.Attribute] = v
	}
	if t.Normalize != nil {
		if err := t.Normalize(id, obj); err != nil {
			return nil, invalid
		}
	}
	objs[id] = obj
	return t.tuples(obj), nil
}

// Delete deletes an object.
func (r *ConfigRegistry) Delete(class, typ, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, cerr := r.lookupType(class, typ); cerr != nil {
		return cerr
	}
	objs := r.objects[typeKey{class, typ}]
	if objs[id] == nil {
		return &ConfigError{404, fmt.Sprintf("Object with id '%s' not found", id)}
	}
	delete(objs, id)
	return nil
}

// IDs returns the ids of the objects of a type, sorted.
func (r *ConfigRegistry) IDs(class, typ string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for id := range r.objects[typeKey{class, typ}] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// DynamicConfig returns the registry behind /asterisk/config/dynamic, to
// register object types or inspect objects.
func (s *Server) DynamicConfig() *ConfigRegistry { return s.dynConfig }

// --- REST ---

func configErrReply(err error) reply {
	if ce, ok := err.(*ConfigError); ok {
		return errReply(ce.Status, ce.Message)
	}
	return errReply(500, err.Error())
}

func hAsteriskGetObject(s *Server, c *reqCtx) reply {
	out, err := s.dynConfig.Get(c.path["configClass"], c.path["objectType"], c.path["id"])
	if err != nil {
		return configErrReply(err)
	}
	return okJSON(out)
}

func hAsteriskUpdateObject(s *Server, c *reqCtx) reply {
	var fields []ari.ConfigTuple
	if raw, ok := c.body["fields"]; ok {
		if err := json.Unmarshal(raw, &fields); err != nil {
			return errReply(400, "Bad Request")
		}
		if fields == nil {
			fields = []ari.ConfigTuple{}
		}
	}
	out, err := s.dynConfig.Put(c.path["configClass"], c.path["objectType"], c.path["id"], fields)
	if err != nil {
		return configErrReply(err)
	}
	return okJSON(out)
}

func hAsteriskDeleteObject(s *Server, c *reqCtx) reply {
	if err := s.dynConfig.Delete(c.path["configClass"], c.path["objectType"], c.path["id"]); err != nil {
		return configErrReply(err)
	}
	return noContent()
}
