package ari

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Sentinel errors, matched with errors.Is against the *Error a call returns:
//
//	if errors.Is(err, ari.ErrNotFound) { ... }
//
// Each HTTP status sentinel stands for one status; StatusCode gives any
// status, including those without a sentinel.
var (
	// ErrBadRequest is a 400: a parameter is missing or invalid.
	ErrBadRequest = errors.New("ari: bad request")
	// ErrUnauthorized is a 401: the credentials were refused.
	ErrUnauthorized = errors.New("ari: unauthorized")
	// ErrForbidden is a 403: the user may not do this (ACL, read-only user).
	ErrForbidden = errors.New("ari: forbidden")
	// ErrNotFound is a 404: the channel, bridge, ... does not exist.
	ErrNotFound = errors.New("ari: not found")
	// ErrConflict is a 409: e.g. the channel is not in a Stasis application,
	// or an object with that id already exists.
	ErrConflict = errors.New("ari: conflict")
	// ErrInvalidState is a 412: the channel or bridge is in a state that
	// does not allow the operation.
	ErrInvalidState = errors.New("ari: invalid state")
	// ErrUnprocessable is a 422: the request is well formed but cannot be
	// acted on (unknown format, unknown event source, ...).
	ErrUnprocessable = errors.New("ari: unprocessable")
	// ErrNotImplemented is a 501.
	ErrNotImplemented = errors.New("ari: not implemented")
	// ErrUnavailable is a 503, e.g. while Asterisk is still starting.
	ErrUnavailable = errors.New("ari: service unavailable")
	// ErrUnsupported reports an operation or parameter that the server's
	// Asterisk version does not have; the request was not sent. It also
	// matches errors.ErrUnsupported.
	ErrUnsupported = fmt.Errorf("ari: not supported by this Asterisk version (%w)", errors.ErrUnsupported)
)

// Sentinel errors for replies the client refuses, matched with errors.Is
// against the *Error a call returns (its Err).
var (
	// ErrEmptyReply reports a successful reply with an empty or null body
	// to an operation that returns a result (a Channel, a list...).
	// Asterisk always sends one, so a proxy or the server is broken.
	ErrEmptyReply = errors.New("ari: empty or null reply where a result was expected")
	// ErrReplyTooLarge reports a reply longer than Config.MaxReplySize;
	// it was not read past the limit.
	ErrReplyTooLarge = errors.New("ari: reply larger than Config.MaxReplySize")
	// ErrRedirect reports a 3xx reply: the client does not follow
	// redirects, since ARI never redirects (see Config.HTTPClient).
	ErrRedirect = errors.New("ari: redirect refused (ARI never redirects: check Config.URL)")
)

// statusSentinel returns the sentinel for status, or nil.
func statusSentinel(status int) error {
	switch status {
	case http.StatusBadRequest:
		return ErrBadRequest
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusConflict:
		return ErrConflict
	case http.StatusPreconditionFailed:
		return ErrInvalidState
	case http.StatusUnprocessableEntity:
		return ErrUnprocessable
	case http.StatusNotImplemented:
		return ErrNotImplemented
	case http.StatusServiceUnavailable:
		return ErrUnavailable
	}
	return nil
}

// Error is the error of a call that failed: Asterisk answered with an error
// status, the request could not be sent or its reply read, or the server's
// Asterisk version does not have the operation.
//
// Use errors.Is with the sentinels (ErrNotFound, ErrConflict, ...,
// ErrUnsupported), StatusCode for any status, and errors.Is / errors.As on
// the underlying error for transport failures (context.DeadlineExceeded,
// *net.OpError).
type Error struct {
	// Op names the operation, e.g. "channels.originate".
	Op string
	// Method and Path are the request's HTTP method and its path under
	// /ari, escaped as sent, without the query.
	Method, Path string
	// Status is the HTTP status Asterisk answered with; 0 when no reply
	// was received (transport error) or the call was refused before
	// sending (ErrUnsupported).
	Status int
	// Message is Asterisk's explanation: the "message" of its JSON error
	// body, or the body text itself (trimmed, at most 64 KiB) when the body
	// is not JSON, such as the HTML of an authentication failure. For
	// ErrUnsupported it says which releases have the operation.
	Message string
	// Reason is what Asterisk's API description says Status means for this
	// operation, e.g. "Channel not found", or "".
	Reason string
	// Version is the server's Asterisk version, set for ErrUnsupported.
	Version Version
	// Err is the underlying cause: the transport or decoding error,
	// ErrUnsupported for a refused call, ErrEmptyReply, ErrReplyTooLarge or
	// ErrRedirect for a refused reply, the error that cut reading an
	// error reply short (e.g. context.DeadlineExceeded; Message is then
	// empty, since the text was incomplete), or nil for an error status.
	Err error
}

var _ error = (*Error)(nil)

// Error formats e on one line, e.g.
// "ari: channels.get GET /channels/nosuch: 404 Not Found: Channel not found".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ari: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteByte(' ')
	}
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	n := b.Len()
	if e.Status != 0 {
		b.WriteString(strconv.Itoa(e.Status))
		if t := http.StatusText(e.Status); t != "" {
			b.WriteByte(' ')
			b.WriteString(t)
		}
	}
	msg := e.Message
	if msg == "" && e.Err == nil {
		msg = e.Reason
	}
	if msg != "" {
		if b.Len() > n {
			b.WriteString(": ")
		}
		b.WriteString(oneLine(msg, maxErrorText))
	}
	if e.Err != nil && !errors.Is(e.Err, ErrUnsupported) {
		if b.Len() > n {
			b.WriteString(": ")
		}
		// A *url.Error repeats the method and the whole URL (query
		// included); the prefix above already says which request it was.
		cause := e.Err
		var ue *url.Error
		if errors.As(cause, &ue) && cause == error(ue) {
			cause = ue.Err
		}
		b.WriteString(cause.Error())
	}
	if b.Len() == n {
		b.WriteString("failed")
	}
	return b.String()
}

// Unwrap returns the underlying error (transport, decoding,
// ErrUnsupported) or nil.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel for e's status (ErrNotFound for
// a 404, ...). ErrUnsupported matches through Unwrap.
func (e *Error) Is(target error) bool {
	s := statusSentinel(e.Status)
	return s != nil && s == target
}

// StatusCode returns the HTTP status of the *Error in err's chain, or 0 if
// there is none or no reply was received.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

const (
	// maxErrorBody bounds how much of an error reply is read.
	maxErrorBody = 64 << 10
	// maxErrorText bounds the message in Error's one-line form.
	maxErrorText = 512
)

// readErrorBody reads at most maxErrorBody bytes of an error reply and
// returns Asterisk's message: the "message" member of a JSON object, or
// the trimmed text. When reading fails (the context ended while the body
// was arriving...) it returns no message, since part of a body is not
// Asterisk's message, and the error.
func readErrorBody(body io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(body, maxErrorBody))
	if err != nil {
		return "", err
	}
	return errorMessage(data), nil
}

// errorMessage extracts the message from an error body.
func errorMessage(data []byte) string {
	t := bytes.TrimSpace(data)
	if len(t) > 0 && t[0] == '{' {
		var m struct {
			Message *string `json:"message"`
		}
		if json.Unmarshal(t, &m) == nil && m.Message != nil {
			return *m.Message
		}
	}
	return string(t)
}

// oneLine collapses runs of white space in s to single spaces and cuts it
// to about max bytes, so that an HTML body stays readable in a log line.
func oneLine(s string, max int) string {
	if len(s) <= max && strings.IndexAny(s, "\r\n\t") < 0 {
		return s
	}
	f := strings.Fields(s)
	out := strings.Join(f, " ")
	if len(out) > max {
		cut := max
		for cut > 0 && out[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		out = out[:cut] + "..."
	}
	return out
}
