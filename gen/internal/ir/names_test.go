package ir

import (
	"go/token"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGoName(t *testing.T) {
	tests := []struct{ in, want string }{
		// ARI-NOTES 2.1: snake_case, camelCase and run-together lower case.
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
		// An all-caps run that is not in the words table is capitalised
		// like any word.
		{"RESTResponse", "RestResponse"},
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
		// ARI-NOTES 2.8: parameters named like Go keywords or like the
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
