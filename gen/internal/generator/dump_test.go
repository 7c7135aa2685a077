package generator

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gostasis.dev/gen/internal/ir"
)

var dump = flag.String("dump", "", "print the IR of this schemas folder (relative to the module root) and pass, e.g. -dump schemas")

// TestDumpIR prints the intermediate model for inspection:
//
//	go test ./gen/internal/generator -run DumpIR -dump schemas -v
//	go test ./gen/internal/generator -run DumpIR -dump gen/testdata/quirks/schemas -v
//
// Without -dump it is skipped.
func TestDumpIR(t *testing.T) {
	if *dump == "" {
		t.Skip("pass -dump <schemas folder> to print the IR")
	}
	dirs, err := Releases(filepath.Join(repoRoot(t), filepath.FromSlash(*dump)))
	if err != nil {
		t.Fatal(err)
	}
	api, err := Model(dirs)
	if err != nil {
		t.Fatal(err)
	}
	idPaths := func(ps []ir.IDPath) string {
		var out []string
		for _, p := range ps {
			s := p.PathText()
			if !p.Required {
				s += "?"
			}
			out = append(out, fmt.Sprintf("%s(%d)", s, p.Source))
		}
		return strings.Join(out, " ")
	}
	for _, e := range api.Events {
		t.Logf("EVENT %-28s %#x ch=[%s] br=[%s]", e.Name, e.Avail.Releases, idPaths(e.ChannelIDs), idPaths(e.BridgeIDs))
	}
	for _, b := range api.Bases {
		t.Logf("BASE %s", b.Name)
	}
	n := 0
	for _, r := range api.Resources {
		for _, o := range r.Ops {
			n++
			var ps []string
			for _, p := range o.Params {
				x := p.GoName
				if p.Gated {
					x += "!"
				}
				if p.Pointer {
					x += "*"
				}
				if p.Type != nil && p.Type.Kind == ir.EnumRef {
					x += ":" + p.Type.Enum.GoName
				}
				if p.Body != ir.NoBody {
					x += fmt.Sprintf(":body%d", p.Body)
				}
				ps = append(ps, x)
			}
			t.Logf("OP %s.%s %s %s %#x %v %v", r.GoName, o.GoName, o.Method, o.Path, o.Avail.Releases, o.Avail.Since, ps)
		}
	}
	for _, e := range api.Enums {
		t.Logf("ENUM %s %d", e.GoName, len(e.Values))
	}
	for _, e := range api.ParamEnums {
		t.Logf("PARAM ENUM %s %d", e.GoName, len(e.Values))
	}
	t.Logf("%d operations, %d models, %d events", n, len(api.Models), len(api.Events))
}
