package emit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"

	"gostasis.dev/gen/internal/ir"
)

// baseName is the struct every message type embeds: the members of the
// abstract bases (Message, Event) that every event carries.
const baseName = "EventBase"

// eventTypes emits events/types_gen.go: EventBase and one struct per
// message type.
func (c *ctx) eventTypes(files map[string]*jen.File) {
	f := c.newFile(c.eventsPath(), "events")
	var names []string
	for _, b := range c.api.Bases {
		names = append(names, b.Name)
	}
	doc(f, fmt.Sprintf("%s holds the members every event carries (from Asterisk's %s models). Every message type embeds it, so e.Type, e.Application, e.Timestamp and e.AsteriskID work on each.", baseName, strings.Join(names, " and ")))
	f.Type().Id(baseName).StructFunc(func(g *jen.Group) {
		for _, b := range c.api.Bases {
			for _, p := range b.Props {
				c.propDoc(g, p, b.Avail)
				g.Id(p.GoName).Add(c.fieldType(p)).Tag(jsonTag(p))
			}
		}
	})
	for _, ev := range c.api.Events {
		c.modelType(f, ev, jen.Id(baseName))
		f.Var().Id("_").Id("Event").Op("=").Parens(jen.Op("*").Id(ev.GoName())).Parens(jen.Nil())
	}
	files["ari/events/types_gen.go"] = f
}

// referencedModels lists the ari models reachable from events, sorted.
func (c *ctx) referencedModels() []*ir.Model {
	seen := map[string]*ir.Model{}
	var visit func(t *ir.Type)
	visit = func(t *ir.Type) {
		switch t.Kind {
		case ir.List:
			visit(t.Elem)
		case ir.ModelRef:
			if t.Model.Message || seen[t.Model.Name] != nil {
				return
			}
			seen[t.Model.Name] = t.Model
			for _, p := range t.Model.Props {
				visit(p.Type)
			}
		}
	}
	for _, ev := range c.api.Events {
		for _, p := range ev.AllProps() {
			visit(p.Type)
		}
	}
	out := make([]*ir.Model, 0, len(seen))
	for _, m := range seen {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GoName() < out[j].GoName() })
	return out
}

// eventCodecs emits events/codec_gen.go.
func (c *ctx) eventCodecs(files map[string]*jen.File) {
	f := c.newFile(c.eventsPath(), "events")
	w := &codec{ctx: c, pkg: c.eventsPath()}
	for _, ev := range c.api.Events {
		f.Commentf("UnmarshalJSON decodes %s in one pass without reflection. Unknown", article(ev.GoName()))
		f.Comment("keys are ignored; malformed JSON is an *ari.DecodeError saying where.")
		f.Comment("Use Decode when the type is not known in advance.")
		f.Func().Params(jen.Id("v").Op("*").Id(ev.GoName())).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
			jen.Var().Id("d").Qual(c.wirePath(), "Decoder"),
			jen.Id("d").Dot("Reset").Call(jen.String().Call(jen.Id("data"))),
			jen.If(jen.Op("!").Id("d").Dot("Null").Call()).Block(
				jen.Op("*").Id("v").Op("=").Id(ev.GoName()).Values(),
				jen.Id(decodeFunc(ev)).Call(jen.Op("&").Id("d"), jen.Id("v")),
			),
			jen.Return(jen.Id("decodeDone").Call(jen.Op("&").Id("d"), jen.Lit(ev.Name))),
		)
		f.Commentf("MarshalJSON encodes %s as Asterisk does.", article(ev.GoName()))
		f.Func().Params(jen.Id("v").Op("*").Id(ev.GoName())).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
			jen.Var().Id("e").Qual(c.wirePath(), "Encoder"),
			jen.Id(encodeFunc(ev)).Call(jen.Op("&").Id("e"), jen.Id("v")),
			jen.Return(jen.Id("e").Dot("Bytes").Call(), jen.Nil()),
		)
		w.decoder(f, ev)
		w.keyDecoder(f, ev)
		w.encoder(f, ev)
	}
	for _, m := range c.referencedModels() {
		w.keyDecoder(f, m)
		w.encoder(f, m)
	}
	files["ari/events/codec_gen.go"] = f
}

// eventIDs emits events/ids_gen.go: the Event methods of every type:
// EventType, the seal, and the unexported channel and bridge id
// extractors decided in package ir (read through AppendChannelIDs and
// AppendBridgeIDs).
func (c *ctx) eventIDs(files map[string]*jen.File) {
	f := c.newFile(c.eventsPath(), "events")
	for _, ev := range c.api.Events {
		recv := jen.Id("e").Op("*").Id(ev.GoName())
		f.Commentf("EventType returns %q.", ev.Name)
		f.Func().Params(jen.Op("*").Id(ev.GoName())).Id("EventType").Params().String().Block(jen.Return(jen.Lit(ev.Name)))
		f.Func().Params(jen.Op("*").Id(ev.GoName())).Id("isEvent").Params().Block()
		for _, kind := range []struct {
			name  string
			paths []ir.IDPath
		}{{"Channel", ev.ChannelIDs}, {"Bridge", ev.BridgeIDs}} {
			if len(kind.paths) == 0 {
				f.Func().Params(jen.Op("*").Id(ev.GoName())).Id("append" + kind.name + "IDs").Params(jen.Id("dst").Index().String()).Index().String().Block(jen.Return(jen.Id("dst")))
				continue
			}
			var fields []string
			for _, p := range kind.paths {
				s := p.PathText()
				if !p.Required {
					s += "?"
				}
				fields = append(fields, s)
			}
			f.Commentf("append%sIDs reads %s.", kind.name, strings.Join(fields, ", "))
			f.Func().Params(recv.Clone()).Id("append" + kind.name + "IDs").Params(jen.Id("dst").Index().String()).Index().String().BlockFunc(func(g *jen.Group) {
				g.Id("start").Op(":=").Len(jen.Id("dst"))
				for _, p := range kind.paths {
					c.appendID(g, p)
				}
				g.Return(jen.Id("dst"))
			})
		}
	}
	files["ari/events/ids_gen.go"] = f
}

func lower(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// appendID emits the statements appending one IDPath's ids, guarding the
// optional (pointer) steps.
func (c *ctx) appendID(g *jen.Group, p ir.IDPath) {
	expr := jen.Id("e")
	var guards []jen.Code
	for i, s := range p.Steps {
		expr = expr.Clone().Dot(s.Prop.GoName)
		last := i == len(p.Steps)-1
		if s.Optional && s.Prop.Type.Kind == ir.ModelRef && !(last && p.Source != ir.SourceModelID) {
			guards = append(guards, expr.Clone().Op("!=").Nil())
		}
	}
	var stmt jen.Code
	switch p.Source {
	case ir.SourceModelID:
		stmt = jen.Id("dst").Op("=").Id("appendID").Call(jen.Id("dst"), jen.Id("start"), expr.Clone().Dot("ID"))
	case ir.SourceString:
		stmt = jen.Id("dst").Op("=").Id("appendID").Call(jen.Id("dst"), jen.Id("start"), expr.Clone())
	case ir.SourceChannelURI:
		stmt = jen.Id("dst").Op("=").Id("appendURIID").Call(jen.Id("dst"), jen.Id("start"), expr.Clone(), jen.Lit("channel:"))
	case ir.SourceBridgeURI:
		stmt = jen.Id("dst").Op("=").Id("appendURIID").Call(jen.Id("dst"), jen.Id("start"), expr.Clone(), jen.Lit("bridge:"))
	case ir.SourceIDList:
		stmt = jen.For(jen.List(jen.Id("_"), jen.Id("id")).Op(":=").Range().Add(expr.Clone())).Block(
			jen.Id("dst").Op("=").Id("appendID").Call(jen.Id("dst"), jen.Id("start"), jen.Id("id")),
		)
	}
	if len(guards) == 0 {
		g.Add(stmt)
		return
	}
	cond := guards[0]
	for _, gd := range guards[1:] {
		cond = jen.Add(cond).Op("&&").Add(gd)
	}
	g.If(cond).Block(stmt)
}

// eventHandlers emits events/handlers_gen.go: one handler interface per
// event type and Dispatch.
func (c *ctx) eventHandlers(files map[string]*jen.File) {
	f := c.newFile(c.eventsPath(), "events")
	ctxT := jen.Qual("context", "Context")
	for _, ev := range c.api.Events {
		name := ev.GoName() + "Handler"
		doc(f, fmt.Sprintf("%s is implemented by handlers that react to %s events. Returning an error ends the handler (see the package documentation).", name, ev.Name))
		f.Type().Id(name).Interface(
			jen.Id("On"+ev.GoName()).Params(ctxT.Clone(), jen.Op("*").Id(ev.GoName())).Error(),
		)
	}
	doc(f,
		"Dispatch calls the method of h that handles e's type: OnStasisStart for a *StasisStart, OnUnknown for an *Unknown, and so on. When h has no such method but implements EventHandler, its OnEvent is called instead. Dispatch reports whether a method was called, and returns its error.",
		"A type switch on Event is checked by the compiler; Dispatch is the same switch for handlers that implement only the methods they care about.")
	f.Func().Id("Dispatch").Params(jen.Id("ctx").Add(ctxT.Clone()), jen.Id("h").Any(), jen.Id("e").Id("Event")).Params(jen.Id("handled").Bool(), jen.Err().Error()).BlockFunc(func(g *jen.Group) {
		g.Switch(jen.Id("e").Op(":=").Id("e").Assert(jen.Type())).BlockFunc(func(g *jen.Group) {
			for _, ev := range c.api.Events {
				g.Case(jen.Op("*").Id(ev.GoName())).Block(
					jen.If(jen.List(jen.Id("x"), jen.Id("ok")).Op(":=").Id("h").Assert(jen.Id(ev.GoName()+"Handler")), jen.Id("ok")).Block(
						jen.Return(jen.True(), jen.Id("x").Dot("On"+ev.GoName()).Call(jen.Id("ctx"), jen.Id("e"))),
					),
				)
			}
			g.Case(jen.Op("*").Id("Unknown")).Block(
				jen.If(jen.List(jen.Id("x"), jen.Id("ok")).Op(":=").Id("h").Assert(jen.Id("UnknownHandler")), jen.Id("ok")).Block(
					jen.Return(jen.True(), jen.Id("x").Dot("OnUnknown").Call(jen.Id("ctx"), jen.Id("e"))),
				),
			)
		})
		g.If(jen.List(jen.Id("x"), jen.Id("ok")).Op(":=").Id("h").Assert(jen.Id("EventHandler")), jen.Id("ok")).Block(
			jen.Return(jen.True(), jen.Id("x").Dot("OnEvent").Call(jen.Id("ctx"), jen.Id("e"))),
		)
		g.Return(jen.False(), jen.Nil())
	})
	files["ari/events/handlers_gen.go"] = f
}

// eventRegistry emits events/registry_gen.go: the constructor used by
// Decode and the list of known types with their releases.
func (c *ctx) eventRegistry(files map[string]*jen.File) {
	f := c.newFile(c.eventsPath(), "events")
	f.Comment("newEvent returns an empty event of type typ, or nil for a type this")
	f.Comment("build does not know.")
	f.Func().Id("newEvent").Params(jen.Id("typ").String()).Id("decodable").BlockFunc(func(g *jen.Group) {
		g.Switch(jen.Id("typ")).BlockFunc(func(g *jen.Group) {
			for _, ev := range c.api.Events {
				g.Case(jen.Lit(ev.Name)).Block(jen.Return(jen.Op("&").Id(ev.GoName()).Values()))
			}
		})
		g.Return(jen.Nil())
	})
	f.Comment("knownTypes lists the message types this build knows, sorted, with the")
	f.Comment("releases that send them.")
	f.Var().Id("knownTypes").Op("=").Index().Id("TypeInfo").ValuesFunc(func(g *jen.Group) {
		for _, ev := range c.api.Events {
			g.Values(jen.Dict{
				jen.Id("Name"):         jen.Lit(ev.Name),
				jen.Id("Availability"): c.availCode(ev.Avail),
			})
		}
	})
	files["ari/events/registry_gen.go"] = f
}
