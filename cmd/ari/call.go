package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// callDefaultURL is the server called when neither -url nor ARI_URL is
// set: a local Asterisk.
const callDefaultURL = "http://127.0.0.1:8088"

// runCall runs "ari call <resource.nickname> key=value ...": it checks the
// arguments against the operation table generated from Asterisk's API
// description (ops_gen.go), sends the call, and prints the JSON reply, or
// "ok" for an operation without one. "ari call --help" lists the
// operations; "ari call <operation> --help" (or -h) describes one.
//
// The connection comes from the flags -url, -user and -password, or else
// from ARI_URL, ARI_USERNAME and ARI_PASSWORD (read through env); the URL
// defaults to callDefaultURL. An argument refused before sending is a
// *callArgError; an error Asterisk answered is the client's *ari.Error,
// which carries Asterisk's message. A call that Asterisk does not run as
// described goes where the generated clients send it (callReroute), with
// a note on stderr.
func runCall(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ari call", flag.ContinueOnError)
	// Parse errors are returned, not printed; help goes to stdout.
	fs.SetOutput(io.Discard)
	url := fs.String("url", "", "Asterisk's HTTP server (default $ARI_URL, else "+callDefaultURL+")")
	user := fs.String("user", "", "ARI user name (default $ARI_USERNAME)")
	password := fs.String("password", "", "ARI user's password (default $ARI_PASSWORD)")
	fs.Usage = func() {}
	help := func() error {
		writeCallUsage(stdout, fs)
		return nil
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return help()
		}
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 || rest[0] == "help" {
		return help()
	}
	name := rest[0]
	op := findCallOp(name)
	if op == nil {
		return &callArgError{Op: name, Problem: "unknown operation" + callSuggest(name, callOpNames()) + " (ari call --help lists them)"}
	}
	desc := callOperation(op.name)
	if desc == nil {
		return &callArgError{Op: name, Problem: "not in package resources: cmd/ari/ops_gen.go is stale (run go generate ./...)"}
	}

	// Flags may also follow the operation (a parameter never starts with
	// '-'); key=value arguments are the rest.
	var kv []string
	for rest = rest[1:]; len(rest) > 0; {
		arg := rest[0]
		switch {
		case arg == "-h" || arg == "-help" || arg == "--help" || arg == "help":
			writeOpHelp(stdout, op, desc)
			return nil
		case strings.HasPrefix(arg, "-"):
			if err := fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
				writeOpHelp(stdout, op, desc)
				return nil
			} else if err != nil {
				return err
			}
			rest = fs.Args()
		default:
			kv = append(kv, arg)
			rest = rest[1:]
		}
	}

	if op.result == resultWebsocket {
		return &callArgError{Op: op.name, Problem: "opens the events websocket: use ari events"}
	}
	values, err := callArgs(op, kv)
	if err != nil {
		return err
	}
	if via, rerouted, err := callRerouted(op, values); err != nil {
		return err
	} else if via != op {
		fmt.Fprintf(stderr, "ari call: %s with %s is sent as %s (see ari call %s --help)\n", op.name, op.reroute.when, via.name, op.name)
		op, values = via, rerouted
		if desc = callOperation(op.name); desc == nil {
			return &callArgError{Op: op.name, Problem: "not in package resources: cmd/ari/ops_gen.go is stale (run go generate ./...)"}
		}
	}
	r, err := callRequest(op, desc, values)
	if err != nil {
		return err
	}
	cfg := ari.Config{URL: callFirstSet(*url, env("ARI_URL")), Username: callFirstSet(*user, env("ARI_USERNAME")), Password: callFirstSet(*password, env("ARI_PASSWORD"))}
	if cfg.URL == "" {
		cfg.URL = callDefaultURL
	}
	client, err := ari.NewClient(cfg)
	if err != nil {
		return err
	}
	return callSend(ctx, client, op, r, stdout)
}

// callSend sends r and prints the reply.
func callSend(ctx context.Context, client *ari.Client, op *callOp, r *ari.Request, stdout io.Writer) error {
	switch op.result {
	case resultNone:
		if err := client.Do(ctx, r, nil); err != nil {
			return err
		}
		_, err := fmt.Fprintln(stdout, "ok")
		return err
	case resultBinary:
		body, err := client.Open(ctx, r)
		if err != nil {
			return err
		}
		defer body.Close()
		_, err = io.Copy(stdout, body)
		return err
	}
	var raw json.RawMessage
	if err := client.Do(ctx, r, &raw); err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return fmt.Errorf("ari call %s: reply is not JSON: %w", op.name, err)
	}
	out.WriteByte('\n')
	_, err := stdout.Write(out.Bytes())
	return err
}

// callOperation returns package resources' description of the operation
// called name ("channels.originate"), or nil.
func callOperation(name string) *ari.Operation {
	for _, op := range resources.Operations() {
		if op.String() == name {
			return op
		}
	}
	return nil
}

func callOpNames() []string {
	out := make([]string, len(callOps))
	for i := range callOps {
		out[i] = callOps[i].name
	}
	return out
}

func callFirstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
