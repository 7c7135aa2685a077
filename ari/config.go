package ari

import (
	"context"
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
	// are empty, and an api_key query parameter fills APIKey; neither is
	// ever sent or printed as part of a URL. A '/', '?', '#', '@' or '%' in
	// a password must be escaped (or the password set in Password). No
	// error about the URL prints its user information or query.
	URL string

	// Username and Password are the ARI user's credentials (ari.conf), sent
	// as HTTP basic authentication on every request and on the events
	// websocket. They never appear in logs or error messages.
	Username, Password string

	// APIKey is an ARI user's credentials as "username:password", sent as
	// the api_key query parameter on every request and on the events
	// websocket (Asterisk accepts either this or basic authentication).
	// Query strings can end up in proxies' access logs: prefer Username
	// and Password where you can. When both are set both are sent, and
	// Asterisk checks the basic credentials. The key never appears in
	// logs, error messages, EventsURL or EventStream.URL.
	APIKey string

	// HTTPClient sends the REST requests. Nil means a client with a
	// dedicated transport tuned for many concurrent calls to one host, no
	// overall timeout (every call takes a context) and no redirects (see
	// below). When its Transport is an *http.Transport, the events
	// websocket reuses its TLS configuration, proxy and dialer.
	//
	// Redirects are refused: a call answered with a 3xx fails with an
	// *Error matching ErrRedirect. ARI never redirects, and Go's client
	// would resend the Authorization header to another port of the same
	// host. A client given here whose CheckRedirect is nil is used through
	// a copy that refuses redirects too; a CheckRedirect of its own is
	// kept.
	HTTPClient *http.Client

	// MaxReplySize bounds the JSON body of a successful reply, in bytes;
	// 0 means DefaultMaxReplySize. A longer reply fails with an *Error
	// matching ErrReplyTooLarge, read no further than the limit (Content-
	// Length is checked before reading). Streamed bodies (Client.Open,
	// recordings.getStoredFile) are not limited.
	MaxReplySize int64

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

	// Observer, if set, is told of every request the client sends, over
	// HTTP or a websocket (the clients EventStream.RESTClient makes share
	// it): for traces and metrics without wrapping the HTTP client, which
	// the events websocket could then not share. Nil costs one nil check.
	Observer RequestObserver
}

// RequestObserver is told of every request a Client sends (package
// gostasis.dev/otelari implements it on OpenTelemetry).
type RequestObserver interface {
	// RequestStart is called before r is sent; the context it returns
	// (with a span, say) is the request's from then on.
	RequestStart(ctx context.Context, r *Request) context.Context
	// RequestEnd is called once the reply's status is known, with the ctx
	// RequestStart returned: status is 0 when no reply came (err says
	// why); err is nil for a 2xx reply, an *Error otherwise.
	RequestEnd(ctx context.Context, r *Request, status int, err error)
}

// DefaultMaxReplySize is the default Config.MaxReplySize: 64 MiB.
// Asterisk's replies are a few KB; the largest are lists, and a
// channels.list of 20,000 channels that carry a dozen variables each is
// about 25 MB. A server that sends more is broken or hostile.
const DefaultMaxReplySize = 64 << 20

// endpoint is a parsed Config.URL: the pieces the transports need.
type endpoint struct {
	secure bool   // https / wss
	host   string // host[:port], as in url.URL.Host
	prefix string // path before "/ari", without a trailing slash; usually ""
	user   string // userinfo user, if any
	pass   string // userinfo password, if any
	key    string // api_key query parameter, if any
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

// parseEndpoint reads Config.URL. Its errors never contain any part of
// raw's user information or query: a URL that does not parse is not
// shown at all (with a password holding an unescaped '/', '?' or '#', no
// parser can tell where the password ends), and a parsed one is shown as
// scheme, host and path only.
func parseEndpoint(raw string) (endpoint, error) {
	var ep endpoint
	if strings.TrimSpace(raw) == "" {
		return ep, errors.New("ari: Config.URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		msg := "ari: Config.URL is not a valid URL: " + withoutQuoted(err.Error())
		if strings.Contains(raw, "@") {
			msg += " (escape a '/', '?', '#', '@' or '%' in a password, or set Config.Password)"
		}
		return ep, errors.New(msg)
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
	case "https":
		ep.secure = true
	default:
		// Not even the scheme is shown: in "user:pass@host" it is the
		// user name.
		return ep, errors.New("ari: Config.URL must start with http:// or https://")
	}
	if strings.Contains(u.EscapedPath(), "@") {
		// "http://user:8088/x@host": an unescaped '/' in a password made
		// the parser take part of the user information for the host.
		return ep, errors.New("ari: Config.URL has an '@' in its path (escape a '/' in a password as %2F, or set Config.Password)")
	}
	shown := shownURL(u)
	if u.Host == "" {
		return ep, fmt.Errorf("ari: Config.URL %q has no host", shown)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return ep, fmt.Errorf("ari: Config.URL %q must not have a fragment", shown)
	}
	if u.RawQuery != "" || u.ForceQuery {
		q, err := url.ParseQuery(u.RawQuery)
		key, hasKey := q["api_key"]
		if err != nil || len(q) != 1 || !hasKey || len(key) != 1 {
			return ep, fmt.Errorf("ari: Config.URL %q must not have a query other than one api_key (the query is not shown)", shown)
		}
		ep.key = key[0]
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

// shownURL is u as errors show it: scheme, "xxxxx@" in place of any user
// information, host and path; never the query or fragment.
func shownURL(u *url.URL) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(u.Scheme))
	b.WriteString("://")
	if u.User != nil {
		b.WriteString("xxxxx@")
	}
	b.WriteString(u.Host)
	b.WriteString(u.EscapedPath())
	return b.String()
}

// withoutQuoted removes the quoted parts of a net/url error message, where
// it repeats pieces of the URL (`invalid port ":Zq9" after host`, `invalid
// URL escape "%zz"`): they may be pieces of a password.
func withoutQuoted(msg string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(msg); i++ {
		ch := msg[i]
		switch {
		case in && ch == '\\':
			i++ // skip the escaped character
		case ch == '"':
			in = !in
		case !in:
			b.WriteByte(ch)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
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
// connections to the one Asterisk host, no overall timeout, and no
// redirects.
func newDefaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t, CheckRedirect: refuseRedirect}
}

// refuseRedirect makes the client return a 3xx reply as it is, which Do
// turns into an *Error matching ErrRedirect. Refusing (rather than
// following with the credentials stripped on any change of scheme, host
// or port) because ARI never redirects: a 3xx comes from a proxy or a
// wrong Config.URL, and following it would resend the call, body
// included, somewhere the user did not configure. Go's own policy keeps
// the Authorization header on a redirect to another port of the same
// host.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// httpClient returns the client to send REST requests with: hc, or a copy
// of it that refuses redirects when hc has no redirect policy of its own.
func httpClient(hc *http.Client) *http.Client {
	if hc == nil {
		return newDefaultHTTPClient()
	}
	if hc.CheckRedirect == nil {
		cp := *hc
		cp.CheckRedirect = refuseRedirect
		return &cp
	}
	return hc
}
