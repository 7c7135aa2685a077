package emit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dave/jennifer/jen"

	"gostasis.dev/gen/internal/ir"
)

// serviceName is the type of a resource's service: the resource's Go name
// (Channels).
func serviceName(r *ir.Resource) string { return r.GoName }
func opVar(o *ir.Operation) string      { return "op" + o.Resource.GoName + o.GoName }

// paramsName names an operation's params struct after its resource and
// method (ChannelOriginateParams), without repeating the resource
// (EventWebsocketParams, not EventEventWebsocketParams).
func paramsName(o *ir.Operation) string {
	if strings.HasPrefix(o.GoName, o.Resource.Singular) {
		return o.GoName + "Params"
	}
	return o.Resource.Singular + o.GoName + "Params"
}

// structParams are the parameters that go in the params struct.
func structParams(o *ir.Operation) []*ir.Param {
	var out []*ir.Param
	for _, p := range o.Params {
		if p.In != "path" {
			out = append(out, p)
		}
	}
	return out
}

// paramType is the Go type of a query or body parameter's field.
func (c *ctx) paramType(p *ir.Param) jen.Code {
	switch p.Body {
	case ir.BodyVars:
		return jen.Qual(c.ariPath(), "Vars")
	case ir.BodyStringMap:
		return jen.Map(jen.String()).String()
	case ir.BodyConfigTuples:
		return jen.Index().Qual(c.ariPath(), "ConfigTuple")
	case ir.BodyEventFilter:
		return jen.Op("*").Qual(c.ariPath(), "EventFilter")
	}
	if p.CallerID {
		return jen.Qual(c.ariPath(), "CallerID")
	}
	var one jen.Code
	switch {
	case p.Type.Kind == ir.EnumRef && p.Type.Enum.Param:
		one = jen.Qual(c.resourcesPath(), p.Type.Enum.GoName)
	default:
		one = c.goType(p.Type, false)
	}
	switch {
	case p.Multiple:
		return jen.Index().Add(one)
	case p.Pointer:
		return jen.Op("*").Add(one)
	}
	return one
}

// resultType is the first result of an operation's method, or nil.
func (c *ctx) resultType(o *ir.Operation) jen.Code {
	switch {
	case o.Binary:
		return jen.Qual("io", "ReadCloser")
	case o.Response == nil:
		return nil
	case o.Response.Kind == ir.List:
		return c.goType(o.Response, false)
	default:
		return jen.Op("*").Add(c.goType(o.Response, false))
	}
}

// signature is the method's parameter list.
func (c *ctx) signature(o *ir.Operation) []jen.Code {
	params := []jen.Code{jen.Id("ctx").Qual("context", "Context")}
	for _, p := range o.PathParams() {
		params = append(params, jen.Id(p.ArgName).String())
	}
	if len(structParams(o)) > 0 {
		params = append(params, jen.Id("p").Op("*").Id(paramsName(o)))
	}
	return params
}

func (c *ctx) results(o *ir.Operation) []jen.Code {
	if rt := c.resultType(o); rt != nil {
		return []jen.Code{rt, jen.Error()}
	}
	return []jen.Code{jen.Error()}
}

// methodDoc documents an operation: a sentence with the summary, method,
// path and Asterisk's name, then the rest of the summary, the notes, the
// releases and the errors.
func (c *ctx) methodDoc(o *ir.Operation) []string {
	first, rest := methodSentence(o)
	paras := []string{first}
	if rest != "" {
		paras = append(paras, sentence(rest))
	}
	if n := cleanText(o.Notes); n != "" {
		paras = append(paras, sentence(n))
	}
	paras = append(paras, c.availText(o.Avail))
	if len(o.Errors) > 0 {
		var errs []string
		for _, e := range o.Errors {
			errs = append(errs, fmt.Sprintf("%d %s", e.Status, strings.TrimSuffix(cleanText(e.Reason), ".")))
		}
		paras = append(paras, "Errors: "+strings.Join(errs, "; ")+".")
	}
	return paras
}

// resources emits one file per resource: its service, methods and params
// structs.
func (c *ctx) resources(files map[string]*jen.File) {
	for _, r := range c.api.Resources {
		f := c.newFile(c.resourcesPath(), "resources")
		doc(f,
			fmt.Sprintf("%s calls the %s operations (%s), one method per operation of every release this package was generated from; Client.%s is one.", serviceName(r), r.Name, strings.TrimSuffix(cleanText(r.Doc), "."), r.GoName),
			fmt.Sprintf("%s gains methods as Asterisk releases add operations. To substitute it in a test, declare the methods the code under test calls as an interface of its own, which *%s satisfies (see the package documentation).", serviceName(r), serviceName(r)),
		)
		f.Type().Id(serviceName(r)).Id("service")
		for _, o := range r.Ops {
			c.paramsStruct(f, o)
			c.method(f, o)
		}
		files[fmt.Sprintf("ari/resources/%s_gen.go", strings.ToLower(r.Name))] = f
	}
}

func (c *ctx) paramsStruct(f *jen.File, o *ir.Operation) {
	ps := structParams(o)
	if len(ps) == 0 {
		return
	}
	doc(f, fmt.Sprintf("%s holds the parameters of %s.%s. Only the fields set (non-zero, non-nil) are sent.", paramsName(o), o.Resource.GoName, o.GoName))
	f.Type().Id(paramsName(o)).StructFunc(func(g *jen.Group) {
		for _, p := range ps {
			var notes []string
			if d := cleanText(p.Doc); d != "" {
				notes = append(notes, sentence(d))
			}
			wire := "query parameter"
			if p.In == "body" {
				wire = "body"
			}
			notes = append(notes, fmt.Sprintf("Sent as the %q %s.", p.Name, wire))
			if p.Required {
				notes = append(notes, "Required.")
			}
			notes = append(notes, formatNotes(p)...)
			if p.Default != "" {
				if p.Pointer {
					notes = append(notes, fmt.Sprintf("Asterisk's default is %s; nil sends nothing.", p.Default))
				} else {
					notes = append(notes, fmt.Sprintf("Asterisk's default is %s.", p.Default))
				}
			}
			if p.Min != nil {
				notes = append(notes, fmt.Sprintf("Minimum %g.", *p.Min))
			}
			if p.Gated {
				notes = append(notes, c.availText(p.Avail)+" Setting it on another release fails with ari.ErrUnsupported before anything is sent.")
			}
			doc(g, strings.Join(notes, " "))
			g.Id(p.GoName).Add(c.paramType(p))
		}
	})
}

var pathSegRE = regexp.MustCompile(`\{([^}]+)\}`)

// pathExpr builds the escaped request path from the template.
func (c *ctx) pathExpr(o *ir.Operation) jen.Code {
	var parts []jen.Code
	rest := o.Path
	args := map[string]string{}
	for _, p := range o.PathParams() {
		args[p.Name] = p.ArgName
	}
	for {
		loc := pathSegRE.FindStringSubmatchIndex(rest)
		if loc == nil {
			if rest != "" {
				parts = append(parts, jen.Lit(rest))
			}
			break
		}
		if loc[0] > 0 {
			parts = append(parts, jen.Lit(rest[:loc[0]]))
		}
		name := rest[loc[2]:loc[3]]
		parts = append(parts, jen.Qual(c.ariPath(), "PathEscape").Call(jen.Id(args[name])))
		rest = rest[loc[1]:]
	}
	expr := jen.Add(parts[0])
	for _, p := range parts[1:] {
		expr = expr.Op("+").Add(p)
	}
	return expr
}

func (c *ctx) method(f *jen.File, o *ir.Operation) {
	recv := jen.Id("s").Op("*").Id(serviceName(o.Resource))
	doc(f, c.methodDoc(o)...)
	if o.Websocket {
		f.Func().Params(recv).Id(o.GoName).Params(jen.Id("p").Op("*").Id(paramsName(o))).Op("*").Qual(c.ariPath(), "EventStream").BlockFunc(func(g *jen.Group) {
			g.Var().Id("cfg").Qual(c.ariPath(), "EventStreamConfig")
			g.If(jen.Id("p").Op("!=").Nil()).Block(
				jen.Id("cfg").Dot("Apps").Op("=").Id("p").Dot("App"),
				jen.Id("cfg").Dot("SubscribeAll").Op("=").Id("p").Dot("SubscribeAll"),
			)
			g.Return(jen.Id("s").Dot("client").Dot("EventStream").Call(jen.Id("cfg")))
		})
		return
	}
	f.Func().Params(recv).Id(o.GoName).Params(c.signature(o)...).Params(c.results(o)...).BlockFunc(func(g *jen.Group) {
		c.reroute(g, o)
		g.Id("r").Op(":=").Qual(c.ariPath(), "Request").Values(jen.Dict{
			jen.Id("Op"):   jen.Id(opVar(o)),
			jen.Id("Path"): c.pathExpr(o),
		})
		if ps := structParams(o); len(ps) > 0 {
			g.If(jen.Id("p").Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
				hasQuery := false
				for _, p := range ps {
					hasQuery = hasQuery || p.In == "query"
				}
				if hasQuery {
					g.Var().Id("q").Qual(c.ariPath(), "Query")
				}
				for _, p := range o.Params {
					if p.In == "path" {
						continue
					}
					c.setParam(g, o, p)
				}
				if hasQuery {
					g.Id("r").Dot("Query").Op("=").Id("q").Dot("Encode").Call()
				}
			})
		}
		switch {
		case o.Binary:
			g.Return(jen.Id("s").Dot("client").Dot("Open").Call(jen.Id("ctx"), jen.Op("&").Id("r")))
		case o.Response == nil:
			g.Return(jen.Id("s").Dot("client").Dot("Do").Call(jen.Id("ctx"), jen.Op("&").Id("r"), jen.Nil()))
		case o.Response.Kind == ir.List:
			g.Var().Id("out").Add(c.goType(o.Response, false))
			g.If(jen.Err().Op(":=").Id("s").Dot("client").Dot("Do").Call(jen.Id("ctx"), jen.Op("&").Id("r"), jen.Op("&").Id("out")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Err()),
			)
			g.Return(jen.Id("out"), jen.Nil())
		default:
			g.Id("out").Op(":=").New(c.goType(o.Response, false))
			g.If(jen.Err().Op(":=").Id("s").Dot("client").Dot("Do").Call(jen.Id("ctx"), jen.Op("&").Id("r"), jen.Id("out")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Err()),
			)
			g.Return(jen.Id("out"), jen.Nil())
		}
	})
}

// checkedAdders are the hand-written functions of package resources that
// add a parameter Asterisk parses in its own way, checking (and escaping)
// its values first: func(q *ari.Query, name string, v T) error, adding
// nothing for a zero v; addCallerID takes the name and the number.
var checkedAdders = map[ir.Split]string{
	ir.SplitPlain:   "addPlainList",
	ir.SplitAppArgs: "addStasisArgs",
	ir.SplitStrtok:  "addStrtokList",
}

// formatNotes document how a parameter's value is written on the wire.
func formatNotes(p *ir.Param) []string {
	const refused = "fails with a *ParamError before anything is sent"
	switch {
	case p.CallerID:
		return []string{
			`The client writes it as Asterisk parses it: Name <Number> (<Number> alone when Name is empty), the name in double quotes with " and \ escaped when it holds either or starts or ends with a blank; the zero value sends nothing.`,
			"A Number holding '<', or a NUL anywhere, " + refused + ".",
			"Asterisk drops the punctuation of a Number made of digits, '*', '#', '+', '(', ')', '-' and '.' (555-0100 becomes 5550100).",
		}
	case !p.Multiple:
		return nil
	}
	switch p.Split {
	case ir.SplitPlain:
		return []string{"The values are sent as one comma-separated value, which Asterisk splits at every comma: a value holding a comma or a NUL " + refused + "."}
	case ir.SplitAppArgs:
		return []string{"The values are sent as one comma-separated value, each escaped so that Stasis() receives it unchanged, one argument per value (StasisStart's args). More than 127 values, a lone empty value or a value holding a NUL " + refused + "."}
	case ir.SplitStrtok:
		return []string{"The values are sent as one comma-separated value, which Asterisk splits at every comma, dropping empty values: an empty value, or one holding a comma or a NUL, " + refused + "."}
	}
	return []string{"Several values are sent as one comma-separated value."}
}

// failWith returns err from an operation's method.
func (c *ctx) failWith(o *ir.Operation, err jen.Code) jen.Code {
	if c.resultType(o) != nil {
		return jen.Return(jen.Nil(), err)
	}
	return jen.Return(err)
}

// setParam emits: if the field is set, add it to the query or body. The
// client gates the parameters a request sends by itself.
func (c *ctx) setParam(g *jen.Group, o *ir.Operation, p *ir.Param) {
	field := jen.Id("p").Dot(p.GoName)
	var cond jen.Code
	var stmts []jen.Code
	name := jen.Lit(p.Name)
	adder, checked := checkedAdders[p.Split]
	if p.CallerID {
		adder, checked = "addCallerID", true
	}
	if checked && (p.Multiple || p.CallerID) {
		// The adder adds nothing for an unset field.
		args := []jen.Code{jen.Op("&").Id("q"), name, field}
		if p.CallerID {
			// The hand-written code does not depend on the generated
			// ari.CallerID.
			args = []jen.Code{jen.Op("&").Id("q"), name, field.Clone().Dot("Name"), field.Clone().Dot("Number")}
		}
		g.If(
			jen.Err().Op(":=").Id(adder).Call(args...),
			jen.Err().Op("!=").Nil(),
		).Block(c.failWith(o, jen.Id("refused").Call(jen.Op("&").Id("r"), jen.Err())))
		return
	}
	switch {
	case p.Body != ir.NoBody:
		cond = jen.Add(field.Clone()).Op("!=").Nil()
		if p.Body == ir.BodyEventFilter {
			stmts = append(stmts, jen.Id("r").Dot("Body").Op("=").Add(field.Clone()))
		} else {
			stmts = append(stmts, jen.Id("r").Dot("Body").Op("=").Struct(
				jen.Id("V").Add(c.paramType(p)).Tag(map[string]string{"json": p.Name}),
			).Values(field.Clone()))
		}
	case p.Multiple:
		cond = jen.Len(field.Clone()).Op(">").Lit(0)
		vals := field.Clone()
		if p.Type.Kind == ir.EnumRef {
			vals = jen.Id("strs").Call(field.Clone())
		} else if p.Type.Kind != ir.String {
			panic(fmt.Sprintf("emit: %s.%s: lists of %d are not supported", o.Resource.Name, p.Name, p.Type.Kind))
		}
		stmts = append(stmts, jen.Id("q").Dot("AddList").Call(name, vals))
	default:
		value := field.Clone()
		if p.Pointer {
			cond = jen.Add(field.Clone()).Op("!=").Nil()
			value = jen.Op("*").Add(field.Clone())
		}
		switch p.Type.Kind {
		case ir.String:
			cond = jen.Add(field.Clone()).Op("!=").Lit("")
			stmts = append(stmts, jen.Id("q").Dot("Add").Call(name, value))
		case ir.EnumRef:
			cond = jen.Add(field.Clone()).Op("!=").Lit("")
			stmts = append(stmts, jen.Id("q").Dot("Add").Call(name, jen.String().Call(value)))
		case ir.Bool:
			if !p.Pointer {
				cond = field.Clone()
			}
			stmts = append(stmts, jen.Id("q").Dot("AddBool").Call(name, value))
		case ir.Int, ir.Long:
			if !p.Pointer {
				cond = jen.Add(field.Clone()).Op("!=").Lit(0)
			}
			stmts = append(stmts, jen.Id("q").Dot("AddInt").Call(name, jen.Int64().Call(value)))
		case ir.Double:
			if !p.Pointer {
				cond = jen.Add(field.Clone()).Op("!=").Lit(0)
			}
			stmts = append(stmts, jen.Id("q").Dot("Add").Call(name, jen.Qual("strconv", "FormatFloat").Call(value, jen.LitByte('g'), jen.Lit(-1), jen.Lit(64))))
		}
	}
	if p.Required && p.Body == ir.NoBody && !p.Multiple && !p.Pointer && numeric(p.Type) {
		// A required number or boolean is always sent: its zero value is
		// a value, not "unset".
		for _, s := range stmts {
			g.Add(s)
		}
		return
	}
	g.If(cond).Block(stmts...)
}

// paramEnums emits resources/enums_gen.go.
func (c *ctx) paramEnums(files map[string]*jen.File) {
	f := c.newFile(c.resourcesPath(), "resources")
	for _, e := range c.api.ParamEnums {
		c.enumType(f, e)
	}
	files["ari/resources/enums_gen.go"] = f
}

// clientFile emits resources/client_gen.go: the Client holding every
// service, which share one struct as go-github's do.
func (c *ctx) clientFile(files map[string]*jen.File) {
	f := c.newFile(c.resourcesPath(), "resources")
	doc(f, "Client gives typed access to every ARI resource: one service per resource, each a concrete type whose methods call Asterisk through the *ari.Client given to New.")
	f.Type().Id("Client").StructFunc(func(g *jen.Group) {
		g.Id("common").Id("service").Comment("shared by every service")
		g.Line()
		for _, r := range c.api.Resources {
			g.Commentf("%s calls the %s operations.", r.GoName, r.Name)
			g.Id(r.GoName).Op("*").Id(serviceName(r))
		}
	})
	doc(f, "service is what every service holds: the transport.")
	f.Type().Id("service").Struct(jen.Id("client").Op("*").Qual(c.ariPath(), "Client"))
	f.Comment("New returns a Client whose services call Asterisk through c.")
	f.Func().Id("New").Params(jen.Id("c").Op("*").Qual(c.ariPath(), "Client")).Op("*").Id("Client").BlockFunc(func(g *jen.Group) {
		g.Id("rc").Op(":=").Op("&").Id("Client").Values(jen.Id("common").Op(":").Id("service").Values(jen.Id("client").Op(":").Id("c")))
		for _, r := range c.api.Resources {
			g.Id("rc").Dot(r.GoName).Op("=").Parens(jen.Op("*").Id(serviceName(r))).Parens(jen.Op("&").Id("rc").Dot("common"))
		}
		g.Return(jen.Id("rc"))
	})
	files["ari/resources/client_gen.go"] = f
}

// numeric reports a number or boolean parameter type.
func numeric(t *ir.Type) bool {
	switch t.Kind {
	case ir.Bool, ir.Int, ir.Long, ir.Double:
		return true
	}
	return false
}
