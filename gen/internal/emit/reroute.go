package emit

import (
	"github.com/dave/jennifer/jen"

	"gostasis.dev/gen/internal/ir"
)

// reroute emits, first in the method of an operation with a Reroute, the
// call of its sibling when the rerouting parameter is set, e.g.
//
//	if p != nil && p.Variables != nil {
//		bridgeID := p.BridgeID
//		if bridgeID == "" {
//			bridgeID = newID()
//		}
//		return s.CreateWithID(ctx, bridgeID, &BridgeCreateWithIDParams{Type: p.Type, ...})
//	}
//
// newID is hand-written in package resources.
func (c *ctx) reroute(g *jen.Group, o *ir.Operation) {
	rr := o.Reroute
	if rr == nil {
		return
	}
	id := rr.Via.PathParams()[0].ArgName
	args := jen.Dict{}
	for _, a := range rr.Args {
		args[jen.Id(a[1].GoName)] = jen.Id("p").Dot(a[0].GoName)
	}
	call := []jen.Code{jen.Id("ctx"), jen.Id(id)}
	if len(structParams(rr.Via)) > 0 {
		call = append(call, jen.Op("&").Id(paramsName(rr.Via)).Values(args))
	}
	g.Comment("Asterisk does not run this operation as described with " + rr.When.GoName + " set (see the method's documentation).")
	g.If(jen.Id("p").Op("!=").Nil().Op("&&").Id("p").Dot(rr.When.GoName).Op("!=").Nil()).Block(
		jen.Id(id).Op(":=").Id("p").Dot(rr.ID.GoName),
		jen.If(jen.Id(id).Op("==").Lit("")).Block(
			jen.Id(id).Op("=").Id("newID").Call(),
		),
		jen.Return(jen.Id("s").Dot(rr.Via.GoName).Call(call...)),
	)
}
