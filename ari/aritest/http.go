package aritest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// reqCtx is one REST request as a handler sees it.
type reqCtx struct {
	op      *ari.Operation
	path    map[string]string // path parameters, decoded
	q       map[string]string // query parameters and scalar body members (last wins)
	body    map[string]json.RawMessage
	rawBody []byte
	user    *User
	host    string
	conn    *connState // nil over the events websocket
}

// reply is a handler's answer.
type reply struct {
	status   int
	body     []byte
	ctype    string
	location string
}

func (r reply) contentType() string {
	if r.ctype != "" {
		return r.ctype
	}
	return "application/json"
}

// okJSON is a 200 reply with v (an ARI model or a slice of them).
func okJSON(v any) reply { return jsonReply(200, v) }

func jsonReply(status int, v any) reply {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errReply(500, "aritest: "+err.Error())
	}
	return reply{status: status, body: bytes.TrimRight(b.Bytes(), "\n")}
}

func noContent() reply { return reply{status: 204} }

// errReply is an ARI error: {"message": msg}.
func errReply(status int, msg string) reply {
	r := jsonReply(status, struct {
		Message string `json:"message"`
	}{msg})
	return r
}

// handler serves one operation; it runs with the server's mutex held.
type handler func(s *Server, c *reqCtx) reply

// route is one path template of the 22.10.1 API with its operations.
type route struct {
	segs    []string // template segments; "{name}" for a parameter
	methods map[string]*ari.Operation
}

// router maps requests to operations. It is built from
// resources.Operations() for the release the simulator speaks, so that no
// path is listed twice.
type router struct {
	routes   []*route
	handlers map[string]handler // by "resource.nickname"
}

// simulatedRelease is the Asterisk release whose API the simulator speaks.
var simulatedRelease = ari.Version{Major: 22, Minor: 10, Patch: 1}

func newRouter(s *Server) *router {
	rt := &router{handlers: handlers()}
	byPath := map[string]*route{}
	for _, op := range resources.Operations() {
		if !op.Availability.In(simulatedRelease) {
			continue
		}
		r := byPath[op.Path]
		if r == nil {
			r = &route{segs: splitPath(op.Path), methods: map[string]*ari.Operation{}}
			byPath[op.Path] = r
			rt.routes = append(rt.routes, r)
		}
		r.methods[op.Method] = op
	}
	// Literal segments win over parameters, position by position, as in
	// Asterisk's handler tree (/channels/create before /channels/{id}).
	sort.SliceStable(rt.routes, func(i, j int) bool {
		a, b := rt.routes[i].segs, rt.routes[j].segs
		for k := 0; k < len(a) && k < len(b); k++ {
			pa, pb := isParam(a[k]), isParam(b[k])
			if pa != pb {
				return !pa
			}
		}
		return len(a) < len(b)
	})
	return rt
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// match finds the route of the decoded segments.
func (rt *router) match(segs []string) (*route, map[string]string) {
	for _, r := range rt.routes {
		if len(r.segs) != len(segs) {
			continue
		}
		ok := true
		for i, t := range r.segs {
			if !isParam(t) && t != segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		params := make(map[string]string, 2)
		for i, t := range r.segs {
			if isParam(t) {
				params[t[1:len(t)-1]] = segs[i]
			}
		}
		return r, params
	}
	return nil, nil
}

// Operations returns the operations of the simulated API (Asterisk
// 22.10.1) with whether the simulator implements each; the others answer
// 501 with a message naming the operation.
func (s *Server) Operations() []OperationStatus {
	var out []OperationStatus
	for _, op := range resources.Operations() {
		if !op.Availability.In(simulatedRelease) {
			continue
		}
		_, ok := s.rt.handlers[op.String()]
		out = append(out, OperationStatus{Operation: op, Simulated: ok})
	}
	return out
}

// OperationStatus says whether the simulator implements an operation.
type OperationStatus struct {
	Operation *ari.Operation
	Simulated bool
}

// serveHTTP is the server's HTTP handler.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "Asterisk/"+s.cfg.Version)
	esc := r.URL.EscapedPath()
	if esc != "/ari" && !strings.HasPrefix(esc, "/ari/") {
		htmlError(w, 404, "Not Found", "The requested URL was not found on this server.")
		return
	}
	rest := strings.TrimPrefix(esc, "/ari")
	q := make(map[string]string)
	parseQueryInto(q, r.URL.RawQuery)

	user, status := s.authenticate(r, q)
	if status != 0 {
		writeReply(w, s.authReply(w, status))
		return
	}
	if rest == "/events" && r.Method == http.MethodGet && websocketRequested(r) {
		s.serveEvents(w, r, user, q)
		return
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
	}
	if ct := r.Header.Get("Content-Type"); len(body) > 0 && ct != "" && !strings.HasPrefix(ct, "application/json") {
		body = nil // Asterisk only reads JSON bodies
	}
	conn, _ := r.Context().Value(connKey{}).(*connState)
	rep := s.dispatch(r.Method, rest, q, body, user, r.Host, conn)
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("aritest: request", "method", r.Method, "path", rest, "status", rep.status)
	}
	writeReply(w, rep)
}

func websocketRequested(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// dispatch serves one REST request: path is the escaped path under /ari;
// conn is the state of the HTTP connection it came on, if any.
func (s *Server) dispatch(method, path string, q map[string]string, body []byte, user *User, host string, conn *connState) reply {
	if user != nil && user.ReadOnly && method != http.MethodGet && method != http.MethodOptions {
		return errReply(403, "Write access denied")
	}
	var segs []string
	for _, seg := range splitPath(path) {
		d, err := url.PathUnescape(seg)
		if err != nil {
			d = seg
		}
		segs = append(segs, d)
	}
	if rep, ok := s.recordedAnswer(method, segs, q, body); ok {
		return rep // Server.Replay's recorded answers
	}
	if len(segs) > 0 && segs[0] == "api-docs" {
		if method != http.MethodGet {
			return errReply(405, "Unsupported method")
		}
		return s.docs.serve(strings.Join(segs[1:], "/"), host)
	}
	rt, params := s.rt.match(segs)
	if rt == nil {
		return errReply(404, "Resource not found")
	}
	op := rt.methods[method]
	if op == nil {
		return errReply(405, "Invalid method")
	}
	c := &reqCtx{op: op, path: params, q: q, user: user, rawBody: body, host: host, conn: conn}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := c.readBody(); err != nil {
			return errReply(400, "Error parsing request body")
		}
	}
	h := s.rt.handlers[op.String()]
	if h == nil {
		return errReply(501, "aritest: "+op.String()+" is not simulated")
	}
	s.mu.Lock()
	defer s.unlock()
	if s.closed {
		return errReply(503, "Asterisk is shutting down")
	}
	return h(s, c)
}

// readBody parses a JSON body: members named like the operation's body
// parameter are kept raw; scalar members are read as query parameters
// (and win over them), as Asterisk's generated code does.
func (c *reqCtx) readBody() error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(c.rawBody))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if err := json.Unmarshal(c.rawBody, &c.body); err != nil {
		return err
	}
	for k, val := range m {
		if p := c.op.Param(k); p != nil && p.In == "body" {
			continue
		}
		switch x := val.(type) {
		case string:
			c.q[k] = x
		case json.Number:
			c.q[k] = x.String()
		case bool:
			c.q[k] = strconv.FormatBool(x)
		case []any:
			var parts []string
			for _, e := range x {
				parts = append(parts, fmt.Sprint(e))
			}
			c.q[k] = strings.Join(parts, ",")
		}
	}
	return nil
}

// parseQueryInto decodes a raw query into q; a repeated key keeps its last
// value, as Asterisk does.
func parseQueryInto(q map[string]string, raw string) {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		q[k] = v
	}
}

func writeReply(w http.ResponseWriter, r reply) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache, no-store")
	if r.location != "" {
		h.Set("Location", r.location)
	}
	if len(r.body) > 0 || r.status != 204 {
		h.Set("Content-Type", r.contentType())
	}
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// htmlError writes an error page as Asterisk's ast_http_error does.
func htmlError(w http.ResponseWriter, status int, title, text string) {
	body := fmt.Sprintf("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\r\n"+
		"<html><head>\r\n"+
		"<title>%d %s</title>\r\n"+
		"</head><body>\r\n"+
		"<h1>%s</h1>\r\n"+
		"<p>%s</p>\r\n"+
		"<hr />\r\n"+
		"<address>Asterisk Server</address>\r\n"+
		"</body></html>\r\n", status, title, title, text)
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// --- authentication ---

// authenticate checks Basic authentication, then the api_key query
// parameter, in Asterisk's order. status is 401 when the credentials are
// missing or wrong.
func (s *Server) authenticate(r *http.Request, q map[string]string) (*User, int) {
	var name, pass string
	found := false
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Basic ") {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len("Basic "):]))
		if err == nil {
			name, pass, _ = strings.Cut(string(dec), ":")
			found = true
		}
	} else if key, ok := q["api_key"]; ok {
		name, pass, _ = strings.Cut(key, ":")
		found = true
	}
	if !found {
		return nil, 401
	}
	for i := range s.cfg.Users {
		u := &s.cfg.Users[i]
		if u.Name == name && u.Password == pass {
			return u, 0
		}
	}
	return nil, 401
}

// authReply is the 401 Asterisk sends, with its WWW-Authenticate header.
func (s *Server) authReply(w http.ResponseWriter, status int) reply {
	w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
	return errReply(status, "Authentication required")
}

// --- parameters ---

// str returns a parameter's value ("" when absent).
func (c *reqCtx) str(name string) string { return c.q[name] }

// has reports whether a parameter was given.
func (c *reqCtx) has(name string) bool { _, ok := c.q[name]; return ok }

// int returns an integer parameter read as Asterisk's atoi does (garbage
// reads as 0), or def when absent.
func (c *reqCtx) int(name string, def int) int {
	v, ok := c.q[name]
	if !ok {
		return def
	}
	return atoi(v)
}

// maxListValues is Asterisk's MAX_VALS for comma-separated parameters.
const maxListValues = 128

// list returns a comma-separated parameter's values. It fails with
// Asterisk's 400 when there are too many.
func (c *reqCtx) list(name string) ([]string, reply, bool) {
	v, ok := c.q[name]
	if !ok {
		return nil, reply{}, true
	}
	parts := strings.Split(v, ",")
	if len(parts) >= maxListValues {
		return nil, errReply(400, "Too many values for "+name), false
	}
	return parts, reply{}, true
}

func atoi(v string) int {
	v = strings.TrimSpace(v)
	end := 0
	for end < len(v) && (v[end] >= '0' && v[end] <= '9' || end == 0 && (v[end] == '-' || v[end] == '+')) {
		end++
	}
	n, _ := strconv.Atoi(v[:end])
	return n
}

// isTrue is ast_true.
func isTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "true", "y", "t", "1", "on":
		return true
	}
	return false
}

func hasPrefix(s, p string) bool { return strings.HasPrefix(s, p) }
