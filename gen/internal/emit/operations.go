package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"gostasis.dev/gen/internal/ir"
)

func (c *ctx) gatePath() string { return c.module + "/ari/internal/gate" }

// availCode is the ari.Availability of a: a call of gate.Avail with the
// release set as a binary literal, one digit per release (the oldest is
// the last digit), and Asterisk's since versions as strings. Put
// releaseNames(a) in a comment beside it: the digits mean nothing to a
// reader.
func (c *ctx) availCode(a ir.Avail) jen.Code {
	args := []jen.Code{jen.Op(fmt.Sprintf("0b%0*b", len(c.api.Releases), a.Releases))}
	for _, s := range a.Since {
		args = append(args, jen.Lit(s))
	}
	return jen.Qual(c.gatePath(), "Avail").Call(args...)
}

// releaseNames names the releases of a for a comment: "every release" or
// "20.20.1, 22.10.1, 23.4.1", then "; since ..." when Asterisk says.
func (c *ctx) releaseNames(a ir.Avail) string {
	var names []string
	for i, r := range c.api.Releases {
		if a.Releases&(1<<uint(i)) != 0 {
			names = append(names, r.Version)
		}
	}
	s := strings.Join(names, ", ")
	switch {
	case a.Releases == c.all():
		s = "every release"
	case len(names) == 0:
		s = "no release"
	}
	if len(a.Since) > 0 {
		s += "; since " + strings.Join(a.Since, ", ")
	}
	return s
}

// multiline is a composite literal with one element per line.
func multiline(typ *jen.Statement, elems []jen.Code) *jen.Statement {
	return typ.Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, elems...)
}

// keyed is "key: value".
func keyed(key string, value jen.Code) *jen.Statement { return jen.Id(key).Op(":").Add(value) }

// operations emits resources/operations_gen.go: the table describing every
// operation (releases, parameters, errors), which the client reads for
// version gating and error reasons.
func (c *ctx) operations(files map[string]*jen.File) {
	f := c.newFile(c.resourcesPath(), "resources")
	f.ImportName(c.gatePath(), "gate")
	doc(f,
		"The operations of every release, by resource then method name.",
		fmt.Sprintf("gate.Avail reads a set of releases written in binary, one digit per release of schemas/ and the oldest last: 0b%0*b is %s only. The comment above each operation names its releases, and so does the one above each parameter that not every release of its operation has; the other parameters are wherever their operation is.", len(c.api.Releases), 1, c.api.Releases[0].Version),
	)
	f.Var().DefsFunc(func(g *jen.Group) {
		for _, r := range c.api.Resources {
			for _, o := range r.Ops {
				g.Commentf("%s.%s: %s.", r.Name, o.Nickname, c.releaseNames(o.Avail))
				g.Id(opVar(o)).Op("=").Op("&").Add(multiline(jen.Qual(c.ariPath(), "Operation"), c.operationFields(o)))
			}
		}
	})
	f.Comment("operations lists every operation, by resource then method name.")
	var all []jen.Code
	for _, r := range c.api.Resources {
		for _, o := range r.Ops {
			all = append(all, jen.Id(opVar(o)))
		}
	}
	f.Var().Id("operations").Op("=").Add(multiline(jen.Index().Op("*").Qual(c.ariPath(), "Operation"), all))
	files["ari/resources/operations_gen.go"] = f
}

// operationFields are the fields of an operation's ari.Operation literal.
func (c *ctx) operationFields(o *ir.Operation) []jen.Code {
	fields := []jen.Code{
		keyed("Resource", jen.Lit(o.Resource.Name)).Op(",").Add(keyed("Nickname", jen.Lit(o.Nickname))).
			Op(",").Add(keyed("Method", jen.Lit(o.Method))).Op(",").Add(keyed("Path", jen.Lit(o.Path))),
		keyed("Availability", c.availCode(o.Avail)),
	}
	if len(o.Errors) > 0 {
		var errs []jen.Code
		for _, e := range o.Errors {
			errs = append(errs, jen.Values(keyed("Status", jen.Lit(e.Status)), keyed("Reason", jen.Lit(cleanText(e.Reason)))))
		}
		fields = append(fields, keyed("Errors", multiline(jen.Index().Qual(c.ariPath(), "ErrorResponse"), errs)))
	}
	if len(o.Params) > 0 {
		var params []jen.Code
		for _, p := range o.Params {
			vals := []jen.Code{keyed("Name", jen.Lit(p.Name)), keyed("In", jen.Lit(p.In))}
			if p.Required {
				vals = append(vals, keyed("Required", jen.True()))
			}
			elem := jen.Null()
			if p.Gated {
				vals = append(vals, keyed("Availability", c.availCode(p.Avail)))
				elem = jen.Commentf("%s: %s.", p.Name, c.releaseNames(p.Avail)).Line()
			}
			params = append(params, elem.Values(vals...))
		}
		fields = append(fields, keyed("Params", multiline(jen.Index().Qual(c.ariPath(), "Param"), params)))
	}
	return fields
}
