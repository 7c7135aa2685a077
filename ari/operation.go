package ari

// Operation describes one ARI operation as Asterisk's API description
// declares it. The generated clients in package resources hold one per
// operation (resources.Operations lists them); the transport uses it for
// version checks and error reasons. A hand-built Operation sends a call
// the generated clients do not have (see Request).
type Operation struct {
	// Resource is the declaration file the operation comes from, e.g. "channels".
	Resource string
	// Nickname is Asterisk's name for the operation, e.g. "originate".
	Nickname string
	// Method is the HTTP method.
	Method string
	// Path is the path template under /ari, e.g. "/channels/{channelId}".
	Path string
	// Availability says which Asterisk releases have the operation.
	Availability Availability
	// Errors lists the error statuses the operation declares, with reasons.
	Errors []ErrorResponse
	// Params lists the operation's parameters.
	Params []Param
}

// String names the operation as "resource.nickname", e.g. "channels.originate".
func (o *Operation) String() string { return o.Resource + "." + o.Nickname }

// Reason returns the reason the API description gives for status on this
// operation, or "" if it declares none.
func (o *Operation) Reason(status int) string {
	for _, e := range o.Errors {
		if e.Status == status {
			return e.Reason
		}
	}
	return ""
}

// Param returns the parameter called name, or nil.
func (o *Operation) Param(name string) *Param {
	for i := range o.Params {
		if o.Params[i].Name == name {
			return &o.Params[i]
		}
	}
	return nil
}

// Param describes one parameter of an operation.
type Param struct {
	// Name is the parameter's name on the wire.
	Name string
	// In is where it goes: "path", "query" or "body".
	In string
	// Required reports whether Asterisk requires it.
	Required bool
	// Availability says which Asterisk releases accept it, for a parameter
	// that not every release of the operation has; the zero value (what
	// the generated operations hold for the others) means "wherever the
	// operation is". Client.Do refuses a call that sends the parameter to
	// a release without it (see Request).
	Availability Availability
}

// ErrorResponse is one error status an operation declares, with the reason
// Asterisk's API description gives for it.
type ErrorResponse struct {
	// Status is the HTTP status, e.g. 404.
	Status int
	// Reason is the description's explanation, e.g. "Channel not found".
	Reason string
}
