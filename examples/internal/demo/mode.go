package demo

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"gostasis.dev/stasis"
)

// Mode is how the runtime and Asterisk talk (the -transport flag,
// ARI_TRANSPORT).
type Mode string

const (
	// ModeHTTP sends REST over HTTP and takes the events from a websocket
	// the runtime dials (the default).
	ModeHTTP Mode = "http"
	// ModeWebsocket sends REST over the events websocket the runtime
	// dials (stasis.TransportWebsocket): one connection for both.
	ModeWebsocket Mode = "websocket"
	// ModeOutbound has Asterisk dial the application (stasis.Config.
	// Outbound): one persistent websocket carries every app's events and
	// REST.
	ModeOutbound Mode = "outbound"
	// ModeOutboundPerCall has Asterisk dial the application once for
	// each call that enters an app: the call's events and REST go over
	// its own websocket.
	ModeOutboundPerCall Mode = "outbound-per-call"
)

// The environment variables a demo reads.
const (
	// EnvURL is Asterisk's HTTP address (e.g. http://127.0.0.1:8088). Set,
	// the demo serves that Asterisk instead of a simulated one.
	EnvURL = "ARI_URL"
	// EnvUsername and EnvPassword are an ari.conf user's credentials.
	EnvUsername = "ARI_USERNAME"
	EnvPassword = "ARI_PASSWORD"
	// EnvTransport is the Mode (the -transport flag overrides it).
	EnvTransport = "ARI_TRANSPORT"
	// EnvListen is where the outbound modes listen for a real Asterisk
	// (the -listen flag overrides it). Set, the demo serves that
	// Asterisk, even without EnvURL.
	EnvListen = "ARI_OUTBOUND_LISTEN"
	// EnvOutboundUsername and EnvOutboundPassword are the credentials
	// Asterisk presents on its outbound websockets: websocket_client.conf's
	// username and password.
	EnvOutboundUsername = "ARI_OUTBOUND_USERNAME"
	EnvOutboundPassword = "ARI_OUTBOUND_PASSWORD"
)

// DefaultListen is where the outbound modes listen for a real Asterisk
// when EnvURL is set and EnvListen is not.
const DefaultListen = "127.0.0.1:8765"

// OutboundPath is the path of the application's URL that Asterisk's
// outbound websockets dial (websocket_client.conf's uri).
const OutboundPath = "/ari"

// ErrUnknownMode is the error of a transport that names no Mode.
var ErrUnknownMode = errors.New("demo: unknown transport")

// Modes returns every Mode, the default first.
func Modes() []Mode {
	return []Mode{ModeHTTP, ModeWebsocket, ModeOutbound, ModeOutboundPerCall}
}

// ParseMode returns the Mode named s; "" is ModeHTTP. Another name fails
// with an error matching ErrUnknownMode.
func ParseMode(s string) (Mode, error) {
	if s == "" {
		return ModeHTTP, nil
	}
	for _, m := range Modes() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w %q (want %s)", ErrUnknownMode, s, modeList())
}

// Live reports whether Run serves a real Asterisk with env: when EnvURL
// is set, or EnvListen in an outbound mode.
func Live(env func(string) string) bool {
	mode, err := ParseMode(env(EnvTransport))
	return env(EnvURL) != "" || (err == nil && mode.outbound() && env(EnvListen) != "")
}

// outbound reports whether Asterisk dials the application.
func (m Mode) outbound() bool { return m == ModeOutbound || m == ModeOutboundPerCall }

// runtimeConfig configures the runtime to serve apps over mode, but for
// how it reaches Asterisk (Client, or Outbound).
func runtimeConfig(mode Mode, apps []stasis.App) stasis.Config {
	cfg := stasis.Config{Apps: apps}
	switch mode {
	case ModeWebsocket:
		cfg.Transport = stasis.TransportWebsocket
	case ModeOutboundPerCall:
		cfg.Apps = perCallApps(apps)
	}
	return cfg
}

// describe says how the mode talks, for the demo's first line.
func (m Mode) describe() string {
	switch m {
	case ModeWebsocket:
		return "REST over the events websocket"
	case ModeOutbound:
		return "Asterisk dials the app: one persistent outbound websocket"
	case ModeOutboundPerCall:
		return "Asterisk dials the app: one outbound websocket per call"
	}
	return "REST over HTTP, events over a websocket"
}

// modeList names the modes for a message.
func modeList() string {
	names := make([]string, 0, len(Modes()))
	for _, m := range Modes() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// Args parses a demo's command line: -transport and -listen. It returns
// env with EnvTransport and EnvListen replaced by the flags given, so that
// a flag wins over the environment. Usage and errors go to errOut; -h
// returns flag.ErrHelp, a bad -transport an error matching
// ErrUnknownMode.
func Args(name string, args []string, env func(string) string, errOut io.Writer) (func(string) string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	set := map[string]string{}
	var modeErr error // flag keeps only the text of the errors it reports
	fs.Func("transport", fmt.Sprintf("how the app and Asterisk talk: %s (default from %s, else http)", modeList(), EnvTransport),
		func(s string) error {
			if _, err := ParseMode(s); err != nil {
				modeErr = err
				return err
			}
			set[EnvTransport] = s
			return nil
		})
	fs.Func("listen", fmt.Sprintf("outbound transports, with a real Asterisk: the address to listen on for its websockets, e.g. %s (default from %s)", DefaultListen, EnvListen),
		func(s string) error {
			set[EnvListen] = s
			return nil
		})
	fs.Usage = func() {
		fmt.Fprintf(errOut, "usage: %s [-transport mode] [-listen address]\n\n"+
			"Without %s (or, for the outbound transports, -listen), the demo runs against a\n"+
			"simulated Asterisk. Read the command's documentation for Asterisk's configuration.\n\n", name, EnvURL)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if modeErr != nil {
			return nil, modeErr
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(errOut, err)
		fs.Usage()
		return nil, err
	}
	return func(k string) string {
		if v, ok := set[k]; ok {
			return v
		}
		return env(k)
	}, nil
}
