package emit

import (
	"strconv"

	"github.com/dave/jennifer/jen"

	"gostasis.dev/gen/internal/ir"
)

// cliPath is the package of the ari command.
func (c *ctx) cliPath() string { return c.module + "/cmd/ari" }

// cliOps emits cmd/ari/ops_gen.go: for "ari call", every operation with
// what its help prints and its arguments are checked against: summary,
// notes, releases, the kind of reply, the operation a call goes to
// instead when Asterisk does not run it as described (quirks.go,
// reroutes), and each parameter's type, whether it is required, its
// default, allowed values and description. The types (callOp, callParam,
// callReroute, the kinds) are hand-written in cmd/ari.
func (c *ctx) cliOps(files map[string]*jen.File) {
	f := c.newFile(c.cliPath(), "main")
	doc(f, "callOps describes every operation for ari call, by resource then method name.")
	var ops []jen.Code
	for _, r := range c.api.Resources {
		for _, o := range r.Ops {
			ops = append(ops, multiline(jen.Null(), c.cliOpFields(o)))
		}
	}
	f.Var().Id("callOps").Op("=").Add(multiline(jen.Index().Id("callOp"), ops))
	files["cmd/ari/ops_gen.go"] = f
}

// cliOpFields are the fields of one operation's callOp literal.
func (c *ctx) cliOpFields(o *ir.Operation) []jen.Code {
	fields := []jen.Code{
		keyed("name", jen.Lit(o.Resource.Name+"."+o.Nickname)),
		keyed("result", jen.Id(cliResult(o))),
	}
	if o.ResponseClass != "" {
		fields = append(fields, keyed("class", jen.Lit(o.ResponseClass)))
	}
	if s := cleanText(o.Summary); s != "" {
		fields = append(fields, keyed("summary", jen.Lit(sentence(s))))
	}
	if s := cleanText(o.Notes); s != "" {
		fields = append(fields, keyed("notes", jen.Lit(s)))
	}
	fields = append(fields, keyed("avail", jen.Lit(c.availText(o.Avail))))
	if rr := o.Reroute; rr != nil {
		fields = append(fields, keyed("reroute", jen.Op("&").Id("callReroute").Values(
			keyed("when", jen.Lit(rr.When.Name)),
			keyed("via", jen.Lit(rr.Via.Resource.Name+"."+rr.Via.Nickname)),
			keyed("id", jen.Lit(rr.ID.Name)),
		)))
	}
	if len(o.Params) > 0 {
		var params []jen.Code
		for _, p := range o.Params {
			params = append(params, jen.Values(c.cliParamFields(p)...))
		}
		fields = append(fields, keyed("params", multiline(jen.Index().Id("callParam"), params)))
	}
	return fields
}

// cliResult names the callResult constant for o's reply.
func cliResult(o *ir.Operation) string {
	switch {
	case o.Websocket:
		return "resultWebsocket"
	case o.Binary:
		return "resultBinary"
	case o.Response == nil:
		return "resultNone"
	}
	return "resultJSON"
}

// cliKind names the paramKind constant of one value of p.
func cliKind(p *ir.Param) string {
	switch p.Body {
	case ir.BodyVars:
		return "kindVars"
	case ir.BodyStringMap:
		return "kindStringMap"
	case ir.BodyConfigTuples:
		return "kindConfigTuples"
	case ir.BodyEventFilter:
		return "kindEventFilter"
	}
	switch p.Type.Kind {
	case ir.Bool:
		return "kindBool"
	case ir.Int, ir.Long:
		return "kindInt"
	case ir.Double:
		return "kindNumber"
	case ir.EnumRef:
		return "kindEnum"
	}
	return "kindString"
}

// cliParamFields are the fields of one parameter's callParam literal.
func (c *ctx) cliParamFields(p *ir.Param) []jen.Code {
	fields := []jen.Code{
		keyed("name", jen.Lit(p.Name)),
		keyed("in", jen.Lit(p.In)),
		keyed("kind", jen.Id(cliKind(p))),
	}
	if p.Multiple {
		fields = append(fields, keyed("list", jen.True()))
	}
	if p.Required {
		fields = append(fields, keyed("required", jen.True()))
	}
	if p.CallerID {
		fields = append(fields, keyed("callerID", jen.True()))
	}
	if p.Default != "" {
		fields = append(fields, keyed("def", jen.Lit(p.Default)))
	}
	if p.Min != nil {
		fields = append(fields, keyed("min", jen.Lit(strconv.FormatFloat(*p.Min, 'f', -1, 64))))
	}
	if p.Type != nil && p.Type.Kind == ir.EnumRef {
		var vals []jen.Code
		for _, v := range p.Type.Enum.Values {
			vals = append(vals, jen.Lit(v.Value))
		}
		fields = append(fields, keyed("values", jen.Index().String().Values(vals...)))
	}
	if d := cleanText(p.Doc); d != "" {
		fields = append(fields, keyed("doc", jen.Lit(sentence(d))))
	}
	if p.Gated {
		fields = append(fields, keyed("avail", jen.Lit(c.availText(p.Avail))))
	}
	return fields
}
