package aritest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
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
// backs /ari/mailboxes, and res_pjsip's "endpoint", "aor", "auth" and
// "identify" types with their main fields, defaults and Asterisk's storage
// rules (see config_pjsip.go): booleans come back as "true"/"false",
// identify's match as address/netmask entries, an endpoint's allow as
// "(ulaw|alaw)", and so on. They behave as if sorcery.conf gave them a
// memory wizard: objects live until deleted or until the server restarts.
// Other types can be added with Register. A registry is safe for
// concurrent use.
//
// A PUT follows Asterisk: an existing object is copied and only the fields
// given are applied to the copy (fields Asterisk accumulates, such as
// identify's match, an aor's contact or an endpoint's allow, are added to
// the current value rather than replacing it); a new object starts from
// the type's defaults. A field the type does not have, or a value its
// handler refuses, fails the whole request with 400 and changes nothing.
type ConfigRegistry struct {
	mu      sync.Mutex
	types   map[typeKey]*ConfigType
	objects map[typeKey]map[string]map[string]string // id -> attribute -> value
	static  map[typeKey]map[string]bool              // ids loaded from "configuration files"
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
	// attributes), like a sorcery type's apply handler. An error refuses
	// the request with 400 "<Creation|Update> of object '<id>' failed field
	// value validation", as Asterisk does when sorcery rejects a value.
	Normalize func(id string, fields map[string]string) error
	// Static types are backed only by configuration files (sorcery.conf
	// gives them no memory or astdb wizard): their objects can be read, but
	// creating, updating or deleting one over ARI is refused with 403
	// ("Cannot create sorcery objects of type '<type>'", "Could not update
	// sorcery object '<id>'", "Could not delete object '<id>'") after the
	// fields were validated, as Asterisk does.
	Static bool
}

// ConfigField is one field of a ConfigType.
type ConfigField struct {
	Name    string
	Default string
	// Check, when set, validates and normalises a value (e.g. "03" to
	// "3"); an error refuses the request like Normalize.
	Check func(value string) (string, error)
	// Apply, when set, replaces Check and the plain store: it applies a
	// value to the object being built, seeing every field, as a sorcery
	// custom handler does (an endpoint's disallow changes its allow, a
	// match is added to the matches already there). An error refuses the
	// request like Normalize.
	Apply func(obj map[string]string, value string) error
	// List marks a field whose stored value is a comma-separated list that
	// GET returns as one tuple per entry, and no tuple at all when empty,
	// as sorcery does for fields with a list handler (identify's match, an
	// aor's contact).
	List bool
	// WriteOnly marks a field that a PUT accepts but GET never returns (it
	// has no to-string handler), like an endpoint's disallow or type.
	WriteOnly bool
}

// NewConfigRegistry returns a registry with the types the simulator knows:
// res_mwi_external/mailboxes and res_pjsip/endpoint, aor, auth, identify.
func NewConfigRegistry() *ConfigRegistry {
	r := &ConfigRegistry{
		types:   make(map[typeKey]*ConfigType),
		objects: make(map[typeKey]map[string]map[string]string),
		static:  make(map[typeKey]map[string]bool),
	}
	r.Register(ConfigType{
		Class: "res_mwi_external",
		Type:  "mailboxes",
		Fields: []ConfigField{
			{Name: "msgs_new", Default: "0", Check: checkUint},
			{Name: "msgs_old", Default: "0", Check: checkUint},
		},
	})
	registerPJSIP(r)
	return r
}

// checkUint accepts what sorcery's uint fields accept (ast_parse_arg with
// PARSE_UINT32, that is C's strtoul in base 0 after leading blanks: "03"
// is 3, "010" is 8, "0x10" is 16; a sign, trailing text or more than 32
// bits is refused) and returns the number in decimal, as Asterisk prints
// it back.
func checkUint(v string) (string, error) {
	n, err := parseCUint(v)
	if err != nil {
		return "", err
	}
	return strconv.FormatUint(n, 10), nil
}

// parseCUint parses v like ast_parse_arg(PARSE_UINT32).
func parseCUint(v string) (uint64, error) {
	s := strings.TrimLeft(v, " \t")
	bad := fmt.Errorf("%q is not an unsigned integer", v)
	if s == "" || s[0] == '-' {
		return 0, bad
	}
	s = strings.TrimPrefix(s, "+")
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	n, err := strconv.ParseUint(s, base, 32) // an explicit base: no prefix, no "_"
	if err != nil {
		return 0, bad
	}
	return n, nil
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
	if r.static[k] == nil {
		r.static[k] = make(map[string]bool)
	}
}

// Type returns a copy of a registered type, to change it and Register it
// again (to make it Static, say).
func (r *ConfigRegistry) Type(class, typ string) (ConfigType, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.types[typeKey{class, typ}]
	if t == nil {
		return ConfigType{}, false
	}
	c := *t
	c.Fields = append([]ConfigField(nil), t.Fields...)
	return c, true
}

// Load creates an object as if Asterisk had read it from a configuration
// file (pjsip.conf, say): the fields are validated like a PUT's, but the
// object cannot be updated or deleted over ARI (403), and it survives
// Restart. Loading an id again replaces the object.
func (r *ConfigRegistry) Load(class, typ, id string, fields []ari.ConfigTuple) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, cerr := r.lookupType(class, typ)
	if cerr != nil {
		return cerr
	}
	k := typeKey{class, typ}
	obj, cerr := t.build(nil, id, fields)
	if cerr != nil {
		return cerr
	}
	r.objects[k][id] = obj
	r.static[k][id] = true
	return nil
}

// clear deletes every object created over ARI (a restart); types stay
// registered, and objects loaded from "configuration files" (Load) stay.
func (r *ConfigRegistry) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, objs := range r.objects {
		for id := range objs {
			if !r.static[k][id] {
				delete(objs, id)
			}
		}
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
			seen[f.Name] = true
			switch {
			case f.WriteOnly:
			case f.List:
				if v := obj[f.Name]; v != "" {
					for _, e := range strings.Split(v, ",") {
						out = append(out, ari.ConfigTuple{Attribute: f.Name, Value: e})
					}
				}
			default:
				out = append(out, ari.ConfigTuple{Attribute: f.Name, Value: obj[f.Name]})
			}
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
	k := typeKey{class, typ}
	objs := r.objects[k]
	old := objs[id]
	if fields == nil && old == nil {
		return nil, &ConfigError{400, "Fields must be provided to create a new object"}
	}
	obj, cerr := t.build(old, id, fields)
	if cerr != nil {
		return nil, cerr
	}
	switch {
	case old == nil && t.Static:
		return nil, &ConfigError{403, fmt.Sprintf("Cannot create sorcery objects of type '%s'", typ)}
	case old != nil && (t.Static || r.static[k][id]):
		return nil, &ConfigError{403, fmt.Sprintf("Could not update sorcery object '%s'", id)}
	}
	objs[id] = obj
	return t.tuples(obj), nil
}

// build applies fields to a copy of old (nil: a new object with the
// type's defaults), as ast_sorcery_copy and ast_sorcery_objectset_apply
// do, and runs the type's Normalize.
func (t *ConfigType) build(old map[string]string, id string, fields []ari.ConfigTuple) (map[string]string, *ConfigError) {
	verb := "Update"
	obj := make(map[string]string, len(t.Fields)+len(fields))
	if old == nil {
		verb = "Creation"
		for _, f := range t.Fields {
			if !f.WriteOnly {
				obj[f.Name] = f.Default
			}
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
			if f.Apply != nil {
				if err := f.Apply(obj, v); err != nil {
					return nil, invalid
				}
				continue
			}
			if f.Check != nil {
				nv, err := f.Check(v)
				if err != nil {
					return nil, invalid
				}
				v = nv
			}
			if f.WriteOnly {
				continue
			}
		}
		obj[tu.Attribute] = v
	}
	if t.Normalize != nil {
		if err := t.Normalize(id, obj); err != nil {
			return nil, invalid
		}
	}
	return obj, nil
}

// Delete deletes an object.
func (r *ConfigRegistry) Delete(class, typ, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, cerr := r.lookupType(class, typ)
	if cerr != nil {
		return cerr
	}
	k := typeKey{class, typ}
	objs := r.objects[k]
	if objs[id] == nil {
		return &ConfigError{404, fmt.Sprintf("Object with id '%s' not found", id)}
	}
	if t.Static || r.static[k][id] {
		return &ConfigError{403, fmt.Sprintf("Could not delete object '%s'", id)}
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
