package session

import (
	"encoding/json"
	"time"
)

// FormatVersion is the version of the file format that Writer writes and
// Read accepts.
const FormatVersion = 1

// Header is the first line of a session: where and when it was recorded.
type Header struct {
	// Format is the file format's version (FormatVersion).
	Format int `json:"format"`
	// Recorded is when the recording started.
	Recorded time.Time `json:"recorded"`
	// Server is the URL of the Asterisk server recorded, without user
	// information or query.
	Server string `json:"server,omitempty"`
	// Version is the server's Asterisk version, e.g. "22.10.1".
	Version string `json:"version,omitempty"`
	// Apps are the Stasis applications the recording registered.
	Apps []string `json:"apps"`
}

// Event is one message of the events websocket, as it arrived.
type Event struct {
	// Time is when the recorder received it.
	Time time.Time
	// Conn is the sequence number of the websocket connection it came on
	// (1 for the first, 2 after a reconnect...).
	Conn uint64
	// Data is the message. A message that is valid JSON is stored
	// compacted; any other message is stored byte for byte.
	Data []byte
}

// Exchange is one REST request and Asterisk's answer: a request the
// recorder made itself, or, when it records as a proxy, one the recorded
// application made.
type Exchange struct {
	// Time is when the request was sent.
	Time time.Time
	// Transport is TransportHTTP (also when empty) or TransportWebsocket
	// (REST over the events websocket).
	Transport string
	// Method is the HTTP method.
	Method string
	// Path is the request path, e.g. "/ari/asterisk/info".
	Path string
	// Query is the encoded query string without credentials (api_key).
	Query string
	// Request is the request's body; empty for none.
	Request []byte
	// Status is the HTTP status of the answer.
	Status int
	// Body is the answer's body; empty for none.
	Body []byte
	// After is how many of the session's events were recorded before
	// this exchange (set by Read from the order of the lines), so that a
	// replay knows which events came before the request and which after.
	After int
}

// Transports of an Exchange.
const (
	TransportHTTP      = "http"
	TransportWebsocket = "websocket"
)

// Session is a recorded session.
type Session struct {
	// Header says where and when it was recorded.
	Header Header
	// Events are the events received, in the order they arrived.
	Events []Event
	// Exchanges are the REST exchanges, in the order they were sent.
	Exchanges []Exchange
}

// Line kinds.
const (
	kindHeader = "header"
	kindEvent  = "event"
	kindREST   = "rest"
)

// line is one line of the file. Exactly one of the kinds' members is set.
type line struct {
	Kind string    `json:"kind"`
	Time time.Time `json:"time,omitzero"`

	// kindHeader
	*Header

	// kindEvent
	Conn  uint64          `json:"conn,omitempty"`
	Event json.RawMessage `json:"event,omitempty"`
	Raw   *string         `json:"raw,omitempty"` // a message that is not JSON

	// kindREST
	Transport   string          `json:"transport,omitempty"` // "" for TransportHTTP
	Method      string          `json:"method,omitempty"`
	Path        string          `json:"path,omitempty"`
	Query       string          `json:"query,omitempty"`
	Request     json.RawMessage `json:"request,omitempty"`
	RequestText *string         `json:"requestText,omitempty"` // a request body that is not JSON
	Status      int             `json:"status,omitempty"`
	Body        json.RawMessage `json:"body,omitempty"`
	Text        *string         `json:"text,omitempty"` // a body that is not JSON
}
