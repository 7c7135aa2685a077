package configurator

import (
	"context"
	"errors"
	"slices"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

const redacted = "<redacted>"

// current is an object as Asterisk returned it: the values of each
// attribute (several for the fields sorcery lists one tuple per entry,
// such as identify's match), and the attributes in the order returned.
type current struct {
	values map[string][]string
	order  []string
}

func readTuples(tuples []ari.ConfigTuple) current {
	c := current{values: make(map[string][]string, len(tuples))}
	for _, t := range tuples {
		if _, ok := c.values[t.Attribute]; !ok {
			c.order = append(c.order, t.Attribute)
		}
		c.values[t.Attribute] = append(c.values[t.Attribute], t.Value)
	}
	return c
}

// get returns an attribute's value, entries joined with ",", and whether
// Asterisk returned it.
func (c current) get(name string) (string, bool) {
	v, ok := c.values[name]
	return strings.Join(v, ","), ok
}

// plan is what an existing object needs.
type plan struct {
	send     []Field  // fields to update, with the values to send
	recreate bool     // the object must be deleted and created again
	why      []string // why it must be recreated
}

// plan compares an object's declaration with Asterisk's values. prev are
// the fields of the declaration last applied to it, if known.
func (c *Configurator) plan(o Object, cur current, prev []string) plan {
	var p plan
	declared := make(map[string]bool, len(o.Fields))
	for _, f := range o.Fields {
		declared[f.Name] = true
		rule := c.norm.Rule(o.Class, o.Type, f.Name)
		if rule.WriteOnly {
			continue
		}
		have, present := cur.get(f.Name)
		if rule.Accumulate {
			want := entries(rule, f.Value)
			got := entries(rule, have)
			var missing []string
			for _, e := range want {
				if !slices.ContainsFunc(got, func(g entry) bool { return g.norm == e.norm }) {
					missing = append(missing, e.text)
				}
			}
			for _, g := range got {
				if !slices.ContainsFunc(want, func(e entry) bool { return e.norm == g.norm }) {
					p.recreate = true
					p.why = append(p.why, f.Name+": "+g.norm+" must go")
				}
			}
			if len(missing) > 0 {
				p.send = append(p.send, Field{f.Name, strings.Join(missing, ",")})
			}
			continue
		}
		if present && rule.normalize(f.Value) == rule.normalize(have) {
			continue
		}
		v := f.Value
		if rule.Replace != nil {
			v = rule.Replace(v)
		}
		p.send = append(p.send, Field{f.Name, v})
	}
	for _, name := range prev {
		if declared[name] {
			continue
		}
		rule := c.norm.Rule(o.Class, o.Type, name)
		if rule.WriteOnly {
			continue
		}
		if have, _ := cur.get(name); rule.Accumulate && len(entries(rule, have)) == 0 {
			continue // an empty list is the default
		}
		p.recreate = true
		p.why = append(p.why, name+" is no longer declared")
	}
	return p
}

// entry is one item of a list field: as written and normalised.
type entry struct{ text, norm string }

// entries splits a list value into its items, normalising each one.
func entries(rule Rule, v string) []entry {
	var out []entry
	for _, item := range splitList(v) {
		for _, n := range splitList(rule.normalize(item)) {
			if !slices.ContainsFunc(out, func(e entry) bool { return e.norm == n }) {
				out = append(out, entry{item, n})
			}
		}
	}
	return out
}

// reconcileObject reconciles one object and returns the names of its
// declared fields once Asterisk has them all.
func (c *Configurator) reconcileObject(ctx context.Context, o Object, prev []string, rep *Report) ([]string, error) {
	ref := o.Ref()
	tuples, err := c.api.GetObject(ctx, o.Class, o.Type, o.ID)
	if err != nil {
		if !isAbsent(err) {
			return nil, newError(ref, "get", err)
		}
		out, err := c.put(ctx, ref, o.Fields)
		if err != nil {
			return nil, writeError(ref, "create", o.Fields, err)
		}
		rep.Created = append(rep.Created, ref)
		c.verify(o, fieldNames(o.Fields), readTuples(out))
		return fieldNames(o.Fields), nil
	}
	cur := readTuples(tuples)
	p := c.plan(o, cur, prev)
	switch {
	case p.recreate:
		return c.recreate(ctx, o, cur, p, rep)
	case len(p.send) == 0:
		rep.Unchanged = append(rep.Unchanged, ref)
		return fieldNames(o.Fields), nil
	}
	out, err := c.put(ctx, ref, p.send)
	if err == nil {
		after := readTuples(out)
		rep.Updated = append(rep.Updated, Update{Ref: ref, Changes: c.changes(o, cur, after, fieldNames(p.send))})
		c.verify(o, fieldNames(p.send), after)
		return fieldNames(o.Fields), nil
	}
	if len(p.send) == 1 || !errors.Is(kind(err), ErrRejected) {
		return nil, writeError(ref, "update", p.send, err)
	}
	// Asterisk refused the update without saying which field: send them
	// one at a time, so that the valid ones take effect and the refused
	// ones are named.
	var errs []error
	var changes []Change
	for _, f := range p.send {
		out, err := c.put(ctx, ref, []Field{f})
		if err != nil {
			errs = append(errs, writeError(ref, "update", []Field{f}, err))
			if !errors.Is(kind(err), ErrRejected) {
				break
			}
			continue
		}
		after := readTuples(out)
		changes = append(changes, c.changes(o, cur, after, []string{f.Name})...)
		c.verify(o, []string{f.Name}, after)
	}
	if len(changes) > 0 {
		rep.Updated = append(rep.Updated, Update{Ref: ref, Changes: changes})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return fieldNames(o.Fields), nil // together refused, one by one accepted
}

// recreate deletes an object and creates it again with its declared
// fields.
func (c *Configurator) recreate(ctx context.Context, o Object, cur current, p plan, rep *Report) ([]string, error) {
	ref := o.Ref()
	// Check the new values on the existing object first: Asterisk refuses
	// a bad value without changing anything, whereas a refused creation
	// would leave the object deleted.
	if len(p.send) > 0 {
		if _, err := c.put(ctx, ref, p.send); err != nil {
			return nil, writeError(ref, "update", p.send, err)
		}
	}
	if err := c.api.DeleteObject(ctx, o.Class, o.Type, o.ID); err != nil && !isAbsent(err) {
		return nil, newError(ref, "delete", err)
	}
	out, err := c.put(ctx, ref, o.Fields)
	if err != nil {
		return nil, writeError(ref, "create", o.Fields, err)
	}
	after := readTuples(out)
	names := slices.Clone(after.order)
	for _, n := range cur.order {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	rep.Updated = append(rep.Updated, Update{Ref: ref, Changes: c.changes(o, cur, after, names), Recreated: true})
	c.log.Info("configurator: recreated an object an update could not change", "object", ref.String(), "why", strings.Join(p.why, "; "))
	c.verify(o, fieldNames(o.Fields), after)
	return fieldNames(o.Fields), nil
}

// put sends fields with PUT and returns the object Asterisk answers with.
// Each value goes through its Rule's Send.
func (c *Configurator) put(ctx context.Context, ref Ref, fields []Field) ([]ari.ConfigTuple, error) {
	tuples := make([]ari.ConfigTuple, len(fields)) // never nil: "fields" is always sent
	for i, f := range fields {
		v := f.Value
		if send := c.norm.Rule(ref.Class, ref.Type, f.Name).Send; send != nil {
			v = send(v)
		}
		tuples[i] = ari.ConfigTuple{Attribute: f.Name, Value: v}
	}
	return c.api.UpdateObject(ctx, ref.Class, ref.Type, ref.ID, &resources.AsteriskUpdateObjectParams{Fields: tuples})
}

// writeError wraps the error of a PUT of fields, naming the field when
// only one was sent.
func writeError(ref Ref, op string, fields []Field, err error) *Error {
	e := newError(ref, op, err)
	if errors.Is(e.Kind, ErrRejected) {
		if len(fields) == 1 {
			e.Field = fields[0].Name
		} else {
			e.Fields = fieldNames(fields)
		}
	}
	return e
}

// changes lists the fields among names whose normalised values differ
// before and after.
func (c *Configurator) changes(o Object, before, after current, names []string) []Change {
	var out []Change
	for _, n := range names {
		rule := c.norm.Rule(o.Class, o.Type, n)
		old, _ := before.get(n)
		now, _ := after.get(n)
		same := rule.normalize(old) == rule.normalize(now)
		if rule.Accumulate {
			same = sameEntries(entries(rule, old), entries(rule, now))
		}
		if same {
			continue
		}
		if rule.Secret {
			old, now = redacted, redacted
		}
		out = append(out, Change{Field: n, Old: old, New: now})
	}
	return out
}

// verify warns about the fields among names that Asterisk, after a
// write, does not hold as declared: the normalisation of the field is
// wrong or missing, and the field would be written at every Reconcile.
func (c *Configurator) verify(o Object, names []string, after current) {
	for _, f := range o.Fields {
		if !slices.Contains(names, f.Name) {
			continue
		}
		rule := c.norm.Rule(o.Class, o.Type, f.Name)
		if rule.WriteOnly {
			continue
		}
		stored, ok := after.get(f.Name)
		same := ok && rule.normalize(stored) == rule.normalize(f.Value)
		if rule.Accumulate {
			same = sameEntries(entries(rule, stored), entries(rule, f.Value))
		}
		if same {
			continue
		}
		declared := f.Value
		if rule.Secret {
			declared, stored = redacted, redacted
		}
		if !ok && !rule.Accumulate {
			c.log.Warn("configurator: Asterisk does not return a field it accepted; it will be sent at every reconciliation (mark it WriteOnly in the Normalizers)",
				"object", o.Ref().String(), "field", f.Name)
			continue
		}
		c.log.Warn("configurator: Asterisk holds a field differently than declared; it will be sent at every reconciliation (fix the value or its Rule in the Normalizers)",
			"object", o.Ref().String(), "field", f.Name, "declared", declared, "stored", stored)
	}
}

func sameEntries(a, b []entry) bool {
	if len(a) != len(b) {
		return false
	}
	for _, e := range a {
		if !slices.ContainsFunc(b, func(x entry) bool { return x.norm == e.norm }) {
			return false
		}
	}
	return true
}

func fieldNames(fields []Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}
