package ir

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGoName(t *testing.T) {
	tests := []struct{ in, want string }{
		// docs/ari-notes.md §2.1: snake_case, camelCase and run-together lower case.
		{"caller_rdnis", "CallerRDNIS"},
		{"channelId", "ChannelID"},
		{"sendDTMF", "SendDTMF"},
		{"rtpstatistics", "RTPStatistics"},
		{"transfer_progress", "TransferProgress"},
		{"Dialing Offhook", "DialingOffhook"},
		{"Pre-ring", "PreRing"},
		// Initialisms at either end and in the middle.
		{"id", "ID"},
		{"channel_ids", "ChannelIDs"},
		{"target_uri", "TargetURI"},
		{"media_uri", "MediaURI"},
		{"playbackId", "PlaybackID"},
		{"asterisk_id", "AsteriskID"},
		{"ChannelDtmfReceived", "ChannelDTMFReceived"},
		{"DTMFReceived", "DTMFReceived"},
		// An upper-case run keeps its capitals when it is a known word, even
		// when the next word starts in lower case.
		{"RESTResponse", "RESTResponse"},
		{"RTPstat", "RTPStat"},
		{"SetId", "SetID"},
		{"ChannelUserevent", "ChannelUserEvent"},
		{"ChannelCallerId", "ChannelCallerID"},
		{"IDs", "IDs"},
		{"RXPLoss", "RXPLoss"},
		// An all-caps run that is not in the words table is capitalised
		// like any word.
		{"FOOBar", "FooBar"},
		{"external_host", "ExternalHost"},
		// Run-together compounds Asterisk writes in lower case.
		{"channelvars", "ChannelVars"},
		{"bridgevars", "BridgeVars"},
		{"creationtime", "CreationTime"},
		{"accountcode", "AccountCode"},
		{"offsetms", "OffsetMS"},
		{"skipms", "SkipMS"},
		{"tenantid", "TenantID"},
		{"userevent", "UserEvent"},
		{"eventname", "EventName"},
		{"local_maxrxploss", "LocalMaxRXPLoss"},
		// Resources and already exported names.
		{"deviceStates", "DeviceStates"},
		{"channels", "Channels"},
		{"Channel", "Channel"},
		// Degenerate input still gives an exported identifier.
		{"3way", "N3way"},
		{"", "X"},
		{"*", "X"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := GoName(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, token.IsIdentifier(got) && token.IsExported(got), "%q is not an exported identifier", got)
		})
	}
}

func TestArgName(t *testing.T) {
	tests := []struct{ in, want string }{
		// docs/ari-notes.md §2.8: parameters named like Go keywords or like the
		// variables generated method bodies use.
		{"type", "typeArg"},
		{"body", "bodyArg"},
		{"func", "funcArg"},
		{"ctx", "ctxArg"},
		{"p", "pArg"},
		{"r", "rArg"},
		{"q", "qArg"},
		{"err", "errArg"},
		{"out", "outArg"},
		{"context", "contextArg"},
		// Leading initialisms are lowered as a whole.
		{"channelId", "channelID"},
		{"id", "id"},
		{"ID", "id"},
		{"DTMFDigit", "dtmfDigit"},
		{"uri", "uri"},
		{"playbackId", "playbackID"},
		{"tech", "tech"},
		{"resource", "resource"},
		{"applicationName", "applicationName"},
		{"eventName", "eventName"},
		{"variables", "variables"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := ArgName(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, token.IsIdentifier(got), "%q is not an identifier", got)
			assert.False(t, token.IsKeyword(got))
		})
	}
}

func TestEnumValueName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Dialing Offhook", "DialingOffhook"},
		{"Pre-ring", "PreRing"},
		{"Not Permitted", "NotPermitted"},
		{"no_answer", "NoAnswer"},
		{"*", "Star"},
		{"#", "Hash"},
		{"", "Empty"},
		{"0", "N0"},
		{"Up", "Up"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, EnumValueName(tt.in), "%q", tt.in)
	}
}

func TestSplitWords(t *testing.T) {
	assert.Equal(t, []string{"send", "dtmf"}, splitWords("sendDTMF"))
	assert.Equal(t, []string{"dtmf", "received"}, splitWords("DTMFReceived"))
	assert.Equal(t, []string{"caller", "rdnis"}, splitWords("caller_rdnis"))
	assert.Equal(t, []string{"dialing", "offhook"}, splitWords("Dialing Offhook"))
	assert.Equal(t, []string{"pre", "ring"}, splitWords("Pre-ring"))
	assert.Empty(t, splitWords("*"))
}

func TestSingular(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Channels", "Channel"},
		{"Bridges", "Bridge"},
		{"Mailboxes", "Mailbox"},
		{"DeviceStates", "DeviceState"},
		{"Applications", "Application"},
		{"Asterisk", "Asterisk"},
		{"Events", "Event"},
		{"Sounds", "Sound"},
		{"Playbacks", "Playback"},
		{"Recordings", "Recording"},
		{"Endpoints", "Endpoint"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, singular(tt.in), tt.in)
	}
}

func TestModelEnumName(t *testing.T) {
	tests := []struct{ model, prop, want string }{
		{"Channel", "State", "ChannelState"},
		{"Bridge", "BridgeType", "BridgeType"},
		{"DeviceState", "State", "DeviceStateValue"},
		{"Playback", "State", "PlaybackState"},
		{"Endpoint", "State", "EndpointState"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, modelEnumName(tt.model, tt.prop), "%s.%s", tt.model, tt.prop)
	}
}

// TestGeneratedNamesFollowTheRule checks every exported identifier the
// generator wrote (types, functions, methods, fields, constants and
// interface methods in the committed *_gen.go files) against the one
// naming rule: spelling it again with GoName changes nothing, so no
// "Id", "Dtmf" or "Rtp" slips through.
func TestGeneratedNamesFollowTheRule(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	var files []string
	for _, dir := range []string{"ari", "ari/events", "ari/resources"} {
		m, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), "*_gen.go"))
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	checked := 0
	for _, path := range files {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			var idents []*ast.Ident
			switch n := n.(type) {
			case *ast.TypeSpec:
				idents = append(idents, n.Name)
			case *ast.FuncDecl:
				idents = append(idents, n.Name)
			case *ast.ValueSpec:
				idents = append(idents, n.Names...)
			case *ast.Field:
				idents = append(idents, n.Names...)
			}
			for _, id := range idents {
				if !id.IsExported() || isStandardMethod(id.Name) {
					continue
				}
				checked++
				assert.Equal(t, id.Name, GoName(id.Name), "%s: %s breaks the naming rule", filepath.Base(path), id.Name)
			}
			return true
		})
	}
	assert.Greater(t, checked, 1000, "too few names checked")
}

// isStandardMethod reports names whose spelling an interface of the
// standard library fixes.
func isStandardMethod(name string) bool {
	switch name {
	case "MarshalJSON", "UnmarshalJSON", "String", "Error", "Unwrap":
		return true
	}
	return false
}
