// Package schematest builds schemas folders for tests: the repository's
// releases plus a release no test knows, to check that adding a release
// folder needs nothing but the folder.
package schematest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gostasis.dev/gen/internal/ir"
)

// What the future release adds to the newest release it is copied from.
const (
	// FutureResource and FutureNickname name the new operation,
	// POST /channels/{channelId}/future with a query parameter FutureParam.
	FutureResource = "channels"
	FutureNickname = "futureOperation"
	FutureParam    = "future_mode"
	// FutureEvent is a new event naming a channel in its "channel" property.
	FutureEvent = "ChannelFutureHappened"
	// FutureHangupParam is a new query parameter of channels.hangup.
	FutureHangupParam = "future_cause"
)

// WithFutureRelease returns a new schemas folder holding the release
// folders of schemas (as symbolic links) and asterisk-<N>.0.0, where N is
// one more than the newest major: a copy of the newest release with
// apiVersion "<N>.0.0", one more operation, one more event and one more
// parameter of an existing operation. It returns the folder and the
// future release's version.
func WithFutureRelease(t testing.TB, schemas string) (dir, version string) {
	t.Helper()
	entries, err := os.ReadDir(schemas)
	must(t, err)
	type rel struct {
		name string
		r    ir.Release
	}
	var rels []rel
	dir = t.TempDir()
	for _, e := range entries {
		v, ok := strings.CutPrefix(e.Name(), "asterisk-")
		if !ok {
			continue
		}
		r, err := ir.ParseRelease(v, e.Name(), "")
		must(t, err)
		rels = append(rels, rel{e.Name(), r})
		must(t, os.Symlink(absPath(t, filepath.Join(schemas, e.Name())), filepath.Join(dir, e.Name())))
	}
	if len(rels) == 0 {
		t.Fatalf("%s: no release folder", schemas)
	}
	sort.Slice(rels, func(i, j int) bool {
		a, b := rels[i].r, rels[j].r
		return a.Major < b.Major || a.Major == b.Major && (a.Minor < b.Minor || a.Minor == b.Minor && a.Patch < b.Patch)
	})
	newest := filepath.Join(schemas, rels[len(rels)-1].name)
	major := rels[len(rels)-1].r.Major + 1
	version = fmt.Sprintf("%d.0.0", major)
	future := filepath.Join(dir, "asterisk-"+version)
	must(t, os.MkdirAll(filepath.Join(future, "api-docs"), 0o755))

	docs, err := os.ReadDir(filepath.Join(newest, "api-docs"))
	must(t, err)
	for _, d := range docs {
		must(t, os.Symlink(absPath(t, filepath.Join(newest, "api-docs", d.Name())), filepath.Join(future, "api-docs", d.Name())))
	}
	edit(t, filepath.Join(newest, "resources.json"), filepath.Join(future, "resources.json"), func(s string) string {
		return replaceValue(t, s, `"apiVersion": "`, `"`, version)
	})
	edit(t, filepath.Join(newest, "api-docs", "channels.json"), filepath.Join(future, "api-docs", "channels.json"), func(s string) string {
		s = insertAfter(t, s, `"apis": [`, `
		{
			"path": "/channels/{channelId}/future",
			"description": "A resource no test knows",
			"operations": [
				{
					"httpMethod": "POST",
					"since": ["`+version+`"],
					"summary": "Do what a future Asterisk does.",
					"nickname": "`+FutureNickname+`",
					"responseClass": "void",
					"parameters": [
						{"name": "channelId", "description": "Channel's id", "paramType": "path", "required": true, "allowMultiple": false, "dataType": "string"},
						{"name": "`+FutureParam+`", "description": "How.", "paramType": "query", "required": false, "allowMultiple": false, "dataType": "string",
						 "allowableValues": {"valueType": "LIST", "values": ["now", "later"]}}
					],
					"errorResponses": [{"code": 404, "reason": "Channel not found"}]
				}
			]
		},`)
		return insertAfterIn(t, s, `"nickname": "hangup",`, `"parameters": [`, `
						{"name": "`+FutureHangupParam+`", "description": "Why.", "paramType": "query", "required": false, "allowMultiple": false, "dataType": "int"},`)
	})
	edit(t, filepath.Join(newest, "api-docs", "events.json"), filepath.Join(future, "api-docs", "events.json"), func(s string) string {
		s = insertAfter(t, s, `"models": {`, `
		"`+FutureEvent+`": {
			"id": "`+FutureEvent+`",
			"description": "Something happened to a channel in a future Asterisk.",
			"properties": {
				"channel": {"required": true, "type": "Channel", "description": "The channel."},
				"what": {"required": false, "type": "string", "description": "What happened."}
			}
		},`)
		return insertAfterIn(t, s, `"id": "Event",`, `"subTypes": [`, `
				"`+FutureEvent+`",`)
	})
	return dir, version
}

func edit(t testing.TB, from, to string, f func(string) string) {
	t.Helper()
	data, err := os.ReadFile(from)
	must(t, err)
	_ = os.Remove(to) // the symbolic link to the original
	must(t, os.WriteFile(to, []byte(f(string(data))), 0o644))
}

func insertAfter(t testing.TB, s, marker, text string) string {
	t.Helper()
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("no %q to insert after", marker)
	}
	i += len(marker)
	return s[:i] + text + s[i:]
}

// insertAfterIn inserts text after the first marker that follows anchor.
func insertAfterIn(t testing.TB, s, anchor, marker, text string) string {
	t.Helper()
	i := strings.Index(s, anchor)
	if i < 0 {
		t.Fatalf("no %q", anchor)
	}
	return s[:i] + insertAfter(t, s[i:], marker, text)
}

// replaceValue replaces the text between the first prefix and the next end.
func replaceValue(t testing.TB, s, prefix, end, value string) string {
	t.Helper()
	i := strings.Index(s, prefix)
	if i < 0 {
		t.Fatalf("no %q", prefix)
	}
	i += len(prefix)
	j := strings.Index(s[i:], end)
	if j < 0 {
		t.Fatalf("no %q after %q", end, prefix)
	}
	return s[:i] + value + s[i+j:]
}

func absPath(t testing.TB, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	must(t, err)
	return abs
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
