package ari

// Request is one call of an operation, built by the generated clients and
// sent by Client.Do or Client.Open.
type Request struct {
	// Op is the operation called.
	Op *Operation
	// Path is the request path under /ari with every path parameter already
	// escaped (see PathEscape), e.g. "/channels/abc%2Fdef/play".
	Path string
	// Query is the encoded query string, without the leading '?'.
	Query string
	// Body, when non-nil, is sent as the JSON request body.
	Body any
	// Gated lists the parameters the caller set that not every release
	// accepts; the client refuses the call on a release without them.
	Gated []*Param
}
