package session

import (
	"bufio"
	"encoding/json"
	"io"
	"net/url"
	"sync"
)

// Writer writes a session as JSON lines. It is safe for concurrent use:
// each line is written whole.
type Writer struct {
	mu  sync.Mutex
	w   *bufio.Writer
	err error
}

// NewWriter writes h (its Format set to FormatVersion) as the first line
// of a session on w and returns the Writer of the lines that follow.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Format = FormatVersion
	if h.Apps == nil {
		h.Apps = []string{}
	}
	sw := &Writer{w: bufio.NewWriter(w)}
	if err := sw.write(&line{Kind: kindHeader, Header: &h}); err != nil {
		return nil, err
	}
	return sw, nil
}

// WriteEvent appends an event.
func (w *Writer) WriteEvent(e Event) error {
	l := &line{Kind: kindEvent, Time: e.Time, Conn: e.Conn}
	if json.Valid(e.Data) {
		l.Event = e.Data
	} else {
		s := string(e.Data)
		l.Raw = &s
	}
	return w.write(l)
}

// WriteExchange appends a REST exchange. An api_key parameter of x.Query
// is dropped.
func (w *Writer) WriteExchange(x Exchange) error {
	l := &line{Kind: kindREST, Time: x.Time, Method: x.Method, Path: x.Path, Query: RedactQuery(x.Query), Status: x.Status}
	if x.Transport != TransportHTTP {
		l.Transport = x.Transport
	}
	l.Request, l.RequestText = body(x.Request)
	l.Body, l.Text = body(x.Body)
	return w.write(l)
}

// body returns b as a JSON member when it is JSON, as text otherwise, and
// as neither when it is empty.
func body(b []byte) (json.RawMessage, *string) {
	switch {
	case len(b) == 0:
		return nil, nil
	case json.Valid(b):
		return b, nil
	default:
		s := string(b)
		return nil, &s
	}
}

// Flush writes what is buffered to the underlying writer. The first
// error of any write is kept and returned by every later call.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

func (w *Writer) write(l *line) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if _, err := w.w.Write(append(b, '\n')); err != nil {
		w.err = err
		return err
	}
	// Flush each line, so that an interrupted recording keeps what it had.
	w.err = w.w.Flush()
	return w.err
}

// RedactQuery returns the encoded query q without its api_key
// parameters (ARI credentials). A query it cannot parse is dropped whole.
func RedactQuery(q string) string {
	if q == "" {
		return ""
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	if !v.Has("api_key") {
		return q
	}
	v.Del("api_key")
	return v.Encode()
}

// RedactURL returns the URL s without user information, query or
// fragment. A URL it cannot parse gives "".
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}
