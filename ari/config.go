package ari

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
)

// Config configures a Client. Only URL is required.
type Config struct {
	// URL is where Asterisk's HTTP server listens, e.g.
	// "http://127.0.0.1:8088". A trailing "/ari" or "/ari/" is accepted and
	// ignored; any other path is kept as a prefix (for a reverse proxy).
	// "https" URLs use TLS. User information in the URL
	// ("http://user:pass@host:8088") fills Username and Password when those
	// are empty and is never sent or printed as part of a URL.
	URL string

	// Username and Password are the ARI user's credentials (ari.conf), sent
	// as HTTP basic authentication on every request and on the events
	// websocket. They never appear in logs or error messages.
	Username, Password string

	// HTTPClient sends the REST requests. Nil means a client with a
	// dedicated transport tuned for many concurrent calls to one host and
	// no overall timeout: every call takes a context. When its Transport
	// is an *http.Transport, the events websocket reuses its TLS
	// configuration, proxy and dialer.
	HTTPClient *http.Client

	// Logger receives debug logs of requests and the events connection's
	// state changes. Nil discards them.
	Logger *slog.Logger

	// UserAgent is sent in the User-Agent header. Empty means
	// "gostasis/<module version>".
	UserAgent string

	// Version is the Asterisk version of the server, e.g. "22.10.1". Set it
	// to skip the discovery request (GET /ari/asterisk/info?only=system)
	// that the first version-gated call would otherwise make. A version
	// without a release number (a development build such as
	// "GIT-master-abc123") disables version checks.
	Version string

	// DisableVersionCheck sends every call as it is, without refusing the
	// operations and parameters the server's Asterisk version lacks.
	DisableVersionCheck bool
}

// endpoint is a parsed Config.URL: the pieces the transports need.
type endpoint struct {
	secure bool   // https / wss
	host   string // host[:port], as in url.URL.Host
	prefix string // path before "/ari", without a trailing slash; usually ""
	user   string // userinfo user, if any
	pass   string // userinfo password, if any
}

// httpBase returns "http(s)://host/prefix", without "/ari".
func (e endpoint) httpBase() string {
	if e.secure {
		return "https://" + e.host + e.prefix
	}
	return "http://" + e.host + e.prefix
}

// wsBase returns "ws(s)://host/prefix", without "/ari".
func (e endpoint) wsBase() string {
	if e.secure {
		return "wss://" + e.host + e.prefix
	}
	return "ws://" + e.host + e.prefix
}

// parseEndpoint reads Config.URL. Its errors never contain the user
// information of raw.
func parseEndpoint(raw string) (endpoint, error) {
	var ep endpoint
	if strings.TrimSpace(raw) == "" {
		return ep, errors.New("ari: Config.URL is empty")
	}
	red := redactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return ep, fmt.Errorf("ari: Config.URL %q is not a valid URL: %s", red, scrub(err.Error(), raw, red))
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
	case "https":
		ep.secure = true
	default:
		return ep, fmt.Errorf("ari: Config.URL %q: scheme must be http or https", red)
	}
	if u.Host == "" {
		return ep, fmt.Errorf("ari: Config.URL %q has no host", red)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return ep, fmt.Errorf("ari: Config.URL %q must not have a query or fragment", red)
	}
	ep.host = u.Host
	if u.User != nil {
		ep.user = u.User.Username()
		ep.pass, _ = u.User.Password()
	}
	p := u.EscapedPath()
	p = strings.TrimSuffix(p, "/")
	p = strings.TrimSuffix(p, "/ari")
	p = strings.TrimSuffix(p, "/")
	ep.prefix = p
	return ep, nil
}

// redactURL removes the user information from a URL-like string without
// parsing it (it is used when parsing failed).
func redactURL(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		// No authority marker: anything before an '@' may be userinfo.
		if at := strings.LastIndex(raw, "@"); at >= 0 {
			return "xxxxx@" + raw[at+1:]
		}
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return raw[:i+3] + "xxxxx@" + rest[at+1:]
}

// scrub removes from msg any userinfo text that raw carries.
func scrub(msg, raw, redacted string) string {
	if raw == redacted {
		return msg
	}
	i := strings.Index(raw, "://")
	start := 0
	if i >= 0 {
		start = i + 3
	}
	rest := raw[start:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at <= 0 {
		return msg
	}
	info := rest[:at]
	msg = strings.ReplaceAll(msg, info, "xxxxx")
	if c := strings.IndexByte(info, ':'); c >= 0 && c+1 < len(info) {
		msg = strings.ReplaceAll(msg, info[c+1:], "xxxxx")
	}
	return msg
}

// defaultUserAgent is "gostasis/<version of module gostasis.dev>".
var defaultUserAgent = func() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path == modulePath && d.Version != "" {
				v = d.Version
			}
		}
	}
	return "gostasis/" + strings.TrimPrefix(v, "v")
}()

const modulePath = "gostasis.dev"

// newDefaultHTTPClient returns the HTTP client used when Config.HTTPClient
// is nil: a dedicated keep-alive transport that keeps many idle
// connections to the one Asterisk host, and no overall timeout.
func newDefaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}
