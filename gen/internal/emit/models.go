package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"gostasis.dev/gen/internal/ir"
)

// releases emits ari/releases_gen.go: the releases the build knows.
func (c *ctx) releases(files map[string]*jen.File) {
	f := c.newFile(c.ariPath(), "ari")
	f.Comment("knownReleases lists the releases in schemas/, oldest first.")
	f.Var().Id("knownReleases").Op("=").Index(jen.Op("...")).Id("Version").ValuesFunc(func(g *jen.Group) {
		for _, r := range c.api.Releases {
			g.Values(jen.Lit(r.Major), jen.Lit(r.Minor), jen.Lit(r.Patch))
		}
	})
	files["ari/releases_gen.go"] = f
}

// models emits one file per declaration file with its non-event models.
func (c *ctx) models(files map[string]*jen.File) {
	byRes := map[string][]*ir.Model{}
	for _, m := range c.api.Models {
		byRes[m.Resource] = append(byRes[m.Resource], m)
	}
	for res, ms := range byRes {
		f := c.newFile(c.ariPath(), "ari")
		for _, m := range ms {
			c.modelType(f, m, nil)
		}
		files[fmt.Sprintf("ari/models_%s_gen.go", strings.ToLower(res))] = f
	}
}

// modelType emits the struct of m; embed is an embedded base type or nil.
func (c *ctx) modelType(f *jen.File, m *ir.Model, embed jen.Code) {
	doc(f, typeDoc(m), c.availText(m.Avail)+" Members are in all of these releases unless noted.")
	f.Type().Id(m.GoName()).StructFunc(func(g *jen.Group) {
		if embed != nil {
			g.Add(embed)
			if len(m.Props) > 0 {
				g.Line()
			}
		}
		for _, p := range m.Props {
			c.propDoc(g, p, m.Avail)
			g.Id(p.GoName).Add(c.fieldType(p)).Tag(jsonTag(p))
		}
		if len(ir.OptionalScalars(m)) > 0 {
			g.Line()
			g.Comment("The optional scalar members decoded from JSON, so that a zero")
			g.Comment("value Asterisk sent is written back (see ari.Has).")
			if m.Message {
				g.Id("present").Uint64()
			} else {
				g.Id("presenceSet")
			}
		}
	})
}

// enums emits ari/enums_gen.go with the enums of model properties.
func (c *ctx) enums(files map[string]*jen.File) {
	f := c.newFile(c.ariPath(), "ari")
	for _, e := range c.api.Enums {
		c.enumType(f, e)
	}
	files["ari/enums_gen.go"] = f
}

// enumType emits an open string enum: a defined string type whose
// constants are the values Asterisk documents; any other value decodes
// and encodes unchanged.
func (c *ctx) enumType(f *jen.File, e *ir.Enum) {
	doc(f, e.Doc+" The set is open: Asterisk may send values this build does not list (a newer release, or \"Unknown (N)\"), and they are kept as they are.")
	f.Type().Id(e.GoName).String()
	f.Line()
	f.Comment("The values of " + e.GoName + " Asterisk documents.")
	f.Const().DefsFunc(func(g *jen.Group) {
		for _, v := range e.Values {
			if v.Avail.Releases != e.Avail.Releases {
				g.Comment(c.availText(v.Avail))
			}
			g.Id(e.GoName + v.GoName).Id(e.GoName).Op("=").Lit(v.Value)
		}
	})
	f.Line()
	f.Commentf("Known reports whether v is one of the values this build knows.")
	f.Func().Params(jen.Id("v").Id(e.GoName)).Id("Known").Params().Bool().BlockFunc(func(g *jen.Group) {
		g.Switch(jen.Id("v")).BlockFunc(func(g *jen.Group) {
			g.CaseFunc(func(g *jen.Group) {
				for _, v := range e.Values {
					g.Id(e.GoName + v.GoName)
				}
			}).Block(jen.Return(jen.True()))
		})
		g.Return(jen.False())
	})
}

// modelCodecs emits ari/codec_gen.go: JSON methods and codec functions of
// every ari model.
func (c *ctx) modelCodecs(files map[string]*jen.File) {
	f := c.newFile(c.ariPath(), "ari")
	w := &codec{ctx: c, pkg: c.ariPath()}
	for _, m := range c.api.Models {
		f.Commentf("UnmarshalJSON decodes %s in one pass without reflection. Unknown", article(m.GoName()))
		f.Comment("keys are ignored; malformed JSON is a *DecodeError saying where.")
		f.Func().Params(jen.Id("v").Op("*").Id(m.GoName())).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
			jen.Var().Id("d").Qual(c.wirePath(), "Decoder"),
			jen.Id("d").Dot("Reset").Call(jen.String().Call(jen.Id("data"))),
			jen.If(jen.Op("!").Id("d").Dot("Null").Call()).Block(
				jen.Op("*").Id("v").Op("=").Id(m.GoName()).Values(),
				jen.Id(decodeFunc(m)).Call(jen.Op("&").Id("d"), jen.Id("v")),
			),
			jen.Return(jen.Id("decodeDone").Call(jen.Op("&").Id("d"), jen.Lit(m.Name))),
		)
		f.Commentf("MarshalJSON encodes %s as Asterisk does.", article(m.GoName()))
		f.Func().Params(jen.Id("v").Id(m.GoName())).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
			jen.Var().Id("e").Qual(c.wirePath(), "Encoder"),
			jen.Id(encodeFunc(m)).Call(jen.Op("&").Id("e"), jen.Op("&").Id("v")),
			jen.Return(jen.Id("e").Dot("Bytes").Call(), jen.Nil()),
		)
		w.decoder(f, m)
		w.keyDecoder(f, m)
		w.encoder(f, m)
	}
	files["ari/codec_gen.go"] = f
}

// typeDoc is the first paragraph of a model's or event's doc comment.
func typeDoc(m *ir.Model) string {
	kind := "model"
	if m.Message {
		kind = "message"
		if m.Parent != nil && m.Parent.Parent != nil {
			kind = "event"
		}
	}
	text := cleanText(m.Doc)
	if text == "" {
		return fmt.Sprintf("%s is Asterisk's %q %s.", m.GoName(), m.Name, kind)
	}
	return fmt.Sprintf("%s is Asterisk's %q %s: %s", m.GoName(), m.Name, kind, sentence(text))
}
