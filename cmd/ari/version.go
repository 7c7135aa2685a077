package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

const versionUsage = `Usage: ari version [-json]

Prints the server's Asterisk version (GET /ari/asterisk/info), then the
operations of this SDK that this version lacks, and the parameters it lacks
of the operations it has (a call using them would fail with
ari.ErrUnsupported). A development build without a release number has
everything: version checks are off for it.

Flags:
`

// versionReport is what `ari version -json` prints.
type versionReport struct {
	// Version is the server's version as reported, or "" for a
	// development build.
	Version string `json:"version"`
	// Operations counts the operations this build knows.
	Operations int `json:"operations"`
	// Lacks are the operations the version lacks.
	Lacks []lackedOp `json:"lacks"`
	// LacksParams are the parameters it lacks of operations it has.
	LacksParams []lackedParam `json:"lacks_params"`
}

type lackedOp struct {
	Operation    string `json:"operation"` // resource.nickname
	Method       string `json:"method"`
	Path         string `json:"path"`
	Availability string `json:"availability"`
}

type lackedParam struct {
	Operation    string `json:"operation"`
	Param        string `json:"param"`
	Availability string `json:"availability"`
}

// runVersion runs `ari version`.
func runVersion(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ari version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), versionUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("version: unexpected argument %q", fs.Arg(0))
	}
	client, _, err := cf.client(env, nil)
	if err != nil {
		return err
	}
	v, err := client.Version(ctx)
	if err != nil {
		return err
	}
	rep := lacks(v)
	if *asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	if v.IsZero() {
		fmt.Fprintf(stdout, "Asterisk development build (no release number): version checks are off, nothing is refused\n")
		return nil
	}
	fmt.Fprintf(stdout, "Asterisk %s\n", v)
	if len(rep.Lacks) == 0 {
		fmt.Fprintf(stdout, "has all %d operations of this build\n", rep.Operations)
	} else {
		fmt.Fprintf(stdout, "lacks %d of the %d operations of this build:\n", len(rep.Lacks), rep.Operations)
		for _, l := range rep.Lacks {
			fmt.Fprintf(stdout, "  %-36s %-6s %-44s %s\n", l.Operation, l.Method, l.Path, l.Availability)
		}
	}
	if len(rep.LacksParams) > 0 {
		fmt.Fprintf(stdout, "lacks %d parameters of operations it has:\n", len(rep.LacksParams))
		for _, l := range rep.LacksParams {
			fmt.Fprintf(stdout, "  %-36s %-24s %s\n", l.Operation, l.Param, l.Availability)
		}
	}
	return nil
}

// lacks lists what version v lacks of the operations of this build. The
// zero Version (a development build) lacks nothing.
func lacks(v ari.Version) versionReport {
	ops := resources.Operations()
	rep := versionReport{Operations: len(ops), Lacks: []lackedOp{}, LacksParams: []lackedParam{}}
	if v.IsZero() {
		return rep
	}
	rep.Version = v.String()
	for _, op := range ops {
		name := op.Resource + "." + op.Nickname
		if !op.Availability.IsZero() && !op.Availability.In(v) {
			rep.Lacks = append(rep.Lacks, lackedOp{Operation: name, Method: op.Method, Path: op.Path, Availability: op.Availability.Describe()})
			continue
		}
		for _, p := range op.Params {
			if !p.Availability.IsZero() && !p.Availability.In(v) {
				rep.LacksParams = append(rep.LacksParams, lackedParam{Operation: name, Param: p.Name, Availability: p.Availability.Describe()})
			}
		}
	}
	return rep
}
