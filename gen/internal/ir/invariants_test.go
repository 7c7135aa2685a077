package ir_test

import (
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/generator"
	"gostasis.dev/gen/internal/ir"
	"gostasis.dev/gen/internal/schematest"
)

var (
	futureOnce    sync.Once
	futureAPI     *ir.API
	futureVersion string
	futureErr     error
)

// futureModel builds the IR of schemas/ plus a release no test knows
// (schematest.WithFutureRelease), once per test binary.
func futureModel(t *testing.T) (*ir.API, string) {
	t.Helper()
	futureOnce.Do(func() {
		var dir string
		dir, futureVersion = schematest.WithFutureRelease(t, schemasDir)
		var dirs []string
		if dirs, futureErr = generator.Releases(dir); futureErr == nil {
			futureAPI, futureErr = generator.Model(dirs)
		}
	})
	require.NoError(t, futureErr)
	return futureAPI, futureVersion
}

// TestRealInvariants checks what must hold for any set of release
// folders, known to the tests or not.
func TestRealInvariants(t *testing.T) {
	t.Run("schemas", func(t *testing.T) { checkInvariants(t, realModel(t)) })
	t.Run("schemas+future", func(t *testing.T) {
		api, _ := futureModel(t)
		checkInvariants(t, api)
	})
}

// TestRealFutureRelease checks that a release folder no test knows is
// merged like the others: what it adds is available in it only, gated,
// and routed; the known releases' facts do not move.
func TestRealFutureRelease(t *testing.T) {
	api, version := futureModel(t)
	last := api.Releases[len(api.Releases)-1]
	require.Equal(t, version, last.Version)
	assert.Equal(t, version, last.APIVersion)
	bit := uint64(1) << uint(len(api.Releases)-1)

	op := operation(t, api, schematest.FutureResource, schematest.FutureNickname)
	assert.Equal(t, bit, op.Avail.Releases)
	assert.Equal(t, []string{version}, op.Avail.Since)
	mode := param(t, op, schematest.FutureParam)
	require.Equal(t, ir.EnumRef, mode.Type.Kind)
	assert.Len(t, mode.Type.Enum.Values, 2)

	hangup := operation(t, api, "channels", "hangup")
	cause := param(t, hangup, schematest.FutureHangupParam)
	assert.Equal(t, bit, cause.Avail.Releases)
	assert.True(t, cause.Gated, "a parameter only the newest release accepts is gated")
	assert.True(t, param(t, hangup, "reason_code").Gated)
	assert.False(t, param(t, hangup, "reason").Gated)

	var ev *ir.Model
	for _, e := range api.Events {
		if e.Name == schematest.FutureEvent {
			ev = e
		}
	}
	require.NotNil(t, ev, "event %s", schematest.FutureEvent)
	assert.Equal(t, bit, ev.Avail.Releases)
	assert.Equal(t, []string{"channel"}, paths(ev.ChannelIDs))

	// Every other element has the future release wherever it has the
	// newest known one: the folder is a copy of it.
	prev := uint64(1) << uint(len(api.Releases)-2)
	for _, r := range api.Resources {
		for _, o := range r.Ops {
			if o.Avail.Releases&prev != 0 {
				assert.NotZero(t, o.Avail.Releases&bit, "%s.%s", r.Name, o.Nickname)
			}
		}
	}
}

func checkInvariants(t *testing.T, api *ir.API) {
	require.NotEmpty(t, api.Releases)
	all := uint64(1)<<uint(len(api.Releases)) - 1
	for i, r := range api.Releases {
		assert.Equal(t, "asterisk-"+r.Version, r.Dir)
		if i > 0 {
			assert.Less(t, api.Releases[i-1].Major, r.Major, "releases oldest first, one per line")
		}
	}
	subset := func(what string, inner, outer uint64) {
		t.Helper()
		assert.NotZero(t, inner, "%s is in no release", what)
		assert.Zero(t, inner&^outer, "%s is in a release its owner is not in", what)
	}

	// Every release has operations, the events websocket among them.
	var opsUnion uint64
	for _, r := range api.Resources {
		subset("resource "+r.Name, r.Avail.Releases, all)
		for _, o := range r.Ops {
			what := r.Name + "." + o.Nickname
			subset(what, o.Avail.Releases, r.Avail.Releases)
			opsUnion |= o.Avail.Releases
			assert.True(t, sort.SliceIsSorted(o.Avail.Since, func(a, b int) bool { return versionLess(o.Avail.Since[a], o.Avail.Since[b]) }), "%s since sorted", what)
			for _, p := range o.Params {
				subset(what+" "+p.Name, p.Avail.Releases, o.Avail.Releases)
				assert.Equal(t, p.Avail.Releases != o.Avail.Releases || len(p.Avail.Since) > 0, p.Gated, "%s %s gated", what, p.Name)
				if p.In == "path" {
					assert.Equal(t, o.Avail.Releases, p.Avail.Releases, "%s path parameter %s in every release of the operation", what, p.Name)
					assert.True(t, p.Required)
				}
				if p.Type != nil && p.Type.Kind == ir.EnumRef {
					checkEnum(t, p.Type.Enum)
				}
			}
			assert.Equal(t, len(pathParamNames(o.Path)), len(o.PathParams()), "%s path parameters", what)
		}
	}
	assert.Equal(t, all, opsUnion, "every release has operations")
	ws := operation(t, api, "events", "eventWebsocket")
	assert.True(t, ws.Websocket)
	assert.Equal(t, all, ws.Avail.Releases, "every release has the events websocket")

	// Models, their properties and enums.
	for _, group := range [][]*ir.Model{api.Models, api.Bases, api.Events} {
		for _, m := range group {
			subset("model "+m.Name, m.Avail.Releases, all)
			for _, p := range m.Props {
				subset("property "+m.Name+"."+p.JSON, p.Avail.Releases, m.Avail.Releases)
			}
			if m.Parent != nil {
				subset("model "+m.Name, m.Avail.Releases, m.Parent.Avail.Releases)
			}
		}
	}
	for _, e := range api.Enums {
		checkEnum(t, e)
	}

	// Events: a discriminated base at the root, ids read as the rules of
	// docs/ari-notes.md section 3 say.
	require.NotEmpty(t, api.Bases)
	require.NotEmpty(t, api.Events)
	for _, ev := range api.Events {
		root := ev
		for root.Parent != nil {
			root = root.Parent
		}
		assert.NotEmpty(t, root.Discriminator, "event %s: root %s has no discriminator", ev.Name, root.Name)
		for _, p := range ev.ChannelIDs {
			assert.Equal(t, wantSource(p, false), p.Source, "%s channel id %s", ev.Name, p.PathText())
		}
		for _, p := range ev.BridgeIDs {
			assert.Equal(t, wantSource(p, true), p.Source, "%s bridge id %s", ev.Name, p.PathText())
		}
	}
}

func checkEnum(t *testing.T, e *ir.Enum) {
	t.Helper()
	assert.NotEmpty(t, e.Values, "enum %s", e.GoName)
	for _, v := range e.Values {
		assert.NotZero(t, v.Avail.Releases, "enum %s value %q", e.GoName, v.Value)
		assert.Zero(t, v.Avail.Releases&^e.Avail.Releases, "enum %s value %q", e.GoName, v.Value)
	}
}

func pathParamNames(path string) []string {
	var out []string
	for _, part := range strings.Split(path, "/") {
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
			out = append(out, part[1:len(part)-1])
		}
	}
	return out
}

func versionLess(a, b string) bool {
	ra, errA := ir.ParseRelease(a, "", "")
	rb, errB := ir.ParseRelease(b, "", "")
	if errA != nil || errB != nil {
		return a < b
	}
	if ra.Major != rb.Major {
		return ra.Major < rb.Major
	}
	if ra.Minor != rb.Minor {
		return ra.Minor < rb.Minor
	}
	return ra.Patch < rb.Patch
}
