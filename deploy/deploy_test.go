package deploy_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// section is one [name] of an Asterisk .conf file: its options in order,
// "exten" lines included ("=>" and "=" alike).
type section struct {
	name string
	opts [][2]string
}

// get is the first value of key, "" if none.
func (s section) get(key string) string {
	for _, o := range s.opts {
		if o[0] == key {
			return o[1]
		}
	}
	return ""
}

// parseConf reads an Asterisk .conf file: sections, key = value and
// key => value, ";" comments; "#" directives are returned apart.
func parseConf(t *testing.T, path string) (secs []section, directives []string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			directives = append(directives, line)
		case strings.HasPrefix(line, "["):
			end := strings.IndexByte(line, ']')
			require.Positive(t, end, "%s: %q", path, line)
			secs = append(secs, section{name: line[1:end]})
		default:
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok, "%s: %q", path, line)
			require.NotEmpty(t, secs, "%s: option before any section", path)
			last := &secs[len(secs)-1]
			last.opts = append(last.opts, [2]string{strings.TrimSpace(k), strings.TrimSpace(strings.TrimPrefix(v, ">"))})
		}
	}
	require.NoError(t, sc.Err())
	return secs, directives
}

// find is the section called name, failing the test if there is none.
func find(t *testing.T, secs []section, name string) section {
	t.Helper()
	for _, s := range secs {
		if s.name == name {
			return s
		}
	}
	require.Failf(t, "no section", "[%s]", name)
	return section{}
}

// apps is each app an example serves, and an extension of from-phones
// that must enter it.
var apps = []struct {
	example, app string
	exten        string
}{
	{"ivr", "router", "_X."},
	{"ivr", "router", "_+X."},
	{"agent", "agent", "200"},
	{"conference", "conference", "300"},
}

// TestEveryExampleAppHasAStasisLine: each app an example registers is
// entered from the context from-phones, and the name is still the one the
// example's source uses (a rename there fails here).
func TestEveryExampleAppHasAStasisLine(t *testing.T) {
	secs, _ := parseConf(t, filepath.Join("asterisk", "extensions.conf"))
	phones := find(t, secs, "from-phones")
	first := map[string]string{} // exten -> its priority 1
	for _, o := range phones.opts {
		if o[0] == "exten" {
			parts := strings.SplitN(o[1], ",", 3)
			require.Len(t, parts, 3, o[1])
			assert.Equal(t, "1", parts[1], o[1])
			first[parts[0]] = parts[2]
		}
	}
	for _, a := range apps {
		src := exampleSource(t, a.example)
		assert.Contains(t, src, `"`+a.app+`"`, "examples/%s serves %s", a.example, a.app)
		got := first[a.exten]
		assert.True(t, got == "Stasis("+a.app+")" || strings.HasPrefix(got, "Stasis("+a.app+","),
			"from-phones %s runs %q, want Stasis(%s...)", a.exten, got, a.app)
	}
	assert.Equal(t, "Stasis(router,${EXTEN})", first["_X."], "the router routes by the number dialled")
	// The routes of examples/ivr reach the router.
	assert.Contains(t, exampleSource(t, "ivr"), `"100"`)
	assert.Contains(t, exampleSource(t, "ivr"), `"+15555550101"`)
}

// TestCallers: the scripted callers the docs originate exist, answer, and
// end.
func TestCallers(t *testing.T) {
	secs, _ := parseConf(t, filepath.Join("asterisk", "extensions.conf"))
	callers := find(t, secs, "callers")
	for _, name := range []string{"alice", "bob", "sales", "quiet"} {
		var lines []string
		for _, o := range callers.opts {
			if o[0] == "exten" && strings.HasPrefix(o[1], name+",") {
				lines = append(lines, o[1])
			}
		}
		require.Len(t, lines, 1, name)
		assert.Equal(t, name+",1,Answer()", lines[0])
	}
	assert.Equal(t, "n,Hangup()", callers.opts[len(callers.opts)-1][1])
}

// exampleSource is the Go source of examples/<name>, tests left out.
func exampleSource(t *testing.T, name string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "examples", name, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files, name)
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		b.Write(src)
	}
	return b.String()
}

// TestUsers: the examples' read-write user and the read-only one, with the
// plain passwords the docs give.
func TestUsers(t *testing.T) {
	secs, directives := parseConf(t, filepath.Join("asterisk", "ari.conf"))
	assert.Equal(t, "yes", find(t, secs, "general").get("enabled"))
	rw := find(t, secs, "asterisk")
	assert.Equal(t, [3]string{"user", "no", "asterisk"}, [3]string{rw.get("type"), rw.get("read_only"), rw.get("password")})
	ro := find(t, secs, "viewer")
	assert.Equal(t, [3]string{"user", "yes", "viewer"}, [3]string{ro.get("type"), ro.get("read_only"), ro.get("password")})
	assert.Equal(t, []string{"#tryinclude ari-outbound.conf"}, directives)

	http, _ := parseConf(t, filepath.Join("asterisk", "http.conf"))
	g := find(t, http, "general")
	assert.Equal(t, [2]string{"yes", "8088"}, [2]string{g.get("enabled"), g.get("bindport")})
}

// TestOutbound: the outbound section names a websocket client that exists,
// serves the ivr demo's apps as a read-write user of ari.conf, and the
// client dials the compose service at the demo's default path.
func TestOutbound(t *testing.T) {
	users, _ := parseConf(t, filepath.Join("asterisk", "ari.conf"))
	obs, _ := parseConf(t, filepath.Join("asterisk", "outbound", "ari-outbound.conf"))
	clients, _ := parseConf(t, filepath.Join("asterisk", "outbound", "websocket_client.conf"))
	require.Len(t, obs, 1)
	ob := obs[0]
	assert.Equal(t, "outbound_websocket", ob.get("type"))
	assert.Equal(t, "router,ivr", ob.get("apps"))
	user := find(t, users, ob.get("local_ari_user"))
	assert.Equal(t, [3]string{"user", "no", "plain"}, [3]string{user.get("type"), user.get("read_only"), user.get("password_format")})
	client := find(t, clients, ob.get("websocket_client_id"))
	assert.Equal(t, "websocket_client", client.get("type"))
	assert.Equal(t, "persistent", client.get("connection_type"))
	assert.Equal(t, "ari", client.get("protocols"))
	assert.Equal(t, "ws://ivr:8765/ari", client.get("uri"))

	compose := read(t, "compose.outbound.yaml")
	assert.Contains(t, compose, "ARI_OUTBOUND_USERNAME: "+client.get("username"))
	assert.Contains(t, compose, "ARI_OUTBOUND_PASSWORD: "+client.get("password"))
	assert.Contains(t, compose, "ARI_OUTBOUND_LISTEN: 0.0.0.0:8765")
}

// mount is a bind mount of a file of deploy/ into /etc/asterisk.
var mount = regexp.MustCompile(`(?m)^\s*- \./(asterisk/\S+):/etc/asterisk/(\S+):ro$`)

// TestComposeMountsEveryFile: every .conf under asterisk/ is mounted once,
// under its own name, and every mount names a file that exists.
func TestComposeMountsEveryFile(t *testing.T) {
	mounted := map[string]bool{}
	for _, f := range []string{"compose.yaml", "compose.outbound.yaml"} {
		for _, m := range mount.FindAllStringSubmatch(read(t, f), -1) {
			assert.Equal(t, filepath.Base(m[1]), m[2], "%s mounts %s as %s", f, m[1], m[2])
			assert.False(t, mounted[m[1]], "%s mounted twice", m[1])
			mounted[m[1]] = true
			assert.FileExists(t, filepath.FromSlash(m[1]))
		}
	}
	confs, err := filepath.Glob(filepath.Join("asterisk", "*.conf"))
	require.NoError(t, err)
	more, err := filepath.Glob(filepath.Join("asterisk", "outbound", "*.conf"))
	require.NoError(t, err)
	for _, c := range append(confs, more...) {
		assert.True(t, mounted[filepath.ToSlash(c)], "%s is not mounted", c)
	}
	assert.Len(t, mounted, len(confs)+len(more))
	assert.Contains(t, read(t, "compose.yaml"), "- ./sounds:/var/lib/asterisk/sounds/en:ro")
}

// read is a file of deploy/ as a string.
func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}
