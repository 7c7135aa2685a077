package resources_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// TestMain checks that no test leaves a goroutine behind: an unclosed
// download, a server handler still writing, an idle connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Test credentials; they must never show up in an error string.
const (
	testUser = "ariuser"
	testPass = "s3cret-pa55word"
)

// fixturesPath is the copy of the real Asterisk 22.10.1 REST replies
// (ari/testdata/README.md says where it comes from).
var fixturesPath = filepath.Join("..", "testdata", "responses.jsonl")

// schemaDir holds Asterisk's own API descriptions, one folder per release.
var schemaDir = filepath.Join("..", "..", "schemas")

// fixture is one captured reply of responses.jsonl.
type fixture struct {
	Request string `json:"request"` // "METHOD /path?query (user u:p)"
	Status  int    `json:"status"`
	Body    string `json:"body"`

	method, path, query string // parsed from Request; path as captured
}

var (
	fixturesOnce sync.Once
	fixturesAll  []fixture
	fixturesErr  error
)

// loadFixtures returns every line of responses.jsonl.
func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	fixturesOnce.Do(func() { fixturesAll, fixturesErr = readFixtures(fixturesPath) })
	require.NoError(t, fixturesErr)
	require.NotEmpty(t, fixturesAll)
	return fixturesAll
}

func readFixtures(path string) ([]fixture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []fixture
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var fx fixture
		if err := json.Unmarshal(sc.Bytes(), &fx); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		method, rest, ok := strings.Cut(fx.Request, " ")
		target, _, _ := strings.Cut(rest, " ")
		if !ok || target == "" {
			return nil, fmt.Errorf("%s: cannot read request %q", path, fx.Request)
		}
		fx.method = method
		fx.path, fx.query, _ = strings.Cut(target, "?")
		out = append(out, fx)
	}
	return out, sc.Err()
}

// opKey names an operation as "resource.nickname".
func opKey(op *ari.Operation) string { return op.String() }

// operationsByKey indexes resources.Operations().
func operationsByKey(t testing.TB) map[string]*ari.Operation {
	t.Helper()
	m := make(map[string]*ari.Operation)
	for _, op := range resources.Operations() {
		require.NotContains(t, m, opKey(op), "operation listed twice")
		m[opKey(op)] = op
	}
	return m
}

// matchTemplate matches an (unescaped, as captured) request path against a
// path template such as /channels/{channelId}/play. It returns the path
// arguments and the number of literal segments matched.
func matchTemplate(tmpl, path string) (args []string, literals int, ok bool) {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return nil, 0, false
	}
	for i, seg := range ts {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if ps[i] == "" {
				return nil, 0, false
			}
			a, err := url.PathUnescape(ps[i])
			if err != nil {
				return nil, 0, false
			}
			args = append(args, a)
			continue
		}
		if seg != ps[i] {
			return nil, 0, false
		}
		literals++
	}
	return args, literals, true
}

// opForRequest finds the operation a captured request called: same method,
// path matching the template, preferring literal segments over parameters
// (/channels/create over /channels/{channelId}).
func opForRequest(method, path string) (*ari.Operation, []string) {
	var best *ari.Operation
	var bestArgs []string
	bestLit := -1
	for _, op := range resources.Operations() {
		if op.Method != method {
			continue
		}
		args, lit, ok := matchTemplate(op.Path, path)
		if ok && lit > bestLit {
			best, bestArgs, bestLit = op, args, lit
		}
	}
	return best, bestArgs
}

// --- Asterisk's API description (schemas/) ---

type schemaDecl struct {
	APIs []struct {
		Path       string `json:"path"`
		Operations []struct {
			HTTPMethod     string `json:"httpMethod"`
			Nickname       string `json:"nickname"`
			ResponseClass  string `json:"responseClass"`
			ErrorResponses []struct {
				Code   json.RawMessage `json:"code"` // a number, or a string in channels.move
				Reason string          `json:"reason"`
			} `json:"errorResponses"`
		} `json:"operations"`
	} `json:"apis"`
	Models map[string]schemaModel `json:"models"`
}

type schemaModel struct {
	ID         string                    `json:"id"`
	Properties map[string]schemaProperty `json:"properties"`
}

type schemaProperty struct {
	Type            string `json:"type"`
	AllowableValues *struct {
		Values []string `json:"values"`
	} `json:"allowableValues"`
}

// schemaOp is what the description says of one operation.
type schemaOp struct {
	Method, Path  string
	ResponseClass string
	Reasons       map[int]string
}

// schema is one release's description.
type schema struct {
	Ops    map[string]schemaOp // by "resource.nickname"
	Models map[string]schemaModel
}

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*schema{}
)

// loadSchema reads schemas/asterisk-<release>/api-docs.
func loadSchema(t testing.TB, release string) *schema {
	t.Helper()
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s := schemaCache[release]; s != nil {
		return s
	}
	files, err := filepath.Glob(filepath.Join(schemaDir, "asterisk-"+release, "api-docs", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "declaration files of %s", release)
	s := &schema{Ops: map[string]schemaOp{}, Models: map[string]schemaModel{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var d schemaDecl
		require.NoError(t, json.Unmarshal(data, &d), f)
		resource := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, api := range d.APIs {
			for _, o := range api.Operations {
				so := schemaOp{Method: o.HTTPMethod, Path: api.Path, ResponseClass: o.ResponseClass, Reasons: map[int]string{}}
				for _, e := range o.ErrorResponses {
					code, err := strconv.Atoi(strings.Trim(string(e.Code), `"`))
					require.NoError(t, err, "error code %s", e.Code)
					so.Reasons[code] = e.Reason
				}
				s.Ops[resource+"."+o.Nickname] = so
			}
		}
		for id, m := range d.Models {
			s.Models[id] = m
		}
	}
	schemaCache[release] = s
	return s
}

// sampleDate is a date as Asterisk writes it.
const sampleDate = "2026-11-25T19:41:00.885+0000"

// sampleJSON builds a reply for a responseClass from the description's
// models: every property set, enums to their first allowed value.
func (s *schema) sampleJSON(t testing.TB, class string) []byte {
	t.Helper()
	v := s.sample(t, class, 0)
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}

func (s *schema) sample(t testing.TB, typ string, depth int) any {
	t.Helper()
	require.Less(t, depth, 8, "model nesting too deep at %s", typ)
	if inner, ok := strings.CutPrefix(typ, "List["); ok {
		return []any{s.sample(t, strings.TrimSuffix(inner, "]"), depth+1)}
	}
	switch typ {
	case "string":
		return "s"
	case "boolean":
		return true
	case "int", "long":
		return 7
	case "double":
		return 1.5
	case "Date":
		return sampleDate
	case "object":
		// A string map, an event filter entry and free-form JSON alike.
		return map[string]any{"type": "StasisStart"}
	}
	m, ok := s.Models[typ]
	require.True(t, ok, "no model %q in the description", typ)
	out := make(map[string]any, len(m.Properties))
	for name, p := range m.Properties {
		if p.Type == "string" && p.AllowableValues != nil && len(p.AllowableValues.Values) > 0 {
			out[name] = p.AllowableValues.Values[0]
			continue
		}
		if p.Type == "string" {
			out[name] = name + "-value"
			continue
		}
		out[name] = s.sample(t, p.Type, depth+1)
	}
	return out
}

// --- the server side ---

// captured is one request as the server saw it.
type captured struct {
	Method      string
	EscapedPath string
	RawQuery    string
	Body        []byte
	ContentType string
	Auth        string
}

// reply is what the server answers.
type reply struct {
	status int
	header map[string]string
	body   []byte
}

// recorder is an httptest server that records the requests it gets and
// answers each with the same reply.
type recorder struct {
	srv *httptest.Server

	mu    sync.Mutex
	reqs  []captured
	reply reply
}

func newRecorder(t testing.TB) *recorder {
	t.Helper()
	rec := &recorder{reply: reply{status: http.StatusNoContent}}
	rec.srv = httptest.NewServer(http.HandlerFunc(rec.serve))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, captured{
		Method:      r.Method,
		EscapedPath: r.URL.EscapedPath(),
		RawQuery:    r.URL.RawQuery,
		Body:        body,
		ContentType: r.Header.Get("Content-Type"),
		Auth:        r.Header.Get("Authorization"),
	})
	rp := rec.reply
	rec.mu.Unlock()
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if len(rp.body) > 0 && rp.header["Content-Type"] == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rp.status)
	w.Write(rp.body)
}

func (rec *recorder) setReply(rp reply) {
	rec.mu.Lock()
	rec.reply = rp
	rec.mu.Unlock()
}

// take returns and forgets the requests received so far.
func (rec *recorder) take() []captured {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.reqs
	rec.reqs = nil
	return out
}

// newServer starts an httptest server closed when the test ends.
func newServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a typed client for url whose connections are closed
// when the test ends. version is Config.Version ("" to learn it).
func newClient(t testing.TB, serverURL, version string) *resources.Client {
	t.Helper()
	return resources.New(newARIClient(t, ari.Config{URL: serverURL, Version: version}))
}

// newARIClient fills in the test credentials and an HTTP client of its own.
func newARIClient(t testing.TB, cfg ari.Config) *ari.Client {
	t.Helper()
	if cfg.Username == "" && cfg.Password == "" {
		cfg.Username, cfg.Password = testUser, testPass
	}
	if cfg.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		cfg.HTTPClient = &http.Client{Transport: tr}
		t.Cleanup(tr.CloseIdleConnections)
	}
	c, err := ari.NewClient(cfg)
	require.NoError(t, err)
	return c
}

// kv is one query parameter, decoded.
type kv struct{ K, V string }

// q builds a query from name, value pairs.
func q(pairs ...string) []kv {
	if len(pairs)%2 != 0 {
		panic("q: odd number of arguments")
	}
	var out []kv
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, kv{pairs[i], pairs[i+1]})
	}
	return out
}

// parseQuery decodes a raw query into its name, value pairs, sorted;
// repeated names stay repeated. A '+' reads as a space, as Asterisk reads it.
func parseQuery(t testing.TB, raw string) []kv {
	t.Helper()
	var out []kv
	if raw == "" {
		return out
	}
	for _, part := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		require.NoError(t, err, "query name %q", k)
		dv, err := url.QueryUnescape(v)
		require.NoError(t, err, "query value %q", v)
		out = append(out, kv{dk, dv})
	}
	sortKV(out)
	return out
}

func sortKV(s []kv) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].K != s[j].K {
			return s[i].K < s[j].K
		}
		return s[i].V < s[j].V
	})
}

// pathSegments splits an escaped path into its decoded segments.
func pathSegments(t testing.TB, escaped string) []string {
	t.Helper()
	var out []string
	for _, seg := range strings.Split(strings.TrimPrefix(escaped, "/"), "/") {
		d, err := url.PathUnescape(seg)
		require.NoError(t, err, "segment %q of %q", seg, escaped)
		out = append(out, d)
	}
	return out
}

// --- calling an operation by reflection ---

// normName folds a Go method name or an Asterisk nickname for comparison:
// "OriginateWithID" and "originateWithId", "TransferProgress" and
// "transfer_progress" fold alike.
func normName(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// serviceMethod finds the typed method of op on c: the service named after
// op.Resource and the method named after op.Nickname.
func serviceMethod(c *resources.Client, op *ari.Operation) (reflect.Value, bool) {
	cv := reflect.ValueOf(c).Elem()
	ct := cv.Type()
	for i := 0; i < ct.NumField(); i++ {
		if f := ct.Field(i); !f.IsExported() || normName(f.Name) != normName(op.Resource) || f.Type.Kind() != reflect.Pointer {
			continue
		}
		svc := cv.Field(i)
		st := svc.Type()
		for j := 0; j < st.NumMethod(); j++ {
			if normName(st.Method(j).Name) == normName(op.Nickname) {
				return svc.Method(j), true
			}
		}
	}
	return reflect.Value{}, false
}

var (
	ctxType   = reflect.TypeFor[context.Context]()
	errorType = reflect.TypeFor[error]()
)

// invoke calls op's typed method with path arguments args and no other
// parameters, returning its result (nil for void) and error.
func invoke(t testing.TB, ctx context.Context, c *resources.Client, op *ari.Operation, args []string) (any, error) {
	t.Helper()
	m, ok := serviceMethod(c, op)
	require.True(t, ok, "no typed method for %s", op)
	mt := m.Type()
	var in []reflect.Value
	next := 0
	for i := 0; i < mt.NumIn(); i++ {
		pt := mt.In(i)
		switch {
		case pt == ctxType:
			in = append(in, reflect.ValueOf(ctx))
		case pt.Kind() == reflect.String:
			require.Less(t, next, len(args), "%s: too few path arguments", op)
			in = append(in, reflect.ValueOf(args[next]).Convert(pt))
			next++
		case pt.Kind() == reflect.Pointer:
			in = append(in, reflect.Zero(pt))
		default:
			t.Fatalf("%s: unexpected parameter type %s", op, pt)
		}
	}
	require.Equal(t, len(args), next, "%s: path arguments", op)
	out := m.Call(in)
	last := out[len(out)-1]
	require.True(t, last.Type() == errorType, "%s: last result is not an error", op)
	var err error
	if !last.IsNil() {
		err = last.Interface().(error)
	}
	if len(out) == 1 {
		return nil, err
	}
	return out[0].Interface(), err
}

// releaseCounts counts, per known release, the operations whose
// Availability includes it.
func releaseCounts(ops []*ari.Operation) map[string]int {
	out := map[string]int{}
	for _, v := range ari.KnownReleases() {
		for _, op := range ops {
			if slices.Contains(op.Availability.Releases, v) {
				out[v.String()]++
			}
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// assertNoSecrets checks that s shows none of the test credentials.
func assertNoSecrets(t testing.TB, s string) {
	t.Helper()
	assert.NotContains(t, s, testPass)
	assert.NotContains(t, s, testUser+":")
	assert.NotContains(t, s, "YXJpdXNlcjpzM2NyZXQtcGE1NXdvcmQ") // base64 of user:pass
}
