package load

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quirks is a release folder of the golden case that carries every quirk.
func quirks(t *testing.T, version string) *Release {
	t.Helper()
	rel, err := Dir(filepath.Join("..", "..", "testdata", "quirks", "schemas", "asterisk-"+version))
	require.NoError(t, err)
	return rel
}

func file(t *testing.T, rel *Release, name string) *File {
	t.Helper()
	for _, f := range rel.Files {
		if f.Name == name {
			return f
		}
	}
	require.Failf(t, "no file", "%s", name)
	return nil
}

func operation(t *testing.T, f *File, nickname string) (*API, *Operation) {
	t.Helper()
	for _, a := range f.APIs {
		for _, o := range a.Operations {
			if o.Nickname == nickname {
				return a, o
			}
		}
	}
	require.Failf(t, "no operation", "%s.%s", f.Name, nickname)
	return nil, nil
}

func parameter(t *testing.T, o *Operation, name string) *Parameter {
	t.Helper()
	for _, p := range o.Parameters {
		if p.Name == name {
			return p
		}
	}
	require.Failf(t, "no parameter", "%s %s", o.Nickname, name)
	return nil
}

func model(t *testing.T, f *File, id string) *Model {
	t.Helper()
	for _, m := range f.Models {
		if m.ID == id {
			return m
		}
	}
	require.Failf(t, "no model", "%s", id)
	return nil
}

func TestDirRelease(t *testing.T) {
	rel := quirks(t, "22.10.1")
	assert.Equal(t, "asterisk-22.10.1", rel.Name)
	assert.Equal(t, "22.10.1", rel.Version)
	assert.Equal(t, "10.0.0", rel.APIVersion)
	var names []string
	for _, f := range rel.Files {
		names = append(names, f.Name)
		assert.Equal(t, filepath.Join(rel.Dir, "api-docs", f.Name+".json"), f.Path)
	}
	// resources.json's order, not the file system's.
	assert.Equal(t, []string{"asterisk", "endpoints", "channels", "bridges", "recordings", "playbacks", "events", "applications"}, names)
	assert.Equal(t, "Channel resources", file(t, rel, "channels").Description)
	assert.Equal(t, []string{"12.0.0"}, file(t, rel, "channels").Since)
}

func TestQuirks(t *testing.T) {
	old, cur := quirks(t, "16.30.1"), quirks(t, "22.10.1")

	t.Run("missing parameters key", func(t *testing.T) {
		_, ping := operation(t, file(t, cur, "asterisk"), "ping")
		assert.Nil(t, ping.Parameters)
	})
	t.Run("missing required and allowMultiple", func(t *testing.T) {
		_, set := operation(t, file(t, cur, "asterisk"), "setGlobalVar")
		value := parameter(t, set, "value")
		assert.False(t, value.Required)
		assert.False(t, value.AllowMultiple)
	})
	t.Run("path parameters are required", func(t *testing.T) {
		rel, err := Dir(filepath.Join("..", "..", "testdata", "minimal", "schemas", "asterisk-23.4.1"))
		require.NoError(t, err)
		_, get := operation(t, file(t, rel, "channels"), "get")
		assert.True(t, parameter(t, get, "channelId").Required)
	})
	t.Run("string error codes", func(t *testing.T) {
		_, move := operation(t, file(t, cur, "channels"), "move")
		assert.Equal(t, []*ErrorResponse{{404, "Channel not found"}, {409, "Channel not in a Stasis application"}}, move.ErrorResponses)
	})
	t.Run("defalutValue", func(t *testing.T) {
		_, hangup := operation(t, file(t, old, "channels"), "hangup")
		assert.JSONEq(t, `"normal"`, string(parameter(t, hangup, "reason").DefaultValue))
		_, hangup = operation(t, file(t, cur, "channels"), "hangup")
		assert.Nil(t, parameter(t, hangup, "reason").DefaultValue)
	})
	t.Run("typed defaultValue", func(t *testing.T) {
		_, dtmf := operation(t, file(t, cur, "channels"), "sendDTMF")
		assert.JSONEq(t, `100`, string(parameter(t, dtmf, "between").DefaultValue))
		_, refer := operation(t, file(t, cur, "endpoints"), "referToEndpoint")
		assert.JSONEq(t, `false`, string(parameter(t, refer, "to_self").DefaultValue))
	})
	t.Run("descriptioni", func(t *testing.T) {
		_, send := operation(t, file(t, cur, "endpoints"), "sendMessage")
		assert.Contains(t, parameter(t, send, "variables").Description, `The "variables" key in the body object`)
	})
	t.Run("unknown keys", func(t *testing.T) {
		_, info := operation(t, file(t, cur, "asterisk"), "getInfo")
		only := parameter(t, info, "only")
		assert.True(t, only.AllowMultiple)
		assert.Equal(t, &AllowableValues{ValueType: "LIST", Values: []string{"build", "system", "config", "status"}}, only.AllowableValues)
	})
	t.Run("range with a minimum", func(t *testing.T) {
		_, play := operation(t, file(t, cur, "channels"), "play")
		av := parameter(t, play, "skipms").AllowableValues
		require.NotNil(t, av)
		assert.Equal(t, "RANGE", av.ValueType)
		require.NotNil(t, av.Min)
		assert.Equal(t, 0.0, *av.Min)
		assert.Nil(t, av.Max)
	})
	t.Run("websocket upgrade", func(t *testing.T) {
		_, ws := operation(t, file(t, cur, "events"), "eventWebsocket")
		assert.Equal(t, "websocket", ws.Upgrade)
		assert.Equal(t, "ari", ws.WebsocketProtocol)
		assert.Equal(t, "Message", ws.ResponseClass)
	})
	t.Run("since only in newer releases", func(t *testing.T) {
		_, o := operation(t, file(t, old, "channels"), "get")
		assert.Nil(t, o.Since)
		_, o = operation(t, file(t, cur, "channels"), "transfer_progress")
		assert.Equal(t, []string{"22.3.0", "21.8.0", "20.13.0"}, o.Since)
	})
	t.Run("declaration order", func(t *testing.T) {
		events := file(t, cur, "events")
		assert.Equal(t, "Message", events.Models[0].ID)
		msg := model(t, events, "Message")
		assert.Equal(t, "type", msg.Discriminator)
		assert.Equal(t, []string{"MissingParams", "Event"}, msg.SubTypes)
		var props []string
		for _, p := range model(t, events, "ChannelUserevent").Properties {
			props = append(props, p.Name)
		}
		assert.Equal(t, []string{"eventname", "channel", "bridge", "endpoint", "userevent"}, props)
	})
	t.Run("property without required", func(t *testing.T) {
		for _, p := range model(t, file(t, cur, "events"), "ChannelEnteredBridge").Properties {
			assert.Equal(t, p.Name == "bridge", p.Required, p.Name)
		}
	})
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, tt.files)
			_, err := Dir(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), filepath.Join(dir, filepath.FromSlash(tt.file)))
			assert.Contains(t, err.Error(), tt.want)
			var le *Error
			assert.ErrorAs(t, err, &le)
		})
	}

	t.Run("folder name", func(t *testing.T) {
		_, err := Dir(filepath.Join(t.TempDir(), "22.10.1"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "asterisk-<version>")
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
