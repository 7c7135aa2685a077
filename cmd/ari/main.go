package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the exit status: 0 for none
// (or -h), 2 for a usage error, 1 for any other.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	var ae *callArgError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintln(stderr, prefixed(ue.err))
		}
		return 2
	case errors.As(err, &ae):
		fmt.Fprintln(stderr, prefixed(err)) // a call's arguments: a usage error
		return 2
	default:
		fmt.Fprintln(stderr, prefixed(err))
		return 1
	}
}

// prefixed returns err's text after "ari: ", once: the SDK's own errors
// start with it already.
func prefixed(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "ari: ") {
		return msg
	}
	return "ari: " + msg
}

// usageError is a command line the program cannot run.
type usageError struct {
	err     error
	printed bool // the flag package printed it already
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usage error.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// parseFlags parses args into fs, turning its errors into usage errors
// (flag.ErrHelp stays as it is).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &usageError{err: err, printed: true}
}

// command is one subcommand: its function and one line about it.
type command struct {
	run  func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
	help string
}

// commands are the subcommands, by name.
var commands = map[string]command{
	"events":  {runEvents, "tail the events of Stasis applications (pretty or JSON lines)"},
	"call":    {runCall, "call an operation: ari call channels.originate endpoint=PJSIP/alice app=demo"},
	"record":  {runRecord, "record the events of applications and the REST exchanges to a file"},
	"replay":  {runReplay, "play a recorded session into a simulated Asterisk (aritest), or print its events"},
	"version": {runVersion, "the server's Asterisk version and the operations it lacks"},
}

var commandOrder = []string{"events", "call", "record", "replay", "version"}

const mainUsage = `Usage: ari [-url URL] [-user NAME] [-password SECRET] <command> [arguments]

ari talks to Asterisk's REST Interface (ARI). The connection settings come
from the flags (before or after the command's name), else from ARI_URL,
ARI_USERNAME and ARI_PASSWORD; the URL defaults to http://127.0.0.1:8088.

Commands:
`

// run runs the command line args (without the program's name), reading
// settings from env and writing to stdout and stderr.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ari", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), mainUsage)
		for _, name := range commandOrder {
			fmt.Fprintf(fs.Output(), "  %-8s %s\n", name, commands[name].help)
		}
		fmt.Fprint(fs.Output(), "\n`ari <command> -h` describes a command.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &usageError{err: errors.New("no command"), printed: true}
	}
	name := fs.Arg(0)
	if name == "help" {
		if fs.NArg() > 1 {
			if c, ok := commands[fs.Arg(1)]; ok {
				return c.run(ctx, []string{"-h"}, env, stdout, stdout)
			}
		}
		fs.SetOutput(stdout)
		fs.Usage()
		return nil
	}
	c, ok := commands[name]
	if !ok {
		fs.Usage()
		return &usageError{err: fmt.Errorf("unknown command %q", name)}
	}
	return c.run(ctx, fs.Args()[1:], overlayEnv(env, cf), stdout, stderr)
}

// overlayEnv returns env with ARI_URL, ARI_USERNAME and ARI_PASSWORD taken
// from the flags given before the command's name, where set.
func overlayEnv(env func(string) string, cf clientFlags) func(string) string {
	return func(k string) string {
		switch {
		case k == "ARI_URL" && cf.url != "":
			return cf.url
		case k == "ARI_USERNAME" && cf.user != "":
			return cf.user
		case k == "ARI_PASSWORD" && cf.password != "":
			return cf.password
		}
		return env(k)
	}
}
