package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"gostasis.dev/gen/internal/ir"
)

// codec writes reflection-free decoders and encoders for models, on top of
// package wire. The same emitter serves package ari (its own models) and
// package events (events, and private copies for the ari models events
// embed, which reach presence through Has/MarkPresent).
type codec struct {
	*ctx
	// pkg is the import path of the file being written.
	pkg string
}

func decodeFunc(m *ir.Model) string { return "decode" + m.GoName() }
func encodeFunc(m *ir.Model) string { return "encode" + m.GoName() }

// own reports whether m's type is declared in the package being written,
// so its presence bits can be used directly.
func (w *codec) own(m *ir.Model) bool {
	if m.Message {
		return w.pkg == w.eventsPath()
	}
	return w.pkg == w.ariPath()
}

func (w *codec) props(m *ir.Model) []*ir.Prop {
	if m.Message {
		return m.AllProps()
	}
	return m.Props
}

// presenceIndex maps optional scalar properties to their bit.
func presenceIndex(m *ir.Model) map[*ir.Prop]int {
	idx := map[*ir.Prop]int{}
	for i, p := range ir.OptionalScalars(m) {
		idx[p] = i
	}
	return idx
}

// markPresent records that optional scalar member bit i of v was read.
// Events keep their bits in a field; ari models embed a presence.Set,
// whose methods the events package can call on the models it decodes.
func markPresent(m *ir.Model, i int) jen.Code {
	bit := jen.Lit(uint64(1) << uint(i))
	if m.Message {
		return jen.Id("v").Dot("present").Op("|=").Add(bit)
	}
	return jen.Id("v").Dot("MarkBit").Call(bit)
}

// wasPresent reports whether optional scalar member bit i of v was read.
func wasPresent(m *ir.Model, i int) jen.Code {
	bit := jen.Lit(uint64(1) << uint(i))
	if m.Message {
		return jen.Id("v").Dot("present").Op("&").Add(bit).Op("!=").Lit(0)
	}
	return jen.Id("v").Dot("HasBit").Call(bit)
}

func wireDecoder(w *codec) jen.Code { return jen.Op("*").Qual(w.wirePath(), "Decoder") }
func wireEncoder(w *codec) jen.Code { return jen.Op("*").Qual(w.wirePath(), "Encoder") }

// decoder emits func decodeM(d *wire.Decoder, v *M) reading an object.
func (w *codec) decoder(f *jen.File, m *ir.Model) {
	f.Commentf("%s reads %s object; unknown keys are skipped.", decodeFunc(m), article(m.Name))
	f.Func().Id(decodeFunc(m)).Params(jen.Id("d").Add(wireDecoder(w)), jen.Id("v").Op("*").Add(w.modelQual(m))).BlockFunc(func(g *jen.Group) {
		g.If(jen.Op("!").Id("d").Dot("Object").Call()).Block(jen.Return())
		g.For().BlockFunc(func(g *jen.Group) {
			g.List(jen.Id("k"), jen.Id("ok")).Op(":=").Id("d").Dot("Key").Call()
			g.If(jen.Op("!").Id("ok")).Block(jen.Return())
			g.Id("v").Dot("decodeKey").Call(jen.Id("d"), jen.Id("k"))
		})
	})
}

// keyDecoder emits (v *M) decodeKey(d, key): decode one member. For ari
// models decoded from another package it is a function instead.
func (w *codec) keyDecoder(f *jen.File, m *ir.Model) {
	idx := presenceIndex(m)
	body := func(g *jen.Group) {
		g.Id("d").Dot("SetKeyContext").Call(jen.Id("key"))
		g.Switch(jen.Id("key")).BlockFunc(func(g *jen.Group) {
			for _, p := range w.props(m) {
				g.Case(jen.Lit(p.JSON)).BlockFunc(func(g *jen.Group) {
					if m.Message && p.JSON == discriminatorOf(m) {
						// UnmarshalJSON of one type refuses another's JSON.
						g.If(jen.Id("t").Op(":=").Id("d").Dot("String").Call(), jen.Id("t").Op("!=").Lit(m.Name).Op("&&").Id("d").Dot("Err").Call().Op("==").Nil()).Block(
							jen.Id("d").Dot("Fail").Call(jen.Lit(fmt.Sprintf("%s is not %q: ", p.JSON, m.Name)).Op("+").Qual("strconv", "Quote").Call(jen.Id("t"))),
						)
						g.Id("v").Dot(p.GoName).Op("=").Lit(m.Name)
						return
					}
					i, optional := idx[p]
					if !optional {
						w.decodeInto(g, jen.Id("v").Dot(p.GoName), p.Type, !p.Required)
						return
					}
					// An optional member sent as null is absent.
					g.If(jen.Op("!").Id("d").Dot("Null").Call()).BlockFunc(func(g *jen.Group) {
						w.decodeInto(g, jen.Id("v").Dot(p.GoName), p.Type, true)
						g.Add(markPresent(m, i))
					})
				})
			}
			g.Default().Block(jen.Id("d").Dot("Skip").Call())
		})
	}
	if w.own(m) {
		f.Commentf("decodeKey reads the value of one member of %s object.", article(m.Name))
		f.Func().Params(jen.Id("v").Op("*").Add(w.modelQual(m))).Id("decodeKey").Params(jen.Id("d").Add(wireDecoder(w)), jen.Id("key").String()).BlockFunc(body)
		return
	}
	// A foreign model: decodeM inlines the member switch.
	f.Commentf("%s reads %s object; unknown keys are skipped.", decodeFunc(m), article(m.Name))
	f.Func().Id(decodeFunc(m)).Params(jen.Id("d").Add(wireDecoder(w)), jen.Id("v").Op("*").Add(w.modelQual(m))).BlockFunc(func(g *jen.Group) {
		g.If(jen.Op("!").Id("d").Dot("Object").Call()).Block(jen.Return())
		g.For().BlockFunc(func(g *jen.Group) {
			g.List(jen.Id("key"), jen.Id("ok")).Op(":=").Id("d").Dot("Key").Call()
			g.If(jen.Op("!").Id("ok")).Block(jen.Return())
			body(g)
		})
	})
}

// decodeInto emits statements decoding the next value into target.
func (w *codec) decodeInto(g *jen.Group, target *jen.Statement, t *ir.Type, optional bool) {
	d := jen.Id("d")
	switch t.Kind {
	case ir.String:
		g.Add(target).Op("=").Add(d).Dot("String").Call()
	case ir.Bool:
		g.Add(target).Op("=").Add(d).Dot("Bool").Call()
	case ir.Int:
		g.Add(target).Op("=").Add(d).Dot("Int").Call()
	case ir.Long:
		g.Add(target).Op("=").Add(d).Dot("Int64").Call()
	case ir.Double:
		g.Add(target).Op("=").Add(d).Dot("Float64").Call()
	case ir.Date:
		g.Add(target).Op("=").Qual(w.ariPath(), "Time").Values(jen.Id("Time").Op(":").Add(d).Dot("Time").Call())
	case ir.EnumRef:
		g.Add(target).Op("=").Qual(w.ariPath(), t.Enum.GoName).Call(jen.Id("d").Dot("String").Call())
	case ir.StringMap:
		g.Add(target).Op("=").Add(d).Dot("StringMap").Call()
	case ir.Raw:
		g.If(jen.Id("d").Dot("Null").Call()).Block(
			jen.Add(target).Op("=").Nil(),
		).Else().Block(
			jen.Add(target).Op("=").Qual("encoding/json", "RawMessage").Call(jen.Id("d").Dot("Raw").Call()),
		)
	case ir.ModelRef:
		if optional {
			g.If(jen.Id("d").Dot("Null").Call()).Block(
				jen.Add(target).Op("=").Nil(),
			).Else().Block(
				jen.Add(target).Op("=").New(w.modelQual(t.Model)),
				jen.Id(decodeFunc(t.Model)).Call(jen.Id("d"), target),
			)
			return
		}
		g.Id(decodeFunc(t.Model)).Call(jen.Id("d"), jen.Op("&").Add(target))
	case ir.List:
		if t.Elem.Kind == ir.String {
			g.Add(target).Op("=").Add(d).Dot("Strings").Call()
			return
		}
		g.If(jen.Op("!").Id("d").Dot("Array").Call()).Block(
			jen.Add(target).Op("=").Nil(),
		).Else().BlockFunc(func(g *jen.Group) {
			g.Id("list").Op(":=").Add(w.goType(t, false)).Values()
			g.For(jen.Id("d").Dot("More").Call()).BlockFunc(func(g *jen.Group) {
				g.Var().Id("x").Add(w.goType(t.Elem, false))
				w.decodeInto(g, jen.Id("x"), t.Elem, false)
				g.Id("list").Op("=").Append(jen.Id("list"), jen.Id("x"))
			})
			g.Add(target).Op("=").Id("list")
		})
	default:
		panic(fmt.Sprintf("emit: cannot decode kind %d", t.Kind))
	}
}

// encoder emits func encodeM(e *wire.Encoder, v *M).
func (w *codec) encoder(f *jen.File, m *ir.Model) {
	idx := presenceIndex(m)
	f.Commentf("%s writes %s object.", encodeFunc(m), article(m.Name))
	f.Func().Id(encodeFunc(m)).Params(jen.Id("e").Add(wireEncoder(w)), jen.Id("v").Op("*").Add(w.modelQual(m))).BlockFunc(func(g *jen.Group) {
		g.Id("e").Dot("ObjectStart").Call()
		for _, p := range w.props(m) {
			field := jen.Id("v").Dot(p.GoName)
			write := func(g *jen.Group) {
				g.Id("e").Dot("Key").Call(jen.Lit(p.JSON))
				if m.Message && p.JSON == discriminatorOf(m) {
					g.Id("e").Dot("String").Call(jen.Lit(m.Name))
					return
				}
				w.encodeValue(g, field, p.Type, p.Required)
			}
			switch {
			case p.Required:
				write(g)
			case p.Type.Scalar():
				g.If(jen.Add(nonZero(field.Clone(), p.Type)).Op("||").Add(wasPresent(m, idx[p]))).BlockFunc(write)
			case p.Type.Kind == ir.Raw:
				g.If(jen.Len(field.Clone()).Op(">").Lit(0)).BlockFunc(write)
			default:
				g.If(field.Clone().Op("!=").Nil()).BlockFunc(write)
			}
		}
		g.Id("e").Dot("ObjectEnd").Call()
	})
}

func discriminatorOf(m *ir.Model) string {
	for r := m; r != nil; r = r.Parent {
		if r.Discriminator != "" {
			return r.Discriminator
		}
	}
	return ""
}

func nonZero(field *jen.Statement, t *ir.Type) jen.Code {
	switch t.Kind {
	case ir.String, ir.EnumRef:
		return field.Op("!=").Lit("")
	case ir.Bool:
		return field
	case ir.Int, ir.Long, ir.Double:
		return field.Op("!=").Lit(0)
	case ir.Date:
		return jen.Op("!").Add(field).Dot("IsZero").Call()
	}
	panic("emit: not a scalar")
}

// encodeValue emits statements writing value; required containers are
// never null.
func (w *codec) encodeValue(g *jen.Group, value *jen.Statement, t *ir.Type, required bool) {
	e := jen.Id("e")
	switch t.Kind {
	case ir.String:
		g.Add(e).Dot("String").Call(value)
	case ir.Bool:
		g.Add(e).Dot("Bool").Call(value)
	case ir.Int:
		g.Add(e).Dot("Int").Call(value)
	case ir.Long:
		g.Add(e).Dot("Int64").Call(value)
	case ir.Double:
		g.Add(e).Dot("Float64").Call(value)
	case ir.Date:
		g.Add(e).Dot("Time").Call(value.Dot("Time"))
	case ir.EnumRef:
		g.Add(e).Dot("String").Call(jen.String().Call(value))
	case ir.Raw:
		if required {
			g.If(jen.Len(value.Clone()).Op("==").Lit(0)).Block(
				jen.Id("e").Dot("Raw").Call(jen.Lit("{}")),
			).Else().Block(
				jen.Id("e").Dot("Raw").Call(jen.String().Call(value)),
			)
			return
		}
		g.Add(e).Dot("Raw").Call(jen.String().Call(value))
	case ir.StringMap:
		if required {
			g.If(value.Clone().Op("==").Nil()).Block(
				jen.Id("e").Dot("ObjectStart").Call(), jen.Id("e").Dot("ObjectEnd").Call(),
			).Else().Block(jen.Id("e").Dot("StringMap").Call(value))
			return
		}
		g.Add(e).Dot("StringMap").Call(value)
	case ir.ModelRef:
		if required {
			g.Id(encodeFunc(t.Model)).Call(jen.Id("e"), jen.Op("&").Add(value))
		} else {
			g.Id(encodeFunc(t.Model)).Call(jen.Id("e"), value)
		}
	case ir.List:
		g.Id("e").Dot("ArrayStart").Call()
		g.For(jen.Id("i").Op(":=").Range().Add(value.Clone())).BlockFunc(func(g *jen.Group) {
			w.encodeValue(g, value.Clone().Index(jen.Id("i")), t.Elem, true)
		})
		g.Id("e").Dot("ArrayEnd").Call()
	default:
		panic(fmt.Sprintf("emit: cannot encode kind %d", t.Kind))
	}
}
