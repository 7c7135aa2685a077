package aritest

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// OutboundWebsocket is an outbound websocket: an ari.conf section of type
// outbound_websocket together with the websocket_client.conf connection it
// names. The simulator dials URI, as Asterisk 22.5 and later do, either
// once for the whole run (persistent) or once per call (PerCall).
type OutboundWebsocket struct {
	// Name is the ari.conf section id, e.g. "outbound_outapp". It is the
	// session id of a persistent connection, and the prefix of the session
	// ids of per-call connections ("outbound_percall:<channel name>").
	Name string
	// Apps are the Stasis applications (ari.conf apps =). A persistent
	// connection registers all of them when the server starts and carries
	// their events; a per-call connection is opened when a channel runs
	// Stasis(app) for one of them (normally there is one).
	Apps []string
	// URI is the websocket_client.conf uri: ws:// or wss://, with a path
	// and a query if needed.
	URI string
	// Username and Password are the Basic credentials presented to the
	// application; the Authorization header is sent only when both are
	// set, as Asterisk does.
	Username, Password string
	// Protocols is the Sec-WebSocket-Protocol header (protocols =).
	// Default "ari".
	Protocols string
	// PerCall makes the connection per_call_config: one connection for
	// each call. The default is persistent.
	PerCall bool
	// ReconnectInterval is the pause between two connection attempts
	// (reconnect_interval). Default 500ms.
	ReconnectInterval time.Duration
	// ReconnectAttempts is how many attempts a per-call connection makes
	// before the call fails (reconnect_attempts). A persistent connection
	// retries forever and logs a warning every ReconnectAttempts failures.
	// Default 4, the value Asterisk 22.10.1 applies to both kinds.
	ReconnectAttempts int
	// ConnectionTimeout bounds one attempt, dial and handshake
	// (connection_timeout). Default 500ms.
	ConnectionTimeout time.Duration
	// SubscribeAll subscribes the applications to every channel, bridge,
	// endpoint and device state (subscribe_all = yes).
	SubscribeAll bool
	// LocalUser is local_ari_user: the Config.Users entry whose rights the
	// REST requests sent over this websocket get. Default "asterisk".
	LocalUser string
	// TLSConfig configures the TLS client of a wss:// URI; nil uses the
	// system's roots.
	TLSConfig *tls.Config
}

// Defaults of an OutboundWebsocket, those of Asterisk 22.10.1's
// websocket_client.conf and ari.conf.
const (
	defaultOutboundProtocols = "ari"
	defaultReconnectInterval = 500 * time.Millisecond
	defaultReconnectAttempts = 4
	defaultConnectionTimeout = 500 * time.Millisecond
	defaultLocalUser         = "asterisk"
)

// outboundDefaults returns a copy of list with the defaults filled in.
func outboundDefaults(list []OutboundWebsocket) []OutboundWebsocket {
	if list == nil {
		return nil
	}
	out := make([]OutboundWebsocket, len(list))
	for i, o := range list {
		o.Apps = append([]string(nil), o.Apps...)
		if o.Protocols == "" {
			o.Protocols = defaultOutboundProtocols
		}
		if o.ReconnectInterval == 0 {
			o.ReconnectInterval = defaultReconnectInterval
		}
		if o.ReconnectAttempts == 0 {
			o.ReconnectAttempts = defaultReconnectAttempts
		}
		if o.ConnectionTimeout == 0 {
			o.ConnectionTimeout = defaultConnectionTimeout
		}
		if o.LocalUser == "" {
			o.LocalUser = defaultLocalUser
		}
		out[i] = o
	}
	return out
}

// validateOutbound checks the outbound websockets of cfg (defaults filled
// in). Its errors match ErrInvalid.
func validateOutbound(cfg Config) error {
	names := map[string]bool{}
	apps := map[string]string{}
	for _, o := range cfg.Outbound {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: outbound websocket %q: %s", ErrInvalid, o.Name, fmt.Sprintf(format, args...))
		}
		if o.Name == "" {
			return fmt.Errorf("%w: outbound websocket without a Name", ErrInvalid)
		}
		if names[o.Name] {
			return bad("the name is used twice")
		}
		names[o.Name] = true
		if len(o.Apps) == 0 {
			return bad("no Apps")
		}
		for _, a := range o.Apps {
			if a == "" || strings.ContainsAny(a, ", ") {
				return bad("invalid application name %q", a)
			}
			if other, ok := apps[a]; ok {
				return bad("application %q is also served by %q", a, other)
			}
			apps[a] = o.Name
		}
		u, err := url.Parse(o.URI)
		if err != nil {
			return bad("URI: %v", err)
		}
		if (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			return bad("URI %q is not a ws:// or wss:// URI", o.URI)
		}
		if o.ReconnectInterval < 0 || o.ConnectionTimeout < 0 || o.ReconnectAttempts < 0 {
			return bad("negative ReconnectInterval, ReconnectAttempts or ConnectionTimeout")
		}
		found := false
		for _, u := range cfg.Users {
			found = found || u.Name == o.LocalUser
		}
		if !found {
			return bad("LocalUser %q is not one of Config.Users", o.LocalUser)
		}
	}
	return nil
}

// outboundContexts returns dp with the context "stasis-<app>" that Asterisk
// creates for each per-call application (any extension runs Stasis(app)),
// unless dp has it already. dp itself is not changed.
func outboundContexts(dp Dialplan, list []OutboundWebsocket) Dialplan {
	out := dp
	copied := false
	for _, o := range list {
		if !o.PerCall {
			continue
		}
		for _, a := range o.Apps {
			name := "stasis-" + a
			if _, ok := out[name]; ok {
				continue
			}
			if !copied {
				out = make(Dialplan, len(dp)+1)
				for k, v := range dp {
					out[k] = v
				}
				copied = true
			}
			out[name] = Extensions{
				"_.": {{App: "Stasis", Data: a}},
				"h":  {{App: "NoOp"}},
			}
		}
	}
	return out
}
