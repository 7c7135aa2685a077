package load

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-openapi/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/ext"
	"gostasis.dev/gen/internal/generr"
)

// quirks reads a release folder of the golden case that carries every quirk.
func quirks(t *testing.T, version string) *Release {
	t.Helper()
	rel, err := Dir(filepath.Join("..", "..", "testdata", "quirks", "schemas", "asterisk-"+version))
	require.NoError(t, err)
	return rel
}

func op(t *testing.T, rel *Release, method, path string) *spec.Operation {
	t.Helper()
	item, ok := rel.Doc.Paths.Paths[path]
	require.True(t, ok, "no path %s", path)
	o := *methodSlot(&item, method)
	require.NotNil(t, o, "no %s %s", method, path)
	return o
}

func param(t *testing.T, o *spec.Operation, name string) spec.Parameter {
	t.Helper()
	for _, p := range o.Parameters {
		if p.Name == name {
			return p
		}
	}
	require.Failf(t, "no parameter", "%s %s", o.ID, name)
	return spec.Parameter{}
}

func TestDirRelease(t *testing.T) {
	rel := quirks(t, "22.10.1")
	assert.Equal(t, "asterisk-22.10.1", rel.Name)
	assert.Equal(t, "22.10.1", rel.Version)
	assert.Equal(t, "10.0.0", rel.APIVersion)
	doc := rel.Doc
	assert.Equal(t, "2.0", doc.Swagger)
	assert.Equal(t, "10.0.0", doc.Info.Version)
	assert.Equal(t, "/ari", doc.BasePath)
	assert.Equal(t, ext.Document{Version: "22.10.1"}, ext.DocumentOf(doc))
	// One tag per declaration file, in resources.json's order (not the
	// file system's), with resources.json's description.
	var names []string
	for _, tag := range doc.Tags {
		names = append(names, tag.Name)
		assert.Equal(t, filepath.Join(rel.Dir, "api-docs", tag.Name+".json"), rel.Files[tag.Name])
	}
	assert.Equal(t, []string{"asterisk", "endpoints", "channels", "bridges", "recordings", "playbacks", "events", "applications", "deviceStates"}, names)
	assert.Len(t, rel.Files, len(names))
	assert.Equal(t, "Channel resources", doc.Tags[2].Description)
}

func TestOperations(t *testing.T) {
	rel := quirks(t, "22.10.1")
	// Literal and templated siblings are distinct paths (docs/ari-notes.md 2.13).
	assert.Contains(t, rel.Doc.Paths.Paths, "/channels/create")
	assert.Contains(t, rel.Doc.Paths.Paths, "/channels/{channelId}")
	// Nicknames are unique per file only: ids carry the resource (2.1).
	get := op(t, rel, "GET", "/channels/{channelId}")
	assert.Equal(t, "channels.get", get.ID)
	assert.Equal(t, []string{"channels"}, get.Tags)
	assert.Equal(t, "bridges.get", op(t, rel, "GET", "/bridges/{bridgeId}").ID)
	x := ext.OperationOf(op(t, rel, "POST", "/channels/{channelId}/transfer_progress"))
	assert.Equal(t, "transfer_progress", x.Nickname)
	assert.Equal(t, "channels", x.Resource)
	// Since as written, unordered (2.11).
	assert.Equal(t, []string{"22.3.0", "21.8.0", "20.13.0"}, x.Since)

	// Order counts operations across files in resources.json's order.
	ping := ext.OperationOf(op(t, rel, "GET", "/asterisk/ping"))
	assert.Less(t, ping.Order, ext.OperationOf(get).Order, "asterisk is listed before channels")
	seen := map[int]bool{}
	for _, item := range rel.Doc.Paths.Paths {
		for _, o := range []*spec.Operation{item.Get, item.Post, item.Put, item.Delete} {
			if o != nil {
				n := ext.OperationOf(o).Order
				assert.False(t, seen[n], "order %d used twice", n)
				seen[n] = true
			}
		}
	}
	for i := range len(seen) {
		assert.True(t, seen[i], "order %d unused", i)
	}

	// An operation without a "parameters" key (2.2).
	assert.Empty(t, op(t, rel, "GET", "/asterisk/ping").Parameters)
}

func TestResponses(t *testing.T) {
	rel := quirks(t, "22.10.1")
	tests := []struct {
		method, path string
		status       int
		typ, ref     string
	}{
		{"DELETE", "/channels/{channelId}", 204, "", ""},
		{"GET", "/recordings/stored/{recordingName}/file", 200, "file", ""},
		{"GET", "/channels/{channelId}", 200, "", "#/definitions/Channel"},
		{"GET", "/channels", 200, "array", ""},
		{"GET", "/events", 200, "", "#/definitions/Message"},
	}
	for _, tt := range tests {
		o := op(t, rel, tt.method, tt.path)
		r, ok := o.Responses.StatusCodeResponses[tt.status]
		require.True(t, ok, "%s %s: no %d", tt.method, tt.path, tt.status)
		if tt.typ == "" && tt.ref == "" {
			assert.Nil(t, r.Schema)
			continue
		}
		require.NotNil(t, r.Schema)
		if tt.typ != "" {
			assert.Equal(t, spec.StringOrArray{tt.typ}, r.Schema.Type, "%s %s", tt.method, tt.path)
		}
		assert.Equal(t, tt.ref, r.Schema.Ref.String(), "%s %s", tt.method, tt.path)
	}
	list := op(t, rel, "GET", "/channels")
	assert.Equal(t, "#/definitions/Channel", list.Responses.StatusCodeResponses[200].Schema.Items.Schema.Ref.String())
	assert.Equal(t, ext.Type{DataType: "List[Channel]"}, ext.TypeOf(list.Responses.StatusCodeResponses[200].Schema))
	assert.Equal(t, "List[Channel]", ext.OperationOf(list).ResponseClass)

	ws := ext.OperationOf(op(t, rel, "GET", "/events"))
	assert.Equal(t, "websocket", ws.Upgrade)
	assert.Equal(t, "ari", ws.WebsocketProtocol)
	assert.Equal(t, "Message", ws.ResponseClass)

	// String error codes become statuses like the others (2.3).
	move := op(t, rel, "POST", "/channels/{channelId}/move")
	assert.Equal(t, "Channel not found", move.Responses.StatusCodeResponses[404].Description)
	assert.Equal(t, "Channel not in a Stasis application", move.Responses.StatusCodeResponses[409].Description)
}

func TestParameters(t *testing.T) {
	old, rel := quirks(t, "16.30.1"), quirks(t, "22.10.1")

	// allowMultiple is a csv array; unknown keys (__note) are ignored.
	only := param(t, op(t, rel, "GET", "/asterisk/info"), "only")
	assert.Equal(t, "array", only.Type)
	assert.Equal(t, "csv", only.CollectionFormat)
	require.NotNil(t, only.Items)
	assert.Equal(t, "string", only.Items.Type)
	assert.Equal(t, []any{"build", "system", "config", "status"}, only.Items.Enum)
	assert.Equal(t, ext.Parameter{DataType: "string"}, ext.ParameterOf(&only))

	// A RANGE with a minimum only; a typed default.
	skip := param(t, op(t, rel, "POST", "/channels/{channelId}/play"), "skipms")
	assert.Equal(t, "integer", skip.Type)
	assert.Equal(t, "int32", skip.Format)
	require.NotNil(t, skip.Minimum)
	assert.Equal(t, 0.0, *skip.Minimum)
	assert.Nil(t, skip.Maximum)
	assert.Equal(t, 3000.0, skip.Default)
	assert.Equal(t, 100.0, param(t, op(t, rel, "POST", "/channels/{channelId}/dtmf"), "between").Default)
	assert.Equal(t, false, param(t, op(t, rel, "POST", "/endpoints/{tech}/{resource}/refer"), "to_self").Default)

	assert.Equal(t, "int64", param(t, op(t, rel, "POST", "/channels"), "priority").Format)

	// Missing required and allowMultiple mean false; path parameters are
	// required (2.2).
	value := param(t, op(t, rel, "POST", "/asterisk/variable"), "value")
	assert.False(t, value.Required)
	assert.Equal(t, "string", value.Type)
	typ := param(t, op(t, rel, "PUT", "/asterisk/config/dynamic/{configClass}/{type}/{id}"), "type")
	assert.Equal(t, "path", typ.In)
	assert.True(t, typ.Required)

	// Body parameters keep Asterisk's dataType (2.5).
	fields := param(t, op(t, rel, "PUT", "/asterisk/config/dynamic/{configClass}/{type}/{id}"), "fields")
	assert.Equal(t, "body", fields.In)
	require.NotNil(t, fields.Schema)
	assert.Equal(t, ext.Type{DataType: "containers"}, ext.TypeOf(fields.Schema))
	assert.Equal(t, ext.Parameter{DataType: "containers"}, ext.ParameterOf(&fields))
	filter := param(t, op(t, rel, "PUT", "/applications/{applicationName}/eventFilter"), "filter")
	assert.Equal(t, "object", ext.TypeOf(filter.Schema).DataType)

	// Typos (2.4): descriptioni, defalutValue.
	send := param(t, op(t, rel, "PUT", "/endpoints/sendMessage"), "variables")
	assert.Contains(t, send.Description, `The "variables" key in the body object`)
	reason := param(t, op(t, old, "DELETE", "/channels/{channelId}"), "reason")
	assert.Equal(t, "normal", reason.Default, "16.x spells defaultValue defalutValue")
	assert.Contains(t, reason.Enum, "answered_elsewhere")
	assert.Nil(t, param(t, op(t, rel, "DELETE", "/channels/{channelId}"), "reason").Default)

	// since only in newer releases (2.11).
	assert.Empty(t, ext.OperationOf(op(t, old, "DELETE", "/channels/{channelId}")).Since)
	assert.Equal(t, []string{"12.0.0"}, ext.OperationOf(op(t, rel, "DELETE", "/channels/{channelId}")).Since)
}

func TestModels(t *testing.T) {
	rel := quirks(t, "22.10.1")
	defs := rel.Doc.Definitions
	msg := defs["Message"]
	assert.Equal(t, "type", msg.Discriminator)
	assert.Equal(t, []string{"MissingParams", "Event"}, ext.ModelOf(&msg).SubTypes)
	assert.Equal(t, "events", ext.ModelOf(&msg).Resource)

	start := defs["StasisStart"]
	require.Len(t, start.AllOf, 2, "subtypes become allOf [parent, own]")
	assert.Equal(t, "#/definitions/Event", start.AllOf[0].Ref.String())
	assert.Contains(t, start.AllOf[1].Properties, "replace_channel")
	assert.Equal(t, []string{"args", "channel"}, start.AllOf[1].Required)
	assert.Equal(t, []string{"args", "channel", "replace_channel"}, ext.ModelOf(&start).Properties)
	assert.Equal(t, "#/definitions/Message", defs["Event"].AllOf[0].Ref.String())

	// Declaration order of properties.
	ue := defs["ChannelUserevent"]
	assert.Equal(t, []string{"eventname", "channel", "bridge", "endpoint", "userevent"}, ext.ModelOf(&ue).Properties)

	// A property without "required" is optional (2.2).
	enter := defs["ChannelEnteredBridge"]
	assert.Equal(t, []string{"bridge"}, enter.AllOf[1].Required)

	channel := defs["Channel"]
	creation := channel.Properties["creationtime"]
	assert.Equal(t, "date-time", creation.Format)
	assert.Equal(t, ext.Type{DataType: "Date"}, ext.TypeOf(&creation))
	assert.Equal(t, spec.StringOrArray{"object"}, channel.Properties["channelvars"].Type)
	assert.Contains(t, channel.Properties["state"].Enum, "Dialing Offhook")
	assert.NotContains(t, channel.Required, "caller_rdnis")
	assert.Equal(t, "channels", ext.ModelOf(&channel).Resource)

	ep := defs["Endpoint"].Properties["channel_ids"]
	assert.Equal(t, spec.StringOrArray{"array"}, ep.Type)
	assert.Equal(t, spec.StringOrArray{"string"}, ep.Items.Schema.Type)
	assert.Equal(t, "List[string]", ext.TypeOf(&ep).DataType)
}

func TestErrors(t *testing.T) {
	write := func(t *testing.T, files map[string]string) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "asterisk-22.10.1")
		for name, data := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
		}
		return dir
	}
	index := `{"apiVersion": "10.0.0", "apis": [{"path": "/api-docs/channels.{format}"}]}`
	tests := []struct {
		name  string
		files map[string]string
		// file is relative to the release folder; want must be in the message.
		file, want string
	}{
		{"no resources.json", map[string]string{"api-docs/channels.json": `{}`}, "resources.json", "no such file"},
		{"listed twice", map[string]string{"resources.json": `{"apis": [{"path": "/api-docs/channels.{format}"}, {"path": "/api-docs/channels.{format}"}]}`, "api-docs/channels.json": `{}`},
			"resources.json", `apis[1].path "/api-docs/channels.{format}": listed twice`},
		{"bad declaration path", map[string]string{"resources.json": `{"apis": [{"path": "/api-docs/{x}.json"}]}`},
			"resources.json", "not a declaration file path"},
		{"models not an object", map[string]string{"resources.json": index, "api-docs/channels.json": `{"models": []}`},
			"api-docs/channels.json", "models: expected an object"},
		{"model id differs from key", map[string]string{"resources.json": index, "api-docs/channels.json": `{"models": {"Channel": {"id": "Chan"}}}`},
			"api-docs/channels.json", `model Channel: id "Chan" differs from its key`},
		{"property without type", map[string]string{"resources.json": index, "api-docs/channels.json": `{"models": {"Channel": {"properties": {"id": {"required": true}}}}}`},
			"api-docs/channels.json", "model Channel property id: property has no type"},
		{"parameter without dataType", map[string]string{"resources.json": index, "api-docs/channels.json": `{"apis": [{"path": "/channels", "operations": [{"httpMethod": "GET", "nickname": "list", "parameters": [{"name": "x", "paramType": "query"}]}]}]}`},
			"api-docs/channels.json", "GET /channels (list) parameter x: parameter needs a name and a dataType"},
		{"bad range minimum", map[string]string{"resources.json": index, "api-docs/channels.json": `{"apis": [{"path": "/channels", "operations": [{"httpMethod": "GET", "nickname": "list", "parameters": [{"name": "x", "paramType": "query", "dataType": "int", "allowableValues": {"valueType": "RANGE", "min": "zero"}}]}]}]}`},
			"api-docs/channels.json", "allowableValues.min"},
		{"two operations of one method on one path", map[string]string{"resources.json": index, "api-docs/channels.json": `{"apis": [{"path": "/channels", "operations": [{"httpMethod": "GET", "nickname": "list"}, {"httpMethod": "GET", "nickname": "all"}]}]}`},
			"api-docs/channels.json", "GET /channels: two GET operations on one path"},
		{"malformed container type", map[string]string{"resources.json": index, "api-docs/channels.json": `{"models": {"Channel": {"properties": {"ids": {"type": "List[string"}}}}}`},
			"api-docs/channels.json", `model Channel property ids: malformed container type "List[string"`},
		{"subtype of two models", map[string]string{"resources.json": index, "api-docs/channels.json": `{"models": {"A": {"subTypes": ["C"]}, "B": {"subTypes": ["C"]}, "C": {}}}`},
			"api-docs/channels.json", `model B subTypes: "C" already a subtype of "A"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, tt.files)
			_, err := Dir(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), filepath.Join(dir, filepath.FromSlash(tt.file)))
			assert.Contains(t, err.Error(), tt.want)
			var ge *generr.Error
			if assert.ErrorAs(t, err, &ge) {
				assert.Equal(t, filepath.Join(dir, filepath.FromSlash(tt.file)), ge.File)
			}
		})
	}

	t.Run("unwraps", func(t *testing.T) {
		_, err := Dir(write(t, map[string]string{"api-docs/channels.json": `{}`}))
		assert.ErrorIs(t, err, fs.ErrNotExist)
		data := map[string]string{"resources.json": index, "api-docs/channels.json": `{"apis": [}`}
		_, err = Dir(write(t, data))
		var se *json.SyntaxError
		assert.ErrorAs(t, err, &se)
	})

	t.Run("folder name", func(t *testing.T) {
		_, err := Dir(filepath.Join(t.TempDir(), "22.10.1"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "asterisk-<version>")
		assert.True(t, errors.As(err, new(*generr.Error)))
	})
}

func TestDescribeJSONError(t *testing.T) {
	data := []byte("{\n  \"a\": 1\n  \"b\": 2\n}")
	var v map[string]any
	err := describeJSONError(data, json.Unmarshal(data, &v))
	// The quote opening "b" is on line 3, column 3.
	assert.ErrorContains(t, err, "line 3 column 3: invalid character")
	var se *json.SyntaxError
	assert.ErrorAs(t, err, &se)
}
