package emit

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"gostasis.dev/gen/internal/ir"
)

// sentenceOp is an operation with summary s, for methodSentence.
func sentenceOp(method, summary string) *ir.Operation {
	return &ir.Operation{
		Resource: &ir.Resource{Name: "res"}, Nickname: "nick", GoName: "Name",
		Method: method, Path: "/p", Summary: summary,
	}
}

// TestMethodSentenceRealSummaries turns every summary of the releases in
// schemas/ when this test was written into a sentence: "Name" then want,
// then the method and path.
func TestMethodSentenceRealSummaries(t *testing.T) {
	tests := []struct{ summary, method, want string }{
		{"Add a channel to a bridge.", "POST", "adds a channel to a bridge"},
		{"Adds a log channel.", "POST", "adds a log channel"},
		{"Answer a channel.", "POST", "answers a channel"},
		{"Change the state of a device controlled by ARI. (Note - implicitly creates the device state).", "PUT", "changes the state of a device controlled by ARI"},
		{"Change the state of a mailbox. (Note - implicitly creates the mailbox).", "PUT", "changes the state of a mailbox"},
		{"Channel details.", "GET", "returns channel details"},
		{"Claim a broadcast channel for this application.", "POST", "claims a broadcast channel for this application"},
		{"Control a playback.", "POST", "controls a playback"},
		{"Copy a stored recording.", "POST", "copies a stored recording"},
		{"Create a new bridge.", "POST", "creates a new bridge"},
		{"Create a new channel (originate with id).", "POST", "creates a new channel (originate with id)"},
		{"Create a new channel (originate).", "POST", "creates a new channel (originate)"},
		{"Create channel.", "POST", "creates channel"},
		{"Create or update a dynamic configuration object.", "PUT", "creates or updates a dynamic configuration object"},
		{"Delete (i.e. hangup) a channel.", "DELETE", "deletes (i.e. hangup) a channel"},
		{"Delete a dynamic configuration object.", "DELETE", "deletes a dynamic configuration object"},
		{"Delete a stored recording.", "DELETE", "deletes a stored recording"},
		{"Deletes a log channel.", "DELETE", "deletes a log channel"},
		{"Destroy a device-state controlled by ARI.", "DELETE", "destroys a device-state controlled by ARI"},
		{"Destroy a mailbox.", "DELETE", "destroys a mailbox"},
		{"Details for an endpoint.", "GET", "returns details for an endpoint"},
		{"Dial a created channel.", "POST", "dials a created channel"},
		{"Exit application; continue execution in the dialplan.", "POST", "exits application; continues execution in the dialplan"},
		{"Filter application events types.", "PUT", "filters application events types"},
		{"Generate a user event.", "POST", "generates a user event"},
		{"Get Asterisk module information.", "GET", "gets Asterisk module information"},
		{"Get a playback's details.", "GET", "gets a playback's details"},
		{"Get a sound's details.", "GET", "gets a sound's details"},
		{"Get a stored recording's details.", "GET", "gets a stored recording's details"},
		{"Get bridge details.", "GET", "gets bridge details"},
		{"Get details of an application.", "GET", "gets details of an application"},
		{"Get the file associated with the stored recording.", "GET", "gets the file associated with the stored recording"},
		{"Get the value of a bridge variable or function.", "GET", "gets the value of a bridge variable or function"},
		{"Get the value of a channel variable or function.", "GET", "gets the value of a channel variable or function"},
		{"Get the value of a global variable.", "GET", "gets the value of a global variable"},
		{"Get the value of multiple bridge variables or functions.", "GET", "gets the value of multiple bridge variables or functions"},
		{"Get the value of multiple channel variables or functions.", "GET", "gets the value of multiple channel variables or functions"},
		{"Gets Asterisk log channel information.", "GET", "gets Asterisk log channel information"},
		{"Gets Asterisk system information.", "GET", "gets Asterisk system information"},
		{"Hold a channel.", "POST", "holds a channel"},
		{"Indicate progress on a channel.", "POST", "indicates progress on a channel"},
		{"Indicate ringing to a channel.", "POST", "indicates ringing to a channel"},
		{"Inform the channel about the progress of the attended/blind transfer.", "POST", "informs the channel about the progress of the attended/blind transfer"},
		{"List Asterisk modules.", "GET", "lists Asterisk modules"},
		{"List all ARI controlled device states.", "GET", "lists all ARI controlled device states"},
		{"List all active bridges in Asterisk.", "GET", "lists all active bridges in Asterisk"},
		{"List all active channels in Asterisk.", "GET", "lists all active channels in Asterisk"},
		{"List all applications.", "GET", "lists all applications"},
		{"List all endpoints.", "GET", "lists all endpoints"},
		{"List all mailboxes.", "GET", "lists all mailboxes"},
		{"List all sounds.", "GET", "lists all sounds"},
		{"List available endoints for a given endpoint technology.", "GET", "lists available endoints for a given endpoint technology"},
		{"List live recordings.", "GET", "lists live recordings"},
		{"List recordings that are complete.", "GET", "lists recordings that are complete"},
		{"Load an Asterisk module.", "POST", "loads an Asterisk module"},
		{"Move the channel from one Stasis application to another.", "POST", "moves the channel from one Stasis application to another"},
		{"Mute a channel.", "POST", "mutes a channel"},
		{"Mute a live recording.", "POST", "mutes a live recording"},
		{"Pause a live recording.", "POST", "pauses a live recording"},
		{"Play music on hold to a bridge or change the MOH class that is playing.", "POST", "plays music on hold to a bridge or changes the MOH class that is playing"},
		{"Play music on hold to a channel.", "POST", "plays music on hold to a channel"},
		{"Play silence to a channel.", "POST", "plays silence to a channel"},
		{"RTP stats on a channel.", "GET", "returns RTP stats on a channel"},
		{"Redirect the channel to a different location.", "POST", "redirects the channel to a different location"},
		{"Refer an endpoint or technology URI to some technology URI or endpoint.", "POST", "refers an endpoint or technology URI to some technology URI or endpoint"},
		{"Reload an Asterisk module.", "PUT", "reloads an Asterisk module"},
		{"Remove a channel from a bridge.", "POST", "removes a channel from a bridge"},
		{"Remove a channel from hold.", "DELETE", "removes a channel from hold"},
		{"Removes any explicit video source in a multi-party mixing bridge. This operation has no effect on bridges with two or fewer participants. When no explicit video source is set, talk detection will be used to determine the active video stream.", "DELETE", "removes any explicit video source in a multi-party mixing bridge"},
		{"Response pong message.", "GET", "returns response pong message"},
		{"Retrieve a dynamic configuration object.", "GET", "retrieves a dynamic configuration object"},
		{"Retrieve the current state of a device.", "GET", "retrieves the current state of a device"},
		{"Retrieve the current state of a mailbox.", "GET", "retrieves the current state of a mailbox"},
		{"Rotates a log channel.", "PUT", "rotates a log channel"},
		{"Send a message to some endpoint in a technology.", "PUT", "sends a message to some endpoint in a technology"},
		{"Send a message to some technology URI or endpoint.", "PUT", "sends a message to some technology URI or endpoint"},
		{"Send provided DTMF to a given channel.", "POST", "sends provided DTMF to a given channel"},
		{"Set a channel as the video source in a multi-party mixing bridge. This operation has no effect on bridges with two or fewer participants.", "POST", "sets a channel as the video source in a multi-party mixing bridge"},
		{"Set the value of a bridge variable or function.", "POST", "sets the value of a bridge variable or function"},
		{"Set the value of a channel variable or function.", "POST", "sets the value of a channel variable or function"},
		{"Set the value of a global variable.", "POST", "sets the value of a global variable"},
		{"Set the values of multiple bridge variables or functions.", "POST", "sets the values of multiple bridge variables or functions"},
		{"Set the values of multiple channel variables or functions.", "POST", "sets the values of multiple channel variables or functions"},
		{"Shut down a bridge.", "DELETE", "shuts down a bridge"},
		{"Start a recording.", "POST", "starts a recording"},
		{"Start an External Media session.", "POST", "starts an External Media session"},
		{"Start playback of media and specify the playbackId.", "POST", "starts playback of media and specifies the playbackId"},
		{"Start playback of media on a bridge.", "POST", "starts playback of media on a bridge"},
		{"Start playback of media.", "POST", "starts playback of media"},
		{"Start snooping.", "POST", "starts snooping"},
		{"Stop a live recording and discard it.", "DELETE", "stops a live recording and discards it"},
		{"Stop a live recording and store it.", "POST", "stops a live recording and stores it"},
		{"Stop a playback.", "DELETE", "stops a playback"},
		{"Stop playing music on hold to a bridge.", "DELETE", "stops playing music on hold to a bridge"},
		{"Stop playing music on hold to a channel.", "DELETE", "stops playing music on hold to a channel"},
		{"Stop playing silence to a channel.", "DELETE", "stops playing silence to a channel"},
		{"Stop ringing indication on a channel if locally generated.", "DELETE", "stops ringing indication on a channel if locally generated"},
		{"Subscribe an application to a event source.", "POST", "subscribes an application to a event source"},
		{"Unload an Asterisk module.", "DELETE", "unloads an Asterisk module"},
		{"Unmute a channel.", "DELETE", "unmutes a channel"},
		{"Unmute a live recording.", "DELETE", "unmutes a live recording"},
		{"Unpause a live recording.", "DELETE", "unpauses a live recording"},
		{"Unsubscribe an application from an event source.", "DELETE", "unsubscribes an application from an event source"},
		{"WebSocket connection for events.", "GET", "returns WebSocket connection for events"},
	}
	for _, tt := range tests {
		first, _ := methodSentence(sentenceOp(tt.method, tt.summary))
		assert.Equal(t, "Name "+tt.want+": "+tt.method+" /p (res.nick).", first, tt.summary)
	}
}

func TestMethodSentence(t *testing.T) {
	tests := []struct{ name, method, summary, first, rest string }{
		{"imperative", "POST", "Answer a channel.", "Name answers a channel: POST /p (res.nick).", ""},
		{"no full stop", "POST", "Answer a channel", "Name answers a channel: POST /p (res.nick).", ""},
		{"HTML and spaces", "POST", "<b>Answer</b>   a channel.", "Name answers a channel: POST /p (res.nick).", ""},
		{"third person already", "GET", "Gets Asterisk system information.", "Name gets Asterisk system information: GET /p (res.nick).", ""},
		{"noun phrase, GET", "GET", "Channel details.", "Name returns channel details: GET /p (res.nick).", ""},
		{"noun phrase with an initialism", "GET", "RTP stats on a channel.", "Name returns RTP stats on a channel: GET /p (res.nick).", ""},
		{"noun phrase, other method", "POST", "WebSocket connection for events.", "Name calls POST /p (res.nick): WebSocket connection for events.", ""},
		{"unknown verb", "POST", "Frobnicate a channel.", "Name calls POST /p (res.nick): Frobnicate a channel.", ""},
		{"no summary", "DELETE", "", "Name calls DELETE /p (res.nick).", ""},
		{"several sentences", "POST", "Set a channel as the video source. This has no effect on bridges of two.",
			"Name sets a channel as the video source: POST /p (res.nick).", "This has no effect on bridges of two."},
		{"a note in parentheses", "PUT", "Change the state of a mailbox. (Note - implicitly creates the mailbox).",
			"Name changes the state of a mailbox: PUT /p (res.nick).", "(Note - implicitly creates the mailbox)."},
		{"an abbreviation", "DELETE", "Delete (i.e. hangup) a channel.", "Name deletes (i.e. hangup) a channel: DELETE /p (res.nick).", ""},
		{"paragraphs", "POST", "Answer a channel.<br/><br/>Then talk.", "Name answers a channel: POST /p (res.nick).", "Then talk."},
		{"joined verbs", "POST", "Stop a recording and store it; copy it or delete it.",
			"Name stops a recording and stores it; copies it or deletes it: POST /p (res.nick).", ""},
		{"a noun after or", "GET", "Get a variable or function.", "Name gets a variable or function: GET /p (res.nick).", ""},
	}
	for _, tt := range tests {
		first, rest := methodSentence(sentenceOp(tt.method, tt.summary))
		assert.Equal(t, tt.first, first, tt.name)
		assert.Equal(t, tt.rest, rest, tt.name)
	}
}

func TestThirdPerson(t *testing.T) {
	for verb, want := range map[string]string{
		"add": "adds", "copy": "copies", "specify": "specifies", "play": "plays",
		"fetch": "fetches", "push": "pushes", "pass": "passes", "fix": "fixes",
		"buzz": "buzzes", "go": "goes", "do": "does", "set": "sets", "unpause": "unpauses",
	} {
		assert.Equal(t, want, thirdPerson(verb), verb)
	}
}

func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{
		"Channel details":    "channel details",
		"RTP stats":          "RTP stats",
		"WebSocket for apps": "WebSocket for apps",
		"A":                  "a",
		"Élan":               "élan",
	} {
		assert.Equal(t, want, lowerFirst(in), in)
	}
}
