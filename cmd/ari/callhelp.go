package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"gostasis.dev/ari"
)

// writeCallUsage prints "ari call --help": the usage, the flags and every
// operation with its summary.
func writeCallUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: ari call [flags] <resource.nickname> [key=value ...]
       ari call <resource.nickname> --help

Calls one ARI operation and prints its JSON reply ("ok" when it has none).
Parameters are given as key=value, typed as Asterisk's API description
says: integers, true/false, comma-separated lists, allowed values checked,
JSON for body parameters (variables='{"CALLERID(name)": "Alice"}').

Flags (the environment fills the ones not given):
`)
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  -%-9s %s\n", f.Name, f.Usage)
	})
	fmt.Fprintf(w, "\nOperations (%d):\n", len(callOps))
	width := 0
	for i := range callOps {
		width = max(width, len(callOps[i].name))
	}
	for i := range callOps {
		fmt.Fprintf(w, "  %-*s  %s\n", width, callOps[i].name, callOps[i].summary)
	}
}

// writeOpHelp prints "ari call <operation> --help": the summary, the
// notes, the releases, the method and path, each parameter (type,
// required, default, allowed values, description, releases) and the
// error statuses, all from the generated table and desc.
func writeOpHelp(w io.Writer, op *callOp, desc *ari.Operation) {
	fmt.Fprintf(w, "Usage: ari call %s", op.name)
	for _, p := range op.params {
		if p.required {
			fmt.Fprintf(w, " %s=...", p.name)
		}
	}
	fmt.Fprintln(w, " [key=value ...]")
	fmt.Fprintln(w)
	if op.summary != "" {
		callWrap(w, "", op.summary)
		fmt.Fprintln(w)
	}
	if op.notes != "" {
		callWrap(w, "", op.notes)
		fmt.Fprintln(w)
	}
	reply := op.class
	switch op.result {
	case resultNone:
		reply = "nothing (prints ok)"
	case resultBinary:
		reply = "binary data (written as it is)"
	case resultWebsocket:
		reply = "the events websocket (use ari events)"
	}
	fmt.Fprintf(w, "%s %s -> %s\n", desc.Method, desc.Path, reply)
	fmt.Fprintln(w, op.avail)
	if len(op.params) > 0 {
		fmt.Fprintln(w, "\nParameters:")
		for i := range op.params {
			p := &op.params[i]
			fmt.Fprintf(w, "  %s (%s)\n", p.name, callParamSummary(p))
			if p.doc != "" {
				callWrap(w, "      ", p.doc)
			}
			if p.avail != "" {
				callWrap(w, "      ", p.avail)
			}
		}
	}
	if len(desc.Errors) > 0 {
		fmt.Fprintln(w, "\nErrors:")
		for _, e := range desc.Errors {
			var b strings.Builder
			callWrap(&b, "       ", e.Reason)
			fmt.Fprintf(w, "  %d  %s", e.Status, strings.TrimPrefix(b.String(), "       "))
		}
	}
}

// callParamSummary is one parameter's type, place, whether it is required,
// its default, minimum and allowed values: "integer, query, default 30".
func callParamSummary(p *callParam) string {
	parts := []string{callTypeText(p), "in " + p.in}
	if p.required {
		parts = append(parts, "required")
	}
	if p.def != "" {
		parts = append(parts, "default "+p.def)
	}
	if p.min != "" {
		parts = append(parts, "minimum "+p.min)
	}
	if len(p.values) > 0 {
		parts = append(parts, "values: "+strings.Join(p.values, ", "))
	}
	return strings.Join(parts, ", ")
}

// callTypeText names a parameter's type as the command line takes it.
func callTypeText(p *callParam) string {
	var one string
	switch p.kind {
	case kindInt:
		one = "integer"
	case kindNumber:
		one = "number"
	case kindBool:
		one = "true or false"
	case kindEnum:
		one = "one of the values"
	case kindVars:
		return `JSON object {"name": "value" or {"value": "...", "report_events": true}}`
	case kindStringMap:
		return `JSON object {"name": "value"}`
	case kindConfigTuples:
		return `JSON object {"attribute": "value"} or [{"attribute": "...", "value": "..."}]`
	case kindEventFilter:
		return `JSON object {"allowed": [{"type": "..."}], "disallowed": [...]}`
	default:
		one = "string"
		if p.callerID {
			one = `caller id "Name" <number>`
		}
	}
	if p.list {
		if p.kind == kindEnum {
			return "comma-separated list of the values"
		}
		return "comma-separated list of " + one + "s"
	}
	return one
}

// callWrap writes text's paragraphs wrapped at 79 columns, each line
// after indent.
func callWrap(w io.Writer, indent, text string) {
	for i, para := range strings.Split(text, "\n\n") {
		if i > 0 {
			fmt.Fprintln(w)
		}
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && len(indent)+len(line)+1+len(word) > 79 {
				fmt.Fprintln(w, indent+line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		if line != "" {
			fmt.Fprintln(w, indent+line)
		}
	}
}
