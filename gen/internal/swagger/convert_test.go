package swagger

import (
	"path/filepath"
	"testing"

	"github.com/go-openapi/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/gen/internal/load"
)

func convert(t *testing.T, version string) *spec.Swagger {
	t.Helper()
	rel, err := load.Dir(filepath.Join("..", "..", "testdata", "quirks", "schemas", "asterisk-"+version))
	require.NoError(t, err)
	doc, err := Convert(rel)
	require.NoError(t, err)
	return doc
}

func op(t *testing.T, doc *spec.Swagger, method, path string) *spec.Operation {
	t.Helper()
	item, ok := doc.Paths.Paths[path]
	require.True(t, ok, "no path %s", path)
	var o *spec.Operation
	switch method {
	case "GET":
		o = item.Get
	case "POST":
		o = item.Post
	case "PUT":
		o = item.Put
	case "DELETE":
		o = item.Delete
	}
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

func TestConvertDocument(t *testing.T) {
	doc := convert(t, "22.10.1")
	assert.Equal(t, "2.0", doc.Swagger)
	assert.Equal(t, "10.0.0", doc.Info.Version)
	assert.Equal(t, "/ari", doc.BasePath)
	v, _ := doc.Extensions.GetString(ExtAsteriskVersion)
	assert.Equal(t, "22.10.1", v)
	// Literal and templated siblings are distinct paths.
	assert.Contains(t, doc.Paths.Paths, "/channels/create")
	assert.Contains(t, doc.Paths.Paths, "/channels/{channelId}")
	// Nicknames are unique per file only: ids carry the resource.
	assert.Equal(t, "channels.get", op(t, doc, "GET", "/channels/{channelId}").ID)
	assert.Equal(t, "bridges.get", op(t, doc, "GET", "/bridges/{bridgeId}").ID)
	nick, _ := op(t, doc, "POST", "/channels/{channelId}/transfer_progress").Extensions.GetString(ExtNickname)
	assert.Equal(t, "transfer_progress", nick)
}

func TestConvertResponses(t *testing.T) {
	doc := convert(t, "22.10.1")
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
		o := op(t, doc, tt.method, tt.path)
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
	list := op(t, doc, "GET", "/channels").Responses.StatusCodeResponses[200].Schema
	assert.Equal(t, "#/definitions/Channel", list.Items.Schema.Ref.String())

	ws := op(t, doc, "GET", "/events")
	up, _ := ws.Extensions.GetString(ExtUpgrade)
	assert.Equal(t, "websocket", up)

	// String error codes become statuses like the others.
	move := op(t, doc, "POST", "/channels/{channelId}/move")
	assert.Equal(t, "Channel not found", move.Responses.StatusCodeResponses[404].Description)
	assert.Equal(t, "Channel not in a Stasis application", move.Responses.StatusCodeResponses[409].Description)
}

func TestConvertParameters(t *testing.T) {
	doc := convert(t, "22.10.1")

	only := param(t, op(t, doc, "GET", "/asterisk/info"), "only")
	assert.Equal(t, "array", only.Type)
	assert.Equal(t, "csv", only.CollectionFormat)
	require.NotNil(t, only.Items)
	assert.Equal(t, "string", only.Items.Type)
	assert.Equal(t, []any{"build", "system", "config", "status"}, only.Items.Enum)

	skip := param(t, op(t, doc, "POST", "/channels/{channelId}/play"), "skipms")
	assert.Equal(t, "integer", skip.Type)
	assert.Equal(t, "int32", skip.Format)
	require.NotNil(t, skip.Minimum)
	assert.Equal(t, 0.0, *skip.Minimum)
	assert.Nil(t, skip.Maximum)
	assert.Equal(t, 3000.0, skip.Default)

	priority := param(t, op(t, doc, "POST", "/channels"), "priority")
	assert.Equal(t, "int64", priority.Format)

	fields := param(t, op(t, doc, "PUT", "/asterisk/config/dynamic/{configClass}/{type}/{id}"), "fields")
	assert.Equal(t, "body", fields.In)
	require.NotNil(t, fields.Schema)
	dt, _ := fields.Schema.Extensions.GetString(ExtDataType)
	assert.Equal(t, "containers", dt)

	filter := param(t, op(t, doc, "PUT", "/applications/{applicationName}/eventFilter"), "filter")
	dt, _ = filter.Schema.Extensions.GetString(ExtDataType)
	assert.Equal(t, "object", dt)

	typ := param(t, op(t, doc, "PUT", "/asterisk/config/dynamic/{configClass}/{type}/{id}"), "type")
	assert.Equal(t, "path", typ.In)
	assert.True(t, typ.Required)

	old := convert(t, "16.30.1")
	reason := param(t, op(t, old, "DELETE", "/channels/{channelId}"), "reason")
	assert.Equal(t, "normal", reason.Default, "16.x spells defaultValue defalutValue")
	assert.Contains(t, reason.Enum, "answered_elsewhere")
	since, _ := op(t, old, "DELETE", "/channels/{channelId}").Extensions.GetStringSlice(ExtSince)
	assert.Empty(t, since)
	since, _ = op(t, doc, "DELETE", "/channels/{channelId}").Extensions.GetStringSlice(ExtSince)
	assert.Equal(t, []string{"12.0.0"}, since)
}

func TestConvertModels(t *testing.T) {
	doc := convert(t, "22.10.1")
	msg := doc.Definitions["Message"]
	assert.Equal(t, "type", msg.Discriminator)
	subs, _ := msg.Extensions.GetStringSlice(ExtSubTypes)
	assert.Equal(t, []string{"MissingParams", "Event"}, subs)

	start := doc.Definitions["StasisStart"]
	require.Len(t, start.AllOf, 2, "subtypes become allOf [parent, own]")
	assert.Equal(t, "#/definitions/Event", start.AllOf[0].Ref.String())
	assert.Contains(t, start.AllOf[1].Properties, "replace_channel")
	assert.Equal(t, []string{"args", "channel"}, start.AllOf[1].Required)
	order, _ := start.Extensions.GetStringSlice(ExtOrder)
	assert.Equal(t, []string{"args", "channel", "replace_channel"}, order)
	assert.Equal(t, "#/definitions/Message", doc.Definitions["Event"].AllOf[0].Ref.String())

	channel := doc.Definitions["Channel"]
	assert.Equal(t, "date-time", channel.Properties["creationtime"].Format)
	assert.Equal(t, spec.StringOrArray{"object"}, channel.Properties["channelvars"].Type)
	assert.Contains(t, channel.Properties["state"].Enum, "Dialing Offhook")
	assert.NotContains(t, channel.Required, "caller_rdnis")
	res, _ := channel.Extensions.GetString(ExtResource)
	assert.Equal(t, "channels", res)

	ep := doc.Definitions["Endpoint"].Properties["channel_ids"]
	assert.Equal(t, spec.StringOrArray{"array"}, ep.Type)
	assert.Equal(t, spec.StringOrArray{"string"}, ep.Items.Schema.Type)
}
