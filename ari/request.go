package ari

import (
	"net/url"
	"strings"
)

// Request is one call of an operation, built by the generated clients of
// package resources and sent by Client.Do or Client.Open. Programs build
// one to call an operation by hand:
//
//	var q ari.Query
//	q.Add("only", "system")
//	r := &ari.Request{Op: op, Path: "/asterisk/info", Query: q.Encode()}
//
// A parameter of Op is sent when Query names it (query parameters) or Body
// is set (the body parameter); path parameters always are. Client.Do
// checks the parameters sent against the server's Asterisk version.
type Request struct {
	// Op is the operation called.
	Op *Operation
	// Path is the request path under /ari with every path parameter already
	// escaped (see PathEscape), e.g. "/channels/abc%2Fdef/play".
	Path string
	// Query is the encoded query string, without the leading '?' (see
	// Query).
	Query string
	// Body, when non-nil, is sent as the JSON request body.
	Body any
}

// sends reports whether r sends p, a parameter of r.Op: a path parameter
// always, a query parameter when r.Query names it, a body parameter when
// r.Body is set.
func (r *Request) sends(p *Param) bool {
	switch p.In {
	case "path":
		return true
	case "query":
		return queryHas(r.Query, p.Name)
	case "body":
		return r.Body != nil
	}
	return false
}

// queryHas reports whether the encoded query q has a parameter called name.
func queryHas(q, name string) bool {
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		key, _, _ := strings.Cut(pair, "=")
		if key == name {
			return true
		}
		if strings.ContainsAny(key, "%+") {
			if k, err := url.QueryUnescape(key); err == nil && k == name {
				return true
			}
		}
	}
	return false
}
