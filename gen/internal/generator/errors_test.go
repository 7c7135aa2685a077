package generator

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/generr"
)

// baseRelease is the release folder of the minimal golden case: every
// broken schema below is a copy of it with one defect.
const baseRelease = "asterisk-23.4.1"

// fixture copies gen/testdata/minimal/schemas into a temporary schemas
// folder and returns it.
func fixture(t *testing.T) string {
	t.Helper()
	schemas := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "testdata", "minimal", "schemas"), schemas)
	return schemas
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	require.NoError(t, err)
}

// apiDoc is the path of a declaration file of the base release.
func apiDoc(schemas, name string) string {
	return filepath.Join(schemas, baseRelease, "api-docs", name+".json")
}

// replace replaces the one occurrence of old in the file at path.
func replace(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(data), old), "%s: %q must occur once", path, old)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
}

// lineColumn is where old starts in the file at path, as "line L column C".
func lineColumn(t *testing.T, path, old string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	i := strings.Index(string(data), old)
	require.GreaterOrEqual(t, i, 0)
	line := 1 + strings.Count(string(data[:i]), "\n")
	col := i - strings.LastIndexByte(string(data[:i]), '\n')
	return fmt.Sprintf("line %d column %d", line, col)
}

// The members the defects below are inserted after.
const (
	getNickname   = `"nickname": "get",`
	channelIDPath = `"name": "channelId",
							"description": "Channel's id",
							"paramType": "path",
							"dataType": "string"`
	hangupReason = `"name": "reason",`
	idProp       = `"id": {
					"required": true,
					"type": "string",
					"description": "Unique identifier of the channel."
				},`
	stasisEndChannel = `"channel": {
					"required": true,
					"type": "Channel"
				}
			}
		}
	}`
	channelModel = `"models": {
		"Channel": {`
)

// TestErrorsNameFileAndElement breaks the minimal schema in one way per
// case and checks that the error names the file and the element at fault.
func TestErrorsNameFileAndElement(t *testing.T) {
	tests := []struct {
		name string
		// breakIt edits the schemas folder and returns the file the error
		// must name.
		breakIt func(t *testing.T, schemas string) string
		// want are further fragments the message must contain.
		want []string
	}{
		{
			name: "malformed JSON",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, getNickname, `"nickname": "get"`)
				return f
			},
			want: []string{"invalid character"},
		},
		{
			name: "wrong JSON type",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, `"allowMultiple": true,`, `"allowMultiple": "yes",`)
				return f
			},
			want: []string{"cannot unmarshal string"},
		},
		{
			name: "unknown paramType",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, channelIDPath, strings.Replace(channelIDPath, `"path"`, `"header"`, 1))
				return f
			},
			want: []string{"GET /channels/{channelId} (get) parameter channelId", `unsupported paramType "header"`},
		},
		{
			name: "path parameter not in the path",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, channelIDPath, channelIDPath+`
						},
						{
							"name": "bridgeId",
							"paramType": "path",
							"dataType": "string"`)
				return f
			},
			want: []string{"GET /channels/{channelId} (get) parameter bridgeId", "not in the path"},
		},
		{
			name: "undeclared path parameter",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"path": "/channels/{channelId}",`, `"path": "/channels/{channelId}/{snoopId}",`)
				return f
			},
			want: []string{"GET /channels/{channelId}/{snoopId} (get)", "{snoopId} is not declared"},
		},
		{
			name: "unsupported parameter dataType",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, `"dataType": "boolean"`, `"dataType": "Date"`)
				return f
			},
			want: []string{"GET /events (eventWebsocket) parameter subscribeAll", `dataType "Date"`},
		},
		{
			name: "list of numbers",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, hangupReason, `"name": "causes",
							"paramType": "query",
							"allowMultiple": true,
							"dataType": "int"
						},
						{
							`+hangupReason)
				return f
			},
			want: []string{"DELETE /channels/{channelId} (hangup)", "parameter causes", "allowMultiple"},
		},
		{
			name: "unknown allowableValues valueType",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"valueType": "LIST",
								"values": [
									"normal",`, `"valueType": "SET",
								"values": [
									"normal",`)
				return f
			},
			want: []string{"DELETE /channels/{channelId} (hangup) parameter reason", `valueType "SET"`},
		},
		{
			name: "property of an unknown model",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, stasisEndChannel, strings.Replace(stasisEndChannel, `"Channel"`, `"Chanel"`, 1))
				return f
			},
			want: []string{"model StasisEnd property channel", `"Chanel"`},
		},
		{
			name: "response of an unknown model",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"responseClass": "Channel",`, `"responseClass": "Chanel",`)
				return f
			},
			want: []string{"channels.get /channels/{channelId} response 200", `"Chanel"`},
		},
		{
			name: "subtype of an unknown model",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, `"StasisEnd"
			]`, `"StasisEnd",
				"StasisMiddle"
			]`)
				return f
			},
			want: []string{"model Event subTypes", `"StasisMiddle"`},
		},
		{
			name: "subtype cycle",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, `"description": "Notification that a channel has left a Stasis application.",`,
					`"description": "Notification that a channel has left a Stasis application.",
			"subTypes": ["Message"],`)
				return f
			},
			want: []string{"subtype cycle"},
		},
		{
			name: "two body parameters",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, hangupReason, `"name": "variables",
							"paramType": "body",
							"dataType": "containers"
						},
						{
							"name": "fields",
							"paramType": "body",
							"dataType": "containers"
						},
						{
							`+hangupReason)
				return f
			},
			want: []string{"DELETE /channels/{channelId} (hangup)", "more than one body parameter"},
		},
		{
			name: "error code that is not a number",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"code": 404,`, `"code": "four-oh-four",`)
				return f
			},
			want: []string{"GET /channels/{channelId} (get) errorResponses[0].code", "four-oh-four"},
		},
		{
			name: "error code that is not an error",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"code": 404,`, `"code": "200",`)
				return f
			},
			want: []string{"GET /channels/{channelId} (get) errorResponses code 200", "not an error status"},
		},
		{
			name: "operation without nickname",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, getNickname, ``)
				return f
			},
			want: []string{"GET /channels/{channelId}", "no nickname"},
		},
		{
			name: "unsupported httpMethod",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"httpMethod": "DELETE",`, `"httpMethod": "PATCH",`)
				return f
			},
			want: []string{"PATCH /channels/{channelId} (hangup)", `httpMethod "PATCH"`},
		},
		{
			name: "duplicate model across files",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, `"models": {`, `"models": {
		"Channel": {
			"id": "Channel",
			"properties": {
				"id": {"type": "string", "required": true}
			}
		},`)
				return f
			},
			want: []string{"model Channel", "also declared in ", apiDocSuffix("channels")},
		},
		{
			name: "path declared in two files",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, `"path": "/events",`, `"path": "/channels/{channelId}",`)
				return f
			},
			want: []string{"path /channels/{channelId}", "declared twice"},
		},
		{
			name: "model whose Go names collide",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, idProp, idProp+`
				"creationTime": {
					"required": false,
					"type": "string"
				},`)
				return f
			},
			want: []string{"model Channel", `"creationtime"`, `"creationTime"`, "CreationTime"},
		},
		{
			name: "parameters whose Go names collide",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, hangupReason, `"name": "channel_id",
							"paramType": "query",
							"dataType": "string"
						},
						{
							`+hangupReason)
				return f
			},
			want: []string{"operation hangup", `"channelId"`, `"channel_id"`, "ChannelID"},
		},
		{
			name: "unclassified list parameter",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, hangupReason, `"name": "causes",
							"description": "Comma separated list of causes.",
							"paramType": "query",
							"dataType": "string"
						},
						{
							`+hangupReason)
				return f
			},
			want: []string{"DELETE /channels/{channelId} (hangup): parameter causes", "comma-separated list", "gen/internal/ir/quirks.go"},
		},
		{
			name: "unclassified arguments parameter",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, hangupReason, `"name": "appArgs",
							"description": "The application arguments.",
							"paramType": "query",
							"dataType": "string"
						},
						{
							`+hangupReason)
				return f
			},
			want: []string{"(hangup): parameter appArgs", "comma-separated list", "listParams"},
		},
		{
			name: "unclassified caller id parameter",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, hangupReason, `"name": "callerId",
							"description": "CallerID to show.",
							"paramType": "query",
							"dataType": "string"
						},
						{
							`+hangupReason)
				return f
			},
			want: []string{"(hangup): parameter callerId", "caller id", "callerIDParams"},
		},
		{
			name: "nicknames whose Go names collide",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"apis": [`, `"apis": [
		{
			"path": "/channels",
			"operations": [
				{
					"httpMethod": "GET",
					"nickname": "Get",
					"responseClass": "List[Channel]"
				}
			]
		},`)
				return f
			},
			want: []string{"operation ", `"get"`, `"Get"`, "method Get"},
		},
		{
			name: "enum values whose Go names collide",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, `"Down",`, `"Down",
							"Pre-ring",
							"Pre ring",`)
				return f
			},
			want: []string{"model Channel property state", `"Pre-ring"`, `"Pre ring"`, "ChannelStatePreRing"},
		},
		{
			name: "enum named like a model",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "channels")
				replace(t, f, channelModel, `"models": {
		"ChannelState": {
			"id": "ChannelState",
			"properties": {
				"id": {"type": "string", "required": true}
			}
		},
		"Channel": {`)
				return f
			},
			want: []string{"model Channel property state", "ChannelState"},
		},
		{
			name: "event string naming a channel",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, stasisEndChannel, strings.Replace(stasisEndChannel, `"Channel"
				}`, `"Channel"
				},
				"peer_channel_name": {
					"type": "string"
				}`, 1))
				return f
			},
			want: []string{"event StasisEnd", "peer_channel_name", "gen/internal/ir/quirks.go"},
		},
		{
			name: "event list of channels",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				replace(t, f, stasisEndChannel, strings.Replace(stasisEndChannel, `"Channel"
				}`, `"Channel"
				},
				"peers": {
					"type": "List[Channel]"
				}`, 1))
				return f
			},
			want: []string{"event StasisEnd", "property peers", "list holding channels"},
		},
		{
			name: "property whose type changed between releases",
			breakIt: func(t *testing.T, s string) string {
				old := filepath.Join(s, "asterisk-22.10.1")
				copyDir(t, filepath.Join(s, baseRelease), old)
				f := filepath.Join(old, "api-docs", "channels.json")
				replace(t, f, `"type": "Date",
					"description": "Timestamp when channel was created"`, `"type": "long",
					"description": "Timestamp when channel was created"`)
				return f
			},
			want: []string{"model Channel property creationtime", "type long here but Date"},
		},
		{
			name: "parameter moved between releases",
			breakIt: func(t *testing.T, s string) string {
				old := filepath.Join(s, "asterisk-22.10.1")
				copyDir(t, filepath.Join(s, baseRelease), old)
				f := filepath.Join(old, "api-docs", "channels.json")
				replace(t, f, `"name": "reason",
							"description": "Reason for hanging up the channel for simple use.",
							"paramType": "query",`, `"name": "reason",
							"description": "Reason for hanging up the channel for simple use.",
							"paramType": "body",`)
				return f
			},
			want: []string{"DELETE /channels/{channelId} (hangup)", "parameter reason is in body here but in query"},
		},
		{
			name: "two folders of one release line",
			breakIt: func(t *testing.T, s string) string {
				copyDir(t, filepath.Join(s, baseRelease), filepath.Join(s, "asterisk-23.5.0"))
				return "asterisk-23.5.0"
			},
			want: []string{baseRelease, "same release line"},
		},
		{
			name: "folder that is not a version",
			breakIt: func(t *testing.T, s string) string {
				copyDir(t, filepath.Join(s, baseRelease), filepath.Join(s, "asterisk-next"))
				return "asterisk-next"
			},
			want: []string{`"next"`, "not major.minor.patch"},
		},
		{
			name: "missing declaration file",
			breakIt: func(t *testing.T, s string) string {
				f := apiDoc(s, "events")
				require.NoError(t, os.Remove(f))
				return f
			},
		},
		{
			name: "resources.json without apis",
			breakIt: func(t *testing.T, s string) string {
				f := filepath.Join(s, baseRelease, "resources.json")
				require.NoError(t, os.WriteFile(f, []byte(`{"apiVersion": "11.0.0"}`), 0o644))
				return f
			},
			want: []string{"apis", "no declaration files"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			schemas := fixture(t)
			file := tt.breakIt(t, schemas)
			_, err := Generate(Options{Schemas: schemas, Module: module})
			require.Error(t, err)
			msg := err.Error()
			t.Log(msg)
			assert.Contains(t, msg, file, "the error must name the file")
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
			assert.Equal(t, 1, strings.Count(msg, "\n")+1, "one line: %s", msg)
			var ge *generr.Error
			if assert.ErrorAs(t, err, &ge, "every schema error is a *generr.Error") {
				assert.Contains(t, ge.File, file, "the error's File")
			}
		})
	}
}

// TestMalformedJSONPosition checks that JSON errors give the line and
// column of the offending byte.
func TestMalformedJSONPosition(t *testing.T) {
	tests := []struct {
		name, file, old, new string
		// at is the text the position must point into.
		at string
	}{
		// encoding/json stops at the quote opening the next key.
		{"syntax error", "channels", getNickname, `"nickname": "get"`, `"responseClass": "Channel",`},
		// and after the value of the wrong type: at its closing quote.
		{"type error", "events", `"allowMultiple": true,`, `"allowMultiple": "yes",`, `",
							"dataType": "string"
						},
						{
							"name": "subscribeAll",`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schemas := fixture(t)
			f := apiDoc(schemas, tt.file)
			replace(t, f, tt.old, tt.new)
			want := lineColumn(t, f, tt.at)
			_, err := Generate(Options{Schemas: schemas, Module: module})
			require.Error(t, err)
			assert.Contains(t, err.Error(), f+": "+want+": ")
		})
	}
}

func apiDocSuffix(name string) string {
	return filepath.Join(baseRelease, "api-docs", name+".json")
}
